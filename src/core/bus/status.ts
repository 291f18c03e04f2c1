/**
 * `xarb collect status`: what the collectors last reported to the bus, and
 * whether each is still reporting (a collector that missed three of its own
 * intervals is `silent`; one that said it stopped is `stopped`).
 */
import type {Clock} from '../types.js';
import {openBus} from './open.js';
import {redactBusUrl} from '../urls.js';
import type {CollectorStatus} from './port.js';

export interface CollectorStatusResult {
  readonly source: string;
  readonly at: number;
  readonly collectors: readonly (CollectorStatus & {readonly reportedAgoMs: number; readonly state: 'running' | 'silent' | 'stopped'})[];
}

/** Pure: running or silent, from the report's age and the collector's own interval. */
export function collectorState(status: CollectorStatus, now: number, intervalMs: number): 'running' | 'silent' | 'stopped' {
  if (status.stopped) return 'stopped';
  return now - status.at > Math.max(3 * intervalMs, 30_000) ? 'silent' : 'running';
}

export async function collectorStatus(url: string, clock: Clock): Promise<CollectorStatusResult> {
  const bus = await openBus(url);
  try {
    const list = await bus.listStatus();
    const now = clock.now();
    return {
      // As it may be shown: credentials in the URL are not printed.
      source: redactBusUrl(url),
      at: now,
      collectors: list.map((s) => ({...s, reportedAgoMs: Math.max(0, now - s.at), state: collectorState(s, now, s.intervalMs)})),
    };
  } finally {
    await bus.close();
  }
}
