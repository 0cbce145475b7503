/**
 * A Redis list: a double-ended queue in a growable ring buffer, so pushes and pops at either
 * end are O(1) amortized (as Redis's quicklist) and, unlike the quicklist, LINDEX and LSET at
 * any position are O(1) as well. The buffer's capacity is a power of two; it doubles when full
 * and halves when a quarter full, so a drained queue gives its memory back.
 *
 * Redis 7.0 encodes every list as a `quicklist` (the `listpack` encoding for small lists came
 * in 7.2), so OBJECT ENCODING answers `quicklist` for all of them.
 *
 * @example
 * ```ts
 * import { ListValue } from "./list.ts";
 * const list = new ListValue();
 * list.pushBack("b");
 * list.pushFront("a");
 * list.at(1); // "b"
 * list.popFront(); // "a"
 * ```
 * @module
 */

const MIN_CAPACITY = 4;

/** A list value. */
export class ListValue {
  #items: (string | undefined)[] = new Array(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #head = 0;
  #length = 0;

  /** Builds a list from elements, head first. */
  static from(elements: Iterable<string>): ListValue {
    const list = new ListValue();
    for (const e of elements) list.pushBack(e);
    return list;
  }

  get length(): number {
    return this.#length;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return "quicklist";
  }

  pushFront(value: string): void {
    if (this.#length > this.#mask) this.#resize((this.#mask + 1) * 2);
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = value;
    this.#length++;
  }

  pushBack(value: string): void {
    if (this.#length > this.#mask) this.#resize((this.#mask + 1) * 2);
    this.#items[(this.#head + this.#length) & this.#mask] = value;
    this.#length++;
  }

  /** Removes and returns the head, or undefined when empty. */
  popFront(): string | undefined {
    if (this.#length === 0) return undefined;
    const value = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    this.#maybeShrink();
    return value;
  }

  /** Removes and returns the tail, or undefined when empty. */
  popBack(): string | undefined {
    if (this.#length === 0) return undefined;
    const i = (this.#head + this.#length - 1) & this.#mask;
    const value = this.#items[i];
    this.#items[i] = undefined;
    this.#length--;
    this.#maybeShrink();
    return value;
  }

  /** The element at index `i` (0 ≤ i < length). */
  at(i: number): string {
    return this.#items[(this.#head + i) & this.#mask]!;
  }

  /** Replaces the element at index `i` (0 ≤ i < length). */
  set(i: number, value: string): void {
    this.#items[(this.#head + i) & this.#mask] = value;
  }

  /** Elements `start..end` inclusive (already clamped to the list), head to tail. */
  slice(start: number, end: number): string[] {
    const out: string[] = new Array(Math.max(0, end - start + 1));
    for (let i = start, j = 0; i <= end; i++, j++) {
      out[j] = this.#items[(this.#head + i) & this.#mask]!;
    }
    return out;
  }

  /** Inserts `value` so that it ends up at index `i` (0 ≤ i ≤ length), moving the shorter side. */
  insert(i: number, value: string): void {
    if (i <= this.#length / 2) {
      this.pushFront(value);
      for (let j = 0; j < i; j++) this.set(j, this.at(j + 1));
    } else {
      this.pushBack(value);
      for (let j = this.#length - 1; j > i; j--) this.set(j, this.at(j - 1));
    }
    this.set(i, value);
  }

  /** Keeps only the elements for which `keep` answers true; returns how many were removed. */
  filter(keep: (value: string, index: number) => boolean): number {
    const kept: string[] = [];
    for (let i = 0; i < this.#length; i++) {
      const v = this.at(i);
      if (keep(v, i)) kept.push(v);
    }
    const removed = this.#length - kept.length;
    if (removed !== 0) this.#replace(kept);
    return removed;
  }

  /** Keeps only the elements `start..end` inclusive (already clamped; start > end empties it). */
  trim(start: number, end: number): void {
    this.#replace(start > end ? [] : this.slice(start, end));
  }

  /** Elements head to tail. */
  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.#length; i++) yield this.at(i);
  }

  /** An independent copy (COPY). */
  copy(): ListValue {
    return ListValue.from(this);
  }

  #replace(elements: string[]): void {
    let capacity = MIN_CAPACITY;
    while (capacity < elements.length) capacity *= 2;
    const length = elements.length;
    const items: (string | undefined)[] = elements;
    items.length = capacity;
    this.#items = items;
    this.#mask = capacity - 1;
    this.#head = 0;
    this.#length = length;
  }

  #maybeShrink(): void {
    const capacity = this.#mask + 1;
    if (capacity > MIN_CAPACITY && this.#length < capacity / 4) this.#resize(capacity / 2);
  }

  #resize(capacity: number): void {
    const items: (string | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.#length; i++) items[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
