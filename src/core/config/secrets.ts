/**
 * API keys. They come from the environment (XARB_<VENUE>_API_KEY, _SECRET,
 * _PASSWORD, _UID) or from a JSON file named by the venue's `keysFile`, which
 * must not be readable by group or others (0600). Keys are held only in
 * memory, handed to the venue adapter, and never printed, logged or
 * journalled: `redact` scrubs them from any text that leaves the process.
 */
import {readFileSync, statSync} from 'node:fs';
import {ConfigError, envName} from '../errors.js';
import type {VenueConfig} from './schema.js';

export interface Credentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
  readonly uid?: string;
}

const known = new Set<string>();

function remember(credentials: Credentials): Credentials {
  for (const value of [credentials.apiKey, credentials.secret, credentials.password, credentials.uid]) {
    if (value && value.length >= 4) known.add(value);
  }
  return credentials;
}

/** Keys for a venue, or undefined when none are configured. */
export function loadCredentials(venue: string, config: VenueConfig, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const prefix = `XARB_${envName(venue)}_`;
  const apiKey = env[`${prefix}API_KEY`];
  const secret = env[`${prefix}SECRET`];
  if (apiKey || secret) {
    if (!apiKey || !secret) throw new ConfigError([`${prefix}API_KEY and ${prefix}SECRET must both be set`]);
    return remember({apiKey, secret, password: env[`${prefix}PASSWORD`] || undefined, uid: env[`${prefix}UID`] || undefined});
  }
  if (config.keysFile) return remember(readKeysFile(venue, config.keysFile));
  return undefined;
}

function readKeysFile(venue: string, path: string): Credentials {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new ConfigError([`venues.${venue}.keysFile: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError([`venues.${venue}.keysFile ${path} is readable by others (mode ${(mode & 0o777).toString(8)})`], `run: chmod 600 ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError([`venues.${venue}.keysFile ${path} is not valid JSON`]);
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.apiKey !== 'string' || typeof r.secret !== 'string') throw new ConfigError([`venues.${venue}.keysFile must hold {"apiKey": "...", "secret": "..."}`]);
  return {
    apiKey: r.apiKey,
    secret: r.secret,
    password: typeof r.password === 'string' ? r.password : undefined,
    uid: typeof r.uid === 'string' ? r.uid : undefined,
  };
}

/** Whether keys are present for a venue, without reading them into output. */
export function hasCredentials(venue: string, config: VenueConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  const prefix = `XARB_${envName(venue)}_`;
  return Boolean(env[`${prefix}API_KEY`] || config.keysFile);
}

/** Replaces every known secret in text with ***. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('***');
  return out;
}
