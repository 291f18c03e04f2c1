/**
 * Crash safety of placing an order, end to end.
 *
 * The built CLI places orders on loopback venues (binance and kraken dialects
 * through the real ccxt classes) and on a paper venue over a simulated
 * market, and is SIGKILLed at each step of placing
 * (XARB_TEST_CRASH_AT, see src/core/execution/crash.ts):
 *   before_write, after_write, after_accept, after_answer
 * for a market order and a resting limit order on each venue. Each crashed
 * intent is then retried once with the same --client-id (what a user or a
 * script would do), and `xarb reconcile --fix` runs. Afterwards:
 *   - no intent reached a venue more than once (loopback request log), and
 *     exactly once unless the crash came before the send and the retry
 *     found it already journalled;
 *   - the journal holds exactly the venue's orders (id, status, filled) and
 *     nothing else but the never-sent ones, which are rejected;
 *   - the journal's fills are exactly the venue's trades, none missing or
 *     doubled, and each order's fills add up to its filled amount;
 *   - nothing is left pending_submit or unknown, and a plain reconcile
 *     afterwards is in line (exit 0).
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {homeJournalEnv, openHomeJournal} from '../support/postgres.js';
import {add, cmp} from '../../src/core/money/decimal.js';
import {CLI, json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario, type RecordedRequest} from '../support/loopback/index.js';

const STEPS = ['before_write', 'after_write', 'after_accept', 'after_answer'] as const;
type Step = (typeof STEPS)[number];

const ENV = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_KRAKEN_API_KEY: TEST_ACCOUNTS.kraken.apiKey,
  XARB_KRAKEN_SECRET: TEST_ACCOUNTS.kraken.secret,
  XARB_NO_DEMO_NOTICE: '1',
};

/** Two live venues on loopback servers, and a paper venue over a simulated market (the venue side lives in paper_* tables). */
const VENUES = {
  binance: {symbol: 'BTC/USDT', apiKey: TEST_ACCOUNTS.binance.apiKey, restAt: '58000'},
  kraken: {symbol: 'BTC/USD', apiKey: TEST_ACCOUNTS.kraken.apiKey, restAt: '58000'},
  simpaper: {symbol: 'BTC/USD', apiKey: undefined, restAt: '30000'},
} as const;
type VenueName = keyof typeof VENUES;

/** Order shapes: a market buy (fills at once) and a limit buy well below the book (rests open). */
const SHAPES = {
  market: (venue: VenueName) => ['buy', VENUES[venue].symbol, '0.001'],
  resting: (venue: VenueName) => ['buy', VENUES[venue].symbol, '0.001', '--limit', VENUES[venue].restAt],
} as const;
type Shape = keyof typeof SHAPES;

interface Trial {
  readonly venue: VenueName;
  readonly step: Step;
  readonly shape: Shape;
  readonly key: string;
  crashSignal?: NodeJS.Signals | null;
  clientOrderIds?: string[];
  replayed?: boolean;
}

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  delete s.venues.okx;
  return s as LoopbackScenario;
}

