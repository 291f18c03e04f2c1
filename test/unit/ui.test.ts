import {describe, expect, it} from 'vitest';
import {colorEnabled, stripAnsi} from '../../src/ui/color.js';
import {fmt, fmtAge, fmtAmount, fmtPrice} from '../../src/ui/format.js';
import {renderTable} from '../../src/ui/table.js';
import {priceDigits} from '../../src/core/money/precision.js';

describe('tables', () => {
  it('renders with and without column alignment, with no ANSI when colour is off', () => {
    const plain = renderTable({head: ['a', 'b'], rows: [['x', 1]], color: false});
    expect(plain).toContain('x');
    // eslint-disable-next-line no-control-regex
    expect(plain).not.toMatch(/\u001b\[/);
    const aligned = renderTable({head: ['a', 'b'], rows: [['x', 1]], color: false, align: ['left', 'right']});
    expect(stripAnsi(aligned)).toContain('│ x │');
  });

  it('formats ages', () => {
    expect(fmtAge(850)).toBe('850ms');
    expect(fmtAge(12_400)).toBe('12s');
    expect(fmtAge(3 * 3_600_000)).toBe('3h');
  });

  it('formats numbers exactly as en-US toLocaleString does (without building an Intl formatter)', () => {
    const intl = (v: number, min: number, max: number) => v.toLocaleString('en-US', {minimumFractionDigits: min, maximumFractionDigits: max});
    expect(fmtPrice(66138.1)).toBe('66,138.10');
    expect(fmt(1.005, 2)).toBe('1.01');
    expect(fmtAmount('0.00000001')).toBe('0.00000001');
    const values = [0, -0, 0.5, -0.001, 1.005, 2.675, 999.995, 999.9999, 0.0099999999, 1e-7, 1.5e-8, -4e-9, 5e-324, 123456789.125, 97597929231060.72, 1e20, 9.99e20, 1e21, 1.2345e22, -1234.5];
    // A fixed pseudo-random spread over magnitudes 1e-12 .. 1e13 and precisions 1 .. 17 digits.
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let i = 0; i < 500; i++) {
      const v = (next() - 0.3) * 10 * 10 ** Math.floor(next() * 26 - 12);
      values.push(v, Number(v.toPrecision(1 + Math.floor(next() * 17))));
    }
    for (const v of values) {
      for (const digits of [0, 1, 2, 4]) expect(fmt(v, digits), `fmt(${v}, ${digits})`).toBe(intl(v, digits, digits));
      // Prices follow the display policy (docs/design-decisions.md): without a tick or quote, 2 decimals from 1 up, more below.
      const digits = priceDigits(v, undefined);
      expect(fmtPrice(v), `fmtPrice(${v})`).toBe(intl(v, digits, digits));
      expect(fmtAmount(v), `fmtAmount(${v})`).toBe(intl(v, 0, 8));
    }
  });
});

describe('colour decision', () => {
  it('follows NO_COLOR, --no-color, FORCE_COLOR and the TTY', () => {
    expect(colorEnabled({isTTY: true, env: {}})).toBe(true);
    expect(colorEnabled({isTTY: false, env: {}})).toBe(false);
    expect(colorEnabled({isTTY: true, env: {NO_COLOR: '1'}})).toBe(false);
    expect(colorEnabled({isTTY: true, env: {}, noColorFlag: true})).toBe(false);
    expect(colorEnabled({isTTY: false, env: {FORCE_COLOR: '1'}})).toBe(true);
  });
});
