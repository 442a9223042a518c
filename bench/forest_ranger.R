# R ranger side of the random-forest benchmark (data as bench/tree.c and bench/forest.c, read
# from the raw float64 files bench/forest_sklearn.py writes with a DUMP_DIR).
#
# Usage: Rscript bench/forest_ranger.R DUMP_DIR ROWS TREES DEPTH THREADS
#   ranger(num.trees=TREES, mtry=4, max.depth=DEPTH, min.node.size=1, replace=TRUE,
#   sample.fraction=1, probability=TRUE, splitrule="gini", num.threads=THREADS, seed=1) and
#   prints one line like bench_forest:
#   bench=forest impl=ranger rows=R cols=20 trees=T depth=D threads=N fit_s=S fit_cpu_s=S train_acc=A
#   test_acc=A test_auc=A peak_rss_kb=KB data_kb=KB
suppressMessages(library(ranger))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
rows <- as.integer(args[2]); trees <- as.integer(args[3]); depth <- as.integer(args[4])
threads <- as.integer(args[5])
rd <- function(name, n) readBin(file.path(dir, paste0(name, ".f64")), "double", n = n, size = 8,
                               endian = "little")
X <- matrix(rd("X_train", rows * 20), ncol = 20, byrow = TRUE)
y <- rd("y_train", rows)
Xt <- matrix(rd("X_test", 200000 * 20), ncol = 20, byrow = TRUE)
yt <- rd("y_test", 200000)
colnames(X) <- colnames(Xt) <- paste0("f", 0:19)
auc <- function(y, p) {
    r <- rank(p); n1 <- as.numeric(sum(y == 1)); n0 <- length(y) - n1
    (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}
p0 <- proc.time()
fit <- ranger(x = X, y = factor(y), num.trees = trees, mtry = 4, max.depth = depth,
              min.node.size = 1, replace = TRUE, sample.fraction = 1, probability = TRUE,
              splitrule = "gini", num.threads = threads, seed = 1, verbose = FALSE)
p1 <- proc.time() - p0
fit_s <- p1[["elapsed"]]
cpu_s <- p1[["user.self"]] + p1[["sys.self"]]
ptr <- predict(fit, X, num.threads = threads)$predictions[, "1"]
pte <- predict(fit, Xt, num.threads = threads)$predictions[, "1"]
st <- readLines("/proc/self/status")
rss <- as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", st[grepl("^VmHWM", st)]))
cat(sprintf(paste("bench=forest impl=ranger rows=%d cols=20 trees=%d depth=%d threads=%d",
                  "fit_s=%.3f fit_cpu_s=%.3f train_acc=%.6f test_acc=%.6f test_auc=%.6f peak_rss_kb=%d",
                  "data_kb=%d\n"),
            rows, trees, depth, threads, fit_s, cpu_s, mean((ptr > 0.5) == y), mean((pte > 0.5) == yt),
            auc(yt, pte), as.integer(rss), as.integer((rows + 200000) * 21 * 8 / 1024)))
