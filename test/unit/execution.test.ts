import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {defaultConfig, type XarbConfig} from '../../src/core/config/schema.js';
import {InsufficientFundsError, InvalidOrderError, RiskDeniedError} from '../../src/core/errors.js';
import {PaperVenue} from '../../src/core/venues/paper/paper-venue.js';
import {executeOrder, prepareOrder, type OrderIntent} from '../../src/core/execution/order.js';
import {executeArb, previewArb} from '../../src/core/execution/arb.js';
import {effectiveGraceMs, resolveOrder} from '../../src/core/execution/resolve.js';
import {CLIENT_ORDER_ID, clientOrderIdFor, planIdFor} from '../../src/core/execution/ids.js';
import type {ExecutionEnv} from '../../src/core/execution/place.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {DuplicateOrderError, OrdersRepo} from '../../src/core/journal/orders.js';
import {RiskStateRepo} from '../../src/core/journal/risk-state.js';
import type {Venue} from '../../src/core/venues/port.js';
import {FaultyVenue, StaticVenue, fixedClock, market} from './execution-support.js';

let db: Db;
let clock: ReturnType<typeof fixedClock>;
beforeEach(() => {
  db = openTestJournal();
  clock = fixedClock();
});
afterEach(() => db.close());

function staticVenue(id: string, asks: [number, number][], bids: [number, number][], taker = 0.001): StaticVenue {
  return new StaticVenue(id, [market('BTC/USD', {taker, maker: 0.0005})], {'BTC/USD': {asks, bids}}, clock);
}

function paper(inner: Venue, balances: Record<string, string> = {USD: '1000', BTC: '1'}): PaperVenue {
  return new PaperVenue({inner, db, clock, initialBalances: balances});
}

function env(venues: Venue[], config: Partial<XarbConfig> = {}, graceMs?: number): ExecutionEnv {
  return {db, clock, config: {...defaultConfig, ...config}, venues: new Map(venues.map((v) => [v.info.id, v])), ...(graceMs === undefined ? {} : {graceMs})};
}

const buy = (amount: string, over: Partial<OrderIntent> = {}): OrderIntent => ({symbol: 'BTC/USD', side: 'buy', amount, strategy: 'best_price', ...over});

async function place(venues: Venue[], intent: OrderIntent, config: Partial<XarbConfig> = {}, key = 'k1', graceMs?: number) {
  const e = env(venues, config, graceMs);
  const prepared = await prepareOrder(e, venues, venues, intent);
  return executeOrder(e, prepared, key);
}

describe('ids', () => {
  it('are deterministic and fit every venue', () => {
    const p = planIdFor('order', {symbol: 'BTC/USD', amount: '1'}, 'k');
    expect(planIdFor('order', {amount: '1', symbol: 'BTC/USD'}, 'k')).toBe(p);
    expect(planIdFor('order', {amount: '1', symbol: 'BTC/USD'}, 'k2')).not.toBe(p);
    expect(clientOrderIdFor(p, 0)).toBe(clientOrderIdFor(p, 0));
    expect(clientOrderIdFor(p, 0)).not.toBe(clientOrderIdFor(p, 1));
    expect(clientOrderIdFor(p, 0)).toMatch(CLIENT_ORDER_ID);
  });
});

