/**
 * Unit tests of BlockingRegistry: waiters served first come first served when a key they wait
 * on is stored, waiters on several keys served once, chains handled in one pass, errors while
 * serving, and timeouts from the one timer heap in deadline order (a manual clock decides which
 * deadlines have passed; the timer itself is real, so the tests wait a few ms for it).
 *
 * @module
 */
import { BlockingRegistry, Waiter } from "../../src/keyspace/blocking.ts";
import { ManualClock } from "../../src/keyspace/clock.ts";
import { Database } from "../../src/keyspace/database.ts";
import { ListValue } from "../../src/keyspace/list.ts";
import { assert, assertEquals } from "../_util.ts";

/** A registry and one database on a manual clock, with a log of what waiters received. */
class Fixture {
  readonly clock = new ManualClock(1_000_000);
  readonly registry = new BlockingRegistry(this.clock);
  readonly db = new Database(0, this.clock);
  readonly log: string[] = [];
  readonly unblocked = new Set<number>();

  /** A waiter that pops the head of a list at its key, like BLPOP. */
  blpop(id: number, keys: string[], deadline = Infinity): Waiter {
    return this.add(id, keys, deadline, (key) => {
      const list = this.db.lookup(key);
      if (!(list instanceof ListValue)) return false;
      this.log.push(`${id} ${key} ${list.popFront()}`);
      if (list.length === 0) this.db.delete(key);
      return true;
    });
  }

  /** Registers a waiter with its own `serve`. */
  add(id: number, keys: string[], deadline: number, serve: (key: string) => boolean): Waiter {
    const waiter = new Waiter(id, this.db, keys, deadline, {
      serve,
      timeout: () => this.log.push(`${id} timeout`),
      error: (text) => this.log.push(`${id} error ${text}`),
      unblocked: () => {
        assert(!this.unblocked.has(id), `client ${id} was let go twice`);
        this.unblocked.add(id);
      },
    });
    this.registry.block(waiter);
    return waiter;
  }

  /** Stores a list (which signals the waiters) and serves them, as dispatch does. */
  push(key: string, ...elements: string[]): void {
    const list = this.db.lookup(key);
    if (list instanceof ListValue) { for (const e of elements) list.pushBack(e); }
    else this.db.set(key, ListValue.from(elements));
    if (this.registry.hasReady) this.registry.handleReady();
  }

  [Symbol.dispose](): void {
    this.registry.close();
  }
}

