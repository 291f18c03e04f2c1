/**
 * A loopback TCP proxy for fault tests: forwards to a target until `cut()`,
 * which ends every open connection and refuses new ones (each is closed as
 * soon as it is accepted) until `restore()`; or until `silence()`, after
 * which nothing is forwarded either way and new connections are accepted
 * and held, never answered (a host that went away without a reset).
 */
import {createServer, connect, type Server, type Socket} from 'node:net';

export interface TcpProxy {
  readonly port: number;
  cut(): void;
  silence(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: {host: string; port: number}): Promise<TcpProxy> {
  let down = false;
  let silent = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    if (silent) {
      client.on('error', () => client.destroy());
      open.add(client);
      return;
    }
    const upstream = connect(target);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  const pairs: [Socket, Socket][] = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as {port: number}).port;
  return {
    port,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    silence() {
      silent = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
