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
 * Beside each value, a database keeps what Redis keeps in the value's object header (see
 * key_meta.ts): when the key was last accessed, or under an LFU maxmemory-policy its access
 * frequency counter, as OBJECT IDLETIME and OBJECT FREQ report them, and for strings an
 * encoding the text alone does not tell. A lookup counts as an access (Redis's `lookupKey`);
 * `peek` is the lookup of the commands that must not count (TYPE, EXISTS, TTL, OBJECT: Redis's
 * LOOKUP_NOTOUCH). The access clock is cached and refreshed by the active expiry cycle, hz times
 * a second, as Redis refreshes its LRU clock in serverCron: a lookup costs no clock read.
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
import { hashKey, KeyMeta } from "./key_meta.ts";
import { ScanCursors } from "./scan_cursors.ts";
import { typeName, type Value } from "./values.ts";
import type { WatchedKey } from "./watch.ts";

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

/** Redis's LRU clock: seconds, in 24 bits (LRU_CLOCK_MAX); also an LFU word's time and counter. */
const CLOCK_BITS = 0xffffff;
/** A key meta word's string encoding override (bits 24-25): none, raw, embstr, unshared int. */
const ENCODING_SHIFT = 24;
const ENCODING_BITS = 3 << ENCODING_SHIFT;
const ENCODINGS = [null, "raw", "embstr", "int"] as const;
/** The LFU counter of a new value (LFU_INIT_VAL). */
const LFU_INIT_VAL = 5;

/** A string encoding OBJECT ENCODING reports that the text alone does not tell. */
export type StringEncoding = "raw" | "embstr" | "int";

/** How accesses are counted: maxmemory-policy's LRU or LFU, and the LFU parameters. */
export interface AccessPolicy {
  lfu: boolean;
  /** lfu-log-factor: how many accesses it takes to raise the counter, logarithmically. */
  lfuLogFactor: number;
  /** lfu-decay-time: minutes per decrement of an idle key's counter (0: never). */
  lfuDecayTime: number;
}

/** A numbered database. */
export class Database {
  dict: Map<string, Value> = new Map();
  expires: Map<string, number> = new Map();
  /** Exact times of the keys whose expiry is not a safe integer (see the module doc). */
  #preciseExpires = new Map<string, bigint>();
  #clock: Clock;
  #onExpired: ExpiredListener | null;
  #scanCursors = new ScanCursors<string>(MAX_SCAN_CURSORS);
  #randomWalk: Iterator<string> | null = null;
  #expireWalk: Iterator<[string, number]> | null = null;
  /** Per-key access clock and string encoding (see the module doc). */
  #meta = new KeyMeta();
  /** Whether some key has a string encoding override, so `update` must clear it. */
  #encodingOverrides = false;
  /** The cached clock, epoch ms (Redis's server.lruclock and server.unixtime). */
  #cachedNow: number;
  #policy: AccessPolicy = { lfu: false, lfuLogFactor: 10, lfuDecayTime: 1 };
  /** The last key hashed and its hash: a command's lookup and store, or a hot key, hash once. */
  #hashedKey = "";
  #hash = hashKey("");
  /**
   * Called after a key is stored with `set` while clients are blocked on keys of this database
   * (the blocking registry sets it), so that a key created by any command wakes them.
   */
  onKeyStored: ((key: string) => void) | null = null;
  /** CLIENT PAUSE: while its `type` is set, expired keys are not deleted. */
  expiryHold: { readonly type: string | null } | null = null;
  /** WATCHed keys of this database and their watches (see watch.ts); SWAPDB leaves them. */
  readonly watchedKeys: Map<string, WatchedKey[]> = new Map();

  constructor(readonly index: number, clock: Clock, onExpired: ExpiredListener | null = null) {
    this.#clock = clock;
    this.#onExpired = onExpired;
    this.#cachedNow = clock.now();
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

  /**
   * Deletes `key` if its time has passed; returns whether it has passed. While CLIENT PAUSE
   * holds (`expiryHold`), an expired key counts as missing but stays, as Redis keeps the dataset
   * still during a pause.
   */
  expireIfNeeded(key: string): boolean {
    if (!this.isExpired(key)) return false;
    if (this.expiryHold !== null && this.expiryHold.type !== null) return true;
    this.dict.delete(key);
    this.#meta.delete(this.#hashOf(key));
    this.persist(key);
    this.#onExpired?.(this, key);
    return true;
  }

  /** The live value of `key`, or undefined; counts as an access of the key. */
  lookup(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    const value = this.dict.get(key);
    if (value !== undefined) this.#touch(this.#hashOf(key));
    return value;
  }

  /** Like `lookup`, without counting as an access (Redis's LOOKUP_NOTOUCH). */
  peek(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
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
    if (this.expires.size !== 0 && this.expires.has(key)) {
      this.expireIfNeeded(key);
      this.persist(key);
    }
    this.dict.set(key, value);
    this.#stored(this.#hashOf(key));
    if (this.onKeyStored !== null) this.onKeyStored(key);
  }

  /**
   * Replaces the value of `key`, keeping its TTL (APPEND, INCR, SETRANGE, KEEPTTL) and its
   * access clock (the command's lookup counted the access), but not a string encoding.
   */
  update(key: string, value: Value): void {
    this.dict.set(key, value);
    if (this.#encodingOverrides) this.#meta.mask(this.#hashOf(key), CLOCK_BITS);
  }

  /** Deletes a key; returns whether it existed. */
  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    this.#meta.delete(this.#hashOf(key));
    if (this.expires.size !== 0) this.persist(key);
    return true;
  }

  /** `hashKey(key)`, remembering the last one. */
  #hashOf(key: string): number {
    if (key === this.#hashedKey) return this.#hash;
    this.#hashedKey = key;
    return (this.#hash = hashKey(key));
  }

  /** Counts an access of the key with hash `h`: Redis's `lookupKey` updating `o->lru`. */
  #touch(h: number): void {
    if (!this.#policy.lfu) return this.#meta.merge(h, ENCODING_BITS, this.#lruClock());
    const word = this.#meta.word(h);
    const encoding = word === -1 ? 0 : word & ENCODING_BITS;
    this.#meta.put(h, encoding | this.#lfuTouched(word));
  }

  /**
   * A value was stored under the key with hash `h`. A new Redis object starts with the clock
   * (LRU) or LFU_INIT_VAL; replacing a value first looks the old one up, and under LFU the new
   * value inherits its counter (`dbSetValue`).
   */
  #stored(h: number): void {
    if (!this.#policy.lfu) return this.#meta.merge(h, 0, this.#lruClock());
    const word = this.#meta.word(h);
    this.#meta.put(h, word === -1 ? this.#lfuWord(LFU_INIT_VAL) : this.#lfuTouched(word));
  }

  /** Redis's LRU_CLOCK(): seconds of the cached clock, in 24 bits. */
  #lruClock(): number {
    return Math.floor(this.#cachedNow / 1000) & CLOCK_BITS;
  }

  /** Redis's LFUGetTimeInMinutes(): minutes of the cached clock, in 16 bits. */
  #lfuMinutes(): number {
    return Math.floor(this.#cachedNow / 60_000) & 0xffff;
  }

  #lfuWord(counter: number): number {
    return (this.#lfuMinutes() << 8) | counter;
  }

  /** Redis's updateLFU of `word`: the counter decayed by idle time, then raised by chance. */
  #lfuTouched(word: number): number {
    let counter = this.#lfuDecayed(word);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT_VAL);
      if (Math.random() < 1 / (base * this.#policy.lfuLogFactor + 1)) counter++;
    }
    return this.#lfuWord(counter);
  }

  /** Redis's LFUDecrAndReturn: the counter less one per lfu-decay-time minutes idle. */
  #lfuDecayed(word: number): number {
    if (word === -1) return LFU_INIT_VAL;
    const then = (word & CLOCK_BITS) >>> 8;
    const counter = word & 0xff;
    const now = this.#lfuMinutes();
    const elapsed = now >= then ? now - then : 65535 - then + now;
    const decay = this.#policy.lfuDecayTime;
    const periods = decay === 0 ? 0 : Math.floor(elapsed / decay);
    return periods > counter ? 0 : counter - periods;
  }

  /** Sets how accesses are counted (CONFIG SET maxmemory-policy, lfu-log-factor, ...). */
  setAccessPolicy(policy: AccessPolicy): void {
    this.#policy = { ...policy };
  }

  /** Re-reads the clock that access times are taken from (the active expiry cycle calls it). */
  refreshClock(): void {
    this.#cachedNow = this.#clock.now();
  }

  /**
   * OBJECT IDLETIME: seconds since the key's last access, from its 24-bit clock as Redis's
   * estimateObjectIdleTime reads it (under LFU the word holds a counter, and the answer is as
   * meaningless as Redis's). The key must exist.
   */
  idleSeconds(key: string): number {
    const word = this.#meta.word(this.#hashOf(key));
    if (word === -1) return 0;
    const then = word & CLOCK_BITS;
    const now = this.#lruClock();
    return now >= then ? now - then : now + (CLOCK_BITS - then);
  }

  /** OBJECT FREQ: the key's LFU counter, decayed by its idle time. The key must exist. */
  accessFrequency(key: string): number {
    return this.#lfuDecayed(this.#meta.word(this.#hashOf(key)));
  }

  /** The key's access word, to carry over to where RENAME or MOVE puts its value. */
  accessWord(key: string): number {
    return this.#meta.word(this.#hashOf(key));
  }

  /** Gives the key a word from `accessWord` (RENAME, MOVE: Redis moves the object itself). */
  restoreAccessWord(key: string, word: number): void {
    if (word === -1) return;
    if ((word & ENCODING_BITS) !== 0) this.#encodingOverrides = true;
    this.#meta.put(this.#hashOf(key), word);
  }

  /**
   * Redis's objectSetLRUOrLFU for a key just stored (RESTORE's IDLETIME and FREQ, an RDB's IDLE
   * and FREQ): under LFU the counter `freq`, else the access time set back `idle` seconds from
   * the LRU clock, wrapping around the 24-bit clock as Redis does. A negative value is not given.
   */
  setAccess(key: string, idle: bigint, freq: bigint): void {
    const h = this.#hashOf(key);
    const word = this.#meta.word(h);
    if (word === -1) return;
    if (this.#policy.lfu) {
      if (freq >= 0n) this.#meta.put(h, (word & ~0xff) | Number(freq));
      return;
    }
    if (idle < 0n) return;
    // The 24-bit field keeps the low bits of a time still negative after one wrap, as Redis's.
    let abs = BigInt(word & CLOCK_BITS) - idle;
    if (abs < 0n) abs += BigInt(CLOCK_BITS);
    this.#meta.put(h, (word & ~CLOCK_BITS) | Number(BigInt.asUintN(24, abs)));
  }

  /** The encoding of the string at `key` when its text alone does not tell, else null. */
  stringEncoding(key: string): StringEncoding | null {
    const word = this.#meta.word(this.#hashOf(key));
    return word === -1 ? null : ENCODINGS[(word & ENCODING_BITS) >>> ENCODING_SHIFT]!;
  }

  /** Records the encoding of the string just stored at `key` (APPEND, INCRBYFLOAT, COPY). */
  setStringEncoding(key: string, encoding: StringEncoding): void {
    this.#encodingOverrides = true;
    const bits = ENCODINGS.indexOf(encoding) << ENCODING_SHIFT;
    this.#meta.merge(this.#hashOf(key), CLOCK_BITS, bits);
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
    this.#meta.clear();
    this.#encodingOverrides = false;
    this.expires = new Map();
    this.#preciseExpires = new Map();
    this.#scanCursors.clear();
    this.#expireWalk = null;
    this.#randomWalk = null;
    return n;
  }

  /** Exchanges contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.#meta, other.#meta] = [other.#meta, this.#meta];
    this.#encodingOverrides = other.#encodingOverrides = true;
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.#preciseExpires, other.#preciseExpires] = [other.#preciseExpires, this.#preciseExpires];
    this.#scanCursors.clear();
    other.#scanCursors.clear();
    this.#expireWalk = null;
    other.#expireWalk = null;
    this.#randomWalk = null;
    other.#randomWalk = null;
  }

  /**
   * A random live key, or null when the database has none. A Map has no random access, so a
   * persistent iterator moves a random 0..31 steps per call and wraps around at the end:
   * constant time per call however large the database, at the price of a less uniform draw than
   * Redis's random buckets (which are not uniform either). As Redis's `dbRandomKey` does, the
   * expired keys it passes are deleted, and null means no live key is left.
   */
  randomKey(): string | null {
    let skip = Math.floor(Math.random() * Math.min(32, this.dict.size));
    // Bounded: each step either skips, deletes an expired key or returns.
    for (let steps = this.dict.size + 32; steps > 0 && this.dict.size > 0; steps--) {
      this.#randomWalk ??= this.dict.keys();
      const next = this.#randomWalk.next();
      if (next.done) {
        this.#randomWalk = null;
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      if (!this.expireIfNeeded(next.value)) return next.value;
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
   * scan is returned. A cursor used again (a client retrying) gets the same page again, as in
   * Redis. An unknown cursor (forgotten after MAX_SCAN_CURSORS newer ones, or from before a
   * FLUSHDB) starts over, which may repeat keys but never misses one, as Redis allows.
   */
  scan(cursor: string, count: number, filter: ScanFilter): ScanPage {
    const request = `${count}\0${filter.match ?? ""}\0${filter.type ?? ""}`;
    const page = this.#scanCursors.page(cursor, count, request, () => this.dict.keys(), (key) => {
      if (filter.match !== null && !globMatch(filter.match, key)) return false;
      if (this.expireIfNeeded(key)) return false;
      if (filter.type === null) return true;
      const value = this.dict.get(key);
      return value !== undefined && typeName(value) === filter.type;
    });
    return { cursor: page.cursor, keys: page.items };
  }

  /**
   * Checks up to `budget` keys that have a TTL, continuing where the last call stopped, and
   * deletes the expired ones. Returns [checked, expired] so the caller can decide to go on.
   */
  activeExpireStep(budget: number): [number, number] {
    this.refreshClock();
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
        this.#meta.delete(this.#hashOf(key));
        this.persist(key);
        this.#onExpired?.(this, key);
        expired++;
      }
    }
    return [checked, expired];
  }
}
