/**
 * SimVenue: a simulated exchange behind the Venue port. Market data comes
 * from the seeded generator at clock.now(); trading happens in memory with
 * the shared matching engine. Everything is canonical at the port; native
 * ids (per dialect) appear only in Market.id / baseId / quoteId / Currency.id.
 *
 * Trading rules (documented in docs/simulated-venues.md):
 * - Market orders walk the generated book as taker; what the book cannot
 *   fill expires. Limit orders take what crosses at once (taker, book
 *   prices), the rest rests and fills at its own price (maker) on a later
 *   call whose generated book crosses it (at most once per clock second).
 * - Fees are charged in the quote currency: a buy spends cost + fee, a sell
 *   receives cost - fee. Resting orders reserve funds (`used`): a buy
 *   remaining x price x (1 + maker), a sell the remaining base amount.
 * - Amounts must be multiples of the amount step, limit prices multiples of
 *   the tick; below minAmount or minCost -> InvalidOrderError.
 * - A clientOrderId may not repeat among open orders (like real venues);
 *   it may be reused once the first order is closed.
 *
 * Invariants: total = free + used for every asset; used is the sum of the
 * open orders' reservations; every trade id is unique in the venue; balances
 * move by exactly the trades' cost and fees.
 */
import {
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
  VenueRejectedError,
} from '../../errors.js';
import {matchOrder, type MatchFill} from '../../market/matching.js';
import {add, cmp, dec, div, isPositive, isZero, mul, roundToStep, sub, sum} from '../../money/decimal.js';
import type {
  Balance,
  Clock,
  Currency,
  DepositAddress,
  ExecutionMode,
  Fee,
  Market,
  OrderBook,
  OrderRequest,
  Quote,
  Side,
  Trade,
  Transfer,
  VenueOrder,
  VenueOrderStatus,
  WithdrawRequest,
} from '../../types.js';
import type {OrderRef, Venue, VenueInfo} from '../port.js';
import {buildMarkets, FLAVORS, type SimFlavor, type SimMarketSpec} from './catalog.js';
import {currencyId, parseMarketId, type SimDialect} from './dialects.js';
import {MarketGenerator, secondOf} from './generator.js';
import {hashString, mix, unit} from './random.js';
import {assetSpec, type NetworkSpec} from './universe.js';

export interface SimVenueOptions {
  /** Delay before every answer, ms (default 0: answers at once). */
  readonly latencyMs?: number;
  /** Starting balances (asset -> decimal string). */
  readonly balances?: Readonly<Record<string, string>>;
  /** The world every venue shares; only tests change it. */
  readonly worldSeed?: number;
  readonly mode?: ExecutionMode;
  /** The user's fee tier, overriding the venue's default fees. */
  readonly fees?: {readonly taker?: number; readonly maker?: number};
}

interface SimOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly spec: SimMarketSpec;
  readonly side: Side;
  readonly type: 'market' | 'limit';
  readonly amount: string;
  readonly price: string | undefined;
  readonly timestamp: number;
  status: VenueOrderStatus;
  filled: string;
  cost: string;
  fee: string;
  /** Funds held for the resting part, in `reserveAsset`. */
  reserved: string;
  readonly reserveAsset: string;
  /** Last clock second a resting order was matched against the book. */
  lastSecond: number;
}

interface SimTransfer extends Transfer {
  /** Deposits: when the funds arrive. */
  readonly creditAt?: number;
}

/** Deposit addresses of the sim venues alive in this process, so withdrawals between them arrive. */
const addressBook = new Map<string, SimVenue>();
const addressKey = (network: string, address: string, tag: string | undefined) => `${network}|${address}|${tag ?? ''}`;

const HEX = '0123456789abcdef';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function chars(hash: number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(unit(hash, i) * alphabet.length)];
  return out;
}

