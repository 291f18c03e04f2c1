/**
 * The journal on PostgreSQL behind the same synchronous `Db` handle as the
 * SQLite file, so every repository, the write-ahead rule and the risk check
 * run unchanged on either.
 *
 * How: the `pg` client runs on a worker thread that connects and owns one
 * connection. Between its own requests it lends the socket (a plain one,
 * not TLS) to the calling thread in blocking mode: a batch of statements is
 * encoded here (pg's own protocol serializer), written to the socket, and
 * its answer read and parsed here (./reader.ts), the calling thread asleep
 * in the kernel until the bytes arrive, as better-sqlite3 sleeps on the
 * disk: no thread hand-off per round trip. Anything else (connecting,
 * COPY, scripts, a TLS connection, a connection to be made again) is a
 * message the worker thread carries out, taking the socket back first; the
 * calling thread blocks on a shared flag until it answers. The worker
 * thread also watches a lent socket's requests (see ANSWER_TIMEOUT_MS).
 * One connection per process keeps a transaction on one session.
 *
 * Invariants:
 * - `tx` is BEGIN … COMMIT with a transaction-level advisory lock on the
 *   journal taken first: write transactions of every process and host are
 *   serialized exactly as SQLite's BEGIN IMMEDIATE serializes them on one
 *   machine, so a risk check and the write-ahead it guards stay one atomic
 *   step across hosts. The one exception is a status change of one order
 *   (TxOptions.lock 'rows'), which takes only the row locks of its
 *   statements (see ../db.ts and docs/scale-out.md). Nested calls use
 *   savepoints, made before a nested scope's first write (a scope that only
 *   read has nothing to undo) and never sent for a scope that ended well
 *   before its writes went out; their options are the outermost call's.
 * - `tx` returns only once what it wrote is on disk, but the lock is not
 *   held while the disk is waited for: the COMMIT itself is asynchronous
 *   (visible at once, lock released) and a one-statement synchronous
 *   transaction sent right after it, in the same round trip, waits for the
 *   WAL to be flushed past it. What any other session wrote after seeing
 *   it is flushed after it as well.
 * - A statement that fails rolls the transaction back and raises; nothing is
 *   retried here, except a status change of one order that the server broke
 *   a deadlock with. A connection lost inside a transaction fails it: the
 *   server rolls back what it had not committed (a COMMIT already sent may
 *   or may not have been applied: the caller cannot tell); outside one, the
 *   next statement reconnects.
 * - `tryLock`/`unlock` are session-level advisory locks: the server drops
 *   them when the connection ends, so a holder that died never blocks.
 * - Every lock key is scoped to the schema, so journals in different schemas
 *   of one database never wait on each other.
 */
import {writeSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads';
import {ASSUMPTION_FAILED, identifiers, JournalError, type Db, type Params, type SqlValue, type Statement, type TxOptions} from '../db.js';
import {SocketReader} from './reader.js';
import {bindParams, toPostgres, type PgStatementText} from './sql.js';
import {WORKER_SOURCE} from './worker-source.js';

/** Where a PostgreSQL journal is: the connection URL and the schema its tables live in. */
export interface PgTarget {
  readonly url: string;
  readonly schema: string;
}

/** The default schema of a PostgreSQL journal (`?schema=` in journal.url chooses another). */
export const DEFAULT_PG_SCHEMA = 'xarb';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether a journal location is a PostgreSQL URL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Splits `postgres://...?schema=name` into the URL the client takes and the schema. */
export function parsePgUrl(url: string): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JournalError(`journal.url is not a valid URL`);
  }
  const schema = parsed.searchParams.get('schema') ?? DEFAULT_PG_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new JournalError(`journal.url schema "${schema.slice(0, 64)}" must be letters, digits and _ (at most 63)`);
  parsed.searchParams.delete('schema');
  return {url: parsed.toString(), schema};
}

/** The URL with any password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** FNV-1a, 32-bit signed: advisory lock keys from names. */
function key32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The first half of every advisory lock key xarb takes ('xarb' in ASCII). */
const LOCK_SPACE = 0x78617262;

/** SQLSTATE deadlock_detected. */
const DEADLOCK = '40P01';

