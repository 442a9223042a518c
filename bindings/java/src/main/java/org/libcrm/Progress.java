package org.libcrm;

/**
 * A progress callback of a long computation (k-means, trees, regressions, ARIMA,
 * Apriori): called with the fraction done (0..1) on the calling thread; returning
 * {@code true} cancels the computation, which then throws {@link CrmException.Cancelled}.
 * An exception thrown here also cancels it and is rethrown to the caller once the C
 * call has returned (it never unwinds through C).
 */
@FunctionalInterface
public interface Progress {
    /** @return true to cancel */
    boolean report(double fraction);
}
