import {afterEach, describe, expect, it} from 'vitest';
import {UsageError} from '../../src/core/errors.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {ReconcileRunsRepo} from '../../src/core/journal/reconcile-runs.js';
import {TransfersRepo} from '../../src/core/journal/transfers.js';
import {acknowledgementOf} from '../../src/core/reconcile/acks.js';
import {checkBalances} from '../../src/core/reconcile/balances.js';
import {acknowledgeDiscrepancy, reconcileHistory} from '../../src/core/reconcile/history.js';
import {reconcile} from '../../src/core/reconcile/reconcile.js';
import type {Balance} from '../../src/core/types.js';
import {FakeAccountVenue} from '../support/reconcile-venue.js';

const T0 = 1_700_000_000_000;
let db: Db | undefined;
afterEach(() => db?.close());

class ManualClock {
  t = T0;
  now = () => this.t;
}

const bal = (asset: string, total: string): Balance => ({asset, free: total, used: '0', total});

function setup() {
  db = openTestJournal();
  const clock = new ManualClock();
  const alpha = new FakeAccountVenue('alpha');
  const beta = new FakeAccountVenue('beta');
  const venues = new Map([
    ['alpha', alpha],
    ['beta', beta],
  ]);
  const run = async () => {
    clock.t += 60_000;
    return reconcile({db: db!, clock, venues: ['alpha', 'beta'], openVenue: async (n) => venues.get(n)!, fix: false, lock: {pid: process.pid}});
  };
  return {db, clock, alpha, beta, run, transfers: new TransfersRepo(db, clock)};
}

describe('reconcile ack', () => {
  it('an acknowledged balance difference no longer sets the exit code; a further change does', async () => {
    const s = setup();
    s.alpha.balances = [bal('USD', '1000')];
    expect((await s.run()).exitCode).toBe(0); // baseline
    s.alpha.balances = [bal('USD', '1100')];
    const found = await s.run();
    expect(found.exitCode).toBe(5);
    const [d] = found.venues[0]!.discrepancies;
    expect(d).toMatchObject({kind: 'balance_differs', ref: 'USD', journal: '1000', venue: '1100', acknowledged: false});
    expect(reconcileHistory(s.db, s.clock).open.map((x) => x.id)).toEqual([d!.id]);

    expect(() => acknowledgeDiscrepancy(s.db, s.clock, d!.id, '  ')).toThrow(UsageError);
    expect(() => acknowledgeDiscrepancy(s.db, s.clock, 999, 'x')).toThrow(UsageError);
    const ack = acknowledgeDiscrepancy(s.db, s.clock, d!.id, 'paid in by hand');
    expect(ack).toMatchObject({note: 'paid in by hand', discrepancy: {id: d!.id, acknowledged: true}});
    const [event] = new EventsRepo(s.db, s.clock).list({kind: 'reconcile.ack'});
    expect(event).toMatchObject({venue: 'alpha', ref: 'USD', data: {discrepancy: d!.id, difference: '100', note: 'paid in by hand'}});
    expect(reconcileHistory(s.db, s.clock).open).toEqual([]);

    const quiet = await s.run();
    expect(quiet.exitCode).toBe(0);
    expect(quiet.venues[0]!.discrepancies).toMatchObject([{kind: 'balance_differs', acknowledged: true}]);
    // In line with the acknowledgement: the new baseline holds the accepted balance.
    expect(new ReconcileRunsRepo(s.db, s.clock).baseline('alpha')!.totals.get('USD')).toBe('1100');
    expect((await s.run()).venues[0]!.discrepancies).toEqual([]);

    s.alpha.balances = [bal('USD', '1090')];
    const again = await s.run();
    expect(again.exitCode).toBe(5);
    expect(again.venues[0]!.discrepancies).toMatchObject([{kind: 'balance_differs', acknowledged: false}]);
  });

  it('an acknowledgement covers that difference only, and other kinds by venue, kind, market and ref', () => {
    const ack = {event: 1, discrepancy: 1, venue: 'alpha', kind: 'balance_differs', ref: 'USD', symbol: null, difference: '100', note: '', at: T0};
    const d = {venue: 'alpha', kind: 'balance_differs', ref: 'USD', symbol: null, journalValue: '1000', venueValue: '1100'};
    expect(acknowledgementOf(d, [ack])).toBe(ack);
    expect(acknowledgementOf({...d, journalValue: '1005', venueValue: '1105'}, [ack])).toBe(ack); // fills moved both sides
    expect(acknowledgementOf({...d, venueValue: '1101'}, [ack])).toBeUndefined();
    expect(acknowledgementOf({...d, venue: 'beta'}, [ack])).toBeUndefined();
    const fill = {event: 2, discrepancy: 2, venue: 'alpha', kind: 'fill_missing_on_venue', ref: 't-1', symbol: 'BTC/USD', difference: null, note: '', at: T0};
    const missing = {venue: 'alpha', kind: 'fill_missing_on_venue', ref: 't-1', symbol: 'BTC/USD', journalValue: 'buy 1 @ 100', venueValue: null};
    expect(acknowledgementOf(missing, [ack, fill])).toBe(fill);
    expect(acknowledgementOf({...missing, symbol: 'ETH/USD'}, [fill])).toBeUndefined();
  });
});

