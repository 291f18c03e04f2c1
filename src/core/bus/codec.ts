/**
 * The wire form of a book on the bus, pure. Formatting 80 prices and sizes
 * as JSON text costs more than everything else a collector does per update,
 * so books travel as a small JSON header (every field but the levels) plus
 * the levels as binary doubles:
 *
 *   byte 0      0x01 (format 1; a JSON document starts with `{`, 0x7B)
 *   bytes 1-4   header length H, uint32 little-endian
 *   H bytes     the header: UTF-8 JSON of the book without `bids`/`asks`
 *   8 bytes     bid count, ask count (uint32 little-endian each)
 *   16 bytes    per level, bids then asks: price, amount (float64 little-endian)
 *
 * Invariants
 * 1. `decodeBook(encodeBook(b))` equals `b` exactly (doubles round-trip bit
 *    for bit; fields other than the levels go through JSON as before).
 * 2. A plain JSON book (what earlier collectors published) still decodes, so
 *    a stream or bucket written by either form reads the same.
 */
import type {Level} from '../types.js';
import type {BusBook} from './port.js';

const FORMAT = 0x01;
const JSON_START = 0x7b;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeBook(book: BusBook): Uint8Array {
  const {bids, asks, ...rest} = book;
  const head = encoder.encode(JSON.stringify(rest));
  const levelsAt = 5 + head.length;
  const out = new Uint8Array(levelsAt + 8 + 16 * (bids.length + asks.length));
  const view = new DataView(out.buffer);
  out[0] = FORMAT;
  view.setUint32(1, head.length, true);
  out.set(head, 5);
  view.setUint32(levelsAt, bids.length, true);
  view.setUint32(levelsAt + 4, asks.length, true);
  let at = levelsAt + 8;
  for (const side of [bids, asks]) {
    for (const [price, amount] of side) {
      view.setFloat64(at, price, true);
      view.setFloat64(at + 8, amount, true);
      at += 16;
    }
  }
  return out;
}

export function decodeBook(data: Uint8Array): BusBook {
  if (data.length > 0 && data[0] === JSON_START) return JSON.parse(decoder.decode(data)) as BusBook;
  if (data.length < 13 || data[0] !== FORMAT) throw new RangeError(`not a book message (first byte ${data[0] ?? 'none'}, ${data.length} bytes)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headLength = view.getUint32(1, true);
  const levelsAt = 5 + headLength;
  if (levelsAt + 8 > data.length) throw new RangeError('truncated book message (header)');
  const head = JSON.parse(decoder.decode(data.subarray(5, levelsAt))) as Omit<BusBook, 'bids' | 'asks'>;
  const nBids = view.getUint32(levelsAt, true);
  const nAsks = view.getUint32(levelsAt + 4, true);
  if (levelsAt + 8 + 16 * (nBids + nAsks) !== data.length) throw new RangeError('truncated book message (levels)');
  let at = levelsAt + 8;
  const read = (n: number): Level[] => {
    const levels: Level[] = new Array(n);
    for (let i = 0; i < n; i++, at += 16) levels[i] = [view.getFloat64(at, true), view.getFloat64(at + 8, true)];
    return levels;
  };
  const bids = read(nBids);
  const asks = read(nAsks);
  return {...head, bids, asks} as BusBook;
}
