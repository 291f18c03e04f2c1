/**
 * Acknowledged discrepancies. Some discrepancies need a person (a fill the
 * venue does not list, a deposit made by hand): once a person has looked at
 * one, `xarb reconcile ack ID --note ...` records that as a
 * `reconcile.ack` event (the event log is the record; nothing else
 * changes), and the discrepancy no longer sets reconcile's exit code.
 *
 * What an acknowledgement covers:
 * - a balance difference: that asset on that venue differing by that amount
 *   (within the balance tolerance). A further unexplained change moves the
 *   difference, and reconcile exits 5 again;
 * - any other kind: that discrepancy (venue, kind, market and ref).
 * An acknowledged discrepancy is still reported (`acknowledged: true`).
 * A venue whose only discrepancies are acknowledged is in line: its
 * watermark and balance baseline move on, which settles them for good.
 */
import {balanceDifference, type Ack} from '../journal/reconcile-runs.js';
import {abs, cmp, dec, max, mul, sub} from '../money/decimal.js';
import {DEFAULT_BALANCE_TOLERANCE, type BalanceTolerance} from './balances.js';

export {ACK_EVENT, type Ack} from '../journal/reconcile-runs.js';

export interface AckTarget {
  readonly venue: string;
  readonly kind: string;
  readonly ref: string;
  readonly symbol: string | null | undefined;
  readonly journalValue: string | null;
  readonly venueValue: string | null;
}

/** The acknowledgement covering this discrepancy, if any (the newest wins). */
export function acknowledgementOf(d: AckTarget, acks: readonly Ack[], tolerance: BalanceTolerance = DEFAULT_BALANCE_TOLERANCE): Ack | undefined {
  let found: Ack | undefined;
  for (const ack of acks) {
    if (ack.venue !== d.venue || ack.kind !== d.kind || ack.ref !== d.ref) continue;
    if (d.kind === 'balance_differs') {
      const now = balanceDifference(d);
      if (now === null || ack.difference === null) continue;
      const allowed = max(tolerance.absolute, mul(tolerance.relative, abs(dec(d.venueValue ?? '0'))));
      if (cmp(abs(sub(now, ack.difference)), allowed) > 0) continue;
    } else if ((ack.symbol ?? null) !== (d.symbol ?? null)) continue;
    if (!found || ack.event > found.event) found = ack;
  }
  return found;
}
