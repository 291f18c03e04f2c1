/**
 * The NATS server tests talk to (loopback, JetStream on): its URL, a probe,
 * and a fresh stream/bucket naming per test so runs never collide. In CI
 * (CI=1) a missing server fails the suites that need it; elsewhere they are
 * skipped with the reason.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {connect, createServer, type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const NATS_URL = process.env.XARB_TEST_NATS ?? 'nats://127.0.0.1:4222';

export function natsReachable(url = NATS_URL, timeoutMs = 1000): Promise<boolean> {
  const {hostname, port} = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({host: hostname, port: Number(port || 4222)});
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('data', (d) => done(d.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
  });
}

/** True when the suite should be skipped: no server, and not in CI (where it must fail instead). */
export async function skipWithoutNats(): Promise<boolean> {
  const up = await natsReachable();
  if (up) return false;
  if (process.env.CI) throw new Error(`NATS with JetStream is required in CI and is not reachable at ${NATS_URL} (.ci/run starts it)`);
  process.stderr.write(`skipping: no NATS server at ${NATS_URL}\n`);
  return true;
}

let counter = 0;

/** A source URL with this test's own stream, subject prefix and buckets (on `server`, the shared one by default). */
export function testSource(label: string, server = NATS_URL): string {
  const id = `${label.replace(/[^A-Za-z0-9]/g, '')}${process.pid}x${++counter}x${Date.now().toString(36)}`;
  return `${server}?stream=T_${id}&prefix=t${id}&books=t-${id}-books&meta=t-${id}-meta`;
}

export const NATS_SERVER_BIN = process.env.XARB_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/** True when a suite that starts its own nats-server should be skipped: no binary, and not in CI (where it must fail). */
export function skipWithoutNatsServer(): boolean {
  if (existsSync(NATS_SERVER_BIN)) return false;
  if (process.env.CI) throw new Error(`nats-server is required in CI and is not at ${NATS_SERVER_BIN} (.ci/run installs it)`);
  process.stderr.write(`skipping: no nats-server binary at ${NATS_SERVER_BIN}\n`);
  return true;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private nats-server with JetStream on a free loopback port and its own
 * store, so a test may stop and restart it without disturbing other suites.
 */
export class PrivateNats {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly args: readonly string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** `args`: more server options (e.g. --user/--pass). */
  static async start(args: readonly string[] = []): Promise<PrivateNats> {
    const server = new PrivateNats(await freePort(), mkdtempSync(join(tmpdir(), 'xarb-nats-')), args);
    await server.restart();
    return server;
  }

  /** Starts the server (again, on the same port and store) and waits until it answers. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('nats-server is already running');
    const child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...this.args], {stdio: 'ignore'});
    this.child = child;
    await until(() => natsReachable(this.url, 500), 15_000, `nats-server on port ${this.port}`);
  }

  /** Kills the server (SIGKILL: a crash, not a clean shutdown) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, {recursive: true, force: true});
  }
}

/**
 * Polls `condition` (every 20 ms) until it holds, or fails after `timeoutMs`
 * naming what was awaited: tests wait for a state, never a fixed time.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
