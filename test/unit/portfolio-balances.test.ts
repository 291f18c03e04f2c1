import {describe, expect, it} from 'vitest';
import {aggregateBalances, type VenueBalancesInput} from '../../src/core/portfolio/balances.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import type {Balance, Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;

function q(venue: string, symbol: string, bid: number, ask: number): Quote {
  return {venue, symbol, bid, ask, bidSize: 1, askSize: 1, timestamp: NOW, receivedAt: NOW};
}
function b(asset: string, free: string, used = '0'): Balance {
  const total = (Number(free) + Number(used)).toString();
  return {asset, free, used, total};
}

// alpha speaks BTC-USD, beta btcusdt, gamma XBT/USD natively; all canonical here.
const quotes = [
  q('alpha', 'BTC/USD', 20000, 20002), // mid 20001
  q('beta', 'BTC/USDT', 19999, 20001), // mid 20000
  q('gamma', 'BTC/USD', 20010, 20012), // mid 20011
  q('gamma', 'ETH/USD', 1000, 1002), // mid 1001
];
const pricer = createPricer(quotes, {now: NOW});

const inputs: VenueBalancesInput[] = [
  {venue: 'alpha', status: 'ok', asOf: NOW, balances: [b('BTC', '0.5', '0.25'), b('USD', '10000'), b('DOGE', '0')]},
  {venue: 'beta', status: 'ok', asOf: NOW, balances: [b('BTC', '0.25'), b('USDT', '5000', '1000')]},
  {venue: 'gamma', status: 'ok', asOf: NOW, balances: [b('ETH', '2'), b('USD', '3000'), b('XYZ', '7')]},
];

