/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...), as Redis's blocked.c keeps them.
 *
 * A blocking command that finds nothing to pop registers a `Waiter`: the database and keys it
 * waits on, its deadline, and a `serve(key)` callback that runs the non-blocking form of the
 * command for that client. Waiters on one key form a queue, first come first served. When a key
 * that someone waits on is stored (`Database.set`: a push creating a list, ZADD creating a
 * sorted set, RENAME, MOVE, COPY, SORT ... STORE all end there, as all of Redis's end in
 * `dbAdd`), the key is queued as ready; after the command that stored it has finished,
 * `handleReady` offers each ready key to its waiters in order, as long as they can be served. A
 * served command may store another ready key (BLMOVE's destination), which is handled in the
 * same pass, as Redis's `handleClientsBlockedOnKeys` loops until no key is ready.
 *
 * Timeouts live in one binary heap ordered by deadline, with one timer set for the earliest,
 * so thousands of blocked clients cost one timer, and a waiter served early is removed from
 * the heap in O(log n) rather than left to pile up.
 *
 * @example
 * ```ts
 * import { BlockingRegistry } from "./blocking.ts";
 * import { systemClock } from "./clock.ts";
 * const blocking = new BlockingRegistry(systemClock);
 * blocking.count; // 0
 * ```
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Database } from "./database.ts";

/** What a blocked client left behind: how to serve it, time it out, and let it go on. */
export interface WaiterCallbacks {
  /**
   * Runs the command's non-blocking form on `key`; true when it replied (served), false when
   * there is nothing for it (no reply, no change). An error it throws is replied as an error
   * reply and counts as served.
   */
  serve(key: string): boolean;
  /** Writes the command's timeout reply (a null). */
  timeout(): void;
  /** Writes an error reply (CLIENT UNBLOCK ... ERROR). */
  error(text: string): void;
  /** Called once, when the client is no longer blocked for whatever reason. */
  unblocked(): void;
}

/** One blocked client. */
export class Waiter {
  /** Position in the timeout heap, or -1. */
  heapIndex = -1;
  active = true;

  constructor(
    readonly clientId: number,
    readonly db: Database,
    readonly keys: readonly string[],
    /** Epoch ms after which it times out; Infinity waits forever. */
    readonly deadline: number,
    readonly callbacks: WaiterCallbacks,
  ) {}
}