describe('PaperVenue', () => {
  it('fills a market buy by walking the book, charges the taker fee in quote, and persists across instances', async () => {
    const v = paper(staticVenue('p', [[100, 0.5], [101, 1]], [[99, 1]]));
    const o = await v.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '1', clientOrderId: 'x1'});
    expect(o).toMatchObject({status: 'closed', filled: '1', average: '100.5', fees: [{cost: '0.1005', currency: 'USD'}]});
    // A second instance on the same journal (another CLI process) sees the same account and does not re-seed.
    const again = paper(staticVenue('p', [[100, 0.5]], [[99, 1]]), {USD: '999999'});
    const balances = Object.fromEntries((await again.fetchBalances()).map((b) => [b.asset, b.total]));
    expect(balances).toEqual({USD: '899.3995', BTC: '2'});
    expect((await again.fetchMyTrades('BTC/USD')).map((t) => [t.id, t.price, t.amount])).toEqual([
      ['P1-1', '100', '0.5'],
      ['P1-2', '101', '0.5'],
    ]);
    expect((await again.fetchOrder({clientOrderId: 'x1'}, 'BTC/USD'))?.id).toBe('P1');
  });

  it('refuses without moving anything when funds, step or clientOrderId are wrong', async () => {
    const v = paper(staticVenue('p', [[100, 20]], [[99, 20]]));
    await expect(v.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '10', clientOrderId: 'a'})).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(v.createOrder({symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '1.5', clientOrderId: 'b'})).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(v.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.0015', clientOrderId: 'c'})).rejects.toBeInstanceOf(InvalidOrderError);
    await v.createOrder({symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '0.1', clientOrderId: 'd'});
    await expect(v.createOrder({symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '0.1', clientOrderId: 'd'})).rejects.toBeInstanceOf(InvalidOrderError);
    const balances = Object.fromEntries((await v.fetchBalances()).map((b) => [b.asset, b.total]));
    expect(balances).toEqual({USD: '1009.8901', BTC: '0.9'});
  });

  it('rests a limit remainder with funds held, fills it at maker fee when the book crosses, and cancel releases', async () => {
    const inner = staticVenue('p', [[100, 0.5]], [[99, 1]]);
    const v = paper(inner);
    const o = await v.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '100', clientOrderId: 'l1'});
    expect(o).toMatchObject({status: 'open', filled: '0.5'});
    let usd = (await v.fetchBalances()).find((b) => b.asset === 'USD')!;
    // 50 + 0.05 fee spent; 0.5 x 100 x 1.001 = 50.05 held.
    expect(usd).toMatchObject({free: '899.9', used: '50.05'});
    inner.books['BTC/USD'] = {asks: [[99.5, 0.2]], bids: [[99, 1]]};
    clock.advance(1000);
    const partial = await v.fetchOrder({id: o.id}, 'BTC/USD');
    expect(partial).toMatchObject({status: 'open', filled: '0.7'});
    const canceled = await v.cancelOrder({id: o.id}, 'BTC/USD');
    expect(canceled?.status).toBe('canceled');
    usd = (await v.fetchBalances()).find((b) => b.asset === 'USD')!;
    // The resting order is the maker and trades at its own limit: 0.2 @ 100 = 20 + maker 0.01
    // (not at the crossing ask of 99.5); held 50.05 fully released: 899.9 + 50.05 - 20.01.
    expect(usd).toMatchObject({free: '929.94', used: '0'});
    const trades = await v.fetchMyTrades('BTC/USD');
    expect(trades.at(-1)).toMatchObject({price: '100', amount: '0.2', takerOrMaker: 'maker'});
    expect(await v.cancelOrder({id: o.id}, 'BTC/USD')).toMatchObject({status: 'canceled'});
  });
});

