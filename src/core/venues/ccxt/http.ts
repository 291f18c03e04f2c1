/**
 * ccxt's HTTP client for a CcxtVenue, over node:http/node:https.
 *
 * ccxt sends REST requests through the `undici` package, imported on the
 * first request, and Node's global fetch loads its own bundled copy of
 * undici on first use: each costs about as much as importing an exchange
 * class (0.1-0.4 s), paid by every short command. node:http is part of
 * Node's start-up snapshot. The adapter answers in the minimal response
 * shape ccxt's own undici path produces (status, statusText, plain headers,
 * text(), arrayBuffer()), so ccxt's response handling and error mapping stay
 * its own.
 *
 * Invariants
 * - The whole body is read before the promise resolves: a connection lost
 *   mid-answer rejects inside ccxt's fetch, which maps it (NetworkError), as
 *   ccxt does for its own transports.
 * - An abort (ccxt's timeout) rejects with an error named AbortError
 *   (ccxt: RequestTimeout); socket errors keep their code (ECONNRESET, ...:
 *   ccxt: NetworkError). Redirects are not followed (ccxt treats them as
 *   errors; exchange APIs do not redirect).
 * - Gzip, deflate and brotli answers are inflated (ccxt asks for them, as
 *   its undici path does); node:zlib is loaded only for such an answer.
 * - Idle keep-alive sockets never hold the process open; close() ends them.
 */
import {Agent as HttpAgent, request as httpRequest, STATUS_CODES, type IncomingMessage} from 'node:http';
import {Agent as HttpsAgent, request as httpsRequest} from 'node:https';

export interface MinimalResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface FetchParams {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

export interface NodeHttpClient {
  fetch(url: string, params?: FetchParams): Promise<MinimalResponse>;
  close(): void;
}

function abortError(): Error {
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

async function inflate(encoding: string | undefined, body: Buffer): Promise<Buffer> {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity') return body;
  const zlib = await import('node:zlib');
  if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(body);
  if (coding === 'deflate') return zlib.inflateSync(body);
  if (coding === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => (res.complete ? resolve(Buffer.concat(chunks)) : reject(Object.assign(new Error('the connection closed before the answer was complete'), {code: 'ECONNRESET'}))));
    res.on('error', reject);
    res.on('aborted', () => reject(Object.assign(new Error('the connection closed before the answer was complete'), {code: 'ECONNRESET'})));
  });
}

/** One client (keep-alive sockets per scheme) for one exchange instance. */
export function nodeHttpClient(): NodeHttpClient {
  const agents = {http: new HttpAgent({keepAlive: true}), https: new HttpsAgent({keepAlive: true})};
  return {
    fetch(url, params = {}) {
      return new Promise<MinimalResponse>((resolve, reject) => {
        const signal = params.signal;
        if (signal?.aborted) return reject(abortError());
        const secure = url.startsWith('https:');
        const headers: Record<string, string> = {...params.headers};
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'accept-encoding')) headers['Accept-Encoding'] = 'gzip, deflate, br';
        const req = (secure ? httpsRequest : httpRequest)(url, {method: params.method ?? 'GET', headers, agent: secure ? agents.https : agents.http});
        const onAbort = () => req.destroy(abortError());
        signal?.addEventListener('abort', onAbort, {once: true});
        const done = () => signal?.removeEventListener('abort', onAbort);
        req.on('error', (error) => {
          done();
          reject(error);
        });
        req.on('response', (res) => {
          readBody(res)
            .then((raw) => inflate(res.headers['content-encoding'], raw))
            .then((body) => {
              done();
              const status = res.statusCode ?? 0;
              resolve({
                status,
                statusText: res.statusMessage ?? STATUS_CODES[status] ?? '',
                headers: res.headers,
                text: () => Promise.resolve(body.toString('utf8')),
                arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
              });
            })
            .catch((error: unknown) => {
              done();
              reject(error);
            });
        });
        if (params.body !== undefined) req.write(params.body);
        req.end();
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
