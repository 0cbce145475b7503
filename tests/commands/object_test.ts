/**
 * Tests of OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ and HELP. Encodings, reference counts,
 * errors and the LFU counter (made deterministic with lfu-log-factor 0, where every access
 * counts) are compared byte for byte with a real redis-server 7.0; idle times, which need
 * time to pass, are compared as ranges after a real wait, and checked exactly on our server
 * with a manual clock.
 *
 * @module
 */
import { ManualClock } from "../../src/keyspace/clock.ts";
import {
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  RawSession,
  runScript,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";

/** OBJECT ENCODING and OBJECT REFCOUNT of `key`. */
function describe(key: string): string[][] {
  return [["OBJECT", "ENCODING", key], ["OBJECT", "REFCOUNT", key]];
}

Deno.test({
  name: "OBJECT ENCODING tells int, embstr and raw strings apart by text as Redis's SET does",
  ignore: needsRedis(),
  async fn() {
    const values = [
      "0",
      "123",
      "9999",
      "10000",
      "-1",
      "-9223372036854775808",
      "9223372036854775807",
      "9223372036854775808",
      "12345678901234567890",
      "012",
      "-0",
      "+1",
      " 1",
      "1.5",
      "",
      "hello",
      "x".repeat(44),
      "x".repeat(45),
      "1".repeat(21),
      "x".repeat(40_000),
    ];
    const script: ScriptStep[] = [];
    values.forEach((v, i) => script.push(["SET", `k${i}`, v], ...describe(`k${i}`)));
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "OBJECT ENCODING follows each string command's choice of int, embstr or raw",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      // APPEND and SETRANGE write into a private raw string; a new key by APPEND is encoded.
      ["SET", "a", "123"],
      ["APPEND", "a", "4"],
      ...describe("a"),
      ["APPEND", "new", "5"],
      ...describe("new"),
      ["APPEND", "new", "5"],
      ...describe("new"),
      ["SETRANGE", "a", "0", "9"],
      ...describe("a"),
      ["SETRANGE", "sr", "2", "x"],
      ...describe("sr"),
      ["SET", "e", "short"],
      ["SETRANGE", "e", "0", ""],
      ...describe("e"),
      // Counters are integers again, shared below 10000.
      ["INCR", "a"],
      ...describe("a"),
      ["INCRBY", "a", "100000"],
      ...describe("a"),
      ["DECR", "counter"],
      ...describe("counter"),
      // INCRBYFLOAT stores its text, never an int.
      ["INCRBYFLOAT", "f", "3"],
      ...describe("f"),
      ["INCRBYFLOAT", "f", "0.5"],
      ...describe("f"),
      ["INCRBYFLOAT", "f", "1e40"],
      ...describe("f"),
      ["INCR", "f2"],
      ["INCRBYFLOAT", "f2", "1"],
      ...describe("f2"),
      // The SET family encodes its value; GETEX and KEEPTTL keep or redo it as Redis does.
      ["SET", "a", "7"],
      ...describe("a"),
      ["GETSET", "g", "77777"],
      ...describe("g"),
      ["SETNX", "nx", "8"],
      ...describe("nx"),
      ["SETEX", "ex", "100", "42"],
      ...describe("ex"),
      ["PSETEX", "pex", "100000", "abc"],
      ...describe("pex"),
      ["MSET", "m1", "9", "m2", "qq", "m3", "123456"],
      ...describe("m1"),
      ...describe("m2"),
      ...describe("m3"),
      ["MSETNX", "n1", "9", "n2", "qq"],
      ...describe("n1"),
      ["APPEND", "kt", "5"],
      ["APPEND", "kt", "5"],
      ["SET", "kt", "5", "KEEPTTL"],
      ...describe("kt"),
      ["SET", "sg", "6", "GET"],
      ...describe("sg"),
      ["APPEND", "gx", "x"],
      ["APPEND", "gx", "y"],
      ["GETEX", "gx", "EX", "100"],
      ...describe("gx"),
    ]);
  },
});

