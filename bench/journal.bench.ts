/**
 * Journal throughput and the risk check's cost, on a journal file (WAL) in a
 * temp folder, medians of rounds.
 *
 * - Batch writes (OrdersRepo.insertBatch, the import/bulk path): batches of
 *   1,000 orders each with its fill, one transaction per batch, aggregates
 *   included. Target: >= 20,000 order+fill writes per second.
 * - The per-order path execution uses (insert pending_submit, apply the
 *   venue's answer, record the fill), 1,000 orders per transaction.
 * - Risk check with 10,000 open orders in the journal: the read half of the
 *   write-ahead transaction (trading state, usage aggregates) plus the pure
 *   engine over one order with every limit configured. Target: < 1 ms.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {RiskConfig} from '../src/core/config/schema.js';
import {openDb} from '../src/core/journal/db.js';
import {OrdersRepo} from '../src/core/journal/orders.js';
import {RiskStateRepo} from '../src/core/journal/risk-state.js';
import {evaluateBatch} from '../src/core/risk/engine.js';
import type {PlannedOrder} from '../src/core/types.js';
import {median, row} from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'xarb-bench-journal-'));
const db = openDb(join(dir, 'journal.db'));
const t = Date.UTC(2025, 0, 15, 12);
const clock = {now: () => t};
const repo = new OrdersRepo(db, clock);
const VENUES = ['binance', 'kraken', 'okx', 'coinbase', 'bybit'];
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'ETH/BTC'];

let seq = 0;
function batch(size: number, final: boolean): void {
  db.tx(() => {
    for (let i = 0; i < size; i++) {
      const n = seq++;
      const venue = VENUES[n % VENUES.length]!;
      const symbol = SYMBOLS[n % SYMBOLS.length]!;
      const o = repo.insert({venue, clientOrderId: `c${n}`, symbol, quote: symbol.split('/')[1]!, side: n % 2 ? 'buy' : 'sell', type: 'limit', amount: '0.01', price: '60000', notional: '600', mode: 'paper'});
      if (!final) continue;
      repo.applyVenueOrder(o.id, {id: `v${n}`, clientOrderId: `c${n}`, symbol, side: o.side, type: 'limit', status: 'closed', amount: '0.01', filled: '0.01', price: '60000', average: '60000', fees: [], timestamp: t});
      repo.recordFills(venue, [{id: `t${n}`, orderId: `v${n}`, clientOrderId: `c${n}`, symbol, side: o.side, price: '60000', amount: '0.01', fee: {cost: '0.6', currency: 'USDT'}, takerOrMaker: 'taker', timestamp: t}], {orderId: o.id});
    }
  });
}

// Batch writes.
const BATCH = 1000;
function bulk(size: number): void {
  const entries = [];
  for (let i = 0; i < size; i++) {
    const n = seq++;
    const venue = VENUES[n % VENUES.length]!;
    const symbol = SYMBOLS[n % SYMBOLS.length]!;
    const side = n % 2 ? ('buy' as const) : ('sell' as const);
    entries.push({
      order: {venue, clientOrderId: `c${n}`, venueOrderId: `v${n}`, symbol, quote: symbol.split('/')[1]!, side, type: 'limit' as const, amount: '0.01', price: '60000', notional: '600', status: 'closed' as const, filled: '0.01', average: '60000', mode: 'paper' as const},
      fills: [{id: `t${n}`, orderId: `v${n}`, clientOrderId: `c${n}`, symbol, side, price: '60000', amount: '0.01', fee: {cost: '0.6', currency: 'USDT'}, takerOrMaker: 'taker' as const, timestamp: t}],
    });
  }
  repo.insertBatch(entries);
}
/** Rates per second by wall time and by CPU time (the machine is shared: CPU time is what the work costs). */
function rate(fn: () => void, rounds: number): {wall: number; cpu: number} {
  fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push(BATCH / (ms / 1000));
    cpu.push(BATCH / ((c.user + c.system) / 1e6));
  }
  return {wall: median(wall), cpu: median(cpu)};
}
const bulkRate = rate(() => bulk(BATCH), 9);
row(`order+fill pairs/s, insertBatch (batches of ${BATCH}), wall`, bulkRate.wall.toFixed(0), '>= 20,000');
row(`order+fill pairs/s, insertBatch (batches of ${BATCH}), CPU`, bulkRate.cpu.toFixed(0), '>= 20,000');
const single = rate(() => batch(BATCH, true), 5);
row('orders/s, per-order path (insert, answer, fill; 1 tx per 1,000), wall', single.wall.toFixed(0));
row('orders/s, per-order path, CPU', single.cpu.toFixed(0));

// 10,000 open orders, then time the risk check.
for (let i = 0; i < 10; i++) batch(1000, false);
const usage = repo.usage();
const openCount = usage.open.reduce((s, r) => s + r.orders, 0);
const state = new RiskStateRepo(db, clock);
const config: RiskConfig = {
  global: {maxOrderAmount: '10', maxOrderNotional: '1000000', maxPosition: '100000', maxDailyVolume: '1000000000000', maxExposurePct: 100, maxOpenOrders: 100_000, priceBandPct: 5, maxTotalExposurePct: 1000},
  venues: {binance: {maxOpenOrders: 50_000, maxDailyVolume: '1000000000000'}},
  symbols: {'BTC/USDT': {maxPosition: '100000', maxOrderAmount: '5'}},
  reserves: {USDT: '100'},
};
const balances = new Map(VENUES.map((v) => [v, [{asset: 'USDT', free: '1000000', used: '0', total: '1000000'}, {asset: 'BTC', free: '10', used: '0', total: '10'}, {asset: 'ETH', free: '100', used: '0', total: '100'}]] as const));
const rates_ = {USDT: 1, BTC: 60000, ETH: 3000, SOL: 150} as Record<string, number>;
const order: PlannedOrder = {leg: 0, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01', price: '60000', expectedPrice: 60000, cost: 600, feeRate: 0.001, fee: 0.6, total: 600.6, resting: '0', mid: 60000};
const times: number[] = [];
let denied = 0;
for (let i = 0; i < 520; i++) {
  const t0 = performance.now();
  const verdict = db.tx(() => {
    const snapshot = {state: state.get().state, valuationQuote: 'USDT', cash: ['USDT', 'USD', 'USDC'], value: (a: string) => rates_[a], balances, unknownBalances: [], usage: repo.usage()};
    return evaluateBatch([order], config, snapshot);
  });
  if (i >= 20) times.push(performance.now() - t0);
  if (verdict) denied++;
}
row(`risk check in the write transaction, ${openCount} open orders (ms)`, median(times).toFixed(3), '< 1 ms');
if (denied > 0) process.stdout.write(`  (note: ${denied} checks denied: ${JSON.stringify(evaluateBatch([order], config, {state: 'active', valuationQuote: 'USDT', cash: ['USDT'], value: (a) => rates_[a], balances, unknownBalances: [], usage: repo.usage()})?.violation)})\n`);
db.close();
rmSync(dir, {recursive: true, force: true});
