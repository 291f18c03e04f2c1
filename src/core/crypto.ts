/**
 * node:crypto, loaded on first use. Importing it costs about 8 ms of CPU on
 * every start (an ES import also builds Web Crypto), and a command such as
 * `prices` on the simulated venues never needs it: ids are drawn only when a
 * journal is created, hashes only when an order is placed.
 */
import {createRequire} from 'node:module';

type Crypto = typeof import('node:crypto');

let loaded: Crypto | undefined;

function crypto(): Crypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as Crypto;
  return loaded;
}

/** A random RFC 4122 version 4 UUID. */
export function randomUUID(): string {
  return crypto().randomUUID();
}

/** Fills `bytes` from the system's CSPRNG. */
export function randomFill(bytes: Uint8Array): void {
  crypto().randomFillSync(bytes);
}

/** SHA-256 of `text` (UTF-8), as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return crypto().createHash('sha256').update(text).digest('hex');
}
