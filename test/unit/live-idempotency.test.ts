/**
 * Placing orders with the venue's client-id policy: ids shaped to the
 * venue's length, market buys carrying the journalled notional as their
 * cost, and live orders refused (exit 2, nothing journalled or sent) where
 * our id cannot round-trip, unless the venue opts out. Paper is never refused.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {defaultConfig} from '../../src/core/config/schema.js';
import {UsageError} from '../../src/core/errors.js';
import {PaperVenue} from '../../src/core/venues/paper/paper-venue.js';
import {executeOrder, prepareOrder, type OrderIntent} from '../../src/core/execution/order.js';
import {arbLiveRefusal} from '../../src/core/execution/arb.js';
import {checkTransferPolicy} from '../../src/core/rebalance/execute.js';
import type {PlanStep} from '../../src/core/rebalance/types.js';
import type {ExecutionEnv} from '../../src/core/execution/place.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import type {OrderRequest, VenueOrder} from '../../src/core/types.js';
import type {ClientIdPolicy, Venue, VenueInfo} from '../../src/core/venues/port.js';
import {FaultyVenue, StaticVenue, fixedClock, market} from './execution-support.js';

let db: Db;
let clock: ReturnType<typeof fixedClock>;
beforeEach(() => {
  db = openTestJournal();
  clock = fixedClock();
});
afterEach(() => db.close());

/** A venue (paper engine underneath) that reports a client-id policy and keeps every create request. */
class PolicyVenue extends FaultyVenue {
  readonly requests: OrderRequest[] = [];
  constructor(policy: ClientIdPolicy, mode: 'paper' | 'live') {
    const inner = new StaticVenue('v', [market('BTC/USD')], {'BTC/USD': {asks: [[100, 5]], bids: [[99, 5]]}}, clock);
    super(new PaperVenue({inner, db, clock, initialBalances: {USD: '1000', BTC: '1'}}), mode);
    (this as {info: VenueInfo}).info = {...this.info, clientIds: policy};
  }
  override createOrder(request: OrderRequest): Promise<VenueOrder> {
    this.requests.push(request);
    return super.createOrder(request);
  }
}

const buy = (amount: string, over: Partial<OrderIntent> = {}): OrderIntent => ({symbol: 'BTC/USD', side: 'buy', amount, strategy: 'best_price', ...over});

async function place(venue: PolicyVenue, intent: OrderIntent, key = 'k1') {
  const env: ExecutionEnv = {db, clock, config: defaultConfig, venues: new Map([[venue.info.id, venue]])};
  const prepared = await prepareOrder(env, [venue], [venue], intent);
  return executeOrder(env, prepared, key);
}

const unsafe = 'exchange x cannot find an order again by our client id';

describe('client-id policy when placing', () => {
  it('refuses a live order where the id cannot round-trip: exit 2, nothing journalled or sent', async () => {
    const venue = new PolicyVenue({maxLength: 32, unsafe}, 'live');
    const error = await place(venue, buy('0.5')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toContain(unsafe);
    expect(venue.creates).toBe(0);
    expect(new OrdersRepo(db, clock).list()).toHaveLength(0);
  });

  it('places it when the venue opts out, and always in paper mode', async () => {
    const optedOut = new PolicyVenue({maxLength: 32, unsafe, optOut: true}, 'live');
    expect((await place(optedOut, buy('0.5'))).status).toBe('done');
    expect(optedOut.creates).toBe(1);
    const paper = new PolicyVenue({maxLength: 32, unsafe}, 'paper');
    expect((await place(paper, buy('0.5'), 'k2')).status).toBe('done');
    expect(paper.creates).toBe(1);
  });

  it('shapes the journalled id to the venue length and sends exactly that id', async () => {
    const venue = new PolicyVenue({maxLength: 28}, 'live');
    const report = await place(venue, buy('0.5', {limitPrice: '101'}));
    const cid = report.orders[0]!.clientOrderId;
    expect(cid).toMatch(/^[0-9a-f]{28}$/);
    expect(venue.requests.map((r) => r.clientOrderId)).toEqual([cid]);
    expect(venue.requests[0]!.cost).toBeUndefined(); // limit orders carry no cost
  });

  it('sends a market buy with the cost the journal recorded (amount x expected price)', async () => {
    const venue = new PolicyVenue({maxLength: 32}, 'live');
    const report = await place(venue, buy('0.5'));
    const row = new OrdersRepo(db, clock).byClientOrderId('v', report.orders[0]!.clientOrderId)!;
    expect(row.notional).toBe('50');
    expect(venue.requests[0]!.cost).toBe(row.notional);
    await place(venue, buy('0.5', {side: 'sell'}), 'k3');
    expect(venue.requests[1]!.cost).toBeUndefined(); // sells are base amounts
  });
});

describe('live refusal at planning, for every command that plans orders', () => {
  const trade = (venue: string): PlanStep =>
    ({kind: 'trade', id: `t-${venue}`, venue, symbol: 'BTC/USD', side: 'buy', amount: '0.1', price: 100, taker: 0.001, spend: {asset: 'USD', amount: '10'}, receive: {asset: 'BTC', amount: '0.1'}, value: 10, purpose: 'asset_target', after: []}) as unknown as PlanStep;

  it('rebalance: a trade step on such a live venue is refused by the plan check (exit 2); opted out or paper it passes', () => {
    const refused = new PolicyVenue({maxLength: 32, unsafe}, 'live');
    const env = {config: defaultConfig, venues: new Map([['v', refused as Venue]])};
    const error = (() => {
      try {
        checkTransferPolicy(env, [trade('v')]);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toContain(unsafe);
    for (const ok of [new PolicyVenue({maxLength: 32, unsafe, optOut: true}, 'live'), new PolicyVenue({maxLength: 32, unsafe}, 'paper')]) {
      expect(() => checkTransferPolicy({config: defaultConfig, venues: new Map([['v', ok as Venue]])}, [trade('v')])).not.toThrow();
    }
  });

  it('arb: either leg on such a live venue is refused', () => {
    const venues = new Map<string, Venue>([
      ['v', new PolicyVenue({maxLength: 32, unsafe}, 'live')],
      ['w', new PolicyVenue({maxLength: 32}, 'live')],
    ]);
    expect(arbLiveRefusal({venues}, {buy: {venue: 'w'}, sell: {venue: 'v'}})?.exitCode).toBe(2);
    expect(arbLiveRefusal({venues}, {buy: {venue: 'w'}, sell: {venue: 'w'}})).toBeUndefined();
  });
});
