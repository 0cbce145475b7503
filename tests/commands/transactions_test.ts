/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH against a real redis-server 7.0: queueing, errors
 * while queueing and while executing, every abort WATCH can cause, blocking commands inside a
 * transaction, and, over two connections, a watcher and a writer, and a blocked client woken by
 * a transaction.
 *
 * @module
 */
import { assertSameScenario, type Scenario } from "../_scenario.ts";
import { assertSameAsRedis, needsRedis, type ScriptStep, sleep } from "../_util.ts";

Deno.test({
  name: "MULTI queues commands and EXEC runs them in order, answering all their replies",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["MULTI"],
      ["SET", "a", "1"],
      ["INCR", "a"],
      ["GET", "a"],
      ["RPUSH", "l", "x", "y"],
      ["LRANGE", "l", "0", "-1"],
      ["PING"],
      ["ECHO", "hi"],
      ["SELECT", "1"],
      ["SET", "a", "in db 1"],
      ["EXEC"],
      ["GET", "a"],
      ["SELECT", "0"],
      ["GET", "a"],
      ["MULTI"],
      ["EXEC"],
    ];
    await assertSameAsRedis(script);
    await assertSameAsRedis([["HELLO", "3"], ...script.slice(0, 11)].map(resp3Hello));
  },
});

/** HELLO's reply carries versions that differ; compare only that it succeeded. */
function resp3Hello(step: ScriptStep): ScriptStep {
  if (!Array.isArray(step) || step[0] !== "HELLO") return step;
  return { cmd: step, normalize: (reply) => reply.slice(0, 1) };
}

Deno.test({
  name: "MULTI, EXEC and DISCARD out of place give Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["EXEC"],
      ["DISCARD"],
      ["MULTI"],
      ["MULTI"],
      ["SET", "a", "1"],
      ["WATCH", "a"],
      ["EXEC"],
      ["MULTI"],
      ["SET", "a", "2"],
      ["DISCARD"],
      ["GET", "a"],
      ["EXEC"],
      ["MULTI", "extra"],
      ["EXEC", "extra"],
      ["DISCARD", "extra"],
      ["WATCH"],
      ["UNWATCH", "extra"],
      ["INFO", "nosuchsection"],
    ]);
  },
});

Deno.test({
  name: "A command refused while queueing makes EXEC answer EXECABORT and run nothing",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MULTI"],
      ["SET", "a", "1"],
      ["NOSUCHCOMMAND", "x"],
      ["SET", "b", "1"],
      ["EXEC"],
      ["EXISTS", "a", "b"],
      ["MULTI"],
      ["SET", "a"],
      ["EXEC"],
      ["MULTI"],
      ["CONFIG", "NOSUCH"],
      ["EXEC"],
      ["MULTI"],
      ["GET", "a"],
      ["SHUTDOWN"],
      ["EXEC"],
      ["MULTI"],
      ["SET", "a", "1"],
      ["GET", "a", "b"],
      ["DISCARD"],
      ["EXISTS", "a"],
      ["MULTI"],
      ["SET", "a", "ok"],
      ["EXEC"],
      ["GET", "a"],
    ]);
  },
});

Deno.test({
  name: "Errors inside EXEC are answered in place and the other commands still run",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["SET", "s", "text"],
      ["MULTI"],
      ["INCR", "s"],
      ["LPUSH", "s", "x"],
      ["SET", "n", "1"],
      ["INCRBY", "n", "notanumber"],
      ["INCR", "n"],
      ["SET", "n", "x", "EX", "0"],
      ["SELECT", "99"],
      ["GET", "n"],
      ["EXEC"],
      ["INFO", "errorstats"],
    ];
    const errorstats = (reply: string) => reply.replace(/^\$\d+/, "$").split("\r\n").sort().join();
    const last = script.length - 1;
    script[last] = { cmd: script[last] as string[], normalize: errorstats };
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "Blocking commands inside MULTI answer at once as if they had timed out",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["MULTI"],
      ["BLPOP", "l", "0"],
      ["BRPOP", "l", "1"],
      ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"],
      ["BRPOPLPUSH", "l", "m", "0"],
      ["BLMPOP", "0", "1", "l", "LEFT"],
      ["BZPOPMIN", "z", "0"],
      ["BZMPOP", "0", "1", "z", "MIN"],
      ["RPUSH", "l", "a"],
      ["BLPOP", "l", "0"],
      ["EXEC"],
    ];
    await assertSameAsRedis(script);
    await assertSameAsRedis([["HELLO", "3"], ...script].map(resp3Hello));
  },
});

