/** Deterministic UUID-shaped ids for dialects whose venues use UUIDs (coinbase order, trade and account ids). */
import {createHash} from 'node:crypto';

export function uuidOf(salt: string, seq: number | string): string {
  const h = createHash('sha256').update(`${salt}:${seq}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
