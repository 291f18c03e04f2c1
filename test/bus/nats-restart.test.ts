/**
 * Fault: the NATS server dies and comes back while `xarb collect` publishes
 * and `xarb arb scan --watch --source` reads. Runs the built CLI against a
 * private nats-server (its own port and store) so killing it disturbs no
 * other suite. Every wait polls for a state, with a deadline.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {jetstream, jetstreamManager} from '@nats-io/jetstream';
import {connect} from '@nats-io/transport-node';
import {afterAll, describe, expect, it} from 'vitest';
import {decodeBook} from '../../src/core/bus/codec.js';
import {parseBusUrl, type BusBook} from '../../src/core/bus/port.js';
import {CLI, json, runCli, tempHome} from '../support/cli.js';
import {PrivateNats, skipWithoutNatsServer, testSource, until} from '../support/nats.js';

const skip = skipWithoutNatsServer();

interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], home: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, XARB_HOME: home, XARB_NO_DEMO_NOTICE: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
  const r: Running = {child, stdout: '', stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code)))};
  child.stdout!.on('data', (d) => (r.stdout += String(d)));
  child.stderr!.on('data', (d) => (r.stderr += String(d)));
  return r;
}

/** The --json ticks of a running `arb scan --watch` (JSON Lines). */
function ticks(r: Running): {iteration: number; at: number; result: {stale: {count: number}; booksFetched: number}}[] {
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** The numbers of the collector's status lines on stderr: published total and gaps. */
function statusLines(r: Running): {total: number; gaps: number}[] {
  return [...r.stderr.matchAll(/\/s, (\d+) total, .*?, (\d+) gap\(s\)/g)].map((m) => ({total: Number(m[1]), gaps: Number(m[2])}));
}

/** Every book the stream holds, in stream order. */
async function streamBooks(source: string): Promise<BusBook[]> {
  const {servers, names} = parseBusUrl(source);
  const nc = await connect({servers: servers.map((s) => s.replace(/^nats:\/\//, ''))});
  try {
    const count = (await (await jetstreamManager(nc)).streams.info(names.stream)).state.messages;
    const consumer = await jetstream(nc).consumers.get(names.stream);
    const out: BusBook[] = [];
    const messages = await consumer.fetch({max_messages: count, expires: 5000});
    for await (const m of messages) {
      out.push(decodeBook(m.data));
      if (out.length >= count) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

describe.skipIf(skip)('NATS restarted while collecting', () => {
  let nats: PrivateNats | undefined;
  const running: Running[] = [];

  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await nats?.stop();
  });

  it('the collector and a --watch reader recover; the gap is reported and every interrupted book is republished whole', async () => {
    nats = await PrivateNats.start();
    const source = testSource('restart', nats.url);
    const home = tempHome();
    const collector = start(['collect', '--source', source, '--symbols', 'BTC/USD,ETH/USD', '--interval', '300ms', '--poll', '100ms'], home);
    running.push(collector);
    await until(() => statusLines(collector).some((s) => s.total > 0), 30_000, 'the collector to publish');

    const reader = start(['arb', 'scan', 'BTC/USD', 'ETH/USD', '--watch', '--source', source, '--interval', '200ms', '--max-age', '1s', '--json'], home);
    running.push(reader);
    await until(() => ticks(reader).some((t) => t.result.booksFetched > 0 && t.result.stale.count === 0), 30_000, 'the reader to hold fresh books');
    const before = statusLines(collector).at(-1)!;
    expect(before.gaps).toBe(0);

    // Down long enough that the reader's books go stale (older than --max-age).
    await nats.kill();
    const downAt = Date.now();
    await until(() => ticks(reader).some((t) => t.at > downAt && t.result.stale.count > 0), 30_000, 'the reader to see its books go stale');
    await nats.restart();
    const upAt = Date.now();

    // The reader recovers: fresh books again, from the restarted server.
    await until(() => ticks(reader).some((t) => t.at > upAt && t.result.stale.count === 0 && t.result.booksFetched > 0), 30_000, 'the reader to hold fresh books again');
    // The collector recovers and says there was a gap, on its status line and in `collect status`.
    await until(() => statusLines(collector).some((s) => s.gaps > 0 && s.total > before.total), 30_000, 'a status line with the gap');
    let status: any;
    await until(async () => {
      const r = await runCli(['collect', 'status', '--source', source, '--json'], {home});
      status = r.code === 0 ? json(r).collectors[0] : undefined;
      return status !== undefined && status.at > upAt && status.gaps > 0;
    }, 30_000, '`collect status` to report the gap');
    expect(status.state).toBe('running');
    expect(status.resyncs).toBeGreaterThan(0);
    expect(status.busErrors).toBeGreaterThan(0);

    // In the stream: for every venue/symbol whose sequence jumps, a resync book (a full snapshot) follows the jump.
    const books = await streamBooks(source);
    const bySymbol = new Map<string, BusBook[]>();
    for (const b of books) bySymbol.set(`${b.venue} ${b.symbol}`, [...(bySymbol.get(`${b.venue} ${b.symbol}`) ?? []), b]);
    let jumps = 0;
    for (const [key, list] of bySymbol) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.sequence, key).toBeGreaterThan(list[i - 1]!.sequence);
      const jump = list.findIndex((b, i) => i > 0 && b.sequence > list[i - 1]!.sequence + 1);
      if (jump < 0) continue;
      jumps++;
      expect(list.slice(jump).some((b) => b.resync === true && b.bids.length > 0 && b.asks.length > 0), key).toBe(true);
    }
    expect(jumps).toBeGreaterThan(0);

    collector.child.kill('SIGTERM');
    reader.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(await reader.exited).toBe(0);
  });
});
