import {afterEach, describe, expect, it, vi} from 'vitest';
import {validateConfig} from '../../src/core/config/schema.js';
import {ConfigError, InsufficientFundsError, InvalidOrderError, UnknownSymbolError, VenueRejectedError} from '../../src/core/errors.js';
import {add, cmp, dec, mul, sub} from '../../src/core/money/decimal.js';
import type {Balance} from '../../src/core/types.js';
import {createSimVenue, demoPaperBalances, demoProfile, SimVenue} from '../../src/core/venues/sim/index.js';

const T0 = Date.UTC(2026, 3, 2, 14, 0, 0);

class ManualClock {
  constructor(public t: number) {}
  now = () => this.t;
}

function venueAt(t = T0, balances: Record<string, string> = {USD: '100000', BTC: '2'}): {venue: SimVenue; clock: ManualClock} {
  const clock = new ManualClock(t);
  const venue = createSimVenue('simbit', demoProfile().simbit!, clock, {balances});
  return {venue, clock};
}

const total = (balances: readonly Balance[], asset: string) => balances.find((b) => b.asset === asset)?.total ?? '0';
const used = (balances: readonly Balance[], asset: string) => balances.find((b) => b.asset === asset)?.used ?? '0';

describe('SimVenue market orders', () => {
  it('walks the book level by level and charges the taker fee in quote', async () => {
    const {venue} = venueAt();
    const book = await venue.fetchOrderBook('BTC/USD');
    const [[p0, a0], [p1]] = book.asks as [[number, number], [number, number]];
    // Take all of the first level and 0.01 of the second.
    const amount = add(dec(a0), '0.01');
    const order = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount, clientOrderId: 'm1'});
    const cost = add(mul(p0, a0), mul(p1, '0.01'));
    const fee = mul(cost, '0.001');
    expect(order).toMatchObject({status: 'closed', filled: amount, amount, fees: [{cost: fee, currency: 'USD'}]});
    const trades = await venue.fetchMyTrades('BTC/USD');
    expect(trades.map((t) => [t.price, t.amount, t.takerOrMaker])).toEqual([
      [dec(p0), dec(a0), 'taker'],
      [dec(p1), '0.01', 'taker'],
    ]);
    const balances = await venue.fetchBalances();
    expect(total(balances, 'BTC')).toBe(add('2', amount));
    expect(total(balances, 'USD')).toBe(sub('100000', add(cost, fee)));
  });

  it('sells into the bids and credits cost minus fee', async () => {
    const {venue} = venueAt();
    const [[bid]] = (await venue.fetchOrderBook('BTC/USD', 1)).bids as [[number, number]];
    await venue.createOrder({symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '0.001', clientOrderId: 's1'});
    const cost = mul(bid, '0.001');
    const balances = await venue.fetchBalances();
    expect(total(balances, 'BTC')).toBe('1.999');
    expect(total(balances, 'USD')).toBe(add('100000', sub(cost, mul(cost, '0.001'))));
  });

  it('refuses what breaks market rules or balances, placing nothing', async () => {
    const {venue} = venueAt(T0, {USD: '50', BTC: '0'});
    const order = (o: Partial<Parameters<SimVenue['createOrder']>[0]>) =>
      venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001', clientOrderId: 'x', ...o});
    await expect(order({amount: '0.000015'})).rejects.toBeInstanceOf(InvalidOrderError); // off step
    await expect(order({amount: '0.00002'})).rejects.toBeInstanceOf(InvalidOrderError); // below minAmount 0.00003
    await expect(order({amount: '-1'})).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(order({type: 'limit'})).rejects.toBeInstanceOf(InvalidOrderError); // no price
    await expect(order({type: 'limit', price: '100.05'})).rejects.toBeInstanceOf(InvalidOrderError); // off tick 0.1
    await expect(order({type: 'limit', price: '1000', amount: '0.004'})).rejects.toBeInstanceOf(InvalidOrderError); // 4 USD < minCost 5
    await expect(order({amount: '0.01'})).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(order({side: 'sell'})).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(order({symbol: 'BTC/USDT'})).rejects.toBeInstanceOf(UnknownSymbolError);
    expect(await venue.fetchOpenOrders()).toEqual([]);
    expect(await venue.fetchClosedOrders()).toEqual([]);
    expect(await venue.fetchMyTrades()).toEqual([]);
  });
});

