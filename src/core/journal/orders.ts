/**
 * Orders, fills and plans in the journal: xarb's own view of what it asked
 * each venue to do and what the venues answered.
 *
 * Invariants (every write goes through this class, so they hold):
 * - An order is keyed by (venue, clientOrderId); it is inserted
 *   `pending_submit` before any network call (write-ahead rule).
 * - `unknown` means sent with no answer; only a lookup by clientOrderId on
 *   the venue resolves it (see core/execution/resolve.ts) - never a re-send.
 * - A terminal status (closed, canceled, expired) never goes back to a
 *   non-terminal one, and `filled` never decreases; only reconcile --fix
 *   may reopen a `canceled` order the venue shows open (venueWins). `rejected` may be
 *   overturned by the venue's truth (applyVenueOrder), because a lost answer
 *   can be mistaken for a refusal.
 * - Fills are keyed by (venue, symbol, trade id) - trade ids are unique per
 *   market only on some venues: recording the same trade twice is a no-op,
 *   so re-fetching never double counts.
 * - risk_daily_volume and risk_open_orders are exact aggregates of this
 *   table, updated in the same transaction as each order write.
 *
 * Methods join the caller's transaction when called inside db.tx (nested
 * calls become savepoints), so the risk check and the order insert commit
 * together.
 */
import {add, cmp, dec, div, fromUnits, isZero, max, mul, sub, toUnits} from '../money/decimal.js';
import type {ExecutionMode, Fee, OrderType, Side, Trade, VenueOrder} from '../types.js';
import type {Clock} from '../types.js';
import type {Db} from './db.js';
import {XarbError, ExitCode} from '../errors.js';

export type JournalOrderStatus = 'pending_submit' | 'unknown' | 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';
export type Origin = 'xarb' | 'external';

/** Statuses that count as open or in flight for risk limits. */
export const LIVE_STATUSES: readonly JournalOrderStatus[] = ['pending_submit', 'unknown', 'open'];
/** Statuses after which nothing more happens on the venue. */
export const FINAL_STATUSES: readonly JournalOrderStatus[] = ['closed', 'canceled', 'rejected', 'expired'];

export function isLiveStatus(status: JournalOrderStatus): boolean {
  return status === 'pending_submit' || status === 'unknown' || status === 'open';
}

export interface JournalOrder {
  /** Local row id (what `xarb orders` shows and `xarb cancel ID` takes). */
  readonly id: number;
  readonly venue: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string | undefined;
  readonly planId: string | undefined;
  /** Index of the child order within its plan. */
  readonly leg: number | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Decimal strings. */
  readonly amount: string;
  readonly price: string | undefined;
  /** Expected notional in the symbol's quote when the order was written. */
  readonly notional: string;
  readonly quote: string;
  readonly status: JournalOrderStatus;
  readonly filled: string;
  readonly average: string | undefined;
  /** Fees as reported on the order by the venue (fills carry their own). */
  readonly fees: readonly Fee[];
  readonly mode: ExecutionMode;
  readonly origin: Origin;
  readonly error: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewOrder {
  readonly venue: string;
  readonly clientOrderId: string;
  readonly planId?: string;
  readonly leg?: number;
  readonly symbol: string;
  readonly quote: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly amount: string;
  readonly price?: string;
  readonly notional: string;
  readonly mode: ExecutionMode;
  /** Default 'xarb'. Reconcile imports orders found only on the venue as 'external'. */
  readonly origin?: Origin;
  /** Default 'pending_submit'. */
  readonly status?: JournalOrderStatus;
  readonly venueOrderId?: string;
  readonly filled?: string;
  readonly average?: string;
  readonly createdAt?: number;
}

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

export interface OrderQuery {
  readonly venue?: string;
  readonly venues?: readonly string[];
  readonly symbol?: string;
  readonly statuses?: readonly JournalOrderStatus[];
  /** Only pending_submit, unknown and open. */
  readonly open?: boolean;
  readonly since?: number;
  readonly planId?: string;
  /** Newest first; default 1000. */
  readonly limit?: number;
}

export interface FillQuery {
  readonly venue?: string;
  readonly symbol?: string;
  readonly orderId?: number;
  readonly since?: number;
  readonly limit?: number;
}

/** Open and in-flight orders per venue/symbol/side, and today's traded notional. */
export interface UsageSnapshot {
  readonly day: string;
  readonly open: readonly {readonly venue: string; readonly symbol: string; readonly side: Side; readonly orders: number; readonly remaining: string}[];
  readonly dailyVolume: readonly {readonly venue: string; readonly symbol: string; readonly quote: string; readonly volume: string}[];
}

export type PlanKind = 'order' | 'arb' | 'rebalance';
export type PlanStatus = 'planned' | 'sending' | 'done' | 'partial' | 'failed' | 'denied' | 'unknown';

export interface PlanRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly kind: PlanKind;
  readonly intent: unknown;
  readonly plan: unknown;
  readonly status: PlanStatus;
}

