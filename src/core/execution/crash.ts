/**
 * Crash points for the crash-safety harness (test/e2e/crash-*.test.ts).
 *
 * Inert unless the environment variable XARB_TEST_CRASH_AT names a step:
 * then the process kills itself with SIGKILL (no cleanup, no finally, no
 * flush - like a power cut) the Nth time it reaches that step
 * (`after_accept` = the first time, `after_accept:2` = the second).
 *
 * Steps of placing one order (src/core/execution/place.ts):
 * - before_write: nothing journalled yet;
 * - after_write:  journalled pending_submit, nothing sent;
 * - after_accept: the venue accepted the order, its answer not journalled;
 * - after_answer: the answer journalled, fills not yet synced.
 */
export const CRASH_STEPS = ['before_write', 'after_write', 'after_accept', 'after_answer'] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

const reached = new Map<CrashStep, number>();

export function crashPoint(step: CrashStep): void {
  const spec = process.env.XARB_TEST_CRASH_AT;
  if (spec === undefined || spec === '') return;
  const [at, nth] = spec.split(':');
  if (at !== step) return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (count === Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
}
