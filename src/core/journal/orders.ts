/**
 * Orders in the journal: xarb's own view of what it asked each venue to do
 * and what the venues answered. Fills (fills.ts), plans (plans.ts) and the
 * risk usage aggregates (risk-usage.ts) have their own repositories;
 * OrdersRepo keeps thin delegating methods for them so existing callers
 * need not change.
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
 * - risk_daily_volume and risk_open_orders are exact aggregates of this
 *   table, moved by RiskUsageRepo.apply in the same transaction as each
 *   order write; a single order insert is a batch of one.
 *
 * Methods join the caller's transaction when called inside db.tx (nested
 * calls become savepoints), so the risk check and the order insert commit
 * together.
 */
import {cmp, dec} from '../money/decimal.js';
import type {ExecutionMode, Fee, OrderType, Side, Trade, VenueOrder} from '../types.js';
import type {Clock} from '../types.js';
import type {Db, SqlValue, TxOptions} from './db.js';
import {XarbError, ExitCode} from '../errors.js';
import {FillsRepo, type FillQuery, type JournalFill, type NewFill} from './fills.js';
import {isLiveStatus, LIVE_STATUSES, type JournalOrderStatus, type Origin} from './order-status.js';
import {PlansRepo, type PlanRecord, type PlanStatus} from './plans.js';
import {countedVolume, RiskUsageRepo, utcDay, type UsageRow, type UsageSnapshot} from './risk-usage.js';

export {FINAL_STATUSES, isLiveStatus, LIVE_STATUSES, type JournalOrderStatus, type Origin} from './order-status.js';
export type {FillQuery, JournalFill} from './fills.js';
export type {PlanKind, PlanRecord, PlanStatus} from './plans.js';
export {executedNotional, utcDay, type UsageSnapshot} from './risk-usage.js';

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

const COLUMNS = 'id, venue, client_order_id, venue_order_id, plan_id, leg, symbol, side, type, amount, price, notional, quote, status, filled, average, fees, mode, origin, error, volume_counted, created_at, updated_at';
const GET_ROW = `SELECT ${COLUMNS} FROM orders WHERE id = ?`;
/** PostgreSQL: the row read and locked until the transaction ends (a change on another host waits for it). */
const LOCK_ROW = `${GET_ROW} FOR UPDATE`;
/** An order's status change: the columns it sets. */
const SET_STATUS = `UPDATE orders SET venue_order_id = :vid, status = :status, filled = :filled, average = :average, fees = :fees, error = :error,
             volume_counted = :counted, updated_at = :now WHERE id = :id`;
/**
 * PostgreSQL (Db.assuming): the same change, made only if every column a
 * change reads or the usage aggregates depend on is as assumed, else
 * failing with ASSUMPTION_FAILED. The others (venue, symbol, side, type,
 * amount, price, notional, quote, created_at...) are written once, by the
 * insert: a writer that changes one must add it here. Like
 * FOR UPDATE, the UPDATE waits for a change another host is making, then
 * compares with the row as that change left it.
 */
const SET_STATUS_ASSUMED = `WITH changed AS (
  ${SET_STATUS}
    AND status = :was_status AND filled = :was_filled AND volume_counted = :was_counted AND fees = :was_fees
    AND venue_order_id IS NOT DISTINCT FROM :was_vid AND average IS NOT DISTINCT FROM :was_average AND error IS NOT DISTINCT FROM :was_error
  RETURNING id)
SELECT xarb_expect(count(*) = 1, :what) AS ok FROM changed`;

/**
 * How a status change finds the order as it is: by reading its row (the
 * default), or, with `assumed`, the order as the caller last read or
 * wrote it. On PostgreSQL an assumed row spares the read's round trip; a
 * wrong assumption fails the attempt and the change runs again reading
 * the row (see Db.assuming). SQLite always reads.
 */
export interface StatusChangeOptions {
  readonly assumed?: JournalOrder;
}

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

/** One order of a batch, with the trades the venue reported for it. */
export interface BatchEntry {
  readonly order: NewOrder;
  readonly fills?: readonly Trade[];
}

/** What an order adds to the usage aggregates, given the volume its row counts. */
function usageOf(o: JournalOrder, counted: string): UsageRow {
  return {venue: o.venue, symbol: o.symbol, side: o.side, quote: o.quote, status: o.status, amount: o.amount, filled: o.filled, counted, createdAt: o.createdAt};
}

