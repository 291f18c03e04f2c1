/**
 * The capability matrix as the rest of xarb sees it: what xarb can do on
 * every ccxt exchange (our client id sent and found again, the keyless quote
 * call, market buys by quote amount, funding calls), computed offline from
 * ccxt's own request building and committed with the adapter
 * (venues/ccxt/capabilities.json, `npm run capabilities`). Loading it never
 * loads ccxt.
 */

/** How an order is found by our client id: natively (fetchOrder), by searching order lists, or not at all. */
export type ClientIdLookupKind = 'fetchOrder' | 'search' | 'none';

/** A ccxt call that carries best bid/ask. */
export type QuoteCallName = 'fetchBidsAsks' | 'fetchTickers' | 'fetchTicker' | 'fetchOrderBook';

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
  readonly clientIdLookup: ClientIdLookupKind;
  /** Does ccxt's parsed order carry the venue's client id back? */
  readonly clientIdEchoed: boolean;
  /** Our id reaches the venue and an order can be found by it: live orders are idempotent. */
  readonly clientIdRoundTrip: boolean;
  /** Which quote call gives best bid/ask without keys (absent: none). */
  readonly keylessQuote?: QuoteCallName;
  readonly quoteCalls: Readonly<Record<'fetchBidsAsks' | 'fetchTickers' | 'fetchTicker', QuoteAccess>>;
  /** A market buy must be sent as a quote amount (cost). */
  readonly marketBuyCost: boolean;
  readonly balances: boolean;
  readonly myTrades: boolean;
  readonly withdraw: boolean;
  readonly depositWithdrawFees: boolean;
  /** ccxt has a websocket (pro) class for it. */
  readonly websocket: boolean;
  /** What ccxt's class declares (its `has` flags and spot `features`), read without calling it, next to what the probe found. */
  readonly declared: DeclaredCapabilities;
  /** Why a probe step could not conclude (first problem only). */
  readonly note?: string;
}

/**
 * Facts ccxt's class states about itself (they may disagree with what its
 * request building does). ccxt has no flag for "createOrder sends a client
 * id": only the probe's request tells.
 */
export interface DeclaredCapabilities {
  /** `has.createOrder`: it can place orders at all. */
  readonly createOrder: boolean;
  /** `has.fetchOrderWithClientOrderId`: fetchOrder accepts our client id. */
  readonly fetchOrderByClientId: boolean;
  /** `has.createMarketBuyOrderWithCost` or `features.spot.createOrder.marketBuyByCost`: a market buy can be sized by cost. */
  readonly marketBuyByCost: boolean;
  /** `features.spot.createOrder.marketBuyRequiresPrice`: a market buy needs a price (or a cost). */
  readonly marketBuyRequiresPrice: boolean;
}

export interface CapabilityMatrix {
  readonly ccxtVersion: string;
  readonly exchanges: Readonly<Record<string, Capability>>;
}

export interface CapabilitiesReport {
  /** The ccxt version the matrix was computed for. */
  readonly ccxtVersion: string;
  /** The ccxt version installed now (when it differs, rerun `npm run capabilities`). */
  readonly installedCcxt: string;
  readonly exchanges: readonly Capability[];
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

/** What ccxt declares, as rows [what, value] for the one-exchange view. */
export function declaredRows(c: Capability): string[][] {
  const d = c.declared;
  return [
    ['ccxt: createOrder', yes(d.createOrder)],
    ['ccxt: fetchOrder by client id', yes(d.fetchOrderByClientId)],
    ['ccxt: market buy by cost', yes(d.marketBuyByCost)],
    ['ccxt: market buy requires a price', yes(d.marketBuyRequiresPrice)],
  ];
}

/** Where ccxt's declarations and the probe disagree (the probe is what xarb acts on). */
export function declaredDisagreements(c: Capability): string[] {
  const d = c.declared;
  const out: string[] = [];
  if (d.fetchOrderByClientId && c.clientIdLookup !== 'fetchOrder' && !c.certified) out.push('ccxt declares fetchOrder by client id, but its fetchOrder request does not carry ours');
  if (d.marketBuyRequiresPrice && !c.marketBuyCost) out.push('ccxt declares that a market buy needs a price, but it built one without');
  if (!d.marketBuyRequiresPrice && c.marketBuyCost) out.push('a market buy was refused without a price although ccxt does not declare it');
  if (c.marketBuyCost && !d.marketBuyByCost) out.push('a market buy needs a quote amount although ccxt does not declare market buys by cost');
  return out;
}

/** The committed matrix, whole or for one exchange id (UnknownExchangeError, exit 2, when it lists no such id). */
export async function exchangeCapabilities(id?: string): Promise<CapabilitiesReport> {
  const {capabilitiesReport} = await import('./ccxt/capabilities.js');
  return capabilitiesReport(id);
}
