/**
 * The state of one loopback venue: markets, books, accounts, orders, trades
 * and transfers, in canonical terms (BTC/USD, BTC). Dialects translate to and
 * from their exchange's wire format; this module knows nothing about HTTP.
 *
 * Invariants:
 * - Balances never go negative: an order or withdrawal that would need more
 *   than the free balance is refused before anything changes.
 * - An order's taker part fills at once by walking the book with the shared
 *   matching engine (src/core/venues/account/matching.ts) and removes what it took
 *   from the book; a limit remainder rests and locks its funds; a market
 *   remainder expires. Resting orders are not shown in the public book (so
 *   an account never trades with itself); they fill as maker, at their own
 *   price, when a test moves the book through them (`setBook`).
 * - `order.locked` is exactly what the order still holds in `lockAsset`;
 *   closing or cancelling an order releases it.
 * - Client order ids are unique among an account's open orders only.
 */
import {add, cmp, dec, isPositive, isZero, mul, roundToStep, sub} from '../../../src/core/money/decimal.js';
import {matchOrder, type BookSides} from '../../../src/core/venues/account/matching.js';
import type {Side} from '../../../src/core/types.js';
import type {
  AccountScenario,
  BookScenario,
  CurrencyScenario,
  DepositAddressScenario,
  MarketScenario,
  NetworkScenario,
  TransferSeed,
  VenueScenario,
} from './types.js';

export type OrderStatus = 'open' | 'filled' | 'canceled' | 'expired';
export type TransferStatus = 'pending' | 'ok' | 'failed' | 'canceled';

export interface MarketSpec extends MarketScenario {
  readonly base: string;
  readonly quote: string;
  readonly active: boolean;
}

export interface CurrencySpec {
  readonly code: string;
  readonly name: string;
  readonly decimals: number;
  readonly networks: readonly NetworkScenario[];
}

export interface OrderRecord {
  readonly id: string;
  readonly seq: number;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  readonly amount: string;
  readonly price: string | undefined;
  filled: string;
  /** Quote value of the fills. */
  cost: string;
  fee: string;
  readonly feeCurrency: string;
  status: OrderStatus;
  readonly createdAt: number;
  updatedAt: number;
  readonly tradeIds: string[];
  /** What the order still holds in `lockAsset`. */
  locked: string;
  readonly lockAsset: string;
}

export interface TradeRecord {
  readonly id: string;
  readonly seq: number;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly price: string;
  readonly amount: string;
  readonly cost: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly maker: boolean;
  readonly timestamp: number;
}

export interface TransferRecord {
  readonly id: string;
  readonly kind: 'deposit' | 'withdrawal';
  readonly asset: string;
  readonly amount: string;
  readonly network: string | undefined;
  readonly address: string | undefined;
  readonly tag: string | undefined;
  readonly txid: string;
  readonly fee: string;
  status: TransferStatus;
  readonly timestamp: number;
}

export interface BalanceRecord {
  free: string;
  locked: string;
}

export interface AccountState {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string | undefined;
  readonly balances: Map<string, BalanceRecord>;
  readonly orders: OrderRecord[];
  readonly trades: TradeRecord[];
  readonly deposits: TransferRecord[];
  readonly withdrawals: TransferRecord[];
  readonly depositAddresses: Map<string, DepositAddressScenario[]>;
  readonly withdrawKeys: Map<string, string>;
}

/** How a dialect wants ids formatted and fees charged. */
export interface VenuePolicy {
  /** 'received': buy pays fee in base, sell in quote (binance, okx). 'quote': always quote (kraken). */
  readonly feeCurrency: 'received' | 'quote';
  /** okx charges the withdrawal fee on top of the amount; others take it out of it. */
  readonly withdrawFeeOnTop: boolean;
  orderId(seq: number): string;
  tradeId(seq: number): string;
  transferId(seq: number): string;
  txid(seq: number): string;
}

export type PlaceError =
  | 'unknown_symbol'
  | 'market_closed'
  | 'bad_amount'
  | 'bad_price'
  | 'lot_size'
  | 'price_filter'
  | 'min_amount'
  | 'min_cost'
  | 'insufficient_funds'
  | 'duplicate_client_order_id';

