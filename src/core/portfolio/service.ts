/**
 * The effectful shell of the portfolio: asks every venue at once for its
 * balances (and positions) and for the quotes that price them, falls back to
 * the last journalled snapshot for a venue that fails, journals a snapshot of
 * each run, and hands everything to the pure aggregators.
 *
 * Invariants:
 * - Venues are asked in parallel; the wall time of a run is the slowest venue
 *   (bounded by `timeoutMs`), not the sum. Per venue, markets (cached by the
 *   adapter), balances, positions and quotes overlap, except on venues whose
 *   rate limiter serializes requests anyway (rateLimitMs >= SLOW_LIMITER_MS):
 *   there the public quotes go first, then balances. Quotes are asked for the
 *   spot markets between assets seen in earlier snapshots, bridge assets and
 *   the valuation quote; a second quotes request goes out only for assets
 *   never seen before.
 * - A venue failure never fails the run: the venue is shown failed (with its
 *   last snapshot and its age) and the totals are partial.
 * - Every run writes one snapshot (all assets of every venue asked, valued in
 *   the run's quote), whatever --asset filter the view applies.
 */
import {errorMessage, ExitCode, UnknownVenueError} from '../errors.js';
import {BalanceSnapshots, type VenueSnapshotInput} from '../journal/balance-snapshots.js';
import type {Db} from '../journal/db.js';
import {OrdersRepo} from '../journal/orders.js';
import {PriceSnapshotsRepo, type PriceSnapshot} from '../journal/price-snapshots.js';
import type {Balance, Clock, Market, Position, Quote} from '../types.js';
import type {Venue} from '../venues/port.js';
import {loadCostBases} from './basis.js';
import {assetHistory, totalHistory, type BalanceHistory} from './history.js';
import {aggregateBalances, type BalancesReport, type VenueBalancesInput} from './balances.js';
import {computePnl, type CostBasis, type PnlFill, type PnlReport, type RateAt} from './pnl.js';
import {aggregatePositions, type PositionsReport, type VenuePositionsInput} from './positions.js';
import {createPricer, type PriceMethod, type Pricer} from './pricing.js';

/** Assets through which other assets are priced (besides the valuation quote). */
export const BRIDGE_ASSETS: readonly string[] = ['USD', 'USDT', 'USDC', 'EUR', 'BTC', 'ETH'];

export const DEFAULT_PORTFOLIO_TIMEOUT_MS = 30_000;

/**
 * Venues whose rate limiter spaces requests this far apart (ccxt's kraken:
 * 1000 ms, and 3x that after a private call) are asked one request at a time.
 */
export const SLOW_LIMITER_MS = 500;

export interface PortfolioDeps {
  readonly venues: readonly Venue[];
  readonly clock: Clock;
  /** Reads last snapshots of failed venues and records each run; optional in tests. */
  readonly snapshots?: BalanceSnapshots;
  /** Upper bound per venue call, on top of the adapter's own timeout. */
  readonly timeoutMs?: number;
}

/** The journal's balance snapshots, for PortfolioDeps.snapshots. */
export function journalSnapshots(db: Db): BalanceSnapshots {
  return new BalanceSnapshots(db);
}

export interface ValuationOptions {
  readonly quote: string;
  readonly method?: PriceMethod;
  /** Quotes older than this are not used. */
  readonly maxAgeMs?: number;
}

interface VenueAnswer {
  readonly venue: Venue;
  readonly balances?: readonly Balance[];
  readonly balanceError?: string;
  readonly balancesAt: number;
  readonly positions?: readonly Position[];
  readonly positionsError?: string;
  readonly positionsSupported: boolean;
  readonly markets?: readonly Market[];
  readonly quotes: Quote[];
  readonly quotedSymbols: Set<string>;
  readonly quoteErrors: string[];
}

export interface Collected {
  readonly answers: readonly VenueAnswer[];
  readonly inputs: readonly VenueBalancesInput[];
  readonly positions: readonly VenuePositionsInput[];
  readonly quotes: readonly Quote[];
  /** Problems that did not fail a venue (quotes that could not be fetched). */
  readonly notes: readonly string[];
  readonly now: number;
}

/** Rejects after `ms` unless `promise` settles first; clears its timer either way. */
export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Spot markets whose base and quote are both in `assets`. */
export function pricingSymbols(markets: readonly Market[], assets: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of markets) {
    if (m.type !== 'spot' || !m.active) continue;
    if (assets.has(m.base) && assets.has(m.quote)) out.push(m.symbol);
  }
  return out;
}

