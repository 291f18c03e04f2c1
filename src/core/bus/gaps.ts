/**
 * Sequence bookkeeping for book updates, pure. Each venue/symbol's sequence
 * rises by one per publish (port.ts invariant 2); a reader that sees it jump
 * missed updates (a lost message, a bus restart) and must read the latest
 * full book instead of trusting what it holds. A sequence back at 1 is a new
 * collector run, not an old message.
 */
export type SequenceVerdict = 'first' | 'next' | 'gap' | 'restart' | 'old';

export interface SequenceStep {
  readonly verdict: SequenceVerdict;
  /** Updates missed before this one (gap only). */
  readonly missed: number;
}

export function checkSequence(previous: number | undefined, sequence: number): SequenceStep {
  if (previous === undefined) return {verdict: 'first', missed: 0};
  if (sequence === previous + 1) return {verdict: 'next', missed: 0};
  if (sequence > previous + 1) return {verdict: 'gap', missed: sequence - previous - 1};
  if (sequence === 1) return {verdict: 'restart', missed: 0};
  return {verdict: 'old', missed: 0};
}

/** Tracks the last sequence per key and counts gaps. */
export class SequenceTracker {
  private readonly last = new Map<string, number>();
  gaps = 0;
  missed = 0;

  observe(key: string, sequence: number): SequenceStep {
    const step = checkSequence(this.last.get(key), sequence);
    if (step.verdict !== 'old') this.last.set(key, sequence);
    if (step.verdict === 'gap') {
      this.gaps++;
      this.missed += step.missed;
    }
    return step;
  }
}

/** Exponential backoff with full jitter: attempt 0 waits up to minMs, doubling up to maxMs. */
export function backoffMs(attempt: number, options: {minMs?: number; maxMs?: number; random?: () => number} = {}): number {
  const min = options.minMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const cap = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return Math.round(min / 2 + (cap - min / 2) * (options.random ?? Math.random)());
}
