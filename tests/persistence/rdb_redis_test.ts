/**
 * Differential tests of whole RDB files against a real redis-server 7.0: a file RdbWriter
 * writes (every type and encoding, TTLs, IDLE times, typed values, several databases) is
 * loaded by Redis at start-up (`--dir D --dbfilename F`) and every key read back through
 * commands; and files Redis SAVEs (compressed or not, with LRU or LFU metadata) are parsed by
 * parseRdb and every key compared with what Redis answers for it.
 *
 * @module
 */
import {
  type EncodingLimits,
  HashValue,
  ListValue,
  SetValue,
  SortedSetValue,
  TypedValue,
  type Value,
} from "../../src/keyspace/values.ts";
import { parseRdb, RdbWriter } from "../../src/persistence/rdb.ts";
import { formatDoubleG17 } from "../../src/resp/double.ts";
import { assertEquals, needsRedis, parseReply, RawSession, startRealRedis } from "../_util.ts";

/** Redis 7.0's default thresholds. */
const LIMITS: EncodingLimits = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** What a user reads of a key: type, encoding, contents (unordered ones sorted), expiry. */
interface View {
  type: string;
  encoding: string | null;
  contents: unknown;
  expireAt: string;
}

async function ask(session: RawSession, ...cmd: string[]): Promise<unknown> {
  return parseReply(await session.command(...cmd));
}

