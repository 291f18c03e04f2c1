import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {json, runCli, tempHome} from '../support/cli.js';

describe('xarb exchanges and config', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback();
  });
  afterAll(async () => loop?.close());

  it('lists the demo venues as simulated, paper, without keys', async () => {
    const home = tempHome();
    const r = await runCli(['exchanges', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.demo).toBe(true);
    expect(out.venues.length).toBeGreaterThanOrEqual(3);
    for (const v of out.venues) {
      expect(v).toMatchObject({simulated: true, mode: 'paper', keys: false, reachable: true});
    }
    const allocation = out.venues.reduce((s: number, v: any) => s + (v.allocation ?? 0), 0);
    expect(allocation).toBe(100);
  });

  it('adds, changes and removes a real venue; keys are reported present but never shown', async () => {
    const home = tempHome();
    const add = await runCli(['exchanges', 'add', 'binance', '--api-base-url', loop.baseUrl('binance'), '--priority', '1', '--allocation', '60', '--option', 'options.fetchCurrencies=false', '--json'], {home});
    expect(add.code, add.stderr).toBe(0);
    expect(json(add).venue).toMatchObject({exchange: 'binance', mode: 'paper', priority: 1, allocation: 60, options: {options: {fetchCurrencies: false}}});

    const env = {XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};
    const list = await runCli(['exchanges', '--json'], {home, env});
    expect(list.code, list.stderr).toBe(0);
    const venue = json(list).venues[0];
    expect(venue).toMatchObject({name: 'binance', exchange: 'binance', reachable: true, keys: true, mode: 'paper'});
    expect(venue.latencyMs).toBeGreaterThanOrEqual(0);
    expect(list.stdout + list.stderr).not.toContain(TEST_ACCOUNTS.binance.secret);
    expect(list.stdout + list.stderr).not.toContain(TEST_ACCOUNTS.binance.apiKey);
    const human = await runCli(['exchanges'], {home, env});
    expect(human.stdout).toContain('present');
    expect(human.stdout + human.stderr).not.toContain(TEST_ACCOUNTS.binance.secret);

    const set = await runCli(['exchanges', 'set', 'binance', 'mode=live', 'fees.taker=0.0008'], {home});
    expect(set.code, set.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    expect(saved.venues.binance).toMatchObject({mode: 'live', fees: {taker: 0.0008}});

    const bad = await runCli(['exchanges', 'set', 'binance', 'mode=yolo', '--json'], {home});
    expect(bad.code).toBe(2);
    expect(json(bad).error.name).toBe('ConfigError');
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).venues.binance.mode).toBe('live');

    const secret = await runCli(['exchanges', 'set', 'binance', 'secret=abc', '--json'], {home});
    expect(secret.code).toBe(2);

    const rm = await runCli(['exchanges', 'remove', 'binance'], {home});
    expect(rm.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).venues).toEqual({});
  });

  it('rejects unknown exchanges and duplicates with exit 2', async () => {
    const home = tempHome();
    const r = await runCli(['exchanges', 'add', 'binanse', '--json'], {home});
    expect(r.code).toBe(2);
    expect(json(r).error.hint).toMatch(/binance/);
    expect((await runCli(['exchanges', 'add', 'kraken'], {home})).code).toBe(0);
    expect((await runCli(['exchanges', 'add', 'kraken'], {home})).code).toBe(2);
    expect((await runCli(['exchanges', 'remove', 'nope'], {home})).code).toBe(2);
  });

  it('shows an unreachable venue as failed; every venue failed is exit 4', async () => {
    const home = tempHome({venues: {dead: {exchange: 'binance', mode: 'paper', apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 1500}}});
    const r = await runCli(['exchanges', '--json'], {home});
    expect(r.code).toBe(4);
    expect(json(r).venues[0]).toMatchObject({name: 'dead', reachable: false});
  });

  it('config get/set/path work on XARB_HOME and validate', async () => {
    const home = tempHome();
    const p = json(await runCli(['config', 'path', '--json'], {home}));
    expect(p.home).toBe(home);
    expect(p.journal).toBe(join(home, 'journal.db'));
    expect((await runCli(['config', 'set', 'risk.global.maxOrderNotional', '50000'], {home})).code).toBe(0);
    const got = json(await runCli(['config', 'get', 'risk.global.maxOrderNotional', '--json'], {home}));
    expect(got.value).toBe(50000);
    const bad = await runCli(['config', 'set', 'risk.global.maxOrderNotional', '"lots"', '--json'], {home});
    expect(bad.code).toBe(2);
    expect((await runCli(['config', 'set', 'venues.x.secret', 'abc'], {home})).code).toBe(2);
  });

  it('a broken config file is a clear error with exit 2', async () => {
    const home = tempHome();
    const {writeFileSync} = await import('node:fs');
    writeFileSync(join(home, 'config.json'), '{"venues": {"a": {"exchange": "binance", "mode": "nope"}}, "risk": 5}');
    const r = await runCli(['prices', 'BTC/USD', '--json'], {home});
    expect(r.code).toBe(2);
    const err = json(r).error;
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain('venues.a.mode');
    expect(err.message).toContain('risk must be an object');
  });
});

