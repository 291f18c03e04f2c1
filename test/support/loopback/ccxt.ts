/**
 * Test glue: loads one unmodified ccxt class by file URL (cheaper than the
 * whole package) and points it at a loopback venue by rewriting the scheme
 * and host of its `urls.api`. Only tests use this; the product's own ccxt
 * adapter lives in src/core/venues/ccxt/.
 */
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {rewriteUrls, type LoopbackHandle} from './index.js';

const require = createRequire(import.meta.url);
const ccxtRoot = join(dirname(require.resolve('ccxt')), '..');

export type CcxtExchange = any;
type CcxtClass = new (config?: Record<string, unknown>) => CcxtExchange;

const classes = new Map<string, Promise<CcxtClass>>();

export function ccxtClass(id: string, pro = false): Promise<CcxtClass> {
  const key = `${pro ? 'pro/' : ''}${id}`;
  let found = classes.get(key);
  if (!found) {
    const file = join(ccxtRoot, 'js', 'src', ...(pro ? ['pro'] : []), `${id}.js`);
    found = import(pathToFileURL(file).href).then((mod: {default: CcxtClass}) => mod.default);
    classes.set(key, found);
  }
  return found;
}

/** Options that keep ccxt to what a spot-only loopback serves (and skip its throttle, for speed). */
export const LOOPBACK_CCXT_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  binance: {fetchMarkets: {types: ['spot']}, fetchMargins: false},
  okx: {fetchMarkets: {types: ['spot']}},
  kraken: {},
  coinbase: {},
  bybit: {fetchMarkets: {types: ['spot']}},
  // bitget: no swap listings, no unified-account probe; gate: the same for its unified account.
  bitget: {fetchMarkets: {types: ['spot']}, uta: false},
  gate: {fetchMarkets: {types: ['spot']}, unifiedAccount: false},
};

export interface ConnectOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  readonly password?: string;
  readonly timeout?: number;
  readonly pro?: boolean;
  readonly options?: Record<string, unknown>;
  /** ccxt class id when it differs from the venue name. */
  readonly exchange?: string;
}

/** A ccxt exchange of the venue's dialect pointed at the loopback venue. */
export async function connect(loop: LoopbackHandle, venue: string, config: ConnectOptions = {}): Promise<CcxtExchange> {
  const id = config.exchange ?? venue;
  const Cls = await ccxtClass(id, config.pro ?? false);
  const exchange = new Cls({
    enableRateLimit: false,
    timeout: config.timeout ?? 5_000,
    ...(config.apiKey !== undefined ? {apiKey: config.apiKey} : {}),
    ...(config.secret !== undefined ? {secret: config.secret} : {}),
    ...(config.password !== undefined ? {password: config.password} : {}),
    options: {...LOOPBACK_CCXT_OPTIONS[id], ...config.options},
  });
  exchange.urls.api = rewriteUrls(exchange.urls.api, loop.baseUrl(venue));
  if (config.pro) await exchange.loadHttpProxyAgent();
  return exchange;
}

type ErrorClass = new (...args: any[]) => Error;
let errors: Promise<Record<string, ErrorClass>> | undefined;

/** ccxt's error classes (AuthenticationError, InsufficientFunds, NetworkError, ...) without importing all of ccxt. */
export function ccxtErrors(): Promise<Record<string, ErrorClass>> {
  errors ??= import(pathToFileURL(join(ccxtRoot, 'js', 'src', 'base', 'errors.js')).href) as Promise<Record<string, ErrorClass>>;
  return errors;
}