export type WithdrawError = 'unknown_asset' | 'unknown_network' | 'withdraw_disabled' | 'below_minimum' | 'insufficient_funds' | 'bad_amount';

export type Result<T, E> = {readonly ok: true; readonly value: T} | {readonly ok: false; readonly error: E};

export interface PlaceInput {
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  readonly amount: string;
  readonly price?: string;
  readonly clientOrderId?: string;
}

export interface WithdrawInput {
  readonly asset: string;
  readonly amount: string;
  readonly address: string;
  readonly tag?: string;
  readonly network?: string;
}

const ok = <T>(value: T) => ({ok: true, value}) as const;
const fail = <E>(error: E) => ({ok: false, error}) as const;

function isMultiple(value: string, step: string): boolean {
  return cmp(roundToStep(value, step, 'down'), value) === 0;
}

function safeDec(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return dec(value);
  } catch {
    return undefined;
  }
}

export function splitSymbol(symbol: string): {base: string; quote: string} {
  const [base, quote] = symbol.split('/');
  if (!base || !quote) throw new Error(`loopback: bad symbol ${symbol}`);
  return {base, quote};
}

export class VenueState {
  readonly name: string;
  readonly markets = new Map<string, MarketSpec>();
  readonly currencies = new Map<string, CurrencySpec>();
  readonly accounts = new Map<string, AccountState>();
  status: 'ok' | 'maintenance';
  withdrawalStatus: 'ok' | 'pending';
  /** Called after a withdrawal is recorded (the loopback routes it to a sibling venue's deposit address). */
  onWithdrawal: ((record: TransferRecord) => void) | undefined;
  private readonly books = new Map<string, BookSides>();
  private readonly bookListeners = new Set<(symbol: string) => void>();
  private readonly versions = new Map<string, number>();
  private seq = {order: 0, trade: 0, transfer: 0, txid: 0};

  constructor(
    name: string,
    scenario: VenueScenario,
    readonly policy: VenuePolicy,
    readonly now: () => number = Date.now,
  ) {
    this.name = name;
    this.status = scenario.status ?? 'ok';
    this.withdrawalStatus = scenario.withdrawalStatus ?? 'ok';
    for (const market of scenario.markets) {
      const {base, quote} = splitSymbol(market.symbol);
      this.markets.set(market.symbol, {...market, base, quote, active: market.active ?? true});
    }
    for (const currency of scenario.currencies ?? []) this.addCurrency(currency);
    for (const market of this.markets.values()) {
      if (!this.currencies.has(market.base)) this.addCurrency({code: market.base});
      if (!this.currencies.has(market.quote)) this.addCurrency({code: market.quote});
    }
    for (const [symbol, book] of Object.entries(scenario.books)) this.books.set(symbol, copyBook(book));
    for (const account of scenario.accounts ?? []) this.addAccount(account);
  }

  // ---- market data ---------------------------------------------------------

  book(symbol: string): BookSides {
    return this.books.get(symbol) ?? {bids: [], asks: []};
  }

  /** Replaces a book, then fills resting orders it crosses (as maker, at their own price). */
  setBook(symbol: string, book: BookScenario): void {
    if (!this.markets.has(symbol)) throw new Error(`loopback ${this.name}: unknown market ${symbol}`);
    this.books.set(symbol, copyBook(book));
    this.fillResting(symbol);
    this.emitBook(symbol);
  }

  onBook(listener: (symbol: string) => void): () => void {
    this.bookListeners.add(listener);
    return () => this.bookListeners.delete(listener);
  }

  /** Increases by one on every change of the symbol's book (binance lastUpdateId / stream update ids). */
  bookVersion(symbol: string): number {
    return this.versions.get(symbol) ?? 1000;
  }

  private emitBook(symbol: string): void {
    this.versions.set(symbol, this.bookVersion(symbol) + 1);
    for (const listener of this.bookListeners) listener(symbol);
  }

  // ---- accounts --------------------------------------------------------------

  addCurrency(currency: CurrencyScenario): void {
    this.currencies.set(currency.code, {
      code: currency.code,
      name: currency.name ?? currency.code,
      decimals: currency.decimals ?? 8,
      networks: currency.networks ?? [],
    });
  }

