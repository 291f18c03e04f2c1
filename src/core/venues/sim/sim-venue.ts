/**
 * SimVenue: a simulated exchange behind the Venue port. Market data comes
 * from the seeded generator at clock.now(); the account is the shared
 * account engine (venues/account) over an in-memory store. Everything is
 * canonical at the port; native ids (per dialect) appear only in Market.id /
 * baseId / quoteId / Currency.id.
 *
 * Trading rules are the engine's (documented in docs/simulated-venues.md):
 * market orders walk the generated book as taker; limit orders take what
 * crosses and rest the remainder, which fills as maker at its own price when
 * the book of a later clock second crosses it (generated books are stamped
 * with the start of their second, so each second is offered once).
 *
 * Invariants: those of the engine (total = free + used; used is what the
 * open orders hold; every trade id unique in the venue); transfers move
 * free balances only.
 */
import {
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
  VenueRejectedError,
} from '../../errors.js';
import {add, cmp, dec, isPositive, neg} from '../../money/decimal.js';
import type {
  Balance,
  Clock,
  Currency,
  DepositAddress,
  ExecutionMode,
  Market,
  OrderBook,
  OrderRequest,
  Quote,
  Trade,
  Transfer,
  VenueOrder,
  WithdrawRequest,
} from '../../types.js';
import {AccountEngine} from '../account/engine.js';
import {MemoryAccountStore} from '../account/store.js';
import type {OrderRef, Venue, VenueInfo} from '../port.js';
import {buildMarkets, FLAVORS, type SimFlavor, type SimMarketSpec} from './catalog.js';
import {currencyId, parseMarketId, type SimDialect} from './dialects.js';
import {MarketGenerator} from './generator.js';
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
  private readonly account: AccountEngine;
  private readonly transfers: SimTransfer[] = [];
  private readonly myAddresses: string[] = [];
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
    const balances = Object.fromEntries(Object.entries(options.balances ?? {}).map(([asset, amount]) => [asset, dec(amount)]));
    this.account = new AccountEngine(name, new MemoryAccountStore({balances}), clock);
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

  /** A simulated venue runs on the local clock: its skew is 0 by construction. */
  async fetchServerTime(): Promise<number | undefined> {
    await this.delay();
    return this.clock.now();
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
    this.account.adjustFree(asset, dec(amount));
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    await this.delay();
    this.sync();
    return this.account.balances();
  }

  // ---- orders --------------------------------------------------------------

  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    await this.delay();
    this.sync();
    const spec = this.spec(request.symbol);
    return this.account.place(spec.market, this.generator.book(spec, this.clock.now()), request);
  }

  /**
   * Brings the venue up to clock.now(): resting limit orders are offered the
   * book of the current second; deposits whose time has come are credited.
   */
  private sync(): void {
    const now = this.clock.now();
    for (const symbol of this.account.openSymbols()) {
      const spec = this.spec(symbol);
      this.account.sweep(spec.market, this.generator.book(spec, now));
    }
    for (let i = 0; i < this.transfers.length; i++) {
      const transfer = this.transfers[i]!;
      if (transfer.kind === 'deposit' && transfer.status === 'pending' && transfer.creditAt !== undefined && transfer.creditAt <= now) {
        this.credit(transfer.asset, transfer.amount);
        this.transfers[i] = {...transfer, status: 'ok'};
      }
    }
  }

  async cancelOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.delay();
    this.spec(symbol);
    this.sync();
    return this.account.cancel(ref, symbol);
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.delay();
    this.spec(symbol);
    this.sync();
    return this.account.order(ref, symbol);
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.account.openOrders(symbol);
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.account.closedOrders(symbol, since);
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    await this.delay();
    if (symbol !== undefined) this.spec(symbol);
    this.sync();
    return this.account.trades(symbol, since);
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
    const free = this.account.free(request.asset);
    if (cmp(needed, free) > 0) {
      throw new InsufficientFundsError(venue, `needs ${needed} ${request.asset} (amount + fee), ${free} free`);
    }
    const now = this.clock.now();
    this.account.adjustFree(request.asset, neg(needed));
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
