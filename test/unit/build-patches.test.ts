/**
 * The build's source edits to bundled packages (scripts/patches.js) must keep each package's
 * behaviour. string-width and cli-table3 are copied under tmp/ with the edits applied (their own
 * dependencies still resolve to node_modules) and compared with the originals: string-width over
 * every character and random strings, cli-table3 over tables with spans, styles, wrapping and
 * truncation. (The @oclif/core edit, the order of the command list, is covered by the help tests.)
 */
import {cpSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error: a plain JavaScript module of the build
import {PATCHES} from '../../scripts/patches.js';

interface Patch {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'tmp', `patched-${process.pid}`);
const original = createRequire(join(ROOT, 'package.json'));
const patched = createRequire(join(DIR, 'package.json'));

type Width = (s: string) => number;
type TableClass = new (options?: Record<string, unknown>) => unknown[] & {toString(): string};

beforeAll(() => {
  mkdirSync(join(DIR, 'node_modules'), {recursive: true});
  writeFileSync(join(DIR, 'package.json'), '{"private": true}');
  for (const name of ['string-width', 'cli-table3']) cpSync(join(ROOT, 'node_modules', name), join(DIR, 'node_modules', name), {recursive: true});
  for (const patch of PATCHES as Patch[]) {
    if (!/^(string-width|cli-table3)\//.test(patch.file)) continue;
    const file = join(DIR, 'node_modules', patch.file);
    const source = readFileSync(file, 'utf8');
    expect(source.includes(patch.find), `${patch.file} still matches its patch`).toBe(true);
    writeFileSync(file, source.replace(patch.find, patch.replace));
  }
});

afterAll(() => rmSync(DIR, {recursive: true, force: true}));

describe('build patches keep behaviour', () => {
  it('string-width answers as the original for every character and for random strings', () => {
    const before = original('string-width') as Width;
    const after = patched('string-width') as Width;
    expect(after).not.toBe(before);
    for (let code = 0; code < 0x10000; code++) {
      const c = String.fromCharCode(code);
      expect(after(c), `U+${code.toString(16)}`).toBe(before(c));
    }
    const pieces = ['a', 'Z', ' ', '~', '\u00e9', 'e\u0301', '\u2026', '\u2500', '\u4e2d', '\u231a', '\ud83d\ude00', '\u2764\ufe0f', '\u001b[31m', '\u001b[39m', '\t', '\u0416', '\u10d0', '\u1100', '\u2319', '\u231b'];
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let j = 0; j <= i % 9; j++) s += pieces[next() % pieces.length];
      expect(after(s), JSON.stringify(s)).toBe(before(s));
    }
  });

  it('cli-table3 draws the same tables as the original', () => {
    const Before = original('cli-table3') as TableClass;
    const After = patched('cli-table3') as TableClass;
    expect(After).not.toBe(Before);
    const cases: {options: Record<string, unknown>; rows: unknown[]}[] = [
      {options: {head: ['venue', 'bid', 'ask']}, rows: [['simbit', '66,271.1 *', '66,285.8'], ['simex', 'not listed', '']]},
      {options: {head: ['a', 'b'], style: {head: ['red'], border: ['grey'], 'padding-left': 2, 'padding-right': 0}}, rows: [['x', 'y'], ['long cell text', 'z']]},
      {options: {}, rows: [[{content: 'spans two', colSpan: 2}, 'c'], [{content: 'tall', rowSpan: 2}, 'd', 'e'], ['f', 'g']]},
      {options: {colWidths: [6, 8], wordWrap: true}, rows: [['wrapped words here', 'short'], ['a', 'b c d e f g h']]},
      {options: {colWidths: [5, 5]}, rows: [['truncated text', 'ok'], ['\u4e2d\u6587\u5b57', '\u2026']]},
      {options: {chars: {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''}}, rows: [['compact', 1], [null, undefined]]},
      {options: {style: {compact: true}}, rows: [[{content: 'own chars', chars: {left: '#', 'top-left': '*'}, style: {'padding-left': 3}}, 'b']]},
      {options: {head: ['h1', {content: 'h2', hAlign: 'right'}], colAligns: ['left', 'center']}, rows: [[{content: 'r', vAlign: 'bottom'}, 'multi\nline']]},
    ];
    for (const {options, rows} of cases) {
      const a = new Before(options);
      const b = new After(options);
      a.push(...rows);
      b.push(...rows);
      expect(b.toString(), JSON.stringify({options, rows})).toBe(a.toString());
    }
  });
});