describe('SimVenue limit orders', () => {
  it('takes what crosses at once and rests the rest, reserving remaining x price x (1 + the higher fee rate)', async () => {
    const {venue} = venueAt();
    const [[p0, a0]] = (await venue.fetchOrderBook('BTC/USD')).asks as [[number, number]];
    const amount = add(dec(a0), '0.5');
    const order = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'limit', amount, price: dec(p0), clientOrderId: 'l1'});
    expect(order.status).toBe('open');
    expect(order.filled).toBe(dec(a0));
    const balances = await venue.fetchBalances();
    // simbit: taker 0.001 is above maker 0.0005, so the hold covers the taker rate.
    expect(used(balances, 'USD')).toBe(mul(mul('0.5', p0), '1.001'));
    const usd = balances.find((b) => b.asset === 'USD')!;
    expect(cmp(add(usd.free, usd.used), usd.total)).toBe(0);
  });

  it('fills a resting order at its own price, as maker, on a later call whose book crosses it', async () => {
    const {venue, clock} = venueAt();
    const [[bid0]] = (await venue.fetchOrderBook('BTC/USD', 1)).bids as [[number, number]];
    // Find a later second whose best ask is below the current best bid.
    const probeClock = new ManualClock(T0);
    const later = createSimVenue('simbit', demoProfile().simbit!, probeClock);
    let when: number | undefined;
    let ask = 0;
    let askSize = 0;
    for (let s = 1; s < 6 * 3600 && when === undefined; s++) {
      probeClock.t = T0 + s * 1000;
      const [[a, size]] = (await later.fetchOrderBook('BTC/USD', 1)).asks as [[number, number]];
      if (a < bid0 - 5) {
        when = probeClock.t;
        ask = a;
        askSize = size;
      }
    }
    expect(when).toBeDefined();
    const limit = dec(ask + 2); // below the bid now, above the ask then
    const amount = '0.01';
    expect(askSize).toBeGreaterThan(0.01);
    const placed = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'limit', amount, price: limit, clientOrderId: 'rest'});
    expect(placed.status).toBe('open');
    expect(placed.filled).toBe('0');

    clock.t = when!;
    const order = await venue.fetchOrder({clientOrderId: 'rest'}, 'BTC/USD');
    expect(order).toMatchObject({status: 'closed', filled: amount, average: limit});
    const [trade] = await venue.fetchMyTrades('BTC/USD');
    expect(trade).toMatchObject({price: limit, amount, takerOrMaker: 'maker', orderId: placed.id, fee: {cost: mul(mul(limit, amount), '0.0005'), currency: 'USD'}});
    const balances = await venue.fetchBalances();
    expect(used(balances, 'USD')).toBe('0');
    expect(total(balances, 'USD')).toBe(sub('100000', mul(mul(limit, amount), '1.0005')));
    // The same second does not fill anything twice.
    expect(await venue.fetchMyTrades()).toHaveLength(1);
  });

  it('treats cancel as idempotent and keeps closed orders as they are', async () => {
    const {venue} = venueAt();
    const market = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001', clientOrderId: 'c1'});
    expect((await venue.cancelOrder({id: market.id}, 'BTC/USD'))?.status).toBe('closed');
    const rest = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.001', price: '10000', clientOrderId: 'c2'});
    expect((await venue.cancelOrder({clientOrderId: 'c2'}, 'BTC/USD'))?.status).toBe('canceled');
    expect((await venue.cancelOrder({id: rest.id}, 'BTC/USD'))?.status).toBe('canceled');
    expect(await venue.cancelOrder({id: 'nope'}, 'BTC/USD')).toBeUndefined();
    expect(await venue.fetchOrder({id: rest.id}, 'ETH/USD')).toBeUndefined();
    await expect(venue.cancelOrder({id: rest.id}, 'NOPE/USD')).rejects.toBeInstanceOf(UnknownSymbolError);
    expect(used(await venue.fetchBalances(), 'USD')).toBe('0');
  });

  it('refuses a clientOrderId already used on the venue, open or not', async () => {
    const {venue} = venueAt();
    const first = await venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.001', price: '10000', clientOrderId: 'dup'});
    await expect(venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001', clientOrderId: 'dup'})).rejects.toBeInstanceOf(VenueRejectedError);
    await venue.cancelOrder({id: first.id}, 'BTC/USD');
    await expect(venue.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001', clientOrderId: 'dup'})).rejects.toBeInstanceOf(InvalidOrderError);
    expect((await venue.fetchOrder({clientOrderId: 'dup'}, 'BTC/USD'))?.id).toBe(first.id);
    expect((await venue.fetchOrder({clientOrderId: 'dup', id: first.id}, 'BTC/USD'))?.status).toBe('canceled');
    expect(await venue.fetchOrder({clientOrderId: 'dup', id: `${first.id}9`}, 'BTC/USD')).toBeUndefined();
    expect(await venue.fetchMyTrades()).toEqual([]);
  });

  it('gives every trade a unique id across orders', async () => {
    const {venue} = venueAt();
    for (let i = 0; i < 5; i++) await venue.createOrder({symbol: 'BTC/USD', side: i % 2 ? 'sell' : 'buy', type: 'market', amount: '1.2', clientOrderId: `u${i}`});
    const trades = await venue.fetchMyTrades();
    expect(trades.length).toBeGreaterThan(5);
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
  });
});

