/**
 * The PostgreSQL server the journal suites talk to (loopback, trust auth,
 * database `test`), a probe, and journals in a schema of their own per test
 * so runs never collide. In CI (CI=1) a missing server fails the suites that
 * need it; elsewhere they are skipped with the reason.
 */
import {connect} from 'node:net';
import {createHash, randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {migrate, openDb, type Db} from '../../src/core/journal/db.js';
import {openPgDb} from '../../src/core/journal/pg/db.js';
import {pgMigrations} from '../../src/core/journal/pg/migrations.js';

export const PG_URL = process.env.XARB_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

function reachable(url = PG_URL, timeoutMs = 1000): Promise<boolean> {
  const {hostname, port} = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({host: hostname, port: Number(port || 5432)});
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the suite should be skipped: no server, and not in CI (where it must fail instead). */
export async function skipWithoutPostgres(): Promise<boolean> {
  if (await reachable()) return false;
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI and is not reachable at ${PG_URL} (.ci/run starts it)`);
  process.stderr.write(`skipping: no PostgreSQL server at ${PG_URL}\n`);
  return true;
}

/** A schema name of this test's own. */
export function testSchema(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A journal URL in a schema of this test's own (dropped by `dropSchema`). */
export function testJournalUrl(label: string): string {
  return `${PG_URL}?schema=${testSchema(label)}`;
}

/** Drops a test schema and everything in it. */
export function dropSchema(url: string): void {
  const schema = new URL(url).searchParams.get('schema');
  if (!schema) return;
  const db = openPgDb(url);
  try {
    db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    db.close();
  }
}

/** A migrated PostgreSQL journal in its own schema; closing it drops the schema. */
export function openTestPgJournal(label = 'journal'): Db {
  const url = testJournalUrl(label);
  const db = openPgDb(url);
  migrate(db, pgMigrations);
  let closed = false;
  return {
    ...db,
    close() {
      if (closed) return;
      closed = true;
      try {
        db.exec(`DROP SCHEMA IF EXISTS "${db.target.schema}" CASCADE`);
      } finally {
        db.close();
      }
    },
  };
}

export interface JournalKind {
  readonly name: 'sqlite memory' | 'sqlite file' | 'postgres';
  open(label?: string): Db;
}

/** The three journals the repository contract holds on. */
export function journalKinds(tmp: () => string): JournalKind[] {
  return [
    {name: 'sqlite memory', open: () => openDb(':memory:')},
    {name: 'sqlite file', open: () => openDb(`${tmp()}/journal.db`)},
    {name: 'postgres', open: (label) => openTestPgJournal(label)},
  ];
}

/**
 * The journal a repository test runs on: SQLite in memory, or a PostgreSQL
 * schema of its own when the suite runs as the `journal-postgres` project
 * (vitest.config.ts), which re-runs the repository suites there.
 */
export function openTestJournal(label = 'journal'): Db {
  return process.env.XARB_TEST_JOURNAL === 'postgres' ? openTestPgJournal(label) : openDb(':memory:');
}

/** True when this suite runs as the `journal-postgres` project. */
export const onPostgres = process.env.XARB_TEST_JOURNAL === 'postgres';

/** The journal URL of a test home when the suite runs on PostgreSQL: one schema per home. */
export function homeJournalUrl(home: string): string {
  return `${PG_URL}?schema=h_${createHash('sha256').update(home).digest('hex').slice(0, 24)}`;
}

/** The environment that points a CLI run in `home` at its journal (empty on SQLite: journal.db in the home). */
export function homeJournalEnv(home: string): NodeJS.ProcessEnv {
  return onPostgres ? {XARB_JOURNAL_URL: homeJournalUrl(home)} : {};
}

/** The journal of a test home, for reading what the CLI wrote: journal.db, or the home's PostgreSQL schema. */
export function openHomeJournal(home: string): Db {
  return onPostgres ? openPgDb(homeJournalUrl(home)) : openDb(join(home, 'journal.db'), {readonly: true});
}
