/**
 * `xarb export`: the journal's fills, orders, PnL ledger and balance
 * snapshots as flat records for spreadsheets and tax tools.
 *
 * Invariants:
 * - Rows are produced one at a time from the journal's iterators (a generator
 *   per kind): memory does not grow with the journal.
 * - Every record has the same columns in the same order (`columns`); a value
 *   is a string or null (empty). Money and amounts are the journal's exact
 *   decimal strings, never floats; times are ISO 8601 UTC.
 * - Oldest first. The PnL ledger replays every fill of the selected venues
 *   from the start through the same ledger as `xarb pnl` (portfolio/pnl.ts:
 *   one average-cost book per asset across quote currencies, every fill
 *   converted into the valuation currency at the rate of its time, the same
 *   pricing), and emits the rows inside [since, until]: summed, its
 *   `realized` and `fee_value` columns are `xarb pnl`'s totals.
 */
import {mul, roundToStep} from '../money/decimal.js';
import {PnlLedger, type CostBasis, type RateAt} from '../portfolio/pnl.js';
import type {Pricer} from '../portfolio/pricing.js';
import {loadCostBases} from '../portfolio/basis.js';
import {fillAssets, journalPriceHistory, pnlPricing} from '../portfolio/service.js';
import {PriceSnapshotsRepo} from '../journal/price-snapshots.js';
import type {Clock} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {Db} from '../journal/db.js';
import {ExportRepo, type ExportFilter} from '../journal/exports.js';

