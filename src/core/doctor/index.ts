/**
 * `xarb doctor`: the self-check an operator runs on a trading host (or cron
 * runs as a probe). Each check yields one line: ok, warn or fail.
 *
 * Invariants:
 * - Doctor only reads: it never creates, migrates or repairs the journal or
 *   the config, never writes a lock, and sends nothing but public time
 *   requests to venues.
 * - It works on a broken home (invalid config, refused journal, unloadable
 *   native module): each problem is one failed check, not an exception.
 * - Secrets are never part of a check's message or detail: a key check only
 *   says whether keys are present and usable.
 * - `ok` is true only when every check is ok.
 */
import {statSync} from 'node:fs';
import {hostname} from 'node:os';
import {loadCredentials} from '../config/secrets.js';
import type {VenueConfig, XarbConfig} from '../config/schema.js';
import {configPath, journalPath, loadConfig} from '../config/store.js';
import {ExitCode, isXarbError} from '../errors.js';
import {openDb, sqliteVersion} from '../journal/db.js';
import {listLocks, lockStatus} from '../journal/locks.js';
import {lastPruneAt} from '../journal/maintenance.js';
import {lifecycle} from '../journal/migrations/008-lifecycle.js';
import {inspectJournal} from '../journal/open.js';
import {inspectPgJournal} from '../journal/pg/open.js';
import type {Clock} from '../types.js';
import type {Venue} from '../venues/port.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable id of the check: native, config, permissions, journal, locks, retention, keys:<venue>, clock:<venue>. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly home: string;
  readonly checks: readonly DoctorCheck[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
  /** 0 when every check is ok; 1 when any check warns or fails. */
  readonly exitCode: number;
}

/** Skew beyond these (ms) warns / fails: venues refuse signed requests a few seconds off. */
export const SKEW_WARN_MS = 1_000;
export const SKEW_FAIL_MS = 5_000;

export interface DoctorOptions {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  /** Venues to ask for their time (by name); empty or undefined: skip the clock checks. */
  readonly venues?: readonly string[];
  /** The configured venues (or the demo profile) when the config is valid. */
  readonly venueConfigs?: Readonly<Record<string, VenueConfig>>;
  /** Opens a venue for the clock check (public data only). */
  readonly openVenue?: (name: string, config: VenueConfig) => Promise<Venue>;
  readonly host?: string;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

function checkNative(): DoctorCheck {
  try {
    return {check: 'native', status: 'ok', message: `SQLite module loads (SQLite ${sqliteVersion()}, Node ${process.versions.node})`};
  } catch (error) {
    return {check: 'native', status: 'fail', message: messageOf(error), detail: isXarbError(error) ? {hint: error.hint} : undefined};
  }
}

function checkConfig(home: string): {check: DoctorCheck; config: XarbConfig | undefined} {
  try {
    const config = loadConfig(home);
    const venues = Object.keys(config.venues).length;
    return {check: {check: 'config', status: 'ok', message: venues > 0 ? `config valid (${venues} venue${venues === 1 ? '' : 's'})` : 'config valid (no venues: the demo profile of simulated venues)'}, config};
  } catch (error) {
    const problems = isXarbError(error) && 'problems' in error ? (error as {problems: readonly string[]}).problems : [messageOf(error)];
    return {check: {check: 'config', status: 'fail', message: messageOf(error), detail: {problems}}, config: undefined};
  }
}

function checkPermissions(home: string): DoctorCheck {
  if (process.platform === 'win32') return {check: 'permissions', status: 'ok', message: 'file modes are not checked on Windows'};
  const journal = journalPath(home);
  const wanted: [string, number][] = [
    [home, 0o700],
    [configPath(home), 0o600],
    [journal, 0o600],
    [`${journal}-wal`, 0o600],
    [`${journal}-shm`, 0o600],
  ];
  const loose: {path: string; mode: string; expected: string}[] = [];
  const seen: Record<string, string> = {};
  for (const [path, expected] of wanted) {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      continue; // absent files are another check's business
    }
    seen[path] = octal(mode);
    if ((mode & 0o077) !== 0) loose.push({path, mode: octal(mode), expected: octal(expected)});
  }
  if (loose.length === 0) return {check: 'permissions', status: 'ok', message: 'XARB_HOME 0700, config and journal 0600 (or absent)', detail: {modes: seen}};
  return {
    check: 'permissions',
    status: 'warn',
    message: `readable by others: ${loose.map((l) => `${l.path} ${l.mode} (want ${l.expected}; chmod ${l.expected} ${l.path})`).join(', ')}`,
    detail: {loose, modes: seen},
  };
}

