/**
 * Every number a person or a program reads from orders, pnl, balances,
 * positions, risk show, arb scan, prices and the order summary: after a seeded run of orders on
 * the demo venues, human output shows no more than 8 decimals anywhere and
 * exactly 2 on USD totals; JSON money is a decimal string (no float noise).
 */
import {describe, expect, it} from 'vitest';
import {json, runCli, tempHome} from '../support/cli.js';

const env = {XARB_NO_DEMO_NOTICE: '1'};

/** Seeded amounts, so a failure replays. */
function amounts(seed: number, n: number): string[] {
  let a = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    out.push(((a % 9000) / 1_000_000 + 0.001).toFixed(6));
  }
  return out;
}

/** Decimal numbers in text ("66,108.90", "0.0125"): none may carry more than 8 decimals. */
function tooLong(text: string): string[] {
  return [...text.matchAll(/(?<![\w.-])-?\d[\d,]*\.(\d+)(?![\w.])/g)].filter((m) => m[1]!.length > 8).map((m) => m[0]);
}

/**
 * Paths in a JSON document with float noise: a number whose shortest form has
 * more than 8 decimals (0.12416959999999999), or a decimal string with a
 * truncation tail (49950.011015999999999999). Exact venue values (a paper
 * balance of 59635.666459232) are kept as they are.
 */
function noisy(doc: unknown, path = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((x, i) => noisy(x, `${path}[${i}]`));
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => noisy(v, `${path}.${k}`));
  if (typeof doc === 'string' && /^-?\d+\.\d{13,}$/.test(doc)) return [`${path}=${doc}`];
  if (typeof doc === 'number' && !Number.isInteger(doc) && (String(doc).split('.')[1]?.length ?? 0) > 8) return [`${path}=${doc}`];
  return [];
}

/** Money in these documents must be a decimal string: order plans, pnl figures, risk usage, balances and positions, arb scan, prices. */
function moneyAsNumbers(doc: unknown, path = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((x, i) => moneyAsNumbers(x, `${path}[${i}]`));
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => moneyAsNumbers(v, `${path}.${k}`));
  const key = path.split('.').pop()!.replace(/\[\d+\]$/, '');
  return typeof doc === 'number' && MONEY.test(key) ? [`${path}=${doc}`] : [];
}

const MONEY = /^(cost|fee|fees|total|average|volume|realized|unrealized|net|markPrice|effectivePrice|expectedPrice|worstPrice|remaining|proceeds|price|rate|value|size|notional|topPrice|avgPrice|limitPrice|grossProfit|netProfit|netValue|bid|ask|bidSize|askSize|spread|afterFees|filled|unfilled)$/;

describe('numbers in output (seeded orders on the demo venues)', () => {
  it('no float noise and no more digits than the currency allows', async () => {
    const home = tempHome();
    const summaries: string[] = [];
    for (const [i, amount] of amounts(7, 4).entries()) {
      const side = i % 2 === 0 ? 'buy' : 'sell';
      const symbol = i < 2 ? 'BTC/USD' : 'BTC/USDT';
      const human = await runCli(['order', side, symbol, amount, '--yes'], {home, env});
      expect(human.code, human.stderr).toBe(0);
      summaries.push(human.stdout);
      expect(human.stdout).toMatch(/filled [\d.]+ BTC at [\d,]+(\.\d{1,2})? USDT?/);
      const dry = await runCli(['order', side, symbol, amount, '--dry-run', '--json'], {home, env});
      expect(noisy(json(dry))).toEqual([]);
      expect(moneyAsNumbers(json(dry))).toEqual([]);
      const dryHuman = await runCli(['order', side, symbol, amount, '--dry-run'], {home, env});
      expect(dryHuman.stdout).toMatch(side === 'sell' ? /total received: [\d,]+\.\d{2} - fees [\d,]+\.\d{2} = [\d,]+\.\d{2} USDT?/ : /total cost: [\d,]+\.\d{2} \+ fees [\d,]+\.\d{2} = [\d,]+\.\d{2} USDT?/);
      summaries.push(dryHuman.stdout);
    }
    for (const text of summaries) expect(tooLong(text)).toEqual([]);

    for (const args of [['orders'], ['pnl'], ['balances'], ['positions'], ['risk', 'show'], ['arb', 'scan'], ['arb', 'scan', '--ignore-balances'], ['prices', 'BTC/USD', 'BTC/USDT', '--size', '0.5']]) {
      const human = await runCli(args, {home, env});
      expect(human.code, `${args.join(' ')}: ${human.stderr}`).toBe(0);
      expect(tooLong(human.stdout), args.join(' ')).toEqual([]);
      const doc = json(await runCli([...args, '--json'], {home, env}));
      expect(noisy(doc), args.join(' ')).toEqual([]);
      expect(moneyAsNumbers(doc), args.join(' ')).toEqual([]);
    }
    const pnl = await runCli(['pnl'], {home, env});
    const total = pnl.stdout.split('\n').find((l) => l.startsWith('Total USD:'))!;
    for (const m of total.matchAll(/-?[\d,]+\.(\d+)/g)) expect(m[1]!.length, total).toBe(2);
  }, 180_000);
});
