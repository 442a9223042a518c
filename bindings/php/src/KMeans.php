<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Internal\Native;

/**
 * k-means segmentation (crm_kmeans_fit). Options (named arguments) are the
 * crm_kmeans_options fields: k, n_init, max_iter, init ("plusplus", "random",
 * "given"), tol, init_centers (k x d values, a flat list or a list of rows),
 * seed, standardize (bool), n_threads, algorithm ("auto", "lloyd", "hamerly"),
 * sample_weight (a column), progress (callable f(float $fraction): bool, true
 * cancels), mutate (list of "NAME=EXPR").
 *
 *     $km = (new KMeans(k: 4, seed: 42, standardize: true))->fit($rfm, ['recency_days', 'monetary']);
 *     $km->predict($rfm, 'cluster');
 */
final class KMeans extends Model
{
    protected const STRUCT = 'crm_kmeans_options';
    public const DEFAULT_OUT_COL = 'cluster';

    /** @var list<string> the columns of the last fit */
    public array $columns = [];

    protected function buildOptions(?array $options = null): Internal\Options
    {
        $options ??= $this->options;
        $centers = $options['init_centers'] ?? $options['initCenters'] ?? null;
        unset($options['init_centers'], $options['initCenters']);
        if (($options['init'] ?? null) === 'k-means++') {
            $options['init'] = 'plusplus';
        }
        $o = parent::buildOptions($options);
        if ($centers !== null) {
            $flat = [];
            foreach ($centers as $row) {
                foreach (\is_array($row) ? $row : [$row] as $v) {
                    $flat[] = $v;
                }
            }
            $o->set('init_centers', $flat);
            if (!isset($options['init'])) {
                $o->set('init', 'given');
            }
        }
        return $o;
    }

    /** Fit on the number columns $columns of $ds; returns $this. */
    public function fit(Dataset $ds, string|array $columns): static
    {
        $cols = Native::names($columns, 'fit(columns)');
        $o = $this->buildOptions();
        [$ptrs, $blob] = Native::stringArray($cols, 'fit(columns)');
        $slot = Native::handleSlot('crm_model');
        $o->call(fn () => Generated\Capi::crm_kmeans_fit($ds->handle(), $ptrs, \count($cols),
            $o->ptr(), FFI::addr($slot)));
        $this->columns = $cols;
        return $this->attach($slot);
    }

    /** Inertia for every k in $kMin..$kMax with these options (k ignored), as a Dataset. */
    public function elbow(Dataset $ds, string|array $columns, int $kMin, int $kMax): Dataset
    {
        $cols = Native::names($columns, 'elbow(columns)');
        $o = $this->buildOptions();
        [$ptrs, $blob] = Native::stringArray($cols, 'elbow(columns)');
        $slot = Native::handleSlot('crm_dataset');
        $o->call(fn () => Generated\Capi::crm_kmeans_elbow($ds->handle(), $ptrs, \count($cols),
            $kMin, $kMax, $o->ptr(), FFI::addr($slot)));
        return Dataset::wrap($slot);
    }

    /**
     * The centers in the units of the input columns, as a Dataset (cluster, size, one
     * column per feature): standardization and the mutate steps log1p/log/sqrt/x*c+d undone.
     */
    public function centersOriginal(): Dataset
    {
        $slot = Native::handleSlot('crm_dataset');
        Generated\Capi::crm_kmeans_centers_original($this->handle(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }
}
