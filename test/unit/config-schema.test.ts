import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {configJsonSchema, configProblems, defaultAt, validateConfig} from '../../src/core/config/schema.js';
import {readSetting} from '../../src/core/config/store.js';
import {DEFAULT_RETENTION} from '../../src/core/journal/maintenance.js';
import {ConfigError, UsageError} from '../../src/core/errors.js';
import {parseRiskAssignment} from '../../src/core/risk/assign.js';
import {parseOptionFlags, setVenueFields} from '../../src/core/venues/manage.js';

const venue = {exchange: 'binance', mode: 'paper'};

function problemsOf(raw: unknown): string[] {
  return configProblems(raw);
}

describe('config schema', () => {
  it('refuses a withdrawal allowlist given as a string, naming the field', () => {
    const problems = problemsOf({venues: {b: {...venue, withdraw: {enabled: true, allowlist: {BTC: 'bc1qexample'}}}}});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^venues\.b\.withdraw\.allowlist\.BTC must be a list/);
    expect(() => validateConfig({venues: {b: {...venue, withdraw: {enabled: true, allowlist: {BTC: 'bc1qexample'}}}}})).toThrow(ConfigError);
  });

  it('checks each allowlist entry', () => {
    const problems = problemsOf({venues: {b: {...venue, withdraw: {enabled: true, allowlist: {BTC: [{address: ''}, {address: 'x', memo: 'y'}]}}}}});
    expect(problems.join('\n')).toContain('venues.b.withdraw.allowlist.BTC.0.address');
    expect(problems.join('\n')).toContain('venues.b.withdraw.allowlist.BTC.1.memo is not a known setting');
    expect(problemsOf({venues: {b: {...venue, withdraw: {enabled: true, allowlist: {BTC: [{address: 'bc1q', network: 'BTC'}]}}}}})).toEqual([]);
  });

  it('refuses simulated-venue settings of the wrong kind as config errors naming the field', () => {
    const problems = problemsOf({venues: {s: {exchange: 'sim', mode: 'paper', sim: {dialect: 42, seed: 1.5, speed: 3}}}});
    expect(problems.some((p) => p.startsWith('venues.s.sim.dialect must be one of dash, lower, kraken, slash'))).toBe(true);
    expect(problems.some((p) => p.startsWith('venues.s.sim.seed'))).toBe(true);
    expect(problems.some((p) => p.startsWith('venues.s.sim.speed is not a known setting'))).toBe(true);
  });

  it('reports every bad field at once, one line each, each named by its path', () => {
    const problems = problemsOf({
      venues: {a: {exchange: 'No Such', mode: 'yolo', timeoutMs: 1.5, paperBalances: {USD: -1}}},
      risk: {venues: {a: {maxOpenOrders: 'many'}}, reserves: {USD: '1e3'}},
      arb: {legPolicy: 'pray'},
      rebalanceThreshold: 101,
      alerts: {webhooks: ['file:///tmp/x']},
    });
    for (const field of ['venues.a.exchange', 'venues.a.mode', 'venues.a.timeoutMs', 'venues.a.paperBalances.USD', 'risk.venues.a.maxOpenOrders', 'risk.reserves.USD', 'arb.legPolicy', 'rebalanceThreshold', 'alerts.webhooks.0']) {
      expect(problems.filter((p) => p.startsWith(`${field} `)), field).toHaveLength(1);
    }
    expect(problems).toHaveLength(9);
    for (const p of problems) expect(p).not.toMatch(/\n/);
  });

  it('refuses a market.source carrying credentials (a password or a token), without printing them', () => {
    for (const source of ['nats://desk:pw-s3cret@127.0.0.1:4222', 'nats://tok-s3cret@127.0.0.1:4222']) {
      const problems = problemsOf({market: {source}});
      expect(problems, source).toHaveLength(1);
      expect(problems[0]).toMatch(/^market\.source must not carry credentials/);
      expect(problems[0]).not.toMatch(/s3cret/);
    }
    expect(problemsOf({market: {source: 'nats://127.0.0.1:4222'}})).toEqual([]);
    expect(problemsOf({market: {source: 'nats://h1:4222,nats://h2:4222?stream=XARB_BOOKS'}})).toEqual([]);
    expect(problemsOf({market: {source: 'nats://h1:4222,http://h2:4222'}})[0]).toMatch(/^market\.source must be a URL starting with nats:\/\//);
  });

  it('refuses prototype keys anywhere in the file', () => {
    const raw = JSON.parse('{"venues": {"b": {"exchange": "binance", "mode": "paper", "options": {"__proto__": {"polluted": 1}}}}}');
    expect(problemsOf(raw)).toEqual(['venues.b.options.__proto__ is not allowed (prototype key)']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses ccxt option URLs other than http(s)/ws(s)', () => {
    expect(problemsOf({venues: {b: {...venue, options: {urls: {api: 'file:///etc/passwd'}}}}})[0]).toMatch(/^venues\.b\.options\.urls\.api must be an http\(s\) or ws\(s\) URL/);
    expect(problemsOf({venues: {b: {...venue, options: {hostname: 'data://x'}}}})).toHaveLength(1);
    expect(problemsOf({venues: {b: {...venue, options: {urls: {api: {public: 'https://gw.example.com/api'}}, defaultType: 'spot'}}}})).toEqual([]);
  });

  it('keeps decimal amounts exact: JSON numbers become decimal strings', () => {
    const config = validateConfig({risk: {reserves: {USD: 100.5}, global: {maxOrderNotional: 50000}}});
    expect(config.risk.reserves?.USD).toBe('100.5');
    expect(config.risk.global?.maxOrderNotional).toBe('50000');
    expect(config.valuationQuote).toBe('USD');
    expect(config.arb.legPolicy).toBe('unwind');
  });

  it('describes itself as a JSON Schema with the documented defaults', () => {
    const schema = configJsonSchema() as {type: string; properties: Record<string, unknown>; additionalProperties: boolean};
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['venues', 'risk', 'arb', 'valuationQuote', 'alerts']));
    expect(defaultAt('valuationQuote')).toBe('USD');
    expect(defaultAt('arb.legPolicy')).toBe('unwind');
    expect(defaultAt('venues.anyname.timeoutMs')).toBe(10_000);
    expect(defaultAt('risk.global.maxOrderAmount')).toBeUndefined();
  });

  it('config get reads effective values and says where they come from', () => {
    const home = mkdtempSync(join(tmpdir(), 'xarb-config-'));
    expect(readSetting(home, 'valuationQuote')).toEqual({key: 'valuationQuote', value: 'USD', source: 'default'});
    writeFileSync(join(home, 'config.json'), JSON.stringify({valuationQuote: 'USDT'}));
    expect(readSetting(home, 'valuationQuote')).toEqual({key: 'valuationQuote', value: 'USDT', source: 'config'});
    expect(readSetting(home, 'risk.global.maxOrderAmount').source).toBe('unset');
    expect(() => readSetting(home, 'valuationQuotes')).toThrow(UsageError);
  });

  it('journal retention defaults are the ones prune applies, shown as defaults', () => {
    const home = mkdtempSync(join(tmpdir(), 'xarb-config-'));
    for (const [key, days] of Object.entries(DEFAULT_RETENTION)) {
      expect(readSetting(home, `journal.retention.${key}`)).toEqual({key: `journal.retention.${key}`, value: days, source: 'default'});
    }
    expect(DEFAULT_RETENTION.latencyDays).toBe(7);
  });
});