describe("reconcile and xarb's own transfers", () => {
  it('in flight: the source debit counts, the destination waits; arrived: the credit counts; exit 0 throughout', async () => {
    const s = setup();
    s.alpha.balances = [bal('USDT', '1000')];
    s.beta.balances = [bal('USDT', '0')];
    expect((await s.run()).exitCode).toBe(0);
    const baseline = () => new ReconcileRunsRepo(s.db, s.clock).baseline('beta')!.takenAt;
    const before = baseline();

    s.clock.t += 1000;
    s.transfers.insert({id: 'tr-1', asset: 'USDT', from: 'alpha', to: 'beta', amount: '500', fee: '1', expected: '499', mode: 'live'});
    const unknown = await s.run(); // written, answer not known: the source may or may not have paid
    expect(unknown.exitCode).toBe(0);
    expect(unknown.venues[0]!.balanceNote).toMatch(/transfers in flight settle: USDT/);

    s.transfers.markSent('tr-1', {withdrawalId: 'w-1'});
    s.alpha.balances = [bal('USDT', '500')];
    const inFlight = await s.run();
    expect(inFlight.exitCode).toBe(0);
    expect(inFlight.venues.map((v) => v.balancesChecked)).toEqual([1, 0]);
    expect(baseline()).toBe(before); // no baseline while the deposit may or may not be in the snapshot

    s.beta.balances = [bal('USDT', '499')];
    s.clock.t += 1000;
    s.transfers.markArrived('tr-1', {received: '499', depositId: 'd-1'});
    const arrived = await s.run();
    expect(arrived.exitCode).toBe(0);
    expect(arrived.venues.map((v) => [v.balancesChecked, v.discrepancies.length])).toEqual([
      [1, 0],
      [1, 0],
    ]);

    s.beta.balances = [bal('USDT', '520')];
    expect((await s.run()).exitCode).toBe(5); // anything else is still unexplained
  });

  it('a venue that charges the fee on top may debit up to amount + fee', () => {
    const baseline = {ts: T0, totals: new Map([['USDT', '1000']])};
    const movements = {deltas: new Map([['USDT', '-500']]), unsettled: new Set<string>(), slack: new Map([['USDT', '1']])};
    expect(checkBalances('a', baseline, [], [bal('USDT', '500')], undefined, movements).discrepancies).toEqual([]);
    expect(checkBalances('a', baseline, [], [bal('USDT', '499')], undefined, movements).discrepancies).toEqual([]);
    expect(checkBalances('a', baseline, [], [bal('USDT', '498.9')], undefined, movements).discrepancies).toHaveLength(1);
    expect(checkBalances('a', baseline, [], [bal('USDT', '500.1')], undefined, movements).discrepancies).toHaveLength(1);
  });
});
