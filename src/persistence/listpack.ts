/**
 * Redis's listpack, the compact encoding RDB files embed for small hashes and sorted sets and
 * for each node of a list (Redis 7.0's RDB types 16, 17 and 18): a 6-byte header (total bytes
 * as uint32 LE, element count as uint16 LE, 65535 when it does not fit), the entries, and a
 * 0xFF terminator. Each entry is an encoding byte (and length or value bytes), the data, and
 * its own length backwards ("backlen", 1 to 5 bytes of 7 bits) so it can be walked both ways.
 *
 * As Redis's `lpAppend` does, a string that reads as a 64-bit integer in canonical form (what
 * `lpStringToInt64` accepts: no sign on zero, no leading zeros, no spaces) is stored as an
 * integer of 7, 13, 16, 24, 32 or 64 bits; everything else as a string with a 6, 12 or 32-bit
 * length. The reader turns integers back into their decimal text, which is what Redis hands
 * out, so strings round-trip.
 *
 * @example
 * ```ts
 * import { ListpackWriter, readListpack } from "./listpack.ts";
 * import { Latin1Decoder } from "../resp/latin1.ts";
 * const lp = new ListpackWriter();
 * lp.append("field");
 * lp.append("42"); // stored as a 7-bit integer
 * const bytes = lp.finish();
 * const out: string[] = [];
 * readListpack(bytes, 0, bytes.length, out, new Latin1Decoder()); // true; out is ["field", "42"]
 * ```
 * @module
 */
import { type Latin1Decoder, latin1WriteInto } from "../resp/latin1.ts";

/** Header bytes: total size (4) and element count (2). */
export const LP_HDR_SIZE = 6;
/** The element count a header holds when the real one does not fit in 16 bits. */
const LP_HDR_NUMELE_UNKNOWN = 65535;
const LP_EOF = 0xff;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * The integer `text` stands for when it is one in canonical 64-bit form (Redis's `string2ll`
 * and `lpStringToInt64`), as a number when it is a safe integer, else a bigint; null when it is
 * not an integer that way.
 */
export function int64Of(text: string): number | bigint | null {
  const n = text.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45) {
    if (n === 1) return null;
    negative = true;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null; // "0" alone: no "-0", no leading zeros
  if (first < 49 || first > 57) return null;
  let v = first - 48;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (n - (negative ? 1 : 0) <= 15) return negative ? -v : v;
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

/** Bytes of a backlen for an entry of `l` bytes (`lpEncodeBacklen`). */
export function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes `value` takes as a listpack entry (encoding, data and backlen), as `append` writes it. */
export function entrySize(value: string): number {
  const n = value.length;
  let size: number;
  const c = value.charCodeAt(0);
  const v = n <= 20 && ((c >= 48 && c <= 57) || c === 45) ? int64Of(value) : null;
  if (v === null) {
    size = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  } else if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    size = 9;
  } else {
    size = v >= 0 && v <= 127
      ? 1
      : v >= -4096 && v <= 4095
      ? 2
      : v >= -32768 && v <= 32767
      ? 3
      : v >= -8388608 && v <= 8388607
      ? 4
      : 5;
  }
  return size + backlenSize(size);
}

/** Builds one listpack at a time in a reusable buffer. */
export class ListpackWriter {
  #buf = new Uint8Array(256);
  #len = LP_HDR_SIZE;
  #count = 0;

  /** Starts a new, empty listpack. */
  reset(): void {
    this.#len = LP_HDR_SIZE;
    this.#count = 0;
  }

  /** Elements appended. */
  get count(): number {
    return this.#count;
  }

  /** What `lpBytes` would answer now: header, entries and terminator. */
  get totalBytes(): number {
    return this.#len + 1;
  }

