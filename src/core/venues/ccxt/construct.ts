/**
 * Cheaper construction of ccxt exchange objects, same result.
 *
 * A ccxt constructor turns the exchange's API table (hundreds to thousands of
 * endpoints) into one method per endpoint, each under a camelCase and a
 * snake_case name (`publicGetApiV3Ticker`, `public_get_api_v3_ticker`). ccxt
 * builds both names per endpoint with a regular-expression split and four
 * array passes, which is about a quarter of a constructor's time: ~25 ms of
 * CPU for the seven certified venues on every command that asks them.
 *
 * `fastExchangeClass` returns a subclass whose `defineRestApi` builds the same
 * names in one pass over each path and the prefix parts once per API group,
 * and defines the same methods with the same arguments. Anything it does not
 * recognise (an API leaf that is neither a list, a method table, nor a nested
 * group) goes to ccxt's own implementation, which also raises ccxt's error
 * for a malformed table. The contract: for every ccxt exchange, the
 * subclass's instance has exactly the same own properties, and each endpoint
 * method calls the request method with the same arguments (test/unit/
 * ccxt-construct.test.ts checks both over all of ccxt).
 *
 * ccxt's constructor also gives every property name of the object and of its
 * whole prototype chain an alias (`this[unCamelCase(k)] = this[k]`), with three
 * regular expressions per name; the ~650 names of ccxt's base classes are
 * converted again for every exchange class, ~10 ms of CPU for the seven
 * certified venues. `constructExchange` builds the object with a stand-in
 * prototype that lets ccxt alias the object's own names as usual and, when
 * ccxt reaches the prototype chain, aliases the chain itself: the same
 * assignments in the same order, the conversions remembered per name for the
 * process (ccxt's `unCamelCase` is a pure function of the name). Then the
 * object gets its real prototype back and ccxt's constructor goes on.
 */
import type {Exchange} from 'ccxt';
import type {ExchangeClass} from './load.js';

type EndpointConfig = Record<string, unknown>;
type Request = (path: string, api: unknown, method: string, params: unknown, headers: undefined, body: undefined, config: EndpointConfig, context: unknown) => unknown;
type Host = Record<string, unknown>;

const METHOD = /^(?:get|post|put|delete|head|patch)$/i;

const capitalize = (s: string): string => (s.length > 0 ? s.charAt(0).toUpperCase() + s.slice(1) : s);

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The two name suffixes ccxt derives from an endpoint path: the path split on
 * every character that is not an ASCII letter or digit, pieces capitalized and
 * joined (camel), and lower-cased pieces joined by `_` without empty pieces (snake).
 */
export function pathSuffixes(path: string): {camel: string; snake: string} {
  let camel = '';
  let snake = '';
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && isAlnum(path.charCodeAt(i))) continue;
    if (i > start) {
      const piece = path.slice(start, i);
      camel += piece.charAt(0).toUpperCase() + piece.slice(1);
      snake += (snake.length > 0 ? '_' : '') + piece.toLowerCase();
    }
    start = i + 1;
  }
  return {camel: capitalize(camel), snake};
}

interface Group {
  readonly paths: readonly string[];
  readonly typeArgument: unknown;
  readonly camelPrefix: string;
  readonly snakePrefix: string;
}

function group(paths: readonly string[]): Group {
  const rest = paths.slice(1);
  return {
    paths,
    typeArgument: paths.length > 1 ? paths : paths[0],
    camelPrefix: [paths[0], ...rest.map(capitalize)].join(''),
    snakePrefix: [paths[0], ...rest.map((x) => x.trim()).filter((x) => x.length > 0)].join('_'),
  };
}

function defineEndpoint(host: Host, methodName: string, g: Group, httpMethod: string, rawPath: string, config: EndpointConfig): void {
  const path = rawPath.trim();
  const upper = httpMethod.toUpperCase();
  const lower = httpMethod.toLowerCase();
  const {camel, snake} = pathSuffixes(path);
  const typeArgument = g.typeArgument;
  const partial = async (params: unknown = {}, context: unknown = {}): Promise<unknown> =>
    (host[methodName] as Request).call(host, path, typeArgument, upper, params, undefined, undefined, config, context);
  host[g.camelPrefix + capitalize(lower) + camel] = partial;
  host[`${g.snakePrefix}_${lower}_${snake}`] = partial;
}

type Original = (this: unknown, api: unknown, methodName: string, paths?: string[]) => void;

function defineRestApi(host: Host, original: Original, api: Record<string, unknown>, methodName: string, paths: string[]): void {
  const g = paths.length > 0 ? group(paths) : undefined;
  for (const key of Object.keys(api)) {
    const value = api[key];
    const table = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (g && Array.isArray(value)) {
      for (const path of value as string[]) defineEndpoint(host, methodName, g, key, path, {});
    } else if (g && table && METHOD.test(key)) {
      const endpoints = value as Record<string, unknown>;
      const keys = Object.keys(endpoints);
      if (!keys.every((k) => typeof endpoints[k] === 'object' || typeof endpoints[k] === 'number')) {
        original.call(host, {[key]: value}, methodName, paths);
        continue;
      }
      for (const endpoint of keys) {
        const config = endpoints[endpoint];
        defineEndpoint(host, methodName, g, key, endpoint, typeof config === 'number' ? {cost: config} : (config as EndpointConfig));
      }
    } else if (table && !METHOD.test(key)) {
      defineRestApi(host, original, value as Record<string, unknown>, methodName, [...paths, key]);
    } else {
      original.call(host, {[key]: value}, methodName, paths);
    }
  }
}

