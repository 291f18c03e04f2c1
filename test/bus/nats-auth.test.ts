/**
 * A bus server that requires a user and password (its own nats-server):
 * the credentials written in the source URL are used to connect, and no
 * message ever shows them.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openBus} from '../../src/core/bus/open.js';
import {BusUnavailableError} from '../../src/core/bus/port.js';
import {PrivateNats, skipWithoutNatsServer, testSource} from '../support/nats.js';

describe.skipIf(skipWithoutNatsServer())('a bus server that requires a user and password', () => {
  let server: PrivateNats;
  beforeAll(async () => {
    server = await PrivateNats.start(['--user', 'desk', '--pass', 'pw-s3cret']);
  });
  afterAll(() => server?.stop());

  it('connects with the user and password written in the URL', async () => {
    const bus = await openBus(testSource('auth', `nats://desk:pw-s3cret@127.0.0.1:${server.port}`), {create: true});
    try {
      expect(await bus.listStatus()).toEqual([]);
    } finally {
      await bus.close();
    }
  });

  it('a wrong password is exit 4 with the URL shown without its credentials', async () => {
    const error = await openBus(testSource('auth', `nats://desk:pw-wrong@127.0.0.1:${server.port}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusUnavailableError);
    expect((error as BusUnavailableError).exitCode).toBe(4);
    expect((error as Error).message).toContain(`nats://***@127.0.0.1:${server.port}`);
    expect((error as Error).message).not.toMatch(/pw-wrong|desk/);
  });
});
