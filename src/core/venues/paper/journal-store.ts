/**
 * The account store of a paper venue: the account engine's port over the
 * journal's paper tables (journal/paper-balances.ts holds the SQL), so every
 * xarb process sees the same paper account.
 *
 * Invariants: one store speaks for one venue name; order ids are `P<seq>`,
 * trade ids `<order id>-<n>` (n counts that order's trades); a transaction
 * is a journal transaction (nested ones are savepoints).
 */
import type {Db} from '../../journal/db.js';
import {PaperRepo, type PaperOrderRow} from '../../journal/paper-balances.js';
import {baseOf} from '../../symbols/index.js';
import type {Trade} from '../../types.js';
import type {AccountOrder, AccountStore, Holding, OrderQuery, TradeQuery} from '../account/store.js';

function toAccountOrder(row: PaperOrderRow): AccountOrder {
  return {
    id: row.id,
    clientOrderId: row.clientOrderId ?? '',
    symbol: row.symbol,
    base: baseOf(row.symbol),
    quote: row.feeCurrency,
    side: row.side,
    type: row.type,
    amount: row.amount,
    price: row.price,
    status: row.status,
    filled: row.filled,
    cost: row.cost,
    fee: row.feeCost,
    reserved: row.reserved,
    reserveRate: row.feeRate,
    bookTime: row.sweptAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class JournalAccountStore implements AccountStore {
  private readonly repo: PaperRepo;

  constructor(
    private readonly db: Db,
    readonly venue: string,
  ) {
    this.repo = new PaperRepo(db);
  }

  /** Seeds starting balances once, when the venue has no paper rows yet. */
  seed(balances: Readonly<Record<string, string>>): boolean {
    return this.repo.seed(this.venue, balances);
  }

  /** Sets an asset's free balance (paper transfers and tests). */
  setFree(asset: string, free: string): void {
    this.repo.setFree(this.venue, asset, free);
  }

  transaction<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  holding(asset: string): Holding {
    return this.repo.balance(this.venue, asset);
  }

  holdings(): readonly (Holding & {readonly asset: string})[] {
    return this.repo.balances(this.venue);
  }

  putHolding(asset: string, holding: Holding): void {
    this.repo.put(this.venue, asset, holding.free, holding.used);
  }

  order(ref: {readonly id?: string; readonly clientOrderId?: string}): AccountOrder | undefined {
    const row = this.repo.order(this.venue, ref);
    if (!row || (ref.clientOrderId !== undefined && row.clientOrderId !== ref.clientOrderId)) return undefined;
    return toAccountOrder(row);
  }

  orders(query: OrderQuery = {}): readonly AccountOrder[] {
    return this.repo
      .orders(this.venue, {open: query.state === 'open', closed: query.state === 'done', symbol: query.symbol, since: query.since})
      .map(toAccountOrder);
  }

  newOrderId(): string {
    return `P${this.repo.nextSeq(this.venue)}`;
  }

  insertOrder(order: AccountOrder): void {
    this.repo.insertOrder(this.row(order));
  }

  updateOrder(order: AccountOrder): void {
    this.repo.updateOrder(this.row(order));
  }

  newTradeId(orderId: string): string {
    return `${orderId}-${this.repo.trades(this.venue, {orderId}).length + 1}`;
  }

  insertTrade(trade: Trade): void {
    this.repo.insertTrade(this.venue, trade);
  }

  trades(query: TradeQuery = {}): readonly Trade[] {
    return this.repo.trades(this.venue, query);
  }

  private row(order: AccountOrder): PaperOrderRow {
    return {
      venue: this.venue,
      id: order.id,
      seq: Number(order.id.slice(1)),
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      amount: order.amount,
      price: order.price,
      status: order.status,
      filled: order.filled,
      cost: order.cost,
      feeCost: order.fee,
      feeCurrency: order.quote,
      feeRate: order.reserveRate,
      reserved: order.reserved,
      sweptAt: order.bookTime,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    };
  }
}
