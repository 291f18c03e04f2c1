import {afterEach, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {MarketCacheRepo} from '../../src/core/journal/market-cache.js';

describe('MarketCacheRepo', () => {
  let db: Db | undefined;
  afterEach(() => db?.close());

  it('serves a payload only while fresh and from the same fingerprint', () => {
    db = openTestJournal();
    const repo = new MarketCacheRepo(db);
    repo.put({venue: 'binance', kind: 'ccxt-markets', fingerprint: 'f1', fetchedAt: 1000, payload: '{"a":1}'});
    expect(repo.getFresh('binance', 'ccxt-markets', 'f1', 1000, 500)).toBe('{"a":1}');
    expect(repo.getFresh('binance', 'ccxt-markets', 'f1', 1499, 500)).toBe('{"a":1}');
    expect(repo.getFresh('binance', 'ccxt-markets', 'f1', 1500, 500)).toBeUndefined();
    expect(repo.getFresh('binance', 'ccxt-markets', 'f2', 1000, 500)).toBeUndefined();
    expect(repo.getFresh('kraken', 'ccxt-markets', 'f1', 1000, 500)).toBeUndefined();
    // A row from the future (clock moved back) is not trusted.
    expect(repo.getFresh('binance', 'ccxt-markets', 'f1', 999, 500)).toBeUndefined();
  });

  it('overwrites in place and clears per venue', () => {
    db = openTestJournal();
    const repo = new MarketCacheRepo(db);
    repo.put({venue: 'a', kind: 'k', fingerprint: 'f1', fetchedAt: 1, payload: 'one'});
    repo.put({venue: 'a', kind: 'k', fingerprint: 'f2', fetchedAt: 2, payload: 'two'});
    repo.put({venue: 'b', kind: 'k', fingerprint: 'f1', fetchedAt: 3, payload: 'three'});
    expect(repo.get('a', 'k')).toEqual({venue: 'a', kind: 'k', fingerprint: 'f2', fetchedAt: 2, payload: 'two'});
    expect(repo.list().map((e) => e.venue)).toEqual(['a', 'b']);
    expect(repo.clear('a')).toBe(1);
    expect(repo.get('a', 'k')).toBeUndefined();
    expect(repo.clear()).toBe(1);
    expect(repo.list()).toEqual([]);
  });
});
