#!/usr/bin/env python3
"""statsmodels side of bench/run_arima.sh: SARIMAX(0,1,1)(0,1,1,12) on log
AirPassengers (the airline model), fastest of REPS fits (the statistic bench_arima
and bench/arima_r.R report).
Usage: arima_statsmodels.py AIRPASSENGERS.csv REPS"""
import csv
import math
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.statespace.sarimax import SARIMAX

warnings.simplefilter("ignore")
with open(sys.argv[1]) as f:
    y = np.array([math.log(float(r["value"])) for r in csv.DictReader(f)])
reps = int(sys.argv[2])
best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    res = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(disp=False)
    best = min(best, time.perf_counter() - t0)
print("bench=arima_single impl=statsmodels-SARIMAX fit_ms=%.3f ma1=%.6f sma1=%.6f loglik=%.6f"
      % (best * 1000, res.params[0], res.params[1], res.llf))