Deno.test({
  name: "WATCH fails EXEC with a null array when the client itself modifies a watched key",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["SET", "k", "1"],
      ["WATCH", "k"],
      ["SET", "k", "2"],
      ["MULTI"],
      ["SET", "k", "3"],
      ["EXEC"],
      ["GET", "k"],
      // EXEC forgot the watches: the next transaction runs.
      ["MULTI"],
      ["SET", "k", "4"],
      ["EXEC"],
      // UNWATCH forgives an earlier modification.
      ["WATCH", "k"],
      ["INCR", "k"],
      ["UNWATCH"],
      ["MULTI"],
      ["INCR", "k"],
      ["EXEC"],
      // DISCARD forgets the watches too.
      ["WATCH", "k"],
      ["INCR", "k"],
      ["MULTI"],
      ["DISCARD"],
      ["MULTI"],
      ["INCR", "k"],
      ["EXEC"],
      // Watching several keys, the same key twice, a missing key.
      ["WATCH", "k", "k", "missing", "other"],
      ["GET", "k"],
      ["MULTI"],
      ["GET", "missing"],
      ["EXEC"],
      ["WATCH", "k", "missing"],
      ["SET", "missing", "now"],
      ["MULTI"],
      ["GET", "missing"],
      ["EXEC"],
    ];
    await assertSameAsRedis(script);
    await assertSameAsRedis([["HELLO", "3"], ...script].map(resp3Hello));
  },
});

Deno.test({
  name: "WATCH is touched by FLUSHDB, FLUSHALL and SWAPDB only when the key existed or exists",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "1"],
      ["WATCH", "k"],
      ["FLUSHDB"],
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["WATCH", "k"],
      ["FLUSHDB"],
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["SET", "k", "1"],
      ["WATCH", "k"],
      ["FLUSHALL"],
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["SELECT", "1"],
      ["SET", "k", "in db 1"],
      ["SELECT", "0"],
      ["WATCH", "k"],
      ["SWAPDB", "0", "1"],
      ["MULTI"],
      ["GET", "k"],
      ["EXEC"],
      ["WATCH", "nowhere"],
      ["SWAPDB", "0", "1"],
      ["MULTI"],
      ["GET", "k"],
      ["EXEC"],
      // A watched key in another database is not touched by flushing this one.
      ["SELECT", "1"],
      ["WATCH", "k"],
      ["SELECT", "0"],
      ["SET", "k", "x"],
      ["FLUSHDB"],
      ["MULTI"],
      ["PING"],
      ["EXEC"],
    ]);
  },
});

Deno.test({
  name: "A watched key that expires fails EXEC, and one already expired when watched does not",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.call("a", "SET", "k", "v", "PX", "100");
      await s.call("a", "WATCH", "k");
      await sleep(200);
      await s.call("a", "MULTI");
      await s.call("a", "PING");
      await s.call("a", "EXEC");
      // Whether or not active expiry deletes it first, a key already expired when watched
      // is missing all along: nothing changed.
      await s.call("a", "SET", "k", "v", "PX", "10");
      await sleep(50);
      await s.call("a", "WATCH", "k");
      await s.call("a", "GET", "k");
      await s.call("a", "MULTI");
      await s.call("a", "PING");
      await s.call("a", "EXEC");
      // Stored anew, it has changed.
      await s.call("a", "SET", "e", "v", "PX", "10");
      await sleep(50);
      await s.call("a", "WATCH", "e");
      await s.call("b", "SET", "e", "new");
      await s.call("a", "MULTI");
      await s.call("a", "PING");
      await s.call("a", "EXEC");
    }),
});

/** The writer (`w`) acts on a key the watcher (`a`) watches; then `a` runs a transaction. */
function watchedThenWritten(
  setup: string[][],
  key: string,
  write: string[],
): (s: Scenario) => Promise<void> {
  return async (s) => {
    for (const command of setup) await s.call("w", ...command);
    await s.call("a", "WATCH", key);
    await s.call("w", ...write);
    await s.call("a", "MULTI");
    await s.call("a", "PING");
    await s.call("a", "EXEC");
    await s.call("w", "FLUSHALL");
  };
}

