/**
 * The node:http client CcxtVenue gives ccxt (venues/ccxt/http.ts), against a
 * local server: the response shape ccxt reads, compressed answers, an abort
 * (ccxt's timeout) and a connection lost mid-answer.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {gzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {nodeHttpClient} from '../../src/core/venues/ccxt/http.js';

let server: Server;
let base: string;
const seen: {method?: string; url?: string; body: string; headers: Record<string, unknown>}[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({method: req.method, url: req.url, body, headers: req.headers});
      if (req.url === '/json') {
        res.writeHead(201, {'content-type': 'application/json', 'x-mbx-used-weight': '7'});
        res.end('{"ok":true}');
      } else if (req.url === '/gzip') {
        res.writeHead(200, {'content-type': 'application/json', 'content-encoding': 'gzip'});
        res.end(gzipSync('{"zipped":1}'));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
      } else if (req.url === '/cut') {
        res.writeHead(200, {'content-type': 'application/json', 'content-length': '100'});
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 20);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('nodeHttpClient', () => {
  it('sends method, headers and body, and answers status, status text, headers and body', async () => {
    const client = nodeHttpClient();
    const res = await client.fetch(`${base}/json`, {method: 'POST', headers: {'X-Test': 'a'}, body: 'q=1'});
    expect([res.status, res.statusText, res.headers['x-mbx-used-weight']]).toEqual([201, 'Created', '7']);
    expect(await res.text()).toBe('{"ok":true}');
    expect(seen.at(-1)).toMatchObject({method: 'POST', url: '/json', body: 'q=1', headers: {'x-test': 'a'}});
    client.close();
  });

  it('inflates a gzip answer', async () => {
    const client = nodeHttpClient();
    expect(await (await client.fetch(`${base}/gzip`)).text()).toBe('{"zipped":1}');
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
    client.close();
  });

  it('rejects with an AbortError when aborted (ccxt: RequestTimeout)', async () => {
    const client = nodeHttpClient();
    const controller = new AbortController();
    const pending = client.fetch(`${base}/slow`, {signal: controller.signal});
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({name: 'AbortError'});
    client.close();
  });

  it('rejects with ECONNRESET when the connection is lost mid-answer (ccxt: NetworkError)', async () => {
    const client = nodeHttpClient();
    await expect(client.fetch(`${base}/cut`)).rejects.toMatchObject({code: 'ECONNRESET'});
    client.close();
  });
});
