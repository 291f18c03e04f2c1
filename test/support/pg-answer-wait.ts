/**
 * A journal connection for the PostgreSQL answer-timeout test: opens the
 * journal at argv[2] with an answer timeout of argv[3] ms, prints its
 * server process id, waits for a line on stdin, then reads once and
 * prints what it read (a process whose server never answers is ended by
 * the journal's watch before it prints).
 */
import {openPgDb} from '../../src/core/journal/pg/db.js';

const [url, timeout] = process.argv.slice(2) as [string, string];
const db = openPgDb(url, {answerTimeoutMs: Number(timeout)});
const {pid} = db.prepare<{pid: number}>('SELECT pg_backend_pid() AS pid').get()!;
process.stdout.write(`${pid}\n`);
process.stdin.once('data', () => {
  const row = db.prepare<{one: number}>('SELECT 1 AS one').get();
  process.stdout.write(`${JSON.stringify(row)}\n`);
  db.close();
  process.exit(0);
});
