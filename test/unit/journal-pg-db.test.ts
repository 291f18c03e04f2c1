/**
 * The PostgreSQL journal's round-trip machinery (src/core/journal/pg/db.ts):
 * writes held back inside a transaction and sent with the next statement
 * whose result is needed, several statements pipelined in one round trip,
 * and Db.insertMany (COPY on PostgreSQL, one insert per row on SQLite). The
 * guarantees are those of one statement at a time: a batch that fails part
 * way rolls back the whole transaction and names the statement that failed.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {copyText, openPgDb} from '../../src/core/journal/pg/db.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {applyRepairs} from '../../src/core/reconcile/apply.js';
import type {VenueOrder} from '../../src/core/types.js';
import {journalKinds, openTestPgJournal, PG_URL, skipWithoutPostgres} from '../support/postgres.js';
import {startTcpProxy} from '../support/tcp-proxy.js';

const skip = await skipWithoutPostgres();

describe('COPY text', () => {
  it('escapes backslash, tab, newline and carriage return, and writes null as \\N', () => {
    expect(copyText([['a\tb', 'c\nd\re', 'back\\slash', null, 42, 7n]])).toBe('a\\tb\tc\\nd\\re\tback\\\\slash\t\\N\t42\t7\n');
  });
});

describe.skipIf(skip)('PostgreSQL journal: held-back writes and pipelined round trips', () => {
  let db: Db;
  afterEach(() => db?.close());
  const open = () => {
    db = openTestPgJournal('pgdb');
    db.exec('CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)');
    return db;
  };
  const ids = () => db.prepare<{id: number}>('SELECT id FROM t ORDER BY id').all().map((r) => r.id);

  it('a write that fails in a batch rolls the whole transaction back, and the error names that write, not the read that sent it', () => {
    open();
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    expect(() =>
      db.tx(() => {
        insert.run([1, 'a']);
        insert.run([1, 'duplicate']);
        insert.run([2, 'never run']);
        db.prepare('SELECT COUNT(*) AS n FROM t').get();
      }),
    ).toThrow(/INSERT INTO t \(id, v\) VALUES \(\$1, \$2\): duplicate key value violates unique constraint/);
    expect(ids()).toEqual([]);
  });

  it('a write that fails with the COMMIT rolls back everything before it', () => {
    open();
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    expect(() =>
      db.tx(() => {
        for (let i = 1; i <= 200; i++) insert.run([i, `row ${i}`]);
        insert.run([201, null]);
      }),
    ).toThrow(/INSERT INTO t .*null value in column "v"/);
    expect(ids()).toEqual([]);
    // The connection is usable afterwards, in and out of transactions.
    db.tx(() => insert.run([7, 'seven']));
    expect(ids()).toEqual([7]);
  });

  it("a held-back write's result is there when read: reading it sends it", () => {
    open();
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
    const events = db.prepare('INSERT INTO events (ts, kind, venue, ref, data) VALUES (?, ?, ?, ?, ?)');
    const [first, again, eventId] = db.tx(() => {
      const a = insert.run([1, 'a']);
      const b = insert.run([1, 'a again']);
      const e = events.run([1, 'test.event', null, null, '{}']);
      return [a.changes, b.changes, Number(e.lastInsertRowid)];
    });
    expect([first, again]).toEqual([1, 0]);
    expect(eventId).toBeGreaterThan(0);
    expect(db.prepare<{id: number}>('SELECT id FROM events WHERE kind = ?').get(['test.event'])?.id).toBe(eventId);
  });

  it('a nested scope that fails undoes its own writes, sent or still held back, and keeps the outer ones', () => {
    open();
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    db.tx(() => {
      insert.run([1, 'outer']);
      expect(() =>
        db.tx(() => {
          insert.run([2, 'inner, never sent']);
          throw new Error('inner scope fails');
        }),
      ).toThrow('inner scope fails');
      expect(() =>
        db.tx(() => {
          insert.run([3, 'inner, sent']);
          expect(db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM t').get()?.n).toBe(2);
          throw new Error('inner scope fails after a read');
        }),
      ).toThrow('inner scope fails after a read');
      insert.run([4, 'outer again']);
    });
    expect(ids()).toEqual([1, 4]);
  });

  it('a database error caught inside a transaction fails its commit instead of losing the writes quietly', () => {
    open();
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    expect(() =>
      db.tx(() => {
        insert.run([1, 'a']);
        try {
          void insert.run([1, 'duplicate']).changes;
        } catch {
          // carry on regardless: the transaction is aborted on the server
        }
      }),
    ).toThrow(/rolled back/);
    expect(ids()).toEqual([]);
  });

  it('what a transaction wrote is visible to another connection once tx returns', () => {
    open();
    const other = openPgDb(`${process.env.XARB_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'}?schema=${(db as unknown as {target: {schema: string}}).target.schema}`);
    try {
      db.tx(() => db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run([5, 'five']));
      expect(other.prepare<{v: string}>('SELECT v FROM t WHERE id = ?').get([5])?.v).toBe('five');
    } finally {
      other.close();
    }
  });
});

describe.skipIf(skip)('PostgreSQL journal: the connection lent to the calling thread', () => {
  let db: Db | undefined;
  let admin: Db | undefined;
  afterEach(() => {
    db?.close();
    admin?.close();
    db = admin = undefined;
  });
  /** Ends the journal's server session from another connection, as an administrator (or a failover) would. */
  const endSession = (journal: Db): void => {
    const pid = journal.prepare<{pid: number}>('SELECT pg_backend_pid() AS pid').get()!.pid;
    admin ??= openPgDb(PG_URL);
    expect(admin.prepare<{ok: boolean}>('SELECT pg_terminate_backend(?) AS ok').get([pid])).toEqual({ok: true});
    // The server has said so on the journal's socket once the session's process has ended.
    const ended = () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
        // Not allowed to look at the server's processes: gone from the server's list, and a moment for its last words.
        if (admin!.prepare<{n: number}>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ?').get([pid])!.n > 0) return false;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        return true;
      }
    };
    for (let i = 0; i < 400 && !ended(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(ended()).toBe(true);
  };

  it('a session ended while idle is made again for the next statement, and for the first round trip of a transaction', () => {
    db = openTestPgJournal('lent');
    db.exec('CREATE TABLE lent_probe (n INTEGER PRIMARY KEY)');
    endSession(db);
    expect(db.prepare<{one: number}>('SELECT 1 AS one').get()).toEqual({one: 1});
    endSession(db);
    // A transaction whose only round trip carries its COMMIT: the server had done nothing of it, so it goes again, once.
    db.tx(() => db!.prepare('INSERT INTO lent_probe (n) VALUES (?)').run([1]));
    expect(db.prepare<{n: number}>('SELECT n FROM lent_probe').all()).toEqual([{n: 1}]);
  });

  it('a session ended inside a transaction fails it: nothing of it is committed, and the next statement connects again', () => {
    db = openTestPgJournal('lent');
    db.exec('CREATE TABLE lent_probe (n INTEGER PRIMARY KEY)');
    expect(() =>
      db!.tx(() => {
        db!.prepare('INSERT INTO lent_probe (n) VALUES (?)').run([1]);
        db!.prepare('SELECT n FROM lent_probe').all(); // the first round trip: BEGIN and the insert are on the server
        endSession(db!);
        db!.prepare('INSERT INTO lent_probe (n) VALUES (?)').run([2]);
      }),
    ).toThrow(/terminat|lost/i);
    expect(db.prepare<{n: number}>('SELECT n FROM lent_probe').all()).toEqual([]);
  });

  /** test/support/pg-answer-wait.ts on a schema of its own (dropped after), started and ready for `go`. */
  const answerWait = async (url: string, mode: 'read' | 'quiet' | 'large', timeoutMs: number, statementTimeoutMs?: number) => {
    const schema = `answer_wait_${process.pid}_${Date.now().toString(36)}`;
    const target = new URL(url);
    target.searchParams.set('schema', schema);
    const args = [new URL('../support/pg-answer-wait.ts', import.meta.url).pathname, target.toString(), String(timeoutMs), mode, ...(statementTimeoutMs ? [String(statementTimeoutMs)] : [])];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    for (let i = 0; i < 1000 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(Number(stdout.trim()), stderr).toBeGreaterThan(0);
    return {
      go: () => child.stdin!.write('go\n'),
      exited,
      lines: () => stdout.trim().split('\n'),
      stderr: () => stderr,
      drop: () => {
        const cleanup = openPgDb(PG_URL);
        try {
          cleanup.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          cleanup.close();
        }
      },
    };
  };

  it('a server that stops answering at all, and cannot be reached to ask why, ends the process after the answer timeout, with a message', async () => {
    const proxy = await startTcpProxy({host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432)});
    try {
      const viaProxy = new URL(PG_URL);
      viaProxy.port = String(proxy.port);
      const run = await answerWait(viaProxy.toString(), 'read', 1500);
      try {
        proxy.silence();
        const started = Date.now();
        run.go();
        expect(await run.exited).toBe('SIGKILL');
        expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
        expect(run.stderr()).toMatch(/PostgreSQL journal has not answered for 2 s and cannot be reached to ask why; stopping/);
        expect(run.lines()).toHaveLength(1); // the read never returned
      } finally {
        run.drop();
      }
    } finally {
      await proxy.close();
    }
  });

  /** Runs `run` to its end: it exits 0 having read `row`. */
  const completes = async (run: Awaited<ReturnType<typeof answerWait>>, row: string) => {
    try {
      run.go();
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.lines()[1]).toBe(row);
    } finally {
      run.drop();
    }
  };

  it('a round trip the server answers only after longer than the answer timeout is waited for while the server says its session is there', async () => {
    await completes(await answerWait(PG_URL, 'quiet', 1000, 2000), '{"one":1}');
  });

  it('a request larger than the socket buffers take, with a large answer coming back meanwhile, completes', async () => {
    await completes(await answerWait(PG_URL, 'large', 3000), '{"n":1}');
  });

  it('a statement first used in a request that failed is parsed again when next used (the server skipped its parse)', () => {
    db = openTestPgJournal('lent');
    db.exec('CREATE TABLE lent_probe (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO lent_probe (n) VALUES (?)');
    db.tx(() => insert.run([1]));
    const count = db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM lent_probe');
    // The nested scope's savepoint (an unnamed statement) and the failing insert go with count's first use.
    expect(() => db!.tx(() => db!.tx(() => (insert.run([1]), count.get())))).toThrow(/duplicate key/);
    expect(count.get()).toEqual({n: 1});
  });
});