describe('aggregateBalances', () => {
  const report = aggregateBalances(inputs, {quote: 'USD', pricer, now: NOW, allocations: {alpha: 50, beta: 30, gamma: 20}, reserves: {USD: '20000', ETH: '1', SOL: '3'}});

  it('keeps free, used and total per venue and drops zero balances', () => {
    const alpha = report.rows.filter((r) => r.venue === 'alpha');
    expect(alpha.map((r) => r.asset)).toEqual(['BTC', 'USD']); // by value: 15000.75 then 10000
    expect(alpha[0]).toMatchObject({free: '0.5', used: '0.25', total: '0.75', price: 20001, value: '15000.75', stale: false});
  });

  it('values USDT through a market, not as 1 USD', () => {
    const usdt = report.rows.find((r) => r.asset === 'USDT')!;
    // USDT -> BTC at 1/20000 (beta), BTC -> USD at 20001 (alpha, lower middle of 20001 and 20011)
    expect(usdt.price).toBeCloseTo(1.00005, 12);
    expect(usdt.value).toBe('6000.3');
  });

  it('totals each asset across venues', () => {
    const btc = report.assets.find((a) => a.asset === 'BTC')!;
    expect(btc).toMatchObject({free: '0.75', used: '0.25', total: '1', value: '20001', priceSource: 'alpha BTC/USD (mid)', venues: ['alpha', 'beta']});
    const eth = report.assets.find((a) => a.asset === 'ETH')!;
    expect(eth).toMatchObject({total: '2', value: '2002', reserve: '1', belowReserve: false, venuesBelowReserve: []});
  });

  it('flags free balances below the reserve per venue, as the risk checks apply it', () => {
    // reserve USD 5000: alpha holds 10000 free, gamma 3000
    const r = aggregateBalances(inputs, {quote: 'USD', pricer, now: NOW, reserves: {USD: '5000', BTC: '0.6'}});
    expect(r.assets.find((a) => a.asset === 'USD')).toMatchObject({total: '13000', reserve: '5000', belowReserve: true, venuesBelowReserve: ['gamma']});
    expect(r.rows.filter((x) => x.belowReserve).map((x) => `${x.venue}:${x.asset}`)).toEqual(['alpha:BTC', 'beta:BTC', 'gamma:USD']);
    // BTC: alpha has 0.5 free (+0.25 used), beta 0.25: both below 0.6 free
  });

  it('lists a reserve asset that is not held at all as below reserve', () => {
    expect(report.assets.find((a) => a.asset === 'SOL')).toMatchObject({total: '0', belowReserve: true, venues: []});
  });

  it('leaves an asset without a market unpriced and says the total is partial', () => {
    const xyz = report.assets.find((a) => a.asset === 'XYZ')!;
    expect(xyz.value).toBeUndefined();
    expect(xyz.priceSource).toBeUndefined();
    expect(report.total.partial).toBe(true);
    expect(report.total.reasons.join(' ')).toContain('XYZ');
    expect(report.venues.find((v) => v.venue === 'gamma')!.unpriced).toEqual(['XYZ']);
  });

  it('sums the value shown and computes shares against targets', () => {
    // alpha 15000.75 + 10000 = 25000.75; beta 5000.25 + 6000.3 = 11000.55; gamma 2002 + 3000 = 5002
    expect(report.total.value).toBe('41003.3');
    const [alpha, beta, gamma] = report.venues;
    expect(alpha).toMatchObject({value: '25000.75', sharePct: 60.97, targetPct: 50, driftPct: 10.97});
    expect(beta).toMatchObject({value: '11000.55', sharePct: 26.83, targetPct: 30, driftPct: -3.17});
    expect(gamma).toMatchObject({value: '5002', sharePct: 12.2, targetPct: 20, driftPct: -7.8});
  });

  it('lists each price source once', () => {
    expect(report.prices.map((p) => p.asset)).toEqual(['BTC', 'ETH', 'USDT']);
  });

  it('shows a failed venue with its last snapshot, its age, and marks the total partial', () => {
    const r = aggregateBalances(
      [inputs[0]!, {venue: 'beta', status: 'failed', error: 'timeout', asOf: NOW - 3 * 60_000, balances: [b('BTC', '0.25')]}, {venue: 'delta', status: 'failed', error: 'auth', asOf: undefined, balances: []}],
      {quote: 'USD', pricer, now: NOW},
    );
    const beta = r.venues.find((v) => v.venue === 'beta')!;
    expect(beta).toMatchObject({status: 'failed', stale: true, ageMs: 180_000, value: '5000.25'});
    expect(r.rows.find((x) => x.venue === 'beta')!.stale).toBe(true);
    expect(r.venues.find((v) => v.venue === 'delta')).toMatchObject({status: 'failed', stale: false, asOf: undefined, value: '0'});
    expect(r.total.partial).toBe(true);
    expect(r.total.reasons).toHaveLength(2);
    expect(r.total.reasons[0]).toContain('3m ago');
    expect(r.total.value).toBe('30001');
  });

  it('filters one asset', () => {
    const r = aggregateBalances(inputs, {quote: 'USD', pricer, now: NOW, asset: 'BTC', allocations: {alpha: 50}});
    expect(r.rows.map((x) => `${x.venue}:${x.asset}`)).toEqual(['alpha:BTC', 'beta:BTC']);
    expect(r.total).toEqual({value: '20001', partial: false, reasons: []});
    expect(r.venues[0]).toMatchObject({sharePct: 75, targetPct: 50, driftPct: undefined});
  });

  it('writes amounts in canonical form whatever the venue sent, and adds up an asset listed twice', () => {
    const r = aggregateBalances(
      [{venue: 'alpha', status: 'ok', asOf: NOW, balances: [{asset: 'BTC', free: '0.50', used: '0', total: '5e-1'}, {asset: 'ETH', free: '1', used: '0', total: '1'}, {asset: 'ETH', free: '0.5', used: '0.25', total: '0.75'}]}],
      {quote: 'USD', pricer, now: NOW},
    );
    expect(r.rows.map((x) => [x.asset, x.free, x.used, x.total])).toEqual([
      ['BTC', '0.5', '0', '0.5'],
      ['ETH', '1.5', '0.25', '1.75'],
    ]);
    expect(r.assets.find((a) => a.asset === 'BTC')).toMatchObject({free: '0.5', total: '0.5', value: '10000.5'});
  });

  it('values in another quote', () => {
    const r = aggregateBalances(inputs.slice(1, 2), {quote: 'USDT', pricer, now: NOW});
    expect(r.total.value).toBe('11000'); // 0.25 BTC * 20000 + 6000 USDT
    expect(r.total.partial).toBe(false);
  });
});