const WRITES: [string, string[][], string, string[]][] = [
  ["SET", [], "k", ["SET", "k", "v"]],
  ["SET NX that does nothing", [["SET", "k", "v"]], "k", ["SET", "k", "w", "NX"]],
  ["DEL", [["SET", "k", "v"]], "k", ["DEL", "k"]],
  ["DEL of a missing key", [], "k", ["DEL", "k"]],
  ["a write to another key", [], "k", ["SET", "other", "v"]],
  ["EXPIRE", [["SET", "k", "v"]], "k", ["EXPIRE", "k", "100"]],
  ["PERSIST", [["SET", "k", "v", "EX", "100"]], "k", ["PERSIST", "k"]],
  ["RENAME (source)", [["SET", "k", "v"]], "k", ["RENAME", "k", "k2"]],
  ["RENAME (destination)", [["SET", "k2", "v"]], "k", ["RENAME", "k2", "k"]],
  ["MOVE", [["SET", "k", "v"]], "k", ["MOVE", "k", "1"]],
  ["COPY", [["SET", "src", "v"]], "k", ["COPY", "src", "k"]],
  ["LPUSH", [], "k", ["LPUSH", "k", "a"]],
  ["LPOP", [["RPUSH", "k", "a", "b"]], "k", ["LPOP", "k"]],
  ["LPOP of a missing key", [], "k", ["LPOP", "k"]],
  ["LREM removing nothing", [["RPUSH", "k", "a"]], "k", ["LREM", "k", "0", "zz"]],
  ["HSET", [], "k", ["HSET", "k", "f", "v"]],
  ["HDEL of a missing field", [["HSET", "k", "f", "v"]], "k", ["HDEL", "k", "g"]],
  ["SADD of a present member", [["SADD", "k", "m"]], "k", ["SADD", "k", "m"]],
  ["SREM", [["SADD", "k", "m"]], "k", ["SREM", "k", "m"]],
  ["ZADD", [], "k", ["ZADD", "k", "1", "m"]],
  ["ZADD of the same score", [["ZADD", "k", "1", "m"]], "k", ["ZADD", "k", "1", "m"]],
  ["ZINCRBY", [["ZADD", "k", "1", "m"]], "k", ["ZINCRBY", "k", "1", "m"]],
  ["SUNIONSTORE", [["SADD", "s", "m"]], "k", ["SUNIONSTORE", "k", "s"]],
  ["SORT STORE", [["RPUSH", "s", "2", "1"]], "k", ["SORT", "s", "STORE", "k"]],
  ["INCR", [["SET", "k", "1"]], "k", ["INCR", "k"]],
  ["APPEND", [["SET", "k", "1"]], "k", ["APPEND", "k", "2"]],
  ["SETRANGE", [["SET", "k", "1"]], "k", ["SETRANGE", "k", "0", "x"]],
  ["GETDEL", [["SET", "k", "1"]], "k", ["GETDEL", "k"]],
  ["GETEX", [["SET", "k", "1"]], "k", ["GETEX", "k", "EX", "100"]],
  ["GET", [["SET", "k", "1"]], "k", ["GET", "k"]],
];

for (const [what, setup, key, write] of WRITES) {
  Deno.test({
    name: `WATCH on one connection sees ${what} from another as Redis does`,
    ignore: needsRedis(),
    fn: () => assertSameScenario(watchedThenWritten(setup, key, write)),
  });
}

Deno.test({
  name: "A client blocked on a list is woken by EXEC and sees all of its writes",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.send("b", "BLPOP", "l", "0");
      await s.blocked(1);
      await s.call("a", "MULTI");
      await s.call("a", "RPUSH", "l", "x", "y");
      await s.call("a", "LPUSH", "l", "first");
      await s.call("a", "EXEC");
      await s.read("b");
      await s.call("a", "LRANGE", "l", "0", "-1");
      // A transaction that creates and deletes the key leaves the waiter blocked.
      await s.send("b", "BLPOP", "gone", "0");
      await s.blocked(1);
      await s.call("a", "MULTI");
      await s.call("a", "RPUSH", "gone", "x");
      await s.call("a", "DEL", "gone");
      await s.call("a", "EXEC");
      await s.call("a", "RPUSH", "gone", "later");
      await s.read("b");
    }),
});