  addAccount(scenario: AccountScenario): AccountState {
    const account: AccountState = {
      apiKey: scenario.apiKey,
      secret: scenario.secret,
      passphrase: scenario.passphrase,
      balances: new Map(),
      orders: [],
      trades: [],
      deposits: [],
      withdrawals: [],
      depositAddresses: new Map(),
      withdrawKeys: new Map(Object.entries(scenario.withdrawKeys ?? {})),
    };
    for (const [asset, free] of Object.entries(scenario.balances)) account.balances.set(asset, {free: dec(free), locked: '0'});
    for (const [asset, entry] of Object.entries(scenario.depositAddresses ?? {})) {
      account.depositAddresses.set(asset, Array.isArray(entry) ? [...(entry as DepositAddressScenario[])] : [entry as DepositAddressScenario]);
    }
    this.accounts.set(scenario.apiKey, account);
    for (const seed of scenario.orders ?? []) this.seedOrder(account, seed);
    for (const seed of scenario.deposits ?? []) account.deposits.push(this.transferFromSeed('deposit', seed));
    for (const seed of scenario.withdrawals ?? []) account.withdrawals.push(this.transferFromSeed('withdrawal', seed));
    return account;
  }

  account(apiKey: string): AccountState {
    const account = this.accounts.get(apiKey);
    if (!account) throw new Error(`loopback ${this.name}: no account ${apiKey}`);
    return account;
  }

  balance(account: AccountState, asset: string): BalanceRecord {
    let entry = account.balances.get(asset);
    if (!entry) {
      entry = {free: '0', locked: '0'};
      account.balances.set(asset, entry);
    }
    return entry;
  }

  setBalance(apiKey: string, asset: string, free: string): void {
    this.balance(this.account(apiKey), asset).free = dec(free);
  }

  private seedOrder(account: AccountState, seed: (AccountScenario['orders'] & {})[number]): void {
    const market = this.markets.get(seed.symbol);
    if (!market) throw new Error(`loopback ${this.name}: seed order on unknown market ${seed.symbol}`);
    const type = seed.type ?? 'limit';
    const status = seed.status ?? 'open';
    const amount = dec(seed.amount);
    const filled = dec(seed.filled ?? (status === 'closed' ? amount : '0'));
    const price = seed.price === undefined ? undefined : dec(seed.price);
    if (type === 'limit' && price === undefined) throw new Error('loopback: a limit seed order needs a price');
    const at = seed.timestamp ?? this.now();
    const feeCurrency = this.feeCurrency(market, seed.side);
    const order: OrderRecord = {
      id: this.policy.orderId(++this.seq.order),
      seq: this.seq.order,
      clientOrderId: seed.clientOrderId,
      symbol: seed.symbol,
      side: seed.side,
      type,
      amount,
      price,
      filled: '0',
      cost: '0',
      fee: '0',
      feeCurrency,
      status: status === 'closed' ? 'filled' : status === 'canceled' ? 'canceled' : 'open',
      createdAt: at,
      updatedAt: at,
      tradeIds: [],
      locked: '0',
      lockAsset: seed.side === 'buy' ? market.quote : market.base,
    };
    if (isPositive(filled)) {
      if (price === undefined) throw new Error('loopback: a filled seed order needs a price');
      this.recordFill(account, order, market, Number(price), filled, 'history', at);
    }
    if (order.status === 'open') {
      const lock = this.lockFor(market, order.side, sub(amount, filled), price ?? '0');
      order.locked = lock;
      this.balance(account, order.lockAsset).locked = add(this.balance(account, order.lockAsset).locked, lock);
    }
    account.orders.push(order);
  }

  private transferFromSeed(kind: 'deposit' | 'withdrawal', seed: TransferSeed): TransferRecord {
    const seq = ++this.seq.transfer;
    return {
      id: this.policy.transferId(seq),
      kind,
      asset: seed.asset,
      amount: dec(seed.amount),
      network: seed.network ?? this.defaultNetwork(seed.asset)?.network,
      address: seed.address,
      tag: undefined,
      txid: seed.txid ?? this.policy.txid(++this.seq.txid),
      fee: dec(seed.fee ?? '0'),
      status: seed.status ?? 'ok',
      timestamp: seed.timestamp ?? this.now(),
    };
  }

