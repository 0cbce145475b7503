/**
 * LZF compression as Redis 7.0 bundles it (liblzf's lzf_c.c and lzf_d.c with Redis's lzfP.h:
 * HLOG 16, VERY_FAST, not ULTRA_FAST, CHECK_INPUT), byte for byte: RDB files and DUMP payloads
 * store strings over 20 bytes compressed when that saves at least four bytes, and a DUMP we
 * write is compared with Redis's. The format is a sequence of literal runs (`000LLLLL` then
 * L+1 bytes) and back references (`LLLooooo oooooooo`, or `111ooooo LLLLLLLL oooooooo` for
 * long ones) of 3 to 264 bytes up to 8 KiB back.
 *
 * The compressor finds matches through a hash table of the last position of each 3-byte hash.
 * Redis's table lives uninitialised on the C stack (INIT_HTAB is 0), so its stale entries can
 * in rare cases offer a match a clean table would not; ours starts clean for each call. Instead
 * of clearing 64K slots per string, each call gets its own range of slot values (a generation):
 * values from older calls read as empty.
 *
 * @example
 * ```ts
 * import { lzfCompress, lzfDecompress } from "./lzf.ts";
 * const input = new TextEncoder().encode("a".repeat(100));
 * const packed = new Uint8Array(input.length);
 * const n = lzfCompress(input, 0, input.length, packed, 0, input.length - 4); // 9 bytes
 * const out = new Uint8Array(100);
 * lzfDecompress(packed, 0, n, out, 0, 100); // 100
 * ```
 * @module
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Last position (plus the generation's base) of each 3-byte hash; see the module doc. */
const htab = new Int32Array(HSIZE);
/** Slot values up to `base` are stale. */
let base = 0;

/** liblzf's IDX for VERY_FAST with HLOG 16: only the low 16 bits of the difference count. */
function idx(hval: number): number {
  return ((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input[start, end)` into `out` from `outStart`, using at most `outLen` bytes;
 * returns the compressed length, or 0 when it does not fit (or the input is empty), as
 * `lzf_compress` does. `out` must have one byte of room past `outStart + outLen`: like the C
 * code, the compressor may open a literal run there before it finds it has no room.
 */
export function lzfCompress(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outStart: number,
  outLen: number,
): number {
  const inLen = end - start;
  if (inLen <= 0 || outLen <= 0) return 0;
  if (base > 0x7fffffff - inLen - 2) {
    htab.fill(0);
    base = 0;
  }
  // A position p of this call is stored as p + bias, always above the old `base`.
  const floor = base;
  const bias = floor + 1 - start;
  base += inLen + 1;

  const outEnd = outStart + outLen;
  let ip = start;
  let op = outStart;
  let lit = 0;
  op++; // start run

  let hval = (input[ip]! << 8) | (input[ip + 1] ?? 0);
  while (ip < end - 2) {
    hval = (hval << 8) | input[ip + 2]!;
    const slot = idx(hval);
    const stored = htab[slot]!;
    htab[slot] = ip + bias;
    const ref = stored > floor ? stored - bias : -1;
    const off = ip - ref - 1;
    if (
      ref > start && off < MAX_OFF &&
      input[ref + 2] === input[ip + 2] && input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      // Match found at ref.
      let len = 2;
      let maxlen = end - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;

      if (op + 3 + 1 >= outEnd) { // first a faster conservative test
        if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0; // then the exact one
      }

      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero

      let mismatch = false;
      if (maxlen > 16) {
        // The unrolled C loop: 16 bytes compared without a bound check, leaving at the first
        // difference; past them, the bounded loop goes on.
        let k = 0;
        for (; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) break;
        }
        mismatch = k < 16;
      }
      if (!mismatch) {
        do len++; while (len < maxlen && input[ref + len] === input[ip + len]);
      }

      len -= 2; // len is now #octets - 1
      ip++;

      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off;

      lit = 0;
      op++; // start run

      ip += len + 1;
      if (ip >= end - 2) break;

      // VERY_FAST: hash the last two positions of the match.
      ip -= 2;
      hval = (input[ip]! << 8) | input[ip + 1]!;
      hval = (hval << 8) | input[ip + 2]!;
      htab[idx(hval)] = ip + bias;
      ip++;
      hval = (hval << 8) | input[ip + 2]!;
      htab[idx(hval)] = ip + bias;
      ip++;
    } else {
      // One more literal byte we must copy.
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1; // stop run
        lit = 0;
        op++; // start run
      }
    }
  }

  if (op + 3 > outEnd) return 0; // at most 3 bytes can be missing here

  while (ip < end) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1; // stop run
      lit = 0;
      op++; // start run
    }
  }

  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--; // undo run if length is zero

  return op - outStart;
}

/**
 * Decompresses `input[start, end)` into `out` from `outStart`, writing at most `outLen` bytes;
 * returns the decompressed length, or 0 for a stream that is corrupt or does not fit, as
 * `lzf_decompress` does (with CHECK_INPUT).
 */
export function lzfDecompress(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outStart: number,
  outLen: number,
): number {
  if (end <= start) return 0;
  const outEnd = outStart + outLen;
  let ip = start;
  let op = outStart;
  do {
    let ctrl = input[ip++]!;
    if (ctrl < 1 << 5) {
      // Literal run.
      ctrl++;
      if (op + ctrl > outEnd) return 0;
      if (ip + ctrl > end) return 0;
      if (ctrl < 16) {
        for (let k = 0; k < ctrl; k++) out[op + k] = input[ip + k]!;
      } else {
        out.set(input.subarray(ip, ip + ctrl), op);
      }
      op += ctrl;
      ip += ctrl;
    } else {
      // Back reference.
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= end) return 0;
      if (len === 7) {
        len += input[ip++]!;
        if (ip >= end) return 0;
      }
      ref -= input[ip++]!;
      if (op + len + 2 > outEnd) return 0;
      if (ref < outStart) return 0;
      len += 2;
      if (op >= ref + len) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        // Overlapping: octet by octet, which repeats the pattern.
        for (let k = 0; k < len; k++) out[op + k] = out[ref + k]!;
        op += len;
      }
    }
  } while (ip < end);
  return op - outStart;
}
