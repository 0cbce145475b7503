/**
 * Unit tests of the RDB module (rdb.ts): files written by RdbWriter read back by parseRdb with
 * every value type and encoding, expiry times, IDLE and FREQ, typed values and several
 * databases; the checksum and its failures; the errors of bad images, with their offsets; the
 * encodings values get on loading under other thresholds; and DUMP payloads, old RDB formats
 * included, through restorePayload. Agreement with a real Redis is tested in
 * rdb_redis_test.ts and tests/commands/dump_test.ts.
 *
 * @module
 */
import { CommandError } from "../../src/commands/spec.ts";
import {
  type EncodingLimits,
  HashValue,
  ListValue,
  SetValue,
  SortedSetValue,
  TypedValue,
  type Value,
} from "../../src/keyspace/values.ts";
import {
  dumpPayload,
  parseRdb,
  quicklistNodeStarts,
  RDB_VERSION,
  RdbError,
  type RdbSink,
  RdbWriter,
  restorePayload,
} from "../../src/persistence/rdb.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import { assertEquals } from "../_util.ts";
import { payload, rdbString, ziplist, zipmap } from "./_encodings.ts";

const LIMITS: EncodingLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** A value as comparable data: its type, encoding and contents. */
function describe(value: Value): unknown {
  if (typeof value === "string") return ["string", value];
  if (value instanceof TypedValue) return ["typed", value.value];
  if (value instanceof ListValue) return ["list", [...value]];
  if (value instanceof HashValue) return ["hash", value.encoding, [...value.fields]];
  if (value instanceof SetValue) return ["set", value.encoding, [...value].sort()];
  return ["zset", value.encoding, [...value.entries()]];
}

interface Loaded {
  db: number;
  key: string;
  value: unknown;
  expireAt: number | bigint | undefined;
  idle: number | undefined;
  freq: number | undefined;
}

/** Parses `bytes`, collecting aux fields and entries. */
function load(
  bytes: Uint8Array,
  limits = LIMITS,
): { aux: string[][]; keys: Loaded[]; end: number } {
  const aux: string[][] = [];
  const keys: Loaded[] = [];
  let db = -1;
  const sink: RdbSink = {
    aux: (k, v) => aux.push([k, v]),
    selectDb: (index) => db = index,
    entry: (key, value, expireAt, idle, freq) =>
      keys.push({ db, key, value: describe(value), expireAt, idle, freq }),
  };
  const { end } = parseRdb(bytes, sink, limits);
  return { aux, keys, end };
}

function zsetOf(entries: [string, number][], listpack: boolean): SortedSetValue {
  const z = new SortedSetValue();
  for (const [m, s] of entries) z.insert(m, s);
  z.listpack = listpack;
  return z;
}

function hashOf(pairs: [string, string][], limits = LIMITS): HashValue {
  const h = new HashValue();
  for (const [f, v] of pairs) h.set(f, v, limits);
  return h;
}

