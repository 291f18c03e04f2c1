/**
 * Order statuses as the journal keeps them, and which of them are live (open
 * or in flight: they count against risk limits and are synced with venues).
 */
export type JournalOrderStatus = 'pending_submit' | 'unknown' | 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';
export type Origin = 'xarb' | 'external';

/** Statuses that count as open or in flight for risk limits. */
export const LIVE_STATUSES: readonly JournalOrderStatus[] = ['pending_submit', 'unknown', 'open'];
/** Statuses after which nothing more happens on the venue. */
export const FINAL_STATUSES: readonly JournalOrderStatus[] = ['closed', 'canceled', 'rejected', 'expired'];

export function isLiveStatus(status: JournalOrderStatus): boolean {
  return status === 'pending_submit' || status === 'unknown' || status === 'open';
}
