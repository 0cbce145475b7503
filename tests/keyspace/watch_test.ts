/**
 * WATCH bookkeeping (keyspace/watch.ts) on its own: touches mark exactly the watchers of a key
 * in its database, unwatching leaves no entry behind, and keys already expired when watched
 * follow Redis 7.0's rules for deletion, re-creation, FLUSH and SWAPDB.
 *
 * @module
 */
import { ManualClock } from "../../src/keyspace/clock.ts";
import { Database } from "../../src/keyspace/database.ts";
import {
  isWatchedKeyExpired,
  touchAllWatchedKeysInDb,
  touchWatchedKey,
  unwatchAllKeys,
  type Watcher,
  watchKey,
} from "../../src/keyspace/watch.ts";
import { assertEquals } from "../_util.ts";

const watcher = (): Watcher => ({ watched: [], dirtyCas: false });

Deno.test("touchWatchedKey marks the watchers of that key in that database only", () => {
  const clock = new ManualClock(0);
  const [db0, db1] = [new Database(0, clock), new Database(1, clock)];
  const a = watcher(), b = watcher(), c = watcher();
  watchKey(a, db0, "k");
  watchKey(a, db0, "k"); // a second WATCH of the same key changes nothing
  watchKey(b, db0, "other");
  watchKey(c, db1, "k");
  assertEquals(a.watched.length, 1);
  touchWatchedKey(db0, "k");
  assertEquals([a.dirtyCas, b.dirtyCas, c.dirtyCas], [true, false, false]);
});

Deno.test("unwatchAllKeys forgets every watch and leaves no empty entries", () => {
  const db = new Database(0, new ManualClock(0));
  const a = watcher(), b = watcher();
  watchKey(a, db, "x");
  watchKey(a, db, "y");
  watchKey(b, db, "x");
  unwatchAllKeys(a);
  assertEquals([...db.watchedKeys.keys()], ["x"]);
  touchWatchedKey(db, "x");
  assertEquals([a.dirtyCas, b.dirtyCas], [false, true]);
  unwatchAllKeys(b);
  assertEquals(db.watchedKeys.size, 0);
});

Deno.test("a key live when watched and expired since fails EXEC; one already expired does not", () => {
  const clock = new ManualClock(0);
  const db = new Database(0, clock);
  db.set("live", "v");
  db.setExpire("live", 100);
  db.set("old", "v");
  db.setExpire("old", 10);
  clock.advance(50); // "old" is expired (not yet deleted), "live" is not
  const a = watcher(), b = watcher();
  watchKey(a, db, "live");
  watchKey(b, db, "old");
  clock.advance(100);
  assertEquals([isWatchedKeyExpired(a), isWatchedKeyExpired(b)], [true, false]);
  // Deleting the already-expired key is no change; storing it anew is one.
  db.delete("old");
  touchWatchedKey(db, "old");
  assertEquals(b.dirtyCas, false);
  db.set("old", "new");
  touchWatchedKey(db, "old");
  assertEquals(b.dirtyCas, true);
});

Deno.test("touchAllWatchedKeysInDb touches keys that existed before or exist after", () => {
  const clock = new ManualClock(0);
  const [a, b] = [new Database(0, clock), new Database(1, clock)];
  a.set("here", "v");
  b.set("there", "v");
  const w1 = watcher(), w2 = watcher(), w3 = watcher();
  watchKey(w1, a, "here");
  watchKey(w2, a, "there");
  watchKey(w3, a, "nowhere");
  touchAllWatchedKeysInDb(a, b); // SWAPDB: a gets b's contents
  assertEquals([w1.dirtyCas, w2.dirtyCas, w3.dirtyCas], [true, true, false]);
  const w4 = watcher();
  watchKey(w4, a, "missing");
  touchAllWatchedKeysInDb(a, null); // FLUSHDB of a key that does not exist
  assertEquals(w4.dirtyCas, false);
});
