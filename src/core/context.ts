/**
 * Everything a command needs, opened lazily: the home folder, the validated
 * config (or the demo profile when no venue is configured), the journal and
 * the venues. Commands get one Context; core functions take the pieces they
 * need as arguments.
 */
import type {AlertSink} from './alerts/index.js';
import {UnknownVenueError, UsageError} from './errors.js';
import {EventsRepo} from './journal/events.js';
import type {VenueConfig, XarbConfig} from './config/schema.js';
import {ensureHome, journalPath, loadConfig, recordJournalMarker, xarbHome} from './config/store.js';
import type {Db} from './journal/db.js';
import {DEFAULT_RETENTION, pruneIfDue, type RetentionSettings} from './journal/maintenance.js';
import {openJournal, type OpenedJournal} from './journal/open.js';
import {createVenue, unavailableVenue} from './venues/factory.js';
import type {Venue} from './venues/port.js';
import {sourceUrl, type MarketBus} from './bus/port.js';
import type {BusVenue} from './bus/venue.js';
import {reportingVenue, type VenueProgress} from './venues/progress.js';
import {systemClock, type Clock} from './types.js';

/** The characters a venue name may hold (config/schema.ts), in the order the root collation (and English) sorts them. */
const NAME_ORDER = '_-0123456789abcdefghijklmnopqrstuvwxyz';
const PLAIN_NAME = /^[a-z0-9_-]*$/;

/**
 * `a.localeCompare(b)` for venue names, without the collator that
 * localeCompare builds on its first call (~6 ms of every command that lists
 * venues): names of lowercase letters, digits, `_` and `-` (all that config
 * allows) are compared character by character in the collation's order;
 * anything else goes to localeCompare.
 */
