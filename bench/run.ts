/**
 * Runs every bench/*.bench.ts in its own process, one after another (the
 * machine has two cores; parallel runs would disturb each other).
 * `npm run bench` builds first; `npm run bench -- arb` runs only names matching "arb".
 */
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {ROOT} from './lib.js';

const filter = process.argv[2];
const files = readdirSync(`${ROOT}bench`)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${ROOT}bench/${file}`], {stdio: 'inherit', cwd: ROOT});
  if (r.status !== 0) failed++;
}
if (failed > 0) {
  process.stdout.write(`\n${failed} benchmark(s) failed to run\n`);
  process.exitCode = 1;
}
