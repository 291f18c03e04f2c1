import {availableParallelism} from 'node:os';
import {defineConfig} from 'vitest/config';

// Most suites wait on child CLI processes, loopback servers, rate limiters and timeouts rather than
// on the CPU, so more forks than cores shortens the whole run (vitest's default is cores - 1, a
// single fork on a 2-core machine). XARB_TEST_WORKERS overrides it.
const workers = Number(process.env.XARB_TEST_WORKERS) || Math.max(4, availableParallelism() * 2);

/**
 * Suites that take their journal from test/support/postgres.ts
 * (`openTestJournal`): they run once on SQLite and once more, as the
 * `journal-postgres` project, on PostgreSQL, so the repository contract is
 * held on both databases.
 */
const JOURNAL_SUITES = [
  'alerts',
  'arb-scan',
  'ccxt-market-cache',
  'execution',
  'journal-orders',
  'live-idempotency',
  'orders-list',
  'portfolio-history',
  'portfolio-service',
  'rebalance-execute',
  'reconcile-acks',
  'reconcile-runs',
  'reconcile-shell',
  'reconcile-sync',
]
  .map((name) => `test/unit/${name}.test.ts`)
  // End to end on the built CLI: the CLI runs get XARB_JOURNAL_URL (test/support/cli.ts).
  .concat(['crash-order', 'day-loopback', 'order-loopback', 'reconcile-loopback', 'risk-loopback'].map((name) => `test/e2e/${name}.test.ts`));

export default defineConfig({
  test: {
    projects: [
      {extends: true, test: {name: 'xarb', include: ['test/**/*.test.ts']}},
      {extends: true, test: {name: 'journal-postgres', include: JOURNAL_SUITES, env: {XARB_TEST_JOURNAL: 'postgres'}}},
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    reporters: ['default', ['json', {outputFile: 'tmp/vitest-report.json'}]],
  },
});
