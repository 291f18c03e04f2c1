/**
 * Loopback venue throughput on 127.0.0.1: simple requests per second (binance
 * /api/v3/time and /api/v3/depth, kraken Ticker) over keep-alive connections
 * with 8 in flight, a bounded number per round, median of rounds. Client and
 * server share this process, so the figure is a floor. Target: >= 2,000 req/s.
 * Also times one ccxt binance fetchOrderBook round trip (client overhead included).
 */
import {Agent, request} from 'node:http';
import {median, row} from './lib.js';
import {startLoopback} from '../test/support/loopback/index.js';
import {connect} from '../test/support/loopback/ccxt.js';

const PER_ROUND = 3_000;
const ROUNDS = 5;
const IN_FLIGHT = 8;

const agent = new Agent({keepAlive: true, maxSockets: IN_FLIGHT});

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent}, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function rate(url: string): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({length: IN_FLIGHT}, async () => {
        while (next < PER_ROUND) {
          next++;
          const status = await get(url);
          if (status !== 200) throw new Error(`${url} answered ${status}`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (round > 0) rounds.push(PER_ROUND / seconds); // round 0 warms up
  }
  return median(rounds);
}

const loop = await startLoopback();
try {
  const binance = loop.baseUrl('binance');
  row('loopback binance GET /api/v3/time', `${Math.round(await rate(`${binance}/api/v3/time`))} req/s`, '>= 2000 req/s');
  row('loopback binance GET /api/v3/depth (limit 20)', `${Math.round(await rate(`${binance}/api/v3/depth?symbol=BTCUSDT&limit=20`))} req/s`);
  row('loopback kraken GET /0/public/Ticker', `${Math.round(await rate(`${loop.baseUrl('kraken')}/0/public/Ticker?pair=XXBTZUSD`))} req/s`);
  const ex = await connect(loop, 'binance', {options: {fetchCurrencies: false}});
  await ex.loadMarkets();
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await ex.fetchOrderBook('BTC/USDT', 20);
    times.push(performance.now() - t0);
  }
  row('ccxt binance fetchOrderBook round trip (median of 200)', `${median(times.slice(20)).toFixed(2)} ms`);
} finally {
  agent.destroy();
  await loop.close();
}
