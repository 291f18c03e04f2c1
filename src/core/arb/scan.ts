/**
 * The effectful shell of the scanners: talks to venues, hands plain data to
 * the pure screens and walks (cross.ts, triangular.ts), and records what it
 * found. It never prints.
 *
 * Calls per scan (cross-venue): loadMarkets (cached by the adapter), one
 * fetchQuotes per venue for the symbols listed on two or more venues,
 * fetchCurrencies where the venue has it (names for asset identity,
 * withdrawal fees for transfer cost), fetchBalances where balances are known
 * (keys, or a paper venue with balances), then one fetchOrderBook per
 * (venue, symbol) of the candidates only. Triangular: one fetchQuotes per
 * venue for all its markets, then books for the candidate cycles' legs.
 *
 * A venue that fails is listed in `failures` and left out; the scan goes on
 * with the others. Markets and currencies are loaded once per ArbScanner, so
 * the watch loop refreshes only quotes, balances and books.
 */
import type {Clock, Currency, Market, OrderBook, Quote} from '../types.js';
import type {Venue} from '../venues/port.js';
import {
  bookKey,
  commonSymbols,
  evaluateCrossCandidates,
  groupKey,
  screenCross,
  wantedKeys,
  type CrossCandidate,
  type VenueSnapshot,
} from './cross.js';
import type {FeeOverrides} from './fees.js';
import {currencyIndex} from './identity.js';
import {evaluateTriangularCandidates, screenTriangular, type TriCandidate} from './triangular.js';
import type {Opportunity, Skip, StaleItem, VenueFailure} from './types.js';
import {makeValuer} from './valuation.js';

export interface ArbScanOptions {
  /** Canonical symbols; all common symbols when empty. Ignored by --triangular. */
  readonly symbols?: readonly string[];
  readonly quoteGroup?: string;
  readonly triangular?: boolean;
  /** Minimum net edge in bps (default 0: any net-positive edge). */
  readonly minBps?: number;
  /** Minimum net profit in the valuation currency (default 0). */
  readonly minProfit?: number;
  /** Base units per cross-venue trade. */
  readonly maxSize?: number;
  /** Buy notional (cross) or starting amount (triangular) cap, in the valuation currency. */
  readonly maxNotional?: number;
  /** Quotes and books older than this are stale (default 10 s). */
  readonly maxAgeMs?: number;
  /** Books of one venue further apart than this are not combined (default 3 s). */
  readonly maxSkewMs?: number;
  /** Book depth fetched for candidates (default 50). */
  readonly depth?: number;
  /** Symbols (cross) or cycles (triangular) taken to the depth stage (default 40). */
  readonly maxCandidates?: number;
  /** Venue pairs per symbol taken to the depth stage (default 3). */
  readonly pairsPerSymbol?: number;
  /** Filter and sort on the net after transfer cost (cross only). */
  readonly withTransfer?: boolean;
  /** Cap sizes by free balances where they are known (default true). */
  readonly useBalances?: boolean;
}

export const ARB_DEFAULTS = {
  minBps: 0,
  minProfit: 0,
  maxAgeMs: 10_000,
  maxSkewMs: 3_000,
  depth: 50,
  maxCandidates: 40,
  pairsPerSymbol: 3,
  bookConcurrency: 4,
} as const;

export type ResolvedScanOptions = Required<Omit<ArbScanOptions, 'symbols' | 'quoteGroup' | 'maxSize' | 'maxNotional'>> &
  Pick<ArbScanOptions, 'symbols' | 'quoteGroup' | 'maxSize' | 'maxNotional'>;

/** The settings a scan result reports: the options it ran with, and whether balances capped sizes. */
export function scanSettings(o: ResolvedScanOptions, useBalances: boolean): ArbScanResult['settings'] {
  return {
    symbols: o.symbols ?? [],
    quoteGroup: o.quoteGroup,
    minBps: o.minBps,
    minProfit: o.minProfit,
    maxSize: o.maxSize,
    maxNotional: o.maxNotional,
    maxAgeMs: o.maxAgeMs,
    maxSkewMs: o.maxSkewMs,
    depth: o.depth,
    withTransfer: o.withTransfer,
    useBalances,
  };
}

