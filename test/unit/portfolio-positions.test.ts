import {describe, expect, it} from 'vitest';
import {aggregateBalances} from '../../src/core/portfolio/balances.js';
import {aggregatePositions, type VenuePositionsInput} from '../../src/core/portfolio/positions.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import type {Position, Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;
function q(venue: string, symbol: string, bid: number, ask: number): Quote {
  return {venue, symbol, bid, ask, bidSize: 1, askSize: 1, timestamp: NOW, receivedAt: NOW};
}
function pos(venue: string, symbol: string, side: 'long' | 'short', size: string, extra: Partial<Position> = {}): Position {
  return {venue, symbol, side, size, entryPrice: undefined, markPrice: undefined, unrealizedPnl: undefined, leverage: undefined, liquidationPrice: undefined, ...extra};
}

const pricer = createPricer([q('alpha', 'BTC/USD', 19999, 20001), q('beta', 'BTC/USDT', 19990, 20010), q('beta', 'USDT/USD', 0.99, 0.99), q('alpha', 'ETH/USD', 999, 1001)], {now: NOW});
const balances = aggregateBalances(
  [
    {venue: 'alpha', status: 'ok', asOf: NOW, balances: [{asset: 'BTC', free: '0.5', used: '0', total: '0.5'}, {asset: 'USD', free: '100', used: '0', total: '100'}]},
    {venue: 'beta', status: 'ok', asOf: NOW, balances: [{asset: 'BTC', free: '0.25', used: '0', total: '0.25'}, {asset: 'USDT', free: '50', used: '0', total: '50'}]},
    {venue: 'gamma', status: 'failed', error: 'timeout', asOf: undefined, balances: []},
  ],
  {quote: 'USD', pricer, now: NOW},
);

const derivs: VenuePositionsInput[] = [
  {venue: 'alpha', status: 'ok', positions: [pos('alpha', 'ETH/USD:USD', 'short', '2', {unrealizedPnl: -3})]},
  {venue: 'beta', status: 'ok', positions: [pos('beta', 'BTC/USDT:USDT', 'long', '0.01', {entryPrice: 19000, markPrice: 20000, unrealizedPnl: 10, leverage: 5, liquidationPrice: 15500})]},
  {venue: 'gamma', status: 'failed', positions: [], error: 'timeout'},
];

describe('aggregatePositions', () => {
  const report = aggregatePositions(balances, derivs, {quote: 'USD', pricer, now: NOW});

  it('lists spot exposure per asset, leaving the quote asset (cash) out', () => {
    expect(report.spot.map((s) => s.asset)).toEqual(['BTC', 'USDT']);
    expect(report.spot[0]).toMatchObject({total: '0.75', price: 20000, value: '15000'});
    expect(report.spot[0]!.venues.map((v) => v.venue)).toEqual(['alpha', 'beta']);
    expect(report.spot[1]).toMatchObject({total: '50', value: '49.5'});
  });

  it('keeps every derivative field and converts uPnL from the settle asset', () => {
    const btc = report.derivatives.find((d) => d.underlying === 'BTC')!;
    expect(btc).toMatchObject({venue: 'beta', side: 'long', size: '0.01', signedSize: '0.01', entryPrice: 19000, markPrice: 20000, unrealizedPnl: 10, leverage: 5, liquidationPrice: 15500, settle: 'USDT', unrealizedPnlValue: '9.9'});
    const eth = report.derivatives.find((d) => d.underlying === 'ETH')!;
    expect(eth).toMatchObject({signedSize: '-2', unrealizedPnlValue: '-3'});
  });

  it('nets spot, longs and shorts per underlying', () => {
    const btc = report.net.find((n) => n.underlying === 'BTC')!;
    expect(btc).toMatchObject({spot: '0.75', long: '0.01', short: '0', derivatives: '0.01', net: '0.76', netValue: '15200', unrealizedPnlValue: '9.9', venues: ['alpha', 'beta']});
    const eth = report.net.find((n) => n.underlying === 'ETH')!;
    expect(eth).toMatchObject({spot: '0', short: '2', net: '-2', price: 1000, netValue: '-2000'});
  });

  it('is partial when a venue failed, and says which', () => {
    expect(report.partial).toBe(true);
    expect(report.reasons).toHaveLength(2);
    expect(report.venues.find((v) => v.venue === 'gamma')).toMatchObject({balances: 'failed', positions: 'failed'});
  });

  it('nets a long on one venue against a short on another to zero', () => {
    const empty = aggregateBalances([{venue: 'a', status: 'ok', asOf: NOW, balances: []}, {venue: 'b', status: 'ok', asOf: NOW, balances: []}], {quote: 'USD', pricer, now: NOW});
    const r = aggregatePositions(
      empty,
      [
        {venue: 'a', status: 'ok', positions: [pos('a', 'BTC/USDT:USDT', 'long', '0.01')]},
        {venue: 'b', status: 'ok', positions: [pos('b', 'BTC/USD:BTC', 'short', '0.01')]},
      ],
      {quote: 'USD', pricer, now: NOW},
    );
    expect(r.net).toHaveLength(1);
    expect(r.net[0]).toMatchObject({underlying: 'BTC', long: '0.01', short: '0.01', derivatives: '0', net: '0', netValue: '0'});
    expect(r.partial).toBe(false);
  });

  it('filters one underlying', () => {
    const r = aggregatePositions(balances, derivs, {quote: 'USD', pricer, now: NOW, underlying: 'ETH'});
    expect(r.spot).toEqual([]);
    expect(r.net.map((n) => n.underlying)).toEqual(['ETH']);
  });
});
