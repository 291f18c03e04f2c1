import {availableParallelism} from 'node:os';
import {defineConfig} from 'vitest/config';

// Most suites wait on child CLI processes, loopback servers, rate limiters and timeouts rather than
// on the CPU, so more forks than cores shortens the whole run (vitest's default is cores - 1, a
// single fork on a 2-core machine). XARB_TEST_WORKERS overrides it.
const workers = Number(process.env.XARB_TEST_WORKERS) || Math.max(4, availableParallelism() * 2);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    reporters: ['default', ['json', {outputFile: 'tmp/vitest-report.json'}]],
  },
});
