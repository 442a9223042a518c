<?php

declare(strict_types=1);

namespace Libcrm;

/**
 * Ordinary least squares / ridge regression with inference (crm_linreg_fit).
 * Options are the crm_linreg_options fields: l2, fit_intercept, missing
 * ("error", "drop"), sample_weight, mutate.
 */
final class LinearRegression extends Internal\Regression
{
    protected const STRUCT = 'crm_linreg_options';
    protected const FIT = 'crm_linreg_fit';
}
