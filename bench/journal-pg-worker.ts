/**
 * One process of bench/journal-pg.bench.ts: opens the journal it is given
 * (a PostgreSQL URL or a SQLite file), says "ready", waits for "go" on
 * stdin, then runs N orders through the journal's part of the order path
 * and prints its start and end times (ms since epoch) as JSON.
 *
 * Per order, as execution/place.ts does it: one write-ahead transaction
 * (plan lookup, trading state and usage read in one query, the risk
 * engine over the order with every limit set, plan + order + event inserts
 * sent with the commit, the order's id read after it), then the venue's
 * answer applied with the `order.sent` and `order.accepted` events in one
 * transaction that takes the order's row lock, not the journal lock, and
 * assumes the row as written (sendOrder assumes it as it read it before
 * sending). No venue: the journal's share of the path is what is measured.
 */
import {migrate, openDb, type Db} from '../src/core/journal/db.js';
import {EventsRepo} from '../src/core/journal/events.js';
import {OrdersRepo} from '../src/core/journal/orders.js';
import {openPgDb} from '../src/core/journal/pg/db.js';
import {pgMigrations} from '../src/core/journal/pg/migrations.js';
import {PlansRepo} from '../src/core/journal/plans.js';
import type {RiskConfig} from '../src/core/config/schema.js';
import {evaluateBatch} from '../src/core/risk/engine.js';
import type {PlannedOrder} from '../src/core/types.js';

const [where, countText, worker] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
const db: Db = where.startsWith('postgres') ? openPgDb(where) : openDb(where);
if (db.dialect === 'postgres') migrate(db, pgMigrations);
const clock = {now: () => Date.now()};
const orders = new OrdersRepo(db, clock);
const plans = new PlansRepo(db, clock);
const events = new EventsRepo(db, clock);
const config: RiskConfig = {
  global: {maxOrderAmount: '10', maxOrderNotional: '1000000', maxPosition: '100000', maxDailyVolume: '1000000000000', maxExposurePct: 100, maxOpenOrders: 1_000_000, priceBandPct: 5, maxTotalExposurePct: 1000},
  venues: {},
  symbols: {},
  reserves: {USDT: '100'},
};
const balances = new Map([['binance', [{asset: 'USDT', free: '100000000', used: '0', total: '100000000'}, {asset: 'BTC', free: '10', used: '0', total: '10'}]] as const]);
const order: PlannedOrder = {leg: 0, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01', price: '60000', expectedPrice: 60000, cost: 600, feeRate: 0.001, fee: 0.6, total: 600.6, resting: '0', mid: 60000};

function one(i: number): void {
  const planId = `bench-${worker}-${process.pid}-${i}`;
  const pending = db.tx(() => {
    const {state, usage, planExists} = orders.riskUsage.usageAndState(undefined, planId);
    if (planExists) throw new Error('duplicate plan');
    const snapshot = {state, valuationQuote: 'USDT', cash: ['USDT'], value: (a: string) => (a === 'BTC' ? 60000 : 1), balances, unknownBalances: [], usage};
    const denial = evaluateBatch([order], config, snapshot);
    if (denial) throw new Error(`denied: ${JSON.stringify(denial.violation)}`);
    plans.insert({id: planId, kind: 'order', intent: {symbol: 'BTC/USDT'}, plan: {orders: 1}, status: 'sending'});
    const row = orders.insertNew({venue: 'binance', clientOrderId: planId, planId, leg: 0, symbol: 'BTC/USDT', quote: 'USDT', side: 'buy', type: 'limit', amount: '0.01', price: '60000', notional: '600', mode: 'live'});
    events.add({kind: 'order.written', venue: 'binance', ref: planId, data: {planId}});
    return row;
  });
  const written = {id: pending.id(), ...pending.order};
  const sent = {kind: 'order.sent', venue: 'binance', ref: planId, data: {id: written.id}, at: clock.now()};
  db.tx(
    () => {
      events.add(sent);
      orders.applyVenueOrder(written.id, {id: `v-${planId}`, clientOrderId: planId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', status: 'open', amount: '0.01', filled: '0', price: '60000', average: undefined, fees: [], timestamp: clock.now()}, {assumed: written});
      events.add({kind: 'order.accepted', venue: 'binance', ref: planId, data: {id: written.id}});
    },
    {lock: 'rows'},
  );
}

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const start = Date.now();
  for (let i = 0; i < count; i++) one(i);
  const end = Date.now();
  process.stdout.write(`${JSON.stringify({start, end})}\n`);
  db.close();
  process.exit(0);
});
