/**
 * JetStream reads by plain requests on a NATS connection: the last message
 * on a subject (a key-value entry) and the subjects of a stream that hold
 * messages. Each is one round trip and needs neither the JetStream nor the
 * key-value client, so a short reader (`prices --source`) loads only the
 * core client. nats.ts passes its connection; this module imports no NATS
 * code (only nats.ts does).
 *
 * Invariants
 * 1. The answers are the key-value client's: an entry whose last message is
 *    a delete or purge marker has that operation (readers treat it as
 *    absent); a subject without messages is undefined.
 * 2. A stream that does not exist, JetStream being off or no answer in time
 *    is an error (the caller's BusUnavailableError), never "absent".
 * 3. Direct gets (any replica answers) only on a stream that allows them
 *    (streamAllowsDirect); a server ignores a direct get to any other stream,
 *    so those are read through the stream's message API (its leader).
 */
/** What these reads use of a NATS connection: request/reply. */
export interface Requester {
  request(subject: string, payload?: Uint8Array, options?: {timeout: number}): Promise<Reply>;
}

export interface Reply {
  readonly data: Uint8Array;
  /** Status (code, description) and headers; absent on a plain reply. */
  readonly headers?: {readonly code: number; readonly description: string; get(name: string): string};
}

export interface LastMessage {
  readonly data: Uint8Array;
  /** The key-value operation of the message: PUT unless a KV-Operation header says DEL or PURGE. */
  readonly operation: string;
}

const API = '$JS.API';
const OPERATION = 'KV-Operation';
/** JetStream's error code for "no message found". */
const NO_MESSAGE = 10037;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface ApiError {
  readonly code?: number;
  readonly err_code?: number;
  readonly description?: string;
}

interface StreamInfo {
  readonly error?: ApiError;
  readonly config?: {readonly allow_direct?: boolean};
  readonly total?: number;
  readonly state?: {readonly subjects?: Record<string, number>};
}

function apiError(error: ApiError): Error {
  return new Error(`${error.description ?? 'JetStream error'} (${error.err_code ?? error.code ?? '?'})`);
}

async function streamInfo(nc: Requester, stream: string, request: object, timeoutMs: number): Promise<StreamInfo> {
  const reply = await nc.request(`${API}.STREAM.INFO.${stream}`, encoder.encode(JSON.stringify(request)), {timeout: timeoutMs});
  const info = JSON.parse(decoder.decode(reply.data)) as StreamInfo;
  if (info.error) throw apiError(info.error);
  return info;
}

/** Whether `stream` serves direct gets; throws when it does not exist. */
export async function streamAllowsDirect(nc: Requester, stream: string, timeoutMs: number): Promise<boolean> {
  return (await streamInfo(nc, stream, {}, timeoutMs)).config?.allow_direct === true;
}

/** The last message on `subject` in `stream` (`direct`: as streamAllowsDirect said), or undefined when the subject has none. */
export async function lastMessage(nc: Requester, stream: string, subject: string, direct: boolean, timeoutMs: number): Promise<LastMessage | undefined> {
  if (!direct) return viaStreamApi(nc, stream, subject, timeoutMs);
  // The subject rides in the request subject (as the key-value client asks), so subject permissions apply.
  const reply = await nc.request(`${API}.DIRECT.GET.${stream}.${subject}`, undefined, {timeout: timeoutMs});
  const code = reply.headers?.code ?? 0;
  if (code === 404) return undefined;
  if (code !== 0) throw new Error(`direct get from ${stream}: ${code} ${reply.headers?.description ?? ''}`.trim());
  return {data: reply.data, operation: reply.headers?.get(OPERATION) || 'PUT'};
}

async function viaStreamApi(nc: Requester, stream: string, subject: string, timeoutMs: number): Promise<LastMessage | undefined> {
  const reply = await nc.request(`${API}.STREAM.MSG.GET.${stream}`, encoder.encode(JSON.stringify({last_by_subj: subject})), {timeout: timeoutMs});
  const answer = JSON.parse(decoder.decode(reply.data)) as {error?: ApiError; message?: {hdrs?: string; data?: string}};
  if (answer.error) {
    if (answer.error.err_code === NO_MESSAGE) return undefined;
    throw apiError(answer.error);
  }
  const message = answer.message ?? {};
  const head = message.hdrs ? Buffer.from(message.hdrs, 'base64').toString('utf8') : '';
  const operation = /^KV-Operation:\s*(\S+)\s*$/im.exec(head)?.[1] ?? 'PUT';
  const data = message.data ? new Uint8Array(Buffer.from(message.data, 'base64')) : new Uint8Array(0);
  return {data, operation};
}

/**
 * The subjects of `stream` matching `filter` that hold a message, and
 * whether the stream serves direct gets (its info carries its config, so a
 * listing spares the streamAllowsDirect question).
 */
export async function streamSubjects(nc: Requester, stream: string, filter: string, timeoutMs: number): Promise<{subjects: string[]; allowDirect: boolean}> {
  const subjects: string[] = [];
  let allowDirect: boolean | undefined;
  for (;;) {
    const info = await streamInfo(nc, stream, {subjects_filter: filter, offset: subjects.length}, timeoutMs);
    allowDirect ??= info.config?.allow_direct === true;
    const page = Object.keys(info.state?.subjects ?? {});
    subjects.push(...page);
    if (page.length === 0 || subjects.length >= (info.total ?? 0)) return {subjects, allowDirect};
  }
}
