<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;

/**
 * (Seasonal) ARIMA as R's stats::arima, automatic orders as
 * forecast::auto.arima, forecasts with prediction intervals. Options are the
 * crm_arima_options fields: p, d, q, sp, sd, sq, period, include_mean,
 * include_drift, method ("css-ml", "ml", "css"), auto_order (alias auto),
 * max_p, max_q, max_sp, max_sq, max_d, max_sd, stepwise, max_order, auto_d,
 * auto_sd, approximation, ic ("aicc", "aic", "bic"), transform, max_iter,
 * reltol, kappa, fixed (one value per coefficient, null = estimate), freq
 * ("day", "week", "month", "quarter", "year"), aggregate, allow_missing,
 * n_threads, progress, sigma2 ("forecast", the default: forecast::Arima /
 * auto.arima's bias-adjusted variance and intervals; "stats": stats::arima's,
 * as stats::predict).
 *
 *     $m = (new Arima(auto: true))->fitDataset($ds, 'date', 'value', 'month');
 *     $fc = $m->forecast(12);          // step, mean, se, lower_80, upper_80, lower_95, upper_95
 */
final class Arima extends Model
{
    protected const STRUCT = 'crm_arima_options';
    public const DEFAULT_OUT_COL = 'forecast';

    protected function buildOptions(?array $options = null): Internal\Options
    {
        $options ??= $this->options;
        if (\array_key_exists('auto', $options)) {
            $options['auto_order'] = $options['auto'];
            unset($options['auto']);
        }
        return parent::buildOptions($options);
    }

    /** Fit on a series of values in time order (null = missing); returns $this. */
    public function fit(array $values): static
    {
        $buf = Native::doubleArray($values, 'fit(values)') ?? FFI::new('double[1]');
        $o = $this->buildOptions();
        $slot = Native::handleSlot('crm_model');
        $o->call(fn () => Capi::crm_arima_fit($buf, \count($values), $o->ptr(), FFI::addr($slot)));
        return $this->attach($slot);
    }

    /**
     * Sum $valueCol per calendar $period ("day", "week", "month", "quarter",
     * "year"; default the freq option) of $timeCol and fit; returns $this.
     */
    public function fitDataset(Dataset $ds, string $timeCol, string $valueCol, ?string $period = null): static
    {
        $options = $this->options;
        if ($period !== null) {
            $options['freq'] = $period;
        }
        $o = $this->buildOptions($options);
        $slot = Native::handleSlot('crm_model');
        $o->call(fn () => Capi::crm_arima_fit_dataset($ds->handle(), $timeCol, $valueCol, $o->addr(),
            FFI::addr($slot)));
        return $this->attach($slot);
    }

    /**
     * Forecast $h steps: step, mean, se and intervals. $level null gives 80 and
     * 95 % (lower_80, upper_80, lower_95, upper_95), a number one interval
     * (lower, upper), a list lower_L/upper_L for each level.
     */
    public function forecast(int $h, int|float|array|null $level = null): Dataset
    {
        $slot = Native::handleSlot('crm_dataset');
        if ($level !== null && !\is_array($level)) {
            Capi::crm_arima_forecast($this->handle(), $h, (float) $level, FFI::addr($slot));
        } else {
            $levels = $level ?? [];
            $buf = Native::doubleArray($levels, 'forecast(level)');
            Capi::crm_arima_forecast_levels($this->handle(), $h, $buf, \count($levels), FFI::addr($slot));
        }
        return Dataset::wrap($slot);
    }

}
