/**
 * The PostgreSQL connection lives on its own thread (see ./db.ts). This is
 * that thread's program, kept as plain JavaScript text so it runs the same
 * from the built CLI and from the sources: it loads the `pg` client from the
 * path the caller resolved, keeps one connection, and answers one request at
 * a time on its port, waking the caller through a shared flag.
 *
 * Requests: {op: 'connect', url, schema} · {op: 'batch', items: [{name, text,
 * values}]} · {op: 'copy', text, payload} · {op: 'script', text} · {op: 'close'}. Answers: {ok: true,
 * results: [{rows, rowCount, command}]} or {ok: false, message, code, lost,
 * failedAt} (`lost`: the connection is gone; the next request reconnects
 * first; `failedAt`: the index of the batch item that failed).
 *
 * A batch is pipelined on the extended protocol: every item's Parse (once
 * per named statement and connection), Bind, Describe and Execute, then one
 * Sync, written at once: one round trip for the lot. The server runs them in
 * order and, at the first error, skips the rest up to the Sync; outside a
 * transaction block the items up to the Sync run as one implicit
 * transaction, so a batch is all or nothing either way.
 */
export const WORKER_SOURCE = `
const {workerData} = require('node:worker_threads');
const pg = require(workerData.pgPath);
const path = require('node:path');
const Result = require(path.join(path.dirname(workerData.pgPath), 'result.js'));
const prepareValue = require(path.join(path.dirname(workerData.pgPath), 'utils.js')).prepareValue;
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
const flag = new Int32Array(workerData.signal);
const port = workerData.port;
let client;
let target;
let lost = false;

async function connect() {
  if (client) client.end().catch(() => {});
  client = new pg.Client({connectionString: target.url, application_name: 'xarb/' + process.pid, connectionTimeoutMillis: target.connectTimeoutMs});
  client.on('error', () => { lost = true; });
  await client.connect();
  lost = false;
  const schema = '"' + target.schema.replace(/"/g, '""') + '"';
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS ' + schema);
  } catch (error) {
    // Another host created it at the same moment (IF NOT EXISTS does not cover that race).
    if (error.code !== '23505' && error.code !== '42P06') throw error;
  }
  await client.query('SET search_path TO ' + schema + '; SET statement_timeout = ' + Number(target.statementTimeoutMs));
}

/** Several statements in one round trip (a pg "submittable": pg hands it the connection when it is its turn). */
class Pipeline {
  constructor(items) {
    this.items = items;
    this.results = [];
    this.current = undefined;
    this.parsing = [];
    this.rowError = undefined;
    this.promise = new Promise((resolve) => { this.resolve = resolve; });
  }
  submit(connection) {
    const parsed = connection.parsedStatements;
    const sent = new Set();
    // Parse completions arrive in the order the Parse messages went out; a statement is known to the
    // server (and is not parsed again) only once its completion came back.
    this.onParsed = () => {
      const done = this.parsing.shift();
      if (done) parsed[done.name] = done.text;
    };
    this.connection = connection;
    connection.on('parseComplete', this.onParsed);
    if (connection.stream.cork) connection.stream.cork();
    try {
      for (const item of this.items) {
        const name = item.name || '';
        if (!name || (parsed[name] === undefined && !sent.has(name))) {
          connection.parse({text: item.text, name});
          if (name) {
            sent.add(name);
            this.parsing.push({name, text: item.text});
          }
        }
        connection.bind({portal: '', statement: name, values: item.values || [], valueMapper: prepareValue});
        connection.describe({type: 'P', name: ''});
        connection.execute({portal: '', rows: 0});
      }
      connection.sync();
    } finally {
      if (connection.stream.uncork) connection.stream.uncork();
    }
    return null;
  }
  finish(error) {
    if (this.connection) this.connection.removeListener('parseComplete', this.onParsed);
    this.connection = undefined;
    this.resolve(error ? {error, failedAt: this.results.length, results: this.results} : {results: this.results});
  }
  handleRowDescription(msg) {
    this.current = new Result();
    this.current.addFields(msg.fields);
  }
  handleDataRow(msg) {
    if (this.rowError) return;
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
  handleCopyInResponse(connection) { connection.sendCopyFail('not expected in a batch'); }
  handleCopyData() {}
  handleError(error) { this.finish(error); }
  handleReadyForQuery() { this.finish(this.rowError); }
}

/** A simple query with one COPY ... FROM STDIN among its statements, fed \`payload\` (COPY text). */
class CopyIn extends Pipeline {
  constructor(text, payload) {
    super([]);
    this.text = text;
    this.payload = payload;
  }
  submit(connection) {
    this.connection = connection;
    connection.query(this.text);
    return null;
  }
  finish(error) {
    this.connection = undefined;
    this.resolve(error ? {error, failedAt: this.results.length, results: this.results} : {results: this.results});
  }
  handleCopyInResponse(connection) {
    const data = Buffer.from(this.payload, 'utf8');
    for (let at = 0; at < data.length; at += 1 << 16) connection.sendCopyFromChunk(data.subarray(at, at + (1 << 16)));
    connection.endCopyFrom();
  }
}

async function handle(req) {
  if (req.op === 'connect') {
    target = req;
    await connect();
    return {rows: [], rowCount: 0};
  }
  if (req.op === 'close') {
    const c = client;
    client = undefined;
    if (c) await c.end().catch(() => {});
    return {rows: [], rowCount: 0};
  }
  if (!client || lost) {
    if (req.inTx) { const e = new Error('the connection to PostgreSQL was lost inside a transaction'); e.lost = true; throw e; }
    await connect();
  }
  if (req.op === 'script') {
    await client.query(req.text);
    return {rows: [], rowCount: 0};
  }
  if (req.op === 'batch') {
    const pipeline = new Pipeline(req.items);
    client.query(pipeline);
    const outcome = await pipeline.promise;
    if (outcome.error) {
      outcome.error.failedAt = outcome.failedAt;
      throw outcome.error;
    }
    return {results: outcome.results};
  }
  if (req.op === 'copy') {
    const copy = new CopyIn(req.text, req.payload);
    client.query(copy);
    const outcome = await copy.promise;
    if (outcome.error) throw outcome.error;
    return {results: outcome.results};
  }
  throw new Error('unknown request ' + req.op);
}

function answer(message) {
  try {
    port.postMessage(message);
  } catch (error) {
    // An answer that cannot be passed back (not cloneable) must still be an answer, never a silent wake-up.
    port.postMessage({seq: message.seq, ok: false, message: 'the answer could not be passed back: ' + String(error && error.message), lost: false});
  }
}

port.on('message', (req) => {
  handle(req).then(
    (value) => answer({seq: req.seq, ok: true, rows: value.rows, rowCount: value.rowCount, results: value.results}),
    (error) => {
      const connectionLevel = lost || error.lost === true || /terminat|ECONNRE|EPIPE|ETIMEDOUT|Connection|closed|not queryable/i.test(String(error && error.message));
      if (connectionLevel) lost = true;
      answer({seq: req.seq, ok: false, message: String(error && error.message), code: error && error.code, lost: connectionLevel, failedAt: error && error.failedAt});
    },
  ).finally(() => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
`;
