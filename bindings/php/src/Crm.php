<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;
use Libcrm\Internal\Options;

/**
 * The functions of libcrm that are not methods of a Dataset or a model:
 * version, RFM and KPIs, Apriori, synthetic data, metrics, loading models.
 */
final class Crm
{
    /** crm_version() of the loaded library, e.g. "1.0.0". */
    public static function version(): string
    {
        return (string) Capi::crm_version();
    }

    /** crm_version_number() of the loaded library (MAJOR * 10000 + MINOR * 100 + PATCH). */
    public static function versionNumber(): int
    {
        return Capi::crm_version_number();
    }

    /** Where the library was loaded from (LIBCRM_PATH, or the soname). */
    public static function libraryPath(): string
    {
        Capi::ffi();
        return (string) Capi::$libraryPath;
    }

    /**
     * Per-customer RFM table from transaction lines. Named arguments are the
     * crm_rfm_options fields: customer, date, amount (or quantity and price),
     * invoice, as_of (\DateTimeInterface or epoch seconds), bins, active_days,
     * inactive_days, churn_days.
     *
     *     $scores = Crm::rfm($sales, customer: 'CustomerID', date: 'InvoiceDate', amount: 'Amount');
     */
    public static function rfm(Dataset $tx, mixed ...$options): Dataset
    {
        if (($options['as_of'] ?? null) instanceof \DateTimeInterface) {
            $options['as_of'] = $options['as_of']->getTimestamp();
        }
        $o = Options::build('crm_rfm_options', $options, 'Crm::rfm');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_rfm($tx->handle(), $o->ptr(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /** The as_of rfm() uses by default: midnight UTC after the last $dateCol, as a UTC date-time. */
    public static function rfmDefaultAsOf(Dataset $tx, string $dateCol): \DateTimeImmutable
    {
        $out = Native::scalar('int64_t');
        Capi::crm_rfm_default_as_of($tx->handle(), $dateCol, FFI::addr($out));
        return new \DateTimeImmutable('@' . $out->cdata);
    }

    /** The RFM segment names, best first. */
    public static function rfmSegments(): array
    {
        $out = [];
        for ($i = 0, $n = Capi::crm_rfm_segment_count(); $i < $n; $i++) {
            $out[] = Capi::crm_rfm_segment_name($i);
        }
        return $out;
    }

    /** The lifecycle stage names, most recent first. */
    public static function rfmStages(): array
    {
        $out = [];
        for ($i = 0, $n = Capi::crm_rfm_stage_count(); $i < $n; $i++) {
            $out[] = Capi::crm_rfm_stage_name($i);
        }
        return $out;
    }

    /** Net Promoter Score of the 0-10 ratings in $col (-100 to 100). */
    public static function nps(Dataset $ds, string $col): float
    {
        $out = Native::scalar('double');
        Capi::crm_nps($ds->handle(), $col, FFI::addr($out));
        return $out->cdata;
    }

    /** Share of positive cells of $col (text labels in $positive, or 1 in a 0/1 column). */
    public static function satisfaction(Dataset $ds, string $col, ?array $positive = null): float
    {
        $labels = Native::names($positive, 'satisfaction(positive)');
        [$ptrs, $blob] = Native::stringArray($labels, 'satisfaction(positive)');
        $out = Native::scalar('double');
        Capi::crm_satisfaction($ds->handle(), $col, $ptrs, \count($labels), FFI::addr($out));
        return $out->cdata;
    }

    /** Funnel table (stage, count, conversion, overall) from the furthest stage reached. */
    public static function funnel(Dataset $ds, string $stageCol, array $stages): Dataset
    {
        $stages = Native::names($stages, 'funnel(stages)');
        [$ptrs, $blob] = Native::stringArray($stages, 'funnel(stages)');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_funnel($ds->handle(), $stageCol, $ptrs, \count($stages), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /**
     * Frequent itemsets and association rules: returns [$itemsets, $rules].
     * $tx is a long table, one row per (transaction, item). Named arguments are
     * the crm_apriori_options fields: min_support, min_count, max_len, target
     * ("all", "closed", "maximal"), min_confidence, min_lift, n_threads,
     * progress, separator.
     *
     * @return array{0: Dataset, 1: Dataset}
     */
    public static function apriori(Dataset $tx, string $tid, string $item, mixed ...$options): array
    {
        $o = Options::build('crm_apriori_options', $options, 'Crm::apriori');
        $itemsets = Native::handleSlot('crm_dataset');
        $rules = Native::handleSlot('crm_dataset');
        $o->call(fn () => Capi::crm_apriori($tx->handle(), $tid, $item, $o->ptr(),
            FFI::addr($itemsets), FFI::addr($rules)));
        return [Dataset::wrap($itemsets), Dataset::wrap($rules)];
    }

    /** The items of one items/antecedent/consequent cell (backslash escapes undone). */
    public static function splitItems(?string $text, string $separator = ', '): ?array
    {
        if ($text === null) {
            return null;
        }
        $items = [];
        $cur = '';
        $n = \strlen($text);
        $k = \strlen($separator);
        for ($i = 0; $i < $n;) {
            if ($text[$i] === '\\' && $i + 1 < $n) {
                $cur .= $text[$i + 1];
                $i += 2;
            } elseif (\substr_compare($text, $separator, $i, $k) === 0) {
                $items[] = $cur;
                $cur = '';
                $i += $k;
            } else {
                $cur .= $text[$i];
                $i++;
            }
        }
        $items[] = $cur;
        return $items;
    }

    /**
     * Deterministic synthetic shop transactions (the columns of the UCI Online
     * Retail data). Named arguments: customers, products, days, start
     * (\DateTimeInterface or epoch seconds), seed, dirt.
     */
    public static function synth(mixed ...$options): Dataset
    {
        if (($options['start'] ?? null) instanceof \DateTimeInterface) {
            $options['start'] = $options['start']->getTimestamp();
        }
        $o = Options::build('crm_synth_options', $options, 'Crm::synth');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_synth_transactions($o->ptr(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /**
     * The per-customer summary table every CLV model starts from (crm_clv_summary):
     * customer, frequency, recency, T, monetary, and with calibration_end
     * (\DateTimeInterface or epoch seconds, inclusive) frequency_holdout,
     * monetary_holdout, duration_holdout. Options: period ("day", "week"),
     * calibration_end, observation_end.
     */
    public static function clvSummary(Dataset $tx, string $customer, string $date, string $amount,
                                      mixed ...$options): Dataset
    {
        foreach (['calibration_end', 'observation_end'] as $k) {
            if (($options[$k] ?? null) instanceof \DateTimeInterface) {
                $options[$k] = $options[$k]->getTimestamp();
            }
        }
        $options += ['customer' => $customer, 'date' => $date, 'amount' => $amount];
        $o = Options::build('crm_clv_summary_options', $options, 'Crm::clvSummary');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_clv_summary($tx->handle(), $o->ptr(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /**
     * Write the HTML report of transaction table $tx to $path (atomically;
     * crm_report_write). Options are the crm_report_options fields: amount (or quantity
     * and price), invoice, item, filter, title, currency, as_of (\DateTimeInterface or
     * seconds), bins, active_days, inactive_days, k, seed, churn_days, top_at_risk,
     * top_clv, min_support, min_lift, max_rules, horizon, n_threads.
     *
     *     Crm::report($sales, 'report.html', 'CustomerID', 'InvoiceDate', amount: 'Amount');
     */
    public static function report(Dataset $tx, string $path, string $customer, string $date,
                                  mixed ...$options): void
    {
        $o = self::reportOptions($customer, $date, $options, 'Crm::report');
        Capi::crm_report_write($tx->handle(), $o->ptr(), $path);
    }

    /** The HTML report of $tx as a string (the page report() writes). */
    public static function reportHtml(Dataset $tx, string $customer, string $date,
                                      mixed ...$options): string
    {
        $o = self::reportOptions($customer, $date, $options, 'Crm::reportHtml');
        $out = Native::scalar('char *');
        Capi::crm_report_render($tx->handle(), $o->ptr(), FFI::addr($out));
        return Native::takeString($out);
    }

    private static function reportOptions(string $customer, string $date, array $options,
                                          string $what): Options
    {
        if (($options['as_of'] ?? null) instanceof \DateTimeInterface) {
            $options['as_of'] = $options['as_of']->getTimestamp();
        }
        $options = \array_filter($options, fn ($v) => $v !== null);
        $options += ['customer' => $customer, 'date' => $date];
        return Options::build('crm_report_options', $options, $what);
    }

    /** Load any saved model as an instance of its class (KMeans, Arima, ...). */
    public static function loadModel(string $path): Model
    {
        return Model::load($path);
    }

    /** Mean silhouette coefficient of the clustering in $labelCol. Options: sample_size, seed, n_threads. */
    public static function silhouette(Dataset $ds, string|array $columns, string $labelCol,
                                      mixed ...$options): float
    {
        $cols = Native::names($columns, 'silhouette(columns)');
        $o = Options::build('crm_silhouette_options', $options, 'Crm::silhouette');
        [$ptrs, $blob] = Native::stringArray($cols, 'silhouette(columns)');
        $out = Native::scalar('double');
        Capi::crm_silhouette($ds->handle(), $ptrs, \count($cols), $labelCol, $o->ptr(), FFI::addr($out));
        return $out->cdata;
    }

    /** Classification metrics of the scores in $score against $truth. Options: positive, threshold, sample_weight. */
    public static function classificationMetrics(Dataset $ds, string $truth, string $score,
                                                 mixed ...$options): Dataset
    {
        $o = Options::build('crm_metrics_options', $options, 'Crm::classificationMetrics');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_metrics_classification($ds->handle(), $truth, $score, $o->ptr(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /** Regression metrics of $prediction against $truth. Options: sample_weight. */
    public static function regressionMetrics(Dataset $ds, string $truth, string $prediction,
                                             mixed ...$options): Dataset
    {
        $o = Options::build('crm_metrics_options', $options, 'Crm::regressionMetrics');
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_metrics_regression($ds->handle(), $truth, $prediction, $o->ptr(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /**
     * One ARIMA per group of $byCol with $h-step forecasts: returns [$fits, $forecasts].
     * Options as Arima's.
     *
     * @return array{0: Dataset, 1: Dataset}
     */
    public static function arimaMany(Dataset $ds, string $byCol, string $timeCol, string $valueCol,
                                     int $h, float $level = 95.0, mixed ...$options): array
    {
        if (\array_key_exists('auto', $options)) {
            $options['auto_order'] = $options['auto'];
            unset($options['auto']);
        }
        $o = Options::build('crm_arima_options', $options, 'Crm::arimaMany');
        $fits = Native::handleSlot('crm_dataset');
        $fcs = Native::handleSlot('crm_dataset');
        $o->call(fn () => Capi::crm_arima_fit_many($ds->handle(), $byCol, $timeCol, $valueCol, $h,
            $level, $o->ptr(), FFI::addr($fits), FFI::addr($fcs)));
        return [Dataset::wrap($fits), Dataset::wrap($fcs)];
    }
}
