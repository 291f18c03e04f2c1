/**
 * Another host's status change of one order, for the PostgreSQL journal's
 * lock tests: opens the journal at argv[2], says "ready", waits until the
 * file argv[3] exists, then applies the venue's answer for order argv[4]
 * (closed, filled 1 at 99) with its event, as sendOrder does
 * (TxOptions.lock 'rows'), and prints "ok" and how many times the
 * transaction ran (more than once: the server broke a deadlock with it),
 * or the error's message.
 */
import {existsSync} from 'node:fs';
import {EventsRepo} from '../../src/core/journal/events.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {openPgDb} from '../../src/core/journal/pg/db.js';

const [url, signal, id] = process.argv.slice(2) as [string, string, string];
const db = openPgDb(url);
const clock = {now: () => Date.UTC(2026, 0, 5, 12, 0, 2)};
const orders = new OrdersRepo(db, clock);
const events = new EventsRepo(db, clock);
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write('ready\n');
while (!existsSync(signal)) Atomics.wait(pause, 0, 0, 5);
let outcome = 'ok';
let runs = 0;
try {
  const order = orders.get(Number(id))!;
  db.tx(
    () => {
      runs++;
      orders.applyVenueOrder(order.id, {id: 'v-y', clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, type: 'limit', status: 'closed', amount: '1', filled: '1', price: '100', average: '99', fees: [], timestamp: clock.now()});
      events.add({kind: 'order.accepted', venue: order.venue, ref: order.clientOrderId});
    },
    {lock: 'rows'},
  );
  outcome = `ok ${runs}`;
} catch (error) {
  outcome = (error as Error).message;
}
db.close();
process.stdout.write(`${outcome}\n`);
