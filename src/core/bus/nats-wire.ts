/**
 * Request/reply on a plain NATS connection, spoken directly on a TCP socket:
 * what a short reader of the bus (`prices --source`) needs, without loading
 * and starting the NATS client (its connection machinery, parser, timers and
 * bytecode cost more than the reads themselves). nats.ts uses it for the
 * single-entry reads of nats-direct.ts and opens the client for everything
 * else (publishing, watching, the key-value client).
 *
 * Protocol (NATS client protocol, https://docs.nats.io/reference/reference-protocols/nats-protocol):
 * the server greets with INFO; the client sends CONNECT, PING and one
 * subscription to its inbox (`_INBOX.<random>.*`), and then each request as
 * `PUB <subject> <inbox>.<n> <size>`; replies come back as MSG (no headers)
 * or HMSG (headers: a status line `NATS/1.0 <code> <description>`, then
 * `Name: value` lines). Everything after INFO is written without waiting for
 * the server's PONG: the server handles a connection's commands in order.
 *
 * Invariants
 * 1. Only a connection this module can speak is kept: a server asking for
 *    TLS or authentication, one without headers, or a URL carrying
 *    credentials makes `openWire` answer `undefined` (the caller opens the
 *    NATS client instead, which handles those), never a half-working
 *    connection.
 * 2. Every request ends: with its reply, with an error (no responders is
 *    the client's 503 error; `-ERR` from the server; the connection closing),
 *    or after its timeout. None is ever sent twice.
 * 3. A reply is matched to its request by the reply subject it was sent
 *    with; a reply nobody waits for (late, after a timeout) is dropped.
 * 4. Subjects are checked before they reach the socket: one with
 *    whitespace would break the protocol line, so it is refused.
 * 5. A request without an answer in its time closes the connection (the
 *    requests still waiting fail with it): this connection sends no pings of
 *    its own, so a connection the network dropped silently would otherwise
 *    time out request after request. The caller then goes on with the NATS
 *    client, which notices such drops and reconnects.
 */
import {closeSync, openSync, readSync} from 'node:fs';
import {connect as tcpConnect, type Socket} from 'node:net';
import {randomFill} from '../crypto.js';
import type {Reply, Requester} from './nats-direct.js';

const CRLF = Buffer.from('\r\n');
const CONNECT = `CONNECT ${JSON.stringify({verbose: false, pedantic: false, protocol: 1, headers: true, no_responders: true, lang: 'xarb', version: '1'})}\r\nPING\r\n`;
const DEFAULT_PORT = 4222;

/** What the server says about itself in INFO (the fields this module looks at). */
interface ServerInfo {
  readonly headers?: boolean;
  readonly proto?: number;
  readonly tls_required?: boolean;
  readonly auth_required?: boolean;
}

/** Status and headers of an HMSG reply (Reply.headers). */
class ReplyHeaders {
  constructor(
    readonly code: number,
    readonly description: string,
    private readonly fields: ReadonlyMap<string, string>,
  ) {}

  /** The header's value ('' when absent); names match without regard to case. */
  get(name: string): string {
    return this.fields.get(name.toLowerCase()) ?? '';
  }
}

