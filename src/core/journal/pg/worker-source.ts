/**
 * The PostgreSQL connection lives on its own thread (see ./db.ts). This is
 * that thread's program, kept as plain JavaScript text so it runs the same
 * from the built CLI and from the sources: it loads the `pg` client from the
 * path the caller resolved, keeps one connection, and answers one request at
 * a time on its port, waking the caller through a shared flag.
 *
 * Requests: {op: 'connect', url, schema} · {op: 'query', name, text, values}
 * · {op: 'script', text} · {op: 'close'}. Answers: {ok: true, rows, rowCount}
 * or {ok: false, message, code, lost} (`lost`: the connection is gone; the
 * next request reconnects first).
 */
export const WORKER_SOURCE = `
const {workerData} = require('node:worker_threads');
const pg = require(workerData.pgPath);
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
  const result = await client.query({name: req.name, text: req.text, values: req.values});
  return {rows: result.rows, rowCount: result.rowCount ?? 0};
}

port.on('message', (req) => {
  handle(req).then(
    (value) => port.postMessage({ok: true, rows: value.rows, rowCount: value.rowCount}),
    (error) => {
      const connectionLevel = lost || error.lost === true || /terminat|ECONNRE|EPIPE|ETIMEDOUT|Connection|closed|not queryable/i.test(String(error && error.message));
      if (connectionLevel) lost = true;
      port.postMessage({ok: false, message: String(error && error.message), code: error && error.code, lost: connectionLevel});
    },
  ).finally(() => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
`;
