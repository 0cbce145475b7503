/**
 * One numbered database: a Map from key to value, and a second Map from key to its absolute
 * expiry time in ms (as Redis keeps `dict` and `expires`). A key with a passed expiry is deleted
 * when touched (lazy expiry, `expireIfNeeded`) and by the server's active cycle, which walks the
 * expires Map round-robin in small steps so that expired keys free their memory unread.
 *
 * @example
 * ```ts
 * import { Database } from "./database.ts";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(0);
 * const db = new Database(0, clock);
 * db.set("k", "v");
 * db.setExpire("k", 100);
 * clock.advance(100);
 * db.lookup("k"); // undefined: expired
 * ```
 * @module
 */
import type { Clock } from "./clock.ts";
import { globMatch } from "./glob.ts";
import { typeName, type Value } from "./values.ts";

/** Called for each key removed because its time passed. */
export type ExpiredListener = (db: Database, key: string) => void;

/** How many live SCAN cursors a database remembers before forgetting the oldest. */
const MAX_SCAN_CURSORS = 4096;

/** One page of a SCAN. */
export interface ScanPage {
  cursor: string;
  keys: string[];
}

/** A SCAN filter: glob MATCH pattern and TYPE name, each optional. */
export interface ScanFilter {
  match: string | null;
  type: string | null;
}

/** A numbered database. */
export class Database {
  dict: Map<string, Value> = new Map();
  expires: Map<string, number> = new Map();
  #clock: Clock;
  #onExpired: ExpiredListener | null;
  #scanCursors = new Map<string, Iterator<string>>();
  #nextCursor = 1 + Math.floor(Math.random() * 1e9);
  #expireWalk: Iterator<[string, number]> | null = null;

  constructor(readonly index: number, clock: Clock, onExpired: ExpiredListener | null = null) {
    this.#clock = clock;
    this.#onExpired = onExpired;
  }

  /** Number of keys (including expired ones not yet collected, as DBSIZE does in Redis). */
  get size(): number {
    return this.dict.size;
  }

  /** Deletes `key` if its time has passed; returns whether it did. */
  expireIfNeeded(key: string): boolean {
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    if (at === undefined || at > this.#clock.now()) return false;
    this.dict.delete(key);
    this.expires.delete(key);
    this.#onExpired?.(this, key);
    return true;
  }

  /** The live value of `key`, or undefined. */
  lookup(key: string): Value | undefined {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
    return this.dict.get(key);
  }

  /** Whether `key` exists (and has not expired). */
  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /** Stores a value and clears any TTL (what SET does without KEEPTTL). */
  set(key: string, value: Value): void {
    this.dict.set(key, value);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replaces the value of `key`, keeping its TTL (APPEND, INCR, SETRANGE, KEEPTTL). */
  update(key: string, value: Value): void {
    this.dict.set(key, value);
  }

  /** Deletes a key; returns whether it existed. */
  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /** The absolute expiry time of a live key, or undefined when it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Sets the absolute expiry time (ms) of an existing key. */
  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
  }

  /** Removes the TTL; returns whether there was one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Removes every key; returns how many there were. */
  clear(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.#scanCursors.clear();
    this.#expireWalk = null;
    return n;
  }

  /** Exchanges contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    this.#scanCursors.clear();
    other.#scanCursors.clear();
    this.#expireWalk = null;
    other.#expireWalk = null;
  }

  /** A random live key, or null when the database is empty. */
  randomKey(): string | null {
    for (let tries = 0; tries < 100 && this.dict.size > 0; tries++) {
      let skip = Math.floor(Math.random() * this.dict.size);
      for (const key of this.dict.keys()) {
        if (skip-- > 0) continue;
        if (!this.expireIfNeeded(key)) return key;
        break;
      }
    }
    return null;
  }

  /** Live keys matching `pattern` (KEYS). */
  keys(pattern: string): string[] {
    const out: string[] = [];
    const all = pattern === "*";
    for (const key of [...this.dict.keys()]) {
      if ((all || globMatch(pattern, key)) && !this.expireIfNeeded(key)) out.push(key);
    }
    return out;
  }

  /**
   * One SCAN step of about `count` keys. A cursor names a live iterator over the key Map, whose
   * insertion order is stable under inserts and deletes, so every key present for the whole
   * scan is returned. An unknown cursor (forgotten, or from before a FLUSHDB) starts over,
   * which may repeat keys but never misses one, as Redis allows.
   */
  scan(cursor: string, count: number, filter: ScanFilter): ScanPage {
    let it = cursor === "0" ? undefined : this.#scanCursors.get(cursor);
    this.#scanCursors.delete(cursor);
    it ??= this.dict.keys();
    const keys: string[] = [];
    let done = false;
    for (let visited = 0; visited < count; visited++) {
      const next = it.next();
      if (next.done) {
        done = true;
        break;
      }
      const key = next.value;
      if (filter.match !== null && !globMatch(filter.match, key)) continue;
      if (this.expireIfNeeded(key)) continue;
      if (filter.type !== null) {
        const value = this.dict.get(key);
        if (value === undefined || typeName(value) !== filter.type) continue;
      }
      keys.push(key);
    }
    if (done) return { cursor: "0", keys };
    const id = String(this.#nextCursor++);
    this.#scanCursors.set(id, it);
    if (this.#scanCursors.size > MAX_SCAN_CURSORS) {
      const oldest = this.#scanCursors.keys().next().value;
      if (oldest !== undefined) this.#scanCursors.delete(oldest);
    }
    return { cursor: id, keys };
  }

  /**
   * Checks up to `budget` keys that have a TTL, continuing where the last call stopped, and
   * deletes the expired ones. Returns [checked, expired] so the caller can decide to go on.
   */
  activeExpireStep(budget: number): [number, number] {
    if (this.expires.size === 0) return [0, 0];
    const now = this.#clock.now();
    this.#expireWalk ??= this.expires.entries();
    let checked = 0;
    let expired = 0;
    while (checked < budget) {
      const next = this.#expireWalk.next();
      if (next.done) {
        this.#expireWalk = this.expires.entries();
        if (checked === 0 || this.expires.size === 0) break;
        continue;
      }
      checked++;
      const [key, at] = next.value;
      if (at <= now && this.expires.get(key) === at) {
        this.dict.delete(key);
        this.expires.delete(key);
        this.#onExpired?.(this, key);
        expired++;
      }
    }
    return [checked, expired];
  }
}
