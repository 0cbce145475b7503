/**
 * Differential tests of DUMP and RESTORE against a real redis-server 7.0. DUMP payloads are
 * compared byte for byte (strings with every integer encoding and LZF, lists of one and many
 * quicklist nodes, intsets, listpack hashes and sorted sets, skip-list sorted sets); values
 * whose order is a hash table's (large sets and hashes) are compared by RESTORE-ing each
 * server's payloads into the other. RESTORE's options, errors and their order, TTLs, IDLETIME
 * and FREQ, its keyspace events, WATCH signal and dirty count, and payloads in the formats of
 * older RDB versions (ziplists, zipmaps, quicklist v1) are compared reply for reply.
 *
 * @module
 */
import { ListValue } from "../../src/keyspace/values.ts";
import { dumpPayload, quicklistNodeStarts } from "../../src/persistence/rdb.ts";
import { latin1Decode, latin1Encode } from "../../src/resp/latin1.ts";
import { readListpack } from "../../src/persistence/listpack.ts";
import { Latin1Decoder } from "../../src/resp/latin1.ts";
import { ReplyParser } from "../../src/resp/reply_parser.ts";
import type { RespValue } from "../../src/resp/types.ts";
import {
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  runScript,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
  unordered,
} from "../_util.ts";
import { payload, rdbString, ziplist, zipmap } from "../persistence/_encodings.ts";

/** `n` bytes of deterministic noise, which LZF cannot shrink. */
function noise(n: number, seed = 1): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += String.fromCharCode(x >>> 24);
  }
  return out;
}

/** The DUMP step of each key. */
function dumps(keys: string[]): string[][] {
  return keys.map((k) => ["DUMP", k]);
}

