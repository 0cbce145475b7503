/**
 * Redis's CRC-64 (the "Jones" polynomial 0xad93d23594c935a9, reflected, initial value 0, no
 * final xor), which checks RDB files and DUMP payloads: `crc64(0, "123456789")` is
 * 0xe9c6d914c4b8d9ca. It runs over every byte of a save and of a load, so it is table driven
 * and slices eight bytes at a time (as Redis's crcspeed does), and keeps its state in two
 * 32-bit halves: JS has no unsigned 64-bit integer, and a bigint per step would be twenty times
 * slower. A `Crc64` is incremental: feed it ranges in order, read the digest at the end.
 *
 * @example
 * ```ts
 * import { Crc64, crc64 } from "./crc64.ts";
 * const bytes = new TextEncoder().encode("123456789");
 * crc64(bytes); // 0xe9c6d914c4b8d9can
 * const crc = new Crc64();
 * crc.update(bytes, 0, 4);
 * crc.update(bytes, 4, 9);
 * crc.value(); // 0xe9c6d914c4b8d9can
 * ```
 * @module
 */

/** The polynomial bit-reversed (the reflected algorithm shifts right), in halves. */
const POLY_LO = 0xac4bc9b5;
const POLY_HI = 0x95ac9329;

/**
 * Eight tables of 256 entries, in low and high halves: table k holds the CRC of a byte followed
 * by k zero bytes, so eight bytes are folded in with eight lookups (two separate arrays of
 * halves are faster than one of pairs).
 */
const LO = new Int32Array(8 * 256);
const HI = new Int32Array(8 * 256);
{
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = (lo >>> 1) | (hi << 31);
      hi = hi >>> 1;
      if (carry) {
        lo ^= POLY_LO;
        hi ^= POLY_HI;
      }
    }
    LO[i] = lo;
    HI[i] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const lo = LO[(k - 1) * 256 + i]!;
      const hi = HI[(k - 1) * 256 + i]!;
      LO[k * 256 + i] = ((lo >>> 8) | (hi << 24)) ^ LO[lo & 0xff]!;
      HI[k * 256 + i] = (hi >>> 8) ^ HI[lo & 0xff]!;
    }
  }
}

/** Whether typed arrays are little endian here, so whole words can be read at once. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Ranges from this long read aligned 32-bit words (a third faster than bytes). */
const WORDS_FROM = 256;

/** An incremental CRC-64 computation. */
export class Crc64 {
  /** The low and high 32 bits of the state. */
  lo = 0;
  hi = 0;

  /** Folds `bytes[start, end)` into the state. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const L = LO;
    const H = HI;
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    if (LITTLE_ENDIAN && end - start >= WORDS_FROM) {
      // Bytes up to a 4-byte boundary of the memory, then two words per step.
      for (; ((bytes.byteOffset + i) & 3) !== 0; i++) {
        const x = (lo ^ bytes[i]!) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ L[x]!;
        hi = (hi >>> 8) ^ H[x]!;
      }
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
      const pairs = words.length >> 1;
      for (let j = 0; j < 2 * pairs; j += 2) {
        const a = lo ^ words[j]!;
        const b = hi ^ words[j + 1]!;
        const p7 = 1792 + (a & 0xff);
        const p6 = 1536 + ((a >>> 8) & 0xff);
        const p5 = 1280 + ((a >>> 16) & 0xff);
        const p4 = 1024 + (a >>> 24);
        const p3 = 768 + (b & 0xff);
        const p2 = 512 + ((b >>> 8) & 0xff);
        const p1 = 256 + ((b >>> 16) & 0xff);
        const p0 = b >>> 24;
        lo = L[p7]! ^ L[p6]! ^ L[p5]! ^ L[p4]! ^ L[p3]! ^ L[p2]! ^ L[p1]! ^ L[p0]!;
        hi = H[p7]! ^ H[p6]! ^ H[p5]! ^ H[p4]! ^ H[p3]! ^ H[p2]! ^ H[p1]! ^ H[p0]!;
      }
      i += 8 * pairs;
    } else {
      for (const stop = end - 7; i < stop; i += 8) {
        const a = lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
          (bytes[i + 3]! << 24));
        const b = hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) |
          (bytes[i + 7]! << 24));
        const p7 = 1792 + (a & 0xff);
        const p6 = 1536 + ((a >>> 8) & 0xff);
        const p5 = 1280 + ((a >>> 16) & 0xff);
        const p4 = 1024 + (a >>> 24);
        const p3 = 768 + (b & 0xff);
        const p2 = 512 + ((b >>> 8) & 0xff);
        const p1 = 256 + ((b >>> 16) & 0xff);
        const p0 = b >>> 24;
        lo = L[p7]! ^ L[p6]! ^ L[p5]! ^ L[p4]! ^ L[p3]! ^ L[p2]! ^ L[p1]! ^ L[p0]!;
        hi = H[p7]! ^ H[p6]! ^ H[p5]! ^ H[p4]! ^ H[p3]! ^ H[p2]! ^ H[p1]! ^ H[p0]!;
      }
    }
    // The last few bytes one at a time.
    for (; i < end; i++) {
      const x = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ L[x]!;
      hi = (hi >>> 8) ^ H[x]!;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** Writes the digest as Redis stores it (8 bytes, little endian) at `out[offset]`. */
  writeTo(out: Uint8Array, offset: number): void {
    const lo = this.lo;
    const hi = this.hi;
    out[offset] = lo;
    out[offset + 1] = lo >>> 8;
    out[offset + 2] = lo >>> 16;
    out[offset + 3] = lo >>> 24;
    out[offset + 4] = hi;
    out[offset + 5] = hi >>> 8;
    out[offset + 6] = hi >>> 16;
    out[offset + 7] = hi >>> 24;
  }

  /** Whether the digest equals the 8 little-endian bytes at `bytes[offset]`. */
  matches(bytes: Uint8Array, offset: number): boolean {
    return readUint32(bytes, offset) === (this.lo >>> 0) &&
      readUint32(bytes, offset + 4) === (this.hi >>> 0);
  }

  /** The digest as a bigint (for messages and tests). */
  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) |
    (bytes[offset + 3]! << 24)) >>> 0;
}

/** The CRC-64 of `bytes[start, end)` in one call. */
export function crc64(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  const crc = new Crc64();
  crc.update(bytes, start, end);
  return crc.value();
}
