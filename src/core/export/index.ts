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
 *   from the start (average cost per symbol, as `xarb pnl` does) so positions
 *   are right, and emits the rows inside [since, until].
 */
import {abs, add, dec, div, isZero, mul, roundToStep} from '../money/decimal.js';
import {applyTrade} from '../portfolio/pnl.js';
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
const PNL_COLUMNS = ['time', 'venue', 'symbol', 'side', 'amount', 'price', 'fee', 'fee_currency', 'fee_in_quote', 'realized', 'position', 'average_entry', 'quote', 'trade_id'];
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

function* pnl(repo: ExportRepo, filter: ExportFilter): Generator<ExportRecord> {
  const books = new Map<string, {qty: string; cost: string}>();
  const since = filter.since ?? 0;
  for (const f of repo.fills({venues: filter.venues, until: filter.until})) {
    const {base, quote} = split(f.symbol);
    let book = books.get(f.symbol);
    if (!book) books.set(f.symbol, (book = {qty: '0', cost: '0'}));
    let realized = applyTrade(book, f.side, f.amount, f.price);
    let feeInQuote: string | null = null;
    if (f.fee && !isZero(f.fee.cost)) {
      if (f.fee.currency === quote) feeInQuote = dec(f.fee.cost);
      else if (f.fee.currency === base) {
        // As `xarb pnl`: fee units leave the position as if sold at the fill price.
        realized = add(realized, applyTrade(book, 'sell', f.fee.cost, f.price));
        feeInQuote = mul(f.fee.cost, f.price);
      }
    } else if (f.fee) feeInQuote = '0';
    if (f.ts < since) continue;
    yield {
      time: iso(f.ts),
      venue: f.venue,
      symbol: f.symbol,
      side: f.side,
      amount: f.amount,
      price: f.price,
      fee: f.fee?.cost ?? null,
      fee_currency: f.fee?.currency ?? null,
      fee_in_quote: feeInQuote,
      realized,
      position: book.qty,
      // Average cost per unit of the open position (8 decimals); empty when flat.
      average_entry: isZero(book.qty) ? null : roundToStep(div(book.cost, abs(book.qty)), '0.00000001', 'nearest'),
      quote,
      trade_id: f.tradeId,
    };
  }
}

function* balances(repo: ExportRepo, filter: ExportFilter): Generator<ExportRecord> {
  for (const b of repo.balances(filter)) {
    yield {time: iso(b.ts), venue: b.venue, asset: b.asset, free: b.free, used: b.used, total: b.total, value: b.value ?? null, quote: b.quote, run_id: String(b.runId)};
  }
}

/** The records of one kind, streamed from the journal. */
export function exportJournal(db: Db, kind: ExportKind, filter: ExportFilter = {}): ExportStream {
  const repo = new ExportRepo(db);
  switch (kind) {
    case 'fills':
      return {kind, columns: FILL_COLUMNS, rows: fills(repo, filter)};
    case 'orders':
      return {kind, columns: ORDER_COLUMNS, rows: orders(repo, filter)};
    case 'pnl':
      return {kind, columns: PNL_COLUMNS, rows: pnl(repo, filter)};
    case 'balances':
      return {kind, columns: BALANCE_COLUMNS, rows: balances(repo, filter)};
  }
}
