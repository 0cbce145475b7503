/**
 * Redis's intset, the encoding RDB files store small sets of integers in (type 11): a header of
 * two uint32 LE words, the width of every element in bytes (2, 4 or 8) and the element count,
 * then the elements in ascending order, little endian, all of that one width: the narrowest
 * that holds the widest element. (Redis never narrows an intset when its wide members are
 * removed; we do not know the history, so we write the narrowest, which loads the same.)
 *
 * @example
 * ```ts
 * import { encodeIntset, readIntset } from "./intset.ts";
 * const bytes = encodeIntset(["-5", "7", "300"]);
 * const out: string[] = [];
 * readIntset(bytes, 0, bytes.length, out); // true; out is ["-5", "7", "300"]
 * ```
 * @module
 */
import { int64Of } from "./listpack.ts";

/** Bytes of an intset header. */
const HEADER = 8;

/**
 * The intset of `members`: canonical 64-bit integer texts in ascending numeric order, as an
 * intset-encoded SetValue lists them.
 */
export function encodeIntset(members: readonly string[]): Uint8Array {
  const values: (number | bigint)[] = new Array(members.length);
  let width = 2;
  for (let i = 0; i < members.length; i++) {
    const v = int64Of(members[i]!);
    if (v === null) throw new RangeError(`Not an integer: ${members[i]}`);
    values[i] = v;
    if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) width = 8;
    else if (width === 2 && (v < -32768 || v > 32767)) width = 4;
  }
  const out = new Uint8Array(HEADER + width * values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, width, true);
  view.setUint32(4, values.length, true);
  let p = HEADER;
  for (const v of values) {
    if (width === 2) view.setInt16(p, v as number, true);
    else if (width === 4) view.setInt32(p, v as number, true);
    else view.setBigInt64(p, BigInt(v), true);
    p += width;
  }
  return out;
}

/**
 * Reads the intset `bytes[start, end)` and pushes its elements (as decimal text) onto `out`.
 * Returns false when it is not a valid intset: Redis's deep `intsetValidateIntegrity` (a known
 * width, a size that matches the count, not empty, strictly ascending).
 */
export function readIntset(bytes: Uint8Array, start: number, end: number, out: string[]): boolean {
  const size = end - start;
  if (size < HEADER) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, size);
  const width = view.getUint32(0, true);
  if (width !== 2 && width !== 4 && width !== 8) return false;
  const count = view.getUint32(4, true);
  if (HEADER + count * width !== size || count === 0) return false;
  if (width === 8) {
    let prev = 0n;
    for (let i = 0; i < count; i++) {
      const v = view.getBigInt64(HEADER + 8 * i, true);
      if (i > 0 && v <= prev) return false;
      prev = v;
      out.push(String(v));
    }
    return true;
  }
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const v = width === 2
      ? view.getInt16(HEADER + 2 * i, true)
      : view.getInt32(HEADER + 4 * i, true);
    if (i > 0 && v <= prev) return false;
    prev = v;
    out.push(String(v));
  }
  return true;
}