Deno.test({
  name: "DUMP of strings is Redis's payload byte for byte, integer encodings and LZF included",
  ignore: needsRedis(),
  async fn() {
    const values = [
      "0",
      "-1",
      "127",
      "128",
      "-128",
      "-129",
      "32767",
      "-32769",
      "2147483647",
      "2147483648",
      "-2147483648",
      "-2147483649",
      "12345678901",
      "-1234567890",
      "9223372036854775807",
      "007",
      "-0",
      "+1",
      "1.5",
      "",
      "hello",
      "a".repeat(20),
      "a".repeat(21),
      "abcd".repeat(6),
      "The quick brown fox jumps over the lazy dog. ".repeat(30),
      "0123456789".repeat(2000),
      noise(21),
      noise(300),
      noise(20000),
      "\x00\xff\r\n".repeat(40),
      "x".repeat(300) + noise(50) + "x".repeat(300),
    ];
    const script: ScriptStep[] = [];
    values.forEach((v, i) => script.push(["SET", `s${i}`, v]));
    script.push(["APPEND", "appended", "12"], ["INCRBYFLOAT", "float", "1.5"]);
    const keys = [...values.map((_, i) => `s${i}`), "appended", "float", "missing"];
    script.push(...dumps(keys));
    script.push(["CONFIG", "SET", "rdbcompression", "no"], ...dumps(keys));
    script.push({ cmd: ["HELLO", "3"], normalize: () => "hello" });
    script.push(["DUMP", "s0"], ["DUMP", "missing"]);
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "DUMP of lists is Redis's payload byte for byte, one node or many as RPUSH fills them",
  ignore: needsRedis(),
  async fn() {
    const small = [
      "a",
      "0",
      "127",
      "128",
      "-4096",
      "4096",
      "-32769",
      "8388608",
      "2147483648",
      "-9223372036854775808",
      "x".repeat(63),
      "y".repeat(64),
      "z".repeat(4096),
      "",
    ];
    const tens = Array.from({ length: 3000 }, (_, i) => `element-${i}`);
    const ints = Array.from({ length: 5000 }, (_, i) => String(i * 37));
    const mixed = Array.from({ length: 400 }, (_, i) => "m".repeat(i % 7 === 0 ? 300 : 20) + i);
    const huge = ["before", "B".repeat(10000), "after", noise(9000), "end"];
    const script: ScriptStep[] = [
      ["RPUSH", "small", ...small],
      ["RPUSH", "tens", ...tens],
      ["RPUSH", "ints", ...ints],
      ["RPUSH", "mixed", ...mixed],
      ["RPUSH", "huge", ...huge],
      ["RPUSH", "one", "single"],
    ];
    // Built in several commands: RPUSH appends to the tail node the same way.
    for (let i = 0; i < 2000; i += 100) {
      script.push(["RPUSH", "batches", ...tens.slice(i, i + 100)]);
    }
    const keys = ["small", "tens", "ints", "mixed", "huge", "one", "batches"];
    script.push(...dumps(keys), ["CONFIG", "SET", "rdbcompression", "no"], ...dumps(keys));
    await assertSameAsRedis(script);
  },
});

/** The element count of each quicklist node in a list's DUMP payload. */
function nodeCounts(dump: Uint8Array): number[] {
  const decoder = new Latin1Decoder();
  let p = 0;
  const len = () => {
    const b = dump[p++]!;
    if (b < 0x40) return b;
    if (b < 0x80) return ((b & 0x3f) << 8) | dump[p++]!;
    const n = (dump[p]! << 24) | (dump[p + 1]! << 16) | (dump[p + 2]! << 8) | dump[p + 3]!;
    p += 4;
    return n;
  };
  if (dump[p++] !== 18) throw new Error("not a quicklist");
  const nodes = len();
  const counts: number[] = [];
  for (let k = 0; k < nodes; k++) {
    len(); // container
    const n = len();
    const items: string[] = [];
    readListpack(dump, p, p + n, items, decoder);
    counts.push(items.length);
    p += n;
  }
  return counts;
}

Deno.test({
  name: "quicklistNodeStarts gives the node boundaries of Redis's lists built by RPUSH and LPUSH",
  ignore: needsRedis(),
  async fn() {
    await using real = await startRealRedis();
    await using session = await RawSession.open(real.port);
    await session.command("CONFIG", "SET", "rdbcompression", "no");
    const elements = Array.from(
      { length: 4000 },
      (_, i) => i % 5 === 0 ? `long-${i}-${"z".repeat(i % 90)}` : String(i),
    );
    await session.command("RPUSH", "r", ...elements);
    await session.command("LPUSH", "l", ...elements);
    const counts = (starts: number[]) => starts.slice(1).map((s, i) => s - starts[i]!);
    const dumpOf = async (key: string) =>
      latin1Encode(parseReply(await session.command("DUMP", key)) as string);
    const rpushed = ListValue.from(elements);
    assertEquals(nodeCounts(await dumpOf("r")), counts(quicklistNodeStarts(rpushed)));
    const lpushed = ListValue.from([...elements].reverse());
    const lpushCounts = nodeCounts(await dumpOf("l"));
    assertEquals(lpushCounts, counts(quicklistNodeStarts(lpushed, true)));
    // Our DUMP splits as RPUSH does, so an LPUSH-built list differs only in its boundaries.
    assertEquals(lpushCounts[0]! < lpushCounts[1]!, true);
  },
});

Deno.test({
  name: "DUMP of intsets, listpack hashes and sorted sets and skip lists is Redis's byte for byte",
  ignore: needsRedis(),
  async fn() {
    const scored: string[] = [];
    for (let i = 0; i < 300; i++) {
      scored.push(i % 4 === 0 ? String(i) : String(i / 7), `member:${i}`);
    }
    const script: ScriptStep[] = [
      ["SADD", "i16", "1", "-5", "300", "32767"],
      ["SADD", "i32", "1", "-32769", "70000"],
      ["SADD", "i64", "1", "9999999999", "-9223372036854775808"],
      ["SADD", "grown", "5"],
      ["SADD", "grown", "3", "4", "100000"],
      ["HSET", "hash", "f", "v", "n", "12", "neg", "-70000", "empty", "", "long", "x".repeat(64)],
      ["HSET", "hash", "f", "updated", "new", "3.14"],
      ["HDEL", "hash", "n"],
      [
        "ZADD",
        "zset",
        "1",
        "one",
        "-0",
        "zero",
        "2.5",
        "half",
        "0.1",
        "tenth",
        "1e20",
        "big",
        "inf",
        "top",
        "-inf",
        "bottom",
        "4503599627370496",
        "p52",
        "-4503599627370495",
        "n52",
      ],
      ["ZINCRBY", "zset", "2", "one"],
      ["ZADD", "skip", ...scored],
      ["ZADD", "wide", "1", "a", "2", "m".repeat(65)],
      ["ZADD", "skip-inf", ...scored.slice(0, 300), "inf", "top", "-inf", "bottom"],
    ];
    const keys = ["i16", "i32", "i64", "grown", "hash", "zset", "skip", "wide", "skip-inf"];
    script.push(...dumps(keys), ["CONFIG", "SET", "rdbcompression", "no"], ...dumps(keys));
    await assertSameAsRedis(script);
  },
});

/** Reads a key's type, encoding, contents (unordered ones sorted) and PEXPIRETIME. */
async function viewOf(session: RawSession, key: string): Promise<unknown[]> {
  const ask = async (...cmd: string[]) => parseReply(await session.command(...cmd));
  const type = (await ask("TYPE", key) as { value: string }).value;
  const read: Record<string, string[]> = {
    string: ["GET", key],
    list: ["LRANGE", key, "0", "-1"],
    hash: ["HGETALL", key],
    set: ["SMEMBERS", key],
    zset: ["ZRANGE", key, "0", "-1", "WITHSCORES"],
  };
  let contents = await ask(...read[type]!);
  if (type === "set") contents = (contents as string[]).sort();
  if (type === "hash") {
    const flat = contents as string[];
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
    contents = pairs.sort();
  }
  const encoding = await ask("OBJECT", "ENCODING", key);
  return [type, encoding, contents, await ask("PEXPIRETIME", key)];
}

/** Keys of every type and encoding, for the cross-RESTORE test. */
function crossScript(): string[][] {
  const many = (n: number, f: (i: number) => string[]) =>
    Array.from({ length: n }, (_, i) => f(i)).flat();
  return [
    ["SET", "int", "-77"],
    ["SET", "text", "some text that is long enough to compress ".repeat(5)],
    ["RPUSH", "list", ...many(3000, (i) => [`e${i}`])],
    ["LPUSH", "lpushed", ...many(3000, (i) => [`e${i}`])],
    ["HSET", "hash", ...many(10, (i) => [`f${i}`, `v${i}`])],
    ["HSET", "hashtable", ...many(600, (i) => [`f${i}`, `v${i}`])],
    ["HSET", "widehash", "f", "w".repeat(100)],
    ["SADD", "intset", ...many(50, (i) => [String(i * 1000)])],
    ["SADD", "set", ...many(50, (i) => [`m${i}`])],
    ["SADD", "bigintset", ...many(600, (i) => [String(i)])],
    ["ZADD", "zset", ...many(10, (i) => [String(i / 3), `m${i}`])],
    ["ZADD", "skiplist", ...many(200, (i) => [String(i / 3), `m${i}`])],
  ];
}

Deno.test({
  name: "RESTORE of Redis's payloads into ours, and of ours into Redis, gives the same keys",
  ignore: needsRedis(),
  async fn() {
    const script = crossScript();
    const keys = script.map((c) => c[1]!);
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    await using source = await RawSession.open(real.port);
    await using target = await RawSession.open(ours.port);
    for (const c of script) await source.command(...c);
    // Redis's payloads into our server, with TTLs.
    for (const key of keys) {
      const dump = parseReply(await source.command("DUMP", key)) as string;
      assertEquals(await target.command("RESTORE", key, "0", dump), "+OK\r\n", key);
      await source.command("PEXPIREAT", key, "99999999999999");
      await target.command("PEXPIREAT", key, "99999999999999");
      assertEquals(await viewOf(target, key), await viewOf(source, key), key);
    }
    // Our payloads into a fresh Redis.
    await using fresh = await startRealRedis();
    await using back = await RawSession.open(fresh.port);
    for (const key of keys) {
      const dump = parseReply(await target.command("DUMP", key)) as string;
      assertEquals(
        await back.command("RESTORE", key, "99999999999999", dump, "ABSTTL"),
        "+OK\r\n",
        key,
      );
      assertEquals(await viewOf(back, key), await viewOf(target, key), key);
    }
  },
});

const VALUE = latin1Decode(dumpPayload("value", true), 0, dumpPayload("value", true).length);
const LIST = latin1Decode(
  dumpPayload(ListValue.from(["a", "b"]), true),
  0,
  dumpPayload(ListValue.from(["a", "b"]), true).length,
);

function text(bytes: Uint8Array): string {
  return latin1Decode(bytes, 0, bytes.length);
}

Deno.test({
  name: "RESTORE checks options, key, TTL and payload in Redis's order, with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    const flipped = VALUE.slice(0, -1) +
      String.fromCharCode(VALUE.charCodeAt(VALUE.length - 1) ^ 1);
    await assertSameAsRedis([
      ["RESTORE", "k", "0", VALUE],
      ["GET", "k"],
      ["RESTORE", "k", "0", VALUE],
      ["RESTORE", "k", "0", LIST, "REPLACE"],
      ["LRANGE", "k", "0", "-1"],
      ["RESTORE", "k", "0", VALUE, "replace", "absttl"],
      ["TYPE", "k"],
      // Options first, then the key, then the TTL, then the payload.
      ["RESTORE", "k", "0", VALUE, "BOGUS"],
      ["RESTORE", "k", "abc", "garbage"],
      ["RESTORE", "n", "abc", VALUE],
      ["RESTORE", "n", "-1", "garbage"],
      ["RESTORE", "n", "0", "garbage"],
      ["RESTORE", "n", "0", ""],
      ["RESTORE", "n", "0", flipped],
      ["RESTORE", "n", "0", text(payload([0, 1, 120], 11))],
      ["RESTORE", "n", "0", text(payload([0, 1, 120], 10))],
      ["GET", "n"],
      ["RESTORE", "b1", "0", text(payload([8, 1, 120]))],
      ["RESTORE", "b2", "0", text(payload([0, 5, 120]))],
      ["RESTORE", "b3", "0", text(payload([1, 0]))],
      ["RESTORE", "b4", "0", text(payload([2, 2, 1, 97, 1, 97]))],
      ["RESTORE", "b5", "0", text(payload([5, 1, 1, 97, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]))],
      ["RESTORE", "b6", "0", text(payload([10, ...rdbString(new Uint8Array([1, 2, 3]))]))],
      ["EXISTS", "b1", "b2", "b3", "b4", "b5", "b6"],
      ["RESTORE", "o", "0", VALUE, "IDLETIME", "-1"],
      ["RESTORE", "o", "0", VALUE, "IDLETIME", "x"],
      ["RESTORE", "o", "0", VALUE, "IDLETIME"],
      ["RESTORE", "o", "0", VALUE, "FREQ", "256"],
      ["RESTORE", "o", "0", VALUE, "FREQ", "-1"],
      ["RESTORE", "o", "0", VALUE, "FREQ", "1.5"],
      ["RESTORE", "o", "0", VALUE, "IDLETIME", "10", "FREQ", "5"],
      ["RESTORE", "o", "0", VALUE, "FREQ", "5", "IDLETIME", "10"],
      ["RESTORE", "o", "0", VALUE, "FREQ", "5", "FREQ", "6"],
      ["GET", "o"],
      ["RESTORE", "k"],
      ["RESTORE", "k", "0"],
      ["DUMP"],
      ["DUMP", "a", "b"],
    ]);
  },
});