export function resolveScanOptions(options: ArbScanOptions): ResolvedScanOptions {
  return {
    symbols: options.symbols,
    quoteGroup: options.quoteGroup,
    triangular: options.triangular ?? false,
    minBps: options.minBps ?? ARB_DEFAULTS.minBps,
    minProfit: options.minProfit ?? ARB_DEFAULTS.minProfit,
    maxSize: options.maxSize,
    maxNotional: options.maxNotional,
    maxAgeMs: options.maxAgeMs ?? ARB_DEFAULTS.maxAgeMs,
    maxSkewMs: options.maxSkewMs ?? ARB_DEFAULTS.maxSkewMs,
    depth: options.depth ?? ARB_DEFAULTS.depth,
    maxCandidates: options.maxCandidates ?? ARB_DEFAULTS.maxCandidates,
    pairsPerSymbol: options.pairsPerSymbol ?? ARB_DEFAULTS.pairsPerSymbol,
    withTransfer: options.withTransfer ?? false,
    useBalances: options.useBalances ?? true,
  };
}

import {restBooks, type BookSource} from '../market/streams.js';

export {restBooks, type BookSource};

/** Receives every opportunity a scan finds (the journal, in the commands). */
export interface OpportunityRecorder {
  observe(opportunities: readonly Opportunity[], at: number): void;
}

export interface ArbDeps {
  readonly venues: readonly Venue[];
  readonly clock: Clock;
  /** venues.<v>.fees from config. */
  readonly fees?: FeeOverrides;
  /** Currency for --min-profit, --max-notional and sorting (default USD). */
  readonly valuationQuote?: string;
  readonly recorder?: OpportunityRecorder;
  readonly books?: BookSource;
}

export interface ScanVenueInfo {
  readonly venue: string;
  readonly simulated: boolean;
  readonly ok: boolean;
  readonly markets: number;
  readonly quotes: number;
  /** Whether sizes were capped by this venue's free balances. */
  readonly balancesUsed: boolean;
}

export interface ArbScanResult {
  readonly kind: 'cross' | 'triangular';
  readonly generatedAt: number;
  readonly valuationQuote: string;
  readonly settings: {
    readonly symbols: readonly string[];
    readonly quoteGroup: string | undefined;
    readonly minBps: number;
    readonly minProfit: number;
    readonly maxSize: number | undefined;
    readonly maxNotional: number | undefined;
    readonly maxAgeMs: number;
    readonly maxSkewMs: number;
    readonly depth: number;
    readonly withTransfer: boolean;
    readonly useBalances: boolean;
  };
  readonly venues: readonly ScanVenueInfo[];
  readonly simulatedVenues: readonly string[];
  /** Symbols (cross) or markets (triangular) screened from quotes. */
  readonly screened: number;
  /** Cycles checked (triangular) - 0 for cross. */
  readonly cyclesChecked: number;
  readonly candidates: number;
  /** Candidates beyond --max-candidates, not taken to the depth stage. */
  readonly truncated: number;
  readonly booksFetched: number;
  readonly opportunities: readonly Opportunity[];
  /** Net-positive opportunities under --min-bps / --min-profit. */
  readonly belowThreshold: number;
  readonly stale: {readonly count: number; readonly items: readonly StaleItem[]};
  readonly skipped: readonly Skip[];
  readonly failures: readonly VenueFailure[];
  /** Requested symbols not listed on two or more answering venues. */
  readonly unlisted: readonly string[];
}

/** One venue's line in a scan result. */
function venueRow(s: VenueState, ok: boolean, quotes: number, balancesUsed: boolean): ScanVenueInfo {
  return {venue: s.venue.info.id, simulated: s.venue.info.simulated, ok, markets: s.markets!.length, quotes, balancesUsed};
}

interface VenueState {
  readonly venue: Venue;
  markets?: readonly Market[];
  currencies?: ReadonlyMap<string, Currency>;
  currenciesTried?: boolean;
}