export interface PgDb extends Db {
  readonly dialect: 'postgres';
  readonly target: PgTarget;
}

interface Answer {
  ok: boolean;
  results?: unknown[];
  failedAt?: number;
  message?: string;
  code?: string;
  lost?: boolean;
  /** The connection the answer came from (counted): statements parsed on an earlier one are unknown to it. */
  gen?: number;
  /** The socket's descriptor, when requests may be written to it from this thread (-1: not). */
  fd?: number;
  /** Named statements the server parsed in this request (a request the worker wrote). */
  parsedNames?: string[];
  /** How many Parse messages of this request the server completed (a request written from this thread). */
  parsed?: number;
  /** Lost before the server did anything of this request (see ReadAnswer.stale): it may be sent again on a new connection. */
  stale?: boolean;
}

/** What a request is written with on this thread: pg's own protocol serializer and value mapping. */
interface Wire {
  parse(config: {name: string; text: string; types: unknown[]}): Buffer;
  bind(config: {portal: string; statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown}): Buffer;
  describe(config: {type: string; name: string}): Buffer;
  execute(config: {portal: string; rows: number}): Buffer;
  sync(): Buffer;
}

/**
 * How long a caller waits for one answer before the journal is declared
 * unreachable. For a request the calling thread writes and reads itself
 * (blocking), the worker thread watches: after this long with no byte from
 * the server it asks the server whether the session is still there, and
 * ends the process when it cannot tell (see worker-source.ts).
 */
const ANSWER_TIMEOUT_MS = 60_000;

/**
 * The largest request written and read on the calling thread (64 KiB):
 * the socket's send buffer and the server's receive buffer take it whole
 * (Linux's defaults: 16 KiB and 128 KiB), so writing it never waits for the
 * server to read, whatever the server is sending back meanwhile.
 */
const DIRECT_REQUEST_BYTES = 64 * 1024;

/**
 * The calling thread's side of the connection. While the worker thread has
 * lent it the socket (a plain connection, between the worker's own
 * requests), a batch is written to the socket and its answer read from it
 * on this thread, blocking: no thread hand-off at all. The worker thread
 * carries out what this one cannot: connecting (and connecting again after
 * a loss, outside a transaction), a TLS connection, COPY, scripts.
 */
class Bridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0] an answer is posted · [1] counts requests and chunks read on this thread (the watchdog's progress) · [2] the connection is lost · [3] this thread is in a request of its own. */
  private readonly flag: Int32Array;
  /** The socket, while it is lent to this thread (-1: not). */
  private fd = -1;
  /** The connection the statements in `parsed` were parsed on. */
  private gen = 0;
  /** Named statements the server has parsed on the current connection. */
  readonly parsed = new Set<string>();
  /** Never notified: Atomics.wait on it is a short sleep. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  private readonly reader: SocketReader;
  private seq = 0;
  private closed = false;

  constructor(
    pgPath: string,
    private readonly answerTimeoutMs: number,
  ) {
    const signal = new SharedArrayBuffer(16);
    this.flag = new Int32Array(signal);
    const {port1, port2} = new MessageChannel();
    this.port = port1;
    this.reader = new SocketReader(pgPath);
    this.worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {pgPath, signal, port: port2, answerTimeoutMs}, transferList: [port2]});
    this.worker.unref();
    this.port.unref();
  }

  call(request: Record<string, unknown>, label: string): Answer {
    if (this.closed) throw new JournalError('the PostgreSQL journal is closed');
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    // The worker thread takes the socket back for the request (and lends it again after).
    this.fd = -1;
    this.port.postMessage({...request, seq, gen: this.gen});
    return this.learn(this.wait(seq, label));
  }

  /** Whether a request may be written and read on this thread now. */
  get direct(): boolean {
    return this.fd >= 0 && !this.closed && Atomics.load(this.flag, 2) === 0;
  }

  /** Writes a request (protocol messages up to a Sync) to the lent socket and reads its answer; `parses`: the names it parses, in order. */
  write(bytes: Buffer, parses: readonly string[]): Answer {
    const fd = this.fd;
    Atomics.add(this.flag, 1, 1);
    Atomics.store(this.flag, 3, 1);
    let answer: Answer;
    let at = 0;
    try {
      while (at < bytes.length) at += writeSync(fd, bytes, at);
      answer = this.reader.read(fd, () => Atomics.add(this.flag, 1, 1));
    } catch (error) {
      // Nothing of it reached the server when the first write failed.
      answer = {ok: false, failedAt: 0, message: `Connection lost: ${(error as Error).message}`, lost: true, stale: at === 0};
    } finally {
      Atomics.store(this.flag, 3, 0);
    }
    if (answer.lost) {
      // The worker thread connects again before its next request (outside a transaction); nothing more is written here.
      Atomics.store(this.flag, 2, 1);
      this.fd = -1;
    }
    for (const name of parses.slice(0, answer.parsed ?? 0)) if (name) this.parsed.add(name);
    return answer;
  }

  /** Takes in what an answer says of the connection. */
  private learn(answer: Answer): Answer {
    if (typeof answer.gen === 'number' && answer.gen !== this.gen) {
      this.gen = answer.gen;
      this.parsed.clear();
      this.reader.reset();
    }
    if (typeof answer.fd === 'number') this.fd = answer.fd;
    for (const name of answer.parsedNames ?? []) this.parsed.add(name);
    return answer;
  }

  private wait(seq: number, label: string): Answer {
    const deadline = Date.now() + this.answerTimeoutMs;
    if (Atomics.wait(this.flag, 0, 0, this.answerTimeoutMs) !== 'timed-out') {
      // The flag says the answer is posted; it is read by its number, so an answer can never be taken for
      // another request's, and one not readable yet is waited for a little (in steps of 1 ms) up to the deadline.
      for (;;) {
        const received = receiveMessageOnPort(this.port)?.message as (Answer & {seq?: number}) | undefined;
        if (received?.seq === seq) return received;
        if (received) continue;
        if (Date.now() >= deadline) break;
        Atomics.wait(this.pause, 0, 0, 1);
      }
    }
    this.close();
    throw new JournalError(`the PostgreSQL journal did not answer within ${this.answerTimeoutMs / 1000} s (${label}); nothing more is sent on this connection`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fd = -1;
    this.port.close();
    void this.worker.terminate();
  }
}

/** A statement the journal ran on PostgreSQL failed: the message names it. */
export class PgStatementError extends JournalError {
  readonly code: string | undefined;
  readonly lost: boolean;
  constructor(message: string, code: string | undefined, lost: boolean) {
    super(message);
    this.code = code;
    this.lost = lost;
  }
}

/** One value in COPY's text format: \N for null, backslash, newline, carriage return and tab escaped. */
function copyField(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : value;
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => COPY_ESCAPES[c]!) : text;
}
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = {'\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t'};

/** Rows as the payload of COPY ... FROM STDIN (text format). */
export function copyText(rows: readonly (readonly SqlValue[])[]): string {
  const lines: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = copyField(row[0]);
    for (let c = 1; c < row.length; c++) line += `\t${copyField(row[c])}`;
    lines[r] = line;
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Tables whose rows get a generated `id`: an INSERT into one reports it as `lastInsertRowid`. */
const ID_TABLES = new Set(['events', 'price_snapshots', 'latency', 'orders', 'arb_opportunities', 'arb_observations', 'balance_runs', 'balance_snapshots', 'reconcile_runs', 'reconcile_discrepancies']);

interface ItemResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string | null;
}

/** One statement of a round trip, with what to do with its result. */
interface Item {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
  /** What an error message calls it. */
  readonly label: string;
  /** Receives its result, or the error of the round trip it went in. */
  settle?: (result: ItemResult | undefined, error: Error | undefined) => void;
}

/** What `run` returns for a write held back: reading it sends the statements waiting (see openPgDb). */
class PendingRun {
  private result: ItemResult | undefined;
  private error: Error | undefined;
  private settled = false;
  constructor(
    private readonly flush: () => void,
    private readonly returnsId: boolean,
  ) {}
  settle(result: ItemResult | undefined, error: Error | undefined): void {
    this.settled = true;
    this.result = result;
    this.error = error;
  }
  private value(): ItemResult {
    if (!this.settled) this.flush();
    if (this.error) throw this.error;
    if (!this.result) throw new JournalError('a journal write was dropped with its transaction before it ran');
    return this.result;
  }
  get changes(): number {
    return this.value().rowCount;
  }
  get lastInsertRowid(): number {
    return this.returnsId ? ((this.value().rows[0]?.id as number | undefined) ?? 0) : (this.value(), 0);
  }
}

