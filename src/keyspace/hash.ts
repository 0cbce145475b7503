/**
 * A Redis hash: a Map from field to value. A Map keeps insertion order and updates a field in
 * place, which is exactly the order Redis's `listpack` encoding answers HGETALL in, so small
 * hashes list their fields as Redis's do. The encoding OBJECT ENCODING reports is tracked as
 * Redis converts it: `listpack` until the hash has more than hash-max-listpack-entries fields
 * or a field or value longer than hash-max-listpack-value bytes, then `hashtable` for good.
 *
 * HRANDFIELD needs uniform random picks, and a Map has no random access. A large hash therefore
 * gets, the first time a random field is asked of it, an index: an array of its fields plus each
 * field's position in that array. `set` and `delete` keep the index up to date in O(1) (a
 * deleted field's slot takes the last field), so every later pick is O(1) and uniform. Hashes
 * never sampled pay nothing; a small hash is sampled by walking its Map instead, which costs
 * no memory and is as cheap as Redis's walk of a listpack. Change `fields` only through `set`
 * and `delete`: the index is checked against the Map's size and rebuilt when they disagree, but
 * a direct change that keeps the size would go unnoticed.
 *
 * @example
 * ```ts
 * import { HashValue } from "./hash.ts";
 * const hash = new HashValue();
 * hash.set("f", "v", { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 });
 * hash.encoding; // "listpack"
 * hash.randomField(); // "f"
 * ```
 * @module
 */

/** The thresholds of the compact encoding (CONFIG hash-max-listpack-*). */
export interface HashLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
}

/** Up to this many fields, random picks walk the Map rather than build an index. */
const WALK_LIMIT = 64;

/** A uniform random integer in [0, n). */
function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/** A hash value. */
export class HashValue {
  readonly fields: Map<string, string> = new Map();
  /** Whether Redis would still hold this hash as a listpack. */
  listpack = true;
  /** The random-access index (see the module doc): the fields, and where each one is. */
  #order: string[] | null = null;
  #slot: Map<string, number> | null = null;

  get size(): number {
    return this.fields.size;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return this.listpack ? "listpack" : "hashtable";
  }

  /** Sets a field; returns whether it is new. */
  set(field: string, value: string, limits: HashLimits): boolean {
    const size = this.fields.size;
    this.fields.set(field, value);
    if (
      this.listpack &&
      (this.fields.size > limits.hashMaxListpackEntries ||
        field.length > limits.hashMaxListpackValue || value.length > limits.hashMaxListpackValue)
    ) {
      this.listpack = false;
    }
    if (this.fields.size === size) return false;
    if (this.#order !== null) {
      this.#slot!.set(field, this.#order.length);
      this.#order.push(field);
    }
    return true;
  }

  /** Removes a field; returns whether it was there. */
  delete(field: string): boolean {
    if (!this.fields.delete(field)) return false;
    const order = this.#order;
    if (order !== null) {
      const slot = this.#slot!;
      const i = slot.get(field);
      slot.delete(field);
      const last = order.pop()!;
      if (i !== undefined && last !== field) {
        order[i] = last;
        slot.set(last, i);
      }
    }
    return true;
  }

  /** A uniformly chosen field; the hash must not be empty. */
  randomField(): string {
    const n = this.fields.size;
    if (n <= WALK_LIMIT) {
      let skip = randomBelow(n);
      for (const field of this.fields.keys()) if (skip-- === 0) return field;
    }
    const order = this.#index();
    return order[randomBelow(order.length)]!;
  }

  /**
   * A function returning a uniformly chosen field per call (HRANDFIELD's negative count: picks
   * may repeat): O(1) per pick after an O(size) set-up, which the caller only asks for when it
   * wants at least `size` picks or the hash is small; else the index serves.
   */
  randomPicker(picks: number): () => string {
    const n = this.fields.size;
    const order = n <= WALK_LIMIT || picks >= n ? [...this.fields.keys()] : this.#index();
    return () => order[randomBelow(order.length)]!;
  }

  /**
   * `count` distinct uniformly chosen fields, 0 < count < size (HRANDFIELD's positive count).
   * When the caller wants them in the hash's order (as Redis answers from a listpack), or when
   * they are a third of the hash or more, one pass of selection sampling (Knuth's algorithm S)
   * picks them in order, O(size) = O(count) for a hashtable. A few fields of a large hash are
   * drawn from the index instead, redrawing repeats: O(count) expected, in random order.
   */
  sampleDistinct(count: number, inOrder: boolean): string[] {
    const n = this.fields.size;
    const out: string[] = [];
    if (inOrder || count * 3 > n) {
      let left = n;
      for (const field of this.fields.keys()) {
        if (randomBelow(left--) < count - out.length) {
          out.push(field);
          if (out.length === count) break;
        }
      }
      return out;
    }
    const order = this.#index();
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(randomBelow(order.length));
    for (const i of chosen) out.push(order[i]!);
    return out;
  }

  /** The random-access index, built on first use (or again if `fields` changed behind it). */
  #index(): string[] {
    if (this.#order !== null && this.#order.length === this.fields.size) return this.#order;
    const order = [...this.fields.keys()];
    const slot = new Map<string, number>();
    for (let i = 0; i < order.length; i++) slot.set(order[i]!, i);
    this.#order = order;
    this.#slot = slot;
    return order;
  }

  /** An independent copy (COPY); the copy builds its own index if it is ever sampled. */
  copy(): HashValue {
    const c = new HashValue();
    for (const [f, v] of this.fields) c.fields.set(f, v);
    c.listpack = this.listpack;
    return c;
  }
}