function pairs(flat: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** The view of `key` in the session's database. */
async function viewOf(session: RawSession, key: string): Promise<View> {
  const type = (await ask(session, "TYPE", key) as { value: string }).value;
  let contents: unknown;
  switch (type) {
    case "string":
      contents = await ask(session, "GET", key);
      break;
    case "list":
      contents = await ask(session, "LRANGE", key, "0", "-1");
      break;
    case "hash":
      contents = pairs(await ask(session, "HGETALL", key) as string[]).sort();
      break;
    case "set":
      contents = (await ask(session, "SMEMBERS", key) as string[]).sort();
      break;
    case "zset":
      contents = pairs(await ask(session, "ZRANGE", key, "0", "-1", "WITHSCORES") as string[]);
      break;
  }
  const encoding = type === "string"
    ? null
    : await ask(session, "OBJECT", "ENCODING", key) as string;
  const expireAt = String(await ask(session, "PEXPIRETIME", key));
  return { type, encoding, contents, expireAt };
}

/** The view a user would have of `value` stored with `expireAt`. */
function viewOfValue(value: Value, expireAt: number | bigint | undefined): View {
  const at = expireAt === undefined ? "-1" : String(expireAt);
  if (typeof value === "string") {
    return { type: "string", encoding: null, contents: value, expireAt: at };
  }
  if (value instanceof TypedValue) throw new Error("typed values have no plain view");
  if (value instanceof ListValue) {
    return { type: "list", encoding: "quicklist", contents: [...value], expireAt: at };
  }
  if (value instanceof HashValue) {
    return {
      type: "hash",
      encoding: value.encoding,
      contents: [...value.fields].sort(),
      expireAt: at,
    };
  }
  if (value instanceof SetValue) {
    return { type: "set", encoding: value.encoding, contents: [...value].sort(), expireAt: at };
  }
  const entries = [...(value as SortedSetValue).entries()].map(([m, s]) => [m, formatDoubleG17(s)]);
  return { type: "zset", encoding: value.encoding, contents: entries, expireAt: at };
}

function hashOf(n: number, valueSize = 3): HashValue {
  const h = new HashValue();
  for (let i = 0; i < n; i++) h.set(`field:${i}`, "v".repeat(valueSize) + i, LIMITS);
  return h;
}

function zsetOf(n: number): SortedSetValue {
  const z = new SortedSetValue();
  for (let i = 0; i < n; i++) z.add(`member:${i}`, i % 3 === 0 ? i : i / 3, LIMITS);
  return z;
}

/** Keys of every type and encoding (three databases' worth), with some TTLs. */
function dataset(): [number, string, Value, number | undefined][] {
  const future = Date.now() + 3_600_000;
  const bigSet = SetValue.from(Array.from({ length: 600 }, (_, i) => String(i * 3)), 512);
  return [
    [0, "int", "123", undefined],
    [0, "bigint", "-9223372036854775808", future],
    [0, "text", "hello world", undefined],
    [0, "long", "compress me ".repeat(200), future + 1],
    [
      0,
      "random",
      Array.from({ length: 500 }, (_, i) => String.fromCharCode((i * 131) % 256)).join(""),
      undefined,
    ],
    [0, "empty", "", undefined],
    [0, "list", ListValue.from(["a", "1", "-300", "x".repeat(80)]), undefined],
    [0, "long-list", ListValue.from(Array.from({ length: 20000 }, (_, i) => `e${i}`)), future + 2],
    [1, "hash", hashOf(5), undefined],
    [1, "hashtable", hashOf(600), undefined],
    [1, "wide-hash", hashOf(3, 100), undefined],
    [1, "intset", SetValue.from(["5", "-1", "99999999999"], 512), undefined],
    [1, "set", SetValue.from(["a", "b", "c"], 512), future + 3],
    [1, "big-intset-as-set", bigSet, undefined],
    [5, "zset", zsetOf(10), undefined],
    [5, "skiplist", zsetOf(500), undefined],
    [
      5,
      "inf-zset",
      (() => {
        const z = new SortedSetValue();
        z.add("low", -Infinity, LIMITS);
        z.add("high", Infinity, LIMITS);
        z.add("mid", 1e-300, LIMITS);
        return z;
      })(),
      undefined,
    ],
  ];
}

Deno.test({
  name: "Redis loads a file RdbWriter writes, with every key, type, encoding and TTL",
  ignore: needsRedis(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "miniredis-rdb-" });
    try {
      const writer = new RdbWriter({ compression: true, checksum: true });
      writer.header([
        ["redis-ver", "7.0.15"],
        ["redis-bits", 64],
        ["ctime", Math.floor(Date.now() / 1000)],
        ["used-mem", 1000000],
        ["aof-base", 0],
      ]);
      const keys = dataset();
      for (const db of [0, 1, 5]) {
        const inDb = keys.filter((k) => k[0] === db);
        writer.selectDb(db, inDb.length, inDb.filter((k) => k[3] !== undefined).length);
        for (const [, key, value, expireAt] of inDb) writer.entry(key, value, expireAt);
      }
      writer.selectDb(2, 4, 0);
      writer.entry("typed-int", new TypedValue(7), undefined, 100);
      writer.entry("typed-double", new TypedValue({ kind: "double", value: 2.5 }));
      writer.entry("typed-array", new TypedValue(["x", 1]));
      writer.entry("idle", "v", undefined, 5000);
      writer.end();
      await Deno.writeFile(`${dir}/mine.rdb`, writer.take());

      await using real = await startRealRedis(["--dir", dir, "--dbfilename", "mine.rdb"]);
      await using session = await RawSession.open(real.port);
      for (const db of [0, 1, 5]) {
        await session.command("SELECT", String(db));
        const expected = keys.filter((k) => k[0] === db);
        assertEquals(String(await ask(session, "DBSIZE")), String(expected.length), `db ${db}`);
        for (const [, key, value, expireAt] of expected) {
          assertEquals(await viewOf(session, key), viewOfValue(value, expireAt), key);
        }
      }
      await session.command("SELECT", "2");
      // Redis ignores our aux field: a typed scalar is its text, an aggregate its RESP3 text.
      assertEquals(await ask(session, "GET", "typed-int"), "7");
      assertEquals(await ask(session, "GET", "typed-double"), "2.5");
      assertEquals(await ask(session, "GET", "typed-array"), "*2\r\n$1\r\nx\r\n:1\r\n");
      // IDLE applies under Redis's default (LRU-clock) policy.
      const idle = Number(await ask(session, "OBJECT", "IDLETIME", "idle"));
      assertEquals(idle >= 5000 && idle <= 5002, true, `idle ${idle}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Fills the real server at `port` with every type and encoding, TTLs and three databases. */
async function populate(session: RawSession): Promise<void> {
  const at = String(Date.now() + 3_600_000);
  const run = (...cmd: string[]) => session.command(...cmd);
  await run("SELECT", "0");
  await run("SET", "int", "42");
  await run("SET", "neg", "-100000");
  await run("SET", "big", "12345678901234");
  await run("SET", "text", "hello");
  await run("SET", "long", "abcdefgh".repeat(300), "PXAT", at);
  await run("SET", "bin", "\x00\xff\r\n");
  await run("APPEND", "appended", "123");
  await run("RPUSH", "list", "a", "b", "1", "-2", "70000");
  const many: string[] = [];
  for (let i = 0; i < 5000; i++) many.push(`item-${i}`);
  await run("RPUSH", "rlist", ...many);
  await run("LPUSH", "llist", ...many);
  await run("PEXPIREAT", "llist", at);
  await run("SELECT", "3");
  await run("HSET", "hash", "f", "v", "n", "12");
  const fields: string[] = [];
  for (let i = 0; i < 600; i++) fields.push(`f${i}`, `v${i}`);
  await run("HSET", "hashtable", ...fields);
  await run("HSET", "widehash", "f", "x".repeat(100));
  await run("SADD", "intset", "1", "-5", "40000", "9999999999");
  await run("SADD", "set", "a", "b", "c");
  const members: string[] = [];
  for (let i = 0; i < 700; i++) members.push(String(i));
  await run("SADD", "bigintset", ...members);
  await run("SELECT", "9");
  await run("ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c", "0.1", "d");
  const scored: string[] = [];
  for (let i = 0; i < 300; i++) scored.push(String(i / 7), `m${i}`);
  await run("ZADD", "skiplist", ...scored);
  await run("PEXPIREAT", "skiplist", at);
}

/** Every key Redis holds in databases 0..15, as views, keyed `db/key`. */
async function viewsOfServer(session: RawSession): Promise<Map<string, View>> {
  const views = new Map<string, View>();
  for (let db = 0; db < 16; db++) {
    await session.command("SELECT", String(db));
    for (const key of (await ask(session, "KEYS", "*") as string[]).sort()) {
      views.set(`${db}/${key}`, await viewOf(session, key));
    }
  }
  return views;
}

/** Parses the file Redis at `session` saves with `config`, returning views and metadata. */
async function savedBy(
  extraArgs: string[],
  config: string[][],
): Promise<
  {
    theirs: Map<string, View>;
    ours: Map<string, View>;
    meta: (number | undefined)[][];
    aux: string[];
  }
> {
  await using real = await startRealRedis(extraArgs);
  await using session = await RawSession.open(real.port);
  for (const c of config) await session.command("CONFIG", "SET", ...c);
  await populate(session);
  const theirs = await viewsOfServer(session);
  assertEquals(await session.command("SAVE"), "+OK\r\n");
  const dir = (await ask(session, "CONFIG", "GET", "dir") as string[])[1]!;
  const bytes = await Deno.readFile(`${dir}/dump.rdb`);
  const ours = new Map<string, View>();
  const meta: (number | undefined)[][] = [];
  const aux: string[] = [];
  let db = 0;
  parseRdb(bytes, {
    aux: (k) => aux.push(k),
    selectDb: (index) => db = index,
    entry: (key, value, expireAt, idle, freq) => {
      ours.set(`${db}/${key}`, viewOfValue(value, expireAt));
      meta.push([idle, freq]);
    },
  }, LIMITS);
  return { theirs, ours, meta, aux };
}

/** Sorted entries of a map, for a comparison that shows which key differs. */
function entries(views: Map<string, View>): [string, View][] {
  return [...views].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

Deno.test({
  name: "parseRdb reads a file Redis saves, compressed or not, with every key, encoding and TTL",
  ignore: needsRedis(),
  async fn() {
    for (const compression of ["yes", "no"]) {
      const { theirs, ours, meta, aux } = await savedBy([], [["rdbcompression", compression]]);
      assertEquals(entries(ours), entries(theirs), `rdbcompression ${compression}`);
      assertEquals(meta.every(([idle, freq]) => idle === undefined && freq === undefined), true);
      assertEquals(aux, ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"]);
    }
  },
});

Deno.test({
  name: "parseRdb reads the IDLE and FREQ Redis saves under LRU and LFU policies",
  ignore: needsRedis(),
  async fn() {
    const lru = await savedBy([], [["maxmemory-policy", "allkeys-lru"]]);
    assertEquals(entries(lru.ours), entries(lru.theirs));
    assertEquals(
      lru.meta.every(([idle, freq]) => idle !== undefined && idle < 5 && freq === undefined),
      true,
    );
    const lfu = await savedBy([], [["maxmemory-policy", "allkeys-lfu"]]);
    assertEquals(entries(lfu.ours), entries(lfu.theirs));
    // Counters start at 5 and grow with reads (a shared integer's counter means nothing).
    assertEquals(
      lfu.meta.filter(([idle, freq]) => idle === undefined && freq! >= 5).length >= 15,
      true,
    );
    assertEquals(lfu.meta.every(([idle, freq]) => idle === undefined && freq !== undefined), true);
  },
});