describe('values refused when typed', () => {
  it('risk set refuses an unknown venue and unknown limit keys', () => {
    expect(parseRiskAssignment('venues.binance.maxOpenOrders=3', ['binance'])).toEqual({path: 'risk.venues.binance.maxOpenOrders', key: 'venues.binance.maxOpenOrders', value: 3});
    expect(() => parseRiskAssignment('venues.nosuch.maxOpenOrders=3', ['binance'])).toThrow(/unknown venue "nosuch"/);
    expect(() => parseRiskAssignment('global.maxOrderSize=3', ['binance'])).toThrow(/"maxOrderSize" is not a risk limit/);
    expect(() => parseRiskAssignment('venues.binance.bogus=3', ['binance'])).toThrow(UsageError);
    expect(() => parseRiskAssignment('global.maxOpenOrders=0x10', [])).toThrow(UsageError);
    expect(() => parseRiskAssignment('global.maxOpenOrders=2.5', [])).toThrow(/whole number/);
  });

  it('exchanges set refuses an exchange that is neither a ccxt id nor sim', () => {
    const config = {venues: {x: {exchange: 'binance', mode: 'paper'}}};
    expect(() => setVenueFields(config, 'x', ['exchange=nosuch'])).toThrow(UsageError);
    expect(() => setVenueFields(config, 'x', ['exchange=binanse'])).toThrow(/unknown exchange/);
    expect((setVenueFields(config, 'x', ['exchange=kraken']).venues as Record<string, {exchange: string}>).x!.exchange).toBe('kraken');
    expect((setVenueFields(config, 'x', ['exchange=sim']).venues as Record<string, {exchange: string}>).x!.exchange).toBe('sim');
  });

  it('--option refuses prototype keys and non-http(s)/ws(s) URLs', () => {
    expect(() => parseOptionFlags(['__proto__.x=1'])).toThrow(UsageError);
    expect(() => parseOptionFlags(['a.constructor.prototype.x=1'])).toThrow(UsageError);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(() => parseOptionFlags(['urls.api=file:///etc/passwd'])).toThrow(ConfigError);
    expect(() => parseOptionFlags(['urls.api.public=ftp://example.com'])).toThrow(/http\(s\) or ws\(s\)/);
    expect(parseOptionFlags(['urls.api.public=https://gw.example.com', 'defaultType=spot', 'recvWindow=5000'])).toEqual({urls: {api: {public: 'https://gw.example.com'}}, defaultType: 'spot', recvWindow: 5000});
  });

  it('exchanges set refuses prototype keys', () => {
    expect(() => setVenueFields({venues: {x: {exchange: 'binance', mode: 'paper'}}}, 'x', ['__proto__.polluted=1'])).toThrow(UsageError);
  });
});
