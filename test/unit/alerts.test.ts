import {createHmac} from 'node:crypto';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {webhookSink, type AlertBody, type AlertSink} from '../../src/core/alerts/index.js';
import {defaultConfig, type XarbConfig} from '../../src/core/config/schema.js';
import {RiskDeniedError} from '../../src/core/errors.js';
import {executeArb, previewArb} from '../../src/core/execution/arb.js';
import {executeOrder, prepareOrder} from '../../src/core/execution/order.js';
import {PaperVenue} from '../../src/core/venues/paper/paper-venue.js';
import type {ExecutionEnv} from '../../src/core/execution/place.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {reconcile} from '../../src/core/reconcile/reconcile.js';
import {changeTradingState} from '../../src/core/risk/switch.js';
import type {Venue} from '../../src/core/venues/port.js';
import {FakeAccountVenue} from '../support/reconcile-venue.js';
import {deadUrl, startReceiver, type WebhookReceiver} from '../support/webhook-receiver.js';
import {FaultyVenue, StaticVenue, fixedClock, market} from './execution-support.js';

const SECRET = 'loopback-test-secret';
let db: Db;
let clock: ReturnType<typeof fixedClock>;
let receiver: WebhookReceiver;

beforeEach(async () => {
  db = openTestJournal();
  clock = fixedClock();
  receiver = await startReceiver();
});
afterEach(async () => {
  db.close();
  await receiver.close();
});

function sink(urls: readonly string[] = [receiver.url], env: NodeJS.ProcessEnv = {XARB_ALERTS_SECRET: SECRET}, timeoutMs = 1000): AlertSink {
  return webhookSink({webhooks: [...urls], timeoutMs}, {env, clock, events: () => new EventsRepo(db, clock), host: 'test-host'});
}

/** The parsed body of each post, after checking its signature against the exact bytes received. */
function verified(): AlertBody[] {
  return receiver.posts.map((p) => {
    expect(p.method).toBe('POST');
    expect(p.headers['content-type']).toBe('application/json');
    const expected = `sha256=${createHmac('sha256', SECRET).update(p.body).digest('hex')}`;
    expect(p.headers['x-xarb-signature']).toBe(expected);
    return JSON.parse(p.body) as AlertBody;
  });
}