Deno.test({
  name: "RESTORE sets relative and absolute TTLs, and a TTL already past creates nothing",
  ignore: needsRedis(),
  async fn() {
    const future = String(Date.now() + 86_400_000);
    const pttl: ScriptStep = {
      cmd: ["PTTL", "rel"],
      normalize: (r) => {
        const ms = Number(r.slice(1, -2));
        return ms > 99_000 && ms <= 100_000 ? "about 100 s" : r;
      },
    };
    await assertSameAsRedis([
      ["RESTORE", "rel", "100000", VALUE],
      pttl,
      ["RESTORE", "abs", future, VALUE, "ABSTTL"],
      ["PEXPIRETIME", "abs"],
      ["RESTORE", "far", "9223372036854775807", VALUE, "ABSTTL"],
      ["PEXPIRETIME", "far"],
      ["RESTORE", "past", "1", VALUE, "ABSTTL"],
      ["EXISTS", "past"],
      ["SET", "victim", "x"],
      ["RESTORE", "victim", "1", VALUE, "ABSTTL", "REPLACE"],
      ["EXISTS", "victim"],
      ["RESTORE", "zero", "0", VALUE],
      ["PTTL", "zero"],
    ]);
  },
});

Deno.test({
  name: "RESTORE's IDLETIME sets the idle time under LRU and FREQ the counter under LFU",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RESTORE", "idle", "0", VALUE, "IDLETIME", "1000"],
      ["OBJECT", "IDLETIME", "idle"],
      ["RESTORE", "ancient", "0", VALUE, "IDLETIME", "999999999"],
      ["OBJECT", "IDLETIME", "ancient"],
      ["RESTORE", "ignored", "0", VALUE, "FREQ", "100"],
      ["OBJECT", "IDLETIME", "ignored"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["RESTORE", "freq", "0", VALUE, "FREQ", "100"],
      ["OBJECT", "FREQ", "freq"],
      ["RESTORE", "lfu-idle", "0", VALUE, "IDLETIME", "1000"],
      ["OBJECT", "FREQ", "lfu-idle"],
      ["RESTORE", "freq", "0", VALUE, "FREQ", "0", "REPLACE"],
      ["OBJECT", "FREQ", "freq"],
    ]);
  },
});

