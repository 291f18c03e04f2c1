/**
 * The journal's lifecycle end to end on the built CLI in a temp XARB_HOME:
 * private file modes, refusing a missing or emptied journal (with the kill
 * switch intact once it is restored), `journal init`, the backup before a
 * migration, and `journal prune|backup|stats`.
 */
import {chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {migrations} from '../../src/core/journal/migrations/index.js';
import {RiskStateRepo} from '../../src/core/journal/risk-state.js';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});
const mode = (path: string) => statSync(path).mode & 0o777;

function withJournal<T>(home: string, fn: (db: Db) => T, options: {readonly?: boolean} = {}): T {
  const db = openDb(join(home, 'journal.db'), {readonly: options.readonly ?? true, migrate: false});
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('journal lifecycle (built CLI)', () => {
  it('a new home is private: XARB_HOME 0700, journal and config 0600; doctor passes, then flags a looser mode', async () => {
    const home = join(tempHome(), 'nested', 'xarb');
    expect((await run(home, 'risk', 'show')).code).toBe(0);
    expect(mode(home)).toBe(0o700);
    expect(mode(join(home, 'journal.db'))).toBe(0o600);
    expect(mode(join(home, 'config.json'))).toBe(0o600);
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    expect(config.journal).toMatchObject({id: expect.stringMatching(/^[0-9a-f-]{36}$/), createdAt: expect.any(String)});
    // A config edit keeps the file private and the journal record.
    expect((await run(home, 'config', 'set', 'valuationQuote', 'USDT')).code).toBe(0);
    expect(mode(join(home, 'config.json'))).toBe(0o600);

    const ok = await run(home, 'doctor', '--json');
    expect(ok.code, ok.stdout).toBe(0);
    const report = json(ok);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: any) => c.check)).toEqual(expect.arrayContaining(['native', 'config', 'permissions', 'journal', 'locks', 'retention', 'clock:simbit']));
    expect(report.checks.find((c: any) => c.check === 'journal').detail).toMatchObject({state: 'ok', version: migrations.length});
    expect(report.checks.find((c: any) => c.check === 'clock:simbit').detail).toMatchObject({skewMs: 0, simulated: true});

    chmodSync(join(home, 'journal.db'), 0o644);
    const loose = await run(home, 'doctor', '--offline');
    expect(loose.code).toBe(1);
    expect(loose.stdout).toMatch(/^warn .*journal\.db 644 \(want 600/m);
    expect(loose.stdout).not.toMatch(/clock skew/);
  });

  it('an emptied journal is refused (exit 1, nothing sent) and the kill switch is intact after restoring it', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'halt', '--reason', 'incident')).code).toBe(0);
    const journal = join(home, 'journal.db');
    const saved = join(home, 'saved.db');
    copyFileSync(journal, saved);
    truncateSync(journal, 0);

    const order = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--json');
    expect(order.code).toBe(1);
    expect(json(order).error).toMatchObject({name: 'JournalEmptyError', exitCode: 1});
    expect(order.stderr).toMatch(/hint: restore it from a backup/);
    expect(statSync(journal).size).toBe(0);
    expect((await run(home, 'risk', 'show')).code).toBe(1);
    const doctor = json(await run(home, 'doctor', '--offline', '--json'));
    expect(doctor.checks.find((c: any) => c.check === 'journal')).toMatchObject({status: 'fail', detail: {state: 'empty'}});

    copyFileSync(saved, journal);
    const shown = await run(home, 'risk', 'show', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown).state).toMatchObject({state: 'halted', reason: 'incident'});
    const denied = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--json');
    expect(denied.code).toBe(3);
  });

  it('a missing journal that config records is refused; `journal init` starts over only when asked', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'halt')).code).toBe(0);
    const before = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).journal.id;
    rmSync(join(home, 'journal.db'));
    const refused = await run(home, 'risk', 'show', '--json');
    expect(refused.code).toBe(1);
    expect(json(refused).error.name).toBe('JournalMissingError');
    expect(existsSync(join(home, 'journal.db'))).toBe(false);

    const init = await run(home, 'journal', 'init', '--json');
    expect(init.code, init.stderr).toBe(0);
    const created = json(init);
    expect(created.id).not.toBe(before);
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).journal.id).toBe(created.id);
    expect(json(await run(home, 'risk', 'show', '--json')).state.state).toBe('active');
    expect(mode(join(home, 'journal.db'))).toBe(0o600);

    const again = await run(home, 'journal', 'init', '--json');
    expect(again.code).toBe(2);
    const forced = await run(home, 'journal', 'init', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(json(forced).movedAside)).toBe(true);
  });

  it('backs the journal up before migrating it, named with the old schema version', async () => {
    const home = tempHome();
    const old = openDb(join(home, 'journal.db'), {migrations: migrations.slice(0, 6)});
    new RiskStateRepo(old, {now: () => 1}).set('halted', 'from v6');
    old.close();
    const shown = await run(home, 'risk', 'show', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown).state).toMatchObject({state: 'halted', reason: 'from v6'});
    const backups = readdirSync(home).filter((f) => /^journal\.db\.v6-\d{8}T\d{6}Z\.bak$/.test(f));
    expect(backups).toHaveLength(1);
    const copy = openDb(join(home, backups[0]!), {readonly: true});
    expect(copy.prepare<{v: number}>('SELECT MAX(version) AS v FROM schema_version').get()!.v).toBe(6);
    copy.close();
    expect(withJournal(home, (db) => db.prepare<{v: number}>('SELECT MAX(version) AS v FROM schema_version').get()!.v)).toBe(migrations.length);
    // Nothing left to migrate: no second backup.
    await run(home, 'risk', 'show');
    expect(readdirSync(home).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('journal prune, stats and backup', async () => {
    const home = tempHome();
    expect((await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit')).code).toBe(0);
    const now = Date.now();
    withJournal(
      home,
      (db) => {
        const insert = db.prepare("INSERT INTO price_snapshots (ts, venue, symbol, bid, ask, quote_ts) VALUES (?, 'simbit', 'BTC/USD', 1, 2, ?)");
        db.tx(() => {
          for (let i = 0; i < 50; i++) insert.run([now - 40 * 86_400_000 - i, 0]);
          for (let i = 0; i < 7; i++) insert.run([now - i, 0]);
        });
      },
      {readonly: false},
    );
    const pruned = await run(home, 'journal', 'prune', '--json');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(json(pruned).deleted.price_snapshots).toBe(50);
    expect(json(pruned).retention).toMatchObject({priceSnapshotsDays: 30});
    expect((await run(home, 'config', 'set', 'journal.retention.priceSnapshotsDays', '-3')).code).toBe(2);

    const stats = await run(home, 'journal', 'stats', '--json');
    expect(stats.code, stats.stderr).toBe(0);
    const tables = Object.fromEntries(json(stats).tables.map((t: any) => [t.table, t]));
    expect(json(stats).method).toBe('dbstat');
    expect(tables.price_snapshots.rows).toBe(7);
    expect(tables.orders.rows).toBe(1);
    expect(tables.orders.bytes).toBeGreaterThan(0);
    expect(json(stats).lastPruneAt).not.toBeNull();

    const file = join(tempHome(), 'backup.db');
    const backup = await run(home, 'journal', 'backup', file, '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(mode(file)).toBe(0o600);
    const copy = openDb(file, {readonly: true});
    expect(copy.prepare<{n: number}>('SELECT COUNT(*) AS n FROM orders').get()!.n).toBe(1);
    expect(copy.prepare<{r: string}>('PRAGMA quick_check').get()).toEqual({quick_check: 'ok'});
    copy.close();
    const twice = await run(home, 'journal', 'backup', file, '--json');
    expect(twice.code).toBe(2);
    expect(json(twice).error.message).toMatch(/already exists/);
  });
});