function failure(venue: string, stage: VenueFailure['stage'], error: unknown): VenueFailure {
  const e = error as Error;
  return {venue, stage, error: e?.name ?? 'Error', message: e?.message ?? String(error)};
}

const STALE_ITEMS = 50;

/** Runs the same pool of at most `limit` tasks at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export class ArbScanner {
  private readonly deps: ArbDeps;
  private readonly options: ResolvedScanOptions;
  private readonly states: VenueState[];

  constructor(deps: ArbDeps, options: ArbScanOptions) {
    this.deps = deps;
    this.options = resolveScanOptions(options);
    this.states = deps.venues.map((venue) => ({venue}));
  }

  get settings(): ResolvedScanOptions {
    return this.options;
  }

  /** One scan: cross-venue or triangular per the options. */
  async scan(): Promise<ArbScanResult> {
    const result = this.options.triangular ? await this.scanTriangular() : await this.scanCross();
    if (result.opportunities.length > 0) this.deps.recorder?.observe(result.opportunities, result.generatedAt);
    return result;
  }

  private async loadMarkets(failures: VenueFailure[]): Promise<VenueState[]> {
    await Promise.all(
      this.states.map(async (s) => {
        if (s.markets) return;
        try {
          s.markets = await s.venue.loadMarkets();
        } catch (error) {
          failures.push(failure(s.venue.info.id, 'markets', error));
        }
      }),
    );
    return this.states.filter((s) => s.markets !== undefined);
  }

  private async loadCurrencies(s: VenueState, failures: VenueFailure[]): Promise<void> {
    if (s.currenciesTried || !s.venue.info.capabilities.currencies) return;
    s.currenciesTried = true;
    try {
      s.currencies = currencyIndex(await s.venue.fetchCurrencies());
    } catch (error) {
      failures.push(failure(s.venue.info.id, 'currencies', error));
    }
  }

  private async loadBalances(s: VenueState, failures: VenueFailure[]): Promise<ReadonlyMap<string, number> | undefined> {
    const info = s.venue.info;
    // Live venues: their balances need keys. Paper venues: the paper balances in the journal.
    if (!this.options.useBalances || !(info.mode === 'paper' || info.hasKeys)) return undefined;
    try {
      const list = await s.venue.fetchBalances();
      // A paper venue with no balances at all has not been funded: treat as unknown, not as zero.
      if (list.length === 0 && info.mode === 'paper') return undefined;
      const map = new Map<string, number>();
      for (const b of list) {
        const free = Number(b.free);
        if (Number.isFinite(free)) map.set(b.asset, Math.max(0, free));
      }
      return map;
    } catch (error) {
      failures.push(failure(info.id, 'balances', error));
      return undefined;
    }
  }

  private async fetchBooks(
    requests: readonly {venue: Venue; symbol: string}[],
    failures: VenueFailure[],
  ): Promise<{books: Map<string, OrderBook>; errors: Map<string, string>}> {
    const books = new Map<string, OrderBook>();
    const errors = new Map<string, string>();
    const source = this.deps.books ?? restBooks;
    const byVenue = new Map<Venue, string[]>();
    for (const r of requests) {
      const list = byVenue.get(r.venue) ?? [];
      if (!list.includes(r.symbol)) list.push(r.symbol);
      byVenue.set(r.venue, list);
    }
    await Promise.all(
      [...byVenue].map(([venue, symbols]) =>
        pool(symbols, ARB_DEFAULTS.bookConcurrency, async (symbol) => {
          const key = bookKey(venue.info.id, symbol);
          try {
            books.set(key, await source.get(venue, symbol, this.options.depth));
          } catch (error) {
            const f = failure(venue.info.id, 'books', error);
            failures.push(f);
            errors.set(key, `${f.error}: ${f.message}`);
          }
        }),
      ),
    );
    return {books, errors};
  }

  private base(kind: 'cross' | 'triangular', now: number) {
    const o = this.options;
    return {
      kind,
      generatedAt: now,
      valuationQuote: this.deps.valuationQuote ?? 'USD',
      settings: scanSettings(o, o.useBalances),
      simulatedVenues: this.deps.venues.filter((v) => v.info.simulated).map((v) => v.info.id),
    };
  }

  private async scanCross(): Promise<ArbScanResult> {
    const o = this.options;
    const failures: VenueFailure[] = [];
    const loaded = await this.loadMarkets(failures);
    const wanted = wantedKeys(o.symbols, o.quoteGroup);
    const common = commonSymbols(new Map(loaded.map((s) => [s.venue.info.id, s.markets!])), o.quoteGroup, wanted);

    const venueInfo: ScanVenueInfo[] = [];
    const snapshots: VenueSnapshot[] = [];
    await Promise.all(
      loaded.map(async (s) => {
        const symbols = common.get(s.venue.info.id) ?? [];
        const id = s.venue.info.id;
        if (symbols.length === 0) {
          venueInfo.push(venueRow(s, true, 0, false));
          return;
        }
        let quotes: readonly Quote[];
        try {
          [quotes] = await Promise.all([s.venue.fetchQuotes(symbols), this.loadCurrencies(s, failures)]);
        } catch (error) {
          failures.push(failure(id, 'quotes', error));
          venueInfo.push(venueRow(s, false, 0, false));
          return;
        }
        const balances = await this.loadBalances(s, failures);
        venueInfo.push(venueRow(s, true, quotes.length, balances !== undefined));
        snapshots.push({venue: id, markets: s.markets!, quotes, currencies: s.currencies, balances});
      }),
    );
    for (const s of this.states) {
      if (!s.markets) venueInfo.push({venue: s.venue.info.id, simulated: s.venue.info.simulated, ok: false, markets: 0, quotes: 0, balancesUsed: false});
    }
    snapshots.sort((a, b) => (a.venue < b.venue ? -1 : 1));
    venueInfo.sort((a, b) => (a.venue < b.venue ? -1 : 1));

    const screenAt = this.deps.clock.now();
    const screen = screenCross(snapshots, {
      symbols: o.symbols,
      quoteGroup: o.quoteGroup,
      now: screenAt,
      maxAgeMs: o.maxAgeMs,
      minBps: o.minBps,
      fees: this.deps.fees,
      maxCandidates: o.maxCandidates,
      pairsPerSymbol: o.pairsPerSymbol,
    });
    const byId = new Map(this.deps.venues.map((v) => [v.info.id, v]));
    const requests = screen.candidates.flatMap((c: CrossCandidate) => [
      {venue: byId.get(c.buy.venue)!, symbol: c.buy.market.symbol},
      {venue: byId.get(c.sell.venue)!, symbol: c.sell.market.symbol},
    ]);
    const {books, errors} = await this.fetchBooks(requests, failures);
    const now = this.deps.clock.now();
    const valuer = makeValuer(snapshots.flatMap((s) => s.quotes), this.deps.valuationQuote ?? 'USD');
    const evaluation = evaluateCrossCandidates(screen.candidates, books, errors, new Map(snapshots.map((s) => [s.venue, s])), {
      now,
      maxAgeMs: o.maxAgeMs,
      minBps: o.minBps,
      minProfit: o.minProfit,
      maxSize: o.maxSize,
      maxNotional: o.maxNotional,
      valuer,
      withTransfer: o.withTransfer,
    });
    const listedKeys = new Set<string>();
    for (const [venue, symbols] of common) {
      const markets = loaded.find((s) => s.venue.info.id === venue)?.markets ?? [];
      const bySymbol = new Map(markets.map((m) => [m.symbol, m]));
      for (const sym of symbols) {
        const m = bySymbol.get(sym);
        if (m) listedKeys.add(groupKey(m, o.quoteGroup));
      }
    }
    const unlisted = (o.symbols ?? []).filter((sym) => {
      const keys = wantedKeys([sym], o.quoteGroup)!;
      return ![...keys].some((k) => listedKeys.has(k));
    });
    return {
      ...this.base('cross', now),
      venues: venueInfo,
      screened: screen.symbolsScreened,
      cyclesChecked: 0,
      candidates: screen.candidates.length,
      truncated: screen.truncated,
      booksFetched: books.size,
      opportunities: evaluation.opportunities,
      belowThreshold: evaluation.belowThreshold,
      stale: {count: screen.stale.length, items: screen.stale.slice(0, STALE_ITEMS)},
      skipped: [...screen.skipped, ...evaluation.skipped],
      failures,
      unlisted,
    };
  }

  private async scanTriangular(): Promise<ArbScanResult> {
    const o = this.options;
    const failures: VenueFailure[] = [];
    const loaded = await this.loadMarkets(failures);
    const venueInfo: ScanVenueInfo[] = [];
    const perVenue: {state: VenueState; quotes: readonly Quote[]; balances: ReadonlyMap<string, number> | undefined; candidates: readonly TriCandidate[]}[] = [];
    let screened = 0;
    let cyclesChecked = 0;
    let truncated = 0;
    const stale: StaleItem[] = [];
    await Promise.all(
      loaded.map(async (s) => {
        const id = s.venue.info.id;
        let quotes: readonly Quote[];
        try {
          quotes = await s.venue.fetchQuotes();
        } catch (error) {
          failures.push(failure(id, 'quotes', error));
          venueInfo.push(venueRow(s, false, 0, false));
          return;
        }
        const balances = await this.loadBalances(s, failures);
        venueInfo.push(venueRow(s, true, quotes.length, balances !== undefined));
        const screen = screenTriangular(id, s.markets!, quotes, {
          now: this.deps.clock.now(),
          maxAgeMs: o.maxAgeMs,
          minBps: o.minBps,
          fees: this.deps.fees,
          maxCandidates: o.maxCandidates,
        });
        screened += screen.marketsIndexed;
        cyclesChecked += screen.cyclesChecked;
        truncated += screen.truncated;
        stale.push(...screen.stale);
        perVenue.push({state: s, quotes, balances, candidates: screen.candidates});
      }),
    );
    for (const s of this.states) {
      if (!s.markets) venueInfo.push({venue: s.venue.info.id, simulated: s.venue.info.simulated, ok: false, markets: 0, quotes: 0, balancesUsed: false});
    }
    venueInfo.sort((a, b) => (a.venue < b.venue ? -1 : 1));
    const requests = perVenue.flatMap((p) => p.candidates.flatMap((c) => c.legs.map((l) => ({venue: p.state.venue, symbol: l.market.symbol}))));
    const {books, errors} = await this.fetchBooks(requests, failures);
    const now = this.deps.clock.now();
    const valuer = makeValuer(perVenue.flatMap((p) => p.quotes), this.deps.valuationQuote ?? 'USD');
    const opportunities: Opportunity[] = [];
    const skipped: Skip[] = [];
    let belowThreshold = 0;
    let candidates = 0;
    for (const p of perVenue) {
      candidates += p.candidates.length;
      const ev = evaluateTriangularCandidates(p.candidates, books, errors, {
        now,
        maxAgeMs: o.maxAgeMs,
        maxSkewMs: o.maxSkewMs,
        minBps: o.minBps,
        minProfit: o.minProfit,
        maxNotional: o.maxNotional,
        valuer,
        balances: p.balances,
      });
      opportunities.push(...ev.opportunities);
      skipped.push(...ev.skipped);
      belowThreshold += ev.belowThreshold;
    }
    opportunities.sort((a, b) => (b.netValue ?? b.netProfit) - (a.netValue ?? a.netProfit) || (a.key < b.key ? -1 : 1));
    return {
      ...this.base('triangular', now),
      venues: venueInfo,
      screened,
      cyclesChecked,
      candidates,
      truncated,
      booksFetched: books.size,
      opportunities,
      belowThreshold,
      stale: {count: stale.length, items: stale.slice(0, STALE_ITEMS)},
      skipped,
      failures,
      unlisted: [],
    };
  }
}

/** One scan with fresh state: what `xarb arb scan` runs. */
export function scanArb(deps: ArbDeps, options: ArbScanOptions): Promise<ArbScanResult> {
  return new ArbScanner(deps, options).scan();
}
