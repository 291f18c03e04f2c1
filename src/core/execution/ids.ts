/**
 * Deterministic ids. A plan id is derived from the intent and a key (the
 * user's --client-id, or the invocation time and process when none is
 * given); a child order's clientOrderId is derived from the plan id and the
 * child's index. Replaying the same intent with the same key gives the same
 * ids, so the journal's UNIQUE(venue, client_order_id) refuses a second send.
 *
 * clientOrderId format: lowercase hex, 32 characters, or the first `length`
 * of them where a venue takes fewer (gate: 28 after its `t-` prefix; the
 * venue's length comes from its dialect through VenueInfo.clientIds). 32 hex
 * fits binance (<= 36, [A-Za-z0-9._:/-]), okx (<= 32 alphanumerics), kraken
 * cl_ord_id (a 32-hex "short UUID"), bybit (<= 36), coinbase, bitget.
 */
import {sha256Hex} from '../crypto.js';
import type {Clock} from '../types.js';

function sha256(text: string): string {
  return sha256Hex(text);
}

/** Canonical JSON (sorted keys) so equal intents hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The idempotency key of an intent the user gave no --client-id for: the
 * invocation (time and process), so a re-run is a new intent. One format for
 * orders, arb trades and rebalances.
 */
export function invocationKey(clock: Clock): string {
  return `${clock.now()}-${process.pid}`;
}

/** `<kind>-<20 hex>`, e.g. order-3f2a...; stable for the same intent and key. */
export function planIdFor(kind: string, intent: unknown, key: string): string {
  return `${kind}-${sha256(`${canonicalJson(intent)}|${key}`).slice(0, 20)}`;
}

/** The clientOrderId of child `leg` of a plan: 32 hex characters, or fewer when the venue takes fewer (at least 16). */
export function clientOrderIdFor(planId: string, leg: number, length = 32): string {
  return sha256(`${planId}#${leg}`).slice(0, Math.max(16, Math.min(32, length)));
}

export const CLIENT_ORDER_ID = /^[0-9a-f]{32}$/;
