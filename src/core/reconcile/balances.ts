/**
 * Pure balance check. The same rule for paper and live venues:
 *
 *   expected total(asset) = baseline total(asset) + effect of the journal
 *                           fills recorded after the baseline was taken
 *
 * The baseline is the venue's own balance, stored at the end of the last run
 * that left the venue fully in line (or accepted with `--fix`). For a live
 * venue the balance is what the exchange reports; for a paper venue it is
 * the journal's paper balances (the paper venue reports those), so the check
 * proves the paper book moved exactly by its fills.
 *
 * Effects of a spot fill on BASE/QUOTE: buy +amount BASE, -amount*price
 * QUOTE; sell the reverse; the fee is taken from its currency. Fills of
 * derivatives (symbols with `:`) move margin in ways fills do not tell, so
 * the assets they touch are skipped, not guessed. xarb's own transfers
 * (rebalance) are movements the journal knows: a sent withdrawal counts
 * -amount on the source (up to -(amount + fee) where the venue charges the
 * fee on top), an arrived one +received on the destination; an asset a
 * transfer in flight may or may not have moved yet is not compared until it
 * settles. Deposits and withdrawals made outside xarb show as
 * balance_differs: `--fix` accepts them as a new baseline, or
 * `reconcile ack` acknowledges the difference.
 *
 * A difference counts when |expected - venue| > max(absolute, relative *
 * |venue|) (defaults 1e-8 and 1e-6), which absorbs the venues' rounding of
 * quote amounts and fees.
 */
import {abs, add, cmp, dec, max, mul, neg, sub} from '../money/decimal.js';
import type {Balance} from '../types.js';
import type {Discrepancy, JournalFill} from './types.js';

export interface BalanceBaseline {
  readonly ts: number;
  /** asset -> total, decimal strings. */
  readonly totals: ReadonlyMap<string, string>;
}

export interface BalanceTolerance {
  readonly absolute: string;
  readonly relative: string;
}

export const DEFAULT_BALANCE_TOLERANCE: BalanceTolerance = {absolute: '0.00000001', relative: '0.000001'};

export interface BalanceEffects {
  readonly deltas: ReadonlyMap<string, string>;
  /** Assets moved by fills whose effect cannot be derived (derivatives). */
  readonly unchecked: ReadonlySet<string>;
}

export function splitSymbol(symbol: string): {base: string; quote: string; settle: string | undefined} | undefined {
  const [pair, settle] = symbol.split(':', 2);
  const parts = (pair ?? '').split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return {base: parts[0], quote: parts[1], settle: settle || undefined};
}

export type FillEffect = Pick<JournalFill, 'symbol' | 'side' | 'price' | 'amount' | 'fee'>;

export function balanceEffects(fills: readonly FillEffect[]): BalanceEffects {
  const deltas = new Map<string, string>();
  const unchecked = new Set<string>();
  const move = (asset: string, amount: string) => deltas.set(asset, add(deltas.get(asset) ?? '0', amount));
  for (const fill of fills) {
    const market = splitSymbol(fill.symbol);
    if (!market || market.settle !== undefined) {
      if (market) {
        unchecked.add(market.base).add(market.quote).add(market.settle ?? market.quote);
      }
      if (fill.fee) unchecked.add(fill.fee.currency);
      continue;
    }
    const cost = mul(fill.amount, fill.price);
    if (fill.side === 'buy') {
      move(market.base, fill.amount);
      move(market.quote, neg(cost));
    } else {
      move(market.base, neg(fill.amount));
      move(market.quote, cost);
    }
    if (fill.fee) move(fill.fee.currency, neg(fill.fee.cost));
  }
  return {deltas, unchecked};
}

/** Balance movements the journal knows besides fills (xarb's own transfers). */
export interface Movements {
  /** asset -> decimal delta. */
  readonly deltas: ReadonlyMap<string, string>;
  /** Assets not compared (a transfer in flight may or may not have moved them). */
  readonly unsettled: ReadonlySet<string>;
  /** asset -> how much lower the balance may be than expected (withdrawal fees some venues charge on top). */
  readonly slack: ReadonlyMap<string, string>;
}

export interface BalanceCheck {
  /** Assets compared. */
  readonly checked: number;
  readonly skipped: readonly string[];
  readonly discrepancies: readonly Discrepancy[];
}

/**
 * Compares the venue's balances with the baseline plus the effect of the
 * given fills (those recorded after the baseline). Without a baseline nothing
 * is compared: the caller records one.
 */
export function checkBalances(
  venue: string,
  baseline: BalanceBaseline | undefined,
  fillsSince: readonly FillEffect[],
  balances: readonly Balance[],
  tolerance: BalanceTolerance = DEFAULT_BALANCE_TOLERANCE,
  movements?: Movements,
): BalanceCheck {
  if (!baseline) return {checked: 0, skipped: [], discrepancies: []};
  const effects = balanceEffects(fillsSince);
  const deltas = new Map(effects.deltas);
  for (const [asset, delta] of movements?.deltas ?? []) deltas.set(asset, add(deltas.get(asset) ?? '0', delta));
  const unchecked = new Set([...effects.unchecked, ...(movements?.unsettled ?? [])]);
  const actual = new Map<string, string>();
  for (const b of balances) actual.set(b.asset, add(actual.get(b.asset) ?? '0', b.total));
  const assets = [...new Set([...baseline.totals.keys(), ...deltas.keys(), ...actual.keys()])].sort();
  const discrepancies: Discrepancy[] = [];
  const skipped: string[] = [];
  let checked = 0;
  for (const asset of assets) {
    if (unchecked.has(asset)) {
      skipped.push(asset);
      continue;
    }
    checked++;
    const expected = add(baseline.totals.get(asset) ?? '0', deltas.get(asset) ?? '0');
    const seen = dec(actual.get(asset) ?? '0');
    const allowed = max(tolerance.absolute, mul(tolerance.relative, abs(seen)));
    // Within [expected - slack, expected], give or take the tolerance.
    const slack = movements?.slack.get(asset) ?? '0';
    const off = cmp(seen, expected) > 0 ? sub(seen, expected) : cmp(seen, sub(expected, slack)) < 0 ? sub(sub(expected, slack), seen) : '0';
    if (cmp(off, allowed) > 0) {
      discrepancies.push({
        venue,
        kind: 'balance_differs',
        ref: asset,
        symbol: undefined,
        journalValue: expected,
        venueValue: seen,
        detail: `difference ${sub(seen, expected)} ${asset} since the baseline of ${new Date(baseline.ts).toISOString()}`,
        repair: {op: 'rebaseline', balances},
      });
    }
  }
  return {checked, skipped, discrepancies};
}
