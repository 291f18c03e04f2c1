import {describe, expect, it} from 'vitest';
import {lineChart, resample, sparkline} from '../../src/ui/chart.js';

describe('terminal charts', () => {
  it('draws a sparkline with gaps for missing data', () => {
    expect(sparkline([0, 7, undefined, 3.5])).toBe('▁█ ▅');
    expect(sparkline([5, 5])).toBe('▄▄');
    expect(sparkline([undefined, undefined])).toBe('  ');
  });

  it('resamples by keeping the maximum of each group', () => {
    expect(resample([1, 5, undefined, undefined, 2, 3], 3)).toEqual([5, undefined, 3]);
    expect(resample([1, 2], 5)).toEqual([1, 2]);
  });

  it('draws a line chart with min, max and zero labels, joining jumps', () => {
    const text = lineChart([-10, 0, 30, undefined, 10], {height: 5, format: (v) => v.toFixed(0), unit: 'bps', xLabels: ['a', 'b']});
    expect(text.split('\n')).toEqual([
      '30 bps ┤  •  ',
      '       ┤  │  ',
      '       ┤  │ •',
      '     0 ┤─•───',
      '   -10 ┤•    ',
      '       └─────',
      '        a   b',
    ]);
    expect(lineChart([undefined])).toBe('(no data)');
  });
});
