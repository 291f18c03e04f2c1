/**
 * Symbols: the canonical form is ccxt's unified BASE/QUOTE (BTC/USD,
 * ETH/BTC; derivatives BTC/USDT:USDT). This module parses what users type
 * (BTC-USD, btcusdt, XBT/USD, BTC_USD, btc/usd) into that form, applies
 * asset aliases (XBT -> BTC), and knows quote groups (USD, USDT and USDC are
 * different assets unless the user opts in to a group, and every result made
 * that way is labelled).
 *
 * Venue-native ids (XXBTZUSD, BTCUSDT) are mapped by each venue adapter from
 * its own market metadata; `resolveSymbol` matches user input against a
 * venue's markets using both forms.
 */
import {UsageError} from '../errors.js';
import type {Market} from '../types.js';

/** Venue-specific spellings of assets mapped to the canonical code. */
export const ASSET_ALIASES: Readonly<Record<string, string>> = {
  XBT: 'BTC',
  XXBT: 'BTC',
  XETH: 'ETH',
  XXDG: 'DOGE',
  XDG: 'DOGE',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XETC: 'ETC',
};

/** Quotes tried, longest first, when splitting a separator-less id like btcusdt. */
const KNOWN_QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'DAI', 'USD', 'EUR', 'GBP', 'JPY', 'TRY', 'BRL', 'AUD', 'CAD', 'BTC', 'ETH', 'BNB', 'SOL', 'XBT'];

/** Well-known bases used only to break ties when splitting separator-less ids. */
const KNOWN_BASES = new Set(['BTC', 'ETH', 'SOL', 'XRP', 'LTC', 'DOGE', 'ADA', 'LINK', 'DOT', 'AVAX', 'BNB', 'TRX', 'MATIC', 'POL', 'XLM', 'ETC', 'BCH', 'ATOM', 'UNI', 'SHIB', 'USDT', 'USDC', 'DAI', 'EUR']);

export const QUOTE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  usd: ['USD', 'USDT', 'USDC'],
  eur: ['EUR', 'EURC', 'EURT'],
};

const ASSET = /^[A-Z0-9]{1,15}$/;

export function canonicalAsset(code: string): string {
  const upper = code.trim().toUpperCase();
  return ASSET_ALIASES[upper] ?? upper;
}

export interface ParsedSymbol {
  readonly base: string;
  readonly quote: string;
  readonly settle: string | undefined;
  /** Canonical form, e.g. BTC/USD or BTC/USDT:USDT. */
  readonly symbol: string;
}

function build(base: string, quote: string, settle?: string): ParsedSymbol {
  const b = canonicalAsset(base);
  const q = canonicalAsset(quote);
  const s = settle === undefined ? undefined : canonicalAsset(settle);
  for (const part of [b, q, ...(s ? [s] : [])]) {
    if (!ASSET.test(part)) throw new UsageError(`malformed symbol: asset ${JSON.stringify(part)} is not valid`, 'symbols look like BTC/USD, BTC-USD or btcusdt');
  }
  if (b === q) throw new UsageError(`malformed symbol: base and quote are both ${b}`, 'symbols look like BTC/USD');
  return {base: b, quote: q, settle: s, symbol: s ? `${b}/${q}:${s}` : `${b}/${q}`};
}

/**
 * Parses user input into a canonical symbol. Accepts BASE/QUOTE, BASE-QUOTE,
 * BASE_QUOTE, BASE:QUOTE-less derivatives (BTC/USDT:USDT) and separator-less
 * ids whose quote is a well-known asset (btcusdt). Throws UsageError (exit 2).
 */
