/**
 * A Redis set: a JS Set of members, O(1) membership. The encoding OBJECT ENCODING reports is
 * tracked as Redis 7.0 converts it: `intset` while every member is a 64-bit integer in its
 * canonical form and there are at most set-max-intset-entries of them, then `hashtable` for
 * good.
 *
 * @example
 * ```ts
 * import { SetValue } from "./set.ts";
 * const set = new SetValue();
 * set.add("1", 512);
 * set.encoding; // "intset"
 * set.add("a", 512);
 * set.encoding; // "hashtable"
 * ```
 * @module
 */

/** Whether `text` is an integer as Redis's `string2ll` reads it (canonical, 64-bit). */
export function isInt64Text(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 20) return false;
  if (text === "0") return true;
  if (!/^-?[1-9][0-9]*$/.test(text)) return false;
  if (n < 19) return true;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

/** A set value. */
export class SetValue {
  readonly members: Set<string> = new Set();
  /** Whether Redis would still hold this set as an intset. */
  intset = true;

  get size(): number {
    return this.members.size;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return this.intset ? "intset" : "hashtable";
  }

  /** Adds a member; returns whether it is new. `maxIntsetEntries` is set-max-intset-entries. */
  add(member: string, maxIntsetEntries: number): boolean {
    const size = this.members.size;
    this.members.add(member);
    if (this.members.size === size) return false;
    if (this.intset && (this.members.size > maxIntsetEntries || !isInt64Text(member))) {
      this.intset = false;
    }
    return true;
  }

  /** Removes a member; returns whether it was there. */
  delete(member: string): boolean {
    return this.members.delete(member);
  }

  /** An independent copy (COPY). */
  copy(): SetValue {
    const c = new SetValue();
    for (const m of this.members) c.members.add(m);
    c.intset = this.intset;
    return c;
  }
}
