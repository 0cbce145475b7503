/**
 * A point-in-time image of every database, taken while clients keep being served: what
 * Redis's fork gives BGSAVE and BGREWRITEAOF. There is no fork here, so the image is taken by
 * copy on write at the level of keys: the snapshot walks each database's key Map a chunk at a
 * time (`step`), handing each key to a sink (an RDB or AOF writer), and before any command
 * changes a key the walk has not reached yet, `preserve` hands that key's current value to
 * the sink first. Either way each key reaches the sink exactly once, as it was when the
 * snapshot began, and a key created after that never does.
 *
 * The snapshot holds the key Maps themselves, not the databases: FLUSHDB and FLUSHALL give a
 * database new Maps (the old ones stay whole for the snapshot), and SWAPDB exchanges Maps
 * between databases, so a Map keeps the database number it had when the snapshot began.
 * Expiry deleting a key the walk has not reached leaves it out; it had expired, and whoever
 * loads the image would drop it anyway (an AOF's incr file logs its DEL).
 *
 * Memory: the keys handed over are remembered until their database's walk ends (a Set of
 * strings the keyspace already holds), so that a key is never handed over twice.
 *
 * @example
 * ```ts
 * import { Snapshot } from "./snapshot.ts";
 * import { Database } from "../keyspace/database.ts";
 * import { systemClock } from "../keyspace/clock.ts";
 * const db = new Database(0, systemClock);
 * db.set("k", "old");
 * const seen: string[] = [];
 * const snapshot = new Snapshot([db], { entry: (_db, key, value) => seen.push(`${key}=${value}`) });
 * snapshot.preserve(db, "k"); // a command is about to change k
 * db.set("k", "new");
 * while (snapshot.step(100)) { /* serve clients between steps *\/ }
 * seen; // ["k=old"]
 * ```
 * @module
 */
import type { Database } from "../keyspace/database.ts";
import type { Value } from "../keyspace/values.ts";

/** Where the keys of a snapshot go. */
export interface SnapshotSink {
  /** One key as it was when the snapshot began; `expireAt` in epoch ms. */
  entry(db: number, key: string, value: Value, expireAt: number | undefined): void;
}

/** One database as it was: its Maps, and the walk over them. */
interface Part {
  readonly index: number;
  readonly dict: Map<string, Value>;
  readonly expires: Map<string, number>;
  /** Keys already handed over (by the walk or by `preserve`); null once the walk is over. */
  done: Set<string> | null;
  walk: Iterator<[string, Value]> | null;
}

/** A point-in-time image in the making (see the module doc). */
export class Snapshot {
  readonly #sink: SnapshotSink;
  /** By key Map, so that a Map found in another database after SWAPDB is still recognised. */
  readonly #parts = new Map<Map<string, Value>, Part>();
  readonly #order: Part[] = [];
  #next = 0;
  /** Keys handed over so far. */
  keys = 0;

  constructor(databases: readonly Database[], sink: SnapshotSink) {
    this.#sink = sink;
    for (const db of databases) {
      if (db.dict.size === 0) continue;
      const part: Part = {
        index: db.index,
        dict: db.dict,
        expires: db.expires,
        done: new Set(),
        walk: null,
      };
      this.#parts.set(db.dict, part);
      this.#order.push(part);
    }
  }

  /** The databases of the image and their sizes when it began (RDB's RESIZEDB hints). */
  get databases(): { index: number; size: number; expires: number }[] {
    return this.#order.map((p) => ({ index: p.index, size: p.dict.size, expires: p.expires.size }));
  }

  /** Whether every key has been handed over. */
  get finished(): boolean {
    return this.#next >= this.#order.length;
  }

  /**
   * `key` of `db` is about to change: hands it over as it is now, unless that was done (or it
   * did not exist when the snapshot began, or its database was flushed since).
   */
  preserve(db: Database, key: string): void {
    const part = this.#parts.get(db.dict);
    if (part === undefined || part.done === null || part.done.has(key)) return;
    part.done.add(key);
    const value = part.dict.get(key);
    if (value !== undefined) this.#emit(part, key, value);
  }

  /** `preserve` for `key` in every database (MOVE, COPY ... DB: the target is another one). */
  preserveEverywhere(databases: readonly Database[], key: string): void {
    for (const db of databases) this.preserve(db, key);
  }

  /** Hands over up to `budget` more keys; returns whether any are left. */
  step(budget: number): boolean {
    while (budget > 0 && this.#next < this.#order.length) {
      const part = this.#order[this.#next]!;
      part.walk ??= part.dict.entries();
      const done = part.done!;
      for (; budget > 0; budget--) {
        const next = part.walk.next();
        if (next.done) {
          part.done = null;
          part.walk = null;
          this.#parts.delete(part.dict);
          this.#next++;
          break;
        }
        const [key, value] = next.value;
        if (done.has(key)) continue;
        done.add(key);
        this.#emit(part, key, value);
      }
    }
    return this.#next < this.#order.length;
  }

  #emit(part: Part, key: string, value: Value): void {
    this.keys++;
    const expireAt = part.expires.size === 0 ? undefined : part.expires.get(key);
    this.#sink.entry(part.index, key, value, expireAt);
  }
}
