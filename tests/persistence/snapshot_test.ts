import { Snapshot } from "../../src/persistence/snapshot.ts";
import { Database } from "../../src/keyspace/database.ts";
import { ManualClock } from "../../src/keyspace/clock.ts";
import { ListValue, type Value } from "../../src/keyspace/values.ts";
import { assertEquals } from "../_util.ts";

/** A snapshot of `dbs` collecting "db:key=value" lines. */
function collect(dbs: Database[]): { snapshot: Snapshot; seen: string[] } {
  const seen: string[] = [];
  const text = (v: Value) => v instanceof ListValue ? [...v].join(",") : String(v);
  const snapshot = new Snapshot(dbs, {
    entry: (db, key, value, expireAt) =>
      seen.push(`${db}:${key}=${text(value)}${expireAt === undefined ? "" : `@${expireAt}`}`),
  });
  return { snapshot, seen };
}

function databases(n: number): Database[] {
  const clock = new ManualClock(1000);
  return Array.from({ length: n }, (_, i) => new Database(i, clock));
}

Deno.test("Snapshot hands over every key once, with its expiry, across databases", () => {
  const dbs = databases(3);
  for (let i = 0; i < 1000; i++) dbs[i % 2 === 0 ? 0 : 2]!.set(`k${i}`, `v${i}`);
  dbs[2]!.setExpire("k1", 99_000);
  const { snapshot, seen } = collect(dbs);
  let steps = 0;
  while (snapshot.step(7)) steps++;
  assertEquals(seen.length, 1000);
  assertEquals(new Set(seen).size, 1000);
  assertEquals(seen.includes("2:k1=v1@99000"), true);
  assertEquals(steps > 100, true);
  assertEquals(snapshot.finished, true);
});

Deno.test("Snapshot keeps the value a key had when it began, whatever writes come after", () => {
  const [db] = databases(1);
  for (let i = 0; i < 100; i++) db!.set(`k${i}`, "old");
  const list = new ListValue();
  list.pushBack("a");
  db!.set("list", list);
  const { snapshot, seen } = collect([db!]);
  snapshot.step(10);
  // Writes to keys walked already, not walked yet, deleted, created, and mutated in place.
  for (const key of ["k0", "k5", "k50", "k99", "list", "fresh"]) snapshot.preserve(db!, key);
  db!.set("k0", "new");
  db!.set("k50", "new");
  db!.delete("k99");
  db!.set("fresh", "new");
  list.pushBack("b");
  snapshot.preserve(db!, "k50"); // a second write to the same key
  db!.set("k50", "newer");
  while (snapshot.step(10));
  assertEquals(seen.length, 101);
  assertEquals(new Set(seen).size, 101);
  assertEquals(seen.filter((l) => l.includes("new")), []);
  assertEquals(seen.includes("0:list=a"), true);
  assertEquals(seen.some((l) => l.startsWith("0:fresh")), false);
  assertEquals(seen.includes("0:k99=old"), true);
});

Deno.test("Snapshot keeps a flushed database's keys and follows a database through SWAPDB", () => {
  const [a, b] = databases(2);
  for (let i = 0; i < 50; i++) {
    a!.set(`a${i}`, "A");
    b!.set(`b${i}`, "B");
  }
  const { snapshot, seen } = collect([a!, b!]);
  snapshot.step(5);
  a!.clear(); // FLUSHDB: the snapshot still walks the old keys
  a!.set("a0", "after-flush");
  a!.swapWith(b!); // SWAPDB: b's old keys now live in database 0
  snapshot.preserve(a!, "b3"); // written in database 0, it is still database 1's key b3
  a!.set("b3", "changed");
  while (snapshot.step(5));
  assertEquals(seen.length, 100);
  assertEquals(seen.filter((l) => l.startsWith("0:a")).length, 50);
  assertEquals(seen.filter((l) => l.startsWith("1:b")).length, 50);
  assertEquals(seen.includes("1:b3=B"), true);
  assertEquals(seen.some((l) => l.includes("after-flush") || l.includes("changed")), false);
});

Deno.test("Snapshot of empty databases is finished at once", () => {
  const { snapshot, seen } = collect(databases(4));
  assertEquals(snapshot.step(10), false);
  assertEquals(seen, []);
});
