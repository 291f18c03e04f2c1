import {mkdtempSync, realpathSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {JournalError, migrate, openDb, packageDir} from '../../src/core/journal/db.js';
import {migrations} from '../../src/core/journal/migrations/index.js';
import {PriceSnapshotsRepo} from '../../src/core/journal/price-snapshots.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'xarb-db-')), 'journal.db');
}

describe('journal database', () => {
  it('finds the SQLite package where Node resolves it from there', () => {
    const resolved = createRequire(new URL('../../src/core/journal/db.ts', import.meta.url)).resolve('better-sqlite3');
    expect(realpathSync(packageDir())).toBe(realpathSync(join(dirname(resolved), '..')));
  });

  it('migrates a new file to the latest version in WAL mode', () => {
    const path = tempPath();
    const db = openDb(path);
    const v = db.prepare<{v: number}>('SELECT MAX(version) AS v FROM schema_version').get();
    expect(v?.v).toBe(migrations.length);
    expect(db.prepare<{journal_mode: string}>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    db.close();
    // Re-opening applies nothing.
    const again = openDb(path);
    expect(migrate(again, migrations)).toBe(0);
    again.close();
  });

  it('two processes opening a new journal at once apply each migration once', async () => {
    const {spawn} = await import('node:child_process');
    const path = tempPath();
    const script = `import('${new URL('../../src/core/journal/db.ts', import.meta.url).href}').then((m) => { m.openDb(process.argv[1]).close(); })`;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, path], {stdio: 'ignore'});
        child.on('exit', resolve);
      });
    const codes = await Promise.all([run(), run(), run()]);
    expect(codes).toEqual([0, 0, 0]);
    const db = openDb(path);
    const rows = db.prepare<{n: number; v: number}>('SELECT COUNT(*) AS n, MAX(version) AS v FROM schema_version').get()!;
    expect(rows).toEqual({n: migrations.length, v: migrations.length});
    db.close();
  });

  it('refuses gaps in the migration list', () => {
    const db = openDb(':memory:', {migrations: []});
    expect(() => migrate(db, [{version: 1, name: 'a', up: ''}, {version: 3, name: 'c', up: ''}])).toThrow(JournalError);
  });

  it('refuses a journal newer than this build', () => {
    const path = tempPath();
    openDb(path, {migrations: [{version: 1, name: 'a', up: 'CREATE TABLE a (x)'}, {version: 2, name: 'b', up: 'CREATE TABLE b (x)'}]}).close();
    expect(() => openDb(path, {migrations: [{version: 1, name: 'a', up: 'CREATE TABLE a (x)'}]})).toThrow(/newer/);
  });

  it('rolls a failing migration back whole', () => {
    const db = openDb(':memory:', {migrations: []});
    expect(() => migrate(db, [{version: 1, name: 'bad', up: 'CREATE TABLE t (x); INSERT INTO nope VALUES (1);'}])).toThrow();
    expect(db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(['t'])).toBeUndefined();
    expect(db.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v).toBeNull();
  });

  it('keeps the event log append-only', () => {
    const db = openDb(':memory:');
    db.prepare("INSERT INTO events (ts, kind, data) VALUES (1, 'x', '{}')").run();
    expect(() => db.prepare("UPDATE events SET kind = 'y'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
  });

  it('records and reads price snapshots', () => {
    const db = openDb(':memory:');
    const repo = new PriceSnapshotsRepo(db);
    repo.record([
      {ts: 10, venue: 'a', symbol: 'BTC/USD', bid: 1, bidSize: 2, ask: 3, askSize: 4, quoteTs: 9},
      {ts: 20, venue: 'b', symbol: 'BTC/USD', bid: undefined, bidSize: undefined, ask: 3.5, askSize: 1, quoteTs: 20},
    ]);
    const rows = repo.since('BTC/USD', 15);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({venue: 'b', bid: undefined, ask: 3.5});
  });
});
