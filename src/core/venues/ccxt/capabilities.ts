/**
 * The capability matrix: what xarb can do on every ccxt exchange, computed
 * offline by probe.ts from ccxt's own request building (run
 * `npm run capabilities` after upgrading ccxt) and committed as
 * capabilities.json next to this file, with the ccxt version it was computed
 * for. Reading it never loads ccxt.
 *
 * It feeds the dialects of uncertified exchanges (dialects.ts), the live-order
 * refusal where our client id cannot round-trip, `xarb exchanges
 * capabilities` and the summary in docs/venues.md.
 */
import matrixData from './capabilities.json' with {type: 'json'};
import type {ClientIdLookup, MatrixHints, QuoteCall} from './dialects.js';
import {UnknownExchangeError, ccxtVersion} from './load.js';

export type QuoteAccess = 'public' | 'private' | 'absent';

/** What the matrix says about one exchange. */
export interface Capability {
  readonly id: string;
  readonly certified: boolean;
  /** Does our client id reach the createOrder request? */
  readonly clientIdSent: boolean;
  /** The request field carrying it, `(path)` when in the URL path. */
  readonly clientIdField?: string;
  /** What the venue field carries in front of our id (gate: `t-`). */
  readonly clientIdPrefix?: string;
  /** How an order is found by our id: natively (fetchOrder), by searching order lists, or not at all. */
  readonly clientIdLookup: ClientIdLookup['kind'];
  /** Does ccxt's parsed order carry the venue's client id back? */
  readonly clientIdEchoed: boolean;
  /** Our id reaches the venue and an order can be found by it: live orders are idempotent. */
  readonly clientIdRoundTrip: boolean;
  /** Which quote call gives best bid/ask without keys (absent: none). */
  readonly keylessQuote?: QuoteCall;
  readonly quoteCalls: Readonly<Record<QuoteCall, QuoteAccess>>;
  /** A market buy must be sent as a quote amount (cost). */
  readonly marketBuyCost: boolean;
  readonly balances: boolean;
  readonly myTrades: boolean;
  readonly withdraw: boolean;
  readonly depositWithdrawFees: boolean;
  /** ccxt has a websocket (pro) class for it. */
  readonly websocket: boolean;
  /** Why a probe step could not conclude (first problem only). */
  readonly note?: string;
}

export interface CapabilityMatrix {
  readonly ccxtVersion: string;
  readonly exchanges: Readonly<Record<string, Capability>>;
}

export function committedMatrix(): CapabilityMatrix {
  return matrixData as unknown as CapabilityMatrix;
}

export function capabilityOf(exchange: string): Capability | undefined {
  const exchanges = committedMatrix().exchanges;
  return Object.hasOwn(exchanges, exchange) ? exchanges[exchange] : undefined;
}

