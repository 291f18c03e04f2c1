/**
 * The journal on PostgreSQL beside the SQLite file, in one run, medians of
 * rounds:
 *
 * - Order path from 4 processes at once (each its own journal connection,
 *   one shared journal): the write-ahead transaction with the risk check,
 *   then the venue's answer applied; see journal-pg-worker.ts. Target on
 *   PostgreSQL: >= 1,000 orders/s in total. Each process runs 2,000 orders
 *   (XARB_BENCH_ORDERS sets another count): the rate a running process
 *   keeps up. With 500 a run lasts about two seconds, much of it spent
 *   compiling the path (V8 warming up), and gives the rate of processes
 *   just started.
 * - Batched fill writes (FillsRepo.insertBatch, 10,000 fills per batch, one
 *   transaction). Target on PostgreSQL: >= 50,000 rows/s.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (XARB_BENCH_PG overrides the URL); each
 * round uses a schema of its own, dropped afterwards. CPU is reported beside
 * wall time (the client processes, every thread, and their server processes,
 * read from /proc): the machine may be shared. XARB_BENCH_BASE=<git ref>
 * also runs that commit's sources (rounds interleaved), for a before/after
 * in one run.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {NewFill} from '../src/core/journal/fills.js';
import {baseSources, median, processCpuMs, ROOT, row} from './lib.js';

const PG = process.env.XARB_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROCESSES = 4;
const ORDERS_PER_PROCESS = Number(process.env.XARB_BENCH_ORDERS ?? 2000);
const ROUNDS = 3;

/** The journal modules of one source tree: this one, or the base's (XARB_BENCH_BASE=<git ref>). */
interface Tree {
  readonly label: string;
  readonly root: string;
  readonly db: typeof import('../src/core/journal/db.js');
  readonly fills: typeof import('../src/core/journal/fills.js');
  readonly pg: typeof import('../src/core/journal/pg/db.js');
  readonly pgMigrations: typeof import('../src/core/journal/pg/migrations.js');
}

async function loadTree(root: string, label: string): Promise<Tree> {
  return {
    label,
    root,
    db: (await import(`${root}src/core/journal/db.ts`)) as Tree['db'],
    fills: (await import(`${root}src/core/journal/fills.ts`)) as Tree['fills'],
    pg: (await import(`${root}src/core/journal/pg/db.ts`)) as Tree['pg'],
    pgMigrations: (await import(`${root}src/core/journal/pg/migrations.ts`)) as Tree['pgMigrations'],
  };
}

const trees: Tree[] = [];
if (process.env.XARB_BENCH_BASE) {
  const base = baseSources(process.env.XARB_BENCH_BASE);
  trees.push(await loadTree(base.root, `base ${base.label}`));
}
trees.push(await loadTree(ROOT, 'this tree'));
const tools = trees[trees.length - 1]!;

/** PG with a schema of this round's own (XARB_BENCH_PG may carry parameters of its own, e.g. host=/run/postgresql for a socket). */
function schemaUrl(label: string): string {
  const url = new URL(PG);
  url.searchParams.set('schema', `bench_${label}_${process.pid}_${Date.now().toString(36)}`);
  return url.toString();
}
function dropSchema(url: string): void {
  const db = tools.pg.openPgDb(url);
  db.exec(`DROP SCHEMA IF EXISTS "${db.target.schema}" CASCADE`);
  db.close();
}

/** The server process of each client connection (found by the application name xarb/<pid> the journal sets). */
function backends(pids: readonly number[]): Map<number, number> {
  const db = tools.pg.openPgDb(PG);
  try {
    const rows = db.prepare<{app: string; pid: number}>("SELECT application_name AS app, pid FROM pg_stat_activity WHERE application_name LIKE 'xarb/%'").all();
    return new Map(rows.filter((r) => pids.includes(Number(r.app.slice(5)))).map((r) => [Number(r.app.slice(5)), r.pid]));
  } finally {
    db.close();
  }
}

interface Rate {
  readonly perSecond: number;
  /** CPU ms per order of the client processes (every thread) and of their PostgreSQL server processes. */
  readonly clientCpu: number;
  readonly serverCpu: number;
}

