/**
 * Native symbol dialects of the simulated venues. Each venue speaks one, so
 * every layer above the venue port is exercised with ids that are not the
 * canonical form:
 *
 * - `dash`:   market BTC-USD,  currencies BTC, USD
 * - `lower`:  market btcusdt,  currencies btc, usdt (no separator)
 * - `kraken`: market XXBTZUSD, XETHXXBT, SOLUSD, XBTUSDT; currencies XXBT,
 *             XETH, XXRP, XLTC, XXDG, ZUSD (legacy X/Z codes), others plain;
 *             XBT/XDG are the short aliases of BTC/DOGE
 * - `slash`:  market BTC/USD,  currencies BTC, USD (already canonical)
 *
 * Invariant: for every asset code c and pair (b, q) the venue lists,
 * currencyCode(d, currencyId(d, c)) === c and
 * parseMarketId(d, marketId(d, b, q), codes) returns {base: b, quote: q}.
 */

import {SIM_DIALECTS} from '../../config/schema.js';

export {SIM_DIALECTS};
export type SimDialect = (typeof SIM_DIALECTS)[number];

export function isSimDialect(value: unknown): value is SimDialect {
  return typeof value === 'string' && (SIM_DIALECTS as readonly string[]).includes(value);
}

/** Kraken's short codes for assets that differ from the canonical one. */
const KRAKEN_ALT: Readonly<Record<string, string>> = {BTC: 'XBT', DOGE: 'XDG'};
/** Kraken's legacy four-letter ids (X for crypto, Z for fiat), keyed by short code. */
const KRAKEN_LEGACY: Readonly<Record<string, string>> = {XBT: 'XXBT', ETH: 'XETH', XRP: 'XXRP', LTC: 'XLTC', XDG: 'XXDG', USD: 'ZUSD'};
const KRAKEN_FROM_ALT: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(KRAKEN_ALT).map(([code, alt]) => [alt, code]));
const KRAKEN_FROM_LEGACY: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(KRAKEN_LEGACY).map(([alt, id]) => [id, alt]));

function krakenAlt(code: string): string {
  return KRAKEN_ALT[code] ?? code;
}

/** The venue's own id for a canonical asset code (XXBT, btc, BTC). */
export function currencyId(dialect: SimDialect, code: string): string {
  switch (dialect) {
    case 'lower':
      return code.toLowerCase();
    case 'kraken': {
      const alt = krakenAlt(code);
      return KRAKEN_LEGACY[alt] ?? alt;
    }
    default:
      return code;
  }
}

/** The canonical asset code for one of the venue's currency ids (also accepts kraken's short codes). */
export function currencyCode(dialect: SimDialect, id: string): string {
  switch (dialect) {
    case 'lower':
      return id.toUpperCase();
    case 'kraken': {
      const alt = KRAKEN_FROM_LEGACY[id] ?? id;
      return KRAKEN_FROM_ALT[alt] ?? alt;
    }
    default:
      return id;
  }
}

/** The venue's market id for a canonical pair. */
export function marketId(dialect: SimDialect, base: string, quote: string): string {
  switch (dialect) {
    case 'dash':
      return `${base}-${quote}`;
    case 'slash':
      return `${base}/${quote}`;
    case 'lower':
      return `${base}${quote}`.toLowerCase();
    case 'kraken': {
      const b = krakenAlt(base);
      const q = krakenAlt(quote);
      const lb = KRAKEN_LEGACY[b];
      const lq = KRAKEN_LEGACY[q];
      return lb !== undefined && lq !== undefined ? lb + lq : b + q;
    }
  }
}

/**
 * Splits a native market id into canonical base and quote, using the set of
 * canonical asset codes the venue knows (ids without a separator are
 * ambiguous without it). Undefined when the id is not one of this dialect's.
 */
export function parseMarketId(dialect: SimDialect, id: string, codes: Iterable<string>): {base: string; quote: string} | undefined {
  const known = new Set(codes);
  const accept = (base: string, quote: string) => (known.has(base) && known.has(quote) && base !== quote ? {base, quote} : undefined);
  switch (dialect) {
    case 'dash':
    case 'slash': {
      const parts = id.split(dialect === 'dash' ? '-' : '/');
      return parts.length === 2 ? accept(parts[0]!, parts[1]!) : undefined;
    }
    case 'lower': {
      if (id !== id.toLowerCase()) return undefined;
      for (let i = 1; i < id.length; i++) {
        const found = accept(id.slice(0, i).toUpperCase(), id.slice(i).toUpperCase());
        if (found) return found;
      }
      return undefined;
    }
    case 'kraken': {
      for (let i = 1; i < id.length; i++) {
        const base = currencyCode('kraken', id.slice(0, i));
        const quote = currencyCode('kraken', id.slice(i));
        const found = accept(base, quote);
        // Only the spelling marketId itself produces counts (rejects XXBTUSD-like mixes).
        if (found && marketId('kraken', found.base, found.quote) === id) return found;
      }
      return undefined;
    }
  }
}