/** The PostgreSQL journal (journal.url / XARB_JOURNAL_URL): reachable, a journal, at a known version. */
function checkPgJournal(url: string): DoctorCheck[] {
  const found = inspectPgJournal(url);
  const detail = {path: found.path, state: found.state, version: found.version ?? null, latest: found.latest, id: found.id ?? null};
  switch (found.state) {
    case 'ok':
      return [{check: 'journal', status: 'ok', message: `PostgreSQL journal ${found.path}: schema version ${found.version}${(found.version ?? 0) < found.latest ? ` (will be migrated to ${found.latest})` : ''}`, detail}];
    case 'empty':
      return [{check: 'journal', status: 'ok', message: `PostgreSQL journal ${found.path}: no tables yet; the first command that needs it creates them`, detail}];
    case 'newer':
      return [{check: 'journal', status: 'fail', message: `PostgreSQL journal schema version ${found.version} is newer than this xarb knows (${found.latest}): upgrade xarb`, detail}];
    case 'not_journal':
      return [{check: 'journal', status: 'fail', message: `${found.path} holds tables but is not an xarb journal: choose another schema (?schema=name)`, detail}];
    default:
      return [{check: 'journal', status: 'fail', message: `PostgreSQL journal unreachable: ${found.problems[0] ?? 'no answer'}`, detail}];
  }
}

function checkJournal(home: string, config: XarbConfig | undefined, options: DoctorOptions): DoctorCheck[] {
  const url = options.env.XARB_JOURNAL_URL?.trim() || config?.journal?.url;
  if (url) return checkPgJournal(url);
  const path = journalPath(home);
  const found = inspectJournal(path);
  const marker = config?.journal;
  const checks: DoctorCheck[] = [];
  const detail = {path, state: found.state, version: found.version ?? null, latest: found.latest, bytes: found.bytes, id: found.id ?? null};
  switch (found.state) {
    case 'ok': {
      const behind = (found.version ?? 0) < found.latest;
      const mismatch = marker?.id !== undefined && found.id !== undefined && marker.id !== found.id;
      checks.push({
        check: 'journal',
        status: mismatch ? 'warn' : 'ok',
        message: mismatch
          ? `journal ${found.id} is not the one config.json records (${marker!.id}): was another journal copied in?`
          : `journal passes the quick integrity check; schema version ${found.version}${behind ? ` (will be migrated to ${found.latest}, with a backup first)` : ''}`,
        detail,
      });
      break;
    }
    case 'missing':
      checks.push(
        marker?.id
          ? {check: 'journal', status: 'fail', message: `journal ${path} is missing; config records journal ${marker.id} created ${marker.createdAt}: restore it from a backup, or \`xarb journal init\``, detail}
          : {check: 'journal', status: 'ok', message: 'no journal yet; the first command that needs it creates one', detail},
      );
      return checks;
    case 'empty':
      checks.push({check: 'journal', status: 'fail', message: `journal ${path} is empty: restore it from a backup, or \`xarb journal init\``, detail});
      return checks;
    case 'newer':
      checks.push({check: 'journal', status: 'fail', message: `journal schema version ${found.version} is newer than this xarb knows (${found.latest}): upgrade xarb`, detail});
      return checks;
    case 'not_journal':
      checks.push({check: 'journal', status: 'fail', message: `${path} is not an xarb journal`, detail});
      return checks;
    default:
      checks.push({check: 'journal', status: 'fail', message: `journal ${found.state}: ${found.problems.slice(0, 3).join('; ')}`, detail: {...detail, problems: found.problems}});
      return checks;
  }
  const db = openDb(path, {readonly: true});
  try {
    // Lock leases and the retention record arrived with the lifecycle migration; an older journal gets them on next use.
    if ((found.version ?? 0) >= lifecycle.version) {
      const host = options.host ?? hostname();
      const locks = listLocks(db).map((l) => ({...l, status: lockStatus(l, {host, clock: options.clock})}));
      const describe = (l: (typeof locks)[number]) =>
        `${l.name} by pid ${l.pid} on ${l.host} since ${new Date(l.acquiredAt).toISOString()}, lease until ${new Date(l.leaseUntil).toISOString()}${l.status === 'held' ? '' : ` (${l.status}: the next run takes it over)`}`;
      const held = locks.filter((l) => l.status === 'held');
      const leftover = locks.filter((l) => l.status !== 'held');
      checks.push({
        check: 'locks',
        status: leftover.length > 0 ? 'warn' : 'ok',
        message: locks.length === 0 ? 'no locks held' : locks.map(describe).join('; '),
        detail: {
          held: held.length,
          locks: locks.map((l) => ({name: l.name, pid: l.pid, host: l.host, acquiredAt: new Date(l.acquiredAt).toISOString(), leaseUntil: new Date(l.leaseUntil).toISOString(), status: l.status})),
        },
      });
      const last = lastPruneAt(db);
      const stale = last === undefined || options.clock.now() - last > 2 * 86_400_000;
      const auto = config?.journal?.autoPrune !== false;
      checks.push({
        check: 'retention',
        status: stale && auto ? 'warn' : 'ok',
        message: `retention last ran ${last === undefined ? 'never' : new Date(last).toISOString()}${auto ? ' (automatic, at most once a day)' : ' (automatic pruning is off: run `xarb journal prune`)'}`,
        detail: {lastPruneAt: last === undefined ? null : new Date(last).toISOString(), autoPrune: auto},
      });
    }
  } finally {
    db.close();
  }
  return checks;
}

