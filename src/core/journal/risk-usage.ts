/**
 * Risk usage in the journal: open and in-flight orders per venue, symbol and
 * side, and each UTC day's traded notional. risk_open_orders and
 * risk_daily_volume are exact aggregates of the orders table; every order
 * write moves them in the same transaction through one computation
 * (UsageAccumulator over countedVolume and openContribution), so the risk
 * check reads a few rows however many orders exist. On SQLite a touched row
 * is read and written back; on PostgreSQL it is moved by its delta on the
 * server (the same exact decimal sum), so an order write waits on no read.
 */
import {cmp, div, fromUnits, isZero, max, mul, sub, toUnits} from '../money/decimal.js';
import type {Clock, Side} from '../types.js';
import type {Db} from './db.js';
import {isLiveStatus, type JournalOrderStatus} from './order-status.js';
import type {TradingState} from './risk-state.js';

/** Open and in-flight orders per venue/symbol/side, and today's traded notional. */
export interface UsageSnapshot {
  readonly day: string;
  readonly open: readonly {readonly venue: string; readonly symbol: string; readonly side: Side; readonly orders: number; readonly remaining: string}[];
  readonly dailyVolume: readonly {readonly venue: string; readonly symbol: string; readonly quote: string; readonly volume: string}[];
}

/** What an order's executed and counted notional depend on (decimal strings). */
export interface OrderAmounts {
  readonly amount: string;
  readonly filled: string;
  readonly average: string | undefined;
  readonly price: string | undefined;
  readonly notional: string;
}

/** UTC calendar day (YYYY-MM-DD) of a timestamp; daily volume resets at 00:00 UTC. */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Quote notional actually executed by an order (exact where the venue gave an average or price). */
export function executedNotional(o: OrderAmounts): string {
  if (isZero(o.filled)) return '0';
  if (o.average !== undefined) return mul(o.filled, o.average);
  if (o.price !== undefined) return mul(o.filled, o.price);
  return div(mul(o.notional, o.filled), o.amount);
}

/** What an order adds to the daily volume: reserved notional while live, executed notional once final. */
export function countedVolume(o: OrderAmounts & {readonly status: JournalOrderStatus}): string {
  if (o.status === 'rejected') return '0';
  const executed = executedNotional(o);
  return isLiveStatus(o.status) ? max(o.notional, executed) : executed;
}

function openContribution(o: {readonly status: JournalOrderStatus; readonly amount: string; readonly filled: string}): {orders: number; remaining: string} {
  if (!isLiveStatus(o.status)) return {orders: 0, remaining: '0'};
  const remaining = sub(o.amount, o.filled);
  return {orders: 1, remaining: cmp(remaining, 0) > 0 ? remaining : '0'};
}

/** The columns of an order row the aggregates depend on. */
export interface UsageRow {
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quote: string;
  readonly status: JournalOrderStatus;
  readonly amount: string;
  readonly filled: string;
  /** What the order adds to its day's volume (countedVolume, as stored with the order). */
  readonly counted: string;
  readonly createdAt: number;
}

