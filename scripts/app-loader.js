/**
 * dist/app.js (written by scripts/build.js from this file): loads xarb's
 * one-file bundle, dist/chunks/app-<hash>.cjs, with V8's code cache.
 *
 * Most of a short command's time is spent compiling JavaScript: the bundle is
 * compiled as a vm.Script, and the bytecode V8 made while a command ran is
 * kept in dist/.cache, one file per command (its first two words, e.g.
 * `prices` or `arb-scan`, and the long flags it is given), build, Node
 * version and V8 flags. The next run of that command starts from that
 * bytecode instead of compiling again.
 *
 * - The cache is written at exit by a run that found none (or found one V8
 *   rejected) and succeeded (exit code 0: a mistyped command makes none),
 *   atomically (temp file, rename); a cache that cannot be written (read-only
 *   install) only means no cache. XARB_CODE_CACHE_DIR chooses another folder
 *   (e.g. for a read-only install); XARB_CODE_CACHE=0 turns it off. A folder
 *   others can write is not used (see trusted).
 * - A file name carries the bundle's content hash: a rebuild never meets an
 *   older build's bytecode (V8 itself checks only the source length), and the
 *   build empties dist/.cache.
 * - Only runs started by bin/run.js use it (it sets the argv global below);
 *   anything else importing a command file (e.g. `oclif manifest`) compiles
 *   as usual and writes nothing.
 * - The bundle runs in strict mode, as the ES modules it is built from do.
 *   import.meta.url and import.meta.resolve in the sources are compiled to the
 *   parameters of the wrapper, and so is import() of what stays outside the
 *   bundle (ccxt, conf, ...): a script compiled by vm has no module loader.
 */
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {Script} from 'node:vm';

const BUNDLE = '__XARB_BUNDLE__';
const BUILD = '__XARB_BUILD__';
/** At most this many cache files: one per command and runtime is the expected use. */
const MAX_CACHE_FILES = 64;

const file = fileURLToPath(new URL(BUNDLE, import.meta.url));
const cacheDir = process.env.XARB_CODE_CACHE_DIR || fileURLToPath(new URL('.cache/', import.meta.url));

/**
 * The first two words of the command line and the names of the long flags it
 * uses, sorted: different flags run different code (`prices --source` reads
 * NATS). `arb scan BTC/USDT --json` → arb-scan--json; `root` for no words.
 */
function commandKey(argv) {
  const words = [];
  for (const arg of argv) {
    if (words.length === 2 || !/^[a-z][a-z0-9-]{0,31}$/.test(arg)) break;
    words.push(arg);
  }
  const flags = new Set();
  for (const arg of argv) {
    if (arg === '--') break;
    const flag = /^--([a-z][a-z0-9-]{0,31})(=|$)/.exec(arg);
    if (flag) flags.add(flag[1]);
  }
  return [words.length > 0 ? words.join('-') : 'root', ...[...flags].sort()].join('--');
}

/** What V8 checks besides the source: Node's version, the CPU and the flags; FNV-1a, as hex. */
function runtimeTag() {
  const text = `${process.version} ${process.arch} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * Bytecode from the cache is run: the folder must be this user's (or root's) and not writable by
 * anyone else, as ssh asks of its keys. A missing folder is trusted (it is made by this user, 0755).
 */
function trusted(dir) {
  try {
    const st = statSync(dir);
    return st.isDirectory() && (st.mode & 0o022) === 0 && (process.getuid === undefined || st.uid === process.getuid() || st.uid === 0);
  } catch {
    return true;
  }
}

function writeCache(script, path) {
  const tmp = `${path}.${process.pid}.tmp`;
  let fd;
  try {
    mkdirSync(cacheDir, {recursive: true, mode: 0o755});
    if (!trusted(cacheDir) || readdirSync(cacheDir).length >= MAX_CACHE_FILES) return;
    // The file is opened before the bytecode is serialized: a folder that cannot be written costs no more.
    fd = openSync(tmp, 'w');
    writeSync(fd, script.createCachedData());
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch {
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, {force: true});
    } catch {
      // nothing more to do: the next run compiles as usual
    }
  }
}

const argv = globalThis[Symbol.for('xarb.argv')];
const cachePath = Array.isArray(argv) && process.env.XARB_CODE_CACHE !== '0' && trusted(cacheDir) ? join(cacheDir, `${BUILD}-${commandKey(argv)}-${runtimeTag()}.bin`) : undefined;
let cachedData;
if (cachePath) {
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
}
// The build writes the bundle in ASCII: read as Latin-1, without UTF-8 decoding.
const source = readFileSync(file, 'latin1');
const script = new Script(`(function (exports, require, module, __filename, __dirname, __xarbUrl, __xarbResolve, __xarbImport) {'use strict';${source}\n})`, {
  filename: file,
  cachedData,
});
if (cachePath && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', (code) => {
    if (code === 0) writeCache(script, cachePath);
  });
}

const module = {exports: {}};
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href, (specifier) => import.meta.resolve(specifier), (specifier) => import(specifier));

/** The bundle's exports: @oclif/core's execute and settings, and `modules`, a loader per command, hook and help class. */
export const app = module.exports;
