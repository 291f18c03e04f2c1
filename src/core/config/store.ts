/**
 * Where xarb keeps its files and how the config is read and written.
 * $XARB_HOME (default ~/.xarb) holds config.json (conf-backed, written
 * atomically) and journal.db. Reading validates the whole file once and
 * reports every bad field at once; a missing file is the empty config, which
 * means the built-in demo profile of simulated venues.
 */
import {mkdirSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {ConfigError} from '../errors.js';
import {defaultConfig, validateConfig, type XarbConfig} from './schema.js';

export function xarbHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.XARB_HOME?.trim();
  return home ? home : join(homedir(), '.xarb');
}

export function configPath(home: string): string {
  return join(home, 'config.json');
}

export function journalPath(home: string): string {
  return join(home, 'journal.db');
}

/** Reads and validates the config; a missing file is the default (demo) config. */
export function loadConfig(home: string): XarbConfig {
  let text: string;
  try {
    text = readFileSync(configPath(home), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig;
    throw new ConfigError([`cannot read ${configPath(home)}: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${configPath(home)} is not valid JSON: ${(error as Error).message}`]);
  }
  return validateConfig(raw);
}

/**
 * Validates and writes the whole config through conf (atomic write, so a
 * crash never leaves half a file). The new value is validated before it is
 * written: an invalid change is refused and the file is left as it was.
 */
export async function saveConfig(home: string, config: XarbConfig): Promise<void> {
  const valid = validateConfig(JSON.parse(JSON.stringify(config)));
  mkdirSync(home, {recursive: true});
  const {default: Conf} = await import('conf');
  const store = new Conf<Record<string, unknown>>({cwd: home, configName: 'config', projectName: 'xarb', clearInvalidConfig: false});
  store.store = valid as unknown as Record<string, unknown>;
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
