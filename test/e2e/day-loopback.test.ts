/**
 * A trader's day on loopback venues (live mode, signed requests to the real
 * ccxt classes), run with the built CLI: limit orders rest on binance and
 * kraken and are filled later by the venues; one is canceled by the user's
 * own --client-id; capital is moved binance -> bin2 (binance dialect) by
 * `rebalance --execute`, first held in flight by the venue, then arrived.
 * Every command that reads account state brings the journal up to date
 * first, so reconcile exits 0 all day. An unexplained balance change still
 * exits 5 until a person acknowledges it.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {openHomeJournal} from '../support/postgres.js';
import {json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, ladder, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_BIN2_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BIN2_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_KRAKEN_API_KEY: TEST_ACCOUNTS.kraken.apiKey,
  XARB_KRAKEN_SECRET: TEST_ACCOUNTS.kraken.secret,
};

const BIN2_TRC20 = 'TLoopbackBin2Trc20Address000000004';

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  const binance = s.venues.binance;
  s.venues.bin2 = {
    ...structuredClone(binance),
    dialect: 'binance',
    accounts: [{...TEST_ACCOUNTS.binance, balances: {USDT: '20000'}, depositAddresses: {USDT: [{address: BIN2_TRC20, network: 'TRC20'}]}}],
  };
  delete s.venues.okx;
  return s as LoopbackScenario;
}

function homeFor(loop: LoopbackHandle): string {
  // ccxt spaces requests by the venue's rate limit (kraken: about one a second); the loopback servers do not need that.
  const venue = (name: string, exchange: string, extra: Record<string, unknown> = {}) => ({exchange, mode: 'live', apiBaseUrl: loop.baseUrl(name), withdraw: {enabled: true}, options: {rateLimit: 1}, ...extra});
  return tempHome({
    valuationQuote: 'USDT',
    venues: {
      binance: venue('binance', 'binance', {priority: 1}),
      bin2: venue('bin2', 'binance', {priority: 3}),
      kraken: venue('kraken', 'kraken', {priority: 2}),
    },
  });
}

function journal<T>(home: string, read: (db: Db) => T): T {
  const db = openHomeJournal(home);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('a day on loopback binance and kraken (live)', () => {
  let loop: LoopbackHandle;
  let home: string;
  const xarb = (args: readonly string[]) => runCli(args, {home, env: ENV, timeoutMs: 240_000});

  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
    home = homeFor(loop);
  });
  afterAll(async () => loop?.close());

  it('resting orders filled by the venues, a cancel by --client-id, a rebalance in flight then arrived: reconcile exits 0 throughout', async () => {
    const start = await xarb(['reconcile', '--json']);
    expect(start.code, start.stderr).toBe(0);

    // Two limit orders below/above the book rest; a third one is tagged with the user's key.
    const buy = await xarb(['order', 'buy', 'BTC/USDT', '0.01', '--limit', '59000', '--venue', 'binance', '--yes']);
    expect(buy.code, buy.stderr).toBe(0);
    expect(buy.stdout).toMatch(/: open; resting 0\.01 BTC at 59,000\.00 USDT on binance; filled 0 BTC/);
    expect(buy.stdout).not.toMatch(/done; filled 0/);
    const sell = await xarb(['order', 'sell', 'BTC/USD', '0.01', '--limit', '61000', '--venue', 'kraken', '--yes', '--json']);
    expect(sell.code, sell.stderr).toBe(0);
    expect(json(sell).orders[0]).toMatchObject({status: 'open', filled: '0'});
    const dip = await xarb(['order', 'buy', 'BTC/USDT', '0.02', '--limit', '58000', '--venue', 'binance', '--yes', '--client-id', 'dip-1', '--json']);
    expect(dip.code, dip.stderr).toBe(0);

    // The market moves through the first two: the venues fill them as maker, at their limit price.
    loop.state('binance').setBook('BTC/USDT', ladder(58_990, 0.5, 0.5));
    loop.state('kraken').setBook('BTC/USD', ladder(61_010, 0.5, 0.4));

    // --offline reads the journal alone: no request at all, still open.
    loop.clearRequests();
    const offline = await xarb(['orders', '--offline', '--json']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(json(offline).orders.map((o: any) => o.status)).toEqual(['open', 'open', 'open']);
    expect(loop.requests('binance').length + loop.requests('kraken').length).toBe(0);

    // `orders` asks first: the fills are journalled now, not at the next reconcile.
    const listed = await xarb(['orders', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [third, second, first] = json(listed).orders;
    expect(first).toMatchObject({venue: 'binance', status: 'closed', filled: '0.01', average: '59000'});
    expect(second).toMatchObject({venue: 'kraken', status: 'closed', filled: '0.01', average: '61000'});
    expect(third).toMatchObject({venue: 'binance', status: 'open', filled: '0'});
    const human = await xarb(['orders', '--offline']);
    expect(human.stdout).toMatch(/time \(UTC\)/);
    expect(human.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const fills = journal(home, (db) => db.prepare<{venue: string; amount: string; price: string}>('SELECT venue, amount, price FROM fills ORDER BY venue').all());
    expect(fills.map((f) => [f.venue, f.amount, f.price])).toEqual([
      ['binance', '0.01', '59000'],
      ['kraken', '0.01', '61000'],
    ]);
    expect(journal(home, (db) => db.prepare<{n: number}>("SELECT COUNT(*) AS n FROM events WHERE kind = 'sync.order_updated'").get()!.n)).toBe(2);

    // Cancel with the key the order was placed with.
    const cancel = await xarb(['cancel', 'dip-1', '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(json(cancel).results).toMatchObject([{venue: 'binance', outcome: 'canceled', status: 'canceled'}]);

    const afterTrading = await xarb(['reconcile', '--json']);
    expect(afterTrading.code, afterTrading.stdout).toBe(0);

    // Rebalance binance -> bin2 over TRC20; the venue holds the withdrawal pending: in flight.
    loop.state('binance').withdrawalStatus = 'pending';
    const rebalance = await xarb(['rebalance', '--target', 'binance=75,bin2=25', '--execute', '--yes', '--json']);
    expect(rebalance.code, rebalance.stdout + rebalance.stderr).toBe(0);
    const transfers = json(rebalance).execution.transfers;
    expect(transfers.length).toBeGreaterThan(0);
    expect(transfers.every((t: any) => t.from === 'binance' && t.to === 'bin2' && t.state === 'sent')).toBe(true);
    const inFlight = await xarb(['reconcile', '--json']);
    expect(inFlight.code, inFlight.stdout).toBe(0);
    const bin2 = json(inFlight).venues.find((v: any) => v.venue === 'bin2');
    expect(bin2.balanceNote).toMatch(/transfers in flight settle: USDT/);
    // The source's debit is counted (a missing one would be a USDT balance_differs on binance).
    expect(json(inFlight).venues.find((v: any) => v.venue === 'binance').balancesChecked).toBeGreaterThan(0);

    // The deposit lands; rebalance status sees it arrive; reconcile counts it.
    const binanceAccount = loop.state('binance').account(TEST_ACCOUNTS.binance.apiKey);
    for (const w of binanceAccount.withdrawals) {
      if (w.status !== 'pending') continue;
      w.status = 'ok';
      loop.state('bin2').deposit(TEST_ACCOUNTS.binance.apiKey, {asset: w.asset, amount: loop.state('binance').received(w), network: w.network!, address: w.address!, txid: w.txid!});
    }
    const status = await xarb(['rebalance', 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(json(status).inFlight).toEqual([]);
    const arrived = await xarb(['reconcile', '--json']);
    expect(arrived.code, arrived.stdout).toBe(0);
    const checked = json(arrived).venues.find((v: any) => v.venue === 'bin2');
    expect(checked.balancesChecked).toBeGreaterThan(0);
    expect(checked.discrepancies).toEqual([]);
  }, 600_000);

  it('an unexplained balance change exits 5 until acknowledged; a further change exits 5 again', async () => {
    loop.state('kraken').deposit(TEST_ACCOUNTS.kraken.apiKey, {asset: 'USD', amount: '100'});
    const found = await xarb(['reconcile', '--json']);
    expect(found.code, found.stdout).toBe(5);
    const [d] = json(found).venues.flatMap((v: any) => v.discrepancies);
    expect(d).toMatchObject({kind: 'balance_differs', ref: 'USD', acknowledged: false});

    const noNote = await xarb(['reconcile', 'ack', String(d.id)]);
    expect(noNote.code).toBe(2);
    const ack = await xarb(['reconcile', 'ack', String(d.id), '--note', 'USD paid in by hand', '--json']);
    expect(ack.code, ack.stderr).toBe(0);
    expect(json(ack)).toMatchObject({note: 'USD paid in by hand', discrepancy: {id: d.id, kind: 'balance_differs'}});
    const event = journal(home, (db) => db.prepare<{venue: string; ref: string; data: string}>("SELECT venue, ref, data FROM events WHERE kind = 'reconcile.ack'").all());
    expect(event).toHaveLength(1);
    expect(event[0]).toMatchObject({venue: 'kraken', ref: 'USD'});
    expect(JSON.parse(event[0]!.data)).toMatchObject({discrepancy: d.id, difference: '100', note: 'USD paid in by hand'});

    const quiet = await xarb(['reconcile', '--json']);
    expect(quiet.code, quiet.stdout).toBe(0);

    loop.state('kraken').deposit(TEST_ACCOUNTS.kraken.apiKey, {asset: 'USD', amount: '5'});
    const again = await xarb(['reconcile', '--json']);
    expect(again.code, again.stdout).toBe(5);
    expect(json(again).venues.flatMap((v: any) => v.discrepancies).map((x: any) => [x.kind, x.ref])).toEqual([['balance_differs', 'USD']]);
  }, 300_000);
});
