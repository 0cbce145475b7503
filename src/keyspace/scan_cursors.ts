/**
 * SCAN cursors over a Map or Set, as the keyspace SCAN and HSCAN/SSCAN/ZSCAN use them.
 *
 * Redis's cursors encode a position in a hash table, and guarantee that an element present
 * for the whole scan is returned at least once. A JS Map or Set iterates in insertion order
 * and its live iterators survive inserts and deletes, so a cursor here names a live iterator:
 * the next page continues where the last stopped, and nothing present throughout is missed.
 * A cursor used again (a client retrying after a lost reply) gets the same page again. Only
 * the most recent `limit` cursors are remembered; an unknown cursor starts over, which may
 * repeat elements but never misses one, as Redis allows.
 *
 * @example
 * ```ts
 * import { ScanCursors } from "./scan_cursors.ts";
 * const map = new Map([["a", 1], ["b", 2], ["c", 3]]);
 * const cursors = new ScanCursors<string>(16);
 * const first = cursors.page("0", 2, "", () => map.keys(), () => true);
 * first.items; // ["a", "b"]
 * cursors.page(first.cursor, 2, "", () => map.keys(), () => true).items; // ["c"]
 * ```
 * @module
 */

/** One page of a scan: the next cursor ("0" when done) and the elements. */
export interface ScanPage<T> {
  cursor: string;
  items: T[];
}

interface Cursor<T> {
  /** The live iterator, until the cursor is used. */
  iterator: Iterator<T> | undefined;
  /** The page the cursor answered, for replays. */
  page: ScanPage<T> | undefined;
  /** The options of the request that produced `page` (a replay must ask the same). */
  request: string;
}

/** The live cursors of one scanned collection. */
export class ScanCursors<T> {
  #cursors = new Map<string, Cursor<T>>();
  #next = 1 + Math.floor(Math.random() * 1e9);

  constructor(readonly limit: number) {}

  /**
   * One page of about `count` elements from `cursor` ("0" starts). `request` identifies the
   * options (COUNT, MATCH, TYPE) for replays; `accept` filters what is visited.
   */
  page(
    cursor: string,
    count: number,
    request: string,
    entries: () => Iterator<T>,
    accept: (item: T) => boolean,
  ): ScanPage<T> {
    const known = cursor === "0" ? undefined : this.#cursors.get(cursor);
    if (known?.page !== undefined && known.request === request) {
      this.#touch(cursor, known);
      return known.page;
    }
    const it = known?.iterator ?? entries();
    const items: T[] = [];
    let done = false;
    for (let visited = 0; visited < count; visited++) {
      const next = it.next();
      if (next.done) {
        done = true;
        break;
      }
      if (accept(next.value)) items.push(next.value);
    }
    const page: ScanPage<T> = { cursor: "0", items };
    if (!done) {
      page.cursor = String(this.#next++);
      this.#touch(page.cursor, { iterator: it, page: undefined, request: "" });
    }
    // The used cursor keeps its answer (not its iterator, which has moved on) for replays.
    if (cursor !== "0") this.#touch(cursor, { iterator: undefined, page, request });
    return page;
  }

  /** Forgets every cursor (the collection was emptied or replaced). */
  clear(): void {
    this.#cursors.clear();
  }

  /** Stores a cursor as the most recently used, forgetting the least recently used ones. */
  #touch(cursor: string, entry: Cursor<T>): void {
    this.#cursors.delete(cursor);
    this.#cursors.set(cursor, entry);
    while (this.#cursors.size > this.limit) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest === undefined) break;
      this.#cursors.delete(oldest);
    }
  }
}
