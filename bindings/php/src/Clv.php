<?php

declare(strict_types=1);

namespace Libcrm;

use FFI;
use Libcrm\Internal\Native;

/**
 * Customer lifetime value: BG/NBD purchases + Gamma-Gamma spend (crm_clv_fit). Options
 * (named arguments) are the crm_clv_options fields: frequency_col, recency_col, t_col,
 * monetary_col, l2, max_iter, tol, period ("day", "week"), horizon (months), discount
 * (monthly), periods_per_month, t, n_threads.
 *
 *     $s = Crm::clvSummary($sales, 'CustomerID', 'InvoiceDate', 'Amount');
 *     $m = (new Clv(horizon: 12))->fit($s);
 *     $m->params();      // ['r' => ..., 'alpha' => ..., 'a', 'b', 'p', 'q', 'v']
 *     $m->predict($s);   // adds clv, p_alive, expected_purchases, expected_spend
 */
final class Clv extends Model
{
    protected const STRUCT = 'crm_clv_options';
    public const DEFAULT_OUT_COL = 'clv';

    /** Fit both models on a summary table (Crm::clvSummary() or the same columns); returns $this. */
    public function fit(Dataset $summary): static
    {
        $o = $this->buildOptions();
        $slot = Native::handleSlot('crm_model');
        $o->call(fn () => Generated\Capi::crm_clv_fit($summary->handle(), $o->ptr(), FFI::addr($slot)));
        return $this->attach($slot);
    }

    /** @return array<string, float> r, alpha, a, b (BG/NBD), p, q, v (Gamma-Gamma) */
    public function params(): array
    {
        $out = [];
        foreach (['r', 'alpha', 'a', 'b', 'p', 'q', 'v'] as $k) {
            $out[$k] = $this->stat($k);
        }
        return $out;
    }
}
