/**
 * A Redis sorted set (placeholder until the skip list lands).
 *
 * @module
 */

/** A sorted set value. */
export class SortedSetValue {
  /** Member to score. */
  readonly scores: Map<string, number> = new Map();
  listpack = true;

  get size(): number {
    return this.scores.size;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return this.listpack ? "listpack" : "skiplist";
  }

  /** An independent copy (COPY). */
  copy(): SortedSetValue {
    const c = new SortedSetValue();
    for (const [m, s] of this.scores) c.scores.set(m, s);
    c.listpack = this.listpack;
    return c;
  }
}
