/**
 * A Redis hash: a Map from field to value. A Map keeps insertion order and updates a field in
 * place, which is exactly the order Redis's `listpack` encoding answers HGETALL in, so small
 * hashes list their fields as Redis's do. The encoding OBJECT ENCODING reports is tracked as
 * Redis converts it: `listpack` until the hash has more than hash-max-listpack-entries fields
 * or a field or value longer than hash-max-listpack-value bytes, then `hashtable` for good.
 *
 * @example
 * ```ts
 * import { HashValue } from "./hash.ts";
 * const hash = new HashValue();
 * hash.set("f", "v", { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 });
 * hash.encoding; // "listpack"
 * ```
 * @module
 */

/** The thresholds of the compact encoding (CONFIG hash-max-listpack-*). */
export interface HashLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
}

/** A hash value. */
export class HashValue {
  readonly fields: Map<string, string> = new Map();
  /** Whether Redis would still hold this hash as a listpack. */
  listpack = true;

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
    return this.fields.size !== size;
  }

  /** An independent copy (COPY). */
  copy(): HashValue {
    const c = new HashValue();
    for (const [f, v] of this.fields) c.fields.set(f, v);
    c.listpack = this.listpack;
    return c;
  }
}
