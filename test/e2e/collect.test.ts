import {spawn} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {dropBus, NatsBus} from '../../src/core/bus/nats.js';
import {CLI, json, runCli, tempHome} from '../support/cli.js';
import {skipWithoutNats, testSource} from '../support/nats.js';

const skip = await skipWithoutNats();

describe.skipIf(skip)('xarb collect, collect status and --source on the demo venues', () => {
  const home = tempHome();
  const source = testSource('e2ecollect');
  const env = {XARB_NO_DEMO_NOTICE: '1'};

  afterAll(async () => {
    await dropBus(source);
  });

  it('collects until SIGTERM; readers then get books, metadata and status from the bus', async () => {
    const child = spawn(process.execPath, [CLI, 'collect', '--source', source, '--symbols', 'BTC/USD,ETH/USD', '--interval', '300ms', '--poll', '200ms'], {
      env: {...process.env, XARB_HOME: home, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait for two status lines (the collector is publishing), then read while it runs.
    const deadline = Date.now() + 30_000;
    while ((stderr.match(/\/s, \d+ total/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/\/s, \d+ total/);

    const status = await runCli(['collect', 'status', '--source', source, '--json'], {home, env});
    expect(status.code, status.stderr).toBe(0);
    const collectors = json(status).collectors;
    expect(collectors).toHaveLength(1);
    expect(collectors[0].state).toBe('running');
    expect(collectors[0].published).toBeGreaterThan(0);
    expect(collectors[0].venues).toEqual(['simbit', 'simex', 'simgate', 'simkraken']);

    const prices = await runCli(['prices', 'BTC/USD', '--source', source, '--json'], {home, env});
    expect(prices.code, prices.stderr).toBe(0);
    const rows = json(prices).symbols[0].rows;
    const ok = rows.filter((r: any) => r.status === 'ok');
    expect(ok.length).toBeGreaterThanOrEqual(3);
    for (const r of ok) expect(Number(r.bid)).toBeLessThan(Number(r.ask));
    expect(rows.find((r: any) => r.venue === 'simex').status).toBe('not_listed');
    // The same bus given in the environment (where a URL with credentials may be kept) instead of --source.
    const fromEnv = await runCli(['prices', 'BTC/USD', '--json'], {home, env: {...env, XARB_MARKET_SOURCE: source}});
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(json(fromEnv).symbols[0].rows.filter((r: any) => r.status === 'ok').length).toBe(ok.length);
    // It is what is read: a bus nobody runs is exit 4, not the venues asked instead.
    const deadBus = await runCli(['prices', 'BTC/USD'], {home, env: {...env, XARB_MARKET_SOURCE: 'nats://127.0.0.1:1'}});
    expect(deadBus.code).toBe(4);
    expect(deadBus.stderr).toMatch(/market-data bus nats:\/\/127\.0\.0\.1:1/);
    const badEnv = await runCli(['prices', 'BTC/USD'], {home, env: {...env, XARB_MARKET_SOURCE: 'http://127.0.0.1:4222'}});
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/XARB_MARKET_SOURCE must be a nats:\/\/ URL/);

    const scan = await runCli(['arb', 'scan', 'BTC/USD', 'ETH/USD', '--source', source, '--json'], {home, env});
    expect(scan.code, scan.stderr).toBe(0);
    expect(json(scan).venues.filter((v: any) => v.ok).length).toBe(4);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopped: \d+ book update\(s\) published/);
    const after = json(await runCli(['collect', 'status', '--source', source, '--json'], {home, env}));
    expect(after.collectors[0].state).toBe('stopped');
  });

  it('order --source routes on the books read from the bus (same --max-age rule); the plan prices them', async () => {
    const bus = await NatsBus.open({url: source});
    const book = await bus.latestBook('simbit', 'BTC/USD');
    await bus.close();
    expect(book).toBeDefined();
    const amount = 0.01;
    let filled = 0;
    const worst = book!.asks.find(([, size]) => (filled += size) >= amount)![0];
    const r = await runCli(['order', 'buy', 'BTC/USD', String(amount), '--venue', 'simbit', '--source', source, '--max-age', '1h', '--dry-run', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const plan = json(r).plan;
    expect(plan.children.map((c: any) => c.venue)).toEqual(['simbit']);
    expect(Number(plan.children[0].worstPrice)).toBeCloseTo(worst, 6);
    // The collector has stopped: those books are older than 1 ms, so nothing is routed.
    const stale = await runCli(['order', 'buy', 'BTC/USD', String(amount), '--venue', 'simbit', '--source', source, '--max-age', '1ms', '--dry-run', '--json'], {home, env});
    expect(stale.code).toBe(4);
    expect(json(stale).error.name).toBe('VenueError');
  });

  it('market.source in config is used when no flag is given', async () => {
    const configured = tempHome({market: {source}});
    const r = await runCli(['prices', 'ETH/USD', '--json'], {home: configured, env});
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).symbols[0].rows.some((x: any) => x.status === 'ok')).toBe(true);
  });

  it('says so with exit 4 when the bus cannot be reached', async () => {
    for (const args of [['prices', 'BTC/USD'], ['arb', 'scan'], ['order', 'buy', 'BTC/USD', '0.01', '--dry-run']]) {
      const r = await runCli([...args, '--source', 'nats://127.0.0.1:1', '--json'], {home, env});
      expect(r.code).toBe(4);
      expect(json(r).error.name).toBe('BusUnavailableError');
      expect(r.stderr).toMatch(/^error: market-data bus/m);
    }
  });

  it('refuses a source that is not a nats:// URL (exit 2)', async () => {
    const r = await runCli(['prices', 'BTC/USD', '--source', 'http://127.0.0.1:4222'], {home, env});
    expect(r.code).toBe(2);
    const bad = await runCli(['prices', 'BTC/USD'], {home: tempHome({market: {source: 'kafka://x:9092'}}), env});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/market.source/);
  });
});