async function fetchQuotesInto(answer: VenueAnswer, symbols: readonly string[], ms: number): Promise<void> {
  const wanted = symbols.filter((s) => !answer.quotedSymbols.has(s));
  if (wanted.length === 0) return;
  for (const s of wanted) answer.quotedSymbols.add(s);
  try {
    const quotes = await deadline(answer.venue.fetchQuotes(wanted), ms, `${answer.venue.info.id} quotes`);
    answer.quotes.push(...quotes);
  } catch (error) {
    answer.quoteErrors.push(`${answer.venue.info.id}: quotes for pricing failed (${errorMessage(error)})`);
  }
}

/**
 * Asks every venue for balances (and positions when asked) plus pricing
 * quotes, in parallel; fills failed venues from the journal's last snapshot.
 */
export async function collect(deps: PortfolioDeps, options: {quote: string; positions?: boolean; extraAssets?: readonly string[]}): Promise<Collected> {
  const ms = deps.timeoutMs ?? DEFAULT_PORTFOLIO_TIMEOUT_MS;
  const hint = new Set<string>([...BRIDGE_ASSETS, options.quote, ...(options.extraAssets ?? [])]);
  const lastGood = new Map<string, {ts: number; balances: readonly Balance[]}>();
  for (const venue of deps.venues) {
    const snap = deps.snapshots?.lastGood(venue.info.id);
    if (!snap) continue;
    lastGood.set(venue.info.id, snap);
    for (const b of snap.balances) hint.add(b.asset);
  }

  const answers = await Promise.all(
    deps.venues.map(async (venue): Promise<VenueAnswer> => {
      const id = venue.info.id;
      const supported = Boolean(options.positions && venue.info.capabilities.positions && venue.fetchPositions);
      const answer: {-readonly [K in keyof VenueAnswer]: VenueAnswer[K]} = {
        venue,
        balancesAt: deps.clock.now(),
        positionsSupported: supported,
        quotes: [],
        quotedSymbols: new Set(),
        quoteErrors: [],
      };
      const askBalances = () =>
        deadline(venue.fetchBalances(), ms, `${id} balances`).then(
          (list) => {
            answer.balances = list;
            answer.balancesAt = deps.clock.now();
          },
          (error) => {
            answer.balanceError = errorMessage(error);
          },
        );
      const askPositions = () =>
        supported
          ? deadline(venue.fetchPositions!(), ms, `${id} positions`).then(
              (list) => {
                answer.positions = list;
              },
              (error) => {
                answer.positionsError = errorMessage(error);
              },
            )
          : Promise.resolve();
      const askQuotes = () =>
        deadline(venue.loadMarkets(), ms, `${id} markets`).then(
          async (markets) => {
            answer.markets = markets;
            await fetchQuotesInto(answer, pricingSymbols(markets, hint), ms);
          },
          (error) => {
            answer.quoteErrors.push(`${id}: markets failed (${errorMessage(error)}); its quotes are not used for pricing`);
          },
        );
      if (venue.info.rateLimitMs >= SLOW_LIMITER_MS) {
        // The venue's limiter sends one request at a time: the cheap public
        // quotes request first, so it does not wait behind a costlier private call.
        await askQuotes();
        await askBalances();
        await askPositions();
        return answer;
      }
      const balances = askBalances();
      const positions = askPositions();
      const quotes = askQuotes();
      await Promise.all([balances, positions, quotes]);
      return answer;
    }),
  );

  // Assets nobody had seen before: one more round of quotes where markets list them.
  const held = new Set<string>();
  for (const a of answers) for (const b of a.balances ?? []) held.add(b.asset);
  const fresh = [...held].filter((asset) => !hint.has(asset));
  if (fresh.length > 0) {
    const all = new Set([...hint, ...fresh]);
    await Promise.all(answers.filter((a) => a.markets).map((a) => fetchQuotesInto(a, pricingSymbols(a.markets!, all), ms)));
  }

  const inputs: VenueBalancesInput[] = answers.map((a) => {
    const id = a.venue.info.id;
    if (a.balances) return {venue: id, status: 'ok', balances: a.balances, asOf: a.balancesAt, simulated: a.venue.info.simulated};
    const snap = lastGood.get(id);
    return {venue: id, status: 'failed', error: a.balanceError, balances: snap?.balances ?? [], asOf: snap?.ts, simulated: a.venue.info.simulated};
  });
  const positions: VenuePositionsInput[] = answers.map((a) => {
    const id = a.venue.info.id;
    if (!a.positionsSupported) return {venue: id, status: 'unsupported', positions: []};
    if (a.positions) return {venue: id, status: 'ok', positions: a.positions};
    return {venue: id, status: 'failed', positions: [], error: a.positionsError};
  });
  return {
    answers,
    inputs,
    positions,
    quotes: answers.flatMap((a) => a.quotes),
    notes: answers.flatMap((a) => a.quoteErrors),
    now: deps.clock.now(),
  };
}

