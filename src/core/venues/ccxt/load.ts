/**
 * Loads exactly one ccxt exchange class by file URL (importing all of ccxt
 * costs ~0.5 s, one class ~0.2 s). ccxt's package `exports` block deep
 * imports, so the class file is located relative to the package entry.
 * Exchange ids are lowercase letters and digits; anything else, or an id
 * with no class file, is a usage error.
 */
import {existsSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import type {Exchange} from 'ccxt';
import {UsageError} from '../../errors.js';

export type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

let entry: URL | undefined;

/** URL of ccxt's ESM entry (node_modules/ccxt/js/ccxt.js). */
function ccxtEntry(): URL {
  if (entry) return entry;
  let resolved: string | undefined;
  try {
    resolved = import.meta.resolve('ccxt');
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined || !resolved.startsWith('file:')) {
    // Fallback: the CommonJS entry (dist/ccxt.cjs) sits next to js/ in the package folder.
    const cjs = createRequire(import.meta.url).resolve('ccxt');
    resolved = new URL('../js/ccxt.js', pathToFileURL(cjs)).href;
  }
  entry = new URL(resolved);
  return entry;
}

export function exchangeFileUrl(id: string, pro = false): URL {
  return new URL(`./src/${pro ? 'pro/' : ''}${id}.js`, ccxtEntry());
}

export function hasExchangeClass(id: string, pro = false): boolean {
  return /^[a-z0-9]+$/.test(id) && existsSync(fileURLToPath(exchangeFileUrl(id, pro)));
}

export class UnknownExchangeError extends UsageError {
  constructor(id: string) {
    super(`unknown exchange ${JSON.stringify(id)}: not a ccxt exchange id`, 'use a ccxt exchange id such as binance, kraken, okx, coinbase or bybit (the full list: https://docs.ccxt.com/#/Exchange-Markets)');
  }
}

const classes = new Map<string, Promise<ExchangeClass>>();

/** Imports the REST (or ccxt.pro websocket) class of one exchange. */
export function loadExchangeClass(id: string, pro = false): Promise<ExchangeClass> {
  if (!hasExchangeClass(id, pro)) {
    if (pro && hasExchangeClass(id)) return Promise.reject(new UsageError(`${id} has no websocket class in ccxt`));
    return Promise.reject(new UnknownExchangeError(id));
  }
  const key = `${pro ? 'pro/' : ''}${id}`;
  let loading = classes.get(key);
  if (!loading) {
    loading = import(exchangeFileUrl(id, pro).href).then((module: {default: ExchangeClass}) => module.default);
    classes.set(key, loading);
  }
  return loading;
}

let version: string | undefined;

/** The installed ccxt version (part of the market cache fingerprint: payload shapes change between versions). */
export function ccxtVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', ccxtEntry())), 'utf8')) as {version?: string};
      version = pkg.version ?? 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