async function orderPath(tree: Tree, where: string): Promise<Rate> {
  const children = Array.from({length: PROCESSES}, (_, i) => spawn(process.execPath, ['--import', 'tsx', `${tree.root}bench/journal-pg-worker.ts`, where, String(ORDERS_PER_PROCESS), String(i)], {stdio: ['pipe', 'pipe', 'inherit'], cwd: tree.root}));
  const lines = children.map((child) => {
    let buffer = '';
    const waiters: ((line: string) => void)[] = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        waiters.shift()?.(line);
      }
    });
    return () => new Promise<string>((resolve) => waiters.push(resolve));
  });
  const ready = lines.map((next) => next());
  await Promise.all(ready);
  const servers = where.startsWith('postgres') ? backends(children.map((c) => c.pid!)) : new Map<number, number>();
  const cpu = (pid: number | undefined) => (pid === undefined ? 0 : (processCpuMs(pid) ?? 0));
  const clientBefore = children.map((c) => cpu(c.pid));
  const serverBefore = children.map((c) => cpu(servers.get(c.pid!)));
  let clientCpu = 0;
  let serverCpu = 0;
  const results = lines.map((next, i) =>
    next().then((line) => {
      const child = children[i]!;
      clientCpu += cpu(child.pid) - clientBefore[i]!;
      serverCpu += cpu(servers.get(child.pid!)) - serverBefore[i]!;
      return line;
    }),
  );
  for (const child of children) child.stdin!.write('go\n');
  const times = (await Promise.all(results)).map((line) => JSON.parse(line) as {start: number; end: number});
  const start = Math.min(...times.map((t) => t.start));
  const end = Math.max(...times.map((t) => t.end));
  const orders = PROCESSES * ORDERS_PER_PROCESS;
  return {perSecond: orders / ((end - start) / 1000), clientCpu: clientCpu / orders, serverCpu: serverCpu / orders};
}

function fills(n: number, offset: number): NewFill[] {
  return Array.from({length: n}, (_, i) => ({
    venue: 'binance',
    orderId: undefined,
    origin: 'external' as const,
    trade: {id: `t${offset + i}`, orderId: `v${offset + i}`, clientOrderId: undefined, symbol: 'BTC/USDT', side: 'buy' as const, price: '60000.1', amount: '0.001', fee: {cost: '0.06', currency: 'USDT'}, takerOrMaker: 'taker' as const, timestamp: 1_700_000_000_000 + i},
  }));
}

/** Rows/s of FillsRepo.insertBatch, and CPU ms per 1,000 rows of this process and of its server process (when known). */
function fillRate(tree: Tree, db: import('../src/core/journal/db.js').Db, server: number | undefined): Rate {
  const repo = new tree.fills.FillsRepo(db);
  const batch = 10_000;
  repo.insertBatch(fills(1000, 0)); // warm-up: statements prepared
  const rates: Rate[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rows = fills(batch, (round + 1) * 1_000_000);
    const cpu0 = process.cpuUsage();
    const server0 = server === undefined ? 0 : (processCpuMs(server) ?? 0);
    const t0 = performance.now();
    const n = repo.insertBatch(rows);
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    const serverUsed = server === undefined ? 0 : (processCpuMs(server) ?? 0) - server0;
    rates.push({perSecond: n / (wall / 1000), clientCpu: ((used.user + used.system) / 1000 / n) * 1000, serverCpu: (serverUsed / n) * 1000});
  }
  return medianRate(rates);
}

function medianRate(rates: readonly Rate[]): Rate {
  return {perSecond: median(rates.map((r) => r.perSecond)), clientCpu: median(rates.map((r) => r.clientCpu)), serverCpu: median(rates.map((r) => r.serverCpu))};
}

const show = (r: Rate, unit: string) => `${r.perSecond.toFixed(0).padStart(7)}/s  cpu ${unit}: client ${r.clientCpu.toFixed(2)} ms, server ${r.serverCpu.toFixed(2)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'xarb-bench-pg-'));
try {
  const sqliteOrders = trees.map(() => [] as Rate[]);
  const pgOrders = trees.map(() => [] as Rate[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [t, tree] of trees.entries()) {
      const file = join(dir, `orders-${t}-${round}.db`);
      tree.db.openDb(file).close(); // created and migrated before the processes start
      sqliteOrders[t]!.push(await orderPath(tree, file));
      const url = schemaUrl(`orders${t}_${round}`);
      const setup = tree.pg.openPgDb(url);
      tree.db.migrate(setup, tree.pgMigrations.pgMigrations);
      setup.close();
      pgOrders[t]!.push(await orderPath(tree, url));
      dropSchema(url);
    }
  }
  for (const [t, tree] of trees.entries()) {
    row(`orders, ${PROCESSES} processes, SQLite file, ${tree.label}`, show(medianRate(sqliteOrders[t]!), 'per order'));
    row(`orders, ${PROCESSES} processes, PostgreSQL, ${tree.label}`, show(medianRate(pgOrders[t]!), 'per order'), '>= 1,000/s');
  }

  for (const tree of trees) {
    const sqlite = tree.db.openDb(join(dir, `fills-${tree.label.replace(/\W+/g, '_')}.db`));
    const sqliteFills = fillRate(tree, sqlite, undefined);
    sqlite.close();
    const url = schemaUrl('fills');
    const pg = tree.pg.openPgDb(url);
    tree.db.migrate(pg, tree.pgMigrations.pgMigrations);
    const server = pg.prepare<{pid: number}>('SELECT pg_backend_pid() AS pid').get()!.pid;
    const pgFills = fillRate(tree, pg, server);
    pg.close();
    dropSchema(url);
    row(`fill rows, batches of 10,000, SQLite file, ${tree.label}`, show(sqliteFills, 'per 1,000 rows'));
    row(`fill rows, batches of 10,000, PostgreSQL, ${tree.label}`, show(pgFills, 'per 1,000 rows'), '>= 50,000/s');
  }
} finally {
  rmSync(dir, {recursive: true, force: true});
}
