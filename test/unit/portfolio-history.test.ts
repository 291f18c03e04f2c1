import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BalanceSnapshots} from '../../src/core/journal/balance-snapshots.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {timeColumns} from '../../src/core/portfolio/timeline.js';
import {assetHistory, totalHistory} from '../../src/core/portfolio/history.js';

let db: Db;
let repo: BalanceSnapshots;
beforeEach(() => {
  db = openTestJournal();
  repo = new BalanceSnapshots(db);
});
afterEach(() => db.close());

function asset(a: string, total: string, value: string | undefined) {
  return {asset: a, free: total, used: '0', total, price: value === undefined ? undefined : Number(value) / Number(total), value};
}

describe('BalanceSnapshots', () => {
  it('records runs and returns the last good snapshot of a venue', () => {
    repo.record({ts: 1000, quote: 'USD', method: 'mid', totalValue: '150', partial: false, allVenues: true, venues: [
      {venue: 'a', status: 'ok', value: '100', unpriced: 0, assets: [asset('BTC', '0.001', '100')]},
      {venue: 'b', status: 'ok', value: '50', unpriced: 0, assets: [asset('USD', '50', '50')]},
    ]});
    repo.record({ts: 2000, quote: 'USD', method: 'mid', totalValue: '160', partial: true, allVenues: true, venues: [
      {venue: 'a', status: 'ok', value: '110', unpriced: 0, assets: [asset('BTC', '0.001', '110')]},
      {venue: 'b', status: 'failed', error: 'timeout', value: '50', unpriced: 0, assets: []},
    ]});
    expect(repo.lastGood('b')).toEqual({ts: 1000, balances: [{asset: 'USD', free: '50', used: '0', total: '50'}]});
    expect(repo.lastGood('a')!.ts).toBe(2000);
    expect(repo.lastGood('c')).toBeUndefined();
    const runs = repo.history({since: 0, quote: 'USD'});
    expect(runs.map((r) => [r.ts, r.totalValue, r.partial])).toEqual([[1000, '150', false], [2000, '160', true]]);
    expect(runs[1]!.venues).toEqual([{venue: 'a', status: 'ok', value: '110', unpriced: 0}, {venue: 'b', status: 'failed', value: '50', unpriced: 0}]);
    expect(repo.history({since: 1500, quote: 'USD'})).toHaveLength(1);
    expect(repo.history({since: 0, quote: 'EUR'})).toHaveLength(0);
  });
});

describe('history', () => {
  beforeEach(() => {
    const run = (ts: number, total: string, allVenues: boolean, a: string | undefined, b: string | undefined, bFailed = false) =>
      repo.record({ts, quote: 'USD', method: 'mid', totalValue: total, partial: bFailed, allVenues, venues: [
        ...(a === undefined ? [] : [{venue: 'a', status: 'ok' as const, value: a, unpriced: 0, assets: [asset('BTC', '1', a)]}]),
        ...(b === undefined ? [] : [{venue: 'b', status: bFailed ? ('failed' as const) : ('ok' as const), value: b, unpriced: 0, assets: bFailed ? [] : [asset('BTC', '0.5', String(Number(b)))]}]),
      ]});
    run(1000, '300', true, '200', '100');
    run(2000, '200', false, '200', undefined); // --venues a: not in the unfiltered series
    run(3000, '330', true, '220', '110');
    run(4000, '340', true, '230', '110', true);
  });

  it('follows the full total over runs that asked every venue', () => {
    const h = totalHistory(repo.history({since: 0, quote: 'USD'}), {quote: 'USD', since: 0});
    expect(h.points.map((p) => [p.ts, p.value, p.partial])).toEqual([[1000, '300', false], [3000, '330', false], [4000, '340', true]]);
    expect(h).toMatchObject({change: '40', changePct: 13.33, min: '300', max: '340'});
  });

  it('sums the chosen venues over every run that asked them', () => {
    const h = totalHistory(repo.history({since: 0, quote: 'USD'}), {quote: 'USD', since: 0, venues: ['a']});
    expect(h.points.map((p) => p.value)).toEqual(['200', '200', '220', '230']);
    const hb = totalHistory(repo.history({since: 0, quote: 'USD'}), {quote: 'USD', since: 0, venues: ['b']});
    expect(hb.points.map((p) => [p.value, p.partial])).toEqual([['100', false], ['110', false], ['110', true]]);
  });

  it('follows one asset amount', () => {
    const h = assetHistory(repo.assetHistory({since: 0, asset: 'BTC', quote: 'USD'}), repo.history({since: 0, quote: 'USD'}), {quote: 'USD', since: 0, asset: 'BTC'});
    expect(h.points.map((p) => [p.ts, p.amount, p.partial])).toEqual([[1000, '1.5', false], [3000, '1.5', false], [4000, '1', true]]);
  });
});

describe('timeColumns', () => {
  it('spreads snapshots over evenly spaced columns as a step function', () => {
    expect(timeColumns([{ts: 0, value: 1}, {ts: 10, value: 2}, {ts: 40, value: 4}], 4)).toEqual([2, 2, 2, 4]);
    expect(timeColumns([{ts: 0, value: 1}, {ts: 100, value: 3}], 5)).toEqual([1, 1, 1, 1, 3]);
    expect(timeColumns([{ts: 5, value: 7}], 3)).toEqual([7, 7, 7]);
  });
});
