/**
 * The shape of xarb's config file ($XARB_HOME/config.json): one zod schema
 * from which the TypeScript types, the validation and the JSON Schema
 * (`xarb config schema`) are all derived.
 *
 * Invariants:
 * 1. Every field is checked; an unknown key is refused (a misspelt risk limit
 *    would otherwise be saved and silently do nothing).
 * 2. Validation reports every bad field at once, each named by its dotted
 *    path (ConfigError, exit 2).
 * 3. Secrets are never part of the config: they come from the environment or
 *    a 0600 file named by `keysFile` (see secrets.ts).
 * 4. zod is loaded on first use only (about 40 ms), so commands that never
 *    validate a config file (the demo profile, --version, help, a config that
 *    already passed, see store.ts) do not pay it.
 *    The build loads its one-file copy (dist/vendor/zod.cjs): the package's
 *    ~100 CommonJS files cost three to four times as much to resolve and load.
 */
import {createRequire} from 'node:module';
import type {z as Z} from 'zod';
import {isBusUrl, redactBusUrl} from '../urls.js';
import {ConfigError} from '../errors.js';

type Zod = typeof Z;

/** Native symbol dialects a simulated venue can speak (see venues/sim/dialects.ts). */
export const SIM_DIALECTS = ['dash', 'lower', 'kraken', 'slash'] as const;

const VENUE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const ASSET = /^[A-Z0-9]{2,10}$/;
/** ccxt constructor options that would hold a secret. */
const SECRET_OPTIONS = ['apiKey', 'secret', 'password', 'privateKey', 'uid', 'walletAddress', 'token'];
/** Keys that would reach an object's prototype when merged. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const URL_SCHEMES: readonly string[] = ['http:', 'https:', 'ws:', 'wss:'];

/** Documented defaults of optional fields that the code applies where they are used. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MARKETS_TTL_SEC = 3600;
export const DEFAULT_ALERT_TIMEOUT_MS = 3000;
/** Days snapshot-like journal rows are kept (journal.retention.*); 0 keeps forever. */
export const DEFAULT_RETENTION_DAYS = {priceSnapshotsDays: 30, arbObservationsDays: 30, latencyDays: 7, balanceSnapshotsDays: 365} as const;

/**
 * Problems in ccxt constructor options: prototype keys anywhere, a URL with
 * a scheme other than http(s)/ws(s) anywhere (ccxt would fetch it), secrets,
 * and verbose mode (it prints signed requests including API keys). Paths are
 * relative to the options object.
 */
export function optionProblems(options: unknown, path: readonly string[] = []): {path: string[]; message: string}[] {
  const problems: {path: string[]; message: string}[] = [];
  const walk = (node: unknown, at: string[]): void => {
    if (typeof node === 'string') {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(node)?.[1]?.toLowerCase();
      const underUrls = at.includes('urls');
      if ((scheme && node.includes('//') && !URL_SCHEMES.includes(`${scheme}:`)) || (underUrls && !/^(https?|wss?):\/\/[^\s]+$/i.test(node))) {
        problems.push({path: at, message: 'must be an http(s) or ws(s) URL'});
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const key of Object.keys(node)) {
      if (PROTOTYPE_KEYS.has(key)) {
        problems.push({path: [...at, key], message: 'is not allowed (prototype key)'});
        continue;
      }
      walk((node as Record<string, unknown>)[key], [...at, key]);
    }
  };
  walk(options, [...path]);
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    const top = options as Record<string, unknown>;
    for (const key of SECRET_OPTIONS) {
      if (Object.hasOwn(top, key)) problems.push({path: [...path, key], message: 'secrets do not belong in the config; use XARB_<VENUE>_API_KEY/_SECRET/_PASSWORD or keysFile'});
    }
    if (top.verbose !== undefined && top.verbose !== false) problems.push({path: [...path, 'verbose'], message: 'would print signed requests including API keys; it is not allowed'});
  }
  return problems;
}