  // ---- orders ----------------------------------------------------------------

  feeCurrency(market: MarketSpec, side: Side): string {
    if (this.policy.feeCurrency === 'quote') return market.quote;
    return side === 'buy' ? market.base : market.quote;
  }

  /** Funds a resting order holds: base for a sell; quote (plus a quote fee at the maker rate) for a buy. */
  private lockFor(market: MarketSpec, side: Side, remaining: string, price: string): string {
    if (side === 'sell') return remaining;
    const cost = mul(remaining, price);
    return this.policy.feeCurrency === 'quote' ? add(cost, mul(cost, market.maker)) : cost;
  }

  placeOrder(apiKey: string, input: PlaceInput): Result<OrderRecord, PlaceError> {
    const account = this.account(apiKey);
    const market = this.markets.get(input.symbol);
    if (!market) return fail('unknown_symbol');
    if (!market.active) return fail('market_closed');
    const amount = safeDec(input.amount);
    if (amount === undefined || !isPositive(amount)) return fail('bad_amount');
    const price = input.type === 'limit' ? safeDec(input.price) : undefined;
    if (input.type === 'limit' && (price === undefined || !isPositive(price))) return fail('bad_price');
    if (!isMultiple(amount, market.amountStep)) return fail('lot_size');
    if (price !== undefined && !isMultiple(price, market.priceStep)) return fail('price_filter');
    if (market.minAmount !== undefined && cmp(amount, market.minAmount) < 0) return fail('min_amount');
    if (
      input.clientOrderId !== undefined &&
      account.orders.some((o) => o.status === 'open' && o.clientOrderId === input.clientOrderId)
    ) {
      return fail('duplicate_client_order_id');
    }
    const book = this.book(input.symbol);
    const match = matchOrder(book, {side: input.side, amount, limitPrice: price === undefined ? undefined : Number(price)});
    if (market.minCost !== undefined) {
      const notional = price !== undefined ? mul(amount, price) : match.cost;
      if (cmp(notional, market.minCost) < 0) return fail('min_cost');
    }
    // Funds needed: the taker part now, plus what a limit remainder will hold.
    const takerFee = mul(input.side === 'buy' && this.policy.feeCurrency === 'received' ? match.filled : match.cost, market.taker);
    const rests = input.type === 'limit' && isPositive(match.remaining);
    const restLock = rests ? this.lockFor(market, input.side, match.remaining, price!) : '0';
    const needAsset = input.side === 'buy' ? market.quote : market.base;
    const need =
      input.side === 'buy'
        ? add(match.cost, this.policy.feeCurrency === 'quote' ? takerFee : '0', restLock)
        : add(match.filled, restLock);
    if (cmp(this.balance(account, needAsset).free, need) < 0) return fail('insufficient_funds');

    const at = this.now();
    const seq = ++this.seq.order;
    const order: OrderRecord = {
      id: this.policy.orderId(seq),
      seq,
      clientOrderId: input.clientOrderId,
      symbol: input.symbol,
      side: input.side,
      type: input.type,
      amount,
      price,
      filled: '0',
      cost: '0',
      fee: '0',
      feeCurrency: this.feeCurrency(market, input.side),
      status: 'open',
      createdAt: at,
      updatedAt: at,
      tradeIds: [],
      locked: '0',
      lockAsset: needAsset,
    };
    this.books.set(input.symbol, input.side === 'buy' ? {bids: book.bids, asks: match.remainingLevels} : {bids: match.remainingLevels, asks: book.asks});
    for (const fill of match.fills) this.recordFill(account, order, market, fill.price, fill.amount, 'taker', at);
    if (rests) {
      order.locked = restLock;
      const entry = this.balance(account, needAsset);
      entry.free = sub(entry.free, restLock);
      entry.locked = add(entry.locked, restLock);
    } else if (isPositive(match.remaining)) {
      order.status = 'expired';
    }
    if (!isPositive(sub(order.amount, order.filled))) order.status = 'filled';
    account.orders.push(order);
    if (match.fills.length > 0) this.emitBook(input.symbol);
    return ok(order);
  }

