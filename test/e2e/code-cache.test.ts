/**
 * The built CLI's code cache (scripts/app-loader.js): the first successful run of a command keeps
 * V8's bytecode in XARB_CODE_CACHE_DIR (default dist/.cache), later runs start from it; a damaged
 * file is replaced, a failed run or XARB_CODE_CACHE=0 writes nothing, a folder others can write is
 * not used, and a folder that cannot be written only means no cache. The output is the same in every case.
 */
import {chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli, tempHome} from '../support/cli.js';

const ARGS = ['prices', '--help'];
const cacheDir = () => mkdtempSync(join(tmpdir(), 'xarb-code-cache-'));

describe('code cache of the built CLI', () => {
  it('is written once by the first run and used, not rewritten, by the next; the output does not change', async () => {
    const dir = cacheDir();
    const home = tempHome();
    const first = await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: dir}});
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('USAGE');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[A-Z0-9]+-prices--help-[0-9a-f]{8}\.bin$/);
    const file = join(dir, files[0]!);
    const written = readFileSync(file);
    expect(written.length).toBeGreaterThan(10_000);
    const {mtimeMs} = statSync(file);

    const second = await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: dir}});
    expect(second).toEqual(first);
    expect(readdirSync(dir)).toEqual(files);
    expect(statSync(file).mtimeMs).toBe(mtimeMs);
    expect(readFileSync(file).equals(written)).toBe(true);

    const without = await runCli(ARGS, {home, env: {XARB_CODE_CACHE: '0', XARB_CODE_CACHE_DIR: cacheDir()}});
    expect(without).toEqual(first);
  });

  it('replaces a damaged file, writes nothing for a failed run, when turned off or in a folder others can write, and runs without a writable folder', async () => {
    const home = tempHome();
    const reference = await runCli(ARGS, {home, env: {XARB_CODE_CACHE: '0'}});
    expect(reference.code).toBe(0);

    const dir = cacheDir();
    await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: dir}});
    const [name] = readdirSync(dir);
    const garbage = Buffer.alloc(4096, 7);
    writeFileSync(join(dir, name!), garbage);
    expect(await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: dir}})).toEqual(reference);
    const replaced = readFileSync(join(dir, name!));
    expect(replaced.equals(garbage)).toBe(false);
    expect(replaced.length).toBeGreaterThan(10_000);

    const failed = cacheDir();
    const typo = await runCli(['pricez'], {home, env: {XARB_CODE_CACHE_DIR: failed}});
    expect(typo.code).not.toBe(0);
    expect(readdirSync(failed)).toEqual([]);

    const off = cacheDir();
    expect(await runCli(ARGS, {home, env: {XARB_CODE_CACHE: '0', XARB_CODE_CACHE_DIR: off}})).toEqual(reference);
    expect(readdirSync(off)).toEqual([]);

    const shared = cacheDir();
    chmodSync(shared, 0o777);
    expect(await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: shared}})).toEqual(reference);
    expect(readdirSync(shared)).toEqual([]);

    const notAFolder = join(cacheDir(), 'file');
    writeFileSync(notAFolder, '');
    expect(await runCli(ARGS, {home, env: {XARB_CODE_CACHE_DIR: join(notAFolder, 'cache')}})).toEqual(reference);
  });
});