/** Parses a header block: `NATS/1.0[ code[ description]]` then `Name: value` lines. */
export function parseHeaders(text: string): ReplyHeaders {
  const lines = text.split('\r\n');
  const status = /^NATS\/1\.0(?:\s+(\d{3})(?:\s+(.*))?)?$/.exec(lines[0] ?? '');
  if (!status) throw new Error(`malformed reply headers: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  const fields = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first value of a repeated name, as the client's get() answers.
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return new ReplyHeaders(status[1] ? Number(status[1]) : 0, (status[2] ?? '').trim(), fields);
}

/** A message from the server, as parseFrames hands it over. */
export type Frame =
  | {readonly kind: 'info'; readonly info: ServerInfo}
  | {readonly kind: 'msg'; readonly subject: string; readonly data: Uint8Array; readonly headers?: ReplyHeaders}
  | {readonly kind: 'ping'}
  | {readonly kind: 'pong'}
  | {readonly kind: 'ok'}
  | {readonly kind: 'err'; readonly message: string};

/**
 * Takes the complete frames at the start of `buffer`: the frames and how
 * many bytes they used (the rest waits for more data), and when the rest
 * begins a message whose first line is in, how many bytes that message
 * takes (`need`, counted from `used`). Throws on a line it does not know
 * (a broken stream).
 */
export function parseFrames(buffer: Buffer): {frames: Frame[]; used: number; need?: number} {
  const frames: Frame[] = [];
  let at = 0;
  let need: number | undefined;
  for (;;) {
    const eol = buffer.indexOf(CRLF, at);
    if (eol < 0) break;
    const line = buffer.toString('latin1', at, eol);
    if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
      // MSG <subject> <sid> [reply] <size> / HMSG <subject> <sid> [reply] <header size> <total size>
      const parts = line.split(' ');
      const withHeaders = parts[0] === 'HMSG';
      const total = Number(parts[parts.length - 1]);
      const headerSize = withHeaders ? Number(parts[parts.length - 2]) : 0;
      if (!Number.isSafeInteger(total) || !Number.isSafeInteger(headerSize) || headerSize > total || parts.length < (withHeaders ? 5 : 4)) throw new Error(`malformed message line: ${line.slice(0, 80)}`);
      const start = eol + 2;
      if (buffer.length < start + total + 2) {
        need = start + total + 2 - at;
        break;
      }
      const headers = withHeaders ? parseHeaders(buffer.toString('latin1', start, start + headerSize)) : undefined;
      frames.push({kind: 'msg', subject: parts[1]!, data: buffer.subarray(start + headerSize, start + total), headers});
      at = start + total + 2;
      continue;
    }
    at = eol + 2;
    if (line === 'PING') frames.push({kind: 'ping'});
    else if (line === 'PONG') frames.push({kind: 'pong'});
    else if (line === '+OK') frames.push({kind: 'ok'});
    else if (line.startsWith('-ERR')) frames.push({kind: 'err', message: line.slice(4).trim().replace(/^'(.*)'$/, '$1')});
    else if (line.startsWith('INFO ')) frames.push({kind: 'info', info: JSON.parse(line.slice(5)) as ServerInfo});
    else throw new Error(`unexpected line from the server: ${line.slice(0, 80)}`);
  }
  return need === undefined ? {frames, used: at} : {frames, used: at, need};
}

/** host and port of a server as written in a source URL (`nats://host:port`, `host:port`, `[::1]:4222`); undefined when it carries credentials. */
export function serverAddress(server: string): {host: string; port: number} | undefined {
  const url = new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`);
  if (url.username || url.password) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {host, port: url.port ? Number(url.port) : DEFAULT_PORT};
}

/** 16 random bytes as 22 base-36 characters: the inbox prefix, unique per connection. */
function randomToken(): string {
  const bytes = new Uint8Array(16);
  let filled = false;
  try {
    // Read directly: cheaper than loading node:crypto for 16 bytes.
    const fd = openSync('/dev/urandom', 'r');
    try {
      filled = readSync(fd, bytes, 0, bytes.length, null) === bytes.length;
    } finally {
      closeSync(fd);
    }
  } catch {
    filled = false;
  }
  if (!filled) randomFill(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(36).padStart(2, '0');
  return out;
}

interface Waiting {
  /** The request's subject (for errors). */
  readonly subject: string;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
}

/** What the NATS client says of a request nobody subscribes to (status 503). */
export class NoRespondersError extends Error {
  constructor(subject: string) {
    super(`no responders: '${subject}'`);
    this.name = 'NoRespondersError';
  }
}

export class WireConnection implements Requester {
  private readonly inbox = `_INBOX.${randomToken()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private nextId = 0;
  /** What was read and not parsed yet: the start of a frame, in the chunks it came in. */
  private received: Buffer[] = [];
  private receivedBytes = 0;
  /** How many bytes the frame begun in `received` takes, when its first line said (a message): until then, no parse. */
  private need = 0;
  /**
   * What is not yet written, written together at the end of the current turn
   * of the event loop: protocol text (`text`), preceded by the parts before
   * the last payload (`parts`, empty unless a request carried one).
   */
  private text = '';
  private parts: Buffer[] = [];
  private flushQueued = false;
  /** One timer for every request's timeout, due at the earliest deadline (`timerAt`). */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private failure: Error | undefined;

  /** `socket`: connected, its INFO read; `rest`: what the server sent after INFO in the same read. */
  constructor(
    private readonly socket: Socket,
    rest?: Buffer,
  ) {
    this.text = `${CONNECT}SUB ${this.inbox}* 1\r\n`;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
    this.queueFlush();
    if (rest) this.onData(rest);
  }

  /** False once the connection failed or was closed: later requests are refused at once. */
  get open(): boolean {
    return this.failure === undefined;
  }

  request(subject: string, payload?: Uint8Array, options?: {timeout: number}): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (subject.length === 0 || /\s/.test(subject)) return Promise.reject(new Error(`invalid subject ${JSON.stringify(subject)}`));
    const reply = `${this.inbox}${++this.nextId}`;
    const size = payload?.length ?? 0;
    this.text += `PUB ${subject} ${reply} ${size}\r\n`;
    if (size > 0) {
      this.parts.push(Buffer.from(this.text, 'utf8'), Buffer.from(payload!.buffer, payload!.byteOffset, payload!.byteLength));
      this.text = '';
    }
    this.text += '\r\n';
    this.queueFlush();
    return new Promise<Reply>((resolve, reject) => {
      const deadline = Date.now() + (options?.timeout ?? 5000);
      this.waiting.set(reply, {subject, resolve, reject, deadline});
      if (deadline < this.timerAt) this.armTimer(deadline);
    });
  }

  /** Closes the socket; requests still waiting fail (with `error`, by default "connection closed"). */
  close(error = new Error('connection closed')): void {
    this.fail(error);
    this.socket.destroy();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Requests made in the same turn of the event loop (a Promise.all over keys, and the requests of
    // the promise chains they start) go out in one write.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.failure) return;
      const {text, parts} = this;
      this.text = '';
      this.parts = [];
      if (parts.length === 0) {
        if (text.length > 0) this.socket.write(text, 'utf8');
      } else this.socket.write(Buffer.concat(text.length > 0 ? [...parts, Buffer.from(text, 'utf8')] : parts));
    });
  }

  private onData(chunk: Buffer): void {
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
    // A large message comes in many chunks: they are joined once it is all there, not once per chunk.
    if (this.receivedBytes < this.need) return;
    const buffer = this.received.length === 1 ? chunk : Buffer.concat(this.received, this.receivedBytes);
    let parsed: ReturnType<typeof parseFrames>;
    try {
      parsed = parseFrames(buffer);
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
      return;
    }
    const rest = buffer.subarray(parsed.used);
    this.received = rest.length > 0 ? [rest] : [];
    this.receivedBytes = rest.length;
    this.need = parsed.need ?? 0;
    for (const frame of parsed.frames) {
      if (frame.kind === 'msg') this.onMessage(frame.subject, frame.data, frame.headers);
      else if (frame.kind === 'ping') {
        this.text += 'PONG\r\n';
        this.queueFlush();
      } else if (frame.kind === 'err') this.onServerError(frame.message);
    }
  }

  private onMessage(subject: string, data: Uint8Array, headers: ReplyHeaders | undefined): void {
    const w = this.waiting.get(subject);
    if (!w) return;
    this.waiting.delete(subject);
    if (headers?.code === 503) w.reject(new NoRespondersError(w.subject));
    else w.resolve({data, headers});
  }

  /**
   * A permissions violation leaves the connection open (the server refused
   * one publish, which one it does not say): the requests waiting fail, later
   * ones may still succeed. Any other -ERR is followed by the server closing
   * the connection.
   */
  private onServerError(message: string): void {
    const error = new Error(message);
    if (/^permissions violation/i.test(message)) this.rejectAll(error);
    else this.fail(error);
  }

  /** The socket keeps the process alive while requests wait, so the timer does not have to. */
  private armTimer(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(1, at - Date.now()));
    this.timer.unref();
  }

  /** Invariant 5: the first request past its deadline closes the connection. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const w of this.waiting.values()) {
      if (w.deadline <= now) {
        this.close(new Error('timeout'));
        return;
      }
      next = Math.min(next, w.deadline);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next);
  }

  private rejectAll(error: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(error);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.text = '';
    this.parts = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.rejectAll(this.failure);
  }
}

/** A connected socket and the first line the server sent (its INFO), or the reason there is none. */
function greet(host: string, port: number, timeoutMs: number): Promise<{socket: Socket; info: ServerInfo; rest: Buffer | undefined}> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({host, port});
    socket.setNoDelay(true);
    let received: Buffer | undefined;
    const timer = setTimeout(() => done(new Error('timeout')), timeoutMs);
    const done = (error: Error | undefined, info?: ServerInfo, rest?: Buffer) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve({socket, info: info!, rest});
    };
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? new Error('connection refused', {cause: error}) : error));
    socket.on('close', () => done(new Error('connection closed before the server said INFO')));
    socket.on('data', (chunk: Buffer) => {
      received = received ? Buffer.concat([received, chunk]) : chunk;
      const eol = received.indexOf(CRLF);
      if (eol < 0) {
        if (received.length > 64 * 1024) done(new Error('no INFO from the server'));
        return;
      }
      const line = received.toString('utf8', 0, eol);
      if (!line.startsWith('INFO ')) return done(new Error(`unexpected greeting from the server: ${line.slice(0, 80)}`));
      let info: ServerInfo;
      try {
        info = JSON.parse(line.slice(5)) as ServerInfo;
      } catch {
        return done(new Error('unreadable INFO from the server'));
      }
      done(undefined, info, eol + 2 < received.length ? received.subarray(eol + 2) : undefined);
    });
  });
}

/**
 * Connects to the first server that answers (in random order, as the NATS
 * client picks them) and starts the session. Undefined when the connection
 * needs what only the NATS client does (invariant 1); throws when no server
 * answers (the last server's reason).
 */
export async function openWire(servers: readonly string[], timeoutMs: number): Promise<WireConnection | undefined> {
  const addresses = servers.map(serverAddress);
  if (addresses.length === 0 || addresses.some((a) => a === undefined)) return undefined;
  const order = addresses as {host: string; port: number}[];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let lastError: unknown;
  for (const {host, port} of order) {
    let greeted: Awaited<ReturnType<typeof greet>>;
    try {
      greeted = await greet(host, port, timeoutMs);
    } catch (error) {
      lastError = error;
      continue;
    }
    const {socket, info, rest} = greeted;
    if (info.tls_required || info.auth_required || info.headers !== true || (info.proto ?? 0) < 1) {
      socket.destroy();
      return undefined;
    }
    return new WireConnection(socket, rest);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
