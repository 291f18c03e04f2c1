/**
 * The PostgreSQL connection lives on its own thread (see ./db.ts). This is
 * that thread's program, kept as plain JavaScript text so it runs the same
 * from the built CLI and from the sources: it loads the `pg` client from the
 * path the caller resolved, keeps one connection, and answers one request at
 * a time on its port, waking the caller through a shared flag. Once
 * connected it routes the connection's messages to the request in flight
 * itself (pg's query queue is not used).
 *
 * Between its own requests it lends a plain (not TLS) connection's socket
 * to the calling thread: it stops reading it and puts it in blocking mode,
 * so that the calling thread writes a batch and reads its answer itself,
 * sleeping in the kernel until the bytes arrive (./reader.ts). It takes the
 * socket back (non-blocking, read again) before its next request. While the
 * socket is lent it watches the calling thread: when a request of its own
 * has had no byte from the server for the answer timeout, it asks the
 * server on a connection of its own whether the session is still there (a
 * round trip is answered at its end, so several statements or lock waits
 * can be quiet that long); if the server cannot say so in time, it ends the
 * process with a message (a read blocked in the kernel cannot be
 * interrupted from another thread).
 *
 * Requests: {op: 'connect', url, schema} · {op: 'batch', items: [{name, text,
 * values, parse}], gen} · {op: 'copy', text, payload} · {op: 'script', text} · {op: 'close'}.
 * Answers: {ok: true, results: [{rows, rowCount, command}]} or {ok: false, message, code, lost,
 * failedAt}, each with `gen` (which connection: statements parsed on an earlier one are unknown to
 * it), `fd` (the socket lent to the calling thread, -1 if none) and which statements got parsed
 * (`lost`: the connection is gone; the next request reconnects first; `failedAt`: the index of the
 * batch item that failed).
 *
 * A batch is pipelined on the extended protocol: every item's Parse (once
 * per named statement and connection), Bind, Describe and Execute, then one
 * Sync, written at once: one round trip for the lot. The server runs them in
 * order and, at the first error, skips the rest up to the Sync; outside a
 * transaction block the items up to the Sync run as one implicit
 * transaction, so a batch is all or nothing either way. A request ends at
 * its ReadyForQuery (after an error too).
 */