describe('Db.insertMany', () => {
  const kinds = journalKinds(() => mkdtempSync(join(tmpdir(), 'xarb-many-'))).filter((k) => k.name !== 'postgres' || !skip);
  const awkward = ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', 'unicode ✓ €', "quote ' and \""];

  for (const kind of kinds) {
    describe(kind.name, () => {
      let db: Db;
      afterEach(() => db?.close());
      const open = () => {
        db = kind.open('many');
        db.exec('CREATE TABLE m (k TEXT NOT NULL, n BIGINT, note TEXT, PRIMARY KEY (k))');
        return db;
      };
      const rows = () => db.prepare<{k: string; n: number | null; note: string | null}>('SELECT k, n, note FROM m ORDER BY n').all();

      it('inserts every value as given and skips keys already there or repeated in the batch', () => {
        open();
        expect(db.insertMany('m', ['k', 'n', 'note'], ['k'], [['old', 0, 'kept']])).toBe(1);
        const batch = awkward.map((text, i) => [`k${i}`, i + 1, text] as const);
        const n = db.insertMany('m', ['k', 'n', 'note'], ['k'], [...batch, ['old', 100, 'skipped'], ['k0', 101, 'skipped too'], ['nulls', 102, null]]);
        expect(n).toBe(awkward.length + 1);
        expect(rows()).toEqual([{k: 'old', n: 0, note: 'kept'}, ...batch.map(([k, i, note]) => ({k, n: i, note})), {k: 'nulls', n: 102, note: null}]);
      });

      it('joins the caller transaction: a rollback undoes it, and a failing row fails the whole call', () => {
        open();
        expect(() =>
          db.tx(() => {
            db.insertMany('m', ['k', 'n', 'note'], ['k'], [['a', 1, 'x']]);
            throw new Error('undo');
          }),
        ).toThrow('undo');
        expect(rows()).toEqual([]);
        expect(() => db.insertMany('m', ['k', 'n', 'note'], ['k'], [['b', 2, 'y'], [null, 3, 'no key']])).toThrow(kind.name === 'postgres' ? /COPY of 2 rows into m: .*null value in column "k"/ : /NOT NULL/);
        expect(rows()).toEqual([]);
        // Twice in one transaction: the second call sees only its own rows to insert.
        expect(db.tx(() => db.insertMany('m', ['k', 'n', 'note'], ['k'], [['c', 3, 'z']]) + db.insertMany('m', ['k', 'n', 'note'], ['k'], [['c', 4, 'dup'], ['d', 5, 'w']]))).toBe(2);
        expect(rows().map((r) => r.k)).toEqual(['c', 'd']);
      });

      it('refuses a table or column name that is not a plain identifier', () => {
        open();
        expect(() => db.insertMany('m; DROP TABLE m', ['k'], ['k'], [['a']])).toThrow(/not a journal table or column name/);
      });
    });
  }
});

