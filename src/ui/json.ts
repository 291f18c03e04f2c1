/**
 * The JSON contract's time rule: every instant is given in ISO 8601 UTC.
 * Core types keep epoch milliseconds (exact, cheap to compare); at output a
 * field that holds an instant in ms gets an ISO sibling: `ts`/`timestamp`
 * get `time`, any other (`createdAt`, `firstSeen`, ...) gets `<name>Iso`.
 * A field is an instant when its name says so and its value is a whole
 * number of ms between 2001 and 2286.
 */

const INSTANT_NAME = /^(ts|timestamp|time|since|until|asOf|firstSeen|lastSeen|.*At)$/;
const MIN_MS = 1e12;
const MAX_MS = 1e13;

function isInstant(key: string, value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_MS && value < MAX_MS && INSTANT_NAME.test(key);
}

/** A copy of `value` where every epoch-ms instant has an ISO 8601 UTC sibling (or is replaced by it when named `time`). */
export function withIsoTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withIsoTimes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  const input = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(input)) {
    if (!isInstant(key, child)) {
      out[key] = withIsoTimes(child);
      continue;
    }
    const iso = new Date(child).toISOString();
    if (key === 'time') {
      // `time` is the ISO name; the ms move to `timestamp` unless that is taken.
      out.time = iso;
      if (!('timestamp' in input)) out.timestamp = child;
      continue;
    }
    out[key] = child;
    const sibling = key === 'ts' || key === 'timestamp' ? 'time' : `${key}Iso`;
    if (!(sibling in input)) out[sibling] = iso;
  }
  return out;
}
