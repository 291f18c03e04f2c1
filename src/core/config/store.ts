/**
 * Where xarb keeps its files and how the config is read and written.
 * $XARB_HOME (default ~/.xarb) holds config.json (conf-backed, written
 * atomically) and journal.db. Reading validates the whole file once and
 * reports every bad field at once; a missing file is the empty config, which
 * means the built-in demo profile of simulated venues.
 *
 * Validation cache: validating loads zod and costs tens of ms on every run.
 * When the caller names the build's version, a config that passed is kept in
 * $XARB_HOME/.config-checked.json (0600) as {key, config}: the key is the
 * version, the schema's fingerprint and the file's text, verbatim (compared
 * exactly, with no hash to compute: hashing would load node:crypto, ~8 ms of
 * every start), and config is the validated value with its defaults. A later
 * load whose version, schema and text give the same key uses that value
 * without validating again.
 * The key covers the kept value too, so an edit of the cache itself is a miss.
 * Any difference (a hand edit, another build, a changed schema) or an
 * unreadable cache validates as usual and rewrites the cache. Only configs
 * that passed are ever written there, so an invalid file is never served.
 */
import {chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {ConfigError, UsageError} from '../errors.js';
import {configProblems, defaultAt, defaultConfig, schemaAt, schemaFingerprint, showValue, validateConfig, type XarbConfig} from './schema.js';

export function xarbHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.XARB_HOME?.trim();
  return home ? home : join(homedir(), '.xarb');
}

/** Creates XARB_HOME (and missing parents) private to the user: 0700. */
export function ensureHome(home: string): void {
  mkdirSync(home, {recursive: true, mode: 0o700});
}

export function configPath(home: string): string {
  return join(home, 'config.json');
}

export function journalPath(home: string): string {
  return join(home, 'journal.db');
}

/** The validation cache (see the header); it holds nothing secret, as the config holds no secret. */
export function configCheckPath(home: string): string {
  return join(home, '.config-checked.json');
}

/** Reads the config file's bytes; undefined when it does not exist. */
function readConfigBytes(home: string): Buffer | undefined {
  try {
    return readFileSync(configPath(home));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError([`cannot read ${configPath(home)}: ${code ?? (error as Error).message}`], `check that XARB_HOME (${home}) is a folder you can read and write`);
  }
}

function parseConfigText(home: string, text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${configPath(home)} is not valid JSON: ${(error as Error).message}`], `edit or remove ${configPath(home)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(['the config must be a JSON object'], `edit or remove ${configPath(home)}`);
  return raw as Record<string, unknown>;
}

/**
 * Reads the config file as it is, without validating it, so that commands
 * that edit settings can repair a file that no longer validates. A missing
 * file is the empty object.
 */
export function loadRawConfig(home: string): Record<string, unknown> {
  const bytes = readConfigBytes(home);
  return bytes === undefined ? {} : parseConfigText(home, bytes.toString('utf8'));
}

export interface LoadConfigOptions {
  /** The build's version: given, the validation cache is used (see the header); omitted, the file is always validated. */
  readonly version?: string;
}

/** Reads and validates the config; a missing file is the default (demo) config. */
export function loadConfig(home: string, options: LoadConfigOptions = {}): XarbConfig {
  const bytes = readConfigBytes(home);
  if (bytes === undefined) return defaultConfig;
  if (options.version !== undefined) {
    const cached = readChecked(home, bytes, options.version);
    if (cached) return cached;
  }
  const raw = parseConfigText(home, bytes.toString('utf8'));
  if (Object.keys(raw).length === 0) return defaultConfig;
  const config = validateConfig(raw);
  if (options.version !== undefined) writeChecked(home, configCheckKey(bytes, options.version, config), config);
  return config;
}

/** The key a validated config is kept under: the build's version, the schema's fingerprint, the file's text and the kept value. */
export function configCheckKey(bytes: Uint8Array, version: string, config: unknown): string {
  return `xarb ${version}\n${schemaFingerprint()}\n${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}\n${JSON.stringify(config)}`;
}

function readChecked(home: string, bytes: Uint8Array, version: string): XarbConfig | undefined {
  try {
    const entry = JSON.parse(readFileSync(configCheckPath(home), 'utf8')) as {key?: unknown; config?: unknown};
    const config = entry.config as XarbConfig | undefined;
    if (typeof config !== 'object' || config === null || typeof config.venues !== 'object' || config.venues === null) return undefined;
    return entry.key === configCheckKey(bytes, version, config) ? config : undefined;
  } catch {
    return undefined; // missing or unreadable: validate as usual
  }
}

/** Best effort: a home that cannot be written only means the next run validates again. */
function writeChecked(home: string, key: string, config: XarbConfig): void {
  const file = configCheckPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({key, config}), {mode: 0o600});
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, {force: true});
    } catch {
      // nothing more to do
    }
  }
}