export interface BalancesRequest extends ValuationOptions {
  readonly allocations?: Readonly<Record<string, number | undefined>>;
  readonly reserves?: Readonly<Record<string, string>>;
  readonly asset?: string;
  /** The venues asked are all the configured ones (for the history). */
  readonly allVenues: boolean;
}

export interface BalancesResult extends BalancesReport {
  /** Pricing problems that did not fail a venue. */
  readonly notes: readonly string[];
  /** The journalled snapshot run, when one was written. */
  readonly snapshotRunId: number | undefined;
  /** 4 when no venue answered (the view then comes from journalled snapshots), else 0. */
  readonly exitCode: ExitCode;
}

function record(deps: PortfolioDeps, full: BalancesReport, request: BalancesRequest): number | undefined {
  if (!deps.snapshots) return undefined;
  const venues: VenueSnapshotInput[] = full.venues.map((v) => ({
    venue: v.venue,
    ts: v.status === 'ok' ? v.asOf : undefined,
    status: v.status,
    error: v.error,
    value: v.status === 'failed' && v.asOf === undefined ? undefined : v.value,
    unpriced: v.unpriced.length,
    assets: v.status === 'ok' ? full.rows.filter((r) => r.venue === v.venue).map((r) => ({asset: r.asset, free: r.free, used: r.used, total: r.total, price: r.price, value: r.value})) : [],
  }));
  return deps.snapshots.record({ts: full.asOf, quote: full.quote, method: full.method, totalValue: full.total.value, partial: full.total.partial, allVenues: request.allVenues, venues});
}

function pricerFor(collected: Collected, options: ValuationOptions): Pricer {
  return createPricer(collected.quotes, {method: options.method, maxAgeMs: options.maxAgeMs, now: collected.now});
}

/** `xarb balances`: fetch, value, journal a snapshot, and return the (possibly asset-filtered) view. */
export async function loadBalances(deps: PortfolioDeps, request: BalancesRequest): Promise<BalancesResult> {
  const collected = await collect(deps, {quote: request.quote, extraAssets: request.asset ? [request.asset] : []});
  const pricer = pricerFor(collected, request);
  const base = {quote: request.quote, pricer, now: collected.now, allocations: request.allocations, reserves: request.reserves};
  const full = aggregateBalances(collected.inputs, base);
  const runId = record(deps, full, request);
  const view = request.asset === undefined ? full : aggregateBalances(collected.inputs, {...base, asset: request.asset});
  const exitCode = full.venues.every((v) => v.status === 'failed') ? ExitCode.venueFailed : ExitCode.ok;
  return {...view, notes: collected.notes, snapshotRunId: runId, exitCode};
}

export interface BalanceHistoryRequest {
  readonly quote: string;
  readonly since: number;
  /** Only these venues (a --venues filter); undefined: runs that asked every configured venue. */
  readonly venues?: readonly string[];
  readonly asset?: string;
}

/** `xarb balances --history`: how the total (or one asset) moved, from journalled snapshots; no venue is asked. */
export function loadBalanceHistory(db: Db, request: BalanceHistoryRequest): BalanceHistory {
  const snapshots = new BalanceSnapshots(db);
  const {quote, since, asset} = request;
  const runs = snapshots.history({since, quote});
  const options = {quote, since, venues: request.venues, asset};
  return asset ? assetHistory(snapshots.assetHistory({since, asset, quote}), runs, {...options, asset}) : totalHistory(runs, options);
}

export interface PositionsRequest extends ValuationOptions {
  readonly underlying?: string;
  readonly allVenues: boolean;
}