function build(z: Zod) {
  /** An object that refuses unknown keys, naming the keys it knows. */
  const strict = <S extends Record<string, Z.ZodType>>(shape: S, what = 'a known setting') =>
    z.strictObject(shape, {error: (iss) => (iss.code === 'unrecognized_keys' ? `is not ${what} (known: ${Object.keys(shape).join(', ')})` : undefined)});
  const num = (lo: number, hi: number) => z.number().min(lo, {error: `must be a number from ${lo} to ${hi}`}).max(hi, {error: `must be a number from ${lo} to ${hi}`});
  const int = (lo: number, hi: number) => z.int().min(lo, {error: `must be a whole number from ${lo} to ${hi}`}).max(hi, {error: `must be a whole number from ${lo} to ${hi}`});
  const decimal = (description: string) =>
    z
      .union([
        z.string().regex(DECIMAL, {error: 'must be a non-negative decimal number'}),
        // A JSON number is kept as its decimal text (money is exact: never a float in the code).
        z
          .number()
          .nonnegative({error: 'must be a non-negative decimal number'})
          .transform((n) => String(n))
          .pipe(z.string().regex(DECIMAL, {error: 'must be a plain decimal number (no exponent)'})),
      ])
      .meta({description});
  const asset = () => z.string().regex(ASSET, {error: 'must be an asset code such as USD'});
  const url = (schemes: readonly string[], description: string) =>
    z
      .string()
      .refine((v) => URL.canParse(v) && schemes.includes(new URL(v).protocol), {error: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`})
      .meta({description});
  const days = (what: string, fallback: number) => int(0, 36_500).meta({description: `${what}: days to keep, 0 keeps forever`, default: fallback}).optional();
  const assetMap = <T extends Z.ZodType>(value: T) => z.record(z.string().regex(ASSET, {error: 'keys must be asset codes such as USD'}), value);

  const limitShape = {
    maxOrderAmount: decimal('Largest order, in base units').optional(),
    maxOrderNotional: decimal('Largest order value, in the valuation quote').optional(),
    maxPosition: decimal('Largest position, in base units').optional(),
    maxDailyVolume: decimal('Most traded value per UTC day, in the valuation quote').optional(),
    maxExposurePct: num(0, 100).meta({description: 'Largest share of the portfolio held on a venue (or in an asset, in a symbol scope), percent'}).optional(),
    maxOpenOrders: int(0, 1_000_000).meta({description: 'Most open and in-flight orders'}).optional(),
    priceBandPct: num(0, 100).meta({description: 'Largest distance of a limit price from the mid, percent'}).optional(),
    maxTotalExposurePct: num(0, 10_000).meta({description: 'Largest total exposure, percent of the portfolio (global scope)'}).optional(),
  };
  const limits = strict(limitShape, 'a risk limit');

  const allowEntry = strict({
    address: z.string().min(1, {error: 'must not be empty'}),
    network: z.string().min(1).optional(),
    tag: z.string().min(1).optional(),
  });

  const venue = strict({
    // Whether ccxt has the exchange is checked where it is typed (exchanges add/set) and when the venue opens.
    exchange: z
      .string()
      .regex(/^[a-z0-9]+$/, {error: 'must be a ccxt exchange id or sim'})
      .meta({description: 'A ccxt exchange id (binance, kraken, okx, ...) or sim for a simulated venue'}),
    mode: z.enum(['paper', 'live'], {error: 'must be paper or live'}).meta({description: 'paper: simulated fills on real market data; live: real orders'}),
    sandbox: z.boolean().meta({description: "Use the exchange's testnet"}).optional(),
    apiBaseUrl: url(['http:', 'https:'], 'Replaces scheme and host of every REST URL of the exchange, paths kept').optional(),
    wsBaseUrl: url(['ws:', 'wss:'], 'Replaces scheme and host of every websocket URL').optional(),
    options: z
      .record(z.string(), z.unknown())
      .superRefine((options, ctx) => {
        for (const p of optionProblems(options)) ctx.addIssue({code: 'custom', path: p.path, message: p.message});
      })
      .meta({description: 'Passed through to the ccxt constructor (no secrets, no prototype keys, URLs only http(s)/ws(s))'})
      .optional(),
    priority: int(-1_000_000, 1_000_000).meta({description: 'Order for --route priority, lower first'}).optional(),
    allocation: num(0, 100).meta({description: 'Target share of the portfolio, percent'}).optional(),
    fees: strict({
      taker: num(-0.01, 0.1).meta({description: 'Taker fee as a fraction: 0.001 = 10 bps'}).optional(),
      maker: num(-0.01, 0.1).meta({description: 'Maker fee as a fraction'}).optional(),
    })
      .meta({description: "The user's fee tier, overriding market metadata"})
      .optional(),
    keysFile: z.string().min(1).meta({description: 'Path to a JSON file {apiKey, secret, password?} with 0600 permissions'}).optional(),
    withdraw: strict({
      enabled: z.boolean().meta({description: 'Withdrawals are refused unless this is true'}),
      allowlist: assetMap(z.array(allowEntry)).meta({description: 'Allowed destination addresses: asset -> list of {address, network?, tag?}'}).optional(),
    }).optional(),
    sim: strict({
      seed: z.int().meta({description: 'Seed of the simulated market (default: from the venue name)'}).optional(),
      dialect: z.enum(SIM_DIALECTS, {error: `must be one of ${SIM_DIALECTS.join(', ')}`}).meta({description: 'Native symbol dialect (default: from the venue name)'}).optional(),
    })
      .meta({description: 'For exchange sim: the seed and native symbol dialect'})
      .optional(),
    timeoutMs: int(1, 600_000).meta({description: 'Request timeout in ms', default: DEFAULT_TIMEOUT_MS}).optional(),
    marketsTtlSec: int(0, 30 * 86_400).meta({description: 'Market metadata cache lifetime in seconds', default: DEFAULT_MARKETS_TTL_SEC}).optional(),
    paperBalances: assetMap(decimal('Amount')).meta({description: 'Starting balances of a paper-mode venue, applied once when it has none'}).optional(),
    allowLiveWithoutIdempotency: z
      .boolean()
      .meta({description: 'Place live orders even where our client id cannot round-trip (a lost answer could then leave a duplicate order)', default: false})
      .optional(),
  });

  const webhook = z.union([
    url(['http:', 'https:'], 'Receiver URL'),
    strict({
      url: url(['http:', 'https:'], 'Receiver URL'),
      secretEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, {error: 'must be the name of an environment variable'})
        .meta({description: 'Environment variable holding the shared secret for the signature (default XARB_ALERTS_SECRET)'})
        .optional(),
    }),
  ]);

  return strict({
    $schema: z.string().meta({description: 'The JSON Schema editors check this file with (`xarb config schema`); ignored by xarb'}).optional(),
    venues: z
      .record(z.string().regex(VENUE_NAME, {error: 'venue names are lowercase letters, digits, - and _ (at most 40)'}), venue)
      .default({})
      .meta({description: 'Venues by name'}),
    risk: strict({
      global: limits.meta({description: 'Limits over every venue and symbol'}).optional(),
      venues: z.record(z.string(), limits).meta({description: 'Limits per venue name'}).optional(),
      symbols: z.record(z.string(), limits).meta({description: 'Limits per symbol (BTC/USD)'}).optional(),
      reserves: assetMap(decimal('Amount')).meta({description: 'Minimum balance kept per asset, never spent by orders or transfers'}).optional(),
    }).default({}),
    arb: strict({
      legPolicy: z.enum(['unwind', 'hedge'], {error: 'must be unwind or hedge'}).default('unwind').meta({description: 'On a one-legged fill: unwind the filled leg, or hedge the remainder at market'}),
      maxLegLoss: decimal('Most loss accepted by the leg policy, in quote currency').optional(),
    }).default({legPolicy: 'unwind'}),
    valuationQuote: asset().default('USD').meta({description: 'Currency portfolio values and notional limits are expressed in'}),
    assetTargets: assetMap(num(0, 100)).meta({description: 'Asset targets for rebalance, percent'}).optional(),
    rebalanceThreshold: num(0, 100).meta({description: 'Rebalance threshold in percentage points'}).optional(),
    journal: strict({
      id: z
        .string()
        .regex(/^[0-9a-f-]{8,64}$/i, {error: 'must be the id xarb wrote'})
        .meta({description: 'Written by xarb when the journal is first created: a missing journal is then refused, not started over'})
        .optional(),
      createdAt: z
        .string()
        .refine((v) => !Number.isNaN(Date.parse(v)), {error: 'must be an ISO date'})
        .meta({description: 'When the journal was created (written by xarb)'})
        .optional(),
      retention: strict({
        priceSnapshotsDays: days('Price snapshots', DEFAULT_RETENTION_DAYS.priceSnapshotsDays),
        arbObservationsDays: days('Arbitrage observations', DEFAULT_RETENTION_DAYS.arbObservationsDays),
        latencyDays: days('Latency samples', DEFAULT_RETENTION_DAYS.latencyDays),
        balanceSnapshotsDays: days('Balance snapshots', DEFAULT_RETENTION_DAYS.balanceSnapshotsDays),
      })
        .meta({description: 'Days to keep snapshot-like rows; 0 keeps forever (defaults: see docs)'})
        .optional(),
      autoPrune: z.boolean().meta({description: 'Apply retention automatically at most once a day', default: true}).optional(),
      url: url(['postgres:', 'postgresql:'], 'Keep the journal on PostgreSQL (postgres://user@host:5432/db?schema=xarb) instead of the journal.db file; shared by every host that uses it')
        .refine((v) => !URL.canParse(v) || new URL(v).password === '', {error: 'must not carry a password: config is not a secret store; use PGPASSWORD, ~/.pgpass or XARB_JOURNAL_URL in the environment'})
        .optional(),
    })
      .meta({description: 'The journal file and its retention'})
      .optional(),
    market: strict({
      source: z
        .string()
        .refine(isBusUrl, {error: 'must be a URL starting with nats:// (several comma-separated for a cluster)'})
        .refine((v) => redactBusUrl(v) === v, {error: 'must not carry credentials: config is not a secret store; give that URL with --source or XARB_MARKET_SOURCE in the environment'})
        .meta({description: 'Where market data comes from: a NATS URL (nats://host:4222; several comma-separated for a cluster) reads the collectors\' bus instead of the venues'})
        .optional(),
    })
      .meta({description: 'Market data source'})
      .optional(),
    alerts: strict({
      webhooks: z.array(webhook).meta({description: 'Receivers of a signed JSON POST per alert'}).default([]),
      timeoutMs: int(100, 30_000).meta({description: 'Time allowed per delivery attempt, ms', default: DEFAULT_ALERT_TIMEOUT_MS}).optional(),
    })
      .meta({description: 'Webhooks told about reconcile discrepancies, kill-switch changes, risk denials of live orders and arb legs needing attention'})
      .optional(),
  }).meta({title: 'xarb config', description: 'The xarb config file, $XARB_HOME/config.json'});
}

type ConfigSchema = ReturnType<typeof build>;
type Mutable<T> = {-readonly [K in keyof T]: T[K]};
export type XarbConfig = Readonly<Z.output<ConfigSchema>>;
export type VenueConfig = Readonly<XarbConfig['venues'][string]>;
export type RiskConfig = XarbConfig['risk'];
export type RiskLimitSet = NonNullable<RiskConfig['global']>;
export type ArbConfig = XarbConfig['arb'];
export type WithdrawPolicy = NonNullable<VenueConfig['withdraw']>;
export type FeeOverride = NonNullable<VenueConfig['fees']>;
export type AlertsConfig = NonNullable<XarbConfig['alerts']>;
export type JournalConfig = NonNullable<XarbConfig['journal']>;
export type JournalRetentionConfig = NonNullable<JournalConfig['retention']>;
export type ConfigInput = Mutable<Z.input<ConfigSchema>>;

let cached: {z: Zod; schema: ConfigSchema} | undefined;

/** Set by scripts/build.js to its bundled zod, relative to the chunk holding this module; undefined when running from source. */
declare const XARB_VENDOR_ZOD: string | undefined;

function schema(): {z: Zod; schema: ConfigSchema} {
  if (!cached) {
    const {z} = createRequire(import.meta.url)(typeof XARB_VENDOR_ZOD === 'string' ? XARB_VENDOR_ZOD : 'zod') as {z: Zod};
    cached = {z, schema: build(z)};
  }
  return cached;
}

export const defaultConfig: XarbConfig = {venues: {}, risk: {}, arb: {legPolicy: 'unwind'}, valuationQuote: 'USD'};

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'an object',
};

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A short, printable rendering of a bad value (no control characters, long values cut). */
export function showValue(value: unknown): string {
  // A URL's password never reaches a message, whatever field it was typed into.
  // A NATS token (nats://token@host) is all secret.
  const shown = typeof value === 'string' ? value.replace(/(\/\/[^:/@\s]*):[^@/\s]*@/g, '$1:***@').replace(/(nats:\/\/)[^:/@\s,]+@/g, '$1***@') : value;
  const text = JSON.stringify(shown) ?? String(shown);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

type Issue = Z.core.$ZodIssue;

function describeIssue(issue: Issue, raw: unknown): string[] {
  const path = issue.path.map(String).join('.');
  const name = path || 'the config';
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key} ${issue.message}`);
    case 'invalid_type':
      if (value === undefined) return [`${name} is required`];
      return [`${name} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${showValue(value)}`];
    case 'invalid_key':
      return [`${name}: ${issue.issues[0]?.message ?? issue.message}, got ${showValue(issue.path.at(-1))}`];
    case 'invalid_union': {
      // Describe the branch whose type matched (a negative number for a decimal, a bad {url} for a webhook).
      const matched = issue.errors.find((branch) => branch.length > 0 && !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (matched) return matched.flatMap((inner) => describeIssue({...inner, path: [...issue.path, ...inner.path]} as Issue, raw));
      return [`${name} has the wrong type, got ${showValue(value)}`];
    }
    default:
      if (issue.code === 'custom' && !/^(must|is|would|keys) /.test(issue.message)) return [`${name}: ${issue.message}`];
      return [`${name} ${issue.message}${value === undefined || typeof value === 'object' ? '' : `, got ${showValue(value)}`}`];
  }
}

/** Keys anywhere in a parsed file that would reach a prototype when copied (JSON.parse keeps "__proto__" as an own key). */
function prototypeProblems(node: unknown, at: string[] = []): string[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.keys(node).flatMap((key) =>
    PROTOTYPE_KEYS.has(key) ? [`${[...at, key].join('.')} is not allowed (prototype key)`] : prototypeProblems((node as Record<string, unknown>)[key], [...at, key]),
  );
}

function check(raw: unknown): {problems: string[]; data?: XarbConfig} {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {problems: ['the config must be a JSON object']};
  const unsafe = prototypeProblems(raw);
  if (unsafe.length > 0) return {problems: unsafe};
  const result = schema().schema.safeParse(raw);
  if (result.success) return {problems: [], data: result.data};
  return {problems: [...new Set(result.error.issues.flatMap((issue) => describeIssue(issue, raw)))]};
}

/**
 * What decides whether a config is valid, as one string to hash, read without
 * loading zod: the source of the schema and of the checks around it, the
 * constants they use, and the version of zod that runs them. A config that
 * passed under one fingerprint is checked again under any other (store.ts).
 */
export function schemaFingerprint(): string {
  return `zod ${zodVersion()}\n${fingerprintOfSources()}`;
}

/** Set by scripts/build.js to the version of the zod it bundled (dist/vendor/zod.cjs); undefined when running from source. */
declare const XARB_ZOD_VERSION: string | undefined;

/** The version of the zod that validates: the bundled one in a build, else the installed package's. */
function zodVersion(): string {
  if (typeof XARB_ZOD_VERSION === 'string') return XARB_ZOD_VERSION;
  try {
    return String((createRequire(import.meta.url)('zod/package.json') as {version?: unknown}).version);
  } catch {
    return 'unknown'; // without a readable version, the source alone decides; a missing zod fails at validation anyway
  }
}

function fingerprintOfSources(): string {
  const constants = {
    SIM_DIALECTS,
    VENUE_NAME: String(VENUE_NAME),
    DECIMAL: String(DECIMAL),
    ASSET: String(ASSET),
    SECRET_OPTIONS,
    PROTOTYPE_KEYS: [...PROTOTYPE_KEYS],
    URL_SCHEMES,
    DEFAULT_TIMEOUT_MS,
    DEFAULT_MARKETS_TTL_SEC,
    DEFAULT_ALERT_TIMEOUT_MS,
    DEFAULT_RETENTION_DAYS,
  };
  return [JSON.stringify(constants), String(build), String(check), String(prototypeProblems), String(optionProblems), String(isBusUrl), String(redactBusUrl)].join('\n');
}

/** Every problem of a config value, one line each; empty when it is valid. */
export function configProblems(raw: unknown): string[] {
  return check(raw).problems;
}

/** Validates a parsed config file, returning it typed (defaults applied) or throwing ConfigError listing every problem. */
export function validateConfig(raw: unknown): XarbConfig {
  const {problems, data} = check(raw);
  if (!data) throw new ConfigError(problems);
  return data;
}

/** The JSON Schema of the config file, for editors (`xarb config schema`). */
export function configJsonSchema(): Record<string, unknown> {
  const {z, schema: s} = schema();
  return z.toJSONSchema(s, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>;
}

/**
 * The JSON Schema node of a dotted config key, or undefined when the schema
 * has no such key. Record keys (venue names, symbols, assets) match any name.
 */
export function schemaAt(path: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = configJsonSchema();
  for (const key of path.split('.')) {
    while (node && !node.type && Array.isArray(node.anyOf)) node = (node.anyOf as Record<string, unknown>[]).find((o) => o.type === 'object');
    if (!node) return undefined;
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    const extra: unknown = node.additionalProperties;
    if (props && Object.hasOwn(props, key)) node = props[key];
    else if (typeof extra === 'object' && extra !== null) node = extra as Record<string, unknown>;
    else if (node.type === 'array' && /^\d+$/.test(key) && typeof node.items === 'object') node = node.items as Record<string, unknown>;
    else if (Object.keys(node).length === 0) node = {};
    else return undefined;
  }
  return node;
}

/** The default of a dotted config key as the schema documents it, or undefined when it has none. */
export function defaultAt(path: string): unknown {
  return schemaAt(path)?.default;
}