/**
 * Runs `script` on the server at `port` with a subscriber on every keyspace event, returning
 * per step the reply, the events it published, and how much rdb_changes_since_last_save grew.
 */
async function traceEvents(port: number, script: string[][]): Promise<string[][]> {
  const sub = await Deno.connect({ hostname: "127.0.0.1", port });
  const parser = new ReplyParser();
  const buf = new Uint8Array(65536);
  /** The next message the subscriber receives (within 5 s). */
  const next = async (): Promise<RespValue> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const message = parser.next();
      if (message !== undefined) return message;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        sub.read(buf),
        new Promise<"late">((r) => timer = setTimeout(() => r("late"), deadline - Date.now())),
      ]);
      clearTimeout(timer);
      if (n === "late") throw new Error("no keyspace event marker within 5 s");
      if (n === null) throw new Error("the subscriber was disconnected");
      parser.push(buf.slice(0, n));
    }
  };
  try {
    await using main = await RawSession.open(port);
    await main.command("CONFIG", "SET", "notify-keyspace-events", "KEAnm");
    await sub.write(latin1Encode(encodeCommand(["PSUBSCRIBE", "__key*__:*"])));
    await next();
    const dirty = async () => {
      const info = parseReply(await main.command("INFO", "persistence")) as string;
      return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
    };
    const out: string[][] = [];
    for (const step of script) {
      const before = await dirty();
      const reply = await main.command(...step);
      const changes = (await dirty()) - before;
      await main.command("PUBLISH", "__key-marker__:end", "end");
      const events: string[] = [];
      for (;;) {
        const message = await next() as string[];
        if (message[2] === "__key-marker__:end") break;
        events.push(`${message[2]} ${message[3]}`);
      }
      out.push([step.join(" ").slice(0, 40), reply.slice(0, 40), `dirty +${changes}`, ...events]);
    }
    return out;
  } finally {
    sub.close();
  }
}