export const EXPORT_KINDS = ['fills', 'orders', 'pnl', 'balances'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export type ExportRecord = Record<string, string | null>;

export interface ExportStream {
  readonly kind: ExportKind;
  readonly columns: readonly string[];
  readonly rows: Iterable<ExportRecord>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function split(symbol: string): {base: string; quote: string} {
  const [pair] = symbol.split(':');
  const [base, quote] = (pair ?? symbol).split('/');
  return {base: base ?? symbol, quote: quote ?? ''};
}

const FILL_COLUMNS = ['time', 'venue', 'symbol', 'base', 'quote', 'side', 'amount', 'price', 'cost', 'fee', 'fee_currency', 'taker_or_maker', 'trade_id', 'venue_order_id', 'client_order_id', 'origin'];
const ORDER_COLUMNS = ['created_at', 'updated_at', 'venue', 'symbol', 'side', 'type', 'amount', 'price', 'status', 'filled', 'average', 'fees', 'mode', 'origin', 'client_order_id', 'venue_order_id', 'plan_id', 'error'];
const PNL_COLUMNS = ['time', 'venue', 'symbol', 'asset', 'side', 'amount', 'price', 'quote', 'fee', 'fee_currency', 'rate', 'rate_source', 'fee_value', 'realized', 'position', 'average_entry', 'currency', 'trade_id'];

/** How the PnL ledger values fills: as `xarb pnl` does (portfolio/service.ts `pnlPricing`). */
export interface PnlExportOptions {
  /** The valuation currency of every figure. */
  readonly quote: string;
  readonly pricer: Pricer;
  readonly rateAt?: RateAt;
  readonly bases?: ReadonlyMap<string, CostBasis>;
}
const BALANCE_COLUMNS = ['time', 'venue', 'asset', 'free', 'used', 'total', 'value', 'quote', 'run_id'];

function* fills(repo: ExportRepo, filter: ExportFilter): Generator<ExportRecord> {
  for (const f of repo.fills(filter)) {
    const {base, quote} = split(f.symbol);
    yield {
      time: iso(f.ts),
      venue: f.venue,
      symbol: f.symbol,
      base,
      quote,
      side: f.side,
      amount: f.amount,
      price: f.price,
      cost: mul(f.amount, f.price),
      fee: f.fee?.cost ?? null,
      fee_currency: f.fee?.currency ?? null,
      taker_or_maker: f.takerOrMaker ?? null,
      trade_id: f.tradeId,
      venue_order_id: f.venueOrderId ?? null,
      client_order_id: f.clientOrderId ?? null,
      origin: f.origin,
    };
  }
}

function* orders(repo: ExportRepo, filter: ExportFilter): Generator<ExportRecord> {
  for (const o of repo.orders(filter)) {
    yield {
      created_at: iso(o.createdAt),
      updated_at: iso(o.updatedAt),
      venue: o.venue,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      amount: o.amount,
      price: o.price ?? null,
      status: o.status,
      filled: o.filled,
      average: o.average ?? null,
      // One cell: "0.12 USD" or "0.12 USD + 0.0001 BNB".
      fees: o.fees.length === 0 ? null : o.fees.map((f) => `${f.cost} ${f.currency}`).join(' + '),
      mode: o.mode,
      origin: o.origin,
      client_order_id: o.clientOrderId,
      venue_order_id: o.venueOrderId ?? null,
      plan_id: o.planId ?? null,
      error: o.error ?? null,
    };
  }
}

function* pnl(repo: ExportRepo, filter: ExportFilter, options: PnlExportOptions): Generator<ExportRecord> {
  const since = filter.since ?? 0;
  const ledger = new PnlLedger({quote: options.quote, pricer: options.pricer, since, ...(options.rateAt ? {rateAt: options.rateAt} : {}), ...(options.bases ? {bases: options.bases} : {})});
  for (const f of repo.fills({venues: filter.venues, until: filter.until})) {
    const {quote} = split(f.symbol);
    const row = ledger.apply({venue: f.venue, tradeId: f.tradeId, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts});
    if (f.ts < since) continue;
    const priced = row.rate !== undefined;
    yield {
      time: iso(f.ts),
      venue: f.venue,
      symbol: f.symbol,
      asset: row.asset,
      side: f.side,
      amount: f.amount,
      price: f.price,
      quote,
      fee: f.fee?.cost ?? null,
      fee_currency: f.fee?.currency ?? null,
      // Units of the valuation currency per unit of the fill's quote, and where it came from.
      rate: row.rate?.value ?? null,
      rate_source: row.rate?.source ?? `no rate for ${quote} in ${options.quote}: left out, as in xarb pnl`,
      // Exact, so the column sums to xarb pnl's totals.
      fee_value: !priced || row.feeUnpriced ? null : row.fee,
      realized: priced ? row.realized : null,
      position: row.position,
      // Average cost per unit of the asset's open position in the valuation currency (8 decimals); empty when flat.
      average_entry: row.averageEntry === undefined ? null : roundToStep(row.averageEntry, '0.00000001', 'nearest'),
      currency: options.quote,
      trade_id: f.tradeId,
    };
  }
}

function* balances(repo: ExportRepo, filter: ExportFilter): Generator<ExportRecord> {
  for (const b of repo.balances(filter)) {
    yield {time: iso(b.ts), venue: b.venue, asset: b.asset, free: b.free, used: b.used, total: b.total, value: b.value ?? null, quote: b.quote, run_id: String(b.runId)};
  }
}

/** `xarb pnl`'s defaults for prices: mids no older than 5 minutes. */
const PNL_MAX_AGE_MS = 5 * 60_000;

/**
 * The valuation of `export pnl`, priced exactly as `xarb pnl` prices (current
 * quotes from `venues` for conversions without a journalled rate, journalled
 * quotes around each fill's time, the cost bases of \`xarb pnl basis\`). The
 * fills are streamed once to learn which assets need a price.
 */
export async function pnlExportOptions(deps: {readonly db: Db; readonly clock: Clock; readonly venues: readonly Venue[]}, filter: ExportFilter, quote: string): Promise<{options: PnlExportOptions; notes: readonly string[]}> {
  const assets = fillAssets(new ExportRepo(deps.db).fills({venues: filter.venues, until: filter.until}));
  const pricing = await pnlPricing({venues: deps.venues, clock: deps.clock, priceHistory: journalPriceHistory(new PriceSnapshotsRepo(deps.db))}, assets, {quote, method: 'mid', maxAgeMs: PNL_MAX_AGE_MS});
  return {options: {quote, ...pricing.options, bases: loadCostBases(deps.db, deps.clock)}, notes: pricing.notes};
}

/** The records of one kind, streamed from the journal. `pnl` needs the valuation (`options.pnl`). */
export function exportJournal(db: Db, kind: ExportKind, filter: ExportFilter = {}, options: {readonly pnl?: PnlExportOptions} = {}): ExportStream {
  const repo = new ExportRepo(db);
  switch (kind) {
    case 'fills':
      return {kind, columns: FILL_COLUMNS, rows: fills(repo, filter)};
    case 'orders':
      return {kind, columns: ORDER_COLUMNS, rows: orders(repo, filter)};
    case 'pnl':
      if (!options.pnl) throw new Error('export pnl needs the valuation options');
      return {kind, columns: PNL_COLUMNS, rows: pnl(repo, filter, options.pnl)};
    case 'balances':
      return {kind, columns: BALANCE_COLUMNS, rows: balances(repo, filter)};
  }
}
