/**
 * The Venue contract against PaperVenue: paper accounts on a real journal
 * file in a temp folder, trading against the books of a simulated venue
 * (fixed clock, so books do not move between calls) and of the real ccxt
 * binance class on the loopback server (public data only: no keys).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {InvalidOrderError} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {systemClock, type Clock} from '../../src/core/types.js';
import {createCcxtVenue} from '../../src/core/venues/ccxt/index.js';
import {PaperVenue} from '../../src/core/venues/paper/paper-venue.js';
import {createSimVenue, demoPaperBalances, demoProfile} from '../../src/core/venues/sim/index.js';
import {startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {venueContract} from './venue-contract.js';

const NOON = Date.UTC(2026, 0, 15, 12, 0, 0);
const fixed: Clock = {now: () => NOON};

const folder = mkdtempSync(join(tmpdir(), 'xarb-paper-contract-'));
const opened: Db[] = [];
const journal = (): Db => {
  const db = openDb(join(folder, 'journal.db'));
  opened.push(db);
  return db;
};

let loopback: Promise<LoopbackHandle> | undefined;

afterAll(async () => {
  if (loopback) await (await loopback).close();
  for (const db of opened) db.close();
  rmSync(folder, {recursive: true, force: true});
});

const profile = demoProfile();
/** What the account engine promises beyond an exchange. */
const ENGINE = {clientOrderIdReuse: 'never', reportsTakerOrMaker: true} as const;
for (const [name, symbol] of [
  ['simbit', 'BTC/USD'],
  ['simgate', 'SOL/USDC'],
] as const) {
  venueContract(`paper over sim ${name}`, async () => {
    const inner = createSimVenue(name, profile[name]!, fixed);
    const venue = new PaperVenue({inner, db: journal(), clock: fixed, initialBalances: demoPaperBalances(name)});
    return {venue, symbol, canTrade: true, expectations: ENGINE, cleanup: () => venue.close()};
  });
}

venueContract('paper over ccxt binance on loopback (public data)', async () => {
  const handle = await (loopback ??= startLoopback());
  const inner = await createCcxtVenue('binance-paper', {exchange: 'binance', mode: 'paper', apiBaseUrl: handle.baseUrl('binance'), options: {rateLimit: 1}}, {clock: systemClock});
  const venue = new PaperVenue({inner, db: journal(), clock: systemClock, initialBalances: {USDT: '100000', BTC: '1'}});
  return {venue, symbol: 'BTC/USDT', canTrade: true, expectations: ENGINE, cleanup: () => venue.close()};
});

describe('PaperVenue specifics on a journal file', () => {
  it('a second process on the same journal sees the same account, orders and trades', async () => {
    const db = journal();
    const make = () => new PaperVenue({inner: createSimVenue('simkraken', profile.simkraken!, fixed), db, clock: fixed, initialBalances: demoPaperBalances('simkraken')});
    const first = make();
    const placed = await first.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01', clientOrderId: 'pc-restart-1'});
    const again = openDb(db.path);
    opened.push(again);
    const second = new PaperVenue({inner: createSimVenue('simkraken', profile.simkraken!, fixed), db: again, clock: fixed, initialBalances: {USD: '1'}});
    expect(await second.fetchBalances()).toEqual(await first.fetchBalances());
    expect(await second.fetchOrder({clientOrderId: 'pc-restart-1'}, 'BTC/USD')).toEqual(placed);
    expect((await second.fetchMyTrades('BTC/USD')).map((t) => t.orderId)).toContain(placed.id);
    // The client id is the venue's for good: the second process refuses it too.
    await expect(second.createOrder({symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01', clientOrderId: 'pc-restart-1'})).rejects.toBeInstanceOf(InvalidOrderError);
  });
});