function checkKeys(config: XarbConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  return Object.entries(config.venues)
    .filter(([, v]) => v.mode === 'live')
    .map(([name, v]): DoctorCheck => {
      try {
        const keys = loadCredentials(name, v, env);
        return keys
          ? {check: `keys:${name}`, status: 'ok', message: `${name}: keys present (${v.keysFile ? 'keysFile' : 'environment'})`}
          : {check: `keys:${name}`, status: 'fail', message: `${name} is live but has no keys: set XARB_<VENUE>_API_KEY and _SECRET, or keysFile`};
      } catch (error) {
        return {check: `keys:${name}`, status: 'fail', message: `${name}: ${messageOf(error)}`};
      }
    });
}

async function checkClock(name: string, config: VenueConfig, options: DoctorOptions): Promise<DoctorCheck> {
  const check = `clock:${name}`;
  let venue: Venue | undefined;
  try {
    venue = await options.openVenue!(name, config);
    if (!venue.fetchServerTime) return {check, status: 'ok', message: `${name}: does not publish its time (skew not measured)`, detail: {skewMs: null}};
    const before = options.clock.now();
    const server = await venue.fetchServerTime();
    const after = options.clock.now();
    if (server === undefined) return {check, status: 'ok', message: `${name}: does not publish its time (skew not measured)`, detail: {skewMs: null}};
    // The server read its clock somewhere during the round trip: compare with the midpoint. A simulated
    // venue reads this host's own clock, so its skew is 0 by definition (the midpoint would only add the
    // rounding of a slow round trip, as under load).
    const skewMs = venue.info.simulated ? 0 : Math.round(server - (before + after) / 2);
    const rttMs = after - before;
    const size = Math.abs(skewMs);
    const status: CheckStatus = size > SKEW_FAIL_MS ? 'fail' : size > SKEW_WARN_MS ? 'warn' : 'ok';
    const simulated = venue.info.simulated ? ' (simulated venue: local clock)' : '';
    return {check, status, message: `${name}: clock skew ${skewMs} ms (round trip ${rttMs} ms)${simulated}${status === 'ok' ? '' : '; sync this host with NTP'}`, detail: {skewMs, rttMs, simulated: venue.info.simulated}};
  } catch (error) {
    return {check, status: 'fail', message: `${name}: could not read the venue's time: ${messageOf(error)}`};
  } finally {
    await venue?.close().catch(() => undefined);
  }
}

/** Runs every check; never throws for what it checks. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const native = checkNative();
  checks.push(native);
  const {check: configCheck, config} = checkConfig(options.home);
  checks.push(configCheck);
  checks.push(checkPermissions(options.home));
  if (native.status === 'ok') checks.push(...checkJournal(options.home, config, options));
  if (config) checks.push(...checkKeys(config, options.env));
  const configs = options.venueConfigs ?? {};
  if (options.openVenue && options.venues) {
    checks.push(...(await Promise.all(options.venues.filter((n) => configs[n]).map((n) => checkClock(n, configs[n]!, options)))));
  }
  const counts = {ok: 0, warn: 0, fail: 0};
  for (const c of checks) counts[c.status]++;
  const ok = counts.warn === 0 && counts.fail === 0;
  return {ok, home: options.home, checks, counts, exitCode: ok ? ExitCode.ok : ExitCode.unexpected};
}