const INSERT_ORDER = `INSERT INTO orders (venue, client_order_id, venue_order_id, plan_id, leg, symbol, side, type, amount, price, notional, quote, status, filled, average, fees, mode, origin, volume_counted, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)`;

/** A new order's values as INSERT_ORDER takes them (decimals in canonical form), and its row for the usage aggregates. */
function newOrderDraft(order: NewOrder, now: number): {values: SqlValue[]; usage: UsageRow; price: string | undefined; average: string | undefined; notional: string} {
  const status = order.status ?? 'pending_submit';
  const amount = dec(order.amount);
  const filled = dec(order.filled ?? '0');
  const average = order.average === undefined ? undefined : dec(order.average);
  const price = order.price === undefined ? undefined : dec(order.price);
  const notional = dec(order.notional);
  const counted = countedVolume({status, amount, filled, average, price, notional});
  const created = order.createdAt ?? now;
  const values = [
    order.venue,
    order.clientOrderId,
    order.venueOrderId ?? null,
    order.planId ?? null,
    order.leg ?? null,
    order.symbol,
    order.side,
    order.type,
    amount,
    price ?? null,
    notional,
    order.quote,
    status,
    filled,
    average ?? null,
    order.mode,
    order.origin ?? 'xarb',
    counted,
    created,
    created,
  ];
  const usage: UsageRow = {venue: order.venue, symbol: order.symbol, side: order.side, quote: order.quote, status, amount, filled, counted, createdAt: created};
  return {values, usage, price, average, notional};
}

/** An order's status change alone, with its events: its row is all it locks (see update and TxOptions.lock). */
export const ORDER_ROW: TxOptions = {lock: 'rows'};

