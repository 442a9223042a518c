<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use FFI\CData;
use Libcrm\Exception\StateException;
use Libcrm\Generated\Capi;
use Libcrm\Internal\Native;
use Libcrm\Internal\Options;

/**
 * A fitted libcrm model of any kind (crm_model): predict, summary, stats,
 * save/load, JSON. The fitting classes (KMeans, LogisticRegression,
 * LinearRegression, DecisionTree, Arima) extend it: construct with options as
 * named arguments, then fit().
 *
 * Every fitting class takes the option `mutate`: a list of "NAME=EXPR" steps
 * (expressions as Dataset::mutate()) applied to a copy of the data before the
 * fit and recorded in the model; predict() replays them.
 *
 * close() frees the C model at once (later use throws StateException);
 * __destruct frees it otherwise. A model is independent of the datasets it
 * was fitted on.
 */
class Model
{
    /** Options struct of the fitting class (null for a plain Model). */
    protected const STRUCT = null;
    /** Column predict() writes when none is given. */
    public const DEFAULT_OUT_COL = 'prediction';

    private const KINDS = [
        Capi::CRM_MODEL_KMEANS => KMeans::class,
        Capi::CRM_MODEL_TREE => DecisionTree::class,
        Capi::CRM_MODEL_LOGREG => LogisticRegression::class,
        Capi::CRM_MODEL_LINREG => LinearRegression::class,
        Capi::CRM_MODEL_ARIMA => Arima::class,
        Capi::CRM_MODEL_CLV => Clv::class,
        Capi::CRM_MODEL_FOREST => RandomForest::class,
    ];

    protected ?CData $ptr = null;

    /** @var array<string, mixed> the options given to the constructor */
    public readonly array $options;

    /**
     * Options as named arguments (the fields of the class's options struct);
     * an unknown name throws \InvalidArgumentException at once.
     */
    public function __construct(mixed ...$options)
    {
        if (static::STRUCT !== null) {
            // Checked now, so a typo fails here rather than at fit().
            $this->buildOptions($options);
        } elseif ($options !== []) {
            throw new \InvalidArgumentException(static::class . ' takes no options');
        }
        $this->options = $options;
    }

    /** @internal the options struct for the fit, from $options */
    protected function buildOptions(?array $options = null): Options
    {
        return Options::build(static::STRUCT, $options ?? $this->options,
            (new \ReflectionClass($this))->getShortName());
    }

    /** @internal take ownership of the crm_model* in $slot */
    protected function attach(CData $slot): static
    {
        if (FFI::isNull($slot)) {
            throw new StateException('libcrm returned no model', Capi::CRM_E_STATE, 'CRM_E_STATE');
        }
        $this->close();
        $this->ptr = $slot;
        return $this;
    }

    /** @internal the crm_model*; StateException when not fitted or closed */
    public function handle(): CData
    {
        return $this->ptr ?? throw new StateException(
            'the model is not fitted or has been closed (call fit() or load())',
            Capi::CRM_E_STATE, 'CRM_E_STATE');
    }

    public function isFitted(): bool
    {
        return $this->ptr !== null;
    }