// ccxt's unCamelCase, and what it returned per name (it may return a non-string: ccxt's exceptions
// table is a plain object, so `unCamelCase('constructor')` is `Object`; used as a key the same way).
let aliasOf: ((name: string) => unknown) | undefined;
const aliases = new Map<string, unknown>();

/** ccxt's `this[unCamelCase(k)] = this[k]` for every own name of `proto` and of its prototypes, in ccxt's order. */
function aliasPrototypeChain(host: Host, proto: object, unCamelCase: (name: string) => unknown): void {
  if (unCamelCase !== aliasOf) {
    aliases.clear();
    aliasOf = unCamelCase;
  }
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const names = Object.getOwnPropertyNames(p);
    for (let i = 0; i < names.length; i++) {
      const k = names[i]!;
      let alias = aliases.get(k);
      if (alias === undefined) {
        alias = unCamelCase(k);
        aliases.set(k, alias);
      }
      host[alias as string] = host[k];
    }
  }
}

/**
 * Makes V8 keep the object's properties in a hash table from the start. ccxt's
 * own assignments put its objects there early by themselves; properties that
 * the proxy's `set` creates count as defined ones instead, which V8 keeps in
 * its fast layout up to ~1000, copying the layout at every new name
 * (quadratic for ccxt's thousands of names). Deleting a property other than
 * the last one switches the layout; the object keeps its own properties and
 * their order (the two symbols are gone again).
 */
function dictionaryMode(host: Host): void {
  const first = Symbol('first');
  const second = Symbol('second');
  Object.defineProperty(host, first, {value: 0, configurable: true});
  Object.defineProperty(host, second, {value: 0, configurable: true});
  delete (host as Record<symbol, unknown>)[first];
  delete (host as Record<symbol, unknown>)[second];
}

const fast = new WeakMap<ExchangeClass, ExchangeClass>();

/** The subclass of `Exchange` that defines its endpoint methods the cheaper way (one per class, cached). */
export function fastExchangeClass(Exchange: ExchangeClass): ExchangeClass {
  let Fast = fast.get(Exchange);
  if (!Fast) {
    const original = (Exchange.prototype as unknown as {defineRestApi: Original}).defineRestApi;
    Fast = class extends Exchange {
      override defineRestApi(api: Record<string, unknown>, methodName: string, paths: string[] = []): void {
        defineRestApi(this as unknown as Host, original, api, methodName, paths);
      }
    } as unknown as ExchangeClass;
    fast.set(Exchange, Fast);
  }
  return Fast;
}

/**
 * `new (fastExchangeClass(Exchange))(config)`, with ccxt's aliasing of the
 * prototype chain done by `aliasPrototypeChain` (see the file header). Until
 * ccxt's constructor lists the names of the object's prototype, that
 * prototype is a proxy of the real one: it notes the object (ccxt's first
 * assignment), and when ccxt asks for its names, gives the object its real
 * prototype, aliases the chain and answers no names and no further
 * prototype. If ccxt no longer aliases that way (no `unCamelCase` on the
 * object, or no assignment first), the proxy answers as the real prototype
 * would and ccxt does its own walk.
 */
export function constructExchange(Exchange: ExchangeClass, config?: Record<string, unknown>): Exchange {
  const Fast = fastExchangeClass(Exchange);
  const proto = Fast.prototype as object;
  let host: Host | undefined;
  let walked = false;
  let done = false;
  const standIn = new Proxy(proto, {
    set(target, key, value, receiver: Host) {
      if (host === undefined) {
        host = receiver;
        dictionaryMode(host);
      }
      return Reflect.set(target, key, value, receiver);
    },
    ownKeys(target) {
      if (!done && host !== undefined) {
        done = true;
        Object.setPrototypeOf(host, proto);
        const unCamelCase = host.unCamelCase;
        if (typeof unCamelCase === 'function') {
          aliasPrototypeChain(host, proto, unCamelCase as (name: string) => unknown);
          walked = true;
          return [];
        }
      }
      return Reflect.ownKeys(target);
    },
    getPrototypeOf(target) {
      return walked ? null : Reflect.getPrototypeOf(target);
    },
  });
  const NewTarget = function () {} as unknown as new () => unknown;
  NewTarget.prototype = standIn;
  const ex = Reflect.construct(Fast, [config], NewTarget) as Exchange;
  if (Object.getPrototypeOf(ex) !== proto) Object.setPrototypeOf(ex, proto);
  return ex;
}
