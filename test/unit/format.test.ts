/**
 * Property tests (seeded generator) of the one display policy: whatever
 * exact value comes in, a printed price has at most its tick's decimals, an
 * amount at most its lot's, money exactly its currency's; the printed digits
 * are the exact rounding of the input (no float noise); JSON money is a
 * decimal string of at most 8 decimals.
 */
import {describe, expect, it} from 'vitest';
import {computePnl, type PnlFill} from '../../src/core/portfolio/pnl.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import {cmp, dec, mul, sub, abs} from '../../src/core/money/decimal.js';
import {currencyDigits, roundJson, stepDigits} from '../../src/core/money/precision.js';
import {fmt, fmtAmount, fmtMoney, fmtPrice} from '../../src/ui/format.js';
import {orderJson, planJson} from '../../src/ui/order-view.js';
import type {OrderResult} from '../../src/core/execution/place.js';
import type {PlanView} from '../../src/core/execution/order.js';

/** mulberry32: a small seeded generator, so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RUNS = 2000;
const CURRENCIES = ['USD', 'USDT', 'USDC', 'EUR', 'BTC', 'ETH', 'SOL'];
const STEPS = ['1', '0.5', '0.1', '0.01', '0.001', '0.00001', '0.00000001', '5', '0.25'];

/** A random exact decimal with up to 18 fractional digits, sometimes a float with noise. */
function value(r: () => number): string | number {
  const int = Math.floor(r() * 10 ** Math.floor(r() * 8));
  const digits = Math.floor(r() * 19);
  const frac = Array.from({length: digits}, () => Math.floor(r() * 10)).join('');
  const text = `${r() < 0.2 ? '-' : ''}${int}${digits > 0 ? `.${frac}` : ''}`;
  return r() < 0.3 ? Number(text) * 1.1 : text; // floats such as 0.12416959999999999
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
/** Decimals in a printed number ("1,234.50" -> 2). */
const decimals = (text: string): number => (text.includes('.') ? text.split('.')[1]!.length : 0);
/** The printed number back as an exact decimal. */
const parse = (text: string): string => dec(text.replaceAll(',', ''));
/** |a - b| <= half a unit of the last printed digit. */
function withinHalfUnit(printed: string, exact: string | number, digits: number): boolean {
  const half = digits === 0 ? '0.5' : `0.${'0'.repeat(digits)}5`;
  return cmp(abs(sub(parse(printed), dec(exact))), half) <= 0;
}

describe('display policy (property, seeded)', () => {
  it('prices: at most the tick decimals, the exact nearest value', () => {
    const r = rng(1);
    for (let i = 0; i < RUNS; i++) {
      const v = value(r);
      const tick = pick(r, STEPS);
      const out = fmtPrice(v, pick(r, CURRENCIES), tick);
      expect(decimals(out), `${v} tick ${tick} -> ${out}`).toBeLessThanOrEqual(stepDigits(tick)!);
      expect(withinHalfUnit(out, v, decimals(out)), `${v} -> ${out}`).toBe(true);
    }
  });

  it('prices without a tick: the currency digits, never more than 8', () => {
    const r = rng(2);
    for (let i = 0; i < RUNS; i++) {
      const v = value(r);
      const quote = pick(r, CURRENCIES);
      const out = fmtPrice(v, quote);
      expect(decimals(out)).toBeLessThanOrEqual(8);
      if (Math.abs(Number(v)) >= 1) expect(decimals(out), `${v} ${quote} -> ${out}`).toBe(currencyDigits(quote));
      expect(withinHalfUnit(out, v, decimals(out))).toBe(true);
    }
  });

  it('amounts: at most the lot decimals (8 without a lot)', () => {
    const r = rng(3);
    for (let i = 0; i < RUNS; i++) {
      const v = value(r);
      const lot = r() < 0.3 ? undefined : pick(r, STEPS);
      const out = fmtAmount(v, lot);
      expect(decimals(out), `${v} lot ${lot} -> ${out}`).toBeLessThanOrEqual(lot === undefined ? 8 : stepDigits(lot)!);
      expect(withinHalfUnit(out, v, lot === undefined ? 8 : stepDigits(lot)!)).toBe(true);
    }
  });

  it('money: exactly the currency digits (2 for fiat and stablecoins, 8 for crypto)', () => {
    const r = rng(4);
    for (let i = 0; i < RUNS; i++) {
      const v = value(r);
      const currency = pick(r, CURRENCIES);
      const out = fmtMoney(v, currency);
      expect(decimals(out), `${v} ${currency} -> ${out}`).toBe(currencyDigits(currency));
      expect(withinHalfUnit(out, v, currencyDigits(currency))).toBe(true);
      expect(fmt(v, 1)).toMatch(/^-?[\d,]+\.\d$/);
    }
  });

  it('JSON money: decimal strings of at most 8 decimals, the exact nearest value', () => {
    const r = rng(5);
    for (let i = 0; i < RUNS; i++) {
      const v = value(r);
      const out = roundJson(v);
      expect(out).toMatch(/^-?\d+(\.\d{1,8})?$/);
      expect(withinHalfUnit(out, v, 8)).toBe(true);
    }
  });

  it('the order summary and orders JSON carry no float noise', () => {
    const r = rng(6);
    for (let i = 0; i < 200; i++) {
      const n = () => Number(value(r)) / 7;
      const child = {leg: 0, venue: 'v', symbol: 'BTC/USD', side: 'buy' as const, type: 'market' as const, amount: '1', expectedPrice: n(), worstPrice: n(), cost: n(), feeRate: 0.001, fee: n(), total: n(), resting: '0', mid: n(), mode: 'paper' as const};
      const plan = {strategy: 'best_price', symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '1', limitPrice: undefined, children: [child], fallbacks: [], planned: '1', unplanned: '0', cost: n(), fees: n(), total: n(), effectivePrice: n(), skipped: []} as PlanView;
      const json = planJson(plan);
      for (const x of [json.cost, json.fees, json.total, json.effectivePrice!, json.children[0]!.cost, json.children[0]!.fee, json.children[0]!.total, json.children[0]!.expectedPrice]) expect(x).toMatch(/^-?\d+(\.\d{1,8})?$/);
      const order = {id: 1, leg: 0, venue: 'v', clientOrderId: 'c', venueOrderId: 'x', symbol: 'BTC/USD', side: 'buy', type: 'market', mode: 'paper', amount: '1', price: undefined, status: 'closed', filled: '1', average: dec(String(value(r))), fees: [{cost: mul('0.0010000001', String(value(r))), currency: 'USD'}], error: undefined} as OrderResult;
      const o = orderJson(order);
      expect(o.average).toMatch(/^-?\d+(\.\d{1,8})?$/);
      expect(o.fees[0]!.cost).toMatch(/^-?\d+(\.\d{1,8})?$/);
    }
  });

  it('pnl figures are decimal strings of at most 8 decimals for any fills', () => {
    const r = rng(7);
    const pricer = createPricer([{venue: 'a', symbol: 'BTC/USD', bid: 60_000.123, ask: 60_010.987, bidSize: 1, askSize: 1, timestamp: 1, receivedAt: 1}, {venue: 'a', symbol: 'USDT/USD', bid: 0.99917, ask: 1.00013, bidSize: 1, askSize: 1, timestamp: 1, receivedAt: 1}], {now: 1});
    for (let run = 0; run < 50; run++) {
      const fills: PnlFill[] = Array.from({length: 8}, (_, i) => ({
        venue: pick(r, ['a', 'b']),
        tradeId: `t${i}`,
        symbol: pick(r, ['BTC/USD', 'BTC/USDT']),
        side: r() < 0.5 ? 'buy' : 'sell',
        amount: dec((r() * 2 + 0.00000001).toFixed(8)),
        price: dec((50_000 + r() * 20_000).toFixed(2)),
        fee: {cost: dec((r() * 10).toFixed(6)), currency: pick(r, ['USD', 'USDT', 'BTC'])},
        ts: i,
      }));
      const report = computePnl(fills, {quote: 'USD', pricer});
      const check = (x: string | undefined) => x === undefined || expect(x).toMatch(/^-?\d+(\.\d{1,8})?$/);
      for (const a of report.assets) {
        for (const x of [a.volume, a.averageEntry, a.realized, a.fees, a.markPrice, a.unrealized, a.net]) check(x);
        expect(a.position.startsWith('-')).toBe(false);
      }
      for (const x of Object.values(report.total)) if (typeof x === 'string') check(x);
    }
  });
});
