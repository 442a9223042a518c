# R side of bench/run_arima.sh.
#   Rscript bench/arima_r.R single AIRPASSENGERS.csv REPS
#     stats::arima airline model on log AirPassengers, CSS-ML and ML: fastest of REPS.
#   Rscript bench/arima_r.R auto PANEL.csv NSERIES ORDERS_OUT
#     forecast::auto.arima (defaults) on the first NSERIES series of the panel;
#     writes "id p d q P D Q s constant" per series.
#   Rscript bench/arima_r.R exact PANEL.csv ID,ID,... ORDERS_OUT
#     the same with the exact initialisation SSinit = "Rossignol2011" on the
#     series named (not timed): for the series where R's default Gardner
#     initialisation fails numerically and R rejects candidates libcrm fits.
# Prints machine-readable key=value lines.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
if (args[1] == "single") {
  x <- ts(log(read.csv(args[2])$value), frequency = 12)
  reps <- as.integer(args[3])
  for (m in c("CSS-ML", "ML")) {
    best <- Inf
    for (r in seq_len(reps)) {
      t0 <- proc.time()[["elapsed"]]
      fit <- arima(x, order = c(0, 1, 1), seasonal = c(0, 1, 1), method = m)
      best <- min(best, proc.time()[["elapsed"]] - t0)
    }
    cat(sprintf("bench=arima_single impl=R-%s fit_ms=%.3f ma1=%.6f sma1=%.6f loglik=%.6f\n", m,
                best * 1000, fit$coef[1], fit$coef[2], fit$loglik))
  }
} else if (args[1] == "exact") {
  d <- read.csv(args[2])
  con <- file(args[4], "w")
  for (i in as.integer(strsplit(args[3], ",")[[1]])) {
    x <- ts(d$value[d$id == i], frequency = 12)
    fit <- auto.arima(x, SSinit = "Rossignol2011")
    a <- fit$arma
    k <- as.integer(any(names(fit$coef) %in% c("intercept", "drift")))
    writeLines(paste(i, a[1], a[6], a[2], a[3], a[7], a[4], a[5], k), con)
  }
  close(con)
} else {
  d <- read.csv(args[2])
  ns <- as.integer(args[3])
  con <- file(args[4], "w")
  pt0 <- proc.time()
  t0 <- pt0[["elapsed"]]
  for (i in seq_len(ns)) {
    x <- ts(d$value[d$id == i], frequency = 12)
    fit <- auto.arima(x)
    a <- fit$arma
    k <- as.integer(any(names(fit$coef) %in% c("intercept", "drift")))
    writeLines(paste(i, a[1], a[6], a[2], a[3], a[7], a[4], a[5], k), con)
  }
  pt <- proc.time()
  el <- pt[["elapsed"]] - t0
  cpu <- (pt[["user.self"]] + pt[["sys.self"]]) - (pt0[["user.self"]] + pt0[["sys.self"]])
  close(con)
  cat(sprintf("bench=arima_auto impl=R-forecast series=%d total_s=%.3f per_series_s=%.4f cpu_s=%.3f per_series_cpu_s=%.4f\n",
              ns, el, el / ns, cpu, cpu / ns))
}
