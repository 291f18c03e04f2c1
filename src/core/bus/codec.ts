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
/** Float64Array stores doubles in the machine's byte order; the wire form is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
/** Levels are gathered here, then copied into the message in one move (reused, grown as needed). */
let scratch = new Float64Array(256);
/** The header is encoded here first, to learn its length (reused, grown as needed). */
let headScratch = new Uint8Array(1024);

/** `"key":` per field name seen, so each header needs JSON text only for its values. */
const keyText = new Map<string, string>();

/**
 * The header: JSON.stringify of the book without its levels, key order kept
 * (written field by field: no copy of the book, no replacer call per key).
 */
function headerJson(book: BusBook): string {
  let out = '';
  for (const key of Object.keys(book)) {
    if (key === 'bids' || key === 'asks') continue;
    const value: unknown = book[key as keyof BusBook];
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : JSON.stringify(value);
    // JSON.stringify leaves out undefined, functions and symbols in an object.
    if (text === undefined) continue;
    let name = keyText.get(key);
    if (name === undefined) {
      name = `${JSON.stringify(key)}:`;
      keyText.set(key, name);
    }
    out += out.length === 0 ? `{${name}${text}` : `,${name}${text}`;
  }
  return out.length === 0 ? '{}' : `${out}}`;
}

export function encodeBook(book: BusBook): Uint8Array {
  const {bids, asks} = book;
  const head = headerJson(book);
  // At most 3 bytes per UTF-16 unit.
  if (headScratch.length < head.length * 3) headScratch = new Uint8Array(head.length * 3);
  const headLength = encoder.encodeInto(head, headScratch).written;
  const values = 2 * (bids.length + asks.length);
  const levelsAt = 5 + headLength;
  // Every byte is written below. Node's small-buffer pool spares one memory allocation per message.
  const out = Buffer.allocUnsafe(levelsAt + 8 + 8 * values);
  out[0] = FORMAT;
  out.writeUInt32LE(headLength, 1);
  out.set(headScratch.subarray(0, headLength), 5);
  out.writeUInt32LE(bids.length, levelsAt);
  out.writeUInt32LE(asks.length, levelsAt + 4);
  const at = levelsAt + 8;
  if (LITTLE_ENDIAN) {
    if (scratch.length < values) scratch = new Float64Array(values);
    let k = 0;
    for (let i = 0; i < bids.length; i++) {
      const level = bids[i]!;
      scratch[k++] = level[0];
      scratch[k++] = level[1];
    }
    for (let i = 0; i < asks.length; i++) {
      const level = asks[i]!;
      scratch[k++] = level[0];
      scratch[k++] = level[1];
    }
    out.set(new Uint8Array(scratch.buffer, 0, 8 * values), at);
  } else {
    let k = at;
    for (const side of [bids, asks]) {
      for (const [price, amount] of side) {
        out.writeDoubleLE(price, k);
        out.writeDoubleLE(amount, k + 8);
        k += 16;
      }
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
