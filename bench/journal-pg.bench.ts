/**
 * The journal on PostgreSQL beside the SQLite file, in one run, medians of
 * rounds:
 *
 * - Order path from 4 processes at once (each its own journal connection,
 *   one shared journal): the write-ahead transaction with the risk check,
 *   then the venue's answer applied; see journal-pg-worker.ts. Target on
 *   PostgreSQL: >= 1,000 orders/s in total.
 * - Batched fill writes (FillsRepo.insertBatch, 10,000 fills per batch, one
 *   transaction). Target on PostgreSQL: >= 50,000 rows/s.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (XARB_BENCH_PG overrides the URL); each
 * round uses a schema of its own, dropped afterwards.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {migrate, openDb, type Db} from '../src/core/journal/db.js';
import {FillsRepo, type NewFill} from '../src/core/journal/fills.js';
import {openPgDb} from '../src/core/journal/pg/db.js';
import {pgMigrations} from '../src/core/journal/pg/migrations.js';
import {median, ROOT, row} from './lib.js';

const PG = process.env.XARB_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROCESSES = 4;
const ORDERS_PER_PROCESS = 500;
const ROUNDS = 3;

const schemaUrl = (label: string) => `${PG}?schema=bench_${label}_${process.pid}_${Date.now().toString(36)}`;
function dropSchema(url: string): void {
  const db = openPgDb(url);
  db.exec(`DROP SCHEMA IF EXISTS "${db.target.schema}" CASCADE`);
  db.close();
}

async function orderPath(where: string): Promise<number> {
  const children = Array.from({length: PROCESSES}, (_, i) => spawn(process.execPath, ['--import', 'tsx', `${ROOT}bench/journal-pg-worker.ts`, where, String(ORDERS_PER_PROCESS), String(i)], {stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT}));
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
  const results = lines.map((next) => next());
  for (const child of children) child.stdin!.write('go\n');
  const times = (await Promise.all(results)).map((line) => JSON.parse(line) as {start: number; end: number});
  const start = Math.min(...times.map((t) => t.start));
  const end = Math.max(...times.map((t) => t.end));
  return (PROCESSES * ORDERS_PER_PROCESS) / ((end - start) / 1000);
}

function fills(n: number, offset: number): NewFill[] {
  return Array.from({length: n}, (_, i) => ({
    venue: 'binance',
    orderId: undefined,
    origin: 'external' as const,
    trade: {id: `t${offset + i}`, orderId: `v${offset + i}`, clientOrderId: undefined, symbol: 'BTC/USDT', side: 'buy' as const, price: '60000.1', amount: '0.001', fee: {cost: '0.06', currency: 'USDT'}, takerOrMaker: 'taker' as const, timestamp: 1_700_000_000_000 + i},
  }));
}

function fillRate(db: Db): number {
  const repo = new FillsRepo(db);
  const batch = 10_000;
  repo.insertBatch(fills(1000, 0)); // warm-up: statements prepared
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const n = repo.insertBatch(fills(batch, (round + 1) * 1_000_000));
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

const dir = mkdtempSync(join(tmpdir(), 'xarb-bench-pg-'));
try {
  const sqliteOrders: number[] = [];
  const pgOrders: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const file = join(dir, `orders-${round}.db`);
    openDb(file).close(); // created and migrated before the processes start
    sqliteOrders.push(await orderPath(file));
    const url = schemaUrl(`orders${round}`);
    const setup = openPgDb(url);
    migrate(setup, pgMigrations);
    setup.close();
    pgOrders.push(await orderPath(url));
    dropSchema(url);
  }
  row(`orders/s, ${PROCESSES} processes, SQLite file (risk check + write-ahead + answer)`, median(sqliteOrders).toFixed(0));
  row(`orders/s, ${PROCESSES} processes, PostgreSQL (risk check + write-ahead + answer)`, median(pgOrders).toFixed(0), '>= 1,000');

  const sqlite = openDb(join(dir, 'fills.db'));
  const sqliteFills = fillRate(sqlite);
  sqlite.close();
  const url = schemaUrl('fills');
  const pg = openPgDb(url);
  migrate(pg, pgMigrations);
  const pgFills = fillRate(pg);
  pg.close();
  dropSchema(url);
  row('fill rows/s, batches of 10,000, SQLite file', sqliteFills.toFixed(0));
  row('fill rows/s, batches of 10,000, PostgreSQL', pgFills.toFixed(0), '>= 50,000');
} finally {
  rmSync(dir, {recursive: true, force: true});
}
