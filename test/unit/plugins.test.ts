/**
 * Start-up stays cheap as oclif plugins are added (README, Development): no
 * hook that runs on every command, and every plugin ships its manifest, so a
 * plugin's code loads only when one of its commands runs.
 */
import {existsSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVERY_RUN = ['init', 'prerun', 'postrun', 'finally'];

interface Pjson {
  name: string;
  oclif?: {plugins?: string[]; hooks?: Record<string, unknown>};
}

const read = (dir: string): Pjson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Pjson;
const root = read(ROOT);
const plugins = (root.oclif?.plugins ?? []).map((name) => {
  const dir = dirname(createRequire(join(ROOT, 'package.json')).resolve(`${name}/package.json`));
  return {dir, pjson: read(dir)};
});

describe('oclif plugins and hooks', () => {
  it('registers no hook that runs on every command, here or in a plugin', () => {
    for (const {pjson} of [{pjson: root}, ...plugins]) {
      const events = Object.keys(pjson.oclif?.hooks ?? {});
      expect(events.filter((e) => EVERY_RUN.includes(e)), `${pjson.name} hooks`).toEqual([]);
    }
  });

  it('uses only plugins that ship oclif.manifest.json', () => {
    for (const {dir, pjson} of plugins) expect(existsSync(join(dir, 'oclif.manifest.json')), `${pjson.name} has no manifest`).toBe(true);
  });
});
