/**
 * The validation cache of config.json (config/store.ts): a config that passed
 * is served again without validating only while its bytes, the build's
 * version and the schema are the same; an invalid config is never served.
 */
import {mkdtempSync, readFileSync, statSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {validateConfig} from '../../src/core/config/schema.js';
import {configCheckKey, configCheckPath, configPath, loadConfig} from '../../src/core/config/store.js';
import {ConfigError} from '../../src/core/errors.js';

const valid = {
  venues: {
    kraken: {exchange: 'kraken', mode: 'paper', fees: {taker: 0.0026}, paperBalances: {USD: 1000.5, BTC: '0.25'}},
    simbit: {exchange: 'sim', mode: 'live', sim: {seed: 7, dialect: 'dash'}},
  },
  risk: {global: {maxOrderNotional: 2500, maxExposurePct: 40}},
  alerts: {webhooks: ['https://hooks.example.com/x', {url: 'https://hooks.example.com/y', secretEnv: 'HOOK_SECRET'}]},
  journal: {id: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', createdAt: '2026-01-02T03:04:05.000Z', retention: {latencyDays: 3}},
};

function home(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'xarb-config-cache-'));
  writeFileSync(configPath(dir), JSON.stringify(config, undefined, '\t'));
  return dir;
}

const readCache = (dir: string) => JSON.parse(readFileSync(configCheckPath(dir), 'utf8')) as {key: string; config: Record<string, unknown>};

/**
 * Rewrites the kept value with the key that matches it for the file's bytes and version 1.2.3, as
 * only xarb would, so a load that returns it can only have come from the cache.
 */
function tamper(dir: string, valuationQuote: string): void {
  const config = {...readCache(dir).config, valuationQuote};
  writeFileSync(configCheckPath(dir), JSON.stringify({key: configCheckKey(readFileSync(configPath(dir)), '1.2.3', config), config}));
}

describe('config validation cache', () => {
  it('a first load validates and keeps the validated config, defaults applied, 0600', () => {
    const dir = home(valid);
    const first = loadConfig(dir, {version: '1.2.3'});
    expect(first).toEqual(validateConfig(valid));
    expect(first.venues.kraken?.paperBalances).toEqual({USD: '1000.5', BTC: '0.25'});
    expect(readCache(dir).config).toEqual(validateConfig(valid));
    // What was written is what a later load with the same bytes and version accepts.
    expect(readCache(dir).key).toBe(configCheckKey(readFileSync(configPath(dir)), '1.2.3', readCache(dir).config));
    if (process.platform !== 'win32') expect(statSync(configCheckPath(dir)).mode & 0o777).toBe(0o600);
  });

  it('a hit serves the kept value without validating again', () => {
    const dir = home(valid);
    loadConfig(dir, {version: '1.2.3'});
    tamper(dir, 'EUR');
    expect(loadConfig(dir, {version: '1.2.3'}).valuationQuote).toBe('EUR');
  });

  it('an edit of the kept value alone misses', () => {
    const dir = home(valid);
    loadConfig(dir, {version: '1.2.3'});
    const entry = readCache(dir);
    writeFileSync(configCheckPath(dir), JSON.stringify({...entry, config: {...entry.config, valuationQuote: 'EUR'}}));
    expect(loadConfig(dir, {version: '1.2.3'}).valuationQuote).toBe('USD');
    expect(readCache(dir).config.valuationQuote).toBe('USD');
  });

  it('an edit of config.json misses: the file is validated again and the cache rewritten', () => {
    const dir = home(valid);
    loadConfig(dir, {version: '1.2.3'});
    const before = readCache(dir).key;
    tamper(dir, 'EUR');
    writeFileSync(configPath(dir), JSON.stringify({...valid, valuationQuote: 'GBP'}));
    expect(loadConfig(dir, {version: '1.2.3'}).valuationQuote).toBe('GBP');
    expect(readCache(dir).key).not.toBe(before);
    expect(readCache(dir).config.valuationQuote).toBe('GBP');
  });

  it('another version misses', () => {
    const dir = home(valid);
    loadConfig(dir, {version: '1.2.3'});
    const before = readCache(dir).key;
    tamper(dir, 'EUR');
    expect(loadConfig(dir, {version: '1.2.4'}).valuationQuote).toBe('USD');
    expect(readCache(dir).key).not.toBe(before);
  });

  it('an invalid config is refused even when a valid one was cached before, and is never cached', () => {
    const dir = home(valid);
    loadConfig(dir, {version: '1.2.3'});
    const kept = readFileSync(configCheckPath(dir), 'utf8');
    writeFileSync(configPath(dir), JSON.stringify({...valid, venues: {kraken: {exchange: 'kraken', mode: 'yolo'}}}));
    for (let i = 0; i < 2; i++) expect(() => loadConfig(dir, {version: '1.2.3'})).toThrow(ConfigError);
    expect(readFileSync(configCheckPath(dir), 'utf8')).toBe(kept);
  });

  it('an invalid config with no cache yet writes none', () => {
    const dir = home({venues: {Bad: {exchange: 'kraken', mode: 'paper'}}});
    expect(() => loadConfig(dir, {version: '1.2.3'})).toThrow(ConfigError);
    expect(existsSync(configCheckPath(dir))).toBe(false);
  });

  it('an unreadable cache validates as usual and is rewritten', () => {
    const dir = home(valid);
    writeFileSync(configCheckPath(dir), '{not json');
    expect(loadConfig(dir, {version: '1.2.3'})).toEqual(validateConfig(valid));
    expect(readCache(dir).config).toEqual(validateConfig(valid));
  });

  it('without a version the cache is neither read nor written', () => {
    const dir = home(valid);
    expect(loadConfig(dir)).toEqual(validateConfig(valid));
    expect(existsSync(configCheckPath(dir))).toBe(false);
    loadConfig(dir, {version: '1.2.3'});
    tamper(dir, 'EUR');
    expect(loadConfig(dir).valuationQuote).toBe('USD');
  });
});
