import {afterEach, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {ReconcileRunsRepo, type DiscrepancyInput} from '../../src/core/journal/reconcile-runs.js';

let db: Db | undefined;
afterEach(() => db?.close());

function setup(): ReconcileRunsRepo {
  db = openTestJournal();
  let t = 1000;
  return new ReconcileRunsRepo(db, {now: () => t++});
}

const d = (venue: string, ref: string, fixed = false): DiscrepancyInput => ({
  venue,
  kind: 'status_differs',
  ref,
  symbol: 'BTC/USD',
  journalValue: 'open',
  venueValue: 'closed',
  detail: undefined,
  repairable: true,
  fixed,
});

const result = (runId: number, venue: string, status: 'in_line' | 'discrepancies' | 'failed', discrepancies = 0) => ({
  runId,
  venue,
  status,
  since: undefined,
  ordersSynced: 1,
  fillsSynced: 2,
  balancesChecked: 3,
  inFlight: 0,
  discrepancies,
  repaired: 0,
  watermark: undefined,
  error: status === 'failed' ? 'timeout' : undefined,
});

describe('ReconcileRunsRepo', () => {
  it('records a run with venue results and discrepancies', () => {
    const repo = setup();
    const run = repo.start({venues: ['a', 'b'], fix: false, since: undefined, pid: 1, host: 'h'});
    expect(run).toMatchObject({status: 'running', venues: ['a', 'b'], fix: false});
    repo.recordVenue(result(run.id, 'a', 'discrepancies', 1), [d('a', 'x')]);
    repo.recordVenue(result(run.id, 'b', 'failed'), []);
    const done = repo.finish(run.id, 'venue_failed', 4);
    expect(done).toMatchObject({status: 'venue_failed', exitCode: 4});
    expect(done.finishedAt).toBeGreaterThan(run.startedAt);
    expect(repo.venueResults(run.id).map((v) => [v.venue, v.status, v.error])).toEqual([
      ['a', 'discrepancies', undefined],
      ['b', 'failed', 'timeout'],
    ]);
    expect(repo.discrepancies(run.id)).toMatchObject([{venue: 'a', ref: 'x', journalValue: 'open', venueValue: 'closed', fixed: false}]);
  });

  it('open discrepancies come from the latest run that reached each venue', () => {
    const repo = setup();
    const r1 = repo.start({venues: ['a', 'b'], fix: false, since: undefined, pid: 1, host: 'h'});
    repo.recordVenue(result(r1.id, 'a', 'discrepancies', 1), [d('a', 'old-a')]);
    repo.recordVenue(result(r1.id, 'b', 'discrepancies', 1), [d('b', 'old-b')]);
    repo.finish(r1.id, 'discrepancies', 5);
    const r2 = repo.start({venues: ['a', 'b'], fix: true, since: undefined, pid: 1, host: 'h'});
    repo.recordVenue(result(r2.id, 'a', 'discrepancies', 2), [d('a', 'fixed-a', true), d('a', 'still-a')]);
    repo.recordVenue(result(r2.id, 'b', 'failed'), []);
    repo.finish(r2.id, 'venue_failed', 4);
    expect(repo.openDiscrepancies().map((x) => x.ref)).toEqual(['still-a', 'old-b']);
  });

  it('marks runs left running as interrupted', () => {
    const repo = setup();
    const r1 = repo.start({venues: ['a'], fix: true, since: undefined, pid: 1, host: 'h'});
    expect(repo.markInterrupted()).toEqual([r1.id]);
    expect(repo.get(r1.id)!.status).toBe('interrupted');
    expect(repo.markInterrupted()).toEqual([]);
  });

  it('watermarks only move forward; baselines replace', () => {
    const repo = setup();
    const run = repo.start({venues: ['a'], fix: false, since: undefined, pid: 1, host: 'h'});
    expect(repo.watermark('a')).toBeUndefined();
    repo.advanceWatermark('a', 500, run.id);
    repo.advanceWatermark('a', 400, run.id);
    expect(repo.watermark('a')!.syncedUntil).toBe(500);
    repo.setBaseline('a', new Map([['BTC', '1']]), 10, run.id);
    repo.setBaseline('a', new Map([['USD', '2']]), 20, run.id);
    const b = repo.baseline('a')!;
    expect(b.takenAt).toBe(20);
    expect([...b.totals]).toEqual([['USD', '2']]);
  });
});
