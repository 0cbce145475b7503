/**
 * What Redis keeps in each value's object header besides the value: the access clock that
 * OBJECT IDLETIME and OBJECT FREQ read (the 24-bit `lru` field: seconds of the LRU clock, or
 * under an LFU policy minutes and a logarithmic counter) and, for strings, an encoding the
 * text alone does not tell (OBJECT ENCODING: APPEND makes `raw`, INCRBYFLOAT `embstr`).
 *
 * Strings are stored as bare JS strings, so there is no object to hang a field on. This table
 * keeps one 32-bit word per key in an open-addressing hash table in one Int32Array, keyed by a
 * 32-bit hash of the key: 8 bytes per cell and at most 70% of the cells in use, 11 to 23 bytes
 * per key (17 at a million keys), where a second `Map` would cost 29 to 58; nothing for the
 * collector to trace and nothing allocated on the hot path. The price is that two keys with
 * the same 32-bit hash (about one key in 4000 in a database of a million) share their word, so
 * one of them may report a shorter idle time: Redis calls IDLETIME approximated too (its clock
 * has a resolution of a second and wraps every 194 days).
 *
 * @example
 * ```ts
 * import { hashKey, KeyMeta } from "./key_meta.ts";
 * const meta = new KeyMeta();
 * meta.put(hashKey("k"), 42);
 * meta.word(hashKey("k")); // 42
 * meta.delete(hashKey("k"));
 * meta.word(hashKey("k")); // -1
 * ```
 * @module
 */

/** Smallest number of cells, and the size a cleared table goes back to. */
const MIN_CELLS = 16;

/**
 * A 32-bit hash of a key: murmur3 over its chars four at a time (keys are latin1, one byte per
 * char), so that the low bits that pick a cell depend on every char; never 0, which marks an
 * empty cell.
 */
export function hashKey(key: string): number {
  const n = key.length;
  let h = n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < n; i++, shift += 8) k |= key.charCodeAt(i) << shift;
  k = Math.imul(k, 0xcc9e2d51);
  h ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h || 1;
}

/** A map from key hash to one 32-bit word, with linear probing. */
export class KeyMeta {
  /** Pairs of (hash, word); hash 0 is an empty cell. Int32 keeps every value a small integer. */
  #cells = new Int32Array(2 * MIN_CELLS);
  #mask = MIN_CELLS - 1;
  #count = 0;

  /** Number of keys with a word. */
  get size(): number {
    return this.#count;
  }

  /** The cell holding `hash`, or -1. */
  #find(hash: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const h = cells[2 * i]!;
      if (h === hash) return i;
      if (h === 0) return -1;
    }
  }

  /** The word stored for `hash`, or -1 when there is none. */
  word(hash: number): number {
    const i = this.#find(hash);
    return i === -1 ? -1 : this.#cells[2 * i + 1]!;
  }

  /** Stores the word for `hash`. */
  put(hash: number, word: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const h = cells[2 * i]!;
      if (h === hash) {
        cells[2 * i + 1] = word;
        return;
      }
      if (h === 0) {
        cells[2 * i] = hash;
        cells[2 * i + 1] = word;
        if (++this.#count * 10 > (mask + 1) * 7) this.#resize((mask + 1) * 2);
        return;
      }
    }
  }

  /** Stores `(word & keep) | bits` for `hash`, or `bits` when it has no word: one probe. */
  merge(hash: number, keep: number, bits: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const h = cells[2 * i]!;
      if (h === hash) {
        cells[2 * i + 1] = (cells[2 * i + 1]! & keep) | bits;
        return;
      }
      if (h === 0) return this.put(hash, bits);
    }
  }

  /** Keeps only the `keep` bits of the word for `hash`, if it has one. */
  mask(hash: number, keep: number): void {
    const i = this.#find(hash);
    if (i !== -1) this.#cells[2 * i + 1]! &= keep;
  }

  /**
   * Removes the word for `hash`, closing the gap by moving later cells of the probe run back
   * (backward-shift deletion: no tombstones to slow later lookups).
   */
  delete(hash: number): void {
    let i = this.#find(hash);
    if (i === -1) return;
    const cells = this.#cells;
    const mask = this.#mask;
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const h = cells[2 * j]!;
      if (h === 0) break;
      const home = h & mask;
      // The cell at j may move to i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        cells[2 * i] = h;
        cells[2 * i + 1] = cells[2 * j + 1]!;
        i = j;
      }
    }
    cells[2 * i] = 0;
    cells[2 * i + 1] = 0;
    this.#count--;
    if (mask + 1 > MIN_CELLS && this.#count * 8 < mask + 1) this.#resize((mask + 1) / 2);
  }

  /** Removes every word. */
  clear(): void {
    this.#cells.buffer.transfer(0);
    this.#cells = new Int32Array(2 * MIN_CELLS);
    this.#mask = MIN_CELLS - 1;
    this.#count = 0;
  }

  #resize(capacity: number): void {
    const old = this.#cells;
    const cells = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    for (let k = 0; k < old.length; k += 2) {
      const h = old[k]!;
      if (h === 0) continue;
      let i = h & mask;
      while (cells[2 * i] !== 0) i = (i + 1) & mask;
      cells[2 * i] = h;
      cells[2 * i + 1] = old[k + 1]!;
    }
    // Detaching frees the old table now rather than at the next full GC, which for a table
    // that has lived long (in the old generation) may be a while: RSS stays near the live size.
    old.buffer.transfer(0);
    this.#cells = cells;
    this.#mask = mask;
  }
}
