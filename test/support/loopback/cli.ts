/**
 * Starts the loopback venues by hand: `npm run loopback [-- scenario.json]`.
 * Prints each venue's base URL and test keys, then serves until Ctrl-C.
 * Point xarb at them with `xarb exchanges add binance --api-base-url <url>`.
 */
import {readFileSync} from 'node:fs';
import {startLoopback, allVenuesScenario, type LoopbackScenario} from './index.js';

const file = process.argv[2];
const scenario: LoopbackScenario = file ? (JSON.parse(readFileSync(file, 'utf8')) as LoopbackScenario) : allVenuesScenario();
const loop = await startLoopback({scenario});
for (const venue of loop.venues) {
  const accounts = loop.state(venue).accounts;
  const first = [...accounts.values()][0];
  const ws = venue === 'binance' || scenario.venues[venue]?.dialect === 'binance' ? `  ws ${loop.wsUrl(venue)}` : '';
  console.log(`${venue.padEnd(8)} ${loop.baseUrl(venue)}${ws}`);
  if (first) console.log(`         key ${first.apiKey}  secret ${first.secret}${first.passphrase ? `  passphrase ${first.passphrase}` : ''}`);
}
console.log('loopback venues are running; Ctrl-C stops them');
const stop = () => {
  void loop.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
