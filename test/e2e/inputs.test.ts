/**
 * Bad input and venue failure at the edges a user meets, on the built CLI:
 * one clear error line (control characters escaped, long input cut), exit 4
 * when every venue failed (not "no opportunity"), the demo venues re-added
 * exactly, a paper venue funded with --paper-balance, and the event log.
 * Flag parsing itself is covered by test/unit/flags.test.ts.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {demoProfile} from '../../src/core/venues/sim/demo.js';
import {json, runCli, tempHome} from '../support/cli.js';

const env = {XARB_NO_DEMO_NOTICE: '1'};
const config = (home: string) => JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));

describe('bad input: exit 2 with one line', () => {
  it('escapes control characters and cuts a 5,000-character input', async () => {
    const r = await runCli(['balances', '--asset', `\u001b[2J${'A'.repeat(5000)}`], {home: tempHome(), env});
    expect(r.code).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: --asset must be an asset code/);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/\u001b/);
    expect(errors[0]!.length).toBeLessThan(300);
  });

  it('a duration without a unit names the fix', async () => {
    const r = await runCli(['reconcile', '--grace', '60000', '--json'], {home: tempHome(), env});
    expect(r.code).toBe(2);
    expect(json(r).error).toMatchObject({name: 'UsageError', message: '--grace needs a unit: 60000s'});
  });

  it('a config edited by hand after runs that kept its validation is validated again', async () => {
    const home = tempHome();
    // The first run records the journal in config.json; the second validates that file and keeps the result.
    for (let i = 0; i < 2; i++) expect((await runCli(['prices', 'BTC/USD', '--json'], {home, env})).code).toBe(0);
    expect(existsSync(join(home, '.config-checked.json'))).toBe(true);
    writeFileSync(join(home, 'config.json'), JSON.stringify({...config(home), valuationQuote: 12}));
    const r = await runCli(['prices', 'BTC/USD', '--json'], {home, env});
    expect(r.code).toBe(2);
    expect(json(r).error).toMatchObject({name: 'ConfigError'});
    expect(r.stderr + r.stdout).toMatch(/valuationQuote/);
  });
});

describe('every venue failed: exit 4, the reasons on stderr', () => {
  // A venue whose API is a closed loopback port: every call fails at once.
  const dead = () => {
    const home = tempHome({venues: {deadex: {exchange: 'binance', mode: 'paper', apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 2000}}});
    return home;
  };

  it('arb scan says so instead of "no opportunity"', async () => {
    const r = await runCli(['arb', 'scan'], {home: dead(), env, timeoutMs: 120_000});
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).not.toMatch(/No opportunity/);
    expect(r.stderr).toMatch(/^error: all venues: no venue answered/m);
  }, 150_000);
});

describe('venues a user adds', () => {
  it('exchanges add demo re-adds the demo venues exactly; sim --name simbit recreates one', async () => {
    const home = tempHome();
    const added = await runCli(['exchanges', 'add', 'demo', '--json'], {home, env});
    expect(added.code, added.stderr).toBe(0);
    expect(json(added).added).toEqual(['simbit', 'simex', 'simkraken', 'simgate']);
    expect(config(home).venues).toEqual(demoProfile());
    expect((await runCli(['exchanges', 'add', 'demo'], {home, env})).code).toBe(2);

    const one = tempHome();
    expect((await runCli(['exchanges', 'add', 'sim', '--name', 'simbit'], {home: one, env})).code).toBe(0);
    expect(config(one).venues.simbit).toEqual(demoProfile().simbit);
  });

  it('--paper-balance funds a paper venue; a venue with 0 free names the flag', async () => {
    const home = tempHome();
    expect((await runCli(['exchanges', 'add', 'sim', '--name', 'lab', '--paper-balance', 'USD=1000,BTC=0.5'], {home, env})).code).toBe(0);
    expect(config(home).venues.lab.paperBalances).toEqual({USD: '1000', BTC: '0.5'});
    const balances = json(await runCli(['balances', '--json'], {home, env}));
    expect(Object.fromEntries(balances.rows.map((r: any) => [r.asset, r.total]))).toMatchObject({USD: '1000', BTC: '0.5'});

    const empty = tempHome();
    expect((await runCli(['exchanges', 'add', 'sim', '--name', 'lab'], {home: empty, env})).code).toBe(0);
    const refused = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--json'], {home: empty, env});
    expect(refused.code).toBe(2);
    expect(json(refused).error.hint).toContain('--paper-balance');
  });

  it('xarb events lists the journal event log', async () => {
    const home = tempHome();
    expect((await runCli(['risk', 'halt', '--reason', 'drill'], {home, env})).code).toBe(0);
    const r = await runCli(['events', '--kind', 'risk.', '--since', '1h', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).events.map((e: any) => e.kind)).toContain('risk.state');
  });
});