Deno.test({
  name: "COPY keeps a string's encoding but not its sharing; RENAME and MOVE keep both",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "int", "5"],
      ["COPY", "int", "int2"],
      ...describe("int2"),
      ["SET", "big", "1234567"],
      ["COPY", "big", "big2"],
      ...describe("big2"),
      ["APPEND", "raw", "1"],
      ["APPEND", "raw", "2"],
      ["COPY", "raw", "raw2"],
      ...describe("raw2"),
      ["INCRBYFLOAT", "fl", "3"],
      ["COPY", "fl", "fl2", "DB", "2"],
      ["SELECT", "2"],
      ...describe("fl2"),
      ["SELECT", "0"],
      ["RENAME", "raw", "raw3"],
      ...describe("raw3"),
      ["RENAME", "int", "int3"],
      ...describe("int3"),
      ["MOVE", "raw3", "1"],
      ["SELECT", "1"],
      ...describe("raw3"),
      // A new value replaces the encoding the old one had.
      ["SET", "raw3", "9"],
      ...describe("raw3"),
      ["SWAPDB", "0", "1"],
      ...describe("raw3"),
      ...describe("fl"),
      ["FLUSHALL"],
      ["SET", "raw3", "9"],
      ...describe("raw3"),
    ]);
  },
});

Deno.test({
  name: "OBJECT REFCOUNT shares small integers unless maxmemory with an LRU policy forbids it",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
      ["SET", "a", "5"],
      ...describe("a"),
      ["CONFIG", "SET", "maxmemory", "1gb"],
      ["SET", "b", "5"],
      ...describe("b"),
      ["INCR", "c"],
      ...describe("c"),
      ["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
      ["SET", "d", "5"],
      ...describe("d"),
      ["CONFIG", "SET", "maxmemory", "0"],
    ]);
  },
});

Deno.test({
  name: "OBJECT ENCODING reports each collection's encoding as Redis 7.0 converts it",
  ignore: needsRedis(),
  async fn() {
    const many = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    await assertSameAsRedis([
      ["RPUSH", "list", "a"],
      ...describe("list"),
      ["RPUSH", "biglist", ...many("x", 1000)],
      ...describe("biglist"),
      ["HSET", "h", "f", "v"],
      ...describe("h"),
      ["HSET", "h", "long", "v".repeat(65)],
      ...describe("h"),
      ["HSET", "h2", ...many("f", 258)],
      ...describe("h2"),
      ["SADD", "ints", "1", "2", "-3"],
      ...describe("ints"),
      ["SADD", "ints", "x"],
      ...describe("ints"),
      ["SADD", "manyints", ...many("", 513)],
      ...describe("manyints"),
      ["ZADD", "z", "1", "a"],
      ...describe("z"),
      ["ZADD", "z", "2", "m".repeat(65)],
      ...describe("z"),
      ["CONFIG", "SET", "zset-max-listpack-entries", "2"],
      ["ZADD", "z2", "1", "a", "2", "b", "3", "c"],
      ...describe("z2"),
      ["CONFIG", "SET", "set-max-intset-entries", "2"],
      ["SADD", "s2", "1", "2", "3"],
      ...describe("s2"),
      ["CONFIG", "SET", "hash-max-listpack-entries", "1"],
      ["HSET", "h3", "a", "1", "b", "2"],
      ...describe("h3"),
      // COPY keeps a collection's encoding.
      ["COPY", "ints", "ints2"],
      ...describe("ints2"),
      ["COPY", "z", "zc"],
      ...describe("zc"),
    ]);
  },
});