function makeAddress(style: NetworkSpec['address'], hash: number): {address: string; tag: string | undefined} {
  switch (style) {
    case 'btc':
      return {address: `bc1q${chars(hash, HEX, 38)}`, tag: undefined};
    case 'evm':
      return {address: `0x${chars(hash, HEX, 40)}`, tag: undefined};
    case 'sol':
      return {address: chars(hash, BASE58, 44), tag: undefined};
    case 'xrp':
      return {address: `r${chars(hash, BASE58, 33)}`, tag: String(100_000 + Math.floor(unit(hash, 99) * 900_000))};
    case 'ltc':
      return {address: `ltc1q${chars(hash, HEX, 38)}`, tag: undefined};
    case 'doge':
      return {address: `D${chars(hash, BASE58, 33)}`, tag: undefined};
    case 'ada':
      return {address: `addr1${chars(hash, HEX, 54)}`, tag: undefined};
    case 'tron':
      return {address: `T${chars(hash, BASE58, 33)}`, tag: undefined};
  }
}

export class SimVenue implements Venue {
  readonly info: VenueInfo;
  readonly dialect: SimDialect;
  readonly seed: number;
  private readonly flavor: SimFlavor;
  private readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly generator: MarketGenerator;
  private readonly specs: readonly SimMarketSpec[];
  private readonly bySymbol: ReadonlyMap<string, SimMarketSpec>;
  private readonly byId: ReadonlyMap<string, SimMarketSpec>;
  private readonly assets: readonly string[];
  private readonly totals = new Map<string, string>();
  private readonly orders: SimOrder[] = [];
  private readonly trades: Trade[] = [];
  private readonly transfers: SimTransfer[] = [];
  private readonly myAddresses: string[] = [];
  private orderSeq = 0;
  private tradeSeq = 0;
  private transferSeq = 0;

  constructor(name: string, dialect: SimDialect, seed: number, clock: Clock, options: SimVenueOptions = {}) {
    this.dialect = dialect;
    this.seed = seed;
    this.flavor = FLAVORS[dialect];
    this.clock = clock;
    this.latencyMs = options.latencyMs ?? 0;
    this.generator = new MarketGenerator(options.worldSeed);
    this.specs = buildMarkets(this.flavor, seed, options.fees);
    this.bySymbol = new Map(this.specs.map((spec) => [spec.market.symbol, spec]));
    this.byId = new Map(this.specs.map((spec) => [spec.market.id, spec]));
    this.assets = [...new Set(this.specs.flatMap((spec) => [spec.base, spec.quote]))].sort();
    for (const [asset, amount] of Object.entries(options.balances ?? {})) this.totals.set(asset, dec(amount));
    this.info = {
      id: name,
      exchange: 'sim',
      simulated: true,
      sandbox: false,
      mode: options.mode ?? 'paper',
      // Simulated venues need no keys; trading is always allowed.
      hasKeys: false,
      rateLimitMs: 0,
      capabilities: {
        bidsAsks: true,
        orderBookStream: false,
        positions: false,
        currencies: true,
        withdraw: true,
        depositAddress: true,
        transfers: true,
      },
    };
  }

  // ---- symbols -------------------------------------------------------------

  /** Canonical symbol for one of this venue's native market ids. */
  symbolOf(nativeId: string): string | undefined {
    const spec = this.byId.get(nativeId);
    if (spec) return spec.market.symbol;
    const parsed = parseMarketId(this.dialect, nativeId, this.assets);
    return parsed && this.bySymbol.has(`${parsed.base}/${parsed.quote}`) ? `${parsed.base}/${parsed.quote}` : undefined;
  }

  /** This venue's native market id for a canonical symbol. */
  nativeIdOf(symbol: string): string | undefined {
    return this.bySymbol.get(symbol)?.market.id;
  }

  private spec(symbol: string): SimMarketSpec {
    const spec = this.bySymbol.get(symbol);
    if (!spec) throw new UnknownSymbolError(symbol, [this.info.id]);
    return spec;
  }

  // ---- market data ---------------------------------------------------------

  async loadMarkets(): Promise<readonly Market[]> {
    await this.delay();
    return this.specs.map((spec) => spec.market);
  }

