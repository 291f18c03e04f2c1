/**
 * The build's string-width patch (scripts/build.js, PATCHES) answers some strings by their length
 * instead of running the package's code. Over every character it lets through, and random strings
 * of them, the answer must be what string-width itself computes.
 */
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';

const stringWidth = createRequire(import.meta.url)('string-width') as (s: string) => number;

function patchedFastPath(): RegExp {
  const build = readFileSync(new URL('../../scripts/build.js', import.meta.url), 'utf8');
  const patch = /file: 'string-width\/index\.js',[\s\S]*?replace: "[^"]*?if \(\/(\^\[[^\]]*\]\*\$)\/\.test\(string\)\)/.exec(build);
  if (!patch) throw new Error('string-width patch not found in scripts/build.js');
  // The replacement is a JavaScript string literal in build.js: its \\x20 is the source text \x20.
  return new RegExp(patch[1]!.replace(/\\\\/g, '\\'));
}

describe('build patch: string-width fast path', () => {
  const fast = patchedFastPath();

  it('lets through printable ASCII and the ellipsis, not escapes, emoji, wide or combining characters', () => {
    expect(fast.test('BTC/USD 66,271.1 *')).toBe(true);
    expect(fast.test('\u2026')).toBe(true);
    for (const s of ['\u001b[31mred\u001b[39m', '\u00e9\u0301', '\u4e2d', '\u231a', '\ud83d\ude00', '\u2764\ufe0f', 'a\tb']) expect(fast.test(s)).toBe(false);
  });

  it('gives string-width’s answer for every character it lets through and for strings of them', () => {
    const through: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const c = String.fromCharCode(code);
      if (fast.test(c)) {
        through.push(c);
        expect(stringWidth(c), `U+${code.toString(16)}`).toBe(1);
      }
    }
    expect(through.length).toBeGreaterThan(4000);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let j = 0; j <= i % 8; j++) s += through[next() % through.length];
      expect(stringWidth(s), JSON.stringify(s)).toBe(s.length);
    }
  });
});
