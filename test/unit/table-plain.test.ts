import Table from 'cli-table3';
import {describe, expect, it} from 'vitest';
import {renderTable, type Align} from '../../src/ui/table.js';

/** A small seeded generator (mulberry32): the same tables on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What cli-table3 draws for these cells without colour (renderTable's settings when nothing is cut). */
function cliTable3(head: readonly string[], rows: readonly (readonly string[])[], align: readonly (Align | undefined)[] | undefined, compact: boolean): string {
  const table = new Table({head: [...head], style: {head: [], border: [], compact}, ...(align ? {colAligns: head.map((_, i) => align[i] ?? 'left')} : {})});
  for (const row of rows) table.push([...row]);
  return table.toString();
}

const PLAIN_CHARS = ['a', 'Z', '0', '9', ' ', '-', '.', ',', '*', '/', '(', ')', 'é', 'ß', 'Ł', '…', '–', '→', '≤'];

describe('tables without colour drawn without cli-table3', () => {
  it('match cli-table3 character for character', () => {
    const next = random(20240601);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const text = (max: number) => Array.from({length: Math.floor(next() * (max + 1))}, () => pick(PLAIN_CHARS)).join('');
    for (let n = 0; n < 300; n++) {
      const columns = 1 + Math.floor(next() * 6);
      const head = Array.from({length: columns}, () => text(8));
      const rows = Array.from({length: Math.floor(next() * 6)}, () => Array.from({length: columns}, () => (next() < 0.2 ? String(Math.floor(next() * 1e6)) : text(12))));
      const align = next() < 0.8 ? Array.from({length: columns}, () => pick<Align | undefined>(['left', 'right', 'center', undefined])) : undefined;
      const compact = next() < 0.3;
      // An entry left undefined is drawn left-aligned, as cli-table3 draws it.
      const drawn = renderTable({head, rows, align: align as Align[] | undefined, compact, color: false, maxWidth: 10_000});
      expect(drawn, JSON.stringify({head, rows, align, compact})).toBe(cliTable3(head, rows, align, compact));
    }
  });

  it('match cli-table3 for the columns kept when some are dropped to fit', () => {
    const head = ['venue', 'market', 'bid', 'ask', 'age'];
    const rows = [
      ['simbit', 'BTC-USD', '65,928.4', '65,942.0', '2s'],
      ['simkraken', 'XXBTZUSD', '65,927', '65,946', '2s'],
    ];
    const drawn = renderTable({head, rows, color: false, maxWidth: 40, align: ['left', 'left', 'right', 'right', 'right']});
    const [table, note] = drawn.split('\n(');
    expect(note).toMatch(/hidden to fit the terminal/);
    const kept = head.map((h, i) => [h, i] as const).filter(([h]) => table!.split('\n')[1]!.includes(` ${h} `));
    expect(kept.length).toBeLessThan(head.length);
    const align: Align[] = ['left', 'left', 'right', 'right', 'right'];
    expect(table).toBe(cliTable3(kept.map(([h]) => h), rows.map((r) => kept.map(([, i]) => r[i]!)), kept.map(([, i]) => align[i]!), false));
  });

  it('leave text cli-table3 measures differently to cli-table3 (escape codes, wide characters, several lines)', () => {
    for (const cell of ['\u001b[32mgreen\u001b[39m', '日本', 'two\nlines', 'e\u0301']) {
      const rows = [[cell, 'x']];
      expect(renderTable({head: ['a', 'b'], rows, color: false, maxWidth: 10_000})).toBe(cliTable3(['a', 'b'], rows, undefined, false));
    }
  });
});