export class RiskUsageRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Open/in-flight orders and the daily volume of `day` (default today, UTC). A few rows, however many orders exist. */
  usage(day: string = utcDay(this.clock.now())): UsageSnapshot {
    return this.db.dialect === 'sqlite' ? this.readUsage(day) : this.read(day).usage;
  }

  /**
   * usage() and the trading state (risk_state's `state`, 'active' when never
   * set) in one query: what a risk check reads, in one round trip on
   * PostgreSQL. With `planId`, whether that plan is journalled comes back in
   * the same query (`planExists`): the write-ahead checks it in the same step.
   */
  usageAndState(day: string = utcDay(this.clock.now()), planId?: string): {usage: UsageSnapshot; state: TradingState; planExists: boolean} {
    return this.read(day, planId);
  }

  /** SQLite: the usage rows with two plain reads (in process there is no round trip to save). */
  private readUsage(day: string): UsageSnapshot {
    const open = this.db
      .prepare<{venue: string; symbol: string; side: Side; orders: number; remaining: string}>('SELECT venue, symbol, side, orders, remaining FROM risk_open_orders WHERE orders > 0')
      .all();
    const dailyVolume = this.db.prepare<{venue: string; symbol: string; quote: string; volume: string}>('SELECT venue, symbol, quote, volume FROM risk_daily_volume WHERE day = ?').all([day]);
    return {day, open, dailyVolume};
  }

  private read(day: string, planId?: string): {usage: UsageSnapshot; state: TradingState; planExists: boolean} {
    if (this.db.dialect === 'sqlite') {
      // Plain reads are cheaper in process than one union taken apart.
      const planExists = planId !== undefined && this.db.prepare<{id: string}>('SELECT id FROM plans WHERE id = ?').get([planId]) !== undefined;
      const state = this.db.prepare<{state: TradingState}>('SELECT state FROM risk_state WHERE id = 1').get()?.state ?? 'active';
      return {usage: this.readUsage(day), state, planExists};
    }
    // Open rows, then the day's volume rows, then the trading state row (when set), then the plan's row (when asked and journalled).
    const rows = this.db
      .prepare<{part: string; venue: string; symbol: string; side: Side; quote: string; orders: number; amount: string}>(
        `SELECT 'open' AS part, venue, symbol, side, '' AS quote, orders, remaining AS amount FROM risk_open_orders WHERE orders > 0
         UNION ALL
         SELECT 'volume' AS part, venue, symbol, '' AS side, quote, 0 AS orders, volume AS amount FROM risk_daily_volume WHERE day = ?
         UNION ALL
         SELECT 'state' AS part, '' AS venue, '' AS symbol, '' AS side, '' AS quote, 0 AS orders, state AS amount FROM risk_state WHERE id = 1
         UNION ALL
         SELECT 'plan' AS part, '' AS venue, '' AS symbol, '' AS side, '' AS quote, 0 AS orders, id AS amount FROM plans WHERE id = ?`,
      )
      .all([day, planId ?? null]);
    const open = rows.filter((r) => r.part === 'open').map((r) => ({venue: r.venue, symbol: r.symbol, side: r.side, orders: r.orders, remaining: r.amount}));
    const dailyVolume = rows.filter((r) => r.part === 'volume').map((r) => ({venue: r.venue, symbol: r.symbol, quote: r.quote, volume: r.amount}));
    return {usage: {day, open, dailyVolume}, state: (rows.find((r) => r.part === 'state')?.amount ?? 'active') as TradingState, planExists: rows.some((r) => r.part === 'plan')};
  }

  /** While `deferred` runs: the moves collected, written when it returns. */
  private collecting: UsageAccumulator | undefined;

  /** Moves the aggregates by order writes: each from `before`'s contribution (none for a new order) to `after`'s. */
  apply(changes: readonly {readonly before?: UsageRow; readonly after: UsageRow}[]): void {
    const acc = this.collecting ?? new UsageAccumulator();
    for (const c of changes) acc.add(c.before, c.after);
    if (!this.collecting) acc.flush(this.db);
  }

  /**
   * Runs `fn` (inside the caller's transaction), holding back the aggregate
   * moves of every order write made through this repository, and writes
   * them once when it returns: each touched row once, in key order. A
   * transaction that writes several orders so locks all its order rows
   * before any aggregate row, and aggregate rows in the order every other
   * transaction takes them: on PostgreSQL, a status change on another host
   * (TxOptions.lock 'rows', which locks one order row, then aggregate rows)
   * can never wait on it in a cycle. If `fn` throws, nothing is moved; the
   * caller's transaction must then end in a rollback (nothing catches the
   * error inside it to carry on).
   */
  deferred<T>(fn: () => T): T {
    if (this.collecting) return fn();
    const acc = new UsageAccumulator();
    this.collecting = acc;
    let result: T;
    try {
      result = fn();
    } finally {
      this.collecting = undefined;
    }
    acc.flush(this.db);
    return result;
  }

  /** Replaces the aggregates with those of `rows` (every order, with its counted volume). */
  rebuild(rows: Iterable<UsageRow>): void {
    this.db.tx(() => {
      this.db.exec('DELETE FROM risk_open_orders; DELETE FROM risk_daily_volume;');
      const acc = new UsageAccumulator();
      for (const row of rows) acc.add(undefined, row);
      acc.flush(this.db);
    });
  }
}

/** Collects aggregate deltas in memory (exact, in decimal units) and writes each touched row once. */
class UsageAccumulator {
  private readonly open = new Map<string, {venue: string; symbol: string; side: Side; orders: number; remaining: bigint}>();
  private readonly volume = new Map<string, {day: string; venue: string; symbol: string; quote: string; volume: bigint}>();

  add(before: UsageRow | undefined, after: UsageRow): void {
    const was = before ? openContribution(before) : {orders: 0, remaining: '0'};
    const now = openContribution(after);
    const dOrders = now.orders - was.orders;
    const dRemaining = toUnits(now.remaining) - toUnits(was.remaining);
    if (dOrders !== 0 || dRemaining !== 0n) {
      const key = `${after.venue}\u0000${after.symbol}\u0000${after.side}`;
      const e = this.open.get(key) ?? {venue: after.venue, symbol: after.symbol, side: after.side, orders: 0, remaining: 0n};
      e.orders += dOrders;
      e.remaining += dRemaining;
      this.open.set(key, e);
    }
    const dVolume = toUnits(after.counted) - toUnits(before?.counted ?? '0');
    if (dVolume !== 0n) {
      const day = utcDay(after.createdAt);
      const key = `${day}\u0000${after.venue}\u0000${after.symbol}`;
      const e = this.volume.get(key) ?? {day, venue: after.venue, symbol: after.symbol, quote: after.quote, volume: 0n};
      e.volume += dVolume;
      this.volume.set(key, e);
    }
  }