describe('SimVenue transfers', () => {
  it('moves funds between sim venues: debit amount + fee, credit after the network confirms', async () => {
    const clock = new ManualClock(T0);
    const profile = demoProfile();
    const from = createSimVenue('simbit', profile.simbit!, clock, {balances: {BTC: '1'}});
    const to = createSimVenue('simkraken', profile.simkraken!, clock, {balances: {}});
    const address = await to.fetchDepositAddress('BTC');
    expect(address.address).toMatch(/^bc1q[0-9a-f]{38}$/);
    expect(await to.fetchDepositAddress('BTC')).toEqual(address);
    const [btc] = (await from.fetchCurrencies()).filter((c) => c.code === 'BTC');
    const fee = dec(btc!.networks[0]!.withdrawFee!);

    await expect(from.withdraw({asset: 'BTC', amount: '1', address: address.address})).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(from.withdraw({asset: 'BTC', amount: '0.0001', address: address.address})).rejects.toBeInstanceOf(InvalidOrderError);
    const sent = await from.withdraw({asset: 'BTC', amount: '0.1', address: address.address});
    expect(sent).toMatchObject({kind: 'withdrawal', status: 'ok', amount: '0.1', fee: {cost: fee, currency: 'BTC'}});
    expect(total(await from.fetchBalances(), 'BTC')).toBe(sub('0.9', fee));

    const [pending] = await to.fetchDeposits('BTC');
    expect(pending).toMatchObject({kind: 'deposit', status: 'pending', amount: '0.1', txid: sent.txid});
    expect(total(await to.fetchBalances(), 'BTC')).toBe('0');
    clock.t += 30 * 60_000;
    expect((await to.fetchDeposits('BTC'))[0]!.status).toBe('ok');
    expect(total(await to.fetchBalances(), 'BTC')).toBe('0.1');
    expect(await from.fetchWithdrawals()).toHaveLength(1);
    await from.close();
    await to.close();
  });
});

describe('createSimVenue and the demo profile', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('marks venues as simulated and applies config', async () => {
    const venue = createSimVenue('mysim', {exchange: 'sim', mode: 'live', fees: {taker: 0.002}, sim: {seed: 5, dialect: 'lower'}}, {now: () => T0});
    expect(venue.info).toMatchObject({id: 'mysim', exchange: 'sim', simulated: true, mode: 'live'});
    expect(venue.dialect).toBe('lower');
    const markets = await venue.loadMarkets();
    expect(markets.every((m) => m.taker === 0.002)).toBe(true);
    expect(markets[0]!.id).toBe('btcusdt');
    expect(total(await venue.fetchBalances(), 'USDT')).toBe('100000');
  });

  it('rejects an unknown dialect and a non-integer seed with ConfigError', () => {
    expect(() => createSimVenue('x', {exchange: 'sim', mode: 'paper', sim: {dialect: 'camel' as never}}, {now: () => T0})).toThrow(ConfigError);
    expect(() => createSimVenue('x', {exchange: 'sim', mode: 'paper', sim: {seed: 1.5}}, {now: () => T0})).toThrow(ConfigError);
  });

  it('picks a stable dialect and seed from the name when config has none', async () => {
    const a = createSimVenue('alpha', {exchange: 'sim', mode: 'paper'}, {now: () => T0});
    const b = createSimVenue('alpha', {exchange: 'sim', mode: 'paper'}, {now: () => T0});
    expect(b.dialect).toBe(a.dialect);
    expect(await b.fetchQuotes()).toEqual(await a.fetchQuotes());
  });

  it('waits the configured latency before answering', async () => {
    vi.useFakeTimers();
    const venue = createSimVenue('simbit', demoProfile().simbit!, {now: () => T0}, {latencyMs: 250});
    let done = false;
    const pending = venue.loadMarkets().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it('has at least three paper venues in four dialects, allocations summing to 100, a valid config', () => {
    const profile = demoProfile();
    const names = Object.keys(profile);
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(new Set(names.map((n) => profile[n]!.sim?.dialect)).size).toBe(names.length);
    expect(names.reduce((t, n) => t + profile[n]!.allocation!, 0)).toBe(100);
    expect(new Set(names.map((n) => profile[n]!.priority)).size).toBe(names.length);
    for (const name of names) {
      expect(profile[name]).toMatchObject({exchange: 'sim', mode: 'paper'});
      expect(profile[name]!.paperBalances).toEqual(demoPaperBalances(name));
      expect(Object.keys(demoPaperBalances(name)).length).toBeGreaterThan(0);
    }
    expect(() => validateConfig({venues: profile})).not.toThrow();
    expect(demoPaperBalances('binance')).toEqual({});
  });
});
