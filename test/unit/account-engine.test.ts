/**
 * The account engine on its own: every rule, run against both stores (in
 * memory, and the journal's paper tables in a real SQLite file).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest';
import {InsufficientFundsError, InvalidOrderError, VenueRejectedError} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {add, cmp, mul, sub, sum} from '../../src/core/money/decimal.js';
import type {Level, Market, OrderRequest} from '../../src/core/types.js';
import {AccountEngine, validateOrder, type TradableBook} from '../../src/core/venues/account/engine.js';
import {MemoryAccountStore, type AccountStore} from '../../src/core/venues/account/store.js';
import {JournalAccountStore} from '../../src/core/venues/paper/journal-store.js';

const T0 = Date.UTC(2026, 1, 1, 9);

function btcUsd(over: Partial<Market> = {}): Market {
  return {
    symbol: 'BTC/USD',
    id: 'BTCUSD',
    base: 'BTC',
    quote: 'USD',
    baseId: 'BTC',
    quoteId: 'USD',
    type: 'spot',
    active: true,
    taker: 0.002,
    maker: 0.001,
    amountStep: 0.001,
    priceStep: 0.5,
    minAmount: 0.01,
    maxAmount: 50,
    minCost: 10,
    ...over,
  };
}

const book = (asks: Level[], bids: Level[], timestamp = T0): TradableBook => ({asks, bids, timestamp});

const req = (over: Partial<OrderRequest> = {}): OrderRequest => ({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.1', clientOrderId: 'c1', ...over});

describe('validateOrder', () => {
  const refused = (over: Partial<OrderRequest>, market = btcUsd()) => () => validateOrder('v', market, req(over));

  it('accepts an order on every rule and normalizes its numbers', () => {
    expect(validateOrder('v', btcUsd(), req({type: 'limit', amount: '0.100', price: '100.50'}))).toEqual({amount: '0.1', price: '100.5'});
    expect(validateOrder('v', btcUsd(), req({price: '1'}))).toEqual({amount: '0.1', price: undefined});
  });

  it('refuses each broken rule with InvalidOrderError', () => {
    expect(refused({}, btcUsd({active: false}))).toThrow(InvalidOrderError);
    expect(refused({amount: '0.0105'})).toThrow(/step 0.001/);
    expect(refused({amount: '0.009'})).toThrow(/below the minimum 0.01/);
    expect(refused({amount: '50.001'})).toThrow(/above the maximum 50/);
    expect(refused({amount: '0'})).toThrow(/positive/);
    expect(refused({amount: 'lots'})).toThrow(InvalidOrderError);
    expect(refused({type: 'limit'})).toThrow(/needs a price/);
    expect(refused({type: 'limit', price: '100.2'})).toThrow(/tick 0.5/);
    expect(refused({type: 'limit', price: '-100'})).toThrow(/positive/);
    expect(refused({type: 'limit', price: '99.5', amount: '0.1'})).toThrow(/order value 9.95 USD is below the minimum 10/);
    expect(refused({clientOrderId: ''})).toThrow(/clientOrderId/);
    for (const over of [{amount: '0.0105'}, {type: 'limit' as const}, {clientOrderId: ''}]) expect(refused(over)).toThrow(InvalidOrderError);
  });

  it('leaves out the limits a market does not have', () => {
    const bare = btcUsd({amountStep: undefined, priceStep: undefined, minAmount: undefined, maxAmount: undefined, minCost: undefined});
    expect(validateOrder('v', bare, req({type: 'limit', amount: '0.0000001', price: '0.123'}))).toEqual({amount: '0.0000001', price: '0.123'});
  });
});

const folder = mkdtempSync(join(tmpdir(), 'xarb-account-'));
afterAll(() => rmSync(folder, {recursive: true, force: true}));

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const stores: [string, (balances: Record<string, string>) => AccountStore][] = [
  ['memory store', (balances) => new MemoryAccountStore({balances})],
  [
    'journal store',
    (balances) => {
      const db = openDb(join(folder, `j${dbs.length}-${Math.random().toString(36).slice(2)}.db`));
      dbs.push(db);
      const store = new JournalAccountStore(db, 'paper-x');
      store.seed(balances);
      return store;
    },
  ],
];

describe.each(stores)('AccountEngine on the %s', (_label, makeStore) => {
  let now: number;
  let engine: AccountEngine;
  let store: AccountStore;
  const market = btcUsd();

  beforeEach(() => {
    now = T0;
    store = makeStore({USD: '1000', BTC: '1'});
    engine = new AccountEngine('v', store, {now: () => now});
  });

  const holding = (asset: string) => {
    const b = engine.balances().find((x) => x.asset === asset);
    return b ? {free: b.free, used: b.used} : {free: '0', used: '0'};
  };
  /** used = what the open orders hold, per asset. */
  const expectUsedMatchesOrders = () => {
    const open = store.orders({state: 'open'});
    for (const asset of ['USD', 'BTC']) {
      const held = sum(open.filter((o) => (o.side === 'buy' ? o.quote : o.base) === asset).map((o) => o.reserved));
      expect(cmp(holding(asset).used, held), asset).toBe(0);
    }
  };

  it('fills a market buy as taker level by level; the fee is charged in quote', () => {
    const order = engine.place(market, book([[100, 0.05], [101, 1]], [[99, 1]]), req({amount: '0.1'}));
    // 0.05 x 100 + 0.05 x 101 = 10.05; taker 0.2%: 0.01 + 0.0101
    expect(order).toMatchObject({status: 'closed', filled: '0.1', average: '100.5', fees: [{cost: '0.0201', currency: 'USD'}]});
    expect(engine.trades().map((t) => [t.price, t.amount, t.takerOrMaker, t.fee?.cost])).toEqual([
      ['100', '0.05', 'taker', '0.01'],
      ['101', '0.05', 'taker', '0.0101'],
    ]);
    expect(holding('USD')).toEqual({free: '989.9299', used: '0'});
    expect(holding('BTC')).toEqual({free: '1.1', used: '0'});
  });

  it('sells into the bids and credits cost minus fee', () => {
    engine.place(market, book([[101, 1]], [[100, 1]]), req({side: 'sell', amount: '0.5'}));
    expect(holding('BTC').free).toBe('0.5');
    expect(holding('USD').free).toBe('1049.9'); // 50 - 0.1
  });

  it('a market order expires what the book cannot fill, is refused with nothing to take, and checks minCost on what it trades', () => {
    const partial = engine.place(market, book([[100, 0.2]], [[99, 1]]), req({amount: '0.5'}));
    expect(partial).toMatchObject({status: 'expired', filled: '0.2'});
    expect(() => engine.place(market, book([], [[99, 1]]), req({clientOrderId: 'c2'}))).toThrow(InvalidOrderError); // 0 < minCost 10
    const noMin = btcUsd({minCost: undefined});
    expect(() => engine.place(noMin, book([], [[99, 1]]), req({clientOrderId: 'c3'}))).toThrow(VenueRejectedError);
    expect(() => engine.place(market, book([[100, 0.05]], [[99, 1]]), req({clientOrderId: 'c4'}))).toThrow(/order value 5 USD/);
    expect(engine.openOrders()).toEqual([]);
    expect(engine.closedOrders().map((o) => o.clientOrderId)).toEqual(['c1']);
  });

  it('refuses what it cannot pay for, moving nothing', () => {
    const before = engine.balances();
    expect(() => engine.place(market, book([[100, 20]], [[99, 20]]), req({amount: '10'}))).toThrow(InsufficientFundsError);
    // A sell needs the whole amount in base, even the part that would rest.
    expect(() => engine.place(market, book([[101, 5]], [[100, 0.5]]), req({side: 'sell', type: 'limit', price: '100', amount: '1.5'}))).toThrow(InsufficientFundsError);
    // A buy that rests needs the hold too: 9.9 x 100 x 1.002 = 991.98 > 1000 - 0.1 x 100 x 1.002.
    expect(() => engine.place(market, book([[100, 0.1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '10'}))).toThrow(InsufficientFundsError);
    expect(engine.balances()).toEqual(before);
    expect(store.orders()).toEqual([]);
    expect(engine.trades()).toEqual([]);
  });

  it('refuses a clientOrderId used before on the venue, open or ended', () => {
    const first = engine.place(market, book([[100, 5]], [[99, 5]]), req({type: 'limit', price: '90', amount: '0.2', clientOrderId: 'dup'}));
    expect(() => engine.place(market, book([[100, 5]], [[99, 5]]), req({clientOrderId: 'dup'}))).toThrow(InvalidOrderError);
    engine.cancel({id: first.id});
    expect(() => engine.place(market, book([[100, 5]], [[99, 5]]), req({clientOrderId: 'dup'}))).toThrow(/already used/);
    expect(store.orders()).toHaveLength(1);
  });

  it('rests a limit remainder holding remaining x price x (1 + the higher fee rate); a sell holds the base', () => {
    const buy = engine.place(market, book([[100, 0.1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.3'}));
    expect(buy).toMatchObject({status: 'open', filled: '0.1'});
    // taker fill 10 + 0.02 fee; hold 0.2 x 100 x 1.002 = 20.04
    expect(holding('USD')).toEqual({free: '969.94', used: '20.04'});
    const sell = engine.place(market, book([[100, 1]], [[99, 1]]), req({side: 'sell', type: 'limit', price: '105', amount: '0.4', clientOrderId: 'c2'}));
    expect(sell).toMatchObject({status: 'open', filled: '0'});
    expect(holding('BTC')).toEqual({free: '0.7', used: '0.4'});
    expectUsedMatchesOrders();
  });

  it('fills a resting order as maker at its own limit price when a newer book crosses it', () => {
    const placed = engine.place(market, book([[101, 1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.2'}));
    expect(holding('USD')).toEqual({free: '979.96', used: '20.04'});
    // The same book (same time) is not offered twice.
    expect(engine.sweep(market, book([[98, 1]], [[97, 1]]))).toBe(0);
    now += 1000;
    expect(engine.sweep(market, book([[98, 1]], [[97, 1]], T0 + 1000))).toBe(1);
    const done = engine.order({id: placed.id})!;
    expect(done).toMatchObject({status: 'closed', filled: '0.2', average: '100', fees: [{cost: '0.02', currency: 'USD'}]});
    expect(engine.trades().map((t) => [t.price, t.amount, t.takerOrMaker, t.fee?.cost, t.timestamp])).toEqual([['100', '0.2', 'maker', '0.02', now]]);
    // 20 + maker fee 0.02 spent; the rest of the hold (0.02) comes back.
    expect(holding('USD')).toEqual({free: '979.98', used: '0'});
    expect(holding('BTC')).toEqual({free: '1.2', used: '0'});
  });

  it('fills a resting order partly, releasing the filled share of its hold; cancel releases the rest', () => {
    const placed = engine.place(market, book([[101, 1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.5'}));
    expect(holding('USD').used).toBe('50.1');
    expect(engine.sweep(market, book([[99.5, 0.2]], [[97, 1]], T0 + 1000))).toBe(1);
    expect(engine.order({clientOrderId: 'c1'})).toMatchObject({status: 'open', filled: '0.2'});
    // 0.2 x 100 x 1.002 = 20.04 released; 20 + 0.02 maker fee spent.
    expect(holding('USD')).toEqual({free: '949.92', used: '30.06'});
    expectUsedMatchesOrders();
    const canceled = engine.cancel({id: placed.id}, 'BTC/USD');
    expect(canceled).toMatchObject({status: 'canceled', filled: '0.2'});
    expect(holding('USD')).toEqual({free: '979.98', used: '0'});
    // Cancel is idempotent; unknown orders and other symbols are not found.
    expect(engine.cancel({id: placed.id})).toMatchObject({status: 'canceled'});
    expect(engine.cancel({id: 'nope'})).toBeUndefined();
    expect(engine.order({id: placed.id}, 'ETH/USD')).toBeUndefined();
    expect(engine.order({id: placed.id, clientOrderId: 'other'})).toBeUndefined();
    expect(engine.balances().map((b) => cmp(add(b.free, b.used), b.total))).toEqual([0, 0]);
  });

  it('offers each level once per sweep: what one resting order took is not there for the next', () => {
    engine.place(market, book([[101, 1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.3', clientOrderId: 'a'}));
    engine.place(market, book([[101, 1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.3', clientOrderId: 'b'}));
    expect(engine.sweep(market, book([[100, 0.4]], [[97, 1]], T0 + 1000))).toBe(2);
    expect(engine.order({clientOrderId: 'a'})).toMatchObject({status: 'closed', filled: '0.3'});
    expect(engine.order({clientOrderId: 'b'})).toMatchObject({status: 'open', filled: '0.1'});
    expect(engine.openSymbols()).toEqual(['BTC/USD']);
    expectUsedMatchesOrders();
  });

  it('a resting buy pays its maker fee from the hold even when the market raised its maker rate', () => {
    const poor = new AccountEngine('v2', makeStore({USD: '20.04'}), {now: () => now});
    poor.place(market, book([[101, 1]], [[99, 1]]), req({type: 'limit', price: '100', amount: '0.2'}));
    expect(poor.balances().find((b) => b.asset === 'USD')).toMatchObject({free: '0', used: '20.04'});
    poor.sweep(btcUsd({maker: 0.005}), book([[99, 1]], [[97, 1]], T0 + 1000));
    // Charged at the held rate 0.002 (0.04), not 0.005: nothing goes negative.
    expect(poor.trades()[0]).toMatchObject({takerOrMaker: 'maker', fee: {cost: '0.04', currency: 'USD'}});
    expect(poor.balances().find((b) => b.asset === 'USD')).toMatchObject({free: '0', used: '0'});
  });

  it('a resting sell fills at its own price and credits cost minus the maker fee', () => {
    engine.place(market, book([[101, 1]], [[99, 1]]), req({side: 'sell', type: 'limit', price: '100', amount: '0.5'}));
    engine.sweep(market, book([[103, 1]], [[102, 0.5]], T0 + 1000));
    expect(holding('BTC')).toEqual({free: '0.5', used: '0'});
    expect(holding('USD')).toEqual({free: '1049.95', used: '0'}); // 50 - 0.05
    expect(engine.trades()[0]).toMatchObject({price: '100', takerOrMaker: 'maker', side: 'sell'});
  });

  it('moves free balances for deposits and withdrawals, never below zero', () => {
    engine.adjustFree('ETH', '2');
    engine.adjustFree('ETH', '-0.5');
    expect(engine.free('ETH')).toBe('1.5');
    expect(() => engine.adjustFree('ETH', '-2')).toThrow(RangeError);
    expect(engine.free('ETH')).toBe('1.5');
  });

  it('keeps the books: order filled, cost and fee are the sums of its trades', () => {
    engine.place(market, book([[100, 0.05], [100.5, 0.05]], [[99, 1]]), req({type: 'limit', price: '100.5', amount: '0.3'}));
    engine.sweep(market, book([[100, 0.1]], [[97, 1]], T0 + 1000));
    const order = engine.order({clientOrderId: 'c1'})!;
    const trades = engine.trades('BTC/USD');
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
    expect(order.filled).toBe(sum(trades.map((t) => t.amount)));
    expect(order.fees[0]!.cost).toBe(sum(trades.map((t) => t.fee!.cost)));
    const spent = sub('1000', holding('USD').free);
    expect(spent).toBe(add(sum(trades.map((t) => mul(t.price, t.amount))), order.fees[0]!.cost, holding('USD').used));
  });
});
