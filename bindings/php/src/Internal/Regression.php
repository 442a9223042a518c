<?php

declare(strict_types=1);

namespace Libcrm\Internal;

use FFI;
use Libcrm\Dataset;
use Libcrm\Model;

/**
 * The fit() shared by LogisticRegression, LinearRegression and DecisionTree:
 * a target column and feature columns (number columns as they are, text
 * columns one-hot encoded against their first level).
 *
 * @internal
 */
abstract class Regression extends Model
{
    /** The C fitting function (crm_logreg_fit, ...). */
    protected const FIT = '';

    public ?string $target = null;
    /** @var list<string> */
    public array $features = [];

    /** Fit $target on the columns $features of $ds; returns $this. */
    public function fit(Dataset $ds, string $target, string|array $features): static
    {
        $names = Native::names($features, 'fit(features)');
        $o = $this->buildOptions();
        [$ptrs, $blob] = Native::stringArray($names, 'fit(features)');
        $slot = Native::handleSlot('crm_model');
        $fit = static::FIT;
        $o->call(fn () => \Libcrm\Generated\Capi::$fit($ds->handle(), $target, $ptrs,
            \count($names), $o->ptr(), FFI::addr($slot)));
        $this->target = $target;
        $this->features = $names;
        return $this->attach($slot);
    }

    /** The coefficient table as ['term' => ['estimate' => ..., 'std_error' => ..., ...]]. */
    public function coefficients(): array
    {
        $cols = $this->summary()->toColumns();
        $terms = $cols['term'] ?? [];
        unset($cols['term']);
        $out = [];
        foreach ($terms as $i => $term) {
            foreach ($cols as $name => $values) {
                $out[$term][$name] = $values[$i];
            }
        }
        return $out;
    }
}
