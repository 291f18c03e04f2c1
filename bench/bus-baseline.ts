/**
 * The collector's publishing as it was before pipelined acknowledgements,
 * kept only as the baseline bench/bus.bench.ts measures next to the current
 * path: each book as JSON text, core publishes into the stream's subject
 * without an acknowledgement, a round trip to the server every 4,096
 * publishes, and latest-book puts coalesced per 50 ms with the batch's last
 * put acknowledged.
 */
import {connect} from '@nats-io/transport-node';
import {jetstream} from '@nats-io/jetstream';
import {Kvm} from '@nats-io/kv';
import {bookKey, bookSubject, parseBusUrl, type BusBook} from '../src/core/bus/port.js';

export interface BaselinePublisher {
  publishBook(book: BusBook): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openBaseline(source: string): Promise<BaselinePublisher> {
  const {servers, names} = parseBusUrl(source);
  const nc = await connect({servers: servers.map((s) => s.replace(/^nats:\/\//, ''))});
  const books = await new Kvm(jetstream(nc)).open(names.booksBucket);
  const encoder = new TextEncoder();
  const latest = new Map<string, Uint8Array>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let sinceFlush = 0;
  const writeLatest = () => {
    const batch = [...latest];
    latest.clear();
    writing = writing.then(async () => {
      const last = batch.pop();
      for (const [key, data] of batch) nc.publish(`$KV.${names.booksBucket}.${key}`, data);
      if (last) await books.put(last[0], last[1]);
    });
    return writing;
  };
  return {
    async publishBook(book) {
      const data = encoder.encode(JSON.stringify(book));
      nc.publish(bookSubject(names, book.venue, book.symbol), data);
      latest.set(bookKey(book.venue, book.symbol), data);
      timer ??= setTimeout(() => {
        timer = undefined;
        void writeLatest();
      }, 50);
      if (++sinceFlush >= 4096) {
        sinceFlush = 0;
        await nc.flush();
      }
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      sinceFlush = 0;
      await nc.flush();
      await writeLatest();
    },
    async close() {
      await nc.close();
    },
  };
}