  #reserve(n: number): void {
    const need = this.#len + n + 1;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
  }

  /** Appends a string, as an integer when it reads as one (see the module doc). */
  append(value: string): void {
    const n = value.length;
    if (n <= 20) {
      const c = value.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = int64Of(value);
        if (v !== null) return this.appendInteger(v);
      }
    }
    const header = n < 64 ? 1 : n < 4096 ? 2 : 5;
    const size = header + n;
    this.#reserve(size + 5);
    const buf = this.#buf;
    let p = this.#len;
    if (header === 1) {
      buf[p++] = 0x80 | n;
    } else if (header === 2) {
      buf[p++] = 0xe0 | (n >> 8);
      buf[p++] = n & 0xff;
    } else {
      buf[p++] = 0xf0;
      buf[p++] = n;
      buf[p++] = n >>> 8;
      buf[p++] = n >>> 16;
      buf[p++] = n >>> 24;
    }
    p = latin1WriteInto(buf, p, value);
    this.#len = writeBacklen(buf, p, size);
    this.#count++;
  }

  /** Appends an integer (a safe integer, or a bigint in the int64 range). */
  appendInteger(value: number | bigint): void {
    this.#reserve(9 + 1);
    const buf = this.#buf;
    let p = this.#len;
    let size: number;
    if (typeof value === "number" && value >= -2147483648 && value <= 2147483647) {
      const v = value;
      if (v >= 0 && v <= 127) {
        buf[p++] = v;
        size = 1;
      } else if (v >= -4096 && v <= 4095) {
        const u = v < 0 ? (1 << 13) + v : v;
        buf[p++] = 0xc0 | (u >> 8);
        buf[p++] = u & 0xff;
        size = 2;
      } else if (v >= -32768 && v <= 32767) {
        buf[p++] = 0xf1;
        buf[p++] = v;
        buf[p++] = v >> 8;
        size = 3;
      } else if (v >= -8388608 && v <= 8388607) {
        buf[p++] = 0xf2;
        buf[p++] = v;
        buf[p++] = v >> 8;
        buf[p++] = v >> 16;
        size = 4;
      } else {
        buf[p++] = 0xf3;
        buf[p++] = v;
        buf[p++] = v >> 8;
        buf[p++] = v >> 16;
        buf[p++] = v >> 24;
        size = 5;
      }
    } else {
      const big = BigInt.asUintN(64, BigInt(value));
      const lo = Number(big & 0xffffffffn);
      const hi = Number(big >> 32n);
      buf[p++] = 0xf4;
      buf[p++] = lo;
      buf[p++] = lo >>> 8;
      buf[p++] = lo >>> 16;
      buf[p++] = lo >>> 24;
      buf[p++] = hi;
      buf[p++] = hi >>> 8;
      buf[p++] = hi >>> 16;
      buf[p++] = hi >>> 24;
      size = 9;
    }
    this.#len = writeBacklen(buf, p, size);
    this.#count++;
  }

  /**
   * Writes the header and terminator and returns the listpack's bytes: a view of the writer's
   * buffer, valid until it is next changed.
   */
  finish(): Uint8Array {
    const buf = this.#buf;
    const total = this.#len + 1;
    buf[this.#len] = LP_EOF;
    buf[0] = total;
    buf[1] = total >>> 8;
    buf[2] = total >>> 16;
    buf[3] = total >>> 24;
    const count = this.#count < LP_HDR_NUMELE_UNKNOWN ? this.#count : LP_HDR_NUMELE_UNKNOWN;
    buf[4] = count;
    buf[5] = count >>> 8;
    return buf.subarray(0, total);
  }
}

/** Writes the backlen of an entry of `l` bytes at `p` (`lpEncodeBacklen`); returns the end. */
function writeBacklen(buf: Uint8Array, p: number, l: number): number {
  if (l <= 127) {
    buf[p] = l;
    return p + 1;
  }
  if (l < 16383) {
    buf[p] = l >>> 7;
    buf[p + 1] = (l & 127) | 128;
    return p + 2;
  }
  if (l < 2097151) {
    buf[p] = l >>> 14;
    buf[p + 1] = ((l >>> 7) & 127) | 128;
    buf[p + 2] = (l & 127) | 128;
    return p + 3;
  }
  if (l < 268435455) {
    buf[p] = l >>> 21;
    buf[p + 1] = ((l >>> 14) & 127) | 128;
    buf[p + 2] = ((l >>> 7) & 127) | 128;
    buf[p + 3] = (l & 127) | 128;
    return p + 4;
  }
  buf[p] = Math.floor(l / 2 ** 28);
  buf[p + 1] = ((l >>> 21) & 127) | 128;
  buf[p + 2] = ((l >>> 14) & 127) | 128;
  buf[p + 3] = ((l >>> 7) & 127) | 128;
  buf[p + 4] = (l & 127) | 128;
  return p + 5;
}

