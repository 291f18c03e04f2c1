/**
 * Which exchange ids exist, without importing ccxt: each ccxt exchange is one
 * file under ccxt's js/src folder.
 */
import {existsSync, readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

function ccxtSourceDir(): string {
  return fileURLToPath(new URL('./src/', import.meta.resolve('ccxt')));
}

export function isKnownExchange(id: string): boolean {
  if (id === 'sim') return true;
  if (!/^[a-z0-9]+$/.test(id)) return false;
  return existsSync(`${ccxtSourceDir()}${id}.js`);
}

/** Every ccxt exchange id (one class file each), sorted. */
export function ccxtExchangeIds(): string[] {
  return readdirSync(ccxtSourceDir())
    .filter((f) => /^[a-z0-9]+\.js$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Some known exchange ids close to `id`, for hints. */
export function suggestExchanges(id: string, limit = 5): string[] {
  let names: string[];
  try {
    names = ccxtExchangeIds();
  } catch {
    return [];
  }
  const prefix = id.slice(0, 3);
  return names.filter((n) => n.startsWith(prefix) || n.includes(id)).slice(0, limit);
}