export class OrdersRepo {
  readonly fillsRepo: FillsRepo;
  readonly plans: PlansRepo;
  readonly riskUsage: RiskUsageRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.fillsRepo = new FillsRepo(db);
    this.plans = new PlansRepo(db, clock);
    this.riskUsage = new RiskUsageRepo(db, clock);
  }

  // ---- orders ----------------------------------------------------------------

  /**
   * Inserts an order (default `pending_submit`): a batch of one. Throws
   * DuplicateOrderError when (venue, clientOrderId) is already journalled:
   * the same intent must never be written, or sent, twice.
   */
  insert(order: NewOrder): JournalOrder {
    return this.db.tx(() => {
      // The insert skips a journalled (venue, clientOrderId): no row back means a duplicate, and nothing was written.
      const [row] = this.write([{order}], true).rows;
      if (!row) throw new DuplicateOrderError(this.byClientOrderId(order.venue, order.clientOrderId)!);
      return toOrder(row);
    });
  }

  /**
   * The write-ahead's insert: a new order whose (venue, clientOrderId) the
   * caller has found unjournalled in the same transaction
   * (RiskUsageRepo.usageAndState, under the journal lock). Nothing waits for
   * the database: on PostgreSQL the insert goes with the transaction's next
   * round trip (its commit), so the journal lock is held one round trip
   * less than with insert. Returns the row as written and its id, which is
   * read once the transaction has ended. An order journalled after all
   * fails the transaction (the unique key) instead of being skipped.
   */
  insertNew(order: NewOrder): {readonly order: Omit<JournalOrder, 'id'>; id(): number} {
    return this.db.tx(() => {
      const draft = newOrderDraft(order, this.clock.now());
      const result = this.db.prepare(INSERT_ORDER).run(draft.values);
      this.riskUsage.apply([{after: draft.usage}]);
      const {usage: u} = draft;
      const written: Omit<JournalOrder, 'id'> = {
        venue: order.venue,
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId,
        planId: order.planId,
        leg: order.leg,
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        amount: u.amount,
        price: draft.price,
        notional: draft.notional,
        quote: order.quote,
        status: u.status,
        filled: u.filled,
        average: draft.average,
        fees: [],
        mode: order.mode,
        origin: order.origin ?? 'xarb',
        error: undefined,
        createdAt: u.createdAt,
        updatedAt: u.createdAt,
      };
      return {order: written, id: () => Number(result.lastInsertRowid)};
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

  /**
   * Locks these orders' rows until the transaction ends (PostgreSQL; SQLite
   * has one writer anyway). A transaction that changes several orders takes
   * their rows first, in one statement, before any usage aggregate row: an
   * order's status change running alone (which locks its row, then usage
   * rows) can then never wait on it in a cycle.
   */
  lockRows(venue: string, clientOrderIds: readonly string[]): void {
    if (this.db.dialect !== 'postgres' || clientOrderIds.length === 0) return;
    this.db
      .prepare('SELECT id FROM orders WHERE venue = ? AND client_order_id IN (SELECT value FROM json_each(?)) ORDER BY id FOR UPDATE')
      .all([venue, JSON.stringify(clientOrderIds)]);
  }

  /** Marks an order `unknown`: it may have reached the venue. Resolve it by clientOrderId, never by re-sending. */
  markUnknown(id: number, error: string, options: StatusChangeOptions = {}): JournalOrder {
    return this.update(id, (o) => (o.status === 'pending_submit' ? {status: 'unknown', error} : {error}), options.assumed);
  }

  /** Marks an order `rejected` (the venue definitely refused it, or it never reached the venue). */
  markRejected(id: number, error: string, options: StatusChangeOptions = {}): JournalOrder {
    return this.update(id, (o) => (isLiveStatus(o.status) ? {status: 'rejected', error} : {error}), options.assumed);
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
  applyVenueOrder(id: number, venueOrder: VenueOrder, options: StatusChangeOptions & {readonly venueWins?: boolean} = {}): JournalOrder {
    return this.update(
      id,
      (o) => {
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
      },
      options.assumed,
    );
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
      const fills = trades.map((trade): NewFill => {
        let orderId = options.orderId;
        if (orderId === undefined) {
          const owner =
            (trade.orderId ? this.byVenueOrderId(venue, trade.orderId) : undefined) ?? (trade.clientOrderId ? this.byClientOrderId(venue, trade.clientOrderId) : undefined);
          orderId = owner?.id;
        }
        return {venue, trade, orderId, origin: options.origin ?? (orderId === undefined ? 'external' : 'xarb')};
      });
      return this.fillsRepo.write(fills);
    });
  }

  /** Compatibility: see FillsRepo.fills. */
  fills(query: FillQuery = {}): JournalFill[] {
    return this.fillsRepo.fills(query);
  }

  /** Compatibility: see FillsRepo.fillTotals. */
  fillTotals(orderId: number): {amount: string; cost: string; fees: Fee[]} {
    return this.fillsRepo.fillTotals(orderId);
  }

  // ---- risk usage ------------------------------------------------------------

  /** Compatibility: see RiskUsageRepo.usage. */
  usage(day: string = utcDay(this.clock.now())): UsageSnapshot {
    return this.riskUsage.usage(day);
  }

  /** Recomputes the usage aggregates from the orders table (after bulk imports, or to verify them). */
  rebuildUsage(): void {
    this.db.tx(() => {
      const setCounted = this.db.prepare('UPDATE orders SET volume_counted = ? WHERE id = ?');
      const rows: UsageRow[] = [];
      // PostgreSQL: no order may change until the commit, nor be locked for a change (EXCLUSIVE lets plain reads through).
      // A status change running alone (TxOptions.lock 'rows') that has locked its row finishes first; a later one waits,
      // then moves the rebuilt aggregates.
      if (this.db.dialect === 'postgres') this.db.exec('LOCK TABLE orders IN EXCLUSIVE MODE');
      for (const row of this.db.prepare<OrderRow>(`SELECT ${COLUMNS} FROM orders`).all()) {
        const order = toOrder(row);
        const counted = countedVolume(order);
        if (counted !== row.volume_counted) setCounted.run([counted, row.id]);
        rows.push(usageOf(order, counted));
      }
      this.riskUsage.rebuild(rows);
    });
  }

  /**
   * Writes many orders, each with its fills, in one transaction - the fast
   * path for imports (reconcile) and bulk journalling, and the one write path
   * of insert. Orders already journalled (same venue and clientOrderId) are
   * skipped, their fills still recorded (keyed by trade id). Aggregates are
   * updated once per batch. Returns how many orders and fills were new.
   */
  insertBatch(entries: readonly BatchEntry[]): {orders: number; fills: number} {
    return this.db.tx(() => {
      const {ids, fills} = this.write(entries, false);
      return {orders: ids.length, fills};
    });
  }

  /**
   * insertBatch's write inside the caller's transaction: the new orders' ids, their rows when `full`, and the
   * number of new fills. `full`: each new order's whole row comes back (insert needs it); otherwise only its id (the batch path
   * counts them, and building rows it does not read costs it about a fifth of its time on SQLite).
   */
  private write(entries: readonly BatchEntry[], full: boolean): {ids: number[]; rows: OrderRow[]; fills: number} {
    const usage: {after: UsageRow}[] = [];
    const newFills: NewFill[] = [];
    const insertOrder = this.db.prepare<OrderRow>(`${INSERT_ORDER} ON CONFLICT (venue, client_order_id) DO NOTHING RETURNING ${full ? COLUMNS : 'id'}`);
    const ids: number[] = [];
    const rows: OrderRow[] = [];
    const now = this.clock.now();
    for (const {order, fills: trades} of entries) {
      const draft = newOrderDraft(order, now);
      const row = insertOrder.get(draft.values);
      let orderId: number | undefined;
      if (row) {
        ids.push(row.id);
        if (full) rows.push(row);
        orderId = row.id;
        usage.push({after: draft.usage});
      } else orderId = this.byClientOrderId(order.venue, order.clientOrderId)?.id;
      for (const trade of trades ?? []) newFills.push({venue: order.venue, trade, orderId, origin: order.origin ?? 'xarb'});
    }
    const fills = this.fillsRepo.write(newFills);
    this.riskUsage.apply(usage);
    return {ids, rows, fills};
  }

  // ---- plans (compatibility: see PlansRepo) ------------------------------------

  insertPlan(plan: Omit<PlanRecord, 'createdAt'> & {createdAt?: number}): PlanRecord {
    return this.plans.insert(plan);
  }

  getPlan(id: string): PlanRecord | undefined {
    return this.plans.get(id);
  }

  plansByClientId(clientId: string): string[] {
    return this.plans.byClientId(clientId);
  }

  setPlanStatus(id: string, status: PlanStatus): void {
    this.plans.setStatus(id, status);
  }

  // ---- internals -------------------------------------------------------------

  private getRow(id: number): OrderRow | undefined {
    return this.db.prepare<OrderRow>(GET_ROW).get([id]);
  }

  /**
   * Every status change of an order: its row read and locked (on
   * PostgreSQL, FOR UPDATE: a change made meanwhile on another host is
   * waited for, never overwritten), changed, written back, and the usage
   * aggregates moved by the difference. Alone, it is a transaction of its
   * own that does not wait for the journal lock (TxOptions.lock 'rows').
   * With `assumed` (StatusChangeOptions) and Db.assuming, the row is not
   * read: the write is made only if the row is as assumed.
   */
  private update(id: number, change: (o: JournalOrder) => Partial<Omit<JournalOrder, 'id'>>, assumed?: JournalOrder): JournalOrder {
    return this.db.tx(() => {
      const guess = assumed?.id === id && this.db.assuming?.() === true ? assumed : undefined;
      const row = guess ? undefined : this.db.prepare<OrderRow>(this.db.dialect === 'postgres' ? LOCK_ROW : GET_ROW).get([id]);
      const current = guess ?? (row ? toOrder(row) : undefined);
      if (!current) throw new XarbError(`no journalled order with id ${id}`, {exitCode: ExitCode.usage, hint: 'see `xarb orders`'});
      // The volume the row counts: as stored, or, assumed, as the order's status counts it (the UPDATE checks the row holds that).
      const countedBefore = row ? row.volume_counted : countedVolume(current);
      const next = {...current, ...change(current)};
      const counted = countedVolume(next);
      const set = {vid: next.venueOrderId ?? null, status: next.status, filled: next.filled, average: next.average ?? null, fees: JSON.stringify(next.fees), error: next.error ?? null, counted, now: this.clock.now()};
      if (guess) {
        const was = {was_status: guess.status, was_filled: guess.filled, was_counted: countedBefore, was_fees: JSON.stringify(guess.fees), was_vid: guess.venueOrderId ?? null, was_average: guess.average ?? null, was_error: guess.error ?? null};
        this.db.prepare(SET_STATUS_ASSUMED).run({id, ...set, ...was, what: `order ${id} changed since it was read`});
      } else this.db.prepare(SET_STATUS).run({id, ...set});
      // The order as written (the statement sets exactly these columns): the update's answer is not needed, so on
      // PostgreSQL it goes with the transaction's next round trip.
      const after: JournalOrder = {...current, venueOrderId: set.vid ?? undefined, status: set.status, filled: set.filled, average: set.average ?? undefined, fees: JSON.parse(set.fees) as Fee[], error: set.error ?? undefined, updatedAt: set.now};
      this.riskUsage.apply([{before: usageOf(current, countedBefore), after: usageOf(after, counted)}]);
      return after;
    }, ORDER_ROW);
  }
}