/** Waits (at most 2 s) until `condition` holds. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

Deno.test("BlockingRegistry serves the waiters of a stored key first come first served", () => {
  using f = new Fixture();
  f.blpop(1, ["k"]);
  f.blpop(2, ["k"]);
  f.blpop(3, ["k"]);
  assertEquals(f.registry.count, 3);
  assertEquals(f.registry.keyCount, 1);
  assert(f.registry.isBlocked(2));
  f.push("k", "a", "b");
  assertEquals(f.log, ["1 k a", "2 k b"]);
  assertEquals([...f.unblocked], [1, 2]);
  assertEquals(f.registry.count, 1);
  assert(!f.registry.isBlocked(1) && f.registry.isBlocked(3));
  f.push("k", "c");
  assertEquals(f.log, ["1 k a", "2 k b", "3 k c"]);
  assertEquals(f.registry.count, 0);
  assertEquals(f.registry.keyCount, 0);
  // With nobody waiting, the database no longer reports stored keys.
  assertEquals(f.db.onKeyStored, null);
  f.push("k", "d");
  assertEquals(f.registry.hasReady, false);
  assertEquals(f.log.length, 3);
});

Deno.test("BlockingRegistry serves a waiter on several keys once, and forgets all its keys", () => {
  using f = new Fixture();
  f.blpop(1, ["k1", "k2", "k2"]);
  f.blpop(2, ["k2"]);
  f.blpop(3, ["k1"]);
  assertEquals(f.registry.keyCount, 2);
  f.push("k2", "a", "b", "c");
  assertEquals(f.log, ["1 k2 a", "2 k2 b"]);
  assertEquals(f.registry.keyCount, 1);
  f.push("k1", "x");
  assertEquals(f.log, ["1 k2 a", "2 k2 b", "3 k1 x"]);
  assertEquals(f.registry.count, 0);
  assertEquals(f.registry.keyCount, 0);
});

Deno.test("BlockingRegistry only signals keys of the waiter's own database", () => {
  using f = new Fixture();
  const other = new Database(1, f.clock);
  f.blpop(1, ["k"]);
  other.set("k", ListValue.from(["a"]));
  assertEquals(f.registry.hasReady, false);
  // signalAll marks the waited keys that exist (after SWAPDB); missing ones are not marked.
  f.registry.signalAll(other);
  assertEquals(f.registry.hasReady, false);
  f.db.dict.set("k", ListValue.from(["swapped"]));
  f.registry.signalAll(f.db);
  assert(f.registry.hasReady);
  f.registry.handleReady();
  assertEquals(f.log, ["1 k swapped"]);
});

Deno.test("BlockingRegistry handles a key stored while serving in the same pass", () => {
  using f = new Fixture();
  // Client 1 moves from src to dst, as BLMOVE does; client 2 waits on dst.
  f.add(1, ["src"], Infinity, () => {
    const list = f.db.lookup("src") as ListValue;
    const value = list.popFront()!;
    if (list.length === 0) f.db.delete("src");
    f.db.set("dst", ListValue.from([value]));
    f.log.push(`1 moved ${value}`);
    return true;
  });
  f.blpop(2, ["dst"]);
  f.push("src", "x");
  assertEquals(f.log, ["1 moved x", "2 dst x"]);
  assertEquals(f.registry.hasReady, false);
  assertEquals(f.registry.count, 0);
  assertEquals(f.db.has("dst"), false);
});

Deno.test("BlockingRegistry replies a serving error and goes on with the next waiter", () => {
  using f = new Fixture();
  f.add(1, ["k"], Infinity, () => {
    throw new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
  });
  f.blpop(2, ["k"]);
  f.push("k", "a");
  assertEquals(f.log, [
    "1 error WRONGTYPE Operation against a key holding the wrong kind of value",
    "2 k a",
  ]);
  assertEquals(f.registry.count, 0);
});

Deno.test("BlockingRegistry keeps a waiter that cannot be served and offers the key on", () => {
  using f = new Fixture();
  // Client 1 waits for another type (as BZPOPMIN would); client 2 for a list.
  f.add(1, ["k"], Infinity, () => false);
  f.blpop(2, ["k"]);
  f.blpop(3, ["k"]);
  f.push("k", "a");
  assertEquals(f.log, ["2 k a"]);
  assert(f.registry.isBlocked(1) && f.registry.isBlocked(3));
  // A string stored at the key serves nobody and keeps everybody.
  f.db.set("k", "string");
  f.registry.handleReady();
  assertEquals(f.log, ["2 k a"]);
  assertEquals(f.registry.count, 2);
});

Deno.test("BlockingRegistry.unblock answers a timeout or an error; remove answers nothing", () => {
  using f = new Fixture();
  f.blpop(1, ["k"], f.clock.now() + 60_000);
  f.blpop(2, ["k"]);
  f.blpop(3, ["k"], f.clock.now() + 60_000);
  assertEquals(f.registry.timeoutCount, 2);
  assert(f.registry.unblock(1, "timeout"));
  assert(f.registry.unblock(2, "error"));
  assert(!f.registry.unblock(2, "error"));
  assert(!f.registry.unblock(99, "timeout"));
  f.registry.remove(3);
  f.registry.remove(3);
  assertEquals(f.log, ["1 timeout", "2 error UNBLOCKED client unblocked via CLIENT UNBLOCK"]);
  assertEquals([...f.unblocked].sort(), [1, 2, 3]);
  assertEquals(f.registry.count, 0);
  assertEquals(f.registry.timeoutCount, 0);
  f.push("k", "a");
  assertEquals(f.log.length, 2);
});

/** A seeded xorshift generator of integers in [0, n). */
function random(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

Deno.test("BlockingRegistry times waiters out in deadline order, once their time has passed", async () => {
  using f = new Fixture();
  const next = random(7);
  const start = f.clock.now();
  const deadlines = new Map<number, number>();
  for (let id = 0; id < 300; id++) {
    const deadline = start + 1 + next(40);
    deadlines.set(id, deadline);
    f.blpop(id, [`k${id % 7}`], deadline);
  }
  f.blpop(1000, ["k0"]); // no timeout
  assertEquals(f.registry.timeoutCount, 300);
  // Some leave early: let go (a disconnect) or served by a push.
  for (let i = 0; i < 60; i++) {
    const id = next(300);
    f.registry.remove(id);
    deadlines.delete(id);
  }
  f.push("k3", "a", "b", "c");
  for (const line of f.log) deadlines.delete(Number(line.split(" ")[0]));
  const served = f.log.length;
  assertEquals(served, 3);
  assertEquals(f.registry.timeoutCount, deadlines.size);

  // The clock reaches start + 20: exactly the deadlines before it pass, earliest first.
  f.clock.set(start + 20);
  const early = [...deadlines].filter(([, d]) => d < start + 20);
  await eventually(() => f.log.length === served + early.length, "the early ones time out");
  await new Promise((r) => setTimeout(r, 30));
  const timedOut = f.log.slice(served).map((line) => Number(line.split(" ")[0]));
  assertEquals(timedOut.length, early.length);
  assert(f.log.slice(served).every((line) => line.endsWith(" timeout")));
  const order = timedOut.map((id) => deadlines.get(id)!);
  assertEquals(order, [...order].sort((a, b) => a - b));
  assertEquals(new Set(timedOut), new Set(early.map(([id]) => id)));

  // Then the rest, and never the waiter without a deadline.
  f.clock.set(start + 1000);
  await eventually(() => f.log.length === served + deadlines.size, "all time out");
  assertEquals(f.registry.count, 1);
  assertEquals(f.registry.timeoutCount, 0);
  assert(f.registry.isBlocked(1000));
});

Deno.test("BlockingRegistry does not time a waiter out at its very deadline", async () => {
  using f = new Fixture();
  const deadline = f.clock.now() + 5;
  f.blpop(1, ["k"], deadline);
  f.clock.set(deadline);
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(f.log, []);
  f.clock.set(deadline + 1);
  await eventually(() => f.log.length === 1, "it times out");
  assertEquals(f.log, ["1 timeout"]);
});
