# Golden 5-fold cross-validation of random forests computed with R ranger (Debian
# r-cran-ranger 0.14). Run from the repository root with ../shared/data present:
#
#     Rscript tests/reference/forest_ranger.R
#
# Writes tests/reference/golden/forest_cv_ranger.tsv: the datasets, folds, settings and
# measures of tests/reference/forest_reference.py (see there), with
# ranger(num.trees, mtry, splitrule = "gini", replace = TRUE, sample.fraction = 1,
# min.node.size = 1, max.depth = NULL (unlimited), probability = TRUE, seed = 1,
# num.threads = 2): the probability of the positive class is the mean over the trees of the
# leaf class shares, as scikit-learn's and libcrm's.
suppressMessages(library(ranger))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
golden <- Sys.getenv("CRM_GOLDEN_DIR", file.path(here, "golden"))
data <- normalizePath(file.path(here, "..", "..", "..", "shared", "data"))
numeric <- c("tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen")
text <- c("gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService",
          "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV",
          "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod")

telco <- function() {
    df <- read.csv(file.path(data, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"),
                   stringsAsFactors = FALSE)
    df$TotalCharges <- suppressWarnings(as.numeric(df$TotalCharges))
    df <- df[!is.na(df$TotalCharges), ]
    X <- as.matrix(df[, numeric])
    for (col in text) {
        for (lev in sort(unique(df[[col]]))) {
            X <- cbind(X, as.numeric(df[[col]] == lev))
        }
    }
    colnames(X) <- paste0("x", seq_len(ncol(X)))
    list(X = X, y = as.numeric(df$Churn == "Yes"))
}

generated <- function(n = 5000, d = 10) {
    s <- 12345
    X <- matrix(0, n, d)
    y <- numeric(n)
    for (i in seq_len(n)) {
        for (j in seq_len(d)) {
            s <- (48271 * s) %% 2147483647
            X[i, j] <- 100 * s / 2147483647
        }
        s <- (48271 * s) %% 2147483647
        e <- s / 2147483647
        x <- X[i, ]
        score <- x[1] + 0.5 * x[2] - 0.8 * x[3] + (if (x[4] > 50) 30 else 0) + 0.004 * x[5] * x[5]
        y[i] <- as.numeric(score + 60 * (e - 0.5) > 70)
    }
    colnames(X) <- paste0("x", seq_len(d))
    list(X = X, y = y)
}

auc <- function(y, p) {
    r <- rank(p)
    n1 <- as.numeric(sum(y == 1))
    n0 <- length(y) - n1
    (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}

cv <- function(d, trees, mtry) {
    fold <- (seq_along(d$y) - 1) %% 5
    acc <- numeric(5)
    au <- numeric(5)
    for (k in 0:4) {
        tr <- fold != k
        te <- fold == k
        fit <- ranger(x = d$X[tr, ], y = factor(d$y[tr], levels = c(0, 1)), num.trees = trees,
                      mtry = mtry, splitrule = "gini", replace = TRUE, sample.fraction = 1,
                      min.node.size = 1, probability = TRUE, seed = 1, num.threads = 2,
                      verbose = FALSE)
        p <- predict(fit, d$X[te, ], num.threads = 2)$predictions[, "1"]
        acc[k + 1] <- mean((p > 0.5) == d$y[te])
        au[k + 1] <- auc(d$y[te], p)
    }
    c(mean(acc), mean(au))
}

dir.create(golden, showWarnings = FALSE, recursive = TRUE)
out <- file(file.path(golden, "forest_cv_ranger.tsv"), "w")
writeLines("dataset\ttrees\tmtry\taccuracy\tauc", out)
settings <- list(telco = c(300, 6), generated = c(300, 3))
for (name in c("telco", "generated")) {
    d <- if (name == "telco") telco() else generated()
    s <- settings[[name]]
    r <- cv(d, s[1], s[2])
    writeLines(sprintf("%s\t%d\t%d\t%.6f\t%.6f", name, as.integer(s[1]), as.integer(s[2]),
                       r[1], r[2]), out)
}
close(out)
