/**
 * The journal's lifecycle on real SQLite files in a temp folder: opening
 * guards (never silently replaced), the backup before a migration, init,
 * retention, backups, stats and the export iterators.
 */
import {createHash} from 'node:crypto';
import {closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {UsageError} from '../../src/core/errors.js';
import {LATEST_VERSION, openDb, type Db} from '../../src/core/journal/db.js';
import {ExportRepo} from '../../src/core/journal/exports.js';
import {backupTo, DEFAULT_RETENTION, journalStats, lastPruneAt, prune, pruneIfDue} from '../../src/core/journal/maintenance.js';
import {checkHealth} from '../../src/core/journal/meta.js';
import {migrations} from '../../src/core/journal/migrations/index.js';
import {initJournal, inspectJournal, INTEGRITY_CHECK_EVERY_MS, JournalEmptyError, JournalInvalidError, JournalMissingError, openJournal} from '../../src/core/journal/open.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {RiskStateRepo} from '../../src/core/journal/risk-state.js';
import {exportJournal} from '../../src/core/export/index.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';

const DAY = 86_400_000;
const clock = (t: number) => ({now: () => t});
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
const keep = (db: Db) => (open.push(db), db);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'xarb-life-'));
}

describe('openJournal: never silently replaced', () => {
  it('creates the first journal 0600 with an id, and opens it again as the same journal', () => {
    const path = join(tempDir(), 'journal.db');
    const first = openJournal({path, clock: clock(1_000)});
    expect(first.created).toBe(true);
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.createdAt).toBe(new Date(1_000).toISOString());
    new RiskStateRepo(first.db, clock(2_000)).set('halted', 'test');
    first.db.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..')).filter((f) => f.includes('.new-'))).toEqual([]);
    const again = keep(openJournal({path, marker: {id: first.id, createdAt: first.createdAt}}).db);
    expect(new RiskStateRepo(again, clock(0)).get().state).toBe('halted');
  });

  it('refuses a missing journal that config records, and an empty one (0 bytes or no tables)', () => {
    const dir = tempDir();
    const path = join(dir, 'journal.db');
    const marker = {id: '0a7dc8fe-947c-4981-8065-e44d38639c72', createdAt: '2026-01-01T00:00:00.000Z'};
    expect(() => openJournal({path, marker})).toThrow(JournalMissingError);
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, '');
    expect(() => openJournal({path})).toThrow(JournalEmptyError);
    expect(statSync(path).size).toBe(0);
    const other = join(dir, 'tables.db');
    openDb(other, {migrate: false}).close(); // a SQLite file without tables
    expect(inspectJournal(other).state).toBe('empty');
    expect(() => openJournal({path: other})).toThrow(JournalEmptyError);
  });

  it('refuses a SQLite file that is not an xarb journal, a corrupt file and a newer schema, writing nothing', () => {
    const dir = tempDir();
    const foreign = join(dir, 'foreign.db');
    const db = openDb(foreign, {migrate: false});
    db.exec('CREATE TABLE notes (x)');
    db.close();
    const before = statSync(foreign).mtimeMs;
    expect(() => openJournal({path: foreign})).toThrow(JournalInvalidError);
    expect(statSync(foreign).mtimeMs).toBe(before);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'x'.repeat(8192));
    expect(inspectJournal(garbage).state).toBe('corrupt');
    expect(() => openJournal({path: garbage})).toThrow(JournalInvalidError);
    const newer = join(dir, 'newer.db');
    openDb(newer, {migrations: [...migrations, {version: migrations.length + 1, name: 'future', up: 'CREATE TABLE future (x)'}]}).close();
    expect(inspectJournal(newer).state).toBe('newer');
    expect(() => openJournal({path: newer})).toThrow(/newer than this xarb/);
  });

  it('a journal refused while its WAL still holds writes (a crash) is left byte for byte as it was', () => {
    const dir = tempDir();
    const live = join(dir, 'live.db');
    openJournal({path: live, clock: clock(Date.UTC(2026, 0, 5))}).db.close();
    // A writer that dies before any checkpoint: its last write (a schema version newer than this build) is only in the WAL.
    const writer = openDb(live, {migrate: false});
    writer.exec('PRAGMA wal_autocheckpoint = 0');
    writer.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run([LATEST_VERSION + 1, 'future', 1]);
    const crashed = join(dir, 'crashed.db');
    for (const suffix of ['', '-wal']) copyFileSync(`${live}${suffix}`, `${crashed}${suffix}`);
    writer.close();
    expect(statSync(`${crashed}-wal`).size).toBeGreaterThan(0);
    const digest = () => ['', '-wal'].map((suffix) => createHash('sha256').update(readFileSync(`${crashed}${suffix}`)).digest('hex'));
    const before = digest();
    expect(() => openJournal({path: crashed})).toThrow(/newer than this xarb/);
    expect(digest()).toEqual(before);
  });

  it('a journal with a damaged page fails the quick integrity check', () => {
    const path = join(tempDir(), 'journal.db');
    const db = openDb(path);
    new OrdersRepo(db, clock(1)).recordFills('v', Array.from({length: 400}, (_, i) => ({id: `t${i}`, orderId: 'o1', clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy' as const, price: '1', amount: '1', fee: undefined, takerOrMaker: undefined, timestamp: i})), {origin: 'external'});
    db.close();
    // Overwrite the middle of the file (table and index pages) with junk.
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const found = inspectJournal(path);
    expect(found.state).toBe('corrupt');
    expect(found.problems.length).toBeGreaterThan(0);
  });

  it('opening re-runs the quick check at most hourly (doctor always runs it); damage is refused once it is due', () => {
    const path = join(tempDir(), 'journal.db');
    const t0 = Date.UTC(2026, 0, 1);
    const created = openJournal({path, clock: clock(t0)});
    new OrdersRepo(created.db, clock(1)).recordFills('v', Array.from({length: 400}, (_, i) => ({id: `t${i}`, orderId: 'o1', clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy' as const, price: '1', amount: '1', fee: undefined, takerOrMaker: undefined, timestamp: i})), {origin: 'external'});
    created.db.close();
    openJournal({path, clock: clock(t0 + 1_000)}).db.close(); // checked and recorded
    expect(inspectJournal(path, {skipCheckIfSince: t0}).checked).toBe(false);
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    expect(inspectJournal(path).state).toBe('corrupt');
    expect(() => openJournal({path, clock: clock(t0 + 1_000 + INTEGRITY_CHECK_EVERY_MS)})).toThrow(JournalInvalidError);
  });

  it('backs an older journal up before migrating it, named with its version', () => {
    const dir = tempDir();
    const path = join(dir, 'journal.db');
    const old = openDb(path, {migrations: migrations.slice(0, 6)});
    new RiskStateRepo(old, clock(5)).set('halted', 'before upgrade');
    old.close();
    const opened = openJournal({path, clock: clock(Date.UTC(2026, 0, 2, 3, 4, 5))});
    keep(opened.db);
    expect(opened.migratedFrom).toBe(6);
    expect(opened.backup).toBe(join(dir, 'journal.db.v6-20260102T030405Z.bak'));
    expect(statSync(opened.backup!).mode & 0o777).toBe(0o600);
    const copy = keep(openDb(opened.backup!, {readonly: true}));
    expect(checkHealth(copy)).toMatchObject({version: 6, problems: []});
    expect(new RiskStateRepo(copy, clock(0)).get()).toMatchObject({state: 'halted', reason: 'before upgrade'});
    expect(checkHealth(opened.db).version).toBe(LATEST_VERSION);
    // Up to date: no second backup.
    opened.db.close();
    open.length = 0;
    const again = openJournal({path});
    keep(again.db);
    expect(again.backup).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('init starts a journal where it is missing or empty; an existing one is kept unless --force moves it aside', () => {
    const dir = tempDir();
    const path = join(dir, 'journal.db');
    writeFileSync(path, '');
    const first = initJournal({path});
    new RiskStateRepo(first.db, clock(1)).set('halted');
    first.db.close();
    expect(() => initJournal({path})).toThrow(UsageError);
    const second = initJournal({path, force: true, clock: clock(Date.UTC(2026, 5, 1))});
    keep(second.db);
    expect(second.id).not.toBe(first.id);
    expect(new RiskStateRepo(second.db, clock(0)).get().state).toBe('active');
    expect(second.movedAside).toBe(`${path}.replaced-20260601T000000Z`);
    const moved = keep(openDb(second.movedAside!, {readonly: true}));
    expect(new RiskStateRepo(moved, clock(0)).get().state).toBe('halted');
  });
});

describe('retention', () => {
  function seeded(now: number): Db {
    const db = keep(openDb(join(tempDir(), 'journal.db')));
    const price = db.prepare('INSERT INTO price_snapshots (ts, venue, symbol, bid, ask, quote_ts) VALUES (?, ?, ?, 1, 2, ?)');
    const latency = db.prepare("INSERT INTO latency (venue, op, ms, ts) VALUES ('v', 'fetchQuotes', 12, ?)");
    for (const age of [40, 31, 29, 1]) price.run([now - age * DAY, 'v', 'BTC/USD', now - age * DAY]);
    for (const age of [10, 8, 6]) latency.run([now - age * DAY]);
    const opp = db.prepare("INSERT INTO arb_opportunities (key, kind, symbol, sell_symbol, buy_venue, sell_venue, quote, first_seen, last_seen, sightings, best_net_bps, last_net_bps, best_net_profit, max_size) VALUES ('k', 'cross', 'BTC/USD', 'BTC/USD', 'a', 'b', 'USD', 0, 0, 1, 1, 1, 1, 1)").run();
    const obs = db.prepare('INSERT INTO arb_observations (opportunity_id, ts, net_bps, top_bps, size, net_profit) VALUES (?, ?, 1, 1, 1, 1)');
    for (const age of [45, 2]) obs.run([opp.lastInsertRowid, now - age * DAY]);
    // Balance runs: venue a answers at 400 and 10 days; venue b answered last at 500 days.
    const run = db.prepare("INSERT INTO balance_runs (ts, quote, method, total_value, partial, all_venues) VALUES (?, 'USD', 'mid', '1', 0, 1)");
    const snap = db.prepare("INSERT INTO balance_snapshots (run_id, venue, ts, status, value) VALUES (?, ?, ?, ?, '1')");
    const asset = db.prepare("INSERT INTO balance_snapshot_assets (snapshot_id, asset, free, used, total) VALUES (?, 'BTC', '1', '0', '1')");
    const add = (age: number, venue: string, status: string) => {
      const r = run.run([now - age * DAY]).lastInsertRowid;
      const s = snap.run([r, venue, now - age * DAY, status]).lastInsertRowid;
      if (status === 'ok') asset.run([s]);
    };
    add(500, 'b', 'ok');
    add(450, 'b', 'failed');
    add(400, 'a', 'ok');
    add(10, 'a', 'ok');
    return db;
  }

  it('deletes only what is older than each setting, keeps each venue\'s newest good balance snapshot, and records the run', () => {
    const now = Date.UTC(2026, 11, 1);
    const db = seeded(now);
    const result = prune(db, DEFAULT_RETENTION, clock(now));
    expect(result.deleted).toEqual({price_snapshots: 2, arb_observations: 1, latency: 2, balance_runs: 2, balance_snapshots: 2, balance_snapshot_assets: 1});
    const count = (sql: string) => db.prepare<{n: number}>(sql).get()!.n;
    expect(count('SELECT COUNT(*) AS n FROM price_snapshots')).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM latency')).toBe(1);
    expect(count('SELECT COUNT(*) AS n FROM arb_opportunities')).toBe(1);
    expect(db.prepare<{venue: string}>('SELECT venue FROM balance_snapshots ORDER BY ts').all().map((r) => r.venue)).toEqual(['b', 'a']);
    expect(lastPruneAt(db)).toBe(now);
    // 0 keeps forever.
    const kept = prune(db, {...DEFAULT_RETENTION, priceSnapshotsDays: 0}, clock(now + 100 * DAY));
    expect(kept.deleted.price_snapshots).toBe(0);
    expect(kept.cutoffs.price_snapshots).toBeNull();
  });

  it('runs automatically at most once a day', () => {
    const now = Date.UTC(2026, 11, 1);
    const db = seeded(now);
    expect(pruneIfDue(db, DEFAULT_RETENTION, clock(now))).toBeDefined();
    db.prepare('INSERT INTO price_snapshots (ts, venue, symbol, quote_ts) VALUES (?, ?, ?, ?)').run([now - 60 * DAY, 'v', 'X/Y', 0]);
    expect(pruneIfDue(db, DEFAULT_RETENTION, clock(now + DAY - 1))).toBeUndefined();
    expect(db.prepare<{n: number}>("SELECT COUNT(*) AS n FROM price_snapshots WHERE symbol = 'X/Y'").get()!.n).toBe(1);
    expect(pruneIfDue(db, DEFAULT_RETENTION, clock(now + DAY))?.deleted.price_snapshots).toBe(1);
  });
});

describe('backup and stats', () => {
  it('writes a consistent 0600 copy while the journal stays open, and never over an existing file', () => {
    const dir = tempDir();
    const db = keep(openDb(join(dir, 'journal.db')));
    new RiskStateRepo(db, clock(1)).set('halted', 'kept in the copy');
    const file = join(dir, 'copy.db');
    const result = backupTo(db, file);
    expect(result).toMatchObject({file, version: LATEST_VERSION});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const copy = keep(openDb(file, {readonly: true}));
    expect(new RiskStateRepo(copy, clock(0)).get()).toMatchObject({state: 'halted', reason: 'kept in the copy'});
    expect(() => backupTo(db, file)).toThrow(UsageError);
    expect(() => backupTo(db, join(dir, 'no', 'such', 'folder.db'))).toThrow(UsageError);
  });

  it('counts rows and bytes per table (measured with dbstat)', () => {
    const db = keep(openDb(join(tempDir(), 'journal.db')));
    const insert = db.prepare("INSERT INTO price_snapshots (ts, venue, symbol, bid, ask, quote_ts) VALUES (?, 'v', 'BTC/USD', 1, 2, 0)");
    db.tx(() => {
      for (let i = 0; i < 2_000; i++) insert.run([i]);
    });
    const stats = journalStats(db);
    expect(stats.method).toBe('dbstat');
    const price = stats.tables.find((t) => t.table === 'price_snapshots')!;
    expect(price.rows).toBe(2_000);
    expect(stats.tables[0]!.table).toBe('price_snapshots');
    expect(price.bytes).toBeGreaterThan(2_000 * 20);
    expect(stats.tables.reduce((n, t) => n + t.bytes, 0)).toBeLessThanOrEqual(stats.pages * stats.pageSize);
  });
});

describe('export iterators', () => {
  it('stream fills oldest first within the window and venues; the PnL ledger replays earlier fills', () => {
    const db = keep(openDb(join(tempDir(), 'journal.db')));
    const orders = new OrdersRepo(db, clock(0));
    const fill = (id: string, side: 'buy' | 'sell', amount: string, price: string, ts: number, fee?: {cost: string; currency: string}) => ({id, orderId: `o${id}`, clientOrderId: undefined, takerOrMaker: undefined, symbol: 'BTC/USD', side, amount, price, timestamp: ts, fee});
    orders.recordFills('a', [fill('1', 'buy', '0.3', '100.10', 1_000, {cost: '0.03', currency: 'USD'}), fill('3', 'sell', '0.1', '120.5', 3_000)], {origin: 'external'});
    orders.recordFills('b', [fill('2', 'buy', '0.1', '110.30', 2_000)], {origin: 'external'});
    const repo = new ExportRepo(db);
    expect([...repo.fills()].map((f) => [f.venue, f.tradeId])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]);
    expect([...repo.fills({since: 1_500, until: 2_500})].map((f) => f.tradeId)).toEqual(['2']);
    expect([...repo.fills({venues: ['a']})].map((f) => f.tradeId)).toEqual(['1', '3']);
    // Valued in USD, the fills' own quote: no conversion needed (export pnl takes its valuation since it follows `xarb pnl`).
    const pnl = [...exportJournal(db, 'pnl', {since: 2_500}, {pnl: {quote: 'USD', pricer: createPricer([])}}).rows];
    // Average entry of 0.4 BTC: (0.3 x 100.10 + 0.1 x 110.30) / 0.4 = 102.65; 0.1 sold at 120.5 realizes 1.785.
    expect(pnl).toEqual([
      expect.objectContaining({time: new Date(3_000).toISOString(), venue: 'a', side: 'sell', realized: '1.785', position: '0.3', average_entry: '102.65', quote: 'USD'}),
    ]);
  });
});