  flush(db: Db): void {
    // In key order: transactions that move the same rows at once on PostgreSQL lock them in the same order, never in a cycle.
    const open = inKeyOrder(this.open, (e) => e.orders !== 0 || e.remaining !== 0n);
    const volume = inKeyOrder(this.volume, (e) => e.volume !== 0n);
    if (open.length === 0 && volume.length === 0) return;
    if (db.dialect === 'postgres') {
      addOnServer(db, open, volume);
      this.open.clear();
      this.volume.clear();
      return;
    }
    const current = pointReads(db);
    const writeOpen = db.prepare(
      `INSERT INTO risk_open_orders (venue, symbol, side, orders, remaining) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (venue, symbol, side) DO UPDATE SET orders = excluded.orders, remaining = excluded.remaining`,
    );
    for (const e of open) {
      const row = current.open(e);
      writeOpen.run([e.venue, e.symbol, e.side, (row?.orders ?? 0) + e.orders, fromUnits(toUnits(row?.amount ?? '0') + e.remaining)]);
    }
    const writeVolume = db.prepare(
      `INSERT INTO risk_daily_volume (day, venue, symbol, quote, volume) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (day, venue, symbol) DO UPDATE SET volume = excluded.volume`,
    );
    for (const e of volume) {
      const row = current.volume(e);
      writeVolume.run([e.day, e.venue, e.symbol, e.quote, fromUnits(toUnits(row?.amount ?? '0') + e.volume)]);
    }
    this.open.clear();
    this.volume.clear();
  }
}

/** The entries `keep` keeps, in the order of their keys. */
function inKeyOrder<E>(map: ReadonlyMap<string, E>, keep: (e: E) => boolean): E[] {
  const out: E[] = [];
  for (const key of map.size > 1 ? [...map.keys()].sort() : map.keys()) {
    const e = map.get(key)!;
    if (keep(e)) out.push(e);
  }
  return out;
}

interface CurrentRows {
  open(key: {venue: string; symbol: string; side: string}): {orders: number; amount: string} | undefined;
  volume(key: {day: string; venue: string; symbol: string}): {amount: string} | undefined;
}

/** SQLite: one indexed read per touched key (in process there is no round trip to save). */
function pointReads(db: Db): CurrentRows {
  const readOpen = db.prepare<{orders: number; amount: string}>('SELECT orders, remaining AS amount FROM risk_open_orders WHERE venue = ? AND symbol = ? AND side = ?');
  const readVolume = db.prepare<{amount: string}>('SELECT volume AS amount FROM risk_daily_volume WHERE day = ? AND venue = ? AND symbol = ?');
  return {open: (k) => readOpen.get([k.venue, k.symbol, k.side]), volume: (k) => readVolume.get([k.day, k.venue, k.symbol])};
}

/**
 * PostgreSQL: each touched row moved by its delta on the server (exact
 * decimal arithmetic, written back in the canonical form fromUnits gives:
 * no trailing zeros, no exponent). Nothing is read first, so the writes need
 * no round trip of their own: they go with the transaction's next one.
 */
function addOnServer(db: Db, open: readonly {venue: string; symbol: string; side: Side; orders: number; remaining: bigint}[], volume: readonly {day: string; venue: string; symbol: string; quote: string; volume: bigint}[]): void {
  const addOpen = db.prepare(
    `INSERT INTO risk_open_orders (venue, symbol, side, orders, remaining) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (venue, symbol, side) DO UPDATE SET orders = risk_open_orders.orders + excluded.orders,
       remaining = CAST(trim_scale(CAST(risk_open_orders.remaining AS numeric) + CAST(excluded.remaining AS numeric)) AS TEXT)`,
  );
  for (const e of open) addOpen.run([e.venue, e.symbol, e.side, e.orders, fromUnits(e.remaining)]);
  const addVolume = db.prepare(
    `INSERT INTO risk_daily_volume (day, venue, symbol, quote, volume) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, venue, symbol) DO UPDATE SET volume = CAST(trim_scale(CAST(risk_daily_volume.volume AS numeric) + CAST(excluded.volume AS numeric)) AS TEXT)`,
  );
  for (const e of volume) addVolume.run([e.day, e.venue, e.symbol, e.quote, fromUnits(e.volume)]);
}
