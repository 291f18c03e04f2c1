import {describe, expect, it} from 'vitest';
import {add, cmp, dec, div, mul, roundToStep, sub, sum} from '../../src/core/money/decimal.js';

describe('decimal', () => {
  it('adds without float error', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
    expect(sum(['0.1', '0.1', '0.1'])).toBe('0.3');
    expect(sub('1', '0.9')).toBe('0.1');
  });

  it('normalizes and parses exponents', () => {
    expect(dec('1.500')).toBe('1.5');
    expect(dec('1e-8')).toBe('0.00000001');
    expect(dec('2.5E3')).toBe('2500');
    expect(dec(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(dec('-0')).toBe('0');
  });

  it('multiplies and divides exactly at 18 digits, truncating', () => {
    expect(mul('0.5', '64000.25')).toBe('32000.125');
    expect(div('1', '3')).toBe('0.333333333333333333');
    expect(mul('-2', '0.25')).toBe('-0.5');
  });

  it('rounds to a step', () => {
    expect(roundToStep('0.123456', '0.001')).toBe('0.123');
    expect(roundToStep('0.123456', '0.001', 'up')).toBe('0.124');
    expect(roundToStep('0.1235', '0.001', 'nearest')).toBe('0.124');
    expect(roundToStep('65432.17', '0.5')).toBe('65432');
    expect(roundToStep('-1.27', '0.1')).toBe('-1.2');
  });

  it('compares', () => {
    expect(cmp('1.0', '1')).toBe(0);
    expect(cmp('0.00000001', '0')).toBe(1);
    expect(cmp('-5', '3')).toBe(-1);
  });

  it('rejects non-numbers', () => {
    for (const bad of ['', 'abc', '1.2.3', '--1', 'NaN', '0x10']) expect(() => dec(bad), bad).toThrow();
    expect(() => dec(Number.NaN)).toThrow();
    expect(() => div('1', '0')).toThrow();
  });

  it('sum of random splits equals the whole (property)', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 200; trial++) {
      const total = (rand() * 100).toFixed(8);
      const parts: string[] = [];
      let left = total;
      for (let i = 0; i < 5; i++) {
        const part = roundToStep(mul(left, rand().toFixed(6)), '0.00000001');
        parts.push(part);
        left = sub(left, part);
      }
      parts.push(left);
      expect(sum(parts)).toBe(dec(total));
    }
  });
});