/**
 * Opens (connecting at once) a PostgreSQL journal. Migrations are the caller's (see ../open.ts).
 *
 * Round trips: inside a transaction a write whose result is not read yet
 * (`run`) is held back and goes with the next statement whose result is
 * needed, or with the COMMIT: the statements of a round trip are pipelined
 * (see ./worker-source.ts). BEGIN and the journal lock go with the
 * transaction's first round trip, SAVEPOINTs with the write that needs them.
 * A held-back write that fails fails the round trip it went in: the error
 * names that write and is raised by the call that sent it (at the latest
 * the commit), where it is undone as any error raised there: by the
 * savepoint of the scope it passes through, or with the whole transaction.
 * A write held back by a nested scope that has returned may so fail after
 * that scope; nothing in the journal catches a database error to carry on.
 */
export function openPgDb(url: string, options: {connectTimeoutMs?: number; statementTimeoutMs?: number; answerTimeoutMs?: number} = {}): PgDb {
  const target = parsePgUrl(url);
  const require = createRequire(import.meta.url);
  const pgPath = require.resolve('pg');
  const wire = (createRequire(pgPath)('pg-protocol') as {serialize: Wire}).serialize;
  const prepareValue = (require(join(dirname(pgPath), 'utils.js')) as {prepareValue: (value: unknown) => unknown}).prepareValue;
  const describeExecute = Buffer.concat([wire.describe({type: 'P', name: ''}), wire.execute({portal: '', rows: 0})]);
  const bridge = new Bridge(pgPath, options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
  const shown = redactUrl(target.url);
  const fail = (answer: Answer, what: string): never => {
    throw new PgStatementError(`PostgreSQL journal ${shown}: ${what}: ${answer.message ?? 'failed'}`, answer.code, answer.lost === true);
  };
  const connected = bridge.call({op: 'connect', url: target.url, schema: target.schema, connectTimeoutMs: options.connectTimeoutMs ?? 5000, statementTimeoutMs: options.statementTimeoutMs ?? 30_000}, 'connect');
  if (!connected.ok) {
    bridge.close();
    throw new JournalError(`cannot open the PostgreSQL journal ${shown}: ${connected.message ?? 'connection failed'}`);
  }
  const journalKey = key32(`${target.schema}:journal`);
  let depth = 0;
  let names = 0;
  const cache = new Map<string, Statement<any>>();
  const locks = new Set<string>();
  /** Whether the open transaction's BEGIN has been sent (it goes with the first round trip). */
  let begun = false;
  /** Whether the open transaction takes the journal lock (TxOptions.lock). */
  let journalLock = true;
  /** Whether the open transaction has written anything (then its commit is waited for; see tx). */
  let wrote = false;
  /** Writes held back, in order, sent with the next round trip. */
  let pending: Item[] = [];
  /** Which attempt the open transaction is (a status change alone runs again after a deadlock or a failed assumption). */
  let attempt = 1;

  const plain = (text: string): Item => ({name: '', text, values: [], label: text});
  /** A statement every transaction sends, prepared once per connection (named: parsed and planned once). */
  const fixed = (name: string, text: string, label = text): Item => ({name, text, values: [], label});
  const BEGIN = fixed('xarb_begin', 'BEGIN');
  // The commit does not wait for the disk while the lock is held: see tx.
  const LOCK = fixed('xarb_lock', `SELECT pg_advisory_xact_lock(${LOCK_SPACE}, ${journalKey}), set_config('synchronous_commit', 'off', true)`, 'taking the journal lock');
  // A transaction that takes only the row locks of its statements (TxOptions.lock 'rows').
  const ROWS = fixed('xarb_rows', `SELECT set_config('synchronous_commit', 'off', true)`, 'beginning a transaction');
  const COMMIT = fixed('xarb_commit', 'COMMIT');
  const DURABLE = fixed('xarb_durable', 'SELECT txid_current()', 'waiting for the commit to reach the disk');
  const labelOf = (text: string) => text.replace(/\s+/g, ' ').slice(0, 80);

  /** Sends the held-back writes and `items` in one round trip (with BEGIN first when the transaction has not begun). */
  const send = (items: Item[]): ItemResult[] => {
    const batch = [...pending, ...items];
    pending = [];
    const inTx = depth > 0 && begun;
    if (depth > 0 && !begun) {
      begun = true;
      batch.unshift(BEGIN, journalLock ? LOCK : ROWS);
    }
    if (batch.length === 0) return [];
    // A named statement is parsed once per connection: with its first use, unless the server has it already.
    // The Parse messages of the request in order ('' for an unnamed statement's): the server's count of completed
    // ones says which named statements it now has.
    const parses: string[] = [];
    const parse = batch.map((item) => {
      if (item.name && (bridge.parsed.has(item.name) || parses.includes(item.name))) return false;
      parses.push(item.name);
      return true;
    });
    const label = batch[batch.length - 1]!.label.slice(0, 60);
    let answer: Answer | undefined;
    if (bridge.direct) {
      const parts: Buffer[] = [];
      let failed: Answer | undefined;
      for (const [i, item] of batch.entries()) {
        try {
          if (parse[i]) parts.push(wire.parse({name: item.name, text: item.text, types: []}));
          parts.push(wire.bind({portal: '', statement: item.name, values: item.values, valueMapper: prepareValue}), describeExecute);
        } catch (error) {
          // A value that cannot be encoded: nothing of the batch is sent.
          failed = {ok: false, failedAt: i, message: `cannot send the value: ${(error as Error).message}`};
          break;
        }
      }
      parts.push(wire.sync());
      const bytes = Buffer.concat(parts);
      // A request larger than the socket buffers take at once goes through the connection's thread, which reads the
      // answer while it writes: written here before any of it is read, it could wait for a server waiting for it.
      if (!failed && bytes.length > DIRECT_REQUEST_BYTES) answer = undefined;
      else answer = failed ?? bridge.write(bytes, parses);
      // The session had ended before the server read any of it (e.g. ended while this process waited for a venue):
      // where a lost connection is made again (outside a transaction, or at its first round trip), so is this one.
      if (answer?.stale && !inTx) answer = undefined;
    }
    answer ??= bridge.call({op: 'batch', items: batch.map((item, i) => ({name: item.name, text: item.text, values: item.values, parse: parse[i]})), inTx}, label);
    const results = (answer.results ?? []) as ItemResult[];
    if (!answer.ok) {
      const failedAt = typeof answer.failedAt === 'number' && answer.failedAt < batch.length ? answer.failedAt : batch.length - 1;
      const error = new PgStatementError(`PostgreSQL journal ${shown}: ${batch[failedAt]!.label}: ${answer.message ?? 'failed'}`, answer.code, answer.lost === true);
      batch.forEach((item, i) => item.settle?.(undefined, i < failedAt ? new JournalError(`PostgreSQL journal ${shown}: the transaction failed: ${error.message}`) : error));
      throw error;
    }
    batch.forEach((item, i) => item.settle?.(results[i], undefined));
    return results.slice(batch.length - items.length);
  };
  const flush = (): void => {
    if (pending.length > 0) send([]);
  };

  /** An open nested scope; `item` is its SAVEPOINT statement once made (queued with the scope's first write). */
  interface Savepoint {
    readonly name: string;
    item: Item | undefined;
  }
  const savepoints: Savepoint[] = [];
  /** Queues the savepoints of the open scopes that do not have theirs yet (they go with the write). */
  const beforeWrite = (): void => {
    for (const sp of savepoints) {
      if (sp.item) continue;
      sp.item = plain(`SAVEPOINT ${sp.name}`);
      pending.push(sp.item);
    }
  };
  const script = (text: string): void => {
    flush();
    const answer = bridge.call({op: 'script', text, inTx: depth > 0}, text.slice(0, 60));
    if (!answer.ok) fail(answer, labelOf(text));
  };
  /** A statement whose result is needed now: sent with whatever is held back. */
  const query = (stmt: PgStatementText & {name: string; writes: boolean; label: string}, params: Params | undefined): ItemResult => {
    if (stmt.writes) wrote = true;
    if (stmt.writes && savepoints.length > 0) beforeWrite();
    return send([{name: stmt.name, text: stmt.text, values: bindParams(stmt, params), label: stmt.label}])[0]!;
  };

  /** An outermost transaction: BEGIN (with the journal lock unless TxOptions.lock is 'rows') … COMMIT. */
  const outermost = <T>(fn: () => T, options: TxOptions | undefined): T => {
    depth = 1;
    begun = false;
    wrote = false;
    journalLock = options?.lock !== 'rows';
    try {
      const result = fn();
      if (begun || pending.length > 0) {
        // COMMIT releases the lock as soon as the transaction is in the WAL (visible to every session); the
        // next transaction, committed synchronously, then waits until the WAL is on disk up to and past it.
        // So tx returns only once its writes are durable, and the disk wait is outside the lock, where the
        // server flushes for several sessions at once. Any session that saw these writes and committed
        // anything itself was flushed after them too (the WAL is one sequence).
        // The wait is one statement after COMMIT in the same round trip: it runs in an implicit transaction of its
        // own, which takes a transaction id and commits at the round trip's end, synchronously.
        const [commit] = send(wrote ? [COMMIT, DURABLE] : [COMMIT]);
        // A transaction that failed (an error caught inside it) ends in a rollback, which COMMIT reports quietly.
        if (commit?.command !== 'COMMIT') throw new PgStatementError(`PostgreSQL journal ${shown}: the transaction was rolled back (a statement in it failed)`, undefined, false);
      }
      return result;
    } catch (error) {
      for (const item of pending) item.settle?.(undefined, error as Error);
      pending = [];
      if (begun) {
        try {
          script('ROLLBACK');
        } catch {
          // a lost connection: the server has rolled the transaction back already
        }
      }
      throw error;
    } finally {
      depth = 0;
      begun = false;
    }
  };

  const db: PgDb = {
    dialect: 'postgres',
    target,
    assuming() {
      return depth > 0 && !journalLock && attempt === 1;
    },
    path: `${shown} (schema ${target.schema})`,
    prepare<Row>(sql: string): Statement<Row> {
      let stmt = cache.get(sql);
      if (!stmt) {
        const translated = toPostgres(sql);
        const insertInto = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(translated.text)?.[1]?.toLowerCase();
        const returnsId = insertInto !== undefined && ID_TABLES.has(insertInto) && !/\bRETURNING\b/i.test(translated.text);
        const writes = !/^\s*SELECT\b/i.test(translated.text) || /\b(FOR\s+UPDATE|setval|nextval|pg_advisory)/i.test(translated.text);
        const text = returnsId ? `${translated.text.trimEnd()} RETURNING id` : translated.text;
        const prepared = {...translated, text, name: `x${++names}`, writes, label: labelOf(text)};
        stmt = {
          run: (params) => {
            if (depth > 0 && prepared.writes) {
              wrote = true;
              // Inside a transaction a write waits for the next round trip; its result is read when asked for.
              if (savepoints.length > 0) beforeWrite();
              const later = new PendingRun(flush, returnsId);
              pending.push({name: prepared.name, text: prepared.text, values: bindParams(prepared, params), label: prepared.label, settle: (r, e) => later.settle(r, e)});
              return later;
            }
            const answer = query(prepared, params);
            const id = returnsId ? (answer.rows[0]?.id as number | undefined) : undefined;
            return {changes: answer.rowCount, lastInsertRowid: id ?? 0};
          },
          get: (params) => query(prepared, params).rows[0] as Row | undefined,
          all: (params) => query(prepared, params).rows as Row[],
          iterate: (params) => (query(prepared, params).rows as Row[])[Symbol.iterator](),
        };
        cache.set(sql, stmt);
      }
      return stmt as Statement<Row>;
    },
    tx<T>(fn: () => T, options?: TxOptions): T {
      if (depth > 0) {
        // A savepoint is only made before the scope's first write (a scope that only read has nothing
        // to undo), and never released (the commit releases them): a round trip saved per scope.
        const savepoint: Savepoint = {name: `sp${depth}`, item: undefined};
        savepoints.push(savepoint);
        depth++;
        try {
          const result = fn();
          // The scope ended well: a SAVEPOINT of it not sent yet is never needed (nothing rolls back to it), so it
          // is not sent. A write of the scope that fails later fails the statement that sends it, in the outer scope.
          const at = savepoint.item ? pending.indexOf(savepoint.item) : -1;
          if (at >= 0) pending.splice(at, 1);
          return result;
        } catch (error) {
          if (savepoint.item) {
            const at = pending.indexOf(savepoint.item);
            if (at >= 0) {
              // Never sent: dropping the savepoint and what followed it is the rollback.
              for (const item of pending.slice(at)) item.settle?.(undefined, error as Error);
              pending = pending.slice(0, at);
            } else {
              for (const item of pending) item.settle?.(undefined, error as Error);
              pending = [];
              try {
                script(`ROLLBACK TO SAVEPOINT ${savepoint.name}`);
              } catch {
                // the outer transaction fails with the first error
              }
            }
          }
          throw error;
        } finally {
          depth--;
          savepoints.pop();
        }
      }
      // A status change alone (lock 'rows') that the server broke a deadlock with runs again: it reads its order row
      // again under the row's lock, so running it again is the same change made on the row as it is now. So does one
      // whose first attempt assumed the row wrongly (Db.assuming: false from the second attempt on).
      let deadlocks = 0;
      for (attempt = 1; ; attempt++) {
        try {
          return outermost(fn, options);
        } catch (error) {
          const code = options?.lock === 'rows' && error instanceof PgStatementError ? error.code : undefined;
          if ((code === DEADLOCK && ++deadlocks < 3) || (code === ASSUMPTION_FAILED && attempt === 1)) continue;
          throw error;
        }
      }
    },
    insertMany(table, columns, key, rows) {
      if (rows.length === 0) return 0;
      const staging = `xarb_copy_${table}`;
      const cols = identifiers(...columns);
      // One round trip: a temporary table shaped like the columns (made once per connection, emptied at
      // commit), the rows as COPY text, one INSERT ... SELECT that skips conflicts, and the table emptied.
      const text = [
        `CREATE TEMP TABLE IF NOT EXISTS ${identifiers(staging)} ON COMMIT DELETE ROWS AS SELECT ${cols} FROM ${identifiers(table)} WITH NO DATA`,
        `COPY ${staging} (${cols}) FROM STDIN`,
        `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${staging} ON CONFLICT (${identifiers(...key)}) DO NOTHING`,
        `TRUNCATE ${staging}`,
      ].join('; ');
      return db.tx(() => {
        wrote = true;
        if (savepoints.length > 0) beforeWrite();
        send([]);
        const answer = bridge.call({op: 'copy', text, payload: copyText(rows), inTx: true}, `COPY into ${table}`);
        if (!answer.ok) fail(answer, `COPY of ${rows.length} rows into ${table}`);
        const inserted = (answer.results as ItemResult[] | undefined)?.find((r) => r.command === 'INSERT');
        return inserted?.rowCount ?? 0;
      });
    },
    exec(sql: string) {
      wrote = true;
      if (savepoints.length > 0) beforeWrite();
      if (depth > 0 && !begun) send([]);
      script(sql);
    },
    tryLock(name: string): boolean {
      // PostgreSQL lets one session take an advisory lock again; a lock is held once, even within this process.
      if (locks.has(name)) return false;
      const [answer] = send([{name: 'xarb_try_lock', text: 'SELECT pg_try_advisory_lock($1, $2) AS got', values: [LOCK_SPACE, key32(`${target.schema}:lock:${name}`)], label: `lock ${name}`}]);
      const got = answer?.rows[0]?.got === true;
      if (got) locks.add(name);
      return got;
    },
    unlock(name: string): void {
      if (!locks.delete(name)) return;
      try {
        send([{name: 'xarb_unlock', text: 'SELECT pg_advisory_unlock($1, $2) AS done', values: [LOCK_SPACE, key32(`${target.schema}:lock:${name}`)], label: `unlock ${name}`}]);
      } catch (error) {
        if (!(error instanceof PgStatementError && error.lost)) throw error;
      }
    },
    close() {
      cache.clear();
      try {
        bridge.call({op: 'close'}, 'close');
      } catch {
        // already closed, or the thread is gone: nothing left to end
      }
      bridge.close();
    },
  };
  return db;
}