function runOrder(args: readonly string[], home: string, crashAt?: Step): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}> {
  const env: NodeJS.ProcessEnv = {...process.env, ...ENV, XARB_HOME: home, ...homeJournalEnv(home), ...(crashAt ? {XARB_TEST_CRASH_AT: crashAt} : {})};
  delete env.XARB_DEBUG;
  const child = spawn(process.execPath, [CLI, 'order', ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return once(child, 'exit').then(([code, signal]) => ({code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr}));
}

/** The clientOrderId carried by a create-order request, in the venue's own field. */
function createdClientId(venue: VenueName, r: RecordedRequest): string | undefined {
  if (venue === 'binance') return r.method === 'POST' && r.path === '/api/v3/order' ? String(r.params.newClientOrderId) : undefined;
  return r.path === '/0/private/AddOrder' ? String(r.params.cl_ord_id) : undefined;
}

interface VenueTruth {
  readonly orders: readonly {readonly id: string; readonly clientOrderId: string | undefined; readonly status: string; readonly filled: string}[];
  readonly tradeIds: readonly string[];
  /** How many create requests carried this clientOrderId. */
  creates(clientOrderId: string): number;
}

/** What the venue holds: the loopback account, or for the paper venue its venue-side tables. */
function venueTruth(loop: LoopbackHandle, db: Db, venue: VenueName): VenueTruth {
  const apiKey = VENUES[venue].apiKey;
  if (apiKey === undefined) {
    const orders = db.prepare<{id: string; client_order_id: string | null; status: string; filled: string}>('SELECT id, client_order_id, status, filled FROM paper_orders WHERE venue = ?').all([venue]);
    return {
      orders: orders.map((o) => ({id: o.id, clientOrderId: o.client_order_id ?? undefined, status: o.status, filled: o.filled})),
      tradeIds: db.prepare<{id: string}>('SELECT id FROM paper_trades WHERE venue = ?').all([venue]).map((t) => t.id),
      creates: (cid) => orders.filter((o) => o.client_order_id === cid).length,
    };
  }
  const account = loop.state(venue).account(apiKey);
  const requests = loop.requests(venue);
  return {
    orders: account.orders.map((o) => ({id: o.id, clientOrderId: o.clientOrderId, status: o.status === 'filled' ? 'closed' : o.status, filled: o.filled})),
    tradeIds: account.trades.map((t) => t.id),
    creates: (cid) => requests.filter((r) => createdClientId(venue, r) === cid).length,
  };
}

describe('crash safety: SIGKILL at every step of placing an order, then reconcile --fix', () => {
  let loop: LoopbackHandle;
  let home: string;
  const trials: Trial[] = [];

  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
    home = tempHome({
      venues: {
        // The loopback venues enforce no rate limit: ccxt's own spacing (kraken's is ~1 s, 3-6 s for private calls) would only add waiting.
        binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}},
        kraken: {exchange: 'kraken', mode: 'live', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 1}},
        simpaper: {exchange: 'sim', mode: 'paper', sim: {seed: 7, dialect: 'dash'}, paperBalances: {USD: '100000', BTC: '1'}},
      },
    });
    for (const venue of Object.keys(VENUES) as VenueName[]) {
      for (const step of STEPS) for (const shape of Object.keys(SHAPES) as Shape[]) trials.push({venue, step, shape, key: `crash-${venue}-${step}-${shape}`});
    }
  });
  afterAll(async () => loop?.close());

  it('a first reconcile finds the accounts in line and records balance baselines', async () => {
    const r = await runCli(['reconcile', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('every crash really kills the process at its step; each intent is retried once with the same key', async () => {
    // Venues run in parallel, the trials of one venue one after another.
    await Promise.all(
      (Object.keys(VENUES) as VenueName[]).map(async (venue) => {
        for (const trial of trials.filter((t) => t.venue === venue)) {
          const args = [...SHAPES[trial.shape](venue), '--venue', venue, '--yes', '--json', '--client-id', trial.key];
          const crashed = await runOrder(args, home, trial.step);
          trial.crashSignal = crashed.signal;
          const retry = await runOrder(args, home);
          expect([0, 4], `${trial.key} retry: ${retry.stderr}`).toContain(retry.code);
          const report = JSON.parse(retry.stdout);
          trial.replayed = report.replayed;
          trial.clientOrderIds = report.orders.map((o: any) => o.clientOrderId);
        }
      }),
    );
    for (const trial of trials) {
      expect(trial.crashSignal, trial.key).toBe('SIGKILL');
      expect(trial.clientOrderIds, trial.key).toHaveLength(1);
      // Only an intent that was not journalled before the crash is written (and sent) by the retry.
      expect(trial.replayed, trial.key).toBe(trial.step !== 'before_write');
    }
  }, 900_000);

  it('reconcile --fix brings the journal exactly in line with the venues; nothing was sent twice', async () => {
    const fixed = await runCli(['reconcile', '--fix', '--grace', '0', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    const report = json(fixed);
    expect(report.venues.flatMap((v: any) => v.discrepancies.filter((d: any) => d.kind === 'balance_differs'))).toEqual([]);

    const db = openHomeJournal(home);
    try {
      for (const venue of Object.keys(VENUES) as VenueName[]) {
        const truth = venueTruth(loop, db, venue);

        // 1. No intent reached the venue more than once; exactly once unless it was never sent.
        for (const trial of trials.filter((t) => t.venue === venue)) {
          const cid = trial.clientOrderIds![0]!;
          expect(truth.creates(cid), `${trial.key} create requests`).toBe(trial.step === 'after_write' ? 0 : 1);
          expect(truth.orders.filter((o) => o.clientOrderId === cid).length, `${trial.key} venue orders`).toBe(trial.step === 'after_write' ? 0 : 1);
        }

        // 2. Journal orders == venue orders (id, status, filled); the rest are the never-sent ones, rejected.
        const rows = db
          .prepare<{client_order_id: string; venue_order_id: string | null; status: string; filled: string; id: number}>(
            'SELECT id, client_order_id, venue_order_id, status, filled FROM orders WHERE venue = ? ORDER BY id',
          )
          .all([venue]);
        expect(rows.filter((r) => r.status === 'pending_submit' || r.status === 'unknown'), 'nothing left in flight').toEqual([]);
        const linked = rows.filter((r) => r.venue_order_id !== null);
        expect(
          linked.map((r) => [r.venue_order_id, r.client_order_id, r.status, r.filled]).sort(),
          'journal orders vs venue orders',
        ).toEqual(truth.orders.map((o) => [o.id, o.clientOrderId, o.status, o.filled]).sort());
        const neverSent = rows.filter((r) => r.venue_order_id === null);
        expect(neverSent.map((r) => r.status)).toEqual(neverSent.map(() => 'rejected'));
        expect(neverSent.map((r) => r.client_order_id).sort()).toEqual(
          trials
            .filter((t) => t.venue === venue && t.step === 'after_write')
            .map((t) => t.clientOrderIds![0])
            .sort(),
        );

        // 3. Fills == venue trades: none missing, none doubled; per order they add up to `filled`.
        const fills = db.prepare<{trade_id: string; order_id: number | null; amount: string}>('SELECT trade_id, order_id, amount FROM fills WHERE venue = ?').all([venue]);
        expect(fills.map((f) => f.trade_id).sort(), 'fills vs trades').toEqual([...truth.tradeIds].sort());
        for (const row of linked) {
          const total = fills.filter((f) => f.order_id === row.id).reduce((sum, f) => add(sum, f.amount), '0');
          expect(cmp(total, row.filled), `fills of ${row.client_order_id}`).toBe(0);
        }
      }
    } finally {
      db.close();
    }

    const again = await runCli(['reconcile', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(again.code, again.stdout).toBe(0);
    expect(json(again).totals.discrepancies).toBe(0);
  }, 300_000);
});
