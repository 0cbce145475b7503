/**
 * One numbered database: a Map from key to value, and a second Map from key to its absolute
 * expiry time in ms (as Redis keeps `dict` and `expires`). A key with a passed expiry is deleted
 * when touched (lazy expiry, `expireIfNeeded`) and by the server's active cycle, which walks the
 * expires Map round-robin in small steps so that expired keys free their memory unread. As in
 * Redis, a key expires once the clock is past its time: at that very millisecond it still lives
 * (PTTL answers 0).
 *
 * Expiry times are ms numbers; the rare time beyond 2^53 ms (a quarter of a million years
 * ahead, but a client may ask for `PXAT 9223372036854775807`) is also kept exactly as a bigint
 * so that PEXPIRETIME reports it back digit for digit, as Redis does.
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
 * db.lookup("k"); // "v": at its very millisecond a key still lives
 * clock.advance(1);
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
  /** Exact times of the keys whose expiry is not a safe integer (see the module doc). */
  #preciseExpires = new Map<string, bigint>();
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

  /** Whether `key` has a time that has passed (without deleting it). */
  isExpired(key: string): boolean {
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    return at !== undefined && this.#clock.now() > at;
  }

  /** Deletes `key` if its time has passed; returns whether it did. */
  expireIfNeeded(key: string): boolean {
    if (!this.isExpired(key)) return false;
    this.dict.delete(key);
    this.persist(key);
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

  /**
   * Stores a value and clears any TTL (what SET does without KEEPTTL). An expired value it
   * replaces counts as expired first, as Redis's `lookupKeyWrite` counts it.
   */
  set(key: string, value: Value): void {
    if (this.expires.size !== 0 && !this.expireIfNeeded(key)) this.persist(key);
    this.dict.set(key, value);
  }

  /** Replaces the value of `key`, keeping its TTL (APPEND, INCR, SETRANGE, KEEPTTL). */
  update(key: string, value: Value): void {
    this.dict.set(key, value);
  }

  /** Deletes a key; returns whether it existed. */
  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.persist(key);
    return true;
  }

  /** The absolute expiry time of a live key, or undefined when it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** The exact absolute expiry time of a live key, or undefined when it has none. */
  getExpireExact(key: string): bigint | undefined {
    const at = this.expires.get(key);
    if (at === undefined) return undefined;
    if (Number.isSafeInteger(at)) return BigInt(at);
    return this.#preciseExpires.get(key) ?? BigInt(at);
  }

  /** Sets the absolute expiry time (ms) of an existing key. */
  setExpire(key: string, at: number | bigint): void {
    const ms = Number(at);
    this.expires.set(key, ms);
    if (!Number.isSafeInteger(ms)) this.#preciseExpires.set(key, BigInt(at));
    else if (this.#preciseExpires.size !== 0) this.#preciseExpires.delete(key);
  }

  /** Removes the TTL; returns whether there was one. */
  persist(key: string): boolean {
    if (this.#preciseExpires.size !== 0) this.#preciseExpires.delete(key);
    return this.expires.delete(key);
  }

  /** Removes every key; returns how many there were. */
  clear(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.#preciseExpires = new Map();
    this.#scanCursors.clear();
    this.#expireWalk = null;
    return n;
  }

  /** Exchanges contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.#preciseExpires, other.#preciseExpires] = [other.#preciseExpires, this.#preciseExpires];
    this.#scanCursors.clear();
    other.#scanCursors.clear();
    this.#expireWalk = null;
    other.#expireWalk = null;
  }

  /**
   * A random live key, or null when the database has none. A Map has no random access, so this
   * walks from a random position to the first live key, wrapping around once (linear, however
   * many keys have expired); as Redis's `dbRandomKey` does with the keys it draws, it deletes
   * the expired keys it passes, and answers null only when no live key is left.
   */
  randomKey(): string | null {
    let skip = Math.floor(Math.random() * this.dict.size);
    for (let pass = 0; pass < 2; pass++) {
      for (const key of this.dict.keys()) {
        if (skip > 0) {
          skip--;
          continue;
        }
        if (!this.expireIfNeeded(key)) return key;
      }
    }
    return null;
  }

  /**
   * Live keys matching `pattern` (KEYS). As in Redis, expired keys are left out but not
   * deleted: KEYS is a read-only scan, and the active cycle or the next access collects them.
   */
  keys(pattern: string): string[] {
    const out: string[] = [];
    const all = pattern === "*";
    for (const key of this.dict.keys()) {
      if ((all || globMatch(pattern, key)) && !this.isExpired(key)) out.push(key);
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
      if (now > at && this.expires.get(key) === at) {
        this.dict.delete(key);
        this.persist(key);
        this.#onExpired?.(this, key);
        expired++;
      }
    }
    return [checked, expired];
  }
}
