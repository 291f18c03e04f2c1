import {describe, expect, it} from 'vitest';
import {balanceEffects, checkBalances} from '../../src/core/reconcile/balances.js';
import type {Balance} from '../../src/core/types.js';

const bal = (asset: string, total: string): Balance => ({asset, free: total, used: '0', total});
const fill = (symbol: string, side: 'buy' | 'sell', amount: string, price: string, fee?: [string, string]) => ({
  symbol,
  side,
  amount,
  price,
  fee: fee ? {cost: fee[0], currency: fee[1]} : undefined,
});

describe('balanceEffects', () => {
  it('buys add base and spend quote; sells the reverse; fees leave their currency', () => {
    // buy 0.5 @ 30000 = -15000 USD, fee 15 USD; sell 0.2 @ 31000 = +6200 USD, fee 0.0001 BTC
    const {deltas, unchecked} = balanceEffects([fill('BTC/USD', 'buy', '0.5', '30000', ['15', 'USD']), fill('BTC/USD', 'sell', '0.2', '31000', ['0.0001', 'BTC'])]);
    expect(deltas.get('BTC')).toBe('0.2999'); // 0.5 - 0.2 - 0.0001
    expect(deltas.get('USD')).toBe('-8815'); // -15000 - 15 + 6200
    expect(unchecked.size).toBe(0);
  });

  it('derivative fills mark their assets unchecked instead of guessing', () => {
    const {deltas, unchecked} = balanceEffects([fill('BTC/USDT:USDT', 'buy', '1', '30000')]);
    expect(deltas.size).toBe(0);
    expect([...unchecked].sort()).toEqual(['BTC', 'USDT']);
  });
});

describe('checkBalances', () => {
  const baseline = {ts: 1, totals: new Map([['BTC', '1'], ['USD', '10000']])};

  it('without a baseline nothing is compared', () => {
    expect(checkBalances('v', undefined, [], [bal('BTC', '5')])).toEqual({checked: 0, skipped: [], discrepancies: []});
  });

  it('in line: baseline plus fills equals the venue', () => {
    const r = checkBalances('v', baseline, [fill('BTC/USD', 'buy', '0.1', '20000', ['2', 'USD'])], [bal('BTC', '1.1'), bal('USD', '7998')]);
    expect(r.discrepancies).toEqual([]);
    expect(r.checked).toBe(2);
  });

  it('within tolerance (rounding of the quote amount) is in line; beyond it differs', () => {
    // expected USD 7998; 7998.005 differs by 0.005 < 1e-6 * 7998 = 0.007998
    expect(checkBalances('v', baseline, [fill('BTC/USD', 'buy', '0.1', '20000', ['2', 'USD'])], [bal('BTC', '1.1'), bal('USD', '7998.005')]).discrepancies).toEqual([]);
    const r = checkBalances('v', baseline, [fill('BTC/USD', 'buy', '0.1', '20000', ['2', 'USD'])], [bal('BTC', '1.1'), bal('USD', '7998.01')]);
    expect(r.discrepancies).toHaveLength(1);
    expect(r.discrepancies[0]).toMatchObject({kind: 'balance_differs', ref: 'USD', journalValue: '7998', venueValue: '7998.01', repair: {op: 'rebaseline'}});
  });

  it('an asset that appeared (a deposit) or vanished differs', () => {
    const r = checkBalances('v', baseline, [], [bal('BTC', '1'), bal('ETH', '3')]);
    expect(r.discrepancies.map((d) => [d.ref, d.journalValue, d.venueValue])).toEqual([
      ['ETH', '0', '3'],
      ['USD', '10000', '0'],
    ]);
  });

  it('assets moved by derivatives are skipped', () => {
    const r = checkBalances('v', {ts: 1, totals: new Map([['USDT', '100']])}, [fill('BTC/USDT:USDT', 'buy', '1', '30000')], [bal('USDT', '50')]);
    expect(r.discrepancies).toEqual([]);
    expect(r.skipped).toEqual(['USDT']);
  });
});