Deno.test({
  name: "OBJECT answers nil for missing keys and refuses unknown subcommands and bad arities",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["OBJECT", "ENCODING", "missing"],
      ["OBJECT", "REFCOUNT", "missing"],
      ["OBJECT", "IDLETIME", "missing"],
      ["OBJECT", "FREQ", "missing"],
      ["SET", "k", "v"],
      ["OBJECT", "FREQ", "k"],
      ["OBJECT", "HELP"],
      ["object", "help"],
      ["OBJECT", "Encoding", "k"],
      ["OBJECT", "FOO"],
      ["OBJECT", "FOO", "k"],
      ["OBJECT"],
      ["OBJECT", "ENCODING"],
      ["OBJECT", "ENCODING", "k", "extra"],
      ["OBJECT", "REFCOUNT"],
      ["OBJECT", "IDLETIME", "k", "extra"],
      ["OBJECT", "FREQ"],
      ["OBJECT", "HELP", "extra"],
      ["COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"],
      ["COMMAND", "GETKEYS", "OBJECT", "HELP"],
      // (COMMAND INFO OBJECT lists the subcommands in an order that is random in Redis.)
      ["COMMAND", "INFO", "OBJECT|ENCODING", "OBJECT|HELP", "OBJECT|FREQ"],
      { cmd: ["HELLO", "3"], normalize: () => "hello" },
      ["OBJECT", "ENCODING", "missing"],
      ["OBJECT", "IDLETIME", "missing"],
      ["OBJECT", "ENCODING", "k"],
      ["OBJECT", "HELP"],
    ]);
  },
});

Deno.test({
  name: "OBJECT FREQ counts accesses under an LFU policy, and not TYPE, EXISTS, TTL or OBJECT",
  ignore: needsRedis(),
  async fn() {
    // With lfu-log-factor 0 every access raises the counter (from LFU_INIT_VAL, 5), and with
    // lfu-decay-time 0 it never decays: the counts are exact on both servers.
    const freq = (key: string): string[] => ["OBJECT", "FREQ", key];
    await assertSameAsRedis([
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["CONFIG", "SET", "lfu-log-factor", "0"],
      ["CONFIG", "SET", "lfu-decay-time", "0"],
      ["SET", "s", "v"],
      freq("s"),
      ["GET", "s"],
      freq("s"),
      ["TYPE", "s"],
      ["EXISTS", "s"],
      ["TTL", "s"],
      ["PTTL", "s"],
      ["OBJECT", "ENCODING", "s"],
      ["OBJECT", "IDLETIME", "s"],
      ["SCAN", "0"],
      ["KEYS", "*"],
      freq("s"),
      ["TOUCH", "s"],
      ["STRLEN", "s"],
      freq("s"),
      // Replacing a value is an access, and the new value inherits the counter.
      ["SET", "s", "w"],
      freq("s"),
      ["APPEND", "s", "x"],
      freq("s"),
      ["EXPIRE", "s", "100"],
      freq("s"),
      // RENAME and MOVE move the value with its counter; COPY makes a new value.
      ["RENAME", "s", "r"],
      freq("r"),
      ["COPY", "r", "c"],
      freq("c"),
      freq("r"),
      ["MOVE", "r", "1"],
      ["SELECT", "1"],
      freq("r"),
      ["SELECT", "0"],
      // Collections count alike, and SORT reads its weights and GET keys.
      ["RPUSH", "l", "1", "2"],
      freq("l"),
      ["LPUSH", "l", "0"],
      ["LRANGE", "l", "0", "-1"],
      freq("l"),
      ["SET", "w_1", "x"],
      ["SORT", "l", "BY", "w_*", "GET", "w_*", "ALPHA"],
      freq("w_1"),
      freq("l"),
      ["DEL", "c"],
      freq("c"),
    ]);
  },
});

Deno.test({
  name: "OBJECT IDLETIME is refused under an LFU policy, and OBJECT FREQ under any other",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "v"],
      ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"],
      ["OBJECT", "IDLETIME", "k"],
      ["OBJECT", "IDLETIME", "missing"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
      ["OBJECT", "FREQ", "k"],
      idleWithin("k", 0, 1),
    ]);
  },
});

