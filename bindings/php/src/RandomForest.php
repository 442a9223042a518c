<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;

/**
 * Random forest of CART trees, classification or regression (crm_forest_fit). Options
 * are the crm_forest_options fields: n_trees, mtry (null = the default), task, criterion,
 * max_depth (null = unlimited), min_samples_split, min_samples_leaf, sample_fraction,
 * replace, class_weight (null or "balanced"), max_bins, importance ("impurity",
 * "permutation"), mtry_rule ("nonconstant" as scikit-learn, "exact" as ranger), n_threads,
 * seed, positive, progress. The forest does not depend on n_threads.
 *
 *     $f = (new RandomForest(n_trees: 200, seed: 1))->fit($ds, 'Churn', ['tenure', 'Contract']);
 *     $f->stat('oob_error');
 *     $f->predict($ds);   // adds prediction (and prediction_proba)
 */
final class RandomForest extends Model
{
    protected const STRUCT = 'crm_forest_options';
    public const DEFAULT_OUT_COL = 'prediction';

    public ?string $target = null;
    /** @var list<string> */
    public array $features = [];

    protected function buildOptions(?array $options = null): Internal\Options
    {
        $options ??= $this->options;
        foreach (['max_depth' => -1, 'mtry' => 0, 'class_weight' => 'none'] as $k => $none) {
            if (\array_key_exists($k, $options) && $options[$k] === null) {
                $options[$k] = $none;
            }
        }
        $rule = $options['mtry_rule'] ?? null;
        if ($rule === 'sklearn' || $rule === 'ranger') {
            $options['mtry_rule'] = $rule === 'sklearn' ? 'nonconstant' : 'exact';
        }
        return parent::buildOptions($options);
    }

    /** Fit predicting the column $target from the columns $features; returns $this. */
    public function fit(Dataset $ds, string $target, string|array $features): static
    {
        $names = Native::names($features, 'fit(features)');
        $o = $this->buildOptions();
        [$ptrs, $blob] = Native::stringArray($names, 'fit(features)');
        $slot = Native::handleSlot('crm_model');
        $o->call(fn () => Capi::crm_forest_fit($ds->handle(), $target, $ptrs, \count($names),
            $o->ptr(), FFI::addr($slot)));
        $this->target = $target;
        $this->features = $names;
        return $this->attach($slot);
    }

    private function importanceColumns(): array
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_forest_feature_importances($this->handle(), FFI::addr($slot));
        return Dataset::wrap($slot)->toColumns();
    }

    /** ['feature' => importance] (mean impurity decrease of the trees, sums to 1). */
    public function featureImportances(): array
    {
        $cols = $this->importanceColumns();
        return \array_combine($cols['feature'], $cols['importance']);
    }

    /** ['feature' => out-of-bag permutation importance], or null unless importance: 'permutation'. */
    public function permutationImportances(): ?array
    {
        $cols = $this->importanceColumns();
        if (\array_filter($cols['permutation'], fn ($v) => $v !== null) === []) {
            return null;
        }
        return \array_combine($cols['feature'], $cols['permutation']);
    }

    public function nTrees(): int
    {
        return (int) $this->stat('n_trees');
    }

    /** Tree $i as a DecisionTree (rules(), dot(), predict(), save()). */
    public function tree(int $i): DecisionTree
    {
        $slot = Native::handleSlot('crm_model');
        Capi::crm_forest_tree($this->handle(), $i, FFI::addr($slot));
        return self::wrapModel($slot, DecisionTree::class);
    }

    /** @return list<int> how many times tree $i drew each training row (0: out of bag) */
    public function bag(int $i): array
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_forest_bag($this->handle(), $i, FFI::addr($slot));
        return \array_map('intval', Dataset::wrap($slot)->column('count'));
    }

    /** Add the out-of-bag predictions of the training rows $ds as $outCol; returns $ds. */
    public function oobPredict(Dataset $ds, string $outCol = 'oob_prediction'): Dataset
    {
        Capi::crm_forest_oob_predict($this->handle(), $ds->handle(), $outCol);
        return $ds;
    }
}