Deno.test({
  name: "RESTORE sends new, restore and del events, signals WATCH and counts dirty as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script = [
      ["RESTORE", "k", "0", VALUE],
      ["RESTORE", "k", "0", VALUE],
      ["RESTORE", "k", "0", LIST, "REPLACE"],
      ["RESTORE", "k", "1", VALUE, "REPLACE", "ABSTTL"],
      ["RESTORE", "gone", "1", VALUE, "ABSTTL"],
      ["RESTORE", "t", "5000", VALUE],
      ["RESTORE", "bad", "0", "nonsense"],
      ["DUMP", "t"],
      ["DUMP", "nothing"],
    ];
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const [mine, theirs] = await Promise.all([
      traceEvents(ours.port, script),
      traceEvents(real.port, script),
    ]);
    assertEquals(mine, theirs);
    // A RESTORE of a watched key aborts the transaction, even from the same client.
    await assertSameAsRedis([
      ["WATCH", "w"],
      ["RESTORE", "w", "0", VALUE],
      ["MULTI"],
      ["PING"],
      ["EXEC"],
      ["WATCH", "w"],
      ["RESTORE", "w", "0", VALUE],
      ["MULTI"],
      ["EXEC"],
    ]);
  },
});

Deno.test({
  name:
    "RESTORE reads the payloads of older RDB versions (ziplists, zipmaps, quicklist v1) as Redis does",
  ignore: needsRedis(),
  async fn() {
    const zl = ziplist([
      "a",
      { int: 0, enc: "imm" },
      { int: -100, enc: "8" },
      { int: 30000, enc: "16" },
      { int: -70000, enc: "24" },
      { int: 2000000000, enc: "32" },
      { int: 90000000000n, enc: "64" },
      "x".repeat(300),
      "",
    ]);
    const pairs = ziplist(["f1", "v1", "f2", { int: 7, enc: "imm" }, "n", "1.5"]);
    const scores = ziplist(["m1", "2.5", "m2", { int: 1, enc: "imm" }, "m3", "-inf", "m4", "1e3"]);
    const many = ziplist(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    const oldPayloads: [string, number[], number][] = [
      ["ziplist-list", [10, ...rdbString(zl)], 7],
      ["quicklist-v1", [14, 2, ...rdbString(zl), ...rdbString(ziplist(["tail"]))], 9],
      ["linked-list", [1, 3, 1, 97, 0xc0, 5, 0xc3, 4, 30, 0x01, 98, 98, 0xe0, 24, 1], 6],
      ["ziplist-hash", [13, ...rdbString(pairs)], 9],
      ["ziplist-big-hash", [13, ...rdbString(many)], 9],
      ["zipmap-hash", [
        9,
        ...rdbString(zipmap([["name", "redis"], ["year", "2009"], ["long", "l".repeat(70)]], 2)),
      ], 3],
      ["ziplist-zset", [12, ...rdbString(scores)], 9],
      ["text-zset", [3, 2, 1, 97, 3, 49, 46, 53, 1, 98, 255], 6],
      ["plain-set", [2, 2, 1, 97, 0xc0, 7], 6],
      ["int-set", [2, 2, 0xc0, 3, 0xc0, 7], 6],
      ["plain-hash", [4, 1, 1, 102, 1, 118], 6],
    ];
    const script: ScriptStep[] = [];
    for (const [key, body, version] of oldPayloads) {
      script.push(["RESTORE", key, "0", text(payload(body, version))]);
      script.push(["OBJECT", "ENCODING", key]);
      script.push(["TYPE", key]);
      if (key.includes("list")) script.push(["LRANGE", key, "0", "-1"]);
      else if (key.includes("zset")) script.push(["ZRANGE", key, "0", "-1", "WITHSCORES"]);
      else if (key.includes("set")) script.push(unordered(["SMEMBERS", key]));
      else script.push(unordered(["HGETALL", key], 2));
    }
    // Corrupt compact encodings: refused (Redis checks these deeply when told to sanitize).
    const badZiplist = zl.slice();
    badZiplist[0]! ^= 1;
    const dupPairs = ziplist(["f", "v", "f", "w"]);
    for (
      const [i, body] of [
        [10, ...rdbString(badZiplist)],
        [13, ...rdbString(dupPairs)],
        [13, ...rdbString(ziplist(["odd"]))],
        [9, ...rdbString(zipmap([["a", "1"], ["a", "2"]]))],
        [11, ...rdbString(new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0, 9, 0, 1, 0]))],
        [16, ...rdbString(new Uint8Array([11, 0, 0, 0, 1, 0, 0x82, 97, 98, 9, 0xff]))],
      ].entries()
    ) {
      script.push(["RESTORE", `bad${i}`, "0", text(payload(body as number[], 10))]);
    }
    await assertSameAsRedis(script, { redisArgs: ["--sanitize-dump-payload", "yes"] });
  },
});

