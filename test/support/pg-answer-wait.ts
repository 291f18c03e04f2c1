/**
 * A journal connection for the PostgreSQL answer-watch tests: opens the
 * journal at argv[2] with an answer timeout of argv[3] ms (and a statement
 * timeout of argv[5] ms when given), prints its server process id, waits
 * for a line on stdin, then runs argv[4] and prints what it read:
 * - `read`: one SELECT;
 * - `quiet`: a transaction of three held-back one-second statements and a
 *   read (a round trip the server answers only at its end);
 * - `large`: a transaction with a held-back query answering ~20 MB and a
 *   ~20 MB insert before a read (more each way than socket buffers hold).
 * A process whose request is never answered is ended by the journal's watch
 * before it prints.
 */
import {openPgDb} from '../../src/core/journal/pg/db.js';

const [url, timeout, mode, statementTimeout] = process.argv.slice(2) as [string, string, string, string | undefined];
const db = openPgDb(url, {answerTimeoutMs: Number(timeout), ...(statementTimeout ? {statementTimeoutMs: Number(statementTimeout)} : {})});
const {pid} = db.prepare<{pid: number}>('SELECT pg_backend_pid() AS pid').get()!;
if (mode !== 'read') db.exec('CREATE SEQUENCE IF NOT EXISTS answer_wait; CREATE TABLE IF NOT EXISTS answer_wait_rows (b TEXT)');
process.stdout.write(`${pid}\n`);
process.stdin.once('data', () => {
  let row: unknown;
  if (mode === 'read') row = db.prepare<{one: number}>('SELECT 1 AS one').get();
  else if (mode === 'quiet') {
    // nextval makes each a write: held back, all three go with the read in one round trip.
    const slow = db.prepare("SELECT pg_sleep(1), nextval('answer_wait') AS v");
    row = db.tx(() => {
      slow.run();
      slow.run();
      slow.run();
      return db.prepare<{one: number}>('SELECT 1 AS one').get();
    });
  } else {
    const big = db.prepare("SELECT repeat('x', 1000) AS r, nextval('answer_wait') AS v FROM generate_series(1, 20000)");
    row = db.tx(() => {
      big.run();
      db.prepare('INSERT INTO answer_wait_rows (b) VALUES (?)').run(['y'.repeat(20_000_000)]);
      return db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM answer_wait_rows').get();
    });
  }
  process.stdout.write(`${JSON.stringify(row)}\n`);
  db.close();
  process.exit(0);
});
