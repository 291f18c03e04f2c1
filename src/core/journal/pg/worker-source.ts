/**
 * The PostgreSQL connection lives on its own thread (see ./db.ts). This is
 * that thread's program, kept as plain JavaScript text so it runs the same
 * from the built CLI and from the sources: it loads the `pg` client from the
 * path the caller resolved, keeps one connection, and answers one request at
 * a time on its port, waking the caller through a shared flag. Once
 * connected it routes the connection's messages itself (pg's query queue is
 * not used): to the request in flight, or, between requests, to a collector
 * of the answer to a batch the calling thread wrote to the socket itself.
 *
 * Requests: {op: 'connect', url, schema} · {op: 'batch', items: [{name, text,
 * values, parse}], gen} · {op: 'copy', text, payload} · {op: 'script', text} · {op: 'close'} ·
 * {op: 'write', bytes} (the rest of a batch written by the calling thread, no answer of its own).
 * Answers: {ok: true, results: [{rows, rowCount, command}]} or {ok: false, message, code, lost,
 * failedAt}, each with `gen` (which connection: statements parsed on an earlier one are unknown to
 * it), `fd` (the socket the calling thread may write, -1 if none) and which statements got parsed
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
/** [0] an answer is posted · [1] the number of the request written to the socket directly · [2] the connection is lost (1) · [3] such a request is in flight (1). */
const flag = new Int32Array(workerData.signal);
const port = workerData.port;
let client;
/** The connection whose messages are routed to \`active\`. */
let connection;
let target;
let lost = false;
/** Counts connections: the statements parsed on one are unknown to the next. */
let generation = 0;
/** Receives the server's messages: the request in flight; between requests, a collector for one the calling thread writes itself. */
let active;

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
  const c = new pg.Client({connectionString: target.url, application_name: 'xarb/' + process.pid, connectionTimeoutMillis: target.connectTimeoutMs});
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
  arm();
  Atomics.store(flag, 2, 0);
}

/** The socket's descriptor when the calling thread may write requests to it itself (a plain socket; never TLS), else -1. */
function descriptor() {
  const stream = connection && connection.stream;
  const fd = stream && !stream.encrypted && stream._handle ? stream._handle.fd : -1;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
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
    if (active === this) arm();
    const error = this.error || this.rowError;
    this.settle(error ? {error, failedAt: this.failedAt === undefined ? this.results.length : this.failedAt, results: this.results, parsed: this.parsed} : {results: this.results, parsed: this.parsed});
  }
}

/** Between requests: collects the answer to a request the calling thread wrote to the socket itself, and answers it. */
class Direct extends Collector {
  settle(outcome) {
    // Nothing was written (the connection ended while idle): nobody waits.
    if (Atomics.load(flag, 3) !== 1) return;
    const seq = Atomics.load(flag, 1);
    if (outcome.error) answer({seq, ok: false, message: String(outcome.error.message), code: outcome.error.code, lost: lost || isLost(outcome.error), failedAt: outcome.failedAt, results: outcome.results, parsed: outcome.parsed, gen: generation});
    else answer({seq, ok: true, results: outcome.results, parsed: outcome.parsed, gen: generation});
    Atomics.store(flag, 3, 0);
    wake();
  }
}

function arm() {
  active = new Direct();
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
    this.parsedNames = [];
  }
  submit(conn) {
    const named = new Set();
    if (conn.stream.cork) conn.stream.cork();
    try {
      for (const item of this.items) {
        const name = item.name || '';
        if (!name || (this.parseAll ? !named.has(name) : item.parse === true)) {
          conn.parse({text: item.text, name});
          if (name) {
            named.add(name);
            this.parsedNames.push(name);
          }
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
      return {results: outcome.results, parsedNames: pipeline.parsedNames.slice(0, outcome.parsed)};
    } catch (error) {
      error.parsedNames = pipeline.parsedNames.slice(0, error.parsed || 0);
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
  if (req.op === 'write') {
    // The rest of a request the calling thread could not write at once (the socket's buffer was full): its answer comes as a direct one.
    if (connection && !lost) connection.stream.write(req.bytes);
    return;
  }
  handle(req).then(
    (value) => answer({seq: req.seq, ok: true, results: value.results, parsedNames: value.parsedNames, gen: generation, fd: descriptor()}),
    (error) => {
      const connectionLevel = lost || isLost(error);
      if (connectionLevel) {
        lost = true;
        Atomics.store(flag, 2, 1);
      }
      answer({seq: req.seq, ok: false, message: String(error && error.message), code: error && error.code, lost: connectionLevel, failedAt: error && error.failedAt, parsedNames: error && error.parsedNames, gen: generation, fd: descriptor()});
    },
  ).finally(wake);
});
`;