describe('settings that would break later runs', () => {
  it('a broken config can be repaired with config set, and config path always works', async () => {
    const home = tempHome({valuationQuote: [], venues: {b: {exchange: 'binance', mode: 'paper', timeoutMs: -1}}});
    const path = await runCli(['config', 'path', '--json'], {home});
    expect(path.code).toBe(0);
    expect((await runCli(['config', 'get', '--json'], {home})).code).toBe(0);
    // Fixing one field is accepted although another is still broken.
    expect((await runCli(['config', 'set', 'valuationQuote', 'USD'], {home})).code).toBe(0);
    expect((await runCli(['exchanges', 'set', 'b', 'timeoutMs=5000'], {home})).code).toBe(0);
    const prices = await runCli(['prices', 'BTC/USD', '--json'], {home, env: {}});
    expect(prices.code).not.toBe(2);
    // Adding a new problem is still refused.
    expect((await runCli(['config', 'set', 'valuationQuote', '"$$"'], {home})).code).toBe(2);
  });

  it('refuses misspelt settings and ccxt verbose mode (it would print keys)', async () => {
    const home = tempHome();
    for (const args of [
      ['config', 'set', 'risk.maxOrderNotional', '100'],
      ['config', 'set', 'foo', 'bar'],
      ['exchanges', 'add', 'binance', '--option', 'verbose=true'],
    ]) {
      const r = await runCli([...args, '--json'], {home});
      expect(r.code, args.join(' ')).toBe(2);
      expect(json(r).error.name).toBe('ConfigError');
    }
  });

  it('a bad keys file fails only its own venue, and is refused when set', async () => {
    const {writeFileSync, chmodSync} = await import('node:fs');
    const home = tempHome();
    const keys = join(home, 'keys.json');
    writeFileSync(keys, JSON.stringify({apiKey: 'k-123456', secret: 's-123456'}));
    chmodSync(keys, 0o644);
    expect((await runCli(['exchanges', 'add', 'sim', '--name', 'simbit'], {home})).code).toBe(0);
    expect((await runCli(['exchanges', 'add', 'binance', '--api-base-url', 'http://127.0.0.1:9'], {home})).code).toBe(0);
    const refused = await runCli(['exchanges', 'set', 'binance', `keysFile=${keys}`, '--json'], {home});
    expect(refused.code).toBe(2);
    expect(json(refused).error.message).toMatch(/readable by others/);
    // Set behind xarb's back: public data on the other venues still works.
    const saved = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    saved.venues.binance.keysFile = keys;
    writeFileSync(join(home, 'config.json'), JSON.stringify(saved));
    const prices = await runCli(['prices', 'BTC/USD', '--venues', 'simbit', '--json'], {home});
    expect(prices.code, prices.stderr).toBe(0);
  });

  it('refuses sandbox for an exchange that has none', async () => {
    const home = tempHome();
    const r = await runCli(['exchanges', 'add', 'kraken', '--sandbox', '--json'], {home});
    expect(r.code).toBe(2);
    expect(json(r).error.message).toMatch(/no sandbox/);
    const {existsSync} = await import('node:fs');
    expect(existsSync(join(home, 'config.json'))).toBe(false);
  });

  it('help and unknown commands', async () => {
    const home = tempHome();
    const help = await runCli(['help', 'prices'], {home});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/USAGE/);
    const unknown = await runCli(['pricez', '--json'], {home});
    expect(unknown.code).toBe(2);
    expect(json(unknown).error.name).toBe('UsageError');
  });
});