export function parseSymbol(input: string): ParsedSymbol {
  const text = input.trim();
  if (text === '') throw new UsageError('malformed symbol: empty', 'symbols look like BTC/USD');
  const upper = text.toUpperCase();
  const derivative = /^([A-Z0-9]+)[/\-_]([A-Z0-9]+):([A-Z0-9]+)$/.exec(upper);
  if (derivative) return build(derivative[1]!, derivative[2]!, derivative[3]!);
  const separated = /^([A-Z0-9]*)[/\-_ ]([A-Z0-9]*)$/.exec(upper);
  if (separated) {
    if (!separated[1] || !separated[2]) throw new UsageError(`malformed symbol: ${JSON.stringify(input)}`, 'symbols look like BTC/USD, BTC-USD or btcusdt');
    return build(separated[1], separated[2]);
  }
  if (/^[A-Z0-9]+$/.test(upper)) {
    // Separator-less ids are ambiguous (XBTUSD could split as XB/TUSD): prefer
    // a split whose base is a well-known asset, then the longest known quote.
    const splits = KNOWN_QUOTES.filter((q) => upper.length > q.length + 1 && upper.endsWith(q)).map((q) => ({base: upper.slice(0, -q.length), quote: q}));
    const known = splits.find((s) => KNOWN_BASES.has(canonicalAsset(s.base)));
    const pick = known ?? splits[0];
    if (pick) return build(pick.base, pick.quote);
  }
  throw new UsageError(`malformed symbol: ${JSON.stringify(input)}`, 'symbols look like BTC/USD, BTC-USD or btcusdt');
}

/** Base asset of a canonical symbol: BTC for BTC/USD and BTC/USDT:USDT. */
export function baseOf(symbol: string): string {
  return symbol.slice(0, symbol.indexOf('/'));
}

/** Quote asset of a canonical symbol: USD for BTC/USD, USDT for BTC/USDT:USDT. */
export function quoteOf(symbol: string): string {
  const rest = symbol.slice(symbol.indexOf('/') + 1);
  const colon = rest.indexOf(':');
  return colon < 0 ? rest : rest.slice(0, colon);
}

/** Canonical symbol string for user input. */
export function normalizeSymbol(input: string): string {
  return parseSymbol(input).symbol;
}

/** The quote group an asset belongs to, if any. */
export function quoteGroupOf(asset: string): string | undefined {
  for (const [group, members] of Object.entries(QUOTE_GROUPS)) if (members.includes(asset)) return group;
  return undefined;
}

export function checkQuoteGroup(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const key = name.toLowerCase();
  if (!(key in QUOTE_GROUPS)) throw new UsageError(`unknown quote group ${name}`, `known groups: ${Object.keys(QUOTE_GROUPS).join(', ')}`);
  return key;
}

/**
 * The markets of one venue that answer a requested canonical symbol. Without
 * a quote group only the exact symbol matches; with one, the same base in any
 * quote of the group matches (e.g. BTC/USD asked, BTC/USDT found), and the
 * caller labels the result.
 */
export function matchMarkets(markets: readonly Market[], wanted: ParsedSymbol, quoteGroup?: string): Market[] {
  const exact = markets.filter((m) => m.symbol === wanted.symbol);
  if (exact.length > 0 || quoteGroup === undefined) return exact;
  const members = QUOTE_GROUPS[quoteGroup] ?? [];
  if (!members.includes(wanted.quote) || wanted.settle !== undefined) return [];
  const substitutes = markets.filter((m) => m.base === wanted.base && m.type === 'spot' && members.includes(m.quote));
  // Prefer the quote the user named, then the group's order.
  return substitutes.sort((a, b) => members.indexOf(a.quote) - members.indexOf(b.quote)).slice(0, 1);
}

/** Finds a market by canonical symbol or by the venue's native id (case-insensitive). */
export function findMarket(markets: readonly Market[], input: string): Market | undefined {
  const byId = markets.find((m) => m.id.toLowerCase() === input.trim().toLowerCase());
  if (byId) return byId;
  let parsed: ParsedSymbol;
  try {
    parsed = parseSymbol(input);
  } catch {
    return undefined;
  }
  return markets.find((m) => m.symbol === parsed.symbol);
}
