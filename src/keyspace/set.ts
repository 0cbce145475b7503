/**
 * A Redis set. SPOP and SRANDMEMBER must pick a uniformly random member in O(1), which a JS
 * Set cannot (it has no random access), so the members live in an array, with a Map from
 * member to its array index for O(1) membership; a delete moves the last member into the freed
 * slot. The Map's own insertion order is untouched by those moves, so an iterator over its keys
 * survives inserts and deletes: SSCAN pages through it.
 *
 * The encoding OBJECT ENCODING reports follows Redis 7.0: `intset` while every member is a
 * 64-bit integer in its canonical form and there are at most set-max-intset-entries of them,
 * then `hashtable` for good. An intset is kept as it is in Redis, a sorted array searched by
 * bisection (no Map), so it lists its members in ascending numeric order as Redis's does.
 *
 * @example
 * ```ts
 * import { SetValue } from "./set.ts";
 * const set = new SetValue();
 * set.add("10", 512);
 * set.add("9", 512);
 * [...set]; // ["9", "10"]: an intset is in numeric order
 * set.encoding; // "intset"
 * set.add("a", 512);
 * set.encoding; // "hashtable"
 * set.has("a"); // true
 * ```
 * @module
 */

/** Redis caps set-max-intset-entries at 2^30 "due to intset internals" (t_set.c). */
const INTSET_HARD_LIMIT = 2 ** 30;

/** Whether `text` is an integer as Redis's `string2ll` reads it (canonical, 64-bit). */
export function isInt64Text(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (text.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return n === 1; // "0" alone; no leading zeros, no "-0"
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  const digits = n - i;
  if (digits < 19) return true;
  if (digits > 19) return false;
  // Same number of digits: the decimal strings compare as the numbers do.
  return i === 0 ? text <= "9223372036854775807" : text <= "-9223372036854775808";
}

/**
 * Orders canonical integer texts by their numeric value, without parsing them: negatives
 * first, then by length (more digits is larger, or smaller when negative), then by digits. It
 * is a total order on all strings, so bisection over an intset never misbehaves on a query
 * that is not an integer (it is simply not found).
 */
export function compareIntegerTexts(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  if (aNegative !== (b.charCodeAt(0) === 45)) return aNegative ? -1 : 1;
  if (a === b) return 0;
  const less = a.length !== b.length ? a.length < b.length : a < b;
  return less !== aNegative ? -1 : 1;
}

/** A set value. */
export class SetValue {
  /** The members: sorted numerically while an intset, else in no particular order. */
  #items: string[] = [];
  /** Member to index in `#items`; null while an intset (bisection finds members). */
  #index: Map<string, number> | null = null;

  /** Builds a set by adding `members` in order, as Redis builds a command's result set. */
  static from(members: Iterable<string>, maxIntsetEntries: number): SetValue {
    const set = new SetValue();
    for (const m of members) set.add(m, maxIntsetEntries);
    return set;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Whether Redis would hold this set as an intset. */
  get intset(): boolean {
    return this.#index === null;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return this.#index === null ? "intset" : "hashtable";
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    if (this.#index !== null) return this.#index.has(member);
    const i = this.#lowerBound(member);
    return i < this.#items.length && this.#items[i] === member;
  }

  /** Adds a member; returns whether it is new. `maxIntsetEntries` is set-max-intset-entries. */
  add(member: string, maxIntsetEntries: number): boolean {
    const index = this.#index;
    if (index !== null) {
      if (index.has(member)) return false;
      index.set(member, this.#items.length);
      this.#items.push(member);
      return true;
    }
    const items = this.#items;
    if (!isInt64Text(member)) {
      this.#toHashtable();
      return this.add(member, maxIntsetEntries);
    }
    const i = this.#lowerBound(member);
    if (i < items.length && items[i] === member) return false;
    if (i === items.length) items.push(member);
    else items.splice(i, 0, member);
    if (items.length > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) this.#toHashtable();
    return true;
  }

  /** Removes a member; returns whether it was there. */
  delete(member: string): boolean {
    const items = this.#items;
    const index = this.#index;
    if (index === null) {
      const i = this.#lowerBound(member);
      if (i === items.length || items[i] !== member) return false;
      items.splice(i, 1);
      return true;
    }
    const i = index.get(member);
    if (i === undefined) return false;
    index.delete(member);
    this.#removeAt(i);
    return true;
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(): string {
    return this.#items[Math.floor(Math.random() * this.#items.length)]!;
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  popRandom(): string {
    const i = Math.floor(Math.random() * this.#items.length);
    const items = this.#items;
    const member = items[i]!;
    if (this.#index === null) {
      items.splice(i, 1);
    } else {
      this.#index.delete(member);
      this.#removeAt(i);
    }
    return member;
  }

  /**
   * Keeps only the members in `keep` and returns the others, removed, in iteration order:
   * SPOP's "create a new set" strategy. The kept members get the encoding Redis's new set gets
   * (`setTypeCreate` and adds): an intset again when they are few enough integers.
   */
  retainOnly(keep: ReadonlySet<string>, maxIntsetEntries: number): string[] {
    const removed: string[] = [];
    const kept: string[] = [];
    for (const m of this.#items) (keep.has(m) ? kept : removed).push(m);
    if (this.#index !== null) {
      let allIntegers = kept.length <= Math.min(maxIntsetEntries, INTSET_HARD_LIMIT);
      for (let i = 0; allIntegers && i < kept.length; i++) allIntegers = isInt64Text(kept[i]!);
      if (allIntegers) {
        kept.sort(compareIntegerTexts);
        this.#index = null;
      } else {
        const index = new Map<string, number>();
        for (let i = 0; i < kept.length; i++) index.set(kept[i]!, i);
        this.#index = index;
      }
    }
    this.#items = kept;
    return removed;
  }

  /** The members as a new array, in iteration order. */
  toArray(): string[] {
    return this.#items.slice();
  }

  /** The members: ascending numeric order for an intset, else in no particular order. */
  [Symbol.iterator](): Iterator<string> {
    return this.#items.values();
  }

  /**
   * An iterator for SSCAN over a hashtable set: every member present from start to end is
   * visited once, whatever is added or removed meanwhile. (An intset is answered whole.)
   */
  scanIterator(): Iterator<string> {
    return this.#index === null ? this.#items.values() : this.#index.keys();
  }

  /** An independent copy with the same encoding (COPY). */
  copy(): SetValue {
    const c = new SetValue();
    c.#items = this.#items.slice();
    c.#index = this.#index === null ? null : new Map(this.#index);
    return c;
  }

  /** The first position whose member is not below `member` in an intset. */
  #lowerBound(member: string): number {
    const items = this.#items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIntegerTexts(items[mid]!, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Fills slot `i` (whose member left the index) with the last member. */
  #removeAt(i: number): void {
    const items = this.#items;
    const last = items.pop()!;
    if (i < items.length) {
      items[i] = last;
      this.#index!.set(last, i);
    }
  }

  #toHashtable(): void {
    const index = new Map<string, number>();
    const items = this.#items;
    for (let i = 0; i < items.length; i++) index.set(items[i]!, i);
    this.#index = index;
  }
}