  /**
   * Books one fill: a trade record, order totals and balances. Taker fills pay
   * from free balances, maker fills from the order's lock; 'history' (seeded
   * fills) moves no balance, since the scenario's balances already reflect it.
   */
  private recordFill(
    account: AccountState,
    order: OrderRecord,
    market: MarketSpec,
    price: number,
    amount: string,
    mode: 'taker' | 'maker' | 'history',
    at: number,
  ): void {
    const maker = mode !== 'taker';
    const fromFree = mode === 'taker';
    const priceText = dec(price);
    const cost = mul(amount, priceText);
    const rate = maker ? market.maker : market.taker;
    const feeInBase = order.feeCurrency === market.base;
    const fee = mul(feeInBase ? amount : cost, rate);
    const seq = ++this.seq.trade;
    const trade: TradeRecord = {
      id: this.policy.tradeId(seq),
      seq,
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      price: priceText,
      amount,
      cost,
      fee,
      feeCurrency: order.feeCurrency,
      maker,
      timestamp: at,
    };
    account.trades.push(trade);
    order.tradeIds.push(trade.id);
    order.filled = add(order.filled, amount);
    order.cost = add(order.cost, cost);
    order.fee = add(order.fee, fee);
    order.updatedAt = at;
    if (mode === 'history') return;
    const base = this.balance(account, market.base);
    const quote = this.balance(account, market.quote);
    if (order.side === 'buy') {
      const spend = feeInBase ? cost : add(cost, fee);
      if (fromFree) quote.free = sub(quote.free, spend);
      else {
        const fromLock = cmp(spend, order.locked) <= 0 ? spend : order.locked;
        order.locked = sub(order.locked, fromLock);
        quote.locked = sub(quote.locked, fromLock);
        quote.free = sub(quote.free, sub(spend, fromLock));
      }
      base.free = add(base.free, feeInBase ? sub(amount, fee) : amount);
    } else {
      if (fromFree) base.free = sub(base.free, amount);
      else {
        order.locked = sub(order.locked, amount);
        base.locked = sub(base.locked, amount);
      }
      quote.free = add(quote.free, sub(cost, fee));
    }
  }

  /** Fills resting orders on `symbol` that the current book crosses, oldest first. */
  private fillResting(symbol: string): void {
    const market = this.markets.get(symbol)!;
    const resting: {account: AccountState; order: OrderRecord}[] = [];
    for (const account of this.accounts.values()) {
      for (const order of account.orders) if (order.symbol === symbol && order.status === 'open' && order.price !== undefined) resting.push({account, order});
    }
    resting.sort((a, b) => a.order.seq - b.order.seq);
    const at = this.now();
    for (const {account, order} of resting) {
      const book = this.book(symbol);
      const remaining = sub(order.amount, order.filled);
      const match = matchOrder(book, {side: order.side, amount: remaining, limitPrice: Number(order.price)});
      if (!isPositive(match.filled)) continue;
      this.books.set(symbol, order.side === 'buy' ? {bids: book.bids, asks: match.remainingLevels} : {bids: match.remainingLevels, asks: book.asks});
      this.recordFill(account, order, market, Number(order.price), match.filled, 'maker', at);
      if (isZero(sub(order.amount, order.filled))) this.close(account, order, 'filled');
    }
  }

  private close(account: AccountState, order: OrderRecord, status: OrderStatus): void {
    order.status = status;
    order.updatedAt = this.now();
    if (isPositive(order.locked)) {
      const entry = this.balance(account, order.lockAsset);
      entry.locked = sub(entry.locked, order.locked);
      entry.free = add(entry.free, order.locked);
      order.locked = '0';
    }
  }

  /** Finds an order by venue id, or the newest one carrying a client id. */
  findOrder(apiKey: string, ref: {id?: string; clientOrderId?: string; symbol?: string}): OrderRecord | undefined {
    const orders = this.account(apiKey).orders;
    for (let i = orders.length - 1; i >= 0; i--) {
      const order = orders[i]!;
      if (ref.symbol !== undefined && order.symbol !== ref.symbol) continue;
      if (ref.id !== undefined && order.id === ref.id) return order;
      if (ref.id === undefined && ref.clientOrderId !== undefined && order.clientOrderId === ref.clientOrderId) return order;
    }
    return undefined;
  }