describe('placing orders', () => {
  it('journals plan, orders and fills; the journal matches the venue', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const report = await place([a], buy('0.5'));
    expect(report.status).toBe('done');
    expect(report.orders).toHaveLength(1);
    expect(report.orders[0]).toMatchObject({status: 'closed', filled: '0.5', average: '100', fees: [{cost: '0.05', currency: 'USD'}], mode: 'paper'});
    const repo = new OrdersRepo(db, clock);
    expect(repo.getPlan(report.planId!)?.status).toBe('done');
    expect(repo.fills({venue: 'a'})).toHaveLength(1);
    const kinds = new EventsRepo(db, clock).list({ref: report.orders[0]!.clientOrderId}).map((e) => e.kind).reverse();
    expect(kinds).toEqual(['order.written', 'order.sent', 'order.accepted']);
  });

  it('a risk denial journals an event, writes no order and sends nothing (exit 3)', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const error = await place([a], buy('0.5'), {risk: {global: {maxOrderAmount: '0.4'}}}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RiskDeniedError);
    expect((error as RiskDeniedError).exitCode).toBe(3);
    expect(a.creates).toBe(0);
    expect(new OrdersRepo(db, clock).list()).toHaveLength(0);
    expect(new EventsRepo(db, clock).list({kind: 'risk.denied'})[0]!.data).toMatchObject({limit: 'global.maxOrderAmount', value: '0.4', attempted: '0.5'});
  });

  it('an order journalled under the client id of a plan not journalled yet: DuplicateOrderError, nothing written or sent', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    // A denial journals only its event, which names the plan: the same intent and key give the same plan id again.
    await expect(place([a], buy('0.5'), {risk: {global: {maxOrderAmount: '0.4'}}})).rejects.toBeInstanceOf(RiskDeniedError);
    const planId = new EventsRepo(db, clock).list({kind: 'risk.denied'})[0]!.ref!;
    const repo = new OrdersRepo(db, clock);
    const clientOrderId = clientOrderIdFor(planId, 0);
    repo.insert({venue: 'a', clientOrderId, symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '0.1', price: '90', notional: '9', mode: 'paper'});
    const error = await place([a], buy('0.5')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateOrderError);
    expect((error as DuplicateOrderError).existing).toMatchObject({clientOrderId, amount: '0.1'});
    expect(a.creates).toBe(0);
    expect(repo.list()).toHaveLength(1);
    expect(repo.getPlan(planId)).toBeUndefined();
    expect(new EventsRepo(db, clock).list({kind: 'order.written'})).toHaveLength(0);
  });

  it('halted sends nothing; reducing lets only a position-shrinking order through', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    new RiskStateRepo(db, clock).set('halted');
    await expect(place([a], buy('0.5'))).rejects.toBeInstanceOf(RiskDeniedError);
    new RiskStateRepo(db, clock).set('reducing');
    await expect(place([a], buy('0.5'), {}, 'k2')).rejects.toBeInstanceOf(RiskDeniedError);
    expect(a.creates).toBe(0);
    const sold = await place([a], buy('0.5', {side: 'sell'}), {}, 'k3');
    expect(sold.status).toBe('done');
    expect(a.creates).toBe(1);
  });

  it('accepted then answer lost: exactly one create, resolved by clientOrderId to the venue truth', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    a.faults = ['lost-after-accept'];
    const report = await place([a], buy('0.5'));
    expect(a.creates).toBe(1);
    expect(report.orders[0]).toMatchObject({status: 'closed', filled: '0.5', venueOrderId: 'P1'});
    expect(new OrdersRepo(db, clock).fills({venue: 'a'})).toHaveLength(1);
    const kinds = new EventsRepo(db, clock).list({ref: report.orders[0]!.clientOrderId}).map((e) => e.kind).reverse();
    expect(kinds).toEqual(['order.written', 'order.sent', 'order.unknown', 'order.resolved']);
  });

  it('timeout that never reached the venue: unknown within the grace period, rejected after, never re-sent', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    a.faults = ['timeout-before-accept'];
    const report = await place([a], buy('0.5'));
    expect(report.status).toBe('unknown');
    expect(report.orders[0]!.status).toBe('unknown');
    clock.advance(61_000);
    const order = new OrdersRepo(db, clock).get(report.orders[0]!.id)!;
    const resolved = await resolveOrder(a, db, order, {clock});
    expect(resolved.outcome).toBe('not_found');
    expect(resolved.order.status).toBe('rejected');
    expect(a.creates).toBe(0);
  });

  it('the grace runs from the end of the send attempt and is at least two request timeouts', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const repo = new OrdersRepo(db, clock);
    const written = repo.insert({venue: 'a', clientOrderId: 'slow', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'market', amount: '0.5', notional: '50', mode: 'paper'});
    clock.advance(120_000); // the send took two minutes before timing out
    const unknown = repo.markUnknown(written.id, 'timeout');
    clock.advance(1_000);
    expect((await resolveOrder(a, db, unknown, {clock, graceMs: 60_000})).outcome).toBe('still_unknown');
    clock.advance(60_000); // 61 s after the attempt ended, but a 45 s timeout makes the grace 90 s
    expect((await resolveOrder(a, db, unknown, {clock, graceMs: 60_000, requestTimeoutMs: 45_000})).outcome).toBe('still_unknown');
    clock.advance(30_000);
    const resolved = await resolveOrder(a, db, unknown, {clock, graceMs: 60_000, requestTimeoutMs: 45_000});
    expect(resolved.outcome).toBe('not_found');
    expect(a.creates).toBe(0);
  });

  it('effective grace: at least two request timeouts; an explicit 0 is honoured', () => {
    expect(effectiveGraceMs(undefined, undefined)).toBe(60_000);
    expect(effectiveGraceMs(5_000, undefined)).toBe(20_000);
    expect(effectiveGraceMs(60_000, 45_000)).toBe(90_000);
    expect(effectiveGraceMs(0, 45_000)).toBe(0);
  });

  it('when the lookup fails too, the order stays unknown until a later resolve finds it', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    a.faults = ['lookup-fails'];
    const report = await place([a], buy('0.5'));
    expect(report.orders[0]!.status).toBe('unknown');
    a.lookupFails = false;
    const resolved = await resolveOrder(a, db, new OrdersRepo(db, clock).get(report.orders[0]!.id)!, {clock});
    expect(resolved).toMatchObject({outcome: 'found', newFills: 1});
    expect(resolved.order.status).toBe('closed');
    expect(a.creates).toBe(1);
  });

  it('a definite rejection ends the order rejected; priority fails over to the next venue', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const b = new FaultyVenue(paper(staticVenue('b', [[101, 5]], [[98, 5]])), 'paper');
    a.faults = ['reject'];
    const report = await place([a, b], buy('0.5', {strategy: 'priority'}));
    expect(report.orders.map((o) => [o.venue, o.status, o.leg])).toEqual([
      ['a', 'rejected', 0],
      ['b', 'closed', 1],
    ]);
    expect(report.status).toBe('done');
    expect(report.filled).toBe('0.5');
  });

  it('best_price does not fail over: a rejection is the outcome', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const b = new FaultyVenue(paper(staticVenue('b', [[101, 5]], [[98, 5]])), 'paper');
    a.faults = ['reject'];
    const report = await place([a, b], buy('0.5'));
    expect(report.status).toBe('failed');
    expect(b.creates).toBe(0);
  });

  it('the same intent with the same key is not sent again', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99, 5]])), 'paper');
    const first = await place([a], buy('0.5'));
    const second = await place([a], buy('0.5'));
    expect(second.replayed).toBe(true);
    expect(second.planId).toBe(first.planId);
    expect(a.creates).toBe(1);
  });

  it('split children go out together and count against one daily-volume limit', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 0.3]], [[99, 5]])), 'paper');
    const b = new FaultyVenue(paper(staticVenue('b', [[100.5, 5]], [[98, 5]])), 'paper');
    const report = await place([a, b], buy('0.5', {strategy: 'split'}));
    expect(report.orders.map((o) => [o.venue, o.amount])).toEqual([
      ['a', '0.3'],
      ['b', '0.2'],
    ]);
    // 0.3 x 100 + 0.2 x 100.5 = 50.1 traded; a limit of 100 leaves room for 49.9 more.
    const denied = await place([a, b], buy('0.5', {strategy: 'split'}), {risk: {global: {maxDailyVolume: '100'}}}, 'k2').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(RiskDeniedError);
    expect((denied as RiskDeniedError).limit).toBe('global.maxDailyVolume');
    expect(a.creates + b.creates).toBe(2);
  });
});