export const WORKER_SOURCE = `
const {workerData} = require('node:worker_threads');
const pg = require(workerData.pgPath);
const path = require('node:path');
const Result = require(path.join(path.dirname(workerData.pgPath), 'result.js'));
const prepareValue = require(path.join(path.dirname(workerData.pgPath), 'utils.js')).prepareValue;
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
/** [0] an answer is posted · [1] the calling thread's progress (counts its requests and reads) · [2] the connection is lost (1) · [3] the calling thread is in a request of its own (1). */
const flag = new Int32Array(workerData.signal);
const port = workerData.port;
let client;
/** The connection whose messages are routed to \`active\`. */
let connection;
let target;
let lost = false;
/** Counts connections: the statements parsed on one are unknown to the next. */
let generation = 0;
/** Receives the server's messages: the request in flight. */
let active;
/** Whether the socket is lent to the calling thread (blocking, not read here). */
let lent = false;

const ROUTES = {rowDescription: 'handleRowDescription', dataRow: 'handleDataRow', commandComplete: 'handleCommandComplete', emptyQuery: 'handleEmptyQuery', portalSuspended: 'handlePortalSuspended', parseComplete: 'handleParseComplete', copyInResponse: 'handleCopyInResponse', copyData: 'handleCopyData', errorMessage: 'handleError', readyForQuery: 'handleReadyForQuery'};

/** Marks the connection lost, for this thread and the calling one, before its socket is closed (so its descriptor is never written once it may be reused). */
function markLost(conn) {
  if (conn !== connection) return;
  lost = true;
  Atomics.store(flag, 2, 1);
  if (active) active.fail(new Error('Connection terminated unexpectedly'));
}

async function connect() {
  Atomics.store(flag, 2, 1);
  const old = client;
  connection = undefined;
  if (old) old.end().catch(() => {});
  // Keepalive: a read on a lent socket to a host that went away ends with an error instead of waiting for ever.
  const c = new pg.Client({connectionString: target.url, application_name: 'xarb/' + process.pid, connectionTimeoutMillis: target.connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10000});
  client = c;
  c.on('error', () => { if (c === client) { lost = true; Atomics.store(flag, 2, 1); if (c.connection === connection) markLost(connection); } });
  await c.connect();
  const schema = '"' + target.schema.replace(/"/g, '""') + '"';
  try {
    await c.query('CREATE SCHEMA IF NOT EXISTS ' + schema);
  } catch (error) {
    // Another host created it at the same moment (IF NOT EXISTS does not cover that race).
    if (error.code !== '23505' && error.code !== '42P06') throw error;
  }
  await c.query('SET search_path TO ' + schema + '; SET statement_timeout = ' + Number(target.statementTimeoutMs));
  // From here this thread routes the connection's messages itself (pg's own query queue is not used again).
  const conn = c.connection;
  for (const [event, method] of Object.entries(ROUTES)) {
    conn.removeAllListeners(event);
    conn.on(event, (msg) => { if (conn === connection && active) active[method](msg, conn); });
  }
  const stream = conn.stream;
  const destroy = stream.destroy;
  stream.destroy = function (...args) {
    markLost(conn);
    return destroy.apply(this, args);
  };
  conn.once('end', () => markLost(conn));
  conn.on('error', () => markLost(conn));
  connection = conn;
  generation++;
  lost = false;
  Atomics.store(flag, 2, 0);
}

/** The socket's descriptor while it is lent to the calling thread, else -1. */
function descriptor() {
  const fd = lent ? connection.stream._handle.fd : -1;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/** Lends a plain connection's socket to the calling thread: not read here, and in blocking mode. */
function lend() {
  const stream = connection && !lost && Atomics.load(flag, 2) === 0 ? connection.stream : undefined;
  const handle = stream && !stream.encrypted ? stream._handle : undefined;
  if (lent || !handle || typeof handle.setBlocking !== 'function' || typeof handle.fd !== 'number' || handle.fd < 0) return;
  stream.pause();
  handle.reading = false;
  handle.readStop();
  if (handle.setBlocking(true) !== 0) {
    stream.resume();
    return;
  }
  lent = true;
}

/** Takes the socket back before a request of this thread's own: non-blocking, and read here again. */
function reclaim() {
  if (!lent) return;
  lent = false;
  const stream = connection && connection.stream;
  if (!stream || !stream._handle) return;
  stream._handle.setBlocking(false);
  // Read again (the stream's own state still has a read pending from before the socket was lent: it would not ask).
  stream._handle.reading = true;
  stream._handle.readStart();
  stream.resume();
}

// The calling thread's requests on a lent socket. One that has had no byte from the server for the answer timeout may
// be the server at work (several statements, each within the statement timeout, or lock waits: the server answers a
// round trip at its end), or a server or network that stopped answering. A connection of its own asks the server
// whether this session is still there; if the server cannot say so in time, the process ends (a read blocked in the
// kernel cannot be interrupted). Checked a few times per timeout; nothing runs while the socket is not lent.
let watched = -1;
let quietSince = 0;
let probing = false;
setInterval(() => {
  if (!lent || Atomics.load(flag, 3) !== 1) {
    watched = -1;
    return;
  }
  const progress = Atomics.load(flag, 1);
  const now = performance.now();
  if (progress !== watched) {
    watched = progress;
    quietSince = now;
    return;
  }
  if (probing || now - quietSince < workerData.answerTimeoutMs) return;
  probing = true;
  sessionAlive(client && client.processID).then((alive) => {
    probing = false;
    if (alive) quietSince = performance.now();
    else if (lent && Atomics.load(flag, 3) === 1 && Atomics.load(flag, 1) === progress) stop();
  });
}, Math.min(1000, workerData.answerTimeoutMs / 4)).unref();

/** Whether the server, asked on a connection of its own within the answer timeout (at most 10 s), still has session \`pid\`. */
async function sessionAlive(pid) {
  if (!pid || !target) return false;
  const wait = Math.min(10000, workerData.answerTimeoutMs);
  const probe = new pg.Client({connectionString: target.url, application_name: 'xarb/' + process.pid + '/watch', connectionTimeoutMillis: wait, query_timeout: wait});
  probe.on('error', () => {});
  try {
    await probe.connect();
    const found = await probe.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
    return found.rowCount === 1;
  } catch {
    return false;
  } finally {
    probe.end().catch(() => {});
  }
}

function stop() {
  require('node:fs').writeSync(2, 'xarb: the PostgreSQL journal has not answered for ' + Math.round(workerData.answerTimeoutMs / 1000) + ' s and cannot be reached to ask why; stopping. Nothing more is written; an order sent and not yet recorded is resolved by its client id (xarb reconcile), never sent again.\\n');
  process.kill(process.pid, 'SIGKILL');
}

/** Collects a request's results from the server's messages, up to its ReadyForQuery. */
class Collector {
  constructor() {
    this.results = [];
    this.current = undefined;
    this.rowError = undefined;
    this.error = undefined;
    this.failedAt = undefined;
    this.parsed = 0;
    this.done = false;
  }
  handleRowDescription(msg) {
    this.current = new Result();
    this.current.addFields(msg.fields);
  }
  handleDataRow(msg) {
    if (this.rowError || !this.current) return;
    try {
      this.current.addRow(this.current.parseRow(msg.fields));
    } catch (error) {
      this.rowError = error;
    }
  }
  handleCommandComplete(msg) {
    const result = this.current || new Result();
    result.addCommandComplete(msg);
    this.results.push({rows: result.rows, rowCount: result.rowCount || 0, command: result.command});
    this.current = undefined;
  }
  handleEmptyQuery() {
    this.results.push({rows: [], rowCount: 0, command: null});
    this.current = undefined;
  }
  handlePortalSuspended() {}
  handleParseComplete() {
    this.parsed++;
  }
  handleCopyInResponse(msg, conn) {
    conn.sendCopyFail('not expected here');
  }
  handleCopyData() {}
  handleError(error) {
    // The server skips the rest up to the Sync; the request ends at its ReadyForQuery.
    if (this.error) return;
    this.error = error;
    this.failedAt = this.results.length;
  }
  handleReadyForQuery() {
    this.finish();
  }
  fail(error) {
    this.handleError(error);
    this.finish();
  }
  finish() {
    if (this.done) return;
    this.done = true;
    if (active === this) active = undefined;
    const error = this.error || this.rowError;
    this.settle(error ? {error, failedAt: this.failedAt === undefined ? this.results.length : this.failedAt, results: this.results, parsed: this.parsed} : {results: this.results, parsed: this.parsed});
  }
}

/** A request this thread writes: its promise settles at its end. */
class Request extends Collector {
  constructor() {
    super();
    this.promise = new Promise((resolve) => { this.settle = resolve; });
  }
  start() {
    active = this;
    this.submit(connection);
    return this.promise;
  }
}

/**
 * Several statements in one round trip: each item's Parse (when asked, or for every named statement on a
 * connection this request made), Bind, Describe and Execute, then one Sync.
 */
class Pipeline extends Request {
  constructor(items, parseAll) {
    super();
    this.items = items;
    this.parseAll = parseAll;
    /** The request's Parse messages in order ('' for an unnamed statement's). */
    this.parses = [];
  }
  submit(conn) {
    const named = new Set();
    if (conn.stream.cork) conn.stream.cork();
    try {
      for (const item of this.items) {
        const name = item.name || '';
        if (!name || (this.parseAll ? !named.has(name) : item.parse === true)) {
          conn.parse({text: item.text, name});
          this.parses.push(name);
          if (name) named.add(name);
        }
        conn.bind({portal: '', statement: name, values: item.values || [], valueMapper: prepareValue});
        conn.describe({type: 'P', name: ''});
        conn.execute({portal: '', rows: 0});
      }
      conn.sync();
    } finally {
      if (conn.stream.uncork) conn.stream.uncork();
    }
  }
}

/** A simple query (one or more statements, no parameters). */
class Script extends Request {
  constructor(text) {
    super();
    this.text = text;
  }
  submit(conn) {
    conn.query(this.text);
  }
}

/** A simple query with one COPY ... FROM STDIN among its statements, fed \`payload\` (COPY text). */
class CopyIn extends Script {
  constructor(text, payload) {
    super(text);
    this.payload = payload;
  }
  handleCopyInResponse(msg, conn) {
    const data = Buffer.from(this.payload, 'utf8');
    for (let at = 0; at < data.length; at += 1 << 16) conn.sendCopyFromChunk(data.subarray(at, at + (1 << 16)));
    conn.endCopyFrom();
  }
}

async function run(request) {
  const outcome = await request.start();
  if (outcome.error) {
    outcome.error.failedAt = outcome.failedAt;
    outcome.error.parsed = outcome.parsed;
    throw outcome.error;
  }
  return outcome;
}

async function handle(req) {
  reclaim();
  if (req.op === 'connect') {
    target = req;
    await connect();
    return {results: []};
  }
  if (req.op === 'close') {
    Atomics.store(flag, 2, 1);
    const c = client;
    client = undefined;
    connection = undefined;
    if (c) await c.end().catch(() => {});
    return {results: []};
  }
  let fresh = false;
  // The calling thread marks the connection lost too when its own write to the socket failed.
  if (!client || !connection || lost || Atomics.load(flag, 2) === 1) {
    if (req.inTx) { const e = new Error('the connection to PostgreSQL was lost inside a transaction'); e.lost = true; throw e; }
    await connect();
    fresh = true;
  }
  if (req.op === 'script') return run(new Script(req.text));
  if (req.op === 'batch') {
    const pipeline = new Pipeline(req.items, fresh || req.gen !== generation);
    try {
      const outcome = await run(pipeline);
      return {results: outcome.results, parsedNames: pipeline.parses.slice(0, outcome.parsed).filter(Boolean)};
    } catch (error) {
      error.parsedNames = pipeline.parses.slice(0, error.parsed || 0).filter(Boolean);
      throw error;
    }
  }
  if (req.op === 'copy') return run(new CopyIn(req.text, req.payload));
  throw new Error('unknown request ' + req.op);
}

function isLost(error) {
  return error.lost === true || /terminat|ECONNRE|EPIPE|ETIMEDOUT|Connection|closed|not queryable/i.test(String(error && error.message));
}

function answer(message) {
  try {
    port.postMessage(message);
  } catch (error) {
    // An answer that cannot be passed back (not cloneable) must still be an answer, never a silent wake-up.
    port.postMessage({seq: message.seq, ok: false, message: 'the answer could not be passed back: ' + String(error && error.message), lost: false});
  }
}

function wake() {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', (req) => {
  handle(req).then(
    (value) => {
      if (req.op !== 'close') lend();
      answer({seq: req.seq, ok: true, results: value.results, parsedNames: value.parsedNames, gen: generation, fd: descriptor()});
    },
    (error) => {
      const connectionLevel = lost || isLost(error);
      if (connectionLevel) {
        lost = true;
        Atomics.store(flag, 2, 1);
      } else lend();
      answer({seq: req.seq, ok: false, message: String(error && error.message), code: error && error.code, lost: connectionLevel, failedAt: error && error.failedAt, parsedNames: error && error.parsedNames, gen: generation, fd: descriptor()});
    },
  ).finally(wake);
});
`;