describe('webhook sink', () => {
  it('posts exactly one signed JSON alert per event, with an ISO UTC time', async () => {
    const deliveries = await sink().notify({kind: 'alert.test', summary: 'hello', ref: 'r1', data: {n: 1}});
    expect(deliveries).toEqual([{url: receiver.url, ok: true, attempts: 1, status: 200, error: null, signed: true}]);
    const [body, ...rest] = verified();
    expect(rest).toEqual([]);
    expect(body).toMatchObject({source: 'xarb', kind: 'alert.test', summary: 'hello', ref: 'r1', host: 'test-host', data: {n: 1}, timestamp: clock.t});
    expect(body!.time).toBe(new Date(clock.t).toISOString());
    expect(new EventsRepo(db, clock).list({kind: 'alert.sent'})).toHaveLength(1);
  });

  it('a tampered body does not verify', async () => {
    await sink().notify({kind: 'alert.test', summary: 'x'});
    const post = receiver.posts[0]!;
    const forged = `sha256=${createHmac('sha256', SECRET).update(post.body.replace('"x"', '"y"')).digest('hex')}`;
    expect(post.headers['x-xarb-signature']).not.toBe(forged);
  });

  it('without a secret the alert is sent unsigned', async () => {
    const [d] = await sink([receiver.url], {}).notify({kind: 'alert.test', summary: 'x'});
    expect(d!.signed).toBe(false);
    expect(receiver.posts[0]!.headers['x-xarb-signature']).toBeUndefined();
  });

  it('retries once on a 5xx, never on a 4xx', async () => {
    receiver.statuses = [503];
    const [retried] = await sink().notify({kind: 'alert.test', summary: 'x'});
    expect(retried).toMatchObject({ok: true, attempts: 2, status: 200});
    receiver.statuses = [400];
    const [refused] = await sink().notify({kind: 'alert.test', summary: 'y'});
    expect(refused).toMatchObject({ok: false, attempts: 1, status: 400, error: 'HTTP 400'});
    expect(receiver.posts).toHaveLength(3);
  });

  it('a dead receiver: one retry, a journalled failure, no exception, bounded time', async () => {
    const dead = await deadUrl();
    const started = Date.now();
    const deliveries = await sink([dead, receiver.url]).notify({kind: 'alert.test', summary: 'x', ref: 'r'});
    expect(Date.now() - started).toBeLessThan(2 * 1000 + 1000);
    expect(deliveries[0]).toMatchObject({ok: false, attempts: 2, status: null});
    expect(deliveries[1]).toMatchObject({ok: true, attempts: 1});
    const failed = new EventsRepo(db, clock).list({kind: 'alert.failed'});
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({alert: 'alert.test', url: dead, attempts: 2});
    expect(JSON.stringify(failed[0]!.data)).not.toContain(SECRET);
  });

  it('journals receiver URLs without query string or credentials', async () => {
    const withToken = receiver.url.replace('http://', 'http://user:pw@') + '?token=abc';
    await sink([withToken]).notify({kind: 'alert.test', summary: 'x'});
    const sent = new EventsRepo(db, clock).list({kind: 'alert.sent'});
    expect(sent[0]!.data.url).toBe(receiver.url);
    expect(receiver.posts[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect(receiver.posts[0]!.path).toBe('/hook?token=abc');
  });
});

describe('alerts raised by core', () => {
  function staticVenue(id: string, asks: [number, number][], bids: [number, number][]): StaticVenue {
    return new StaticVenue(id, [market('BTC/USD', {taker: 0.001, maker: 0.0005})], {'BTC/USD': {asks, bids}}, clock);
  }
  function paper(inner: Venue, balances: Record<string, string>): PaperVenue {
    return new PaperVenue({inner, db, clock, initialBalances: balances});
  }
  function env(venues: Venue[], alerts: AlertSink, config: Partial<XarbConfig> = {}): ExecutionEnv {
    return {db, clock, config: {...defaultConfig, ...config}, venues: new Map(venues.map((v) => [v.info.id, v])), alerts};
  }

  it('kill switch: one alert per change, none when the state does not change', async () => {
    const alerts = sink();
    await changeTradingState({db, clock, alerts}, 'halted', 'incident');
    await changeTradingState({db, clock, alerts}, 'halted', 'still');
    await changeTradingState({db, clock, alerts}, 'active');
    const bodies = verified();
    expect(bodies.map((b) => [b.kind, b.data.from, b.data.to])).toEqual([
      ['risk.state', 'active', 'halted'],
      ['risk.state', 'halted', 'active'],
    ]);
  });

  it('a risk denial of a live order is alerted once; of a paper order not at all', async () => {
    const alerts = sink();
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '0.5', strategy: 'best_price' as const};
    for (const mode of ['live', 'paper'] as const) {
      const v = new FaultyVenue(paper(staticVenue(`v-${mode}`, [[100, 5]], [[99, 5]]), {USD: '1000', BTC: '1'}), mode);
      const e = env([v], alerts, {risk: {global: {maxOrderAmount: '0.4'}}});
      const prepared = await prepareOrder(e, [v], [v], intent);
      await expect(executeOrder(e, prepared, `k-${mode}`)).rejects.toBeInstanceOf(RiskDeniedError);
    }
    const bodies = verified();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({kind: 'risk.denied', venue: 'v-live', data: {limit: 'global.maxOrderAmount', limitValue: '0.4', attempted: '0.5'}});
  });

  it('an arbitrage leg that needed an unwind is alerted once; a clean one is not', async () => {
    const alerts = sink();
    const intent = {buy: {venue: 'a', symbol: 'BTC/USD'}, sell: {venue: 'b', symbol: 'BTC/USD'}, amount: '0.5'};
    const make = () => ({
      a: new FaultyVenue(paper(staticVenue('a', [[100, 5]], [[99.9, 5]]), {USD: '1000', BTC: '0'}), 'paper'),
      b: new FaultyVenue(paper(staticVenue('b', [[102.1, 5]], [[102, 5]]), {USD: '1000', BTC: '1'}), 'paper'),
    });
    const clean = make();
    const e1 = env([clean.a, clean.b], alerts);
    expect((await executeArb(e1, await previewArb(e1, intent), {legPolicy: 'unwind'}, 'k1')).outcome).toBe('both_filled');
    expect(receiver.posts).toHaveLength(0);
    const faulty = make();
    faulty.b.faults = ['reject'];
    const e2 = env([faulty.a, faulty.b], alerts);
    const report = await executeArb(e2, await previewArb(e2, intent), {legPolicy: 'unwind', maxLegLoss: '1'}, 'k2');
    expect(report.outcome).toBe('one_legged_corrected');
    const bodies = verified();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({kind: 'arb.leg', ref: report.planId, data: {outcome: 'one_legged_corrected', needsPerson: false, correction: {policy: 'unwind', venue: 'a'}}});
  });

  it('reconcile discrepancies are alerted once per run; an in-line run is not', async () => {
    const alerts = sink();
    const venue = new FakeAccountVenue('alpha');
    const run = () => reconcile({db, clock, venues: ['alpha'], openVenue: async () => venue, fix: false, lock: {pid: process.pid}, alerts});
    expect((await run()).exitCode).toBe(0);
    expect(receiver.posts).toHaveLength(0);
    venue.orders.push({id: '99', clientOrderId: 'by-hand', symbol: 'BTC/USD', side: 'buy', type: 'limit', status: 'open', amount: '1', filled: '0', price: '100', average: undefined, fees: [], timestamp: clock.t - 5000});
    const result = await run();
    expect(result.exitCode).toBe(5);
    const bodies = verified();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({kind: 'reconcile.discrepancies', ref: String(result.run), data: {open: 1, venues: [{venue: 'alpha', discrepancies: [{kind: 'unknown_on_journal'}]}]}});
    expect(new OrdersRepo(db, clock).list({})).toHaveLength(0);
  });

  it('a dead receiver changes no outcome', async () => {
    const alerts = sink([await deadUrl()], {XARB_ALERTS_SECRET: SECRET}, 200);
    const state = await changeTradingState({db, clock, alerts}, 'halted');
    expect(state.state).toBe('halted');
    expect(new EventsRepo(db, clock).list({kind: 'alert.failed'})).toHaveLength(1);
  });
});