export function compareVenueNames(a: string, b: string): number {
  if (!PLAIN_NAME.test(a) || !PLAIN_NAME.test(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = NAME_ORDER.indexOf(a.charAt(i)) - NAME_ORDER.indexOf(b.charAt(i));
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export interface ContextOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /** The build's version: lets a config that already passed validation skip it (config/store.ts). */
  readonly version?: string;
}

interface PgModules {
  readonly openPgJournal: typeof import('./journal/pg/open.js').openPgJournal;
  readonly isPostgresUrl: typeof import('./journal/pg/db.js').isPostgresUrl;
}

async function loadPg(): Promise<PgModules> {
  const [{openPgJournal}, {isPostgresUrl}] = await Promise.all([import('./journal/pg/open.js'), import('./journal/pg/db.js')]);
  return {openPgJournal, isPostgresUrl};
}

export class Context {
  readonly home: string;
  readonly config: XarbConfig;
  readonly clock: Clock;
  readonly env: NodeJS.ProcessEnv;
  /** True when no venue is configured and the built-in simulated venues are used. */
  readonly isDemo: boolean;
  private readonly venueConfigs: Readonly<Record<string, VenueConfig>>;
  private journal: Db | undefined;
  private journalOpened: OpenedJournal | undefined;
  /** Set false before the first `db` use to skip the automatic daily prune (`xarb journal prune` prunes itself). */
  autoPrune = true;
  private alertSink: AlertSink | undefined;
  private progress: VenueProgress | undefined;
  private readonly opened = new Map<string, Promise<Venue>>();
  private bus: Promise<MarketBus> | undefined;
  /** The PostgreSQL journal's modules, loaded by open() only when a journal URL is set (the journal.db file needs neither). */
  private readonly pg: PgModules | undefined;

  private constructor(home: string, config: XarbConfig, venueConfigs: Readonly<Record<string, VenueConfig>>, isDemo: boolean, options: ContextOptions, pg: PgModules | undefined) {
    this.home = home;
    this.pg = pg;
    this.config = config;
    this.venueConfigs = venueConfigs;
    this.isDemo = isDemo;
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
  }

  static async open(options: ContextOptions = {}): Promise<Context> {
    const env = options.env ?? process.env;
    const home = xarbHome(env);
    const config = loadConfig(home, {version: options.version});
    const configured = Object.keys(config.venues).length > 0;
    const venues = configured ? config.venues : (await import('./venues/sim/demo.js')).demoProfile();
    const pg = env.XARB_JOURNAL_URL?.trim() || config.journal?.url ? await loadPg() : undefined;
    return new Context(home, config, venues, !configured, options, pg);
  }

  /**
   * The journal, opened on first use under the rules of journal/open.ts
   * (never silently replaced; backed up before a migration). The first
   * journal of a home is recorded in config.json. Retention runs at most
   * once a day unless `journal.autoPrune` is false.
   */
  get db(): Db {
    if (!this.journal) {
      ensureHome(this.home);
      const url = this.journalUrl;
      if (url) {
        const opened = this.pg!.openPgJournal({url, clock: this.clock});
        this.journalOpened = opened;
        this.journal = opened.db;
      } else {
        const marker = this.config.journal?.id && this.config.journal.createdAt ? {id: this.config.journal.id, createdAt: this.config.journal.createdAt} : undefined;
        const opened = openJournal({path: journalPath(this.home), marker, clock: this.clock});
        this.journalOpened = opened;
        this.journal = opened.db;
        if (!marker) recordJournalMarker(this.home, {id: opened.id, createdAt: opened.createdAt});
      }
      const opened = this.journalOpened!;
      if (this.autoPrune && this.config.journal?.autoPrune !== false) {
        try {
          pruneIfDue(opened.db, this.retention, this.clock);
        } catch {
          // Busy or read-only: retention is housekeeping and waits for the next run.
        }
      }
    }
    return this.journal;
  }

  /**
   * The PostgreSQL journal's URL when the journal is kept there:
   * XARB_JOURNAL_URL (which may carry a password) over `journal.url`.
   * Undefined: the journal.db file in the home.
   */
  get journalUrl(): string | undefined {
    const fromEnv = this.env.XARB_JOURNAL_URL?.trim();
    if (fromEnv && !this.pg!.isPostgresUrl(fromEnv)) throw new UsageError('XARB_JOURNAL_URL must be a postgres:// URL', 'unset it to use the journal.db file in XARB_HOME');
    return fromEnv ? fromEnv : this.config.journal?.url;
  }

  /** How the journal was opened (created, migrated and backed up), once `db` was used. */
  get journalInfo(): OpenedJournal | undefined {
    return this.journalOpened;
  }

  /** Retention settings: config over the defaults. */
  get retention(): RetentionSettings {
    return {...DEFAULT_RETENTION, ...this.config.journal?.retention};
  }

  /** Where alerts go: the `alerts.webhooks` receivers; delivery failures are journalled. */
  get alerts(): AlertSink {
    // The sender (http, crypto) is loaded only when there is an alert to send.
    this.alertSink ??= {
      notify: async (alert) => {
        if ((this.config.alerts?.webhooks ?? []).length === 0) return [];
        const {webhookSink} = await import('./alerts/index.js');
        return webhookSink(this.config.alerts, {env: this.env, clock: this.clock, events: () => new EventsRepo(this.db, this.clock)}).notify(alert);
      },
    };
    return this.alertSink;
  }

  /** Reports the calls of every venue opened from now on (for a progress display). */
  reportProgress(onProgress: VenueProgress | undefined): void {
    this.progress = onProgress;
  }

  venueNames(): string[] {
    return Object.entries(this.venueConfigs)
      .sort(([a, x], [b, y]) => (x.priority ?? 1e9) - (y.priority ?? 1e9) || compareVenueNames(a, b))
      .map(([name]) => name);
  }

  venueConfig(name: string): VenueConfig {
    const config = this.venueConfigs[name];
    if (!config) throw new UnknownVenueError(name, this.venueNames());
    return config;
  }

  /** Checks names against the config (all venues when none given). */
  selectVenues(names?: readonly string[]): string[] {
    if (!names || names.length === 0) return this.venueNames();
    for (const name of names) this.venueConfig(name);
    return [...names];
  }

  /** Opens one venue (cached). `paper: false` gives the raw venue without the paper wrapper. */
  venue(name: string, options: {paper?: boolean} = {}): Promise<Venue> {
    const key = `${name}:${options.paper === false ? 'raw' : 'wrapped'}`;
    let venue = this.opened.get(key);
    if (!venue) {
      const config = this.venueConfig(name);
      // A venue that cannot be opened becomes one whose calls fail with the reason,
      // so one broken venue never takes the others down with it.
      const progress = this.progress;
      venue = createVenue(name, config, {db: this.db, clock: this.clock, env: this.env, paper: options.paper})
        .catch((error: unknown) => unavailableVenue(name, config, error))
        .then((opened) => (progress ? reportingVenue(opened, progress) : opened));
      this.opened.set(key, venue);
    }
    return venue;
  }

  /** Opens venues in parallel; failures surface per venue, on their first call. */
  async venues(names?: readonly string[], options: {paper?: boolean} = {}): Promise<Venue[]> {
    return Promise.all(this.selectVenues(names).map((name) => this.venue(name, options)));
  }

  /**
   * Like marketVenues, but each venue on its own, as soon as it is open (from
   * the bus, all at once): a caller can ask the first venues while the others
   * are still being built.
   */
  async marketVenuesEach(names: readonly string[] | undefined, source: string | undefined, options: {paper?: boolean; symbols?: readonly string[]} = {}): Promise<Promise<Venue>[]> {
    if (this.marketSource(source)) return (await this.marketVenues(names, source, options)).map((v) => Promise.resolve(v));
    return this.selectVenues(names).map((name) => this.venue(name, options));
  }

  /**
   * The market-data bus URL to read from: the flag, else XARB_MARKET_SOURCE
   * in the environment (where a URL with credentials may be kept), else
   * market.source in config; undefined means ask the venues.
   */
  marketSource(flag?: string): string | undefined {
    if (flag !== undefined) return flag;
    const fromEnv = this.env.XARB_MARKET_SOURCE?.trim();
    if (fromEnv) return sourceUrl(fromEnv, 'XARB_MARKET_SOURCE', 'e.g. XARB_MARKET_SOURCE=nats://127.0.0.1:4222, or unset it to use market.source in config');
    return this.config.market?.source;
  }

  /**
   * Venues for market data: from the bus when a source is set (no venue is
   * asked, no venue library loaded; unreachable bus -> BusUnavailableError,
   * exit 4), else the configured venues. `symbols`: the canonical symbols
   * the caller is about to read (the bus reads their books early).
   */
  async marketVenues(names: readonly string[] | undefined, source: string | undefined, options: {paper?: boolean; symbols?: readonly string[]} = {}): Promise<Venue[]> {
    const url = this.marketSource(source);
    if (!url) return this.venues(names, options);
    const [{openBus}, {busVenues}] = await Promise.all([import('./bus/open.js'), import('./bus/venue.js')]);
    this.bus ??= openBus(url);
    return busVenues(await this.bus, names, {symbols: options.symbols});
  }

  /**
   * Venues for routing orders: without a market source, the venues; with
   * one, the same venues with their markets, quotes and books read from the
   * bus (balances and orders stay the venue's). An unreachable bus is
   * BusUnavailableError (exit 4), never a fall back to asking the venues.
   */
  async routeVenues(names: readonly string[], source: string | undefined): Promise<Venue[]> {
    const venues = await this.venues(names);
    const url = this.marketSource(source);
    if (!url) return venues;
    const [fromBus, {withBusMarketData}] = await Promise.all([this.marketVenues(venues.map((v) => v.info.id), url), import('./bus/venue.js')]);
    const byId = new Map(fromBus.map((v) => [v.info.id, v]));
    return venues.map((v) => withBusMarketData(v, byId.get(v.info.id) as BusVenue));
  }

  /** Fee overrides from config for these venue names (none for venues not configured here). */
  feeOverrides(names: readonly string[]): Record<string, VenueConfig['fees']> {
    return Object.fromEntries(names.map((n) => [n, this.venueConfigs[n]?.fees]));
  }

  async close(): Promise<void> {
    const bus = this.bus;
    this.bus = undefined;
    if (bus) await bus.then((b) => b.close(), () => {});
    const venues = await Promise.allSettled(this.opened.values());
    await Promise.allSettled(venues.map((v) => (v.status === 'fulfilled' ? v.value.close() : Promise.resolve())));
    this.opened.clear();
    this.journal?.close();
    this.journal = undefined;
  }
}
