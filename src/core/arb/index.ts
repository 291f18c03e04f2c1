/**
 * Arbitrage scanning: the public surface. `arb execute` consumes
 * `Opportunity` (types.ts): sizes rounded to steps, fees deducted, limit
 * prices at the worst level reached, `amount`/`baseAmount` as exact decimal
 * strings. See docs/arb.md for the rules users see.
 */
export type {
  CrossLeg,
  CrossOpportunity,
  Opportunity,
  SizeLimit,
  Skip,
  StaleItem,
  TransferCost,
  TriangularLeg,
  TriangularOpportunity,
  VenueFailure,
} from './types.js';
export {walkCross, evaluateCross, commonStep, marginalEdge, type CrossWalk, type CrossWalkInput, type CrossWalkRejection, type LegFill} from './walk.js';
export {takerFee, tryTakerFee, MissingFeeError, type FeeOverrides, type TakerFee} from './fees.js';
export {sameAsset, sameMarketAssets, currencyIndex, type AssetFacts, type IdentityVerdict} from './identity.js';
export {transferCost} from './transfer.js';
export {makeValuer, type Valuer} from './valuation.js';
export {
  screenCross,
  evaluateCrossCandidates,
  commonSymbols,
  groupKey,
  bookKey,
  type VenueSnapshot,
  type CrossCandidate,
  type CrossScreen,
  type ScreenOptions,
  type EvaluateOptions,
} from './cross.js';
export {
  screenTriangular,
  evaluateTriangularCandidates,
  walkCycle,
  evaluateCycle,
  type TriCandidate,
  type TriEdge,
  type TriScreen,
  type CycleLegInput,
} from './triangular.js';
export {
  ArbScanner,
  scanArb,
  resolveScanOptions,
  restBooks,
  ARB_DEFAULTS,
  type ArbDeps,
  type ArbScanOptions,
  type ArbScanResult,
  type BookSource,
  type OpportunityRecorder,
  type ScanVenueInfo,
} from './scan.js';
export {abortableSleep} from '../duration.js';
export {watchArb, trackOpportunities, StreamingBooks, opportunityVenues, type ArbWatchTick, type ArbWatchOptions, type TrackedOpportunity, type WatchRecorder} from './watch.js';
export {summarizeHistory, spreadSeries, concerns, type ArbHistoryResult, type ArbHistoryRow, type SpreadSeries} from './history.js';
