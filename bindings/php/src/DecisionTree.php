<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;

/**
 * CART decision tree, classification or regression (crm_tree_fit). Options
 * are the crm_tree_options fields: task ("classification", "regression"),
 * criterion ("gini", "entropy", "mse"), max_depth (null = unlimited),
 * min_samples_split, min_samples_leaf, min_impurity_decrease, max_leaf_nodes,
 * ccp_alpha, class_weight ("none", "balanced"), positive, seed, max_bins,
 * n_threads, sample_weight, progress, mutate.
 *
 *     $tree = (new DecisionTree(max_depth: 3))->fit($ds, 'Churn', ['tenure', 'Contract']);
 *     echo $tree->rules();
 */
final class DecisionTree extends Internal\Regression
{
    protected const STRUCT = 'crm_tree_options';
    protected const FIT = 'crm_tree_fit';

    protected function buildOptions(?array $options = null): Internal\Options
    {
        $options ??= $this->options;
        if (\array_key_exists('max_depth', $options) && $options['max_depth'] === null) {
            $options['max_depth'] = -1;
        }
        if (\array_key_exists('class_weight', $options) && $options['class_weight'] === null) {
            $options['class_weight'] = 'none';
        }
        if (($options['criterion'] ?? null) === 'squared_error') {
            $options['criterion'] = 'mse';
        }
        return parent::buildOptions($options);
    }

    /** Cost-complexity pruning path (ccp_alpha, impurity) of these options, as a Dataset. */
    public function pruningPath(Dataset $ds, string $target, string|array $features): Dataset
    {
        $names = Native::names($features, 'pruningPath(features)');
        $o = $this->buildOptions();
        [$ptrs, $blob] = Native::stringArray($names, 'pruningPath(features)');
        $slot = Native::handleSlot('crm_dataset');
        $o->call(fn () => Capi::crm_tree_pruning_path($ds->handle(), $target, $ptrs, \count($names),
            $o->ptr(), FFI::addr($slot)));
        return Dataset::wrap($slot);
    }

    /** The tree as indented if/then rules; with $flat one "IF ... THEN ..." line per leaf. */
    public function rules(bool $flat = false): string
    {
        $out = Native::scalar('char *');
        if ($flat) {
            Capi::crm_tree_export_rules($this->handle(), FFI::addr($out));
        } else {
            Capi::crm_tree_export_text($this->handle(), FFI::addr($out));
        }
        return Native::takeString($out);
    }

    /** The tree in Graphviz dot language. */
    public function dot(): string
    {
        $out = Native::scalar('char *');
        Capi::crm_tree_export_dot($this->handle(), FFI::addr($out));
        return Native::takeString($out);
    }

    /** ['feature' => importance] (impurity decrease, normalised to sum 1). */
    public function featureImportances(): array
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_tree_feature_importances($this->handle(), FFI::addr($slot));
        $cols = Dataset::wrap($slot)->toColumns();
        return \array_combine($cols['feature'], $cols['importance']);
    }
}
