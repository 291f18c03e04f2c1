/**
 * apiBaseUrl / wsBaseUrl: replace the scheme and host of every URL string in
 * a ccxt exchange's `urls.api` tree, keeping paths. http(s) strings take the
 * REST base, ws(s) strings the websocket base; a base that carries a path
 * (https://gw.example/binance) is put in front of the original path. Strings
 * with ccxt host templates (https://api.{hostname}) are rewritten too.
 *
 * The rewrite returns the pairs (new, original) so an exchange whose error
 * table is chosen by URL (binance) can be handed the original URL back.
 */

const ORIGIN = /^(https?|wss?):\/\/[^/?#]+/i;

export interface UrlBases {
  /** Replaces http:// and https:// origins. */
  readonly http?: string;
  /** Replaces ws:// and wss:// origins. */
  readonly ws?: string;
}

export interface RewriteResult<T> {
  readonly value: T;
  /** [rewritten, original] for every string that changed. */
  readonly pairs: readonly (readonly [string, string])[];
}

function stripSlash(base: string): string {
  return base.replace(/\/+$/, '');
}

/** Rewrites one URL string; undefined when no base applies. */
export function rewriteUrl(url: string, bases: UrlBases): string | undefined {
  const match = ORIGIN.exec(url);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const base = scheme === 'http' || scheme === 'https' ? bases.http : bases.ws;
  if (base === undefined) return undefined;
  return stripSlash(base) + url.slice(match[0].length);
}

/** Rewrites every URL string in a nested structure (objects, arrays, strings), returning a copy. */
export function rewriteUrlTree<T>(tree: T, bases: UrlBases): RewriteResult<T> {
  const pairs: [string, string][] = [];
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const next = rewriteUrl(node, bases);
      if (next === undefined) return node;
      pairs.push([next, node]);
      return next;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value);
      return out;
    }
    return node;
  };
  return {value: walk(tree) as T, pairs};
}

/**
 * Maps a request URL built from rewritten bases back to the original one:
 * the longest rewritten base that prefixes the URL wins. Unmatched URLs are
 * returned unchanged.
 */
export function originalUrl(url: string, pairs: readonly (readonly [string, string])[]): string {
  let best: readonly [string, string] | undefined;
  for (const pair of pairs) {
    if (url.startsWith(pair[0]) && (best === undefined || pair[0].length > best[0].length)) best = pair;
  }
  return best ? best[1] + url.slice(best[0].length) : url;
}
