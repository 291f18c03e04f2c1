/**
 * The NATS server tests talk to (loopback, JetStream on): its URL, a probe,
 * and a fresh stream/bucket naming per test so runs never collide. In CI
 * (CI=1) a missing server fails the suites that need it; elsewhere they are
 * skipped with the reason.
 */
import {connect} from 'node:net';

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

/** A source URL with this test's own stream, subject prefix and buckets. */
export function testSource(label: string): string {
  const id = `${label.replace(/[^A-Za-z0-9]/g, '')}${process.pid}x${++counter}x${Date.now().toString(36)}`;
  return `${NATS_URL}?stream=T_${id}&prefix=t${id}&books=t-${id}-books&meta=t-${id}-meta`;
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