/** The longest delay setTimeout takes (about 24.8 days); later deadlines are re-armed. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** All blocked clients of a server. */
export class BlockingRegistry {
  #clock: Clock;
  /** Per database, per key, the waiters in arrival order. */
  #byKey = new Map<Database, Map<string, Waiter[]>>();
  #byClient = new Map<number, Waiter>();
  /** Keys stored while someone waits on them, in the order they were stored. */
  #ready: [Database, string][] = [];
  #readySet = new Set<Waiter[]>();
  #heap: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get count(): number {
    return this.#byClient.size;
  }

  /** Number of keys with at least one waiter (INFO total_blocking_keys in later Redis). */
  get keyCount(): number {
    let n = 0;
    for (const keys of this.#byKey.values()) n += keys.size;
    return n;
  }

  /** Number of blocked clients with a timeout (INFO clients_in_timeout_table). */
  get timeoutCount(): number {
    return this.#heap.length;
  }

  /** Whether client `id` is blocked. */
  isBlocked(id: number): boolean {
    return this.#byClient.has(id);
  }

  /** Registers a blocked client; it stays blocked until served, timed out or removed. */
  block(waiter: Waiter): void {
    let keys = this.#byKey.get(waiter.db);
    if (keys === undefined) {
      keys = new Map();
      this.#byKey.set(waiter.db, keys);
      waiter.db.onKeyStored = (key) => this.signal(waiter.db, key);
    }
    for (const key of new Set(waiter.keys)) {
      let queue = keys.get(key);
      if (queue === undefined) {
        queue = [];
        keys.set(key, queue);
      }
      queue.push(waiter);
    }
    this.#byClient.set(waiter.clientId, waiter);
    if (waiter.deadline !== Infinity) {
      this.#heapPush(waiter);
      if (waiter.deadline < this.#timerAt) this.#arm();
    }
  }

  /** Marks `key` of `db` as ready if anyone waits on it (called when a key is stored). */
  signal(db: Database, key: string): void {
    const queue = this.#byKey.get(db)?.get(key);
    if (queue === undefined || this.#readySet.has(queue)) return;
    this.#readySet.add(queue);
    this.#ready.push([db, key]);
  }

  /** Marks every waited-on key of `db` that now exists as ready (after SWAPDB, FLUSHALL...). */
  signalAll(db: Database): void {
    const keys = this.#byKey.get(db);
    if (keys === undefined) return;
    for (const key of keys.keys()) if (db.has(key)) this.signal(db, key);
  }

  /** Whether keys are waiting to be handled. */
  get hasReady(): boolean {
    return this.#ready.length !== 0;
  }

  /** Serves the waiters of every ready key, first come first served, until none is ready. */
  handleReady(): void {
    while (this.#ready.length !== 0) {
      const ready = this.#ready;
      this.#ready = [];
      for (const [db, key] of ready) {
        const queue = this.#byKey.get(db)?.get(key);
        if (queue === undefined) continue;
        this.#readySet.delete(queue);
        // A snapshot: serving removes waiters from the queue.
        for (const waiter of [...queue]) {
          if (!waiter.active) continue;
          let served: boolean;
          try {
            served = waiter.callbacks.serve(key);
          } catch (error) {
            // Served with an error (BLMOVE onto a key of another type answers WRONGTYPE).
            waiter.callbacks.error(error instanceof Error ? error.message : String(error));
            served = true;
          }
          if (!served) {
            // Nothing left for this one: the key is gone or of another type. Later waiters
            // may still be served (a BLMOVE refused by its destination's type is, with an
            // error), so go on as Redis does.
            if (!db.has(key)) break;
            continue;
          }
          this.#release(waiter);
        }
      }
    }
  }

  /**
   * Lets client `id` go without being served: `timeout` writes its timeout reply, `error` an
   * UNBLOCKED error (CLIENT UNBLOCK). Returns whether it was blocked.
   */
  unblock(id: number, how: "timeout" | "error"): boolean {
    const waiter = this.#byClient.get(id);
    if (waiter === undefined) return false;
    if (how === "timeout") waiter.callbacks.timeout();
    else waiter.callbacks.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    this.#release(waiter);
    return true;
  }

  /** Forgets client `id` without a reply (it disconnected). */
  remove(id: number): void {
    const waiter = this.#byClient.get(id);
    if (waiter !== undefined) this.#release(waiter);
  }

  /** Stops the timer (server shutdown). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #release(waiter: Waiter): void {
    if (!waiter.active) return;
    waiter.active = false;
    this.#byClient.delete(waiter.clientId);
    const keys = this.#byKey.get(waiter.db);
    if (keys !== undefined) {
      for (const key of new Set(waiter.keys)) {
        const queue = keys.get(key);
        if (queue === undefined) continue;
        const i = queue.indexOf(waiter);
        if (i !== -1) queue.splice(i, 1);
        if (queue.length === 0) {
          keys.delete(key);
          this.#readySet.delete(queue);
        }
      }
      if (keys.size === 0) {
        this.#byKey.delete(waiter.db);
        waiter.db.onKeyStored = null;
      }
    }
    if (waiter.heapIndex !== -1) this.#heapRemove(waiter);
    waiter.callbacks.unblocked();
  }

  /** Times out every waiter whose deadline has passed, then re-arms for the next. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    // As in Redis, a client times out once the clock is past its deadline.
    while (this.#heap.length !== 0 && this.#heap[0]!.deadline < now) {
      const waiter = this.#heap[0]!;
      waiter.callbacks.timeout();
      this.#release(waiter);
    }
    this.#arm();
  }

  /** Sets the one timer for the earliest deadline. */
  #arm(): void {
    const first = this.#heap[0];
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (first === undefined) return;
    const delay = Math.max(1, first.deadline - this.#clock.now() + 1);
    this.#timerAt = first.deadline;
    this.#timer = setTimeout(() => this.#expire(), Math.min(delay, MAX_TIMER_DELAY));
  }

  #heapPush(waiter: Waiter): void {
    waiter.heapIndex = this.#heap.length;
    this.#heap.push(waiter);
    this.#siftUp(waiter.heapIndex);
  }

  #heapRemove(waiter: Waiter): void {
    const i = waiter.heapIndex;
    const last = this.#heap.pop()!;
    waiter.heapIndex = -1;
    if (last !== waiter) {
      this.#heap[i] = last;
      last.heapIndex = i;
      this.#siftDown(i);
      this.#siftUp(last.heapIndex);
    }
    if (i === 0 && this.#heap.length === 0 && this.#timer !== undefined) this.close();
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadline <= heap[i]!.deadline) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && heap[l]!.deadline < heap[min]!.deadline) min = l;
      if (r < heap.length && heap[r]!.deadline < heap[min]!.deadline) min = r;
      if (min === i) return;
      this.#swap(i, min);
      i = min;
    }
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const wa = heap[a]!;
    const wb = heap[b]!;
    heap[a] = wb;
    heap[b] = wa;
    wa.heapIndex = b;
    wb.heapIndex = a;
  }
}