describe('arbitrage legs', () => {
  // Buy on a at 100, sell on b at 102; both fees 0.1%.
  function venues() {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99.9, 5]]), {USD: '1000', BTC: '0'}), 'paper');
    const b = new FaultyVenue(paper(staticVenue('b', [[102.1, 5]], [[102, 5]]), {USD: '1000', BTC: '1'}), 'paper');
    return {a, b};
  }
  const intent = {buy: {venue: 'a', symbol: 'BTC/USD'}, sell: {venue: 'b', symbol: 'BTC/USD'}, amount: '0.5'};

  it('both legs fill: exact P&L', async () => {
    const {a, b} = venues();
    const e = env([a, b]);
    const report = await executeArb(e, await previewArb(e, intent), {legPolicy: 'unwind'}, 'k');
    expect(report.outcome).toBe('both_filled');
    // sell 51 - 0.051 fee, buy 50 + 0.05 fee
    expect(report.realizedPnl).toBe('0.899');
    expect(report.residual).toBe('0');
  });

  it('second leg rejected -> unwind reverses the first leg on its venue; the report is exact', async () => {
    const {a, b} = venues();
    b.faults = ['reject'];
    const e = env([a, b]);
    const report = await executeArb(e, await previewArb(e, intent), {legPolicy: 'unwind', maxLegLoss: '1'}, 'k');
    expect(report.outcome).toBe('one_legged_corrected');
    expect(report.legs.buy).toMatchObject({status: 'closed', filled: '0.5'});
    expect(report.legs.sell).toMatchObject({status: 'rejected', filled: '0'});
    expect(report.correction).toMatchObject({policy: 'unwind', venue: 'a', side: 'sell', excess: '0.5', sent: true});
    // Unwind sells 0.5 at 99.9 on a: loss = 50.05 - 49.95 * 0.999 ... = 50 - 49.90005 = 0.09995 vs the buy average.
    expect(report.correction!.estimatedLoss).toBeCloseTo(0.09995, 9);
    expect(report.correction!.order).toMatchObject({status: 'closed', filled: '0.5', average: '99.9'});
    expect(report.residual).toBe('0');
    // -50 - 0.05 + 49.95 - 0.04995
    expect(report.realizedPnl).toBe('-0.14995');
    expect(a.creates).toBe(2);
    expect(b.creates).toBe(0);
  });

  it('second leg rejected -> hedge completes it on the other venue', async () => {
    const {a, b} = venues();
    const c = new FaultyVenue(paper(staticVenue('c', [[101, 5]], [[101.5, 5]]), {USD: '1000', BTC: '1'}), 'paper');
    b.faults = ['reject'];
    const e = env([a, b, c]);
    const report = await executeArb(e, await previewArb(e, intent), {legPolicy: 'hedge'}, 'k');
    expect(report.outcome).toBe('one_legged_corrected');
    expect(report.correction).toMatchObject({policy: 'hedge', venue: 'b', side: 'sell', sent: true});
    expect(b.creates).toBe(1);
    expect(report.residual).toBe('0');
  });

  it('a filled leg with no average price: the loss cannot be checked, so no corrective order is sent', async () => {
    const {b} = venues();
    // Venue a answers without an average price (some venues omit it) and lists no trades.
    class NoAverage extends FaultyVenue {
      override async createOrder(request: Parameters<Venue['createOrder']>[0]) {
        return {...(await super.createOrder(request)), average: undefined};
      }
      override async fetchOrder(ref: Parameters<Venue['fetchOrder']>[0], symbol: string) {
        const found = await super.fetchOrder(ref, symbol);
        return found ? {...found, average: undefined} : found;
      }
      override async fetchMyTrades() {
        return [];
      }
    }
    const a = new NoAverage(paper(staticVenue('a', [[100, 5]], [[99.9, 5]]), {USD: '1000', BTC: '0'}), 'paper');
    b.faults = ['reject'];
    const e = env([a, b]);
    const report = await executeArb(e, await previewArb(e, intent), {legPolicy: 'unwind', maxLegLoss: '1'}, 'k');
    expect(report.legs.buy).toMatchObject({filled: '0.5'});
    expect(report.legs.buy.average).toBeUndefined();
    expect(report.outcome).toBe('one_legged_open');
    expect(report.correction).toMatchObject({sent: false, excess: '0.5'});
    expect(report.correction!.reason).toMatch(/no average price.*manual action/);
    expect(report.residual).toBe('0.5');
    expect(a.creates).toBe(1);
  });

  it('a loss above maxLegLoss leaves the exposure open and says so', async () => {
    const {a, b} = venues();
    b.faults = ['reject'];
    const e = env([a, b]);
    const report = await executeArb(e, await previewArb(e, intent), {legPolicy: 'unwind', maxLegLoss: '0.05'}, 'k');
    expect(report.outcome).toBe('one_legged_open');
    expect(report.correction).toMatchObject({sent: false, excess: '0.5'});
    expect(report.correction!.reason).toMatch(/exceeds maxLegLoss 0.05/);
    expect(report.residual).toBe('0.5');
    expect(a.creates).toBe(1);
  });

  it('checks both legs before sending either: a sell venue without the base sends nothing', async () => {
    const a = new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99.9, 5]])), 'paper');
    const b = new FaultyVenue(paper(staticVenue('b', [[102.1, 5]], [[102, 5]]), {USD: '1000', BTC: '0.1'}), 'paper');
    const e = env([a, b]);
    await expect(previewArb(e, intent)).rejects.toThrow(/needs 0.5 BTC, 0.1 free/);
    expect(a.creates + b.creates).toBe(0);
  });

  it('a risk limit breached by either leg denies both', async () => {
    const {a, b} = venues();
    const e = env([a, b], {risk: {venues: {b: {maxOrderAmount: '0.4'}}}});
    await expect(executeArb(e, await previewArb(e, intent), {legPolicy: 'unwind'}, 'k')).rejects.toBeInstanceOf(RiskDeniedError);
    expect(a.creates + b.creates).toBe(0);
  });
});