/** The parts of a matrix entry that shape an uncertified exchange's dialect. */
export function matrixHints(exchange: string): MatrixHints | undefined {
  const c = capabilityOf(exchange);
  if (!c) return undefined;
  const lookup: ClientIdLookup = c.clientIdLookup === 'fetchOrder' ? {kind: 'fetchOrder', param: 'clientOrderId'} : {kind: c.clientIdLookup};
  const gap = c.clientIdRoundTrip
    ? undefined
    : !c.clientIdSent
      ? c.note === undefined
        ? `ccxt does not send our client id to ${exchange}`
        : `it is unknown whether ccxt sends our client id to ${exchange} (its order request could not be built offline; see \`xarb exchanges capabilities ${exchange}\`)`
      : c.clientIdLookup === 'none'
        ? `${exchange} cannot find an order by our client id`
        : `${exchange} does not return our client id with its orders`;
  return {
    clientIdRoundTrip: c.clientIdRoundTrip,
    ...(gap === undefined ? {} : {roundTripGap: gap}),
    clientIdLookup: lookup,
    ...(c.keylessQuote === undefined ? {} : {keylessQuote: c.keylessQuote}),
    marketBuyCost: c.marketBuyCost,
  };
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** One row per exchange for tables: the same cells for the CLI and the docs. */
export function capabilityRow(c: Capability): string[] {
  const field = c.clientIdSent ? `${c.clientIdField ?? '?'}${c.clientIdPrefix ? ` (${c.clientIdPrefix}…)` : ''}` : 'not sent';
  return [
    c.id,
    c.certified ? 'certified' : '',
    field,
    c.clientIdLookup,
    c.clientIdRoundTrip ? 'yes' : 'NO',
    c.keylessQuote ?? 'none',
    c.marketBuyCost ? 'cost' : 'amount',
    yes(c.balances),
    yes(c.myTrades),
    yes(c.withdraw),
    yes(c.depositWithdrawFees),
    yes(c.websocket),
  ];
}

export const CAPABILITY_HEAD = ['exchange', 'status', 'client id field', 'lookup', 'round-trip', 'keyless quote', 'market buy', 'balances', 'my trades', 'withdraw', 'fees', 'websocket'];

/** The docs/venues.md section generated from a matrix. */
export function matrixMarkdown(matrix: CapabilityMatrix): string {
  const all = Object.values(matrix.exchanges);
  const count = (p: (c: Capability) => boolean) => all.filter(p).length;
  const lines = [
    `Computed for ccxt ${matrix.ccxtVersion} over ${all.length} exchanges by \`npm run capabilities\`; do not edit by hand.`,
    '',
    `- our client id reaches the order request: ${count((c) => c.clientIdSent)}; round-trips (sent and found again): ${count((c) => c.clientIdRoundTrip)}. Live orders are refused on the other ${count((c) => !c.clientIdRoundTrip)} unless the venue sets \`allowLiveWithoutIdempotency\`.`,
    `- best bid/ask without keys: ${count((c) => c.keylessQuote !== undefined)} (fetchBidsAsks ${count((c) => c.keylessQuote === 'fetchBidsAsks')}, fetchTickers ${count((c) => c.keylessQuote === 'fetchTickers')}, fetchTicker ${count((c) => c.keylessQuote === 'fetchTicker')}).`,
    `- market buys sent as a quote amount: ${count((c) => c.marketBuyCost)}; balances ${count((c) => c.balances)}, my trades ${count((c) => c.myTrades)}, withdrawals ${count((c) => c.withdraw)}, deposit/withdraw fees ${count((c) => c.depositWithdrawFees)}, websockets ${count((c) => c.websocket)}.`,
    '',
    `| ${CAPABILITY_HEAD.join(' | ')} |`,
    `|${CAPABILITY_HEAD.map(() => '---').join('|')}|`,
    ...all.map((c) => `| ${capabilityRow(c).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export const DOC_START = '<!-- capabilities:start -->';
export const DOC_END = '<!-- capabilities:end -->';

/** Replaces the generated section of a markdown document (between the markers). */
export function replaceDocSection(doc: string, section: string): string {
  const start = doc.indexOf(DOC_START);
  const end = doc.indexOf(DOC_END);
  if (start < 0 || end < start) throw new Error(`the document has no ${DOC_START} ... ${DOC_END} section`);
  return `${doc.slice(0, start + DOC_START.length)}\n${section}\n${doc.slice(end)}`;
}

export interface CapabilitiesReport {
  /** The ccxt version the matrix was computed for. */
  readonly ccxtVersion: string;
  /** The ccxt version installed now (when it differs, rerun `npm run capabilities`). */
  readonly installedCcxt: string;
  readonly exchanges: readonly Capability[];
}

/** The committed matrix, whole or for one exchange id (UnknownExchangeError, exit 2, when it lists no such id). */
export function capabilitiesReport(id?: string): CapabilitiesReport {
  const matrix = committedMatrix();
  let exchanges = Object.values(matrix.exchanges);
  if (id !== undefined) {
    const one = capabilityOf(id.toLowerCase());
    if (!one) throw new UnknownExchangeError(id);
    exchanges = [one];
  }
  return {ccxtVersion: matrix.ccxtVersion, installedCcxt: ccxtVersion(), exchanges};
}
