/**
 * Readers of the compact encodings that older RDB files (versions before 10, Redis up to 6.2)
 * embed: the ziplist (list, hash and sorted set types 10, 12, 13, and the nodes of quicklist
 * type 14) and the zipmap (hash type 9, Redis 2.4 and older). Redis 7.0 writes neither but
 * loads both, converting to its listpack; we read them into strings.
 *
 * A ziplist is `<zlbytes:u32><zltail:u32><zllen:u16> entries 0xFF`, each entry the previous
 * entry's size (1 byte, or 0xFE and 4 bytes), an encoding (a string length of 6, 14 or 32 bits,
 * or an integer type: 8, 16, 24, 32, 64 bits, or 0 to 12 in the encoding byte itself) and the
 * data. A zipmap is `<count:u8> (<len>key<len><free>value<free bytes>)* 0xFF` with lengths of
 * 1 byte, or 0xFE and 4 bytes.
 *
 * @example
 * ```ts
 * import { readZiplist } from "./ziplist.ts";
 * import { Latin1Decoder } from "../resp/latin1.ts";
 * // zlbytes 13, zltail 10, zllen 1; one entry: prevlen 0, immediate integer 5 (0xf6); end.
 * const zl = new Uint8Array([13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0xf6, 0xff]);
 * const out: string[] = [];
 * readZiplist(zl, 0, zl.length, out, new Latin1Decoder()); // true; out is ["5"]
 * ```
 * @module
 */
import type { Latin1Decoder } from "../resp/latin1.ts";
import { readUint32 } from "./listpack.ts";

const ZIPLIST_HEADER_SIZE = 10;
const ZIP_END = 0xff;
const ZIP_BIG_PREVLEN = 0xfe;
const ZIPMAP_BIGLEN = 0xfe;
const ZIPMAP_END = 0xff;

/**
 * Reads the ziplist `bytes[start, end)` and pushes its entries (integers as decimal text) onto
 * `out`. Returns false when it is not a valid ziplist: Redis's deep `ziplistValidateIntegrity`
 * (sizes in the header, each entry's previous-length field, the tail offset and the count).
 */
export function readZiplist(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: string[],
  latin1: Latin1Decoder,
): boolean {
  const size = end - start;
  if (size < ZIPLIST_HEADER_SIZE + 1) return false;
  if (readUint32(bytes, start) !== size) return false;
  if (bytes[end - 1] !== ZIP_END) return false;
  const tail = readUint32(bytes, start + 4);
  if (tail > size - 1) return false;
  const declared = bytes[start + 8]! | (bytes[start + 9]! << 8);
  const last = end - 1;
  let p = start + ZIPLIST_HEADER_SIZE;
  let prevSize = 0;
  let prev = -1;
  let count = 0;
  while (bytes[p] !== ZIP_END) {
    // Previous entry length.
    let q = p;
    let prevlen: number;
    if (bytes[q]! < ZIP_BIG_PREVLEN) {
      prevlen = bytes[q++]!;
    } else {
      if (q + 5 > last) return false;
      prevlen = readUint32(bytes, q + 1);
      q += 5;
    }
    if (prevlen !== prevSize) return false;
    if (q >= last) return false;
    const enc = bytes[q]!;
    let text: string;
    let next: number;
    if (enc < 0xc0) {
      let len: number;
      if (enc < 0x40) {
        len = enc & 0x3f;
        q += 1;
      } else if (enc < 0x80) {
        if (q + 2 > last) return false;
        len = ((enc & 0x3f) << 8) | bytes[q + 1]!;
        q += 2;
      } else {
        if (q + 5 > last) return false;
        len = ((bytes[q + 1]! << 24) | (bytes[q + 2]! << 16) | (bytes[q + 3]! << 8) |
          bytes[q + 4]!) >>> 0;
        q += 5;
      }
      next = q + len;
      if (next > last) return false;
      text = latin1.decode(bytes, q, next);
    } else {
      q += 1;
      let width: number;
      switch (enc) {
        case 0xfe:
          width = 1;
          break;
        case 0xc0:
          width = 2;
          break;
        case 0xf0:
          width = 3;
          break;
        case 0xd0:
          width = 4;
          break;
        case 0xe0:
          width = 8;
          break;
        default:
          if (enc < 0xf1 || enc > 0xfd) return false;
          width = 0;
      }
      next = q + width;
      if (next > last) return false;
      switch (width) {
        case 0:
          text = String((enc & 0x0f) - 1);
          break;
        case 1:
          text = String((bytes[q]! << 24) >> 24);
          break;
        case 2:
          text = String(((bytes[q]! | (bytes[q + 1]! << 8)) << 16) >> 16);
          break;
        case 3:
          text = String(((bytes[q]! | (bytes[q + 1]! << 8) | (bytes[q + 2]! << 16)) << 8) >> 8);
          break;
        case 4:
          text = String(
            bytes[q]! | (bytes[q + 1]! << 8) | (bytes[q + 2]! << 16) | (bytes[q + 3]! << 24),
          );
          break;
        default: {
          const view = new DataView(bytes.buffer, bytes.byteOffset + q, 8);
          text = String(view.getBigInt64(0, true));
        }
      }
    }
    out.push(text);
    count++;
    prevSize = next - p;
    prev = p;
    p = next;
  }
  if (p !== last) return false;
  if (prev !== -1 && prev !== start + tail) return false;
  if (declared !== 0xffff && declared !== count) return false;
  return true;
}

/**
 * Reads the zipmap `bytes[start, end)` and pushes its keys and values, alternating, onto `out`.
 * Returns false when it is not a valid zipmap: Redis's deep `zipmapValidateIntegrity` (nothing
 * outside the range, not empty, the count right unless it is 254 or more).
 */
export function readZipmap(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: string[],
  latin1: Latin1Decoder,
): boolean {
  const size = end - start;
  if (size < 2) return false;
  const last = end - 1;
  if (bytes[last] !== ZIPMAP_END) return false;
  // OUT_OF_RANGE(p): p < zm + 2 || p > zm + size - 1.
  const outOfRange = (p: number) => p < start + 2 || p > last;
  let p = start + 1;
  let count = 0;
  const lengthAt = (q: number): [number, number] =>
    bytes[q]! < ZIPMAP_BIGLEN ? [bytes[q]!, 1] : [readUint32(bytes, q + 1), 5];
  while (bytes[p] !== ZIPMAP_END) {
    if (bytes[p]! >= ZIPMAP_BIGLEN && outOfRange(p + 5)) return false;
    const [keyLen, keySize] = lengthAt(p);
    if (outOfRange(p + keySize)) return false;
    p += keySize;
    const key = p;
    p += keyLen;
    if (outOfRange(p)) return false;
    if (bytes[p]! >= ZIPMAP_BIGLEN && outOfRange(p + 5)) return false;
    const [valueLen, valueSize] = lengthAt(p);
    if (outOfRange(p + valueSize)) return false;
    p += valueSize;
    const free = bytes[p++]!;
    const value = p;
    p += valueLen + free;
    if (outOfRange(p)) return false;
    out.push(
      latin1.decode(bytes, key, key + keyLen),
      latin1.decode(bytes, value, value + valueLen),
    );
    count++;
  }
  if (count === 0) return false;
  if (bytes[start]! !== ZIPMAP_BIGLEN && bytes[start]! !== count) return false;
  return true;
}