/** A value of every type and encoding, with keys naming them. */
function sampleValues(): [string, Value][] {
  const longList = ListValue.from(Array.from({ length: 5000 }, (_, i) => `item:${i}`));
  const bigHash = hashOf(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]));
  const bigZset = zsetOf(Array.from({ length: 300 }, (_, i) => [`m${i}`, i / 7]), false);
  return [
    ["int", "12345"],
    ["negative", "-2147483648"],
    ["int64", "9223372036854775807"],
    ["not-canonical", "0012"],
    ["empty", ""],
    ["binary", "\x00\xff\r\n\x80 bytes"],
    ["compressible", "abc".repeat(1000)],
    [
      "incompressible",
      Array.from({ length: 300 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(""),
    ],
    ["list", ListValue.from(["a", "1", "-1", "x".repeat(100), ""])],
    ["long-list", longList],
    ["hash", hashOf([["field", "value"], ["n", "42"]])],
    ["big-hash", bigHash],
    ["intset", SetValue.from(["3", "-70000", "9999999999"], 512)],
    ["set", SetValue.from(["a", "b", "1"], 512)],
    ["zset", zsetOf([["a", 1], ["b", 2.5], ["c", -Infinity], ["d", 1e20], ["e", Infinity]], true)],
    ["big-zset", bigZset],
    ["typed-int", new TypedValue(42)],
    ["typed-double", new TypedValue({ kind: "double", value: 1.5 })],
    ["typed-true", new TypedValue(true)],
    ["typed-array", new TypedValue(["a", 1, null, [{ kind: "simple", value: "ok" }]])],
    [
      "typed-map",
      new TypedValue({ kind: "map", entries: [["k", { kind: "set", items: [1, 2] }]] }),
    ],
  ];
}

Deno.test("parseRdb reads back every type and encoding RdbWriter writes, with TTLs and databases", () => {
  for (const compression of [true, false]) {
    const writer = new RdbWriter({ compression, checksum: true });
    writer.header([["redis-ver", "7.0.15"], ["redis-bits", 64], ["ctime", 1700000000]]);
    const values = sampleValues();
    writer.selectDb(0, values.length, 2);
    const expected: Loaded[] = [];
    values.forEach(([key, value], i) => {
      const expireAt = i === 0 ? 1700000000123 : i === 1 ? 2n ** 62n : undefined;
      const idle = i === 2 ? 1234567 : undefined;
      const freq = i === 3 ? 200 : undefined;
      writer.entry(key, value, expireAt, idle, freq);
      expected.push({ db: 0, key, value: describe(value), expireAt, idle, freq });
    });
    writer.selectDb(3, 1, 0);
    writer.entry("in-db-3", "x");
    writer.selectDb(0, values.length, 2);
    writer.entry("back-in-0", "y");
    writer.end();
    const { aux, keys } = load(writer.take());
    expected.push(
      {
        db: 3,
        key: "in-db-3",
        value: ["string", "x"],
        expireAt: undefined,
        idle: undefined,
        freq: undefined,
      },
      {
        db: 0,
        key: "back-in-0",
        value: ["string", "y"],
        expireAt: undefined,
        idle: undefined,
        freq: undefined,
      },
    );
    assertEquals(aux, [["redis-ver", "7.0.15"], ["redis-bits", "64"], ["ctime", "1700000000"]]);
    assertEquals(keys, expected);
  }
});

Deno.test("RdbWriter's output is the same taken in pieces as at once, checksum included", () => {
  const write = (pieces: boolean): Uint8Array => {
    const writer = new RdbWriter({ compression: true, checksum: true });
    const chunks: Uint8Array[] = [];
    writer.header([["redis-ver", "7.0.15"]]);
    writer.selectDb(0, 3000, 0);
    for (let i = 0; i < 3000; i++) {
      writer.entry(`key:${i}`, `value:${i}`.repeat(i % 10));
      if (pieces && i % 100 === 0) chunks.push(writer.take());
    }
    writer.end();
    chunks.push(writer.take());
    assertEquals(writer.length, 0);
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let p = 0;
    for (const c of chunks) (out.set(c, p), p += c.length);
    return out;
  };
  const whole = write(false);
  assertEquals(write(true), whole);
  assertEquals(load(whole).keys.length, 3000);
});

Deno.test("parseRdb checks the checksum, except a zero one, and says where the RDB ends", () => {
  const writer = new RdbWriter({ compression: false, checksum: true });
  writer.header([]);
  writer.selectDb(0, 1, 0);
  writer.entry("k", "v");
  writer.end();
  const file = writer.take();
  const aof = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");
  const withTail = new Uint8Array([...file, ...aof]);
  assertEquals(load(withTail).end, file.length);

  const corrupt = file.slice();
  corrupt[corrupt.length - 12]! ^= 0x20; // the value's byte
  try {
    load(corrupt);
    throw new Error("a corrupt file loaded");
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    assertEquals(e.message.startsWith("Wrong RDB checksum expected: ("), true, e.message);
    assertEquals(e.message.endsWith(". Aborting now."), true);
    assertEquals(e.offset, file.length - 8);
  }

  const unchecked = new RdbWriter({ compression: false, checksum: false });
  unchecked.header([]);
  unchecked.selectDb(0, 1, 0);
  unchecked.entry("k", "v");
  unchecked.end();
  const zero = unchecked.take();
  assertEquals([...zero.subarray(zero.length - 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  zero[zero.length - 10]! ^= 0x20; // corrupt, but nobody checks
  assertEquals(load(zero).keys.length, 1);
});

/** The RdbError parsing `bytes` throws: [message, offset]. */
function errorOf(bytes: Uint8Array | number[], limits = LIMITS): [string, number] {
  try {
    load(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), limits);
  } catch (e) {
    if (e instanceof RdbError) return [e.message, e.offset];
    throw e;
  }
  throw new Error("parsed without an error");
}

const MAGIC = Array.from("REDIS0010", (c) => c.charCodeAt(0));
/** An image of version 10 with `body` after the magic, EOF and a zero checksum. */
function image(body: number[]): number[] {
  return [...MAGIC, ...body, 0xff, 0, 0, 0, 0, 0, 0, 0, 0];
}

Deno.test("parseRdb reports bad images in Redis's words, with the offset", () => {
  assertEquals(errorOf(Array.from("RADIS0010", (c) => c.charCodeAt(0))), [
    "Wrong signature trying to load DB from file",
    0,
  ]);
  assertEquals(errorOf(Array.from("REDIS0011", (c) => c.charCodeAt(0))), [
    "Can't handle RDB format version 11",
    5,
  ]);
  assertEquals(errorOf(Array.from("REDIS0010", (c) => c.charCodeAt(0))), [
    "Unexpected EOF reading RDB file",
    9,
  ]);
  assertEquals(errorOf([...MAGIC, 0, 1, 107, 5, 104]), ["Unexpected EOF reading RDB file", 13]);
  assertEquals(errorOf(image([8, 1, 107, 1, 118])), ["Unknown RDB encoding type 8", 9]);
  assertEquals(errorOf(image([0, 1, 107, 0xc5])), ["Unknown RDB string encoding type 5", 13]);
  assertEquals(errorOf(image([0, 1, 107, 0x82])), [
    "Unknown length encoding 2 in rdbLoadLen()",
    12,
  ]);
  // A set with a member twice, an intset out of order, a listpack hash with a field twice.
  assertEquals(errorOf(image([2, 1, 115, 2, 1, 97, 1, 97])), [
    "Duplicate set members detected",
    17,
  ]);
  const intset = [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 3, 0];
  assertEquals(
    errorOf(image([11, 1, 115, ...rdbString(new Uint8Array(intset))]))[0],
    "Intset integrity check failed.",
  );
  assertEquals(
    errorOf(image([4, 1, 104, 2, 1, 102, 1, 118, 1, 102, 1, 119]))[0],
    "Duplicate hash fields detected",
  );
  // An LZF string whose stream is not what it claims.
  assertEquals(
    errorOf(image([0, 1, 107, 0xc3, 3, 10, 0, 97, 0xe0]))[0],
    "Invalid LZF compressed string",
  );
  // A zset with a NaN score, and streams and modules, which we cannot load.
  const nan = [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
  assertEquals(errorOf(image([5, 1, 122, 1, 1, 97, ...nan]))[0], "Zset with NAN score detected");
  assertEquals(
    errorOf(image([19, 1, 120, 0]))[0],
    "Can't load a stream (RDB type 19): streams are not supported",
  );
  assertEquals(
    errorOf(image([7, 1, 109, 0x81, 0x45, 0xe2, 0x52, 0x38, 0xdf, 0x91, 0x2c, 0x03]))[0],
    "The RDB file contains module data I can't load: no matching module type 'ReJSON-RL'",
  );
});

Deno.test("parseRdb gives loaded values the encodings Redis gives them under the thresholds", () => {
  const writer = new RdbWriter({ compression: false, checksum: false });
  writer.header([]);
  writer.selectDb(0, 5, 0);
  writer.entry("hash", hashOf(Array.from({ length: 10 }, (_, i) => [`f${i}`, "v"])));
  writer.entry("hashtable", hashOf([["f", "v".repeat(100)]]));
  writer.entry("zset", zsetOf([["a", 1], ["b", 2], ["c", 3]], true));
  writer.entry("skiplist", zsetOf([["a", 1]], false));
  writer.entry("intset", SetValue.from(["1", "2", "3", "4"], 512));
  writer.end();
  const bytes = writer.take();
  const small: EncodingLimits = {
    hashMaxListpackEntries: 5,
    hashMaxListpackValue: 200,
    setMaxIntsetEntries: 3,
    zsetMaxListpackEntries: 2,
    zsetMaxListpackValue: 64,
  };
  const encodings = load(bytes, small).keys.map((k) => [k.key, (k.value as unknown[])[1]]);
  assertEquals(encodings, [
    ["hash", "hashtable"], // 10 fields > 5
    ["hashtable", "listpack"], // a hashtable small enough is a listpack again
    ["zset", "skiplist"], // 3 members > 2
    ["skiplist", "listpack"],
    ["intset", "hashtable"], // 4 members > 3
  ]);
});

Deno.test("parseRdb skips empty collections, as Redis does", () => {
  const emptyListpack = [7, 0, 0, 0, 0, 0, 0xff];
  const keys = load(
    new Uint8Array(image([
      0,
      1,
      97,
      1,
      98, // a: "b"
      1,
      1,
      108,
      0, // an empty list
      2,
      1,
      115,
      0, // an empty set
      16,
      1,
      104,
      ...rdbString(new Uint8Array(emptyListpack)), // an empty listpack hash
      18,
      1,
      113,
      1,
      2,
      ...rdbString(new Uint8Array(emptyListpack)), // a quicklist of nothing
      0,
      1,
      99,
      1,
      100, // c: "d"
    ])),
  ).keys;
  assertEquals(keys.map((k) => k.key), ["a", "c"]);
});

Deno.test("parseRdb reads the old formats: ziplists, zipmaps, quicklist v1, text scores", () => {
  const list = ziplist(["a", { int: 5, enc: "imm" }, { int: 70000, enc: "24" }]);
  const keys = load(
    new Uint8Array([
      ...Array.from("REDIS0006", (c) => c.charCodeAt(0)),
      0xfe,
      0, // SELECTDB 0
      0xfd,
      0x10,
      0x27,
      0,
      0, // EXPIRETIME 10000 s
      10,
      1,
      108,
      ...rdbString(list),
      14,
      1,
      113,
      2,
      ...rdbString(list),
      ...rdbString(ziplist(["z"])),
      13,
      1,
      104,
      ...rdbString(ziplist(["f", "v", "n", { int: -1, enc: "8" }])),
      9,
      1,
      109,
      ...rdbString(zipmap([["name", "old"]], 2)),
      12,
      1,
      122,
      ...rdbString(ziplist(["m", "1.5", "n", { int: 2, enc: "imm" }])),
      3,
      1,
      116,
      2,
      1,
      97,
      3,
      50,
      46,
      53,
      1,
      98,
      254, // zset: a 2.5, b inf
      1,
      1,
      76,
      2,
      1,
      120,
      0xc0,
      7, // list: "x", 7
      0xff,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]),
  ).keys;
  assertEquals(keys.map((k) => [k.key, k.value, k.expireAt]), [
    ["l", ["list", ["a", "5", "70000"]], 10000000],
    ["q", ["list", ["a", "5", "70000", "z"]], undefined],
    ["h", ["hash", "listpack", [["f", "v"], ["n", "-1"]]], undefined],
    ["m", ["hash", "listpack", [["name", "old"]]], undefined],
    ["z", ["zset", "listpack", [["m", 1.5], ["n", 2]]], undefined],
    ["t", ["zset", "listpack", [["a", 2.5], ["b", Infinity]]], undefined],
    ["L", ["list", ["x", "7"]], undefined],
  ]);
});

Deno.test("dumpPayload and restorePayload round-trip every type and encoding", () => {
  for (const [key, value] of sampleValues()) {
    const bytes = dumpPayload(value, true);
    assertEquals([bytes[bytes.length - 10], bytes[bytes.length - 9]], [RDB_VERSION, 0]);
    const back = restorePayload(bytes, LIMITS);
    if (value instanceof TypedValue) {
      // DUMP has no room for types: a scalar comes back as its text, an aggregate as RESP3.
      assertEquals(typeof back, "string", key);
    } else {
      assertEquals(describe(back), describe(value), key);
    }
  }
  assertEquals(restorePayload(dumpPayload(new TypedValue(42), true), LIMITS), "42");
  assertEquals(
    restorePayload(dumpPayload(new TypedValue(["a", 1]), true), LIMITS),
    "*2\r\n$1\r\na\r\n:1\r\n",
  );
});

/** The CommandError restorePayload throws for `bytes`. */
function restoreError(bytes: Uint8Array): string {
  try {
    restorePayload(bytes, LIMITS);
  } catch (e) {
    if (e instanceof CommandError) return e.message;
    throw e;
  }
  throw new Error("restored without an error");
}

Deno.test("restorePayload answers Redis's errors for bad versions, checksums and data", () => {
  const good = dumpPayload("hello", false);
  const wrong = "ERR DUMP payload version or checksum are wrong";
  assertEquals(restoreError(good.subarray(0, 9)), wrong);
  const flipped = good.slice();
  flipped[2]! ^= 1;
  assertEquals(restoreError(flipped), wrong);
  assertEquals(restoreError(payload([0, 1, 120], 11)), wrong);
  const bad = "ERR Bad data format";
  assertEquals(restoreError(payload([8, 1, 120])), bad); // no such type
  assertEquals(restoreError(payload([0, 30, 120])), bad); // longer than the payload
  // A string may run into the footer, as in Redis (whose reader does not stop before it).
  const intoFooter = payload([0, 5, 120], 10);
  assertEquals(restorePayload(intoFooter, LIMITS), latin1Decode(intoFooter, 2, 7));
  assertEquals(restoreError(payload([1, 0])), bad); // an empty list
  assertEquals(restoreError(payload([255])), bad); // an opcode, not a type
  // Old versions are fine.
  assertEquals(restorePayload(payload([0, 1, 120], 1), LIMITS), "x");
  assertEquals(
    describe(restorePayload(payload([10, ...rdbString(ziplist(["a", "b"]))], 6), LIMITS)),
    ["list", ["a", "b"]],
  );
});

Deno.test("quicklistNodeStarts fills 8 KiB nodes from the head for RPUSH, from the tail for LPUSH", () => {
  const list = ListValue.from(Array.from({ length: 3000 }, (_, i) => `element-${i}`));
  const forward = quicklistNodeStarts(list);
  const backward = quicklistNodeStarts(list, true);
  assertEquals(forward[0], 0);
  assertEquals(forward[forward.length - 1], 3000);
  assertEquals(backward[0], 0);
  assertEquals(backward[backward.length - 1], 3000);
  // Full nodes hold about 8 KiB / 14 bytes; the partial one is the last or the first.
  const sizes = (starts: number[]) => starts.slice(1).map((s, i) => s - starts[i]!);
  const f = sizes(forward);
  const b = sizes(backward);
  assertEquals(f.slice(0, -1).every((n) => n === f[0]), false, "element sizes vary by digits");
  assertEquals(f[f.length - 1]! < f[0]!, true);
  assertEquals(b[0]! < b[b.length - 1]!, true);
  assertEquals(quicklistNodeStarts(ListValue.from(["one"])), [0, 1]);
});