export class DuplicateOrderError extends XarbError {
  readonly existing: JournalOrder;
  constructor(existing: JournalOrder) {
    super(`order ${existing.clientOrderId} on ${existing.venue} is already journalled (status ${existing.status})`, {
      exitCode: ExitCode.usage,
      hint: 'the same intent was already placed; see `xarb orders`',
    });
    this.existing = existing;
  }
}

interface OrderRow {
  id: number;
  venue: string;
  client_order_id: string;
  venue_order_id: string | null;
  plan_id: string | null;
  leg: number | null;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: string;
  price: string | null;
  notional: string;
  quote: string;
  status: JournalOrderStatus;
  filled: string;
  average: string | null;
  fees: string;
  mode: ExecutionMode;
  origin: Origin;
  error: string | null;
  volume_counted: string;
  created_at: number;
  updated_at: number;
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

const COLUMNS = 'id, venue, client_order_id, venue_order_id, plan_id, leg, symbol, side, type, amount, price, notional, quote, status, filled, average, fees, mode, origin, error, volume_counted, created_at, updated_at';

export function toOrder(row: OrderRow): JournalOrder {
  return {
    id: row.id,
    venue: row.venue,
    clientOrderId: row.client_order_id,
    venueOrderId: row.venue_order_id ?? undefined,
    planId: row.plan_id ?? undefined,
    leg: row.leg ?? undefined,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    amount: row.amount,
    price: row.price ?? undefined,
    notional: row.notional,
    quote: row.quote,
    status: row.status,
    filled: row.filled,
    average: row.average ?? undefined,
    fees: JSON.parse(row.fees) as Fee[],
    mode: row.mode,
    origin: row.origin,
    error: row.error ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
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

/** UTC calendar day (YYYY-MM-DD) of a timestamp; daily volume resets at 00:00 UTC. */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Quote notional actually executed by an order (exact where the venue gave an average or price). */
export function executedNotional(o: Pick<JournalOrder, 'filled' | 'average' | 'price' | 'amount' | 'notional'>): string {
  if (isZero(o.filled)) return '0';
  if (o.average !== undefined) return mul(o.filled, o.average);
  if (o.price !== undefined) return mul(o.filled, o.price);
  return div(mul(o.notional, o.filled), o.amount);
}

/** What an order adds to the daily volume: reserved notional while live, executed notional once final. */
function countedVolume(o: Pick<JournalOrder, 'status' | 'filled' | 'average' | 'price' | 'amount' | 'notional'>): string {
  if (o.status === 'rejected') return '0';
  const executed = executedNotional(o);
  return isLiveStatus(o.status) ? max(o.notional, executed) : executed;
}

function openContribution(o: Pick<JournalOrder, 'status' | 'amount' | 'filled'>): {orders: number; remaining: string} {
  if (!isLiveStatus(o.status)) return {orders: 0, remaining: '0'};
  const remaining = sub(o.amount, o.filled);
  return {orders: 1, remaining: cmp(remaining, 0) > 0 ? remaining : '0'};
}

export class OrdersRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  // ---- orders ----------------------------------------------------------------

  /**
   * Inserts an order (default `pending_submit`). Throws DuplicateOrderError
   * when (venue, clientOrderId) is already journalled: the same intent must
   * never be written, or sent, twice.
   */
  insert(order: NewOrder): JournalOrder {
    return this.db.tx(() => {
      const existing = this.byClientOrderId(order.venue, order.clientOrderId);
      if (existing) throw new DuplicateOrderError(existing);
      const now = order.createdAt ?? this.clock.now();
      const draft = {
        status: order.status ?? 'pending_submit',
        amount: dec(order.amount),
        filled: dec(order.filled ?? '0'),
        average: order.average === undefined ? undefined : dec(order.average),
        price: order.price === undefined ? undefined : dec(order.price),
        notional: dec(order.notional),
      } as const;
      const counted = countedVolume(draft);
      const info = this.db
        .prepare(
          `INSERT INTO orders (venue, client_order_id, venue_order_id, plan_id, leg, symbol, side, type, amount, price, notional, quote, status, filled, average, mode, origin, volume_counted, created_at, updated_at)
           VALUES (:venue, :cid, :vid, :plan, :leg, :symbol, :side, :type, :amount, :price, :notional, :quote, :status, :filled, :average, :mode, :origin, :counted, :now, :now)`,
        )
        .run({
          venue: order.venue,
          cid: order.clientOrderId,
          vid: order.venueOrderId ?? null,
          plan: order.planId ?? null,
          leg: order.leg ?? null,
          symbol: order.symbol,
          side: order.side,
          type: order.type,
          amount: draft.amount,
          price: draft.price ?? null,
          notional: draft.notional,
          quote: order.quote,
          status: draft.status,
          filled: draft.filled,
          average: draft.average ?? null,
          mode: order.mode,
          origin: order.origin ?? 'xarb',
          counted,
          now,
        });
      const row = this.getRow(Number(info.lastInsertRowid))!;
      this.applyUsage(undefined, row);
      return toOrder(row);
    });
  }

  get(id: number): JournalOrder | undefined {
    const row = this.getRow(id);
    return row ? toOrder(row) : undefined;
  }

  byClientOrderId(venue: string, clientOrderId: string): JournalOrder | undefined {
    const row = this.db.prepare<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE venue = ? AND client_order_id = ?`).get([venue, clientOrderId]);
    return row ? toOrder(row) : undefined;
  }

  byVenueOrderId(venue: string, venueOrderId: string): JournalOrder | undefined {
    const row = this.db.prepare<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE venue = ? AND venue_order_id = ? LIMIT 1`).get([venue, venueOrderId]);
    return row ? toOrder(row) : undefined;
  }

  /** Orders matching the query, newest first. */
  list(query: OrderQuery = {}): JournalOrder[] {
    const venues = query.venues ?? (query.venue ? [query.venue] : undefined);
    const statuses = query.statuses ?? (query.open ? LIVE_STATUSES : undefined);
    const rows = this.db
      .prepare<OrderRow>(
        `SELECT ${COLUMNS} FROM orders
         WHERE (:venues IS NULL OR venue IN (SELECT value FROM json_each(:venues)))
           AND (:statuses IS NULL OR status IN (SELECT value FROM json_each(:statuses)))
           AND (:symbol IS NULL OR symbol = :symbol)
           AND (:plan IS NULL OR plan_id = :plan)
           AND created_at >= :since
         ORDER BY id DESC LIMIT :limit`,
      )
      .all({
        venues: venues ? JSON.stringify(venues) : null,
        statuses: statuses ? JSON.stringify(statuses) : null,
        symbol: query.symbol ?? null,
        plan: query.planId ?? null,
        since: query.since ?? 0,
        limit: query.limit ?? 1000,
      });
    return rows.map(toOrder);
  }

  /** Orders sent or about to be sent whose outcome is not known yet (pending_submit, unknown). */
  inFlight(venue?: string): JournalOrder[] {
    return this.list({venue, statuses: ['pending_submit', 'unknown'], limit: 100_000});
  }

  /** Marks an order `unknown`: it may have reached the venue. Resolve it by clientOrderId, never by re-sending. */
  markUnknown(id: number, error: string): JournalOrder {
    return this.update(id, (o) => (o.status === 'pending_submit' ? {status: 'unknown', error} : {error}));
  }

  /** Marks an order `rejected` (the venue definitely refused it, or it never reached the venue). */
  markRejected(id: number, error: string): JournalOrder {
    return this.update(id, (o) => (isLiveStatus(o.status) ? {status: 'rejected', error} : {error}));
  }

  /** Sets a status directly (e.g. canceled after a cancel with no order body). Respects the terminal rule. */
  setStatus(id: number, status: JournalOrderStatus, error?: string): JournalOrder {
    return this.update(id, (o) => (isLiveStatus(o.status) || o.status === 'rejected' || !isLiveStatus(status) ? {status, error} : {error}));
  }

  /**
   * Brings an order in line with the venue's answer (the venue is the truth):
   * venue order id, status, filled, average, fees. A stale answer never
   * moves a final order back to open, nor lowers `filled` - except with
   * `venueWins` (reconcile --fix, working from fresh venue lists), where a
   * `canceled` the journal concluded (e.g. "not found on the venue") gives
   * way to the venue showing the order open.
   */
  applyVenueOrder(id: number, venueOrder: VenueOrder, options: {readonly venueWins?: boolean} = {}): JournalOrder {
    return this.update(id, (o) => {
      const final = o.status === 'closed' || o.status === 'canceled' || o.status === 'expired';
      const overturn = options.venueWins === true && o.status === 'canceled';
      const stale = final && !overturn && venueOrder.status === 'open';
      const filled = cmp(venueOrder.filled, o.filled) >= 0 ? dec(venueOrder.filled) : o.filled;
      return {
        venueOrderId: venueOrder.id || o.venueOrderId,
        status: stale ? o.status : venueOrder.status,
        filled,
        average: venueOrder.average !== undefined ? dec(venueOrder.average) : o.average,
        fees: venueOrder.fees.length > 0 ? venueOrder.fees : o.fees,
        error: venueOrder.status === 'rejected' ? (o.error ?? 'rejected by the venue') : o.status === 'rejected' ? undefined : o.error,
      };
    });
  }

  // ---- fills -----------------------------------------------------------------

  /**
   * Records trades reported by a venue. Each trade is keyed by (venue,
   * symbol, trade id); already-recorded trades are skipped. Trades are linked to the
   * journalled order by venue order id or clientOrderId when one matches,
   * unless `orderId` is given. Returns the number of new fills.
   */
  recordFills(venue: string, trades: readonly Trade[], options: {orderId?: number; origin?: Origin} = {}): number {
    if (trades.length === 0) return 0;
    return this.db.tx(() => {
      let inserted = 0;
      const insert = this.db.prepare(
        `INSERT INTO fills (venue, trade_id, order_id, venue_order_id, client_order_id, symbol, side, price, amount, fee_cost, fee_currency, taker_or_maker, ts, origin)
         VALUES (:venue, :tid, :oid, :vid, :cid, :symbol, :side, :price, :amount, :feeCost, :feeCurrency, :tm, :ts, :origin)
         ON CONFLICT (venue, symbol, trade_id) DO NOTHING`,
      );
      for (const trade of trades) {
        let orderId = options.orderId;
        if (orderId === undefined) {
          const owner =
            (trade.orderId ? this.byVenueOrderId(venue, trade.orderId) : undefined) ?? (trade.clientOrderId ? this.byClientOrderId(venue, trade.clientOrderId) : undefined);
          orderId = owner?.id;
        }
        const info = insert.run({
          venue,
          tid: trade.id,
          oid: orderId ?? null,
          vid: trade.orderId || null,
          cid: trade.clientOrderId ?? null,
          symbol: trade.symbol,
          side: trade.side,
          price: dec(trade.price),
          amount: dec(trade.amount),
          feeCost: trade.fee ? dec(trade.fee.cost) : null,
          feeCurrency: trade.fee?.currency ?? null,
          tm: trade.takerOrMaker ?? null,
          ts: trade.timestamp,
          origin: options.origin ?? (orderId === undefined ? 'external' : 'xarb'),
        });
        inserted += info.changes;
      }
      return inserted;
    });
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

  // ---- risk usage ------------------------------------------------------------

  /** Open/in-flight orders and the daily volume of `day` (default today, UTC). A few rows, however many orders exist. */
  usage(day: string = utcDay(this.clock.now())): UsageSnapshot {
    const open = this.db
      .prepare<{venue: string; symbol: string; side: Side; orders: number; remaining: string}>('SELECT venue, symbol, side, orders, remaining FROM risk_open_orders WHERE orders > 0')
      .all();
    const dailyVolume = this.db.prepare<{venue: string; symbol: string; quote: string; volume: string}>('SELECT venue, symbol, quote, volume FROM risk_daily_volume WHERE day = ?').all([day]);
    return {day, open, dailyVolume};
  }

  /** Recomputes the usage aggregates from the orders table (after bulk imports, or to verify them). */
  rebuildUsage(): void {
    this.db.tx(() => {
      this.db.exec('DELETE FROM risk_open_orders; DELETE FROM risk_daily_volume;');
      const setCounted = this.db.prepare('UPDATE orders SET volume_counted = ? WHERE id = ?');
      const acc = new UsageAccumulator();
      for (const row of this.db.prepare<OrderRow>(`SELECT ${COLUMNS} FROM orders`).all()) {
        const counted = countedVolume(toOrder(row));
        if (counted !== row.volume_counted) setCounted.run([counted, row.id]);
        acc.add(undefined, {...row, volume_counted: counted});
      }
      acc.flush(this.db);
    });
  }

  /**
   * Writes many orders, each with its fills, in one transaction - the fast
   * path for imports (reconcile) and bulk journalling. Orders already
   * journalled (same venue and clientOrderId) are skipped, their fills still
   * recorded (keyed by trade id). Aggregates are updated once per batch.
   * Returns how many orders and fills were new.
   */
  insertBatch(entries: readonly {readonly order: NewOrder; readonly fills?: readonly Trade[]}[]): {orders: number; fills: number} {
    return this.db.tx(() => {
      const acc = new UsageAccumulator();
      const insertOrder = this.db.prepare<{id: number}>(
        `INSERT INTO orders (venue, client_order_id, venue_order_id, plan_id, leg, symbol, side, type, amount, price, notional, quote, status, filled, average, fees, mode, origin, volume_counted, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)
         ON CONFLICT (venue, client_order_id) DO NOTHING
         RETURNING id`,
      );
      const insertFill = this.db.prepare(
        `INSERT INTO fills (venue, trade_id, order_id, venue_order_id, client_order_id, symbol, side, price, amount, fee_cost, fee_currency, taker_or_maker, ts, origin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (venue, symbol, trade_id) DO NOTHING`,
      );
      let orders = 0;
      let fills = 0;
      const now = this.clock.now();
      for (const {order, fills: trades} of entries) {
        const draft = {
          status: order.status ?? 'pending_submit',
          amount: dec(order.amount),
          filled: dec(order.filled ?? '0'),
          average: order.average === undefined ? undefined : dec(order.average),
          price: order.price === undefined ? undefined : dec(order.price),
          notional: dec(order.notional),
        } as const;
        const counted = countedVolume(draft);
        const created = order.createdAt ?? now;
        const row = insertOrder.get([
          order.venue,
          order.clientOrderId,
          order.venueOrderId ?? null,
          order.planId ?? null,
          order.leg ?? null,
          order.symbol,
          order.side,
          order.type,
          draft.amount,
          draft.price ?? null,
          draft.notional,
          order.quote,
          draft.status,
          draft.filled,
          draft.average ?? null,
          order.mode,
          order.origin ?? 'xarb',
          counted,
          created,
          created,
        ]);
        let orderId: number | undefined;
        if (row) {
          orders++;
          orderId = row.id;
          acc.add(undefined, {venue: order.venue, symbol: order.symbol, side: order.side, quote: order.quote, status: draft.status, amount: draft.amount, filled: draft.filled, volume_counted: counted, created_at: created});
        } else orderId = this.byClientOrderId(order.venue, order.clientOrderId)?.id;
        for (const t of trades ?? []) {
          fills += insertFill.run([
            order.venue,
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
            order.origin ?? 'xarb',
          ]).changes;
        }
      }
      acc.flush(this.db);
      return {orders, fills};
    });
  }

  // ---- plans -----------------------------------------------------------------

  insertPlan(plan: Omit<PlanRecord, 'createdAt'> & {createdAt?: number}): PlanRecord {
    const createdAt = plan.createdAt ?? this.clock.now();
    this.db
      .prepare('INSERT INTO plans (id, created_at, kind, intent, plan, status) VALUES (?, ?, ?, ?, ?, ?)')
      .run([plan.id, createdAt, plan.kind, JSON.stringify(plan.intent), JSON.stringify(plan.plan), plan.status]);
    return {...plan, createdAt};
  }

  getPlan(id: string): PlanRecord | undefined {
    const row = this.db.prepare<{id: string; created_at: number; kind: PlanKind; intent: string; plan: string; status: PlanStatus}>('SELECT * FROM plans WHERE id = ?').get([id]);
    return row ? {id: row.id, createdAt: row.created_at, kind: row.kind, intent: JSON.parse(row.intent), plan: JSON.parse(row.plan), status: row.status} : undefined;
  }

  /** Ids of the plans placed with this user key (`--client-id`, stored as the intent's `clientId`), oldest first. */
  plansByClientId(clientId: string): string[] {
    return this.db
      .prepare<{id: string}>("SELECT id FROM plans WHERE json_extract(intent, '$.clientId') = ? ORDER BY created_at, id")
      .all([clientId])
      .map((r) => r.id);
  }

  setPlanStatus(id: string, status: PlanStatus): void {
    this.db.prepare('UPDATE plans SET status = ? WHERE id = ?').run([status, id]);
  }

  // ---- internals -------------------------------------------------------------

  private getRow(id: number): OrderRow | undefined {
    return this.db.prepare<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ?`).get([id]);
  }

  private update(id: number, change: (o: JournalOrder) => Partial<Omit<JournalOrder, 'id'>>): JournalOrder {
    return this.db.tx(() => {
      const before = this.getRow(id);
      if (!before) throw new XarbError(`no journalled order with id ${id}`, {exitCode: ExitCode.usage, hint: 'see `xarb orders`'});
      const current = toOrder(before);
      const next = {...current, ...change(current)};
      const counted = countedVolume(next);
      this.db
        .prepare(
          `UPDATE orders SET venue_order_id = :vid, status = :status, filled = :filled, average = :average, fees = :fees, error = :error,
             volume_counted = :counted, updated_at = :now WHERE id = :id`,
        )
        .run({
          id,
          vid: next.venueOrderId ?? null,
          status: next.status,
          filled: next.filled,
          average: next.average ?? null,
          fees: JSON.stringify(next.fees),
          error: next.error ?? null,
          counted,
          now: this.clock.now(),
        });
      const after = this.getRow(id)!;
      this.applyUsage(before, after);
      return toOrder(after);
    });
  }

  /** Moves the aggregates from `before`'s contribution to `after`'s. */
  private applyUsage(before: OrderRow | undefined, after: OrderRow): void {
    const acc = new UsageAccumulator();
    acc.add(before, after);
    acc.flush(this.db);
  }
}

type UsageRow = Pick<OrderRow, 'venue' | 'symbol' | 'side' | 'quote' | 'status' | 'amount' | 'filled' | 'volume_counted' | 'created_at'>;

/** Collects aggregate deltas in memory (exact, in decimal units) and writes each touched row once. */
class UsageAccumulator {
  private readonly open = new Map<string, {venue: string; symbol: string; side: Side; orders: number; remaining: bigint}>();
  private readonly volume = new Map<string, {day: string; venue: string; symbol: string; quote: string; volume: bigint}>();

  add(before: UsageRow | undefined, after: UsageRow): void {
    const was = before ? openContribution(toOrderLite(before)) : {orders: 0, remaining: '0'};
    const now = openContribution(toOrderLite(after));
    const dOrders = now.orders - was.orders;
    const dRemaining = toUnits(now.remaining) - toUnits(was.remaining);
    if (dOrders !== 0 || dRemaining !== 0n) {
      const key = `${after.venue}\u0000${after.symbol}\u0000${after.side}`;
      const e = this.open.get(key) ?? {venue: after.venue, symbol: after.symbol, side: after.side, orders: 0, remaining: 0n};
      e.orders += dOrders;
      e.remaining += dRemaining;
      this.open.set(key, e);
    }
    const dVolume = toUnits(after.volume_counted) - toUnits(before?.volume_counted ?? '0');
    if (dVolume !== 0n) {
      const day = utcDay(after.created_at);
      const key = `${day}\u0000${after.venue}\u0000${after.symbol}`;
      const e = this.volume.get(key) ?? {day, venue: after.venue, symbol: after.symbol, quote: after.quote, volume: 0n};
      e.volume += dVolume;
      this.volume.set(key, e);
    }
  }

  flush(db: Db): void {
    const readOpen = db.prepare<{orders: number; remaining: string}>('SELECT orders, remaining FROM risk_open_orders WHERE venue = ? AND symbol = ? AND side = ?');
    const writeOpen = db.prepare(
      `INSERT INTO risk_open_orders (venue, symbol, side, orders, remaining) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (venue, symbol, side) DO UPDATE SET orders = excluded.orders, remaining = excluded.remaining`,
    );
    for (const e of this.open.values()) {
      if (e.orders === 0 && e.remaining === 0n) continue;
      const current = readOpen.get([e.venue, e.symbol, e.side]);
      writeOpen.run([e.venue, e.symbol, e.side, (current?.orders ?? 0) + e.orders, fromUnits(toUnits(current?.remaining ?? '0') + e.remaining)]);
    }
    const readVolume = db.prepare<{volume: string}>('SELECT volume FROM risk_daily_volume WHERE day = ? AND venue = ? AND symbol = ?');
    const writeVolume = db.prepare(
      `INSERT INTO risk_daily_volume (day, venue, symbol, quote, volume) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (day, venue, symbol) DO UPDATE SET volume = excluded.volume`,
    );
    for (const e of this.volume.values()) {
      if (e.volume === 0n) continue;
      const current = readVolume.get([e.day, e.venue, e.symbol]);
      writeVolume.run([e.day, e.venue, e.symbol, e.quote, fromUnits(toUnits(current?.volume ?? '0') + e.volume)]);
    }
    this.open.clear();
    this.volume.clear();
  }
}

function toOrderLite(row: UsageRow): Pick<JournalOrder, 'status' | 'amount' | 'filled'> {
  return {status: row.status, amount: row.amount, filled: row.filled};
}
