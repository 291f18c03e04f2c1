import {describe, expect, it} from 'vitest';
import {withIsoTimes} from '../../src/ui/json.js';
import {renderTable} from '../../src/ui/table.js';

const head = ['venue', 'exchange', 'status', 'latency', 'mode', 'keys', 'api base url'];
const rows = [
  ['binance-main', 'binance', 'ok', '120ms', 'live', 'present', 'https://gateway.example.com/some/long/path/for/the/proxy'],
  ['kraken', 'kraken', 'FAILED', '-', 'paper', 'none', ''],
];
const widthOf = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));

describe('tables fit the terminal', () => {
  it('keeps every column when there is room or no limit', () => {
    const all = renderTable({head, rows, color: false});
    expect(all).toContain('https://gateway.example.com/some/long/path/for/the/proxy');
    expect(all).not.toMatch(/hidden/);
  });

  it('abbreviates long text first, then drops the least important columns, never the first', () => {
    for (const limit of [100, 80, 60, 40]) {
      const text = renderTable({head, rows, color: false, maxWidth: limit});
      const table = text.split('\n(')[0]!;
      expect(widthOf(table), String(limit)).toBeLessThanOrEqual(limit);
      expect(table).toContain('binance-main');
    }
    const at100 = renderTable({head, rows, color: false, maxWidth: 100});
    expect(at100).toContain('https://gateway.example.com/');
    expect(at100).toContain('…');
    expect(at100).not.toMatch(/hidden/);
    const at80 = renderTable({head, rows, color: false, maxWidth: 80});
    expect(at80).toMatch(/1 column hidden to fit the terminal: api base url/);
    expect(at80).toContain('status');
    const at40 = renderTable({head, rows, color: false, maxWidth: 40});
    expect(at40).toMatch(/columns? hidden to fit the terminal: .*--wide shows all/);
    expect(at40).toContain('venue');
  });

  it('drops by the given priority', () => {
    const text = renderTable({head, rows, color: false, maxWidth: 50, priority: [0, 6, 1, 5, 2, 3, 4]});
    const header = text.split('\n')[1]!;
    expect(header).toContain('status');
    expect(header).toContain('mode');
    expect(header).not.toContain('exchange');
  });
});

describe('JSON times', () => {
  it('adds an ISO 8601 UTC sibling to every epoch-ms instant, at any depth', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(withIsoTimes({ts: t, rows: [{createdAt: t, amount: '1', timestamp: t}], timeoutMs: 60_000, updatedAt: 5})).toEqual({
      ts: t,
      time: '2026-01-02T03:04:05.006Z',
      rows: [{createdAt: t, createdAtIso: '2026-01-02T03:04:05.006Z', amount: '1', timestamp: t, time: '2026-01-02T03:04:05.006Z'}],
      timeoutMs: 60_000,
      updatedAt: 5,
    });
  });

  it('never overwrites a field that exists and leaves ISO strings alone', () => {
    const t = Date.UTC(2026, 0, 2);
    expect(withIsoTimes({timestamp: t, time: 'given', since: '2026-01-01T00:00:00.000Z'})).toEqual({timestamp: t, time: 'given', since: '2026-01-01T00:00:00.000Z'});
    expect(withIsoTimes({time: t})).toEqual({time: '2026-01-02T00:00:00.000Z', timestamp: t});
  });
});
