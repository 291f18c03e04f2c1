/**
 * Computes the capability matrix for every ccxt exchange from ccxt's own
 * request building (no request is ever sent) and writes
 * src/core/venues/ccxt/capabilities.json and the summary in docs/venues.md.
 *
 *   npm run capabilities            all exchanges
 *   npm run capabilities -- --check  compare with the committed files, exit 1 when they differ
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {matrixMarkdown, replaceDocSection} from '../src/core/venues/ccxt/capabilities.js';
import {ccxtExchangeIds} from '../src/core/venues/catalog.js';
import {probeExchanges} from '../src/core/venues/ccxt/probe.js';

const jsonPath = fileURLToPath(new URL('../src/core/venues/ccxt/capabilities.json', import.meta.url));
const docPath = fileURLToPath(new URL('../docs/venues.md', import.meta.url));
const check = process.argv.includes('--check');

const started = Date.now();
const matrix = await probeExchanges(ccxtExchangeIds(), (id) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${id.padEnd(30)}`);
});
if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(31) + '\r');
const json = `${JSON.stringify(matrix, null, 2)}\n`;
const doc = replaceDocSection(readFileSync(docPath, 'utf8'), matrixMarkdown(matrix));
const seconds = ((Date.now() - started) / 1000).toFixed(1);

if (check) {
  const same = readFileSync(jsonPath, 'utf8') === json && readFileSync(docPath, 'utf8') === doc;
  process.stdout.write(same ? `capabilities up to date (${Object.keys(matrix.exchanges).length} exchanges, ${seconds} s)\n` : 'capabilities differ from the installed ccxt: run npm run capabilities\n');
  process.exitCode = same ? 0 : 1;
} else {
  writeFileSync(jsonPath, json);
  writeFileSync(docPath, doc);
  process.stdout.write(`wrote ${Object.keys(matrix.exchanges).length} exchanges for ccxt ${matrix.ccxtVersion} in ${seconds} s\n`);
}
