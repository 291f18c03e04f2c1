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
import {CAPABILITY_HEAD, capabilityRow, type CapabilitiesReport, type Capability, type CapabilityMatrix} from '../capabilities.js';
import type {ClientIdLookup, MatrixHints, QuoteCall} from './dialects.js';
import {UnknownExchangeError, ccxtVersion} from './load.js';

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
    ...(c.keylessQuote === undefined ? {} : {keylessQuote: c.keylessQuote as QuoteCall}),
    marketBuyCost: c.marketBuyCost,
  };
}

/** The docs/venues.md section generated from a matrix. */
export function matrixMarkdown(matrix: CapabilityMatrix): string {
  const all = Object.values(matrix.exchanges);
  const count = (p: (c: Capability) => boolean) => all.filter(p).length;
  const lines = [
    `Computed for ccxt ${matrix.ccxtVersion} over ${all.length} exchanges by \`npm run capabilities\`; do not edit by hand.`,
    '',
    `- our client id reaches the order request: ${count((c) => c.clientIdSent)}; round-trips (sent and found again): ${count((c) => c.clientIdRoundTrip)}. Live orders are refused on the other ${count((c) => !c.clientIdRoundTrip)} unless the venue sets \`allowLiveWithoutIdempotency\`.`,
    `- best bid/ask without keys: ${count((c) => c.keylessQuote !== undefined)} (fetchBidsAsks ${count((c) => c.keylessQuote === 'fetchBidsAsks')}, fetchTickers ${count((c) => c.keylessQuote === 'fetchTickers')}, fetchTicker ${count((c) => c.keylessQuote === 'fetchTicker')}).`,
    `- ccxt declares (has flags, features): fetchOrder by client id ${count((c) => c.declared.fetchOrderByClientId)}, market buys by cost ${count((c) => c.declared.marketBuyByCost)} (requiring a price ${count((c) => c.declared.marketBuyRequiresPrice)}); \`xarb exchanges capabilities ID\` shows where that disagrees with the requests ccxt builds.`,
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

export type {Capability, CapabilityMatrix};