describe.skipIf(skip)('PostgreSQL journal: what a transaction waits for (TxOptions.lock)', () => {
  let db: Db;
  let other: Db | undefined;
  afterEach(() => {
    other?.close();
    other = undefined;
    db?.close();
  });
  const clock = {now: () => Date.UTC(2026, 0, 5, 12)};
  /** The journal and a second connection to it (another host), whose statements give up after `timeoutMs`. */
  const open = (timeoutMs = 1000) => {
    db = openTestPgJournal('txlock');
    other = openPgDb(`${PG_URL}?schema=${(db as unknown as {target: {schema: string}}).target.schema}`, {statementTimeoutMs: timeoutMs});
    const order = new OrdersRepo(db, clock).insert({venue: 'a', clientOrderId: 'c1', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live'});
    return {here: new OrdersRepo(db, clock), there: new OrdersRepo(other, clock), order};
  };
  const answer = (over: Partial<VenueOrder> = {}): VenueOrder => ({id: 'v1', clientOrderId: 'c1', symbol: 'BTC/USD', side: 'buy', type: 'limit', status: 'open', amount: '1', filled: '0', price: '100', average: undefined, fees: [], timestamp: clock.now(), ...over});
  const timedOut = /statement timeout/;

  it("an order's status change commits while another host holds the journal lock; a transaction that needs the lock waits", () => {
    const {here, there, order} = open();
    db.tx(() => {
      here.riskUsage.usageAndState(); // the risk check's read: the journal lock is held from here to the commit
      expect(() => other!.tx(() => there.riskUsage.usageAndState())).toThrow(timedOut);
      expect(there.applyVenueOrder(order.id, answer({filled: '0.25'}))).toMatchObject({status: 'open', filled: '0.25', venueOrderId: 'v1'});
    });
    expect(here.get(order.id)).toMatchObject({status: 'open', filled: '0.25'});
    expect(here.usage().open).toEqual([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 1, remaining: '0.75'}]);
  });

  it("two hosts changing one order: the second waits for the first's row lock, then builds on its change", () => {
    const {here, there, order} = open();
    db.tx(() => {
      here.applyVenueOrder(order.id, answer({filled: '0.5'}));
      expect(() => there.markRejected(order.id, 'refused')).toThrow(timedOut);
    });
    // Once the first has committed, the second reads the row as changed: a fill is never lost to a stale read.
    expect(there.applyVenueOrder(order.id, answer({filled: '0.4'}))).toMatchObject({status: 'open', filled: '0.5'});
    expect(there.setStatus(order.id, 'canceled')).toMatchObject({status: 'canceled', filled: '0.5'});
    expect(here.usage().open).toEqual([]);
  });

  /** The SQL texts `db` prepares from now on. */
  const watch = (target: Db): string[] => {
    const seen: string[] = [];
    const prepare = target.prepare.bind(target);
    (target as {prepare: Db['prepare']}).prepare = <Row>(sql: string) => {
      seen.push(sql);
      return prepare<Row>(sql);
    };
    return seen;
  };

  it('a status change that assumes the order as last read does not read its row, and writes what the read would have', () => {
    const {here, order} = open();
    const seen = watch(db);
    const changed = db.tx(() => here.applyVenueOrder(order.id, answer({filled: '0.25', fees: [{cost: '0.1', currency: 'USD'}]}), {assumed: order}), {lock: 'rows'});
    expect(seen.some((sql) => /FOR UPDATE/.test(sql))).toBe(false);
    expect(seen.some((sql) => /xarb_expect/.test(sql))).toBe(true);
    expect(changed).toMatchObject({status: 'open', filled: '0.25', venueOrderId: 'v1', fees: [{cost: '0.1', currency: 'USD'}]});
    expect(here.get(order.id)).toEqual({...changed, updatedAt: changed.updatedAt});
    expect(here.usage().open).toEqual([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 1, remaining: '0.75'}]);
    // Alone (its own transaction) it assumes too; inside a transaction that holds the journal lock it reads.
    const next = here.applyVenueOrder(order.id, answer({filled: '0.5'}), {assumed: changed});
    expect(seen.some((sql) => /FOR UPDATE/.test(sql))).toBe(false);
    db.tx(() => here.markRejected(order.id, 'late', {assumed: next}));
    expect(seen.some((sql) => /FOR UPDATE/.test(sql))).toBe(true);
    expect(here.get(order.id)).toMatchObject({status: 'rejected', filled: '0.5'});
  });

  it('a status change whose assumed row another host has changed since runs again on the row as it is: nothing is overwritten', () => {
    const {here, there, order} = open();
    const stale = here.get(order.id)!;
    expect(there.applyVenueOrder(order.id, answer({filled: '0.5', average: '99'}))).toMatchObject({filled: '0.5'});
    const seen = watch(db);
    // The venue's older answer: filled never goes back, and the other host's average stays.
    const changed = db.tx(() => here.applyVenueOrder(order.id, answer({filled: '0.25'}), {assumed: stale}), {lock: 'rows'});
    expect(seen.filter((sql) => /xarb_expect/.test(sql))).toHaveLength(1);
    expect(seen.some((sql) => /FOR UPDATE/.test(sql))).toBe(true);
    expect(changed).toMatchObject({status: 'open', filled: '0.5', average: '99'});
    expect(here.usage().open).toEqual([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 1, remaining: '0.5'}]);
    // A usage aggregate moved from a wrong assumption would show here: the rebuilt one is the same.
    const before = here.usage();
    here.rebuildUsage();
    expect(here.usage()).toEqual(before);
  });

  it('rebuildUsage holds every order still until it commits: a status change from another host waits, then moves the rebuilt aggregates', () => {
    const {here, there, order} = open();
    db.tx(() => {
      here.rebuildUsage();
      // The venue's acceptance moves no aggregate (the order stays live, nothing filled): only the table lock holds it.
      expect(() => there.applyVenueOrder(order.id, answer())).toThrow(timedOut);
    });
    expect(there.applyVenueOrder(order.id, answer({filled: '0.25'}))).toMatchObject({filled: '0.25'});
    expect(here.usage().open).toEqual([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 1, remaining: '0.75'}]);
  });

  it("a reconcile repairing several orders and another host's venue answer on the same market never deadlock", async () => {
    // The repair changes a buy, then a sell; the answer (a sell of the same market and day) runs in between. Had
    // the repair moved the usage rows order by order, each would hold a row the other waits for.
    const {here} = open();
    const order = (clientOrderId: string, side: 'buy' | 'sell', status: 'open' | 'pending_submit') =>
      here.insert({venue: 'a', clientOrderId, symbol: 'BTC/USD', quote: 'USD', side, type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live', status, ...(status === 'open' ? {venueOrderId: `v-${clientOrderId}`} : {})});
    order('A', 'buy', 'open');
    order('B', 'sell', 'open');
    const y = order('Y', 'sell', 'pending_submit');
    const signal = join(mkdtempSync(join(tmpdir(), 'xarb-pg-')), 'go');
    const schema = (db as unknown as {target: {schema: string}}).target.schema;
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('../support/pg-status-change.ts', import.meta.url).pathname, `${PG_URL}?schema=${schema}`, signal, String(y.id)], {stdio: ['ignore', 'pipe', 'inherit']});
    const lines: string[] = [];
    const ready = new Promise<void>((resolve) => {
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        lines.push(...parts);
        if (lines.includes('ready')) resolve();
      });
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await ready;
    // The repair's clock: the answer starts at its third reading (the second order's change, after the first's usage moves
    // were sent), and each reading leaves the other host time to run.
    let readings = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const slowClock = {
      now: () => {
        if (++readings === 3) writeFileSync(signal, 'go');
        Atomics.wait(pause, 0, 0, 250);
        return Date.UTC(2026, 0, 5, 12, 0, 1);
      },
    };
    const venueOrder = answer({clientOrderId: 'A', id: 'v-A', status: 'closed', filled: '1', average: '101'});
    const changes = applyRepairs({db, clock: slowClock, venue: 'a', mode: 'live', balancesAt: Date.UTC(2026, 0, 5, 12, 0, 1)}, [
      {venue: 'a', kind: 'status_differs', ref: 'A', symbol: 'BTC/USD', journalValue: 'open', venueValue: 'closed', detail: undefined, repair: {op: 'apply_venue_order', clientOrderId: 'A', order: venueOrder}},
      {venue: 'a', kind: 'missing_on_venue', ref: 'B', symbol: 'BTC/USD', journalValue: 'open', venueValue: null, detail: undefined, repair: {op: 'set_status', clientOrderId: 'B', status: 'canceled', error: 'not found on the venue'}},
    ]);
    await exited;
    expect(changes).toBe(2);
    // Once: no deadlock was broken by running it again.
    expect(lines.at(-1)).toBe('ok 1');
    expect(here.list().map((o) => [o.clientOrderId, o.status, o.filled])).toEqual([['Y', 'closed', '1'], ['B', 'canceled', '0'], ['A', 'closed', '1'], ['c1', 'pending_submit', '0']]);
    const usage = here.usage('2026-01-05');
    here.rebuildUsage();
    expect(here.usage('2026-01-05')).toEqual(usage);
    // c1 (open() writes it) reserves 100; A executed 101, B nothing, Y 99.
    expect(usage).toMatchObject({open: [{side: 'buy', orders: 1, remaining: '1'}], dailyVolume: [{venue: 'a', symbol: 'BTC/USD', volume: '300'}]});
  });

  it('a transaction that changes several orders locks their rows before it writes anything (lockRows)', () => {
    const {here, there, order} = open();
    db.tx(() => {
      here.lockRows('a', ['c1', 'not-journalled']);
      expect(() => there.markRejected(order.id, 'refused')).toThrow(timedOut);
    });
    expect(there.markRejected(order.id, 'refused')).toMatchObject({status: 'rejected'});
  });
});
