/**
 * One HTTP server per loopback venue: reads a request, records it, applies
 * injected faults, and hands it to the venue's dialect. Dialects are pure
 * request -> reply functions over a VenueState; everything about sockets,
 * latency and lost answers lives here.
 *
 * Fault semantics (per request matching the endpoint pattern):
 * - latency: waits, then answers normally (adds up with other faults).
 * - rateLimit / serverError: answers 429 (Retry-After) / 5xx; nothing applied.
 * - drop: destroys the socket before handling; nothing applied.
 * - timeout: never answers (the socket stays open until the client gives up
 *   or the server closes); applied only with `apply: true`.
 * - answerLost: handles the request (an order is created) then destroys the
 *   socket, so the client never hears back.
 * - malformed: handles the request, then answers 200 with a truncated body.
 */
import {createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {VenueState, VenuePolicy} from './state.js';
import type {DialectName, Fault, FaultKind, RecordedRequest} from './types.js';

export interface WireRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without the leading '?'. */
  readonly rawQuery: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface WireReply {
  readonly status: number;
  /** Serialized as JSON unless it is a string. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Dialect {
  readonly name: DialectName;
  readonly policy: VenuePolicy;
  handle(req: WireRequest, state: VenueState): WireReply;
  /** The venue's own 429 body. */
  rateLimited(): unknown;
}

interface ArmedFault {
  readonly pattern: string | RegExp;
  readonly fault: Fault;
  remaining: number;
}

const REDACTED_HEADERS = new Set(['api-sign', 'ok-access-sign', 'ok-access-passphrase', 'cb-access-sign', 'authorization', 'x-bapi-sign', 'access-sign', 'access-passphrase', 'sign']);

export class VenueServer {
  readonly requests: RecordedRequest[] = [];
  private faults: ArmedFault[] = [];
  private readonly server: Server;
  private readonly pending = new Set<ServerResponse>();
  private port = 0;

  constructor(
    readonly name: string,
    readonly dialect: Dialect,
    readonly state: VenueState,
  ) {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  get httpServer(): Server {
    return this.server;
  }

  async listen(host = '127.0.0.1', port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  addFault(pattern: string | RegExp, fault: Fault): void {
    this.faults.push({pattern, fault, remaining: fault.times ?? 1});
  }

  clearFaults(): void {
    this.faults = [];
  }

  async close(): Promise<void> {
    for (const res of this.pending) res.destroy();
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFaults(method: string, path: string): {latency: number; fault: Fault | undefined} {
    let latency = 0;
    let fault: Fault | undefined;
    const line = `${method} ${path}`;
    for (const armed of this.faults) {
      if (armed.remaining <= 0) continue;
      const hit = typeof armed.pattern === 'string' ? armed.pattern === path || armed.pattern === line : armed.pattern.test(line);
      if (!hit) continue;
      if (armed.fault.kind === 'latency') {
        latency += armed.fault.ms;
        armed.remaining--;
      } else if (fault === undefined) {
        fault = armed.fault;
        armed.remaining--;
      }
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return {latency, fault};
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void this.serve(req, res, body);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const query: Record<string, string> = {};
    if (rawQuery) for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = v;
    const wire: WireRequest = {method, path, rawQuery, query, body, headers: req.headers};
    const {latency, fault} = this.takeFaults(method, path);
    this.requests.push(record(this.name, wire, fault?.kind ?? (latency > 0 ? 'latency' : undefined)));
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (res.destroyed) return;

    switch (fault?.kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'timeout':
        if (fault.apply) this.handle(wire);
        this.pending.add(res);
        res.on('close', () => this.pending.delete(res));
        return;
      case 'rateLimit': {
        const retryAfter = String(fault.retryAfterSeconds ?? 1);
        send(res, {status: 429, body: this.dialect.rateLimited(), headers: {'Retry-After': retryAfter}});
        return;
      }
      case 'serverError': {
        const status = fault.status ?? 503;
        send(res, {status, body: status === 502 ? '<html><body>502 Bad Gateway</body></html>' : '<html><body>Service Unavailable</body></html>', headers: {'Content-Type': 'text/html'}});
        return;
      }
      case 'answerLost':
        this.handle(wire);
        req.socket.destroy();
        return;
      case 'malformed': {
        const reply = this.handle(wire);
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        send(res, {status: 200, body: text.slice(0, Math.max(1, Math.floor(text.length / 2)))});
        return;
      }
      default:
        send(res, this.handle(wire));
    }
  }

  private handle(wire: WireRequest): WireReply {
    try {
      return this.dialect.handle(wire, this.state);
    } catch (error) {
      return {status: 500, body: {error: `loopback ${this.name}: ${(error as Error).message}`}};
    }
  }
}

function send(res: ServerResponse, reply: WireReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(text);
}

function record(venue: string, wire: WireRequest, fault: FaultKind['kind'] | undefined): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(wire.headers)) {
    if (v === undefined) continue;
    headers[k] = REDACTED_HEADERS.has(k) ? '<redacted>' : Array.isArray(v) ? v.join(', ') : v;
  }
  return {
    venue,
    method: wire.method,
    path: wire.path,
    query: wire.query,
    body: wire.body,
    params: {...wire.query, ...parseBody(wire)},
    headers,
    fault,
    at: Date.now(),
  };
}

/** Form or JSON body as an object; a JSON array comes back under `batch`. */
export function parseBody(wire: Pick<WireRequest, 'body' | 'headers'>): Record<string, unknown> {
  if (!wire.body) return {};
  const type = String(wire.headers['content-type'] ?? '');
  const text = wire.body.trimStart();
  if (type.includes('json') || text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(wire.body);
      if (Array.isArray(parsed)) return {batch: parsed};
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      return {};
    }
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(wire.body)) out[k] = v;
  return out;
}