export interface PositionsResult extends PositionsReport {
  readonly notes: readonly string[];
  /** 4 when no venue's balances answered (spot exposure then comes from journalled snapshots), else 0. */
  readonly exitCode: ExitCode;
}

/** `xarb positions`: balances and derivative positions of every venue, netted per underlying. */
export async function loadPositions(deps: PortfolioDeps, request: PositionsRequest): Promise<PositionsResult> {
  const collected = await collect(deps, {quote: request.quote, positions: true, extraAssets: request.underlying ? [request.underlying] : []});
  const pricer = pricerFor(collected, request);
  const balances = aggregateBalances(collected.inputs, {quote: request.quote, pricer, now: collected.now});
  record(deps, balances, {...request});
  const report = aggregatePositions(balances, collected.positions, {quote: request.quote, pricer, now: collected.now, underlying: request.underlying});
  const exitCode = report.venues.every((v) => v.balances === 'failed') ? ExitCode.venueFailed : ExitCode.ok;
  return {...report, notes: collected.notes, exitCode};
}

export interface PnlRequest extends ValuationOptions {
  readonly since?: number;
  /** Cost bases of holdings older than the journal, by asset (`xarb pnl basis`). */
  readonly bases?: ReadonlyMap<string, CostBasis>;
}

/** Journalled quotes (price snapshots) between two times, for the rates of a fill's time. */
export type PriceHistory = (from: number, to: number) => readonly Quote[];

/** How far from a fill a journalled quote may be to give its rate. */
export const FILL_RATE_WINDOW_MS = 3_600_000;

/**
 * Rates at a fill's time from journalled quotes: the quotes within
 * FILL_RATE_WINDOW_MS of the fill, priced like current ones (median of the
 * shortest paths). Cached per hour of fills.
 */
export function historicalRates(history: PriceHistory, method: ValuationOptions['method']): RateAt {
  const cache = new Map<number, ReturnType<typeof createPricer>>();
  return (asset, quote, ts) => {
    const bucket = Math.floor(ts / FILL_RATE_WINDOW_MS);
    let pricer = cache.get(bucket);
    if (!pricer) {
      const mid = bucket * FILL_RATE_WINDOW_MS + FILL_RATE_WINDOW_MS / 2;
      const quotes = history(mid - 1.5 * FILL_RATE_WINDOW_MS, mid + 1.5 * FILL_RATE_WINDOW_MS).map((q) => ({...q, receivedAt: mid, timestamp: mid}));
      pricer = createPricer(quotes, {method, maxAgeMs: FILL_RATE_WINDOW_MS * 2, now: mid});
      cache.set(bucket, pricer);
    }
    const found = pricer.price(asset, quote);
    return found ? {price: found.price, label: `journalled ${found.label} near ${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`} : undefined;
  };
}

export interface PnlResult extends PnlReport {
  readonly notes: readonly string[];
  readonly priceVenues: readonly string[];
}

/**
 * `xarb pnl`: prices come from the venues' current quotes (marks for open
 * positions, fee and quote conversion); the fills are the journal's.
 */
export async function loadPnl(deps: Omit<PortfolioDeps, 'snapshots'> & {readonly priceHistory?: PriceHistory}, fills: readonly PnlFill[], request: PnlRequest): Promise<PnlResult> {
  const pricing = await pnlPricing(deps, fillAssets(fills), request);
  const report = computePnl(fills, {quote: request.quote, since: request.since, ...pricing.options, ...(request.bases ? {bases: request.bases} : {})});
  return {...report, notes: pricing.notes, priceVenues: pricing.priceVenues};
}

/** The assets of fills: bases, quotes and fee currencies (what PnL must price). */
export function fillAssets(fills: Iterable<Pick<PnlFill, 'symbol' | 'fee'>>): Set<string> {
  const assets = new Set<string>();
  for (const f of fills) {
    const [pair] = f.symbol.split(':');
    for (const part of (pair ?? '').split('/')) if (part) assets.add(part);
    if (f.fee) assets.add(f.fee.currency);
  }
  return assets;
}

/** Journalled quotes (price snapshots) as a PriceHistory for the rates of a fill's time. */
export function journalPriceHistory(repo: {between(from: number, to: number): readonly PriceSnapshot[]}): PriceHistory {
  return (from, to) => repo.between(from, to).map((s) => ({venue: s.venue, symbol: s.symbol, bid: s.bid, ask: s.ask, bidSize: s.bidSize, askSize: s.askSize, timestamp: s.quoteTs, receivedAt: s.quoteTs}));
}

