/**
 * The account engine's storage port, and its in-memory implementation (used
 * by the simulated venues). Paper mode implements the same port over the
 * journal (venues/paper/journal-store.ts).
 *
 * The port holds plain data only: holdings (free/used per asset), the
 * venue's orders and its trades, all amounts exact decimal strings. It knows
 * nothing of the rules: the engine decides, the store keeps. It is kept small
 * and free of any driver type so that a second implementation (an
 * asynchronous database) needs only the same few reads and writes, each
 * operation of the engine running inside one `transaction`.
 *
 * Invariants a store keeps: order ids and trade ids are unique in the store;
 * `orders` and `trades` list in the order they were inserted (oldest first);
 * a holding never read before is free 0, used 0.
 */
import type {OrderType, Side, Trade, VenueOrderStatus} from '../../types.js';

/** One order as the venue holds it. */
export interface AccountOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly base: string;
  /** Also the fee currency. */
  readonly quote: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly amount: string;
  /** Limit price; undefined for market orders. */
  readonly price: string | undefined;
  readonly status: VenueOrderStatus;
  readonly filled: string;
  /** Quote spent (buy) or received (sell), before fees. */
  readonly cost: string;
  /** Fees paid so far, in the quote currency. */
  readonly fee: string;
  /** Funds held in `used` for the resting remainder: quote for a buy, base for a sell. */
  readonly reserved: string;
  /** The fee rate a resting buy's reservation was computed with (remaining x price x (1 + rate)). */
  readonly reserveRate: string;
  /** Timestamp of the last book the order was matched against; only a newer book can fill it again. */
  readonly bookTime: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Holding {
  readonly free: string;
  readonly used: string;
}

export interface OrderQuery {
  /** `open`: only open orders; `done`: only orders no longer open; default both. */
  readonly state?: 'open' | 'done';
  readonly symbol?: string;
  /** Orders created at or after this time (ms). */
  readonly since?: number;
}

export interface TradeQuery {
  readonly symbol?: string;
  readonly since?: number;
  readonly orderId?: string;
}

export interface AccountStore {
  /** Runs `fn` so that its writes land together or not at all (where the store can roll back). */
  transaction<T>(fn: () => T): T;

  holding(asset: string): Holding;
  /** Every asset the account has a row for, sorted by asset. */
  holdings(): readonly (Holding & {readonly asset: string})[];
  putHolding(asset: string, holding: Holding): void;

  /** The order with this id and/or clientOrderId (both must match when both are given). */
  order(ref: {readonly id?: string; readonly clientOrderId?: string}): AccountOrder | undefined;
  orders(query?: OrderQuery): readonly AccountOrder[];
  /** A fresh order id. */
  newOrderId(): string;
  insertOrder(order: AccountOrder): void;
  updateOrder(order: AccountOrder): void;

  /** A fresh trade id for a trade of `orderId`. */
  newTradeId(orderId: string): string;
  insertTrade(trade: Trade): void;
  trades(query?: TradeQuery): readonly Trade[];
}

export interface MemoryStoreOptions {
  /** Starting free balances (asset -> decimal string). */
  readonly balances?: Readonly<Record<string, string>>;
  /** Order ids from a sequence number (default 1000001, 1000002, ...). */
  readonly orderId?: (seq: number) => string;
  /** Trade ids from a sequence number (default T1000001, T1000002, ...). */
  readonly tradeId?: (seq: number) => string;
}

const ZERO: Holding = {free: '0', used: '0'};

/**
 * The account in memory: lasts as long as the process. The engine finishes
 * every check before its first write, so this store needs no rollback.
 */
export class MemoryAccountStore implements AccountStore {
  private readonly held = new Map<string, Holding>();
  private readonly list: AccountOrder[] = [];
  private readonly index = new Map<string, number>();
  private readonly byClient = new Map<string, number>();
  private readonly tradeList: Trade[] = [];
  private orderSeq = 0;
  private tradeSeq = 0;
  private readonly orderId: (seq: number) => string;
  private readonly tradeId: (seq: number) => string;

  constructor(options: MemoryStoreOptions = {}) {
    this.orderId = options.orderId ?? ((seq) => String(1_000_000 + seq));
    this.tradeId = options.tradeId ?? ((seq) => `T${1_000_000 + seq}`);
    for (const [asset, amount] of Object.entries(options.balances ?? {})) this.held.set(asset, {free: amount, used: '0'});
  }

  transaction<T>(fn: () => T): T {
    return fn();
  }

  holding(asset: string): Holding {
    return this.held.get(asset) ?? ZERO;
  }

  holdings(): readonly (Holding & {readonly asset: string})[] {
    return [...this.held.keys()].sort().map((asset) => ({asset, ...this.held.get(asset)!}));
  }

  putHolding(asset: string, holding: Holding): void {
    this.held.set(asset, {free: holding.free, used: holding.used});
  }

  order(ref: {readonly id?: string; readonly clientOrderId?: string}): AccountOrder | undefined {
    const at = ref.id !== undefined ? this.index.get(ref.id) : ref.clientOrderId !== undefined ? this.byClient.get(ref.clientOrderId) : undefined;
    const order = at === undefined ? undefined : this.list[at];
    if (order && ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId) return undefined;
    return order;
  }

  orders(query: OrderQuery = {}): readonly AccountOrder[] {
    return this.list.filter(
      (o) =>
        (query.state === undefined || (query.state === 'open') === (o.status === 'open')) &&
        (query.symbol === undefined || o.symbol === query.symbol) &&
        (query.since === undefined || o.createdAt >= query.since),
    );
  }

  newOrderId(): string {
    return this.orderId(++this.orderSeq);
  }

  insertOrder(order: AccountOrder): void {
    if (this.index.has(order.id)) throw new RangeError(`order id ${order.id} is already in the account`);
    this.index.set(order.id, this.list.length);
    this.byClient.set(order.clientOrderId, this.list.length);
    this.list.push(order);
  }

  updateOrder(order: AccountOrder): void {
    const at = this.index.get(order.id);
    if (at === undefined) throw new RangeError(`order ${order.id} is not in the account`);
    this.list[at] = order;
  }

  newTradeId(): string {
    return this.tradeId(++this.tradeSeq);
  }

  insertTrade(trade: Trade): void {
    this.tradeList.push(trade);
  }

  trades(query: TradeQuery = {}): readonly Trade[] {
    return this.tradeList.filter(
      (t) =>
        (query.symbol === undefined || t.symbol === query.symbol) &&
        (query.orderId === undefined || t.orderId === query.orderId) &&
        (query.since === undefined || t.timestamp >= query.since),
    );
  }
}