Deno.test("DUMP of a typed value is its text, or its RESP3 encoding for an aggregate", async () => {
  await using ours = await startMiniredis();
  await using session = await RawSession.open(ours.port);
  // Request arguments sent as RESP3 values arrive typed.
  await session.write("*3\r\n$3\r\nSET\r\n$1\r\ni\r\n:42\r\n");
  assertEquals(await session.read(1), "+OK\r\n");
  await session.write("*3\r\n$3\r\nSET\r\n$1\r\na\r\n*2\r\n$1\r\nx\r\n:1\r\n");
  assertEquals(await session.read(1), "+OK\r\n");
  const payloadOf = async (key: string) => parseReply(await session.command("DUMP", key)) as string;
  assertEquals(await payloadOf("i"), text(dumpPayload("42", true)));
  assertEquals(await payloadOf("a"), text(dumpPayload("*2\r\n$1\r\nx\r\n:1\r\n", true)));
  assertEquals(await session.command("RESTORE", "copy", "0", await payloadOf("i")), "+OK\r\n");
  assertEquals(await session.command("GET", "copy"), "$2\r\n42\r\n");
  assertEquals(
    await runScript(ours.port, [["DUMP", "copy"]]),
    [`$${text(dumpPayload("42", true)).length}\r\n${text(dumpPayload("42", true))}\r\n`],
  );
});
