/**
 * Fills in the journal: the trades each venue reported, keyed by (venue,
 * symbol, trade id) - trade ids are unique per market only on some venues.
 * Recording the same trade twice is a no-op, so re-fetching never double
 * counts. Methods join the caller's transaction (db.tx nests as savepoints).
 *
 * The repository speaks only domain values (no statements or rows leave
 * it) and writes in batches, so another store can implement the same
 * methods.
 */
import {add, dec, mul} from '../money/decimal.js';
import type {Fee, Side, Trade} from '../types.js';
import type {Db} from './db.js';
import type {Origin} from './order-status.js';

export interface JournalFill {
  readonly venue: string;
  readonly tradeId: string;
  /** Local order row id, when the fill belongs to a journalled order. */
  readonly orderId: number | undefined;
  readonly venueOrderId: string | undefined;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly price: string;
  readonly amount: string;
  readonly fee: Fee | undefined;
  readonly takerOrMaker: 'taker' | 'maker' | undefined;
  readonly ts: number;
  readonly origin: Origin;
}

export interface FillQuery {
  readonly venue?: string;
  readonly symbol?: string;
  readonly orderId?: number;
  readonly since?: number;
  readonly limit?: number;
}

interface FillRow {
  venue: string;
  trade_id: string;
  order_id: number | null;
  venue_order_id: string | null;
  client_order_id: string | null;
  symbol: string;
  side: Side;
  price: string;
  amount: string;
  fee_cost: string | null;
  fee_currency: string | null;
  taker_or_maker: 'taker' | 'maker' | null;
  ts: number;
  origin: Origin;
}

export function toFill(row: FillRow): JournalFill {
  return {
    venue: row.venue,
    tradeId: row.trade_id,
    orderId: row.order_id ?? undefined,
    venueOrderId: row.venue_order_id ?? undefined,
    clientOrderId: row.client_order_id ?? undefined,
    symbol: row.symbol,
    side: row.side,
    price: row.price,
    amount: row.amount,
    fee: row.fee_cost !== null && row.fee_currency !== null ? {cost: row.fee_cost, currency: row.fee_currency} : undefined,
    takerOrMaker: row.taker_or_maker ?? undefined,
    ts: row.ts,
    origin: row.origin,
  };
}

/** A trade to record, with the journalled order it belongs to when known. */
export interface NewFill {
  readonly venue: string;
  readonly trade: Trade;
  readonly orderId: number | undefined;
  readonly origin: Origin;
}

/** The columns fillValues gives, in order. */
const FILL_COLUMNS = ['venue', 'trade_id', 'order_id', 'venue_order_id', 'client_order_id', 'symbol', 'side', 'price', 'amount', 'fee_cost', 'fee_currency', 'taker_or_maker', 'ts', 'origin'];

function fillValues({venue, trade: t, orderId, origin}: NewFill): (string | number | null)[] {
  return [
    venue,
    t.id,
    orderId ?? null,
    t.orderId || null,
    t.clientOrderId ?? null,
    t.symbol,
    t.side,
    dec(t.price),
    dec(t.amount),
    t.fee ? dec(t.fee.cost) : null,
    t.fee?.currency ?? null,
    t.takerOrMaker ?? null,
    t.timestamp,
    origin,
  ];
}

export class FillsRepo {
  constructor(private readonly db: Db) {}

  /** Records trades in one transaction; returns how many were new. */
  insertBatch(fills: readonly NewFill[]): number {
    if (fills.length === 0) return 0;
    return this.db.tx(() => this.write(fills));
  }

  /**
   * The write of insertBatch, for a caller already inside a transaction (no
   * savepoint per call): one Db.insertMany (on PostgreSQL one COPY for the
   * lot, in one round trip).
   */
  write(fills: readonly NewFill[]): number {
    return this.db.insertMany('fills', FILL_COLUMNS, ['venue', 'symbol', 'trade_id'], fills.map(fillValues));
  }

  fills(query: FillQuery = {}): JournalFill[] {
    const rows = this.db
      .prepare<FillRow>(
        `SELECT * FROM fills
         WHERE (:venue IS NULL OR venue = :venue) AND (:symbol IS NULL OR symbol = :symbol)
           AND (:orderId IS NULL OR order_id = :orderId) AND ts >= :since
         ORDER BY ts DESC, symbol, trade_id LIMIT :limit`,
      )
      .all({venue: query.venue ?? null, symbol: query.symbol ?? null, orderId: query.orderId ?? null, since: query.since ?? 0, limit: query.limit ?? 100_000});
    return rows.map(toFill);
  }

  /** Sum of recorded fill amounts and fees of one order. */
  fillTotals(orderId: number): {amount: string; cost: string; fees: Fee[]} {
    const fills = this.fills({orderId});
    let amount = '0';
    let cost = '0';
    const fees = new Map<string, string>();
    for (const f of fills) {
      amount = add(amount, f.amount);
      cost = add(cost, mul(f.amount, f.price));
      if (f.fee) fees.set(f.fee.currency, add(fees.get(f.fee.currency) ?? '0', f.fee.cost));
    }
    return {amount, cost, fees: [...fees].map(([currency, c]) => ({cost: c, currency}))};
  }

}