/** The backlen ending at `last` (inclusive) read backwards, as `lpDecodeBacklen`; -1 if bad. */
function readBacklen(buf: Uint8Array, last: number, first: number): number {
  let value = 0;
  let shift = 0;
  for (let p = last; p >= first; p--) {
    const b = buf[p]!;
    value += (b & 127) * 2 ** shift;
    if ((b & 128) === 0) return value;
    shift += 7;
    if (shift > 28) return -1;
  }
  return -1;
}

/** A little-endian uint32 at `p` (listpack and ziplist headers). */
export function readUint32(buf: Uint8Array, p: number): number {
  return (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
}

/**
 * Reads the listpack `bytes[start, end)` and pushes its entries (integers as their decimal
 * text) onto `out`. Returns false, with some entries maybe pushed, when the bytes are not a
 * valid listpack: Redis's deep `lpValidateIntegrity` (sizes in the header and each entry's
 * encoding and backlen consistent, nothing outside the range, the count right).
 */
export function readListpack(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: string[],
  latin1: Latin1Decoder,
): boolean {
  const size = end - start;
  if (size < LP_HDR_SIZE + 1) return false;
  if (readUint32(bytes, start) !== size) return false;
  if (bytes[end - 1] !== LP_EOF) return false;
  const declared = bytes[start + 4]! | (bytes[start + 5]! << 8);
  const last = end - 1; // the terminator
  let p = start + LP_HDR_SIZE;
  let count = 0;
  while (p < last) {
    const b = bytes[p]!;
    let entry: number; // encoding + data bytes
    let text: string;
    if (b < 0x80) {
      entry = 1;
      text = String(b);
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      entry = 1 + n;
      if (p + entry > last) return false;
      text = latin1.decode(bytes, p + 1, p + entry);
    } else if (b < 0xe0) {
      if (p + 2 > last) return false;
      let v = ((b & 0x1f) << 8) | bytes[p + 1]!;
      if (v >= 1 << 12) v -= 1 << 13;
      entry = 2;
      text = String(v);
    } else if (b < 0xf0) {
      if (p + 2 > last) return false;
      const n = ((b & 0x0f) << 8) | bytes[p + 1]!;
      entry = 2 + n;
      if (p + entry > last) return false;
      text = latin1.decode(bytes, p + 2, p + entry);
    } else if (b === 0xf0) {
      if (p + 5 > last) return false;
      const n = readUint32(bytes, p + 1);
      entry = 5 + n;
      if (p + entry > last) return false;
      text = latin1.decode(bytes, p + 5, p + entry);
    } else if (b === 0xf1) {
      entry = 3;
      if (p + entry > last) return false;
      text = String(((bytes[p + 1]! | (bytes[p + 2]! << 8)) << 16) >> 16);
    } else if (b === 0xf2) {
      entry = 4;
      if (p + entry > last) return false;
      text = String(((bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16)) << 8) >> 8);
    } else if (b === 0xf3) {
      entry = 5;
      if (p + entry > last) return false;
      text = String(
        bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16) | (bytes[p + 4]! << 24),
      );
    } else if (b === 0xf4) {
      entry = 9;
      if (p + entry > last) return false;
      const lo = readUint32(bytes, p + 1);
      const hi = readUint32(bytes, p + 5) | 0;
      // Exact as a number while the high word keeps the value within 2^53.
      text = hi >= -2097152 && hi < 2097152
        ? String(hi * 4294967296 + lo)
        : String((BigInt(hi) << 32n) | BigInt(lo));
    } else {
      return false; // 0xf5..0xfe are no encoding; 0xff is the terminator, too early here
    }
    const backlen = backlenSize(entry);
    const next = p + entry + backlen;
    if (next > last) return false;
    if (readBacklen(bytes, next - 1, p + entry) !== entry) return false;
    out.push(text);
    count++;
    p = next;
  }
  if (p !== last) return false;
  if (declared !== LP_HDR_NUMELE_UNKNOWN && declared !== count) return false;
  return true;
}
