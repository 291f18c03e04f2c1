/**
 * The venue side of paper trading: what a paper venue "holds" - balances,
 * its orders and its trades - stored in the journal so every CLI process
 * sees the same paper account. This is deliberately separate from the
 * journal's own orders/fills (xarb's view), so reconcile compares two
 * independent states exactly as it does for a live venue.
 *
 * Invariants: free and used never go negative (the account engine checks
 * funds before moving them, inside one transaction); order ids are `P<seq>`
 * per venue; a clientOrderId is unique per venue; trades list in the order
 * they were booked.
 */
import {add, cmp, dec, sub} from '../money/decimal.js';
import type {Balance, OrderType, Side, Trade, VenueOrderStatus} from '../types.js';
import type {Db} from './db.js';

export interface PaperOrderRow {
  readonly venue: string;
  readonly id: string;
  readonly seq: number;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly amount: string;
  readonly price: string | undefined;
  readonly status: VenueOrderStatus;
  readonly filled: string;
  /** Quote spent/received before fees. */
  readonly cost: string;
  readonly feeCost: string;
  readonly feeCurrency: string;
  readonly feeRate: string;
  /** Funds held in `used` for the resting remainder (quote for buys, base for sells). */
  readonly reserved: string;
  /** Timestamp of the last book the resting remainder was matched against. */
  readonly sweptAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface Row {
  venue: string;
  id: string;
  seq: number;
  client_order_id: string | null;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: string;
  price: string | null;
  status: VenueOrderStatus;
  filled: string;
  cost: string;
  fee_cost: string;
  fee_currency: string;
  fee_rate: string;
  reserved: string;
  swept_at: number;
  created_at: number;
  updated_at: number;
}

interface TradeRow {
  venue: string;
  id: string;
  order_id: string;
  client_order_id: string | null;
  symbol: string;
  side: Side;
  price: string;
  amount: string;
  fee_cost: string;
  fee_currency: string;
  taker_or_maker: 'taker' | 'maker';
  ts: number;
}

function toRow(r: Row): PaperOrderRow {
  return {
    venue: r.venue,
    id: r.id,
    seq: r.seq,
    clientOrderId: r.client_order_id ?? undefined,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    amount: r.amount,
    price: r.price ?? undefined,
    status: r.status,
    filled: r.filled,
    cost: r.cost,
    feeCost: r.fee_cost,
    feeCurrency: r.fee_currency,
    feeRate: r.fee_rate,
    reserved: r.reserved,
    sweptAt: r.swept_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toTrade(r: TradeRow): Trade {
  return {
    id: r.id,
    orderId: r.order_id,
    clientOrderId: r.client_order_id ?? undefined,
    symbol: r.symbol,
    side: r.side,
    price: r.price,
    amount: r.amount,
    fee: {cost: r.fee_cost, currency: r.fee_currency},
    takerOrMaker: r.taker_or_maker,
    timestamp: r.ts,
  };
}

export class PaperRepo {
  constructor(private readonly db: Db) {}

  // ---- balances --------------------------------------------------------------

  hasBalances(venue: string): boolean {
    return this.db.prepare('SELECT 1 AS one FROM paper_balances WHERE venue = ? LIMIT 1').get([venue]) !== undefined;
  }

  /** Seeds starting balances once: only when the venue has no balance rows yet. Returns true when it seeded. */
  seed(venue: string, balances: Readonly<Record<string, string>>): boolean {
    return this.db.tx(() => {
      if (this.hasBalances(venue)) return false;
      const insert = this.db.prepare('INSERT INTO paper_balances (venue, asset, free, used) VALUES (?, ?, ?, ?)');
      for (const [asset, amount] of Object.entries(balances)) insert.run([venue, asset, dec(amount), '0']);
      return true;
    });
  }

  balances(venue: string): Balance[] {
    return this.db
      .prepare<{asset: string; free: string; used: string}>('SELECT asset, free, used FROM paper_balances WHERE venue = ? ORDER BY asset')
      .all([venue])
      .map((r) => ({asset: r.asset, free: r.free, used: r.used, total: add(r.free, r.used)}));
  }

  balance(venue: string, asset: string): {free: string; used: string} {
    const row = this.db.prepare<{free: string; used: string}>('SELECT free, used FROM paper_balances WHERE venue = ? AND asset = ?').get([venue, asset]);
    return row ?? {free: '0', used: '0'};
  }

  /** Adds (or with negative deltas, removes) free/used funds. Callers check funds first; a negative result throws. */
  move(venue: string, asset: string, freeDelta: string, usedDelta = '0'): void {
    const current = this.balance(venue, asset);
    const free = add(current.free, freeDelta);
    const used = add(current.used, usedDelta);
    if (cmp(free, 0) < 0 || cmp(used, 0) < 0) throw new RangeError(`paper balance of ${asset} on ${venue} would go negative (free ${free}, used ${used})`);
    this.put(venue, asset, free, used);
  }

  /** Writes an asset's free and used funds as they are given (the account engine has checked them). */
  put(venue: string, asset: string, free: string, used: string): void {
    this.db
      .prepare('INSERT INTO paper_balances (venue, asset, free, used) VALUES (?, ?, ?, ?) ON CONFLICT (venue, asset) DO UPDATE SET free = excluded.free, used = excluded.used')
      .run([venue, asset, free, used]);
  }

  /** Sets an asset's free balance (paper transfers and tests). */
  setFree(venue: string, asset: string, free: string): void {
    const current = this.balance(venue, asset);
    this.move(venue, asset, sub(free, current.free));
  }

  // ---- orders ----------------------------------------------------------------

  nextSeq(venue: string): number {
    const row = this.db.prepare<{seq: number | null}>('SELECT MAX(seq) AS seq FROM paper_orders WHERE venue = ?').get([venue]);
    return (row?.seq ?? 0) + 1;
  }

  insertOrder(o: PaperOrderRow): void {
    this.db
      .prepare(
        `INSERT INTO paper_orders (venue, id, seq, client_order_id, symbol, side, type, amount, price, status, filled, cost, fee_cost, fee_currency, fee_rate, reserved, swept_at, created_at, updated_at)
         VALUES (:venue, :id, :seq, :cid, :symbol, :side, :type, :amount, :price, :status, :filled, :cost, :feeCost, :feeCurrency, :feeRate, :reserved, :sweptAt, :createdAt, :updatedAt)`,
      )
      .run({
        venue: o.venue,
        id: o.id,
        seq: o.seq,
        cid: o.clientOrderId ?? null,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        amount: o.amount,
        price: o.price ?? null,
        status: o.status,
        filled: o.filled,
        cost: o.cost,
        feeCost: o.feeCost,
        feeCurrency: o.feeCurrency,
        feeRate: o.feeRate,
        reserved: o.reserved,
        sweptAt: o.sweptAt,
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
      });
  }

  updateOrder(o: PaperOrderRow): void {
    this.db
      .prepare('UPDATE paper_orders SET status = ?, filled = ?, cost = ?, fee_cost = ?, reserved = ?, swept_at = ?, updated_at = ? WHERE venue = ? AND id = ?')
      .run([o.status, o.filled, o.cost, o.feeCost, o.reserved, o.sweptAt, o.updatedAt, o.venue, o.id]);
  }

  order(venue: string, ref: {id?: string; clientOrderId?: string}): PaperOrderRow | undefined {
    if (ref.id !== undefined) {
      const row = this.db.prepare<Row>('SELECT * FROM paper_orders WHERE venue = ? AND id = ?').get([venue, ref.id]);
      return row ? toRow(row) : undefined;
    }
    if (ref.clientOrderId !== undefined) {
      const row = this.db.prepare<Row>('SELECT * FROM paper_orders WHERE venue = ? AND client_order_id = ?').get([venue, ref.clientOrderId]);
      return row ? toRow(row) : undefined;
    }
    return undefined;
  }

  orders(venue: string, options: {open?: boolean; closed?: boolean; symbol?: string; since?: number} = {}): PaperOrderRow[] {
    const status = options.open ? 'open' : options.closed ? 'closed-ish' : 'any';
    return this.db
      .prepare<Row>(
        `SELECT * FROM paper_orders WHERE venue = :venue
           AND (:status = 'any' OR (:status = 'open' AND status = 'open') OR (:status = 'closed-ish' AND status <> 'open'))
           AND (:symbol IS NULL OR symbol = :symbol) AND created_at >= :since
         ORDER BY seq`,
      )
      .all({venue, status, symbol: options.symbol ?? null, since: options.since ?? 0})
      .map(toRow);
  }

  // ---- trades ----------------------------------------------------------------

  insertTrade(venue: string, trade: Trade): void {
    this.db
      .prepare(
        `INSERT INTO paper_trades (venue, id, order_id, client_order_id, symbol, side, price, amount, fee_cost, fee_currency, taker_or_maker, ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run([
        venue,
        trade.id,
        trade.orderId,
        trade.clientOrderId ?? null,
        trade.symbol,
        trade.side,
        trade.price,
        trade.amount,
        trade.fee?.cost ?? '0',
        trade.fee?.currency ?? '',
        trade.takerOrMaker ?? 'taker',
        trade.timestamp,
      ]);
  }

  trades(venue: string, options: {symbol?: string; since?: number; orderId?: string} = {}): Trade[] {
    return this.db
      .prepare<TradeRow>(
        `SELECT * FROM paper_trades WHERE venue = :venue AND (:symbol IS NULL OR symbol = :symbol)
           AND (:orderId IS NULL OR order_id = :orderId) AND ts >= :since ORDER BY ts, rowid`,
      )
      .all({venue, symbol: options.symbol ?? null, orderId: options.orderId ?? null, since: options.since ?? 0})
      .map(toTrade);
  }
}
