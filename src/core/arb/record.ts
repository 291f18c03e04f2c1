/**
 * The journal side of arbitrage: the recorder `arb scan` (and its watch)
 * hands opportunities to, and the read behind `arb history`.
 */
import type {Db} from '../journal/db.js';
import {OpportunitiesRepo} from '../journal/opportunities.js';
import type {Clock} from '../types.js';
import {summarizeHistory, type ArbHistoryResult} from './history.js';
import type {OpportunityRecorder} from './scan.js';
import type {WatchRecorder} from './watch.js';

/** Where a scan's opportunities are journalled (episodes open and close under --watch). */
export function opportunityRecorder(db: Db): OpportunityRecorder & WatchRecorder {
  return new OpportunitiesRepo(db);
}

/** Buckets of the --symbol spread chart. */
const HISTORY_BUCKETS = 60;

/**
 * `xarb arb history`: the opportunities recorded since `since`, summarized
 * (with a spread series for `symbol`), up to `now`: the instant `since` was
 * computed from, so a window of 1h spans exactly 1h (default: the clock).
 */
export function loadArbHistory(deps: {readonly db: Db; readonly clock: Clock}, request: {readonly since: number; readonly now?: number; readonly symbol?: string}): ArbHistoryResult {
  const repo = new OpportunitiesRepo(deps.db);
  const now = request.now ?? deps.clock.now();
  return summarizeHistory(repo.episodes(request.since), repo.observations(request.since), {since: request.since, now, symbol: request.symbol, buckets: HISTORY_BUCKETS});
}
