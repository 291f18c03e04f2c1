/**
 * A webhook receiver on 127.0.0.1 that records every request (headers and
 * exact body) and answers with the scripted statuses (200 once they run out).
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface ReceivedPost {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly posts: ReceivedPost[];
  /** Statuses for the next requests, in order. */
  statuses: number[];
  /** Waits until `n` requests have arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const waiters: {n: number; resolve: () => void}[] = [];
  const receiver = {statuses: [] as number[]};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')});
      res.statusCode = receiver.statuses.shift() ?? 200;
      res.end('ok');
      for (const w of waiters.filter((x) => posts.length >= x.n)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    posts,
    waitFor: (n: number, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (posts.length >= n) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${posts.length} of ${n} posts arrived`)), timeoutMs);
        waiters.push({n, resolve: () => (clearTimeout(timer), resolve())});
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A loopback URL nothing listens on (a port opened and closed again). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}
