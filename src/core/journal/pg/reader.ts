/**
 * The answer to a request the calling thread wrote to the journal's
 * connection itself, read on that thread: the worker thread lends it the
 * socket in blocking mode between its own requests (see worker-source.ts),
 * so a read here sleeps in the kernel until the server's bytes arrive and
 * no other thread is woken on the way. The server's messages are parsed with
 * the `pg` client's own parser and rows with its own Result and type
 * parsers (int8 and numeric as numbers, as on the worker thread), and
 * collected as the worker thread collects them: one result per statement,
 * the first error and the index of the statement it ended, how many Parse
 * messages completed.
 *
 * A read that fails or finds the connection closed is a lost connection;
 * nothing here throws.
 */
import {readSync, writeSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';

/** One statement's result, as the worker thread passes it too. */
export interface ReadResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string | null;
}

/** A request's answer: its results up to the first error, and that error. */
export interface ReadAnswer {
  ok: boolean;
  results: ReadResult[];
  /** How many Parse messages of the request the server completed. */
  parsed: number;
  failedAt?: number;
  message?: string;
  code?: string;
  /** The connection is gone (a read failed or the server closed it). */
  lost?: boolean;
  /**
   * Lost, and the server ended the session before it did anything of this
   * request: the first thing read was the error ending it (an administrator's
   * or a shutdown's, 57P01, or the idle session timeout, 57P05), with no
   * answer to any of the request's messages before it (the server answers
   * every message it runs, in order, and sends what it holds before that
   * error). The request may be sent again on a new connection. This holds
   * for a connection to the server itself or through a pooler that passes
   * the server's messages on in order (a pooler's own errors never count).
   */
  stale?: boolean;
}

interface Message {
  name: string;
  fields?: unknown[];
  text?: string;
  message?: string;
  code?: string;
}
interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
  command: string | null;
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): Record<string, unknown>;
  addRow(row: Record<string, unknown>): void;
  addCommandComplete(msg: Message): void;
}
type ResultClass = new (rowMode: undefined, types: {getTypeParser(oid: number, format: string): (value: string) => unknown}) => PgResult;
type ParserClass = new () => {parse(buffer: Buffer, callback: (msg: Message) => void): void};

/** PostgreSQL type ids read as numbers: int8 and numeric (the journal keeps money as text, never numeric). */
const AS_NUMBER = new Set([20, 1700]);

/** The server's errors that end a session it was not running anything for: an administrator's or a shutdown's, the idle timeout. */
const ENDED_WHILE_IDLE = new Set(['57P01', '57P05']);

/** CopyFail: a COPY the journal did not ask for here is refused (the connection's thread does COPY). */
const COPY_FAIL = (() => {
  const text = Buffer.from('not expected here\0');
  const message = Buffer.alloc(5 + text.length);
  message.write('f', 0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
})();

export class SocketReader {
  private readonly Parser: ParserClass;
  private readonly Result: ResultClass;
  private readonly types: {getTypeParser(oid: number, format: string): (value: string) => unknown};
  private parser: InstanceType<ParserClass>;
  private readonly chunk = Buffer.allocUnsafe(1 << 16);
  /** Never notified: Atomics.wait on it is a short sleep. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(pgPath: string) {
    const require = createRequire(pgPath);
    this.Parser = (require('pg-protocol/dist/parser') as {Parser: ParserClass}).Parser;
    this.Result = require(join(dirname(pgPath), 'result.js')) as ResultClass;
    const pgTypes = require('pg-types') as {getTypeParser(oid: number, format: string): (value: string) => unknown};
    this.types = {getTypeParser: (oid, format) => (AS_NUMBER.has(oid) ? Number : pgTypes.getTypeParser(oid, format))};
    this.parser = new this.Parser();
  }

  /** A new connection: nothing of the previous one's bytes is kept. */
  reset(): void {
    this.parser = new this.Parser();
  }

  /** Reads from `fd` up to the request's ReadyForQuery; `progress` is called whenever bytes arrive. */
  read(fd: number, progress: () => void): ReadAnswer {
    const results: ReadResult[] = [];
    let current: PgResult | undefined;
    let error: Message | undefined;
    let failedAt: number | undefined;
    let rowError: Error | undefined;
    let parsed = 0;
    let done = false;
    /** Whether the server answered any of the request's messages (every one it runs is answered, in order). */
    let answered = false;
    let fatalFirst = false;
    const on = (msg: Message): void => {
      // Anything after the request's end (a notice, a parameter change) belongs to no request.
      if (done) return;
      if (msg.name === 'error' && !answered && !error) fatalFirst = ENDED_WHILE_IDLE.has(msg.code ?? '');
      if (msg.name !== 'error' && msg.name !== 'notice' && msg.name !== 'parameterStatus') answered = true;
      switch (msg.name) {
        case 'rowDescription':
          current = new this.Result(undefined, this.types);
          current.addFields(msg.fields!);
          break;
        case 'dataRow':
          if (rowError || !current) break;
          try {
            current.addRow(current.parseRow(msg.fields!));
          } catch (e) {
            rowError = e as Error;
          }
          break;
        case 'commandComplete': {
          const result = current ?? new this.Result(undefined, this.types);
          result.addCommandComplete(msg);
          results.push({rows: result.rows, rowCount: result.rowCount ?? 0, command: result.command});
          current = undefined;
          break;
        }
        case 'emptyQuery':
          results.push({rows: [], rowCount: 0, command: null});
          current = undefined;
          break;
        case 'parseComplete':
          parsed++;
          break;
        case 'error':
          // The server skips the rest up to the Sync; the request still ends at its ReadyForQuery.
          if (!error) {
            error = msg;
            failedAt = results.length;
          }
          break;
        case 'readyForQuery':
          done = true;
          break;
        case 'copyInResponse':
          writeSync(fd, COPY_FAIL);
          break;
        default:
        // bindComplete, noData, notice, parameterStatus, portalSuspended: nothing to collect
      }
    };
    while (!done) {
      let n: number;
      try {
        n = readSync(fd, this.chunk, 0, this.chunk.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN') {
          // Not lent in blocking mode after all: wait a little and read again.
          Atomics.wait(this.pause, 0, 0, 1);
          continue;
        }
        return {ok: false, results, parsed, failedAt: results.length, message: `Connection lost: ${(e as Error).message}`, lost: true};
      }
      if (n === 0) {
        const message = error?.message ? `Connection terminated: ${error.message}` : 'Connection terminated unexpectedly';
        return {ok: false, results, parsed, failedAt: results.length, message, ...(error?.code ? {code: error.code} : {}), lost: true, ...(fatalFirst && !answered ? {stale: true} : {})};
      }
      progress();
      // A copy: the parser keeps the start of a message cut at the chunk's end until the rest arrives.
      this.parser.parse(Buffer.from(this.chunk.subarray(0, n)), on);
    }
    const failure = error ?? (rowError ? {name: 'error', message: rowError.message} : undefined);
    if (failure) return {ok: false, results, parsed, failedAt: failedAt ?? results.length, message: failure.message ?? 'failed', ...(failure.code ? {code: failure.code} : {})};
    return {ok: true, results, parsed};
  }
}
