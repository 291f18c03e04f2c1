import {describe, expect, it} from 'vitest';
import {colorEnabled, stripAnsi} from '../../src/ui/color.js';
import {parseAmount, parseDuration, parseVenueList, parseWeights} from '../../src/cli/flags.js';
import {fmtAge, renderTable} from '../../src/ui/table.js';
import {UsageError} from '../../src/core/errors.js';

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

describe('shared flag parsers', () => {
  it('amounts are positive exact decimals', () => {
    expect(parseAmount('0.5')).toBe('0.5');
    expect(parseAmount('1e-3')).toBe('0.001');
    for (const bad of ['-1', '0', 'abc', '', '1,5', 'NaN', 'Infinity', '0x10']) expect(() => parseAmount(bad), bad).toThrow(UsageError);
  });

  it('durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(() => parseDuration('soon')).toThrow(UsageError);
  });

  it('venue lists and weights', () => {
    expect(parseVenueList('Binance, kraken,binance')).toEqual(['binance', 'kraken']);
    expect(() => parseVenueList(',')).toThrow(UsageError);
    expect(parseWeights('binance=40,kraken=30.5', '--target')).toEqual({binance: 40, kraken: 30.5});
    expect(() => parseWeights('binance:40', '--target')).toThrow(UsageError);
  });
});
