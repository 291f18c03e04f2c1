import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {validateConfig} from '../../src/core/config/schema.js';
import {loadCredentials, redact} from '../../src/core/config/secrets.js';
import {getPath, loadConfig, saveConfig, setPath} from '../../src/core/config/store.js';
import {ConfigError} from '../../src/core/errors.js';

describe('config validation', () => {
  it('accepts an empty config as the demo default', () => {
    const c = validateConfig({});
    expect(c.venues).toEqual({});
    expect(c.valuationQuote).toBe('USD');
  });

  it('reports every bad field at once', () => {
    let error: ConfigError | undefined;
    try {
      validateConfig({
        venues: {
          Binance: {exchange: 'binance', mode: 'paper'},
          kraken: {exchange: 'kraken', mode: 'yolo', apiBaseUrl: 'not a url', options: {secret: 'x'}},
        },
        risk: {global: {maxOrderNotional: '-5', bogus: 1}},
        valuationQuote: 12,
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    expect(text).toContain('venues.Binance');
    expect(text).toContain('venues.kraken.mode');
    expect(text).toContain('venues.kraken.apiBaseUrl');
    expect(text).toContain('venues.kraken.options.secret');
    expect(text).toContain('risk.global.maxOrderNotional');
    expect(text).toContain('risk.global.bogus');
    expect(text).toContain('valuationQuote');
    expect(error!.problems.length).toBeGreaterThanOrEqual(7);
    expect(error!.exitCode).toBe(2);
  });

  it('round-trips through the file store and refuses invalid writes', async () => {
    const home = mkdtempSync(join(tmpdir(), 'xarb-config-'));
    await saveConfig(home, validateConfig({venues: {binance: {exchange: 'binance', mode: 'paper', priority: 1}}}));
    expect(loadConfig(home).venues.binance?.priority).toBe(1);
    const bad = setPath(loadConfig(home), 'venues.binance.mode', 'yolo');
    await expect(saveConfig(home, bad)).rejects.toBeInstanceOf(ConfigError);
    expect(loadConfig(home).venues.binance?.mode).toBe('paper');
    expect(getPath(loadConfig(home), 'venues.binance.exchange')).toBe('binance');
  });

  it('a malformed file is a config error, not a crash', () => {
    const home = mkdtempSync(join(tmpdir(), 'xarb-config-'));
    writeFileSync(join(home, 'config.json'), '{"venues": ');
    expect(() => loadConfig(home)).toThrow(ConfigError);
  });
});

describe('secrets', () => {
  const venue = {exchange: 'binance', mode: 'live' as const};

  it('reads keys from the environment and redacts them', () => {
    const creds = loadCredentials('binance-main', venue, {XARB_BINANCE_MAIN_API_KEY: 'key-abc-123', XARB_BINANCE_MAIN_SECRET: 'sec-xyz-789'});
    expect(creds?.apiKey).toBe('key-abc-123');
    expect(redact('signed with sec-xyz-789 and key-abc-123')).toBe('signed with *** and ***');
  });

  it('needs both key and secret', () => {
    expect(() => loadCredentials('binance', venue, {XARB_BINANCE_API_KEY: 'k'})).toThrow(ConfigError);
  });

  it('refuses a keys file readable by others, accepts 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xarb-keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({apiKey: 'file-key-1', secret: 'file-secret-1'}));
    chmodSync(file, 0o644);
    expect(() => loadCredentials('kraken', {...venue, keysFile: file}, {})).toThrow(/readable by others/);
    chmodSync(file, 0o600);
    expect(loadCredentials('kraken', {...venue, keysFile: file}, {})?.secret).toBe('file-secret-1');
  });

  it('no keys is undefined', () => {
    expect(loadCredentials('okx', venue, {})).toBeUndefined();
  });
});