/** Steps run on our server and Redis, then compared (after `normalize`) reply by reply. */
async function compareAfterWait(
  before: ScriptStep[],
  waitMs: number,
  after: ScriptStep[],
): Promise<string[]> {
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  await Promise.all([runScript(ours.port, before), runScript(real.port, before)]);
  await new Promise((r) => setTimeout(r, waitMs));
  const [mine, theirs] = await Promise.all([
    runScript(ours.port, after),
    runScript(real.port, after),
  ]);
  assertEquals(mine, theirs);
  return mine;
}

/** An OBJECT IDLETIME step compared as "within [lo, hi]". */
function idleWithin(key: string, lo: number, hi: number): ScriptStep {
  return {
    cmd: ["OBJECT", "IDLETIME", key],
    normalize: (reply) => {
      const m = /^:(\d+)\r\n$/.exec(reply);
      return m !== null && Number(m[1]) >= lo && Number(m[1]) <= hi ? `idle ${lo}..${hi}` : reply;
    },
  };
}

Deno.test({
  name: "OBJECT IDLETIME counts seconds since the last access, which TYPE and EXISTS are not",
  ignore: needsRedis(),
  async fn() {
    const idle = await compareAfterWait(
      [["SET", "read", "v"], ["SET", "peeked", "v"], ["RPUSH", "list", "a"], ["SET", "set", "v"]],
      2100,
      [
        ["GET", "read"],
        ["TYPE", "peeked"],
        ["EXISTS", "peeked"],
        ["TTL", "peeked"],
        ["OBJECT", "ENCODING", "peeked"],
        ["LRANGE", "list", "0", "-1"],
        ["SET", "set", "w"],
        idleWithin("read", 0, 1),
        idleWithin("peeked", 2, 3),
        idleWithin("list", 0, 1),
        idleWithin("set", 0, 1),
        idleWithin("peeked", 2, 3),
      ],
    );
    assertEquals(idle.slice(-5), ["idle 0..1", "idle 2..3", "idle 0..1", "idle 0..1", "idle 2..3"]);
  },
});

Deno.test("OBJECT IDLETIME follows the clock exactly: reads and moves reset it, peeks do not", async () => {
  const clock = new ManualClock(1_700_000_000_000);
  await using server = await startMiniredis({ clock });
  await using session = await RawSession.open(server.port);
  const advance = (ms: number) => {
    clock.advance(ms);
    for (const db of server.databases) db.refreshClock();
  };
  const idle = async (key: string) => await session.command("OBJECT", "IDLETIME", key);
  await session.command("SET", "a", "v");
  await session.command("SET", "b", "v");
  advance(5_000);
  assertEquals(await idle("a"), ":5\r\n");
  await session.command("GET", "a");
  await session.command("TYPE", "b");
  await session.command("EXISTS", "b");
  assertEquals([await idle("a"), await idle("b")], [":0\r\n", ":5\r\n"]);
  advance(3_000);
  // RENAME and MOVE read the key, which is an access, and move the value.
  await session.command("RENAME", "b", "c");
  advance(2_000);
  assertEquals([await idle("a"), await idle("c")], [":5\r\n", ":2\r\n"]);
  await session.command("MOVE", "c", "3");
  await session.command("SELECT", "3");
  assertEquals(await idle("c"), ":0\r\n");
  // Redis's clock has 24 bits of seconds: idle times wrap around after 194 days, and one
  // second is lost in the wrap (estimateObjectIdleTime counts up to LRU_CLOCK_MAX, 2^24 - 1).
  advance((2 ** 24 - 10) * 1000);
  assertEquals(await idle("c"), `:${2 ** 24 - 11}\r\n`);
  advance(20_000);
  assertEquals(await idle("c"), ":10\r\n");
});
