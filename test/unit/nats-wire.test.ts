import {createServer, type Server, type Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {NoRespondersError, openWire, parseFrames, parseHeaders, serverAddress} from '../../src/core/bus/nats-wire.js';

const INFO = {server_id: 'fake', version: '2.9.10', proto: 1, headers: true, max_payload: 1048576};

/**
 * A fake NATS server speaking just enough of the protocol: it greets with
 * INFO, answers PING, remembers the inbox subscription, and hands every
 * PUB (subject, reply, payload) to `onPublish`, which may answer on the reply
 * subject with `reply()`.
 */
async function fakeServer(info: object, onPublish: (p: {subject: string; reply: string; payload: string}, reply: (text: string) => void, socket: Socket) => void = () => {}): Promise<{port: number; server: Server; lines: string[]; chunks: string[]}> {
  const lines: string[] = [];
  const chunks: string[] = [];
  const server = createServer((socket) => {
    socket.write(`INFO ${JSON.stringify(info)}\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      chunks.push(chunk.toString('latin1'));
      buffer += chunk.toString('latin1');
      for (;;) {
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        if (line.startsWith('PUB ')) {
          const [, subject, reply, size] = line.split(' ');
          if (buffer.length < eol + 2 + Number(size) + 2) return;
          const payload = buffer.slice(eol + 2, eol + 2 + Number(size));
          buffer = buffer.slice(eol + 4 + Number(size));
          lines.push(line);
          onPublish({subject: subject!, reply: reply!, payload}, (text) => socket.write(text.replaceAll('%REPLY%', `${reply} 1`)), socket);
          continue;
        }
        buffer = buffer.slice(eol + 2);
        lines.push(line);
        if (line === 'PING') socket.write('PONG\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return {port: (server.address() as {port: number}).port, server, lines, chunks};
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

describe('the NATS protocol as the plain reader connection speaks it', () => {
  it('parses MSG, HMSG (status, headers, payload), PING, +OK and -ERR, keeping an incomplete frame for later', () => {
    const head = 'NATS/1.0\r\nKV-Operation: DEL\r\nNats-Sequence: 7\r\n\r\n';
    const text = `MSG a.b 1 4\r\nbody\r\nHMSG c 1 ${head.length} ${head.length + 2}\r\n${head}hi\r\nPING\r\n+OK\r\n-ERR 'Permissions Violation for Publish to "x"'\r\nMSG d 1 10\r\npart`;
    const {frames, used, need} = parseFrames(Buffer.from(text, 'latin1'));
    expect(used).toBe(text.indexOf('MSG d'));
    expect(need).toBe('MSG d 1 10\r\n'.length + 10 + 2);
    expect(parseFrames(Buffer.from('MSG d 1 10', 'latin1')).need).toBeUndefined();
    expect(frames.map((f) => f.kind)).toEqual(['msg', 'msg', 'ping', 'ok', 'err']);
    const [plain, withHeaders, , , err] = frames as [any, any, any, any, any];
    expect(Buffer.from(plain.data).toString()).toBe('body');
    expect(plain.headers).toBeUndefined();
    expect(Buffer.from(withHeaders.data).toString()).toBe('hi');
    expect(withHeaders.headers.code).toBe(0);
    expect(withHeaders.headers.get('KV-Operation')).toBe('DEL');
    expect(withHeaders.headers.get('kv-operation')).toBe('DEL');
    expect(withHeaders.headers.get('Missing')).toBe('');
    expect(err.message).toBe('Permissions Violation for Publish to "x"');
    expect(() => parseFrames(Buffer.from('WHAT\r\n'))).toThrow(/unexpected line/);
  });

  it('reads a status line with and without a description', () => {
    expect(parseHeaders('NATS/1.0 404 Message Not Found\r\n\r\n')).toMatchObject({code: 404, description: 'Message Not Found'});
    expect(parseHeaders('NATS/1.0 503\r\n\r\n')).toMatchObject({code: 503, description: ''});
    expect(() => parseHeaders('HTTP/1.1 200 OK\r\n\r\n')).toThrow(/malformed/);
  });

  it('takes host and port from the forms a source URL gives, and leaves URLs with credentials to the client', () => {
    expect(serverAddress('nats://127.0.0.1:4223')).toEqual({host: '127.0.0.1', port: 4223});
    expect(serverAddress('nats://localhost')).toEqual({host: 'localhost', port: 4222});
    expect(serverAddress('10.0.0.1:4000')).toEqual({host: '10.0.0.1', port: 4000});
    expect(serverAddress('nats://[::1]:4222')).toEqual({host: '::1', port: 4222});
    expect(serverAddress('nats://user:secret@127.0.0.1:4222')).toBeUndefined();
    expect(serverAddress('nats://token@127.0.0.1:4222')).toBeUndefined();
  });
});

describe('a plain reader connection', () => {
  it('takes a large reply that comes in many small pieces whole, and the reply after it in the same piece', async () => {
    const big = Buffer.alloc(1 << 20, 'ab\r\n');
    let bigInbox = '';
    const {port} = await fakeServer(INFO, ({subject, reply: inbox}, _reply, socket) => {
      if (subject === 'svc.big') bigInbox = inbox;
      if (subject !== 'svc.small') return;
      const bytes = Buffer.concat([Buffer.from(`MSG ${bigInbox} 1 ${big.length}\r\n`), big, Buffer.from(`\r\nMSG ${inbox} 1 5\r\nsmall\r\n`)]);
      const piece = (at: number): void => {
        if (at >= bytes.length) return;
        socket.write(bytes.subarray(at, at + 4096));
        setImmediate(() => piece(at + 4096));
      };
      piece(0);
    });
    const wire = (await openWire([`nats://127.0.0.1:${port}`], 1000))!;
    try {
      const [a, b] = await Promise.all([wire.request('svc.big', undefined, {timeout: 5000}), wire.request('svc.small', undefined, {timeout: 5000})]);
      expect(Buffer.from(a.data).equals(big)).toBe(true);
      expect(Buffer.from(b.data).toString()).toBe('small');
    } finally {
      wire.close();
    }
  });

  it('sends CONNECT, PING and its inbox subscription with the first requests, in one write, and matches replies to requests', async () => {
    const {port, lines, chunks} = await fakeServer(INFO, ({subject, payload}, reply) => {
      if (subject === 'svc.b') reply(`MSG %REPLY% ${`b:${payload}`.length}\r\nb:${payload}\r\n`);
      if (subject === 'svc.a') setTimeout(() => reply(`HMSG %REPLY% 16 18\r\nNATS/1.0 404\r\n\r\nok\r\n`), 20);
    });
    const wire = (await openWire([`nats://127.0.0.1:${port}`], 1000))!;
    try {
      const [a, b] = await Promise.all([wire.request('svc.a', undefined, {timeout: 1000}), wire.request('svc.b', new TextEncoder().encode('x y'), {timeout: 1000})]);
      expect(a.headers?.code).toBe(404);
      expect(Buffer.from(a.data).toString()).toBe('ok');
      expect(Buffer.from(b.data).toString()).toBe('b:x y');
      expect(lines[0]).toMatch(/^CONNECT \{.*"headers":true.*"no_responders":true/);
      expect(lines[1]).toBe('PING');
      expect(lines[2]).toMatch(/^SUB _INBOX\.[a-z0-9]{32}\.\* 1$/);
      expect(lines[3]).toMatch(/^PUB svc\.a _INBOX\.[a-z0-9]{32}\.1 0$/);
      expect(chunks[0]).toMatch(/^CONNECT .*\r\nPUB svc\.a .*\r\nPUB svc\.b .*\r\nx y\r\n$/s);
    } finally {
      wire.close();
    }
  });

  it('is not made when the server asks for TLS or credentials, or has no headers (the NATS client connects instead)', async () => {
    for (const extra of [{tls_required: true}, {auth_required: true}, {headers: false}]) {
      const {port} = await fakeServer({...INFO, ...extra});
      expect(await openWire([`nats://127.0.0.1:${port}`], 1000), JSON.stringify(extra)).toBeUndefined();
    }
    expect(await openWire(['nats://user:pw@127.0.0.1:1'], 1000)).toBeUndefined();
  });

  it('fails a request with no responders (503), on -ERR, and once closed', async () => {
    const {port} = await fakeServer(INFO, ({subject}, reply, socket) => {
      if (subject === 'none') reply('HMSG %REPLY% 16 16\r\nNATS/1.0 503\r\n\r\n\r\n');
      if (subject === 'bad') socket.write("-ERR 'Permissions Violation for Publish to \"bad\"'\r\n");
    });
    const wire = (await openWire([`127.0.0.1:${port}`], 1000))!;
    await expect(wire.request('none', undefined, {timeout: 1000})).rejects.toThrow(new NoRespondersError('none'));
    await expect(wire.request('bad', undefined, {timeout: 1000})).rejects.toThrow(/Permissions Violation/);
    // A permissions violation leaves the connection usable.
    await expect(wire.request('none', undefined, {timeout: 1000})).rejects.toBeInstanceOf(NoRespondersError);
    await expect(wire.request('has space', undefined, {timeout: 1000})).rejects.toThrow(/invalid subject/);
    expect(wire.open).toBe(true);
    wire.close();
    expect(wire.open).toBe(false);
    await expect(wire.request('none', undefined, {timeout: 1000})).rejects.toThrow(/closed/);
  });

  it('gives the connection up when a request gets no answer in its time (its own timeout, not a longer one before it)', async () => {
    const {port} = await fakeServer(INFO);
    const wire = (await openWire([`127.0.0.1:${port}`], 1000))!;
    const patient = wire.request('patient', undefined, {timeout: 5000});
    const started = Date.now();
    await expect(wire.request('slow', undefined, {timeout: 50})).rejects.toThrow('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(patient).rejects.toThrow('timeout');
    expect(wire.open).toBe(false);
  });

  it('fails the requests waiting when the server goes away', async () => {
    const {port} = await fakeServer(INFO, (_p, _reply, socket) => socket.destroy());
    const wire = (await openWire([`127.0.0.1:${port}`], 1000))!;
    await expect(wire.request('any', undefined, {timeout: 5000})).rejects.toThrow(/closed|reset/);
    expect(wire.open).toBe(false);
  });

  it('tries the next server when one refuses, and says "connection refused" when none answers', async () => {
    const {port} = await fakeServer(INFO);
    const wire = await openWire(['nats://127.0.0.1:1', `nats://127.0.0.1:${port}`], 1000);
    expect(wire).toBeDefined();
    wire!.close();
    await expect(openWire(['nats://127.0.0.1:1'], 1000)).rejects.toThrow('connection refused');
  });
});
