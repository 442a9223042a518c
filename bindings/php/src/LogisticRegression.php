<?php

declare(strict_types=1);

namespace Libcrm;

/**
 * Binary logistic regression with inference (crm_logreg_fit). Options are the
 * crm_logreg_options fields: l2, fit_intercept, standardize, positive (the
 * positive class of a text target), class_weight ("none", "balanced"),
 * max_iter, tol, missing ("error", "drop"), solver ("auto", "newton",
 * "lbfgs"), sample_weight, n_threads, progress, mutate.
 *
 *     $m = (new LogisticRegression(positive: 'Yes', missing: 'drop'))->fit($telco, 'Churn', ['tenure']);
 *     $m->predict($telco, 'churn');   // adds churn and churn_proba
 */
final class LogisticRegression extends Internal\Regression
{
    protected const STRUCT = 'crm_logreg_options';
    protected const FIT = 'crm_logreg_fit';
}