/**
 * Validates and writes the whole config through conf (atomic write, so a
 * crash never leaves half a file). The new value is validated before it is
 * written: an invalid change is refused and the file is left as it was.
 */
export async function saveConfig(home: string, config: XarbConfig | Record<string, unknown>): Promise<void> {
  const plain = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  validateConfig(plain);
  await writeConfig(home, plain);
}

/**
 * Applies an edit to the config file. The edit is refused when it adds a
 * problem; it is accepted when it only leaves (or fixes) problems the file
 * already had, so a broken file can be repaired one field at a time.
 */
export async function updateConfig(home: string, edit: (raw: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>> {
  const before = loadRawConfig(home);
  const old = new Set(configProblems(before));
  const after = JSON.parse(JSON.stringify(edit(JSON.parse(JSON.stringify(before))))) as Record<string, unknown>;
  const added = configProblems(after).filter((p) => !old.has(p));
  if (added.length > 0) throw new ConfigError(added);
  ensureHome(home);
  await writeConfig(home, after);
  return after;
}

async function writeConfig(home: string, plain: Record<string, unknown>): Promise<void> {
  try {
    ensureHome(home);
    const {default: Conf} = await import('conf');
    // The file may hold an invalid config that this write repairs: conf must not refuse to open it.
    const store = new Conf<Record<string, unknown>>({cwd: home, configName: 'config', projectName: 'xarb', clearInvalidConfig: true, configFileMode: 0o600});
    store.store = plain;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([`cannot write ${configPath(home)}: ${code ?? (error as Error).message}`], `check that XARB_HOME (${home}) is a folder you can write`);
  }
}

/**
 * Records the journal's id and creation time in config.json (so that a
 * journal that later goes missing is refused instead of started over). A
 * synchronous atomic write (temp file 0600, then rename), in the format conf
 * writes; every other key is kept as it is.
 */
export function recordJournalMarker(home: string, marker: {readonly id: string; readonly createdAt: string}): void {
  const raw = loadRawConfig(home);
  const journal = typeof raw.journal === 'object' && raw.journal !== null && !Array.isArray(raw.journal) ? (raw.journal as Record<string, unknown>) : {};
  raw.journal = {...journal, id: marker.id, createdAt: marker.createdAt};
  const file = configPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    ensureHome(home);
    writeFileSync(tmp, JSON.stringify(raw, undefined, '\t'), {mode: 0o600});
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, {force: true});
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([`cannot write ${file}: ${code ?? (error as Error).message}`], `check that XARB_HOME (${home}) is a folder you can write`);
  }
}

export interface Setting {
  readonly key: string;
  /** The effective value: what is in the file, else the default; null when neither. */
  readonly value: unknown;
  readonly source: 'config' | 'default' | 'unset';
}

/**
 * The effective value of one dotted key: the file's value, else the default
 * the schema documents. An unknown key is a ConfigError naming it.
 */
export function readSetting(home: string, key: string): Setting {
  if (!schemaAt(key)) throw new UsageError(`${showValue(key)} is not a config key`, 'see `xarb config schema` for every key');
  const set = getPath(loadRawConfig(home), key);
  if (set !== undefined) return {key, value: set, source: 'config'};
  const fallback = defaultAt(key);
  return fallback === undefined ? {key, value: null, source: 'unset'} : {key, value: fallback, source: 'default'};
}

/** Reads a dotted path (venues.binance.mode) from a config object. */
export function getPath(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Returns a copy of config with `path` set to value (undefined removes it). */
export function setPath<T>(config: T, path: string, value: unknown): T {
  const keys = path.split('.');
  if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) {
    throw new ConfigError([`bad config key ${JSON.stringify(path)}`]);
  }
  const copy = JSON.parse(JSON.stringify(config ?? {})) as Record<string, unknown>;
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as T;
}