  async fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    await this.delay();
    const specs = symbols === undefined ? this.specs : symbols.map((symbol) => this.spec(symbol));
    const now = this.clock.now();
    return specs.map((spec) => {
      const book = this.generator.book(spec, now, 1);
      const bid = book.bids[0];
      const ask = book.asks[0];
      return {
        venue: this.info.id,
        symbol: spec.market.symbol,
        bid: bid?.[0],
        bidSize: bid?.[1],
        ask: ask?.[0],
        askSize: ask?.[1],
        timestamp: book.timestamp,
        receivedAt: now,
      };
    });
  }

  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    await this.delay();
    const spec = this.spec(symbol);
    const now = this.clock.now();
    const book = this.generator.book(spec, now, depth);
    return {venue: this.info.id, symbol, bids: book.bids, asks: book.asks, timestamp: book.timestamp, receivedAt: now};
  }

  async fetchCurrencies(): Promise<readonly Currency[]> {
    await this.delay();
    return this.assets.map((code) => {
      const spec = assetSpec(code);
      return {
        code,
        id: currencyId(this.dialect, code),
        name: spec.name,
        networks: spec.networks.map((net) => ({
          network: net.network,
          withdrawEnabled: true,
          depositEnabled: true,
          withdrawFee: this.withdrawFee(net),
          withdrawMin: net.min,
        })),
      };
    });
  }

  private withdrawFee(net: NetworkSpec): number {
    return Number((net.fee * this.flavor.withdrawFeeFactor).toPrecision(6));
  }

  // ---- balances ------------------------------------------------------------

  /** Adds funds from outside (tests, demos). Not part of the Venue port. */
  credit(asset: string, amount: string): void {
    this.totals.set(asset, add(this.totals.get(asset) ?? '0', amount));
  }

  private used(asset: string): string {
    return sum(this.orders.filter((o) => o.status === 'open' && o.reserveAsset === asset).map((o) => o.reserved));
  }

  private free(asset: string): string {
    return sub(this.totals.get(asset) ?? '0', this.used(asset));
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    await this.delay();
    this.sync();
    return [...this.totals.keys()].sort().map((asset) => {
      const total = this.totals.get(asset) ?? '0';
      const used = this.used(asset);
      return {asset, free: sub(total, used), used, total};
    });
  }

  // ---- orders --------------------------------------------------------------

  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    await this.delay();
    this.sync();
    const spec = this.spec(request.symbol);
    const market = spec.market;
    const venue = this.info.id;
    if (request.clientOrderId === '') throw new InvalidOrderError(venue, 'clientOrderId is required');
    if (this.orders.some((o) => o.status === 'open' && o.clientOrderId === request.clientOrderId)) {
      throw new VenueRejectedError(venue, `an open order already uses clientOrderId ${request.clientOrderId}`);
    }
    const amount = this.checkAmount(request.amount, spec);
    let limitPrice: number | undefined;
    let price: string | undefined;
    if (request.type === 'limit') {
      if (request.price === undefined) throw new InvalidOrderError(venue, 'a limit order needs a price');
      price = dec(request.price);
      if (!isPositive(price)) throw new InvalidOrderError(venue, `price must be positive, got ${request.price}`);
      if (market.priceStep !== undefined && cmp(roundToStep(price, market.priceStep), price) !== 0) {
        throw new InvalidOrderError(venue, `price ${price} is not a multiple of the tick ${dec(market.priceStep)} for ${market.symbol}`);
      }
      limitPrice = Number(price);
    }

    const now = this.clock.now();
    const book = this.generator.book(spec, now);
    const match = matchOrder(book, {side: request.side, amount, limitPrice});
    const notional = price !== undefined ? mul(amount, price) : isZero(match.filled) ? '0' : match.cost;
    if (market.minCost !== undefined && cmp(notional, dec(market.minCost)) < 0) {
      throw new InvalidOrderError(venue, `order value ${notional} ${spec.quote} is below the minimum ${dec(market.minCost)} for ${market.symbol}`);
    }
    if (price === undefined && isZero(match.filled)) throw new VenueRejectedError(venue, `no liquidity for ${market.symbol}`);

    const takerFee = mul(match.cost, market.taker);
    const remaining = sub(amount, match.filled);
    const resting = request.type === 'limit' && isPositive(remaining);
    const reserve = !resting ? '0' : request.side === 'buy' ? mul(mul(remaining, price as string), add(1, market.maker)) : remaining;
    if (request.side === 'buy') {
      const needed = add(match.cost, takerFee, reserve);
      if (cmp(needed, this.free(spec.quote)) > 0) {
        throw new InsufficientFundsError(venue, `needs ${needed} ${spec.quote}, ${this.free(spec.quote)} free`);
      }
    } else if (cmp(amount, this.free(spec.base)) > 0) {
      throw new InsufficientFundsError(venue, `needs ${amount} ${spec.base}, ${this.free(spec.base)} free`);
    }

    const order: SimOrder = {
      id: String(1_000_000 + ++this.orderSeq),
      clientOrderId: request.clientOrderId,
      spec,
      side: request.side,
      type: request.type,
      amount,
      price,
      timestamp: now,
      status: 'open',
      filled: '0',
      cost: '0',
      fee: '0',
      reserved: reserve,
      reserveAsset: request.side === 'buy' ? spec.quote : spec.base,
      lastSecond: secondOf(now),
    };
    this.orders.push(order);
    for (const fill of match.fills) this.fill(order, fill, 'taker', now);
    if (request.type === 'market') order.status = cmp(order.filled, order.amount) === 0 ? 'closed' : 'expired';
    else if (!resting) order.status = 'closed';
    return this.view(order);
  }

  private checkAmount(raw: string, spec: SimMarketSpec): string {
    const venue = this.info.id;
    const market = spec.market;
    let amount: string;
    try {
      amount = dec(raw);
    } catch {
      throw new InvalidOrderError(venue, `amount is not a number: ${JSON.stringify(raw)}`);
    }
    if (!isPositive(amount)) throw new InvalidOrderError(venue, `amount must be positive, got ${raw}`);
    if (market.amountStep !== undefined && cmp(roundToStep(amount, market.amountStep), amount) !== 0) {
      throw new InvalidOrderError(venue, `amount ${amount} is not a multiple of the step ${dec(market.amountStep)} for ${market.symbol}`);
    }
    if (market.minAmount !== undefined && cmp(amount, dec(market.minAmount)) < 0) {
      throw new InvalidOrderError(venue, `amount ${amount} is below the minimum ${dec(market.minAmount)} for ${market.symbol}`);
    }
    if (market.maxAmount !== undefined && cmp(amount, dec(market.maxAmount)) > 0) {
      throw new InvalidOrderError(venue, `amount ${amount} is above the maximum ${dec(market.maxAmount)} for ${market.symbol}`);
    }
    return amount;
  }

  /** Books one fill: balances, the order's totals, its reservation and a trade. */
  private fill(order: SimOrder, fill: MatchFill, takerOrMaker: 'taker' | 'maker', now: number): void {
    const {spec} = order;
    const price = dec(fill.price);
    const cost = mul(price, fill.amount);
    const fee = mul(cost, takerOrMaker === 'taker' ? spec.market.taker : spec.market.maker);
    const base = this.totals.get(spec.base) ?? '0';
    const quote = this.totals.get(spec.quote) ?? '0';
    if (order.side === 'buy') {
      this.totals.set(spec.base, add(base, fill.amount));
      this.totals.set(spec.quote, sub(quote, add(cost, fee)));
    } else {
      this.totals.set(spec.base, sub(base, fill.amount));
      this.totals.set(spec.quote, add(quote, sub(cost, fee)));
    }
    if (takerOrMaker === 'maker') {
      const release = order.side === 'buy' ? add(cost, fee) : fill.amount;
      order.reserved = cmp(release, order.reserved) >= 0 ? '0' : sub(order.reserved, release);
    }
    order.filled = add(order.filled, fill.amount);
    order.cost = add(order.cost, cost);
    order.fee = add(order.fee, fee);
    const feeView: Fee = {cost: fee, currency: spec.quote};
    this.trades.push({
      id: `T${1_000_000 + ++this.tradeSeq}`,
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      symbol: spec.market.symbol,
      side: order.side,
      price,
      amount: fill.amount,
      fee: feeView,
      takerOrMaker,
      timestamp: now,
    });
    if (cmp(order.filled, order.amount) >= 0) {
      order.status = 'closed';
      order.reserved = '0';
    }
  }

  /**
   * Brings the venue up to clock.now(): resting limit orders fill (as maker,
   * at their own price) against the book of the current second when it
   * crosses them, once per second; deposits whose time has come are credited.
   */
  private sync(): void {
    const now = this.clock.now();
    const second = secondOf(now);
    for (const order of this.orders) {
      if (order.status !== 'open' || order.lastSecond === second || order.price === undefined) continue;
      order.lastSecond = second;
      const book = this.generator.book(order.spec, now);
      const match = matchOrder(book, {side: order.side, amount: sub(order.amount, order.filled), limitPrice: Number(order.price)});
      if (isPositive(match.filled)) this.fill(order, {price: Number(order.price), amount: match.filled}, 'maker', now);
    }
    for (let i = 0; i < this.transfers.length; i++) {
      const transfer = this.transfers[i]!;
      if (transfer.kind === 'deposit' && transfer.status === 'pending' && transfer.creditAt !== undefined && transfer.creditAt <= now) {
        this.credit(transfer.asset, transfer.amount);
        this.transfers[i] = {...transfer, status: 'ok'};
      }
    }
  }

  private view(order: SimOrder): VenueOrder {
    const filled = order.filled;
    return {
      id: order.id,
      clientOrderId: order.clientOrderId,
      symbol: order.spec.market.symbol,
      side: order.side,
      type: order.type,
      status: order.status,
      amount: order.amount,
      filled,
      price: order.price,
      average: isZero(filled) ? undefined : roundToStep(div(order.cost, filled), '0.000000000001', 'nearest'),
      fees: isZero(filled) ? [] : [{cost: order.fee, currency: order.spec.quote}],
      timestamp: order.timestamp,
    };
  }

  private find(ref: OrderRef, symbol: string): SimOrder | undefined {
    this.spec(symbol);
    if (ref.id === undefined && ref.clientOrderId === undefined) return undefined;
    const matches = this.orders.filter(
      (o) =>
        o.spec.market.symbol === symbol &&
        (ref.id === undefined || o.id === ref.id) &&
        (ref.clientOrderId === undefined || o.clientOrderId === ref.clientOrderId),
    );
    // The open one wins, then the newest (client ids repeat only after the first order closed).
    return matches.find((o) => o.status === 'open') ?? matches[matches.length - 1];
  }

  async cancelOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.delay();
    this.sync();
    const order = this.find(ref, symbol);
    if (!order) return undefined;
    if (order.status === 'open') {
      order.status = 'canceled';
      order.reserved = '0';
    }
    return this.view(order);
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.delay();
    this.sync();
    const order = this.find(ref, symbol);
    return order && this.view(order);
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.orders.filter((o) => o.status === 'open' && (symbol === undefined || o.spec.market.symbol === symbol)).map((o) => this.view(o));
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.orders
      .filter((o) => o.status !== 'open' && (symbol === undefined || o.spec.market.symbol === symbol) && (since === undefined || o.timestamp >= since))
      .map((o) => this.view(o));
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.trades.filter((t) => (symbol === undefined || t.symbol === symbol) && (since === undefined || t.timestamp >= since));
  }

  // ---- transfers -----------------------------------------------------------

  private network(asset: string, network: string | undefined): NetworkSpec {
    if (!this.assets.includes(asset)) throw new VenueRejectedError(this.info.id, `${asset} is not listed`);
    const networks = assetSpec(asset).networks;
    const found = network === undefined ? networks[0] : networks.find((n) => n.network === network);
    if (!found) {
      const known = networks.map((n) => n.network).join(', ') || 'none';
      throw new VenueRejectedError(this.info.id, `${asset} has no network ${network ?? ''} (networks: ${known})`);
    }
    return found;
  }

  async fetchDepositAddress(asset: string, network?: string): Promise<DepositAddress> {
    await this.delay();
    const net = this.network(asset, network);
    const hash = mix(mix(hashString(`${asset}|${net.network}`), this.seed), hashString(this.info.id));
    const {address, tag} = makeAddress(net.address, hash);
    const key = addressKey(net.network, address, tag);
    if (addressBook.get(key) !== this) {
      addressBook.set(key, this);
      this.myAddresses.push(key);
    }
    return {asset, network: net.network, address, tag};
  }

  async withdraw(request: WithdrawRequest): Promise<Transfer> {
    await this.delay();
    this.sync();
    const venue = this.info.id;
    const net = this.network(request.asset, request.network);
    let amount: string;
    try {
      amount = dec(request.amount);
    } catch {
      throw new InvalidOrderError(venue, `amount is not a number: ${JSON.stringify(request.amount)}`);
    }
    if (!isPositive(amount)) throw new InvalidOrderError(venue, `amount must be positive, got ${request.amount}`);
    if (cmp(amount, net.min) < 0) throw new InvalidOrderError(venue, `withdrawal of ${amount} ${request.asset} is below the minimum ${dec(net.min)}`);
    const fee = dec(this.withdrawFee(net));
    const needed = add(amount, fee);
    if (cmp(needed, this.free(request.asset)) > 0) {
      throw new InsufficientFundsError(venue, `needs ${needed} ${request.asset} (amount + fee), ${this.free(request.asset)} free`);
    }
    const now = this.clock.now();
    this.totals.set(request.asset, sub(this.totals.get(request.asset) ?? '0', needed));
    const seq = ++this.transferSeq;
    const txid = `simtx-${venue}-${seq}`;
    const transfer: SimTransfer = {
      id: `W${seq}`,
      kind: 'withdrawal',
      asset: request.asset,
      amount,
      network: net.network,
      address: request.address,
      txid,
      status: 'ok',
      fee: {cost: fee, currency: request.asset},
      timestamp: now,
    };
    this.transfers.push(transfer);
    addressBook.get(addressKey(net.network, request.address, request.tag))?.receive(request.asset, amount, net, request.address, txid, now);
    return transfer;
  }

  /** An incoming transfer from another sim venue: pending until the network's confirmation time passes. */
  private receive(asset: string, amount: string, net: NetworkSpec, address: string, txid: string, now: number): void {
    this.transfers.push({
      id: `D${++this.transferSeq}`,
      kind: 'deposit',
      asset,
      amount,
      network: net.network,
      address,
      txid,
      status: 'pending',
      fee: undefined,
      timestamp: now,
      creditAt: now + net.confirmMs,
    });
  }

  private transfersOf(kind: 'deposit' | 'withdrawal', asset?: string, since?: number): Transfer[] {
    return this.transfers
      .filter((t) => t.kind === kind && (asset === undefined || t.asset === asset) && (since === undefined || t.timestamp >= since))
      .map(({creditAt: _creditAt, ...transfer}) => transfer);
  }

  async fetchDeposits(asset?: string, since?: number): Promise<readonly Transfer[]> {
    await this.delay();
    this.sync();
    return this.transfersOf('deposit', asset, since);
  }

  async fetchWithdrawals(asset?: string, since?: number): Promise<readonly Transfer[]> {
    await this.delay();
    this.sync();
    return this.transfersOf('withdrawal', asset, since);
  }

  async close(): Promise<void> {
    for (const key of this.myAddresses) if (addressBook.get(key) === this) addressBook.delete(key);
    this.myAddresses.length = 0;
  }

  private async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }
}
