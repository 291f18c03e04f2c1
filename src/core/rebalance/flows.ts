/**
 * How much value each venue (or asset) must give or take to reach its target,
 * with a threshold. Pure.
 *
 * Rules (docs/rebalance.md):
 * - An item whose share is within `thresholdPct` percentage points of its
 *   target is "within"; one further away is "out".
 * - Nothing moves unless at least one item is out.
 * - Out items move exactly to their target. Because deviations add up to
 *   zero, the net of the out items is absorbed by within items on the other
 *   side, largest deviation first, each at most up to its own target.
 * Invariant: sum(senders) == sum(receivers) (up to float rounding), and no
 * item moves past its target.
 */

export interface FlowItem {
  readonly key: string;
  readonly value: number;
  readonly target: number;
}

export interface Flow {
  readonly key: string;
  readonly amount: number;
}

export interface Flows {
  /** Largest first. */
  readonly senders: readonly Flow[];
  readonly receivers: readonly Flow[];
}

export function computeFlows(items: readonly FlowItem[], total: number, thresholdPct: number): Flows {
  if (!(total > 0)) return {senders: [], receivers: []};
  const eps = total * 1e-12;
  const isOut = (item: FlowItem) => (Math.abs(item.value - item.target) / total) * 100 > thresholdPct + 1e-9;
  const senders = new Map<string, number>();
  const receivers = new Map<string, number>();
  let surplus = 0;
  let deficit = 0;
  for (const item of items) {
    if (!isOut(item)) continue;
    const dev = item.value - item.target;
    if (dev > eps) {
      senders.set(item.key, dev);
      surplus += dev;
    } else if (dev < -eps) {
      receivers.set(item.key, -dev);
      deficit += -dev;
    }
  }
  if (senders.size === 0 && receivers.size === 0) return {senders: [], receivers: []};
  let rest = surplus - deficit;
  if (rest > eps) {
    // More to send than the out receivers take: within items under target absorb it.
    const within = items.filter((i) => !isOut(i) && i.value < i.target).sort((a, b) => a.value - a.target - (b.value - b.target) || a.key.localeCompare(b.key));
    for (const item of within) {
      if (rest <= eps) break;
      const take = Math.min(item.target - item.value, rest);
      receivers.set(item.key, take);
      rest -= take;
    }
  } else if (rest < -eps) {
    let need = -rest;
    const within = items.filter((i) => !isOut(i) && i.value > i.target).sort((a, b) => b.value - b.target - (a.value - a.target) || a.key.localeCompare(b.key));
    for (const item of within) {
      if (need <= eps) break;
      const give = Math.min(item.value - item.target, need);
      senders.set(item.key, give);
      need -= give;
    }
  }
  const sorted = (m: Map<string, number>) => [...m].map(([key, amount]) => ({key, amount})).sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key));
  return {senders: sorted(senders), receivers: sorted(receivers)};
}
