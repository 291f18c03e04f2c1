/**
 * The journal's public surface for the command layer: the repositories and
 * operations a command may use. What stays behind it: the database handle
 * and driver (db.ts), migrations, row shapes and SQL. Commands import the
 * journal only through this file (lint enforces it); core modules use the
 * repositories directly.
 */
export {BalanceSnapshots} from './balance-snapshots.js';
export {EventsRepo, type JournalEvent} from './events.js';
export {listLocks, lockStatus, readLock, releaseLock, type LockStatus} from './locks.js';
export {backupTo, journalStats, lastPruneAt, prune, type BackupResult, type JournalStats, type PruneResult, type RetentionSettings} from './maintenance.js';
export {initJournal} from './open.js';
export {copyJournal, type CopyResult} from './copy.js';
export {isPostgresUrl} from './pg/db.js';
export {OpportunitiesRepo} from './opportunities.js';
export {OrdersRepo, type UsageSnapshot} from './orders.js';
export {PriceSnapshotsRepo, type PriceSnapshot} from './price-snapshots.js';
export {RiskStateRepo, type TradingStateRecord} from './risk-state.js';