/** How PnL converts fills into the valuation currency: current prices from the venues, rates of a fill's time from the journal. */
export interface PnlPricing {
  readonly options: {readonly pricer: Pricer; readonly rateAt?: RateAt};
  readonly notes: readonly string[];
  readonly priceVenues: readonly string[];
}

/**
 * The pricing of `xarb pnl` (and `xarb export pnl`, so both agree): current
 * quotes from the venues for the markets between `assets`, bridge assets and
 * the valuation quote (marks, and conversions with no journalled rate), and
 * journalled quotes around each fill's time. No venue is asked when there
 * are no assets.
 */
export async function pnlPricing(
  deps: Omit<PortfolioDeps, 'snapshots'> & {readonly priceHistory?: PriceHistory},
  fillAssetSet: ReadonlySet<string>,
  request: Pick<PnlRequest, 'quote' | 'method' | 'maxAgeMs'>,
): Promise<PnlPricing> {
  const ms = deps.timeoutMs ?? DEFAULT_PORTFOLIO_TIMEOUT_MS;
  const assets = new Set<string>([...BRIDGE_ASSETS, request.quote, ...fillAssetSet]);
  const notes: string[] = [];
  const quotes: Quote[] = [];
  const priceVenues: string[] = [];
  if (fillAssetSet.size > 0) {
    await Promise.all(
      deps.venues.map(async (venue) => {
        try {
          const markets = await deadline(venue.loadMarkets(), ms, `${venue.info.id} markets`);
          const symbols = pricingSymbols(markets, assets);
          if (symbols.length === 0) return;
          quotes.push(...(await deadline(venue.fetchQuotes(symbols), ms, `${venue.info.id} quotes`)));
          priceVenues.push(venue.info.id);
        } catch (error) {
          notes.push(`${venue.info.id}: no prices (${errorMessage(error)})`);
        }
      }),
    );
  }
  const pricer = createPricer(quotes, {method: request.method, maxAgeMs: request.maxAgeMs, now: deps.clock.now()});
  return {
    options: {pricer, ...(deps.priceHistory ? {rateAt: historicalRates(deps.priceHistory, request.method)} : {})},
    notes: notes.sort(),
    priceVenues: priceVenues.sort(),
  };
}

export interface JournalPnlDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** The configured venue names. */
  readonly venueNames: readonly string[];
  /** Opens venues by name (all configured when undefined). */
  readonly openVenues: (names: readonly string[] | undefined, options: {readonly paper?: boolean}) => Promise<Venue[]>;
  /** The sync step (core/reconcile/sync.ts): journals the fills of resting orders that traded since the last look. */
  readonly sync?: (venues: readonly Venue[]) => Promise<unknown>;
}

export interface JournalPnlRequest extends PnlRequest {
  /** Only fills on this venue (one no longer configured may still have fills). */
  readonly venue?: string;
  /** Only fills of this market. */
  readonly symbol?: string;
}

/**
 * `xarb pnl` over the journal: brings fills up to date with the venues, reads
 * them, converts each at rates from journalled price snapshots near its time
 * and applies the cost bases set with `xarb pnl basis`.
 */
export async function journalPnl(deps: JournalPnlDeps, request: JournalPnlRequest): Promise<PnlResult> {
  const known = request.venue !== undefined && deps.venueNames.includes(request.venue);
  await deps.sync?.(await deps.openVenues(known ? [request.venue!] : undefined, {}));
  const fills = new OrdersRepo(deps.db, deps.clock).fills({venue: request.venue, symbol: request.symbol, limit: Number.MAX_SAFE_INTEGER});
  // A venue no longer configured may still have fills; an unknown name with none is a typo.
  if (request.venue !== undefined && fills.length === 0 && !known) throw new UnknownVenueError(request.venue, [...deps.venueNames]);
  const venues = await deps.openVenues(undefined, {paper: false});
  const {venue: _venue, symbol: _symbol, ...pnlRequest} = request;
  return loadPnl(
    {venues, clock: deps.clock, priceHistory: journalPriceHistory(new PriceSnapshotsRepo(deps.db))},
    fills.map((f) => ({venue: f.venue, tradeId: f.tradeId, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts})),
    {...pnlRequest, bases: request.bases ?? loadCostBases(deps.db, deps.clock)},
  );
}

