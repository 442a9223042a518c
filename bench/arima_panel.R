# Writes the benchmark panel: NSERIES (default 1000) generated monthly series of
# LENGTH points (default 120: 2011-01 .. 2020-12; "m3": each series of a length
# drawn from 48..126, M3's monthly range; a number: that many), seasonal with
# trend and ARMA noise, as CSV columns id,month,value (values with 6 significant
# digits). Deterministic (set.seed(2024); the 120-point panel is the one of earlier
# runs). Usage: Rscript bench/arima_panel.R OUT.csv [NSERIES [LENGTH]]
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
ns <- if (length(args) > 1) as.integer(args[2]) else 1000L
len_arg <- if (length(args) > 2) args[3] else "120"
set.seed(2024)
con <- file(out, "w")
writeLines("id,month,value", con)
for (i in seq_len(ns)) {
  n <- if (len_arg == "m3") sample(48:126, 1) else as.integer(len_arg)
  months <- format(seq(as.Date("2011-01-01"), by = "month", length.out = n))
  ar1 <- round(runif(1, -0.7, 0.7), 2) * sample(0:1, 1)
  ma1 <- round(runif(1, -0.7, 0.7), 2) * sample(0:1, 1)
  e <- arima.sim(list(ar = if (ar1 != 0) ar1, ma = if (ma1 != 0) ma1), n = n + 50)
  e <- tail(as.numeric(e), n) * runif(1, 2, 10)
  if (runif(1) < 0.5) e <- cumsum(e) / 3
  shape <- sin(2 * pi * (1:12) / 12 + runif(1, 0, 6)) + runif(12, -0.3, 0.3)
  y <- runif(1, 100, 1000) + runif(1, -1, 1) * (1:n) + runif(1, 0, 40) * rep(shape, length.out = n) + e
  writeLines(paste(i, months, sprintf("%.6g", y), sep = ","), con)
}
close(con)