  /** Cancels an open order; undefined when unknown or no longer open. */
  cancelOrder(apiKey: string, ref: {id?: string; clientOrderId?: string; symbol?: string}): OrderRecord | undefined {
    const account = this.account(apiKey);
    const orders = account.orders;
    for (let i = orders.length - 1; i >= 0; i--) {
      const order = orders[i]!;
      if (order.status !== 'open') continue;
      if (ref.symbol !== undefined && order.symbol !== ref.symbol) continue;
      const hit = ref.id !== undefined ? order.id === ref.id : order.clientOrderId === ref.clientOrderId;
      if (!hit) continue;
      this.close(account, order, 'canceled');
      return order;
    }
    return undefined;
  }

  // ---- transfers --------------------------------------------------------------

  defaultNetwork(asset: string): NetworkScenario | undefined {
    const networks = this.currencies.get(asset)?.networks ?? [];
    return networks.find((n) => n.isDefault) ?? networks[0];
  }

  depositAddress(apiKey: string, asset: string, network?: string): DepositAddressScenario | undefined {
    const list = this.account(apiKey).depositAddresses.get(asset) ?? [];
    const wanted = network ?? this.defaultNetwork(asset)?.network;
    return list.find((a) => (a.network ?? this.defaultNetwork(asset)?.network) === wanted) ?? (network === undefined ? list[0] : undefined);
  }

  withdraw(apiKey: string, input: WithdrawInput): Result<TransferRecord, WithdrawError> {
    const account = this.account(apiKey);
    const currency = this.currencies.get(input.asset);
    if (!currency) return fail('unknown_asset');
    const network = input.network === undefined ? this.defaultNetwork(input.asset) : currency.networks.find((n) => n.network === input.network);
    if (!network) return fail('unknown_network');
    if (network.withdrawEnabled === false) return fail('withdraw_disabled');
    const amount = safeDec(input.amount);
    if (amount === undefined || !isPositive(amount)) return fail('bad_amount');
    if (cmp(amount, network.withdrawMin) < 0) return fail('below_minimum');
    const debit = this.policy.withdrawFeeOnTop ? add(amount, network.withdrawFee) : amount;
    const entry = this.balance(account, input.asset);
    if (cmp(entry.free, debit) < 0) return fail('insufficient_funds');
    entry.free = sub(entry.free, debit);
    const seq = ++this.seq.transfer;
    const record: TransferRecord = {
      id: this.policy.transferId(seq),
      kind: 'withdrawal',
      asset: input.asset,
      amount,
      network: network.network,
      address: input.address,
      tag: input.tag,
      txid: this.policy.txid(++this.seq.txid),
      fee: dec(network.withdrawFee),
      status: this.withdrawalStatus,
      timestamp: this.now(),
    };
    account.withdrawals.push(record);
    this.onWithdrawal?.(record);
    return ok(record);
  }

  /** What the receiving side of a withdrawal gets. */
  received(record: TransferRecord): string {
    return this.policy.withdrawFeeOnTop ? record.amount : sub(record.amount, record.fee);
  }

  /** Credits a deposit (tests, or a withdrawal routed from a sibling venue). */
  deposit(apiKey: string, input: {asset: string; amount: string; network?: string; address?: string; txid?: string; status?: TransferStatus}): TransferRecord {
    const account = this.account(apiKey);
    const record = this.transferFromSeed('deposit', input);
    account.deposits.push(record);
    if (record.status === 'ok') {
      const entry = this.balance(account, input.asset);
      entry.free = add(entry.free, record.amount);
    }
    return record;
  }

  /** The account owning a deposit address, if any. */
  ownerOfAddress(asset: string, address: string): AccountState | undefined {
    for (const account of this.accounts.values()) {
      if ((account.depositAddresses.get(asset) ?? []).some((a) => a.address === address)) return account;
    }
    return undefined;
  }
}

function copyBook(book: BookScenario): BookSides {
  return {bids: book.bids.map(([p, a]) => [p, a] as const), asks: book.asks.map(([p, a]) => [p, a] as const)};
}