    /** Free the C model now; later use throws StateException. Idempotent. */
    public function close(): void
    {
        if ($this->ptr !== null) {
            $ptr = $this->ptr;
            $this->ptr = null;
            Capi::crm_model_free($ptr);
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    public function __clone()
    {
        if ($this->ptr !== null) {
            $json = null;
            $out = Native::scalar('char *');
            Capi::crm_model_to_json($this->ptr, FFI::addr($out));
            $json = Native::takeString($out);
            $slot = Native::handleSlot('crm_model');
            Capi::crm_model_from_json($json, FFI::addr($slot));
            $this->ptr = $slot;
        }
    }

    /** The model kind as in the JSON "kind" member: "kmeans", "tree", "logreg", ... */
    public function kindName(): string
    {
        return Capi::crm_model_kind_name(Capi::crm_model_kind($this->handle())) ?? 'unknown';
    }

    /**
     * Add the prediction column(s) to $ds in place and return $ds (k-means:
     * the cluster; classifiers also OUT_proba).
     */
    public function predict(Dataset $ds, ?string $outCol = null): Dataset
    {
        Capi::crm_model_predict($this->handle(), $ds->handle(), $outCol ?? static::DEFAULT_OUT_COL);
        return $ds;
    }

    /** The model as a Dataset (k-means: one row per cluster; regressions: coefficients). */
    public function summary(): Dataset
    {
        $slot = Native::handleSlot('crm_dataset');
        Capi::crm_model_summary($this->handle(), FFI::addr($slot));
        return Dataset::wrap($slot);
    }

    /** One named statistic (e.g. "inertia"); NotFoundException lists the valid names. */
    public function stat(string $name): float
    {
        $v = Native::scalar('double');
        Capi::crm_model_stat($this->handle(), $name, FFI::addr($v));
        return $v->cdata;
    }

    /** Every statistic, ['name' => float] in the library's order. */
    public function stats(): array
    {
        $handle = $this->handle();
        $n = Native::scalar('size_t');
        Capi::crm_model_stat_count($handle, FFI::addr($n));
        $name = Native::scalar('const char *');
        $out = [];
        for ($i = 0, $m = $n->cdata; $i < $m; $i++) {
            Capi::crm_model_stat_name($handle, $i, FFI::addr($name));
            $key = FFI::string($name);
            $out[$key] = $this->stat($key);
        }
        return $out;
    }

    /** The class labels of a classifier fitted on a text target (empty otherwise). */
    public function classes(): array
    {
        $handle = $this->handle();
        $n = Native::scalar('size_t');
        Capi::crm_model_class_count($handle, FFI::addr($n));
        $label = Native::scalar('const char *');
        $out = [];
        for ($i = 0, $m = $n->cdata; $i < $m; $i++) {
            Capi::crm_model_class($handle, $i, FFI::addr($label));
            $out[] = FFI::string($label);
        }
        return $out;
    }

    /** The transform steps recorded at the fit, as "NAME=EXPR" strings. */
    public function mutateSteps(): array
    {
        $handle = $this->handle();
        $n = Native::scalar('size_t');
        Capi::crm_model_mutate_count($handle, FFI::addr($n));
        $name = Native::scalar('const char *');
        $expr = Native::scalar('const char *');
        $out = [];
        for ($i = 0, $m = $n->cdata; $i < $m; $i++) {
            Capi::crm_model_mutate($handle, $i, FFI::addr($name), FFI::addr($expr));
            $out[] = FFI::string($name) . '=' . FFI::string($expr);
        }
        return $out;
    }

    /** The model as versioned JSON text. */
    public function toJson(): string
    {
        $out = Native::scalar('char *');
        Capi::crm_model_to_json($this->handle(), FFI::addr($out));
        return Native::takeString($out);
    }

    /** Write the model as JSON to $path (atomically). */
    public function save(string $path): void
    {
        Capi::crm_model_save($this->handle(), $path);
    }

    /**
     * A model from JSON text, as an instance of its class (KMeans, ...). Called
     * on a subclass, a model of another kind throws TypeException.
     */
    public static function fromJson(string $json): static
    {
        $slot = Native::handleSlot('crm_model');
        Capi::crm_model_from_json($json, FFI::addr($slot));
        return self::wrapModel($slot, static::class);
    }

    /** A model from a file written by save(), as an instance of its class. */
    public static function load(string $path): static
    {
        $slot = Native::handleSlot('crm_model');
        Capi::crm_model_load($path, FFI::addr($slot));
        return self::wrapModel($slot, static::class);
    }

    protected static function wrapModel(CData $slot, string $want): Model
    {
        $class = self::KINDS[Capi::crm_model_kind($slot)] ?? Model::class;
        if ($want !== Model::class && $class !== $want) {
            Capi::crm_model_free($slot);
            throw new Exception\TypeException(\sprintf('the JSON holds a %s model, not %s',
                $class, $want), Capi::CRM_E_TYPE, 'CRM_E_TYPE');
        }
        $m = (new \ReflectionClass($class))->newInstanceWithoutConstructor();
        $m->options = [];
        return $m->attach($slot);
    }
}
