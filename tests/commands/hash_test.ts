/**
 * Differential tests of the hash commands: each script runs on our server and on a real
 * redis-server 7.0, and every reply must be byte-identical. Small hashes list their fields in
 * insertion order in both servers (Redis's listpack), so their HGETALL is compared as bytes;
 * large ones are compared ignoring order. HRANDFIELD's picks are random: its deterministic
 * cases (whole hash, one field, errors) are compared as bytes, the rest checked by properties
 * on both servers. The encodings (listpack or hashtable) are compared with OBJECT ENCODING's.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  parseReply,
  RawSession,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
  unordered,
} from "../_util.ts";
import { randomReplyTooLarge } from "../../src/commands/args.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** A step switching the session to RESP3 (HELLO's reply holds versions that differ). */
const resp3: ScriptStep = { cmd: ["HELLO", "3"], normalize: () => "hello" };

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

/** HSET arguments for `n` fields `f0..` with values `v0..`. */
function fieldsAndValues(n: number, prefix = "f"): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}${i}`, `v${i}`);
  return out;
}

Deno.test({
  name: "HSET, HMSET, HSETNX, HGET and HMGET store and read fields as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HSET", "h", "a", "1"],
      ["HSET", "h", "a", "2", "b", "3"],
      ["HSET", "h", "c", "4", "c", "5", "d", "6"],
      ["HGET", "h", "a"],
      ["HGET", "h", "c"],
      ["HGET", "h", "missing"],
      ["HGET", "nokey", "a"],
      ["HMSET", "h", "e", "7", "a", "8"],
      ["HMSET", "fresh", "x", "y"],
      ["HMGET", "h", "a", "missing", "b", "e", "a"],
      ["HMGET", "nokey", "a", "b"],
      ["HSETNX", "h", "a", "new"],
      ["HGET", "h", "a"],
      ["HSETNX", "h", "z", "new"],
      ["HGET", "h", "z"],
      ["HSETNX", "nx", "f", "v"],
      ["HGETALL", "nx"],
      ["HSET", "bin", "", ""],
      ["HSET", "bin", "\r\n\0\xff", "x\r\ny\0"],
      ["HGET", "bin", ""],
      ["HGET", "bin", "\r\n\0\xff"],
      ["HGETALL", "bin"],
      ["HSET", "h", "A", "case"],
      ["HGET", "h", "A"],
      ["hset", "lower", "f", "v"],
      ["hGeT", "lower", "f"],
      ["HSET", "h", "odd"],
      ["HSET", "h", "a", "1", "b"],
      ["HMSET", "h", "a", "1", "b"],
      ["HSET", "nokey2", "a", "1", "b"],
      ["EXISTS", "nokey2"],
      ["HGETALL", "h"],
      ["TYPE", "h"],
    ]);
  },
});

Deno.test({
  name: "HLEN, HEXISTS and HSTRLEN answer as Redis does, missing keys included",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HLEN", "h"],
      ["HEXISTS", "h", "a"],
      ["HSTRLEN", "h", "a"],
      ["HSET", "h", "a", "hello", "n", "-12345", "e", "", "big", "x".repeat(1000)],
      ["HLEN", "h"],
      ["HEXISTS", "h", "a"],
      ["HEXISTS", "h", "zz"],
      ["HSTRLEN", "h", "a"],
      ["HSTRLEN", "h", "n"],
      ["HSTRLEN", "h", "e"],
      ["HSTRLEN", "h", "big"],
      ["HSTRLEN", "h", "zz"],
      ["HSET", "h", "n", "9223372036854775807"],
      ["HSTRLEN", "h", "n"],
    ]);
  },
});

Deno.test({
  name: "HGETALL, HKEYS and HVALS list small hashes in Redis's order, in RESP2 and RESP3",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HGETALL", "nokey"],
      ["HKEYS", "nokey"],
      ["HVALS", "nokey"],
      ["HSET", "h", "z", "1", "a", "2", "m", "3"],
      ["HGETALL", "h"],
      ["HKEYS", "h"],
      ["HVALS", "h"],
      // Updating keeps the field's place; deleting and adding again moves it last.
      ["HSET", "h", "z", "updated"],
      ["HDEL", "h", "a"],
      ["HSET", "h", "a", "again"],
      ["HGETALL", "h"],
      ["HKEYS", "h"],
      ["HVALS", "h"],
      ["HSET", "one", "f", "v"],
      resp3,
      ["HGETALL", "nokey"],
      ["HKEYS", "nokey"],
      ["HVALS", "nokey"],
      ["HGETALL", "h"],
      ["HGETALL", "one"],
      ["HKEYS", "h"],
      ["HVALS", "h"],
      ["HGET", "h", "missing"],
      ["HGET", "nokey", "a"],
      ["HMGET", "h", "z", "missing"],
      ["HMGET", "nokey", "a"],
    ]);
  },
});

Deno.test({
  name: "Large hashes answer HGETALL, HKEYS and HVALS with the same contents as Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HSET", "big", ...fieldsAndValues(300)],
      ["HLEN", "big"],
      unordered(["HGETALL", "big"], 2),
      unordered(["HKEYS", "big"]),
      unordered(["HVALS", "big"]),
      ["HDEL", "big", "f0", "f150", "f299", "nope"],
      ["HSET", "big", "f0", "back"],
      ["HLEN", "big"],
      unordered(["HGETALL", "big"], 2),
      ["HMGET", "big", "f0", "f1", "f150", "f298"],
      ["HSET", "long", "f", "v".repeat(100), "g", "w"],
      unordered(["HGETALL", "long"], 2),
      resp3,
      unordered(["HGETALL", "big"]),
      unordered(["HKEYS", "big"]),
    ]);
  },
});

Deno.test({
  name: "HDEL removes fields, counts them once and deletes the key with its last field",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HDEL", "nokey", "a"],
      ["HSET", "h", "a", "1", "b", "2", "c", "3"],
      ["HDEL", "h", "a", "a", "zz"],
      ["HLEN", "h"],
      ["HGETALL", "h"],
      ["HDEL", "h", "b", "c", "b", "zz"],
      ["EXISTS", "h"],
      ["TYPE", "h"],
      ["HGETALL", "h"],
      ["HSET", "t", "f", "v"],
      ["EXPIRE", "t", "100"],
      ["HDEL", "t", "f"],
      ["TTL", "t"],
      ["HSET", "t", "f", "v"],
      ["TTL", "t"],
      ["HSET", "big", ...fieldsAndValues(200)],
      ["HDEL", "big", ...fieldsAndValues(200).filter((_, i) => i % 2 === 0)],
      ["EXISTS", "big"],
    ]);
  },
});

Deno.test({
  name: "HINCRBY adds, refuses non-integers and overflow, and keeps the TTL as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HINCRBY", "h", "n", "5"],
      ["HINCRBY", "h", "n", "-12"],
      ["HGET", "h", "n"],
      ["HINCRBY", "h", "n", "0"],
      ["HINCRBY", "h", "big", "9223372036854775807"],
      ["HINCRBY", "h", "big", "1"],
      ["HINCRBY", "h", "big", "-1"],
      ["HINCRBY", "h", "small", "-9223372036854775808"],
      ["HINCRBY", "h", "small", "-1"],
      ["HINCRBY", "h", "small", "9223372036854775807"],
      ["HINCRBY", "h", "n", "999999999999999"],
      ["HINCRBY", "h", "n", "999999999999999"],
      ["HINCRBY", "h", "n", "-9999999999999999"],
      ["HSET", "h", "s", "abc", "sp", " 1", "z", "01", "neg0", "-0", "f", "1.5", "e", ""],
      ["HINCRBY", "h", "s", "1"],
      ["HINCRBY", "h", "sp", "1"],
      ["HINCRBY", "h", "z", "1"],
      ["HINCRBY", "h", "neg0", "1"],
      ["HINCRBY", "h", "f", "1"],
      ["HINCRBY", "h", "e", "1"],
      ["HINCRBY", "h", "n", "abc"],
      ["HINCRBY", "h", "n", "1.0"],
      ["HINCRBY", "h", "n", "9223372036854775808"],
      ["HINCRBY", "h", "n", "-0"],
      ["HINCRBY", "h", "n", ""],
      ["HINCRBY", "fresh", "f", "x"],
      ["EXISTS", "fresh"],
      ["HSET", "t", "n", "1"],
      ["EXPIRE", "t", "100"],
      ["HINCRBY", "t", "n", "1"],
      ["TTL", "t"],
      ["HGETALL", "h"],
    ]);
  },
});

Deno.test({
  name: "HINCRBYFLOAT computes in long double and refuses what Redis refuses",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HINCRBYFLOAT", "h", "x", "0.1"],
      ["HINCRBYFLOAT", "h", "x", "0.2"],
      ["HGET", "h", "x"],
      ["HINCRBYFLOAT", "h", "x", "-0.3"],
      ["HINCRBYFLOAT", "h", "y", "1e3"],
      ["HINCRBYFLOAT", "h", "y", "1.5e-3"],
      ["HINCRBYFLOAT", "h", "y", "0x10"],
      ["HINCRBYFLOAT", "h", "y", "-1001.5015"],
      ["HINCRBYFLOAT", "h", "huge", "1e300"],
      ["HINCRBYFLOAT", "h", "tiny", "-1e-20"],
      ["HINCRBYFLOAT", "h", "n", "1"],
      ["HSET", "h", "i", "10", "s", "abc", "inf", "inf", "sp", " 1", "e", ""],
      ["HINCRBYFLOAT", "h", "i", "2.5"],
      ["HINCRBYFLOAT", "h", "s", "1"],
      ["HINCRBYFLOAT", "h", "sp", "1"],
      ["HINCRBYFLOAT", "h", "e", "1"],
      ["HINCRBYFLOAT", "h", "inf", "1"],
      ["HINCRBYFLOAT", "h", "x", "inf"],
      ["HINCRBYFLOAT", "h", "x", "-infinity"],
      ["HINCRBYFLOAT", "h", "x", "nan"],
      ["HINCRBYFLOAT", "h", "x", "abc"],
      ["HINCRBYFLOAT", "h", "x", ""],
      ["HINCRBYFLOAT", "h", "x", "1e5000"],
      ["HINCRBYFLOAT", "h", "max", "1e4900"],
      ["HINCRBYFLOAT", "h", "max", "1e4932"],
      ["HINCRBYFLOAT", "fresh", "f", "x"],
      ["EXISTS", "fresh"],
      ["HSET", "t", "n", "1"],
      ["EXPIRE", "t", "100"],
      ["HINCRBYFLOAT", "t", "n", "1.25"],
      ["TTL", "t"],
      unordered(["HGETALL", "h"], 2),
    ]);
  },
});

Deno.test({
  name: "Every hash command answers WRONGTYPE for another type, after its argument errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "s", "x"],
      ["HSET", "s", "a", "1"],
      ["HSET", "s", "a"],
      ["HMSET", "s", "a", "1"],
      ["HSETNX", "s", "a", "1"],
      ["HGET", "s", "a"],
      ["HMGET", "s", "a"],
      ["HDEL", "s", "a"],
      ["HLEN", "s"],
      ["HSTRLEN", "s", "a"],
      ["HEXISTS", "s", "a"],
      ["HGETALL", "s"],
      ["HKEYS", "s"],
      ["HVALS", "s"],
      ["HINCRBY", "s", "a", "1"],
      ["HINCRBY", "s", "a", "x"],
      ["HINCRBYFLOAT", "s", "a", "1"],
      ["HINCRBYFLOAT", "s", "a", "x"],
      ["HINCRBYFLOAT", "s", "a", "inf"],
      ["HRANDFIELD", "s"],
      ["HRANDFIELD", "s", "1"],
      ["HRANDFIELD", "s", "-1", "WITHVALUES"],
      ["HRANDFIELD", "s", "x"],
      ["HRANDFIELD", "s", "1", "x"],
      ["HSCAN", "s", "0"],
      ["HSCAN", "s", "x"],
      ["HSCAN", "s", "0", "COUNT", "0"],
      ["GET", "s"],
    ]);
  },
});

Deno.test({
  name: "The hash commands refuse wrong argument counts with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ...arityErrors("HSET", [1, 2, 3]),
      ...arityErrors("HMSET", [1, 2, 3]),
      ...arityErrors("HSETNX", [1, 2, 3, 5]),
      ...arityErrors("HGET", [1, 2, 4]),
      ...arityErrors("HMGET", [1, 2]),
      ...arityErrors("HDEL", [1, 2]),
      ...arityErrors("HLEN", [1, 3]),
      ...arityErrors("HSTRLEN", [1, 2, 4]),
      ...arityErrors("HEXISTS", [1, 2, 4]),
      ...arityErrors("HGETALL", [1, 3]),
      ...arityErrors("HKEYS", [1, 3]),
      ...arityErrors("HVALS", [1, 3]),
      ...arityErrors("HINCRBY", [1, 2, 3, 5]),
      ...arityErrors("HINCRBYFLOAT", [1, 2, 3, 5]),
      ...arityErrors("HRANDFIELD", [1]),
      ...arityErrors("HSCAN", [1, 2]),
    ]);
  },
});

Deno.test({
  name: "HRANDFIELD's deterministic answers and errors are Redis's, in RESP2 and RESP3",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["HRANDFIELD", "nokey"],
      ["HRANDFIELD", "nokey", "3"],
      ["HRANDFIELD", "nokey", "-3", "WITHVALUES"],
      ["HRANDFIELD", "nokey", "0", "foo"],
      ["HRANDFIELD", "nokey", "-9223372036854775808"],
      // Redis answers these without building a reply: the size rule comes after them.
      ["HRANDFIELD", "nokey", "-9223372036854775807"],
      ["SET", "str", "v"],
      ["HRANDFIELD", "str", "-9223372036854775807"],
      ["HRANDFIELD", "str", "-4611686018427387903", "WITHVALUES"],
      ["HSET", "one", "f", "v"],
      ["HSET", "h", "c", "3", "a", "1", "b", "2"],
      ["HRANDFIELD", "one"],
      ["HRANDFIELD", "one", "1"],
      ["HRANDFIELD", "one", "-4"],
      ["HRANDFIELD", "one", "-3", "WITHVALUES"],
      ["HRANDFIELD", "one", "1", "withvalues"],
      ["HRANDFIELD", "h", "0"],
      ["HRANDFIELD", "h", "0", "WITHVALUES"],
      // A count of at least the size answers the whole hash, in its order.
      ["HRANDFIELD", "h", "3"],
      ["HRANDFIELD", "h", "100", "WITHVALUES"],
      ["HRANDFIELD", "h", "9223372036854775807"],
      ["HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"],
      ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
      ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
      ["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
      ["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"],
      ["HRANDFIELD", "h", "-9223372036854775808"],
      ["HRANDFIELD", "h", "9223372036854775808"],
      ["HRANDFIELD", "h", "1.5"],
      ["HRANDFIELD", "h", "x", "WITHVALUES"],
      ["HRANDFIELD", "h", "1", "WITHVALUE"],
      ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
    ];
    await assertSameAsRedis([
      ...script,
      resp3,
      ...script.filter((step) => Array.isArray(step) && step[0] !== "HSET"),
    ]);
  },
});

/** Sends commands on a raw session and parses each reply. */
async function ask(session: RawSession, ...args: string[]): Promise<RespValue | undefined> {
  return parseReply(await session.command(...args));
}

/** The strings of an array reply (failing on anything else). */
function strings(reply: RespValue | undefined): string[] {
  assert(Array.isArray(reply), `expected an array, got ${JSON.stringify(reply)}`);
  return reply.map((item) => {
    assert(typeof item === "string", `expected a string, got ${JSON.stringify(item)}`);
    return item;
  });
}

/** Field `i` of the test hashes is `f<i>` with value `v<i>`. */
function valueOf(field: string): string {
  return `v${field.slice(1)}`;
}

/**
 * Checks HRANDFIELD's properties against a server holding `small` (5 fields) and `big` (1000
 * fields), for each of which field `fN` has value `vN`.
 */
async function checkRandomFieldProperties(port: number): Promise<void> {
  await using s = await RawSession.open(port);
  for (const [key, size] of [["small", 5], ["big", 1000]] as const) {
    const all = new Set(strings(await ask(s, "HKEYS", key)));
    assertEquals(all.size, size);
    const single = await ask(s, "HRANDFIELD", key);
    assert(typeof single === "string" && all.has(single), `${key}: single pick ${single}`);
    for (const count of [1, 2, 3, size - 1, 5, 10, 333, 334]) {
      const picks = strings(await ask(s, "HRANDFIELD", key, String(count)));
      assertEquals(picks.length, Math.min(count, size), `${key} ${count}: length`);
      assertEquals(new Set(picks).size, picks.length, `${key} ${count}: distinct`);
      for (const f of picks) assert(all.has(f), `${key} ${count}: ${f} is no field`);
    }
    // Negative counts may repeat, so 3000 picks of 5 fields must.
    for (const count of [2, 7, 3000]) {
      const picks = strings(await ask(s, "HRANDFIELD", key, String(-count)));
      assertEquals(picks.length, count, `${key} -${count}: length`);
      for (const f of picks) assert(all.has(f), `${key} -${count}: ${f} is no field`);
      if (count > size) assert(new Set(picks).size < count, `${key} -${count}: no repeats`);
    }
    // WITHVALUES: flat field, value pairs in RESP2.
    for (const count of ["4", "-6", "2000"]) {
      const flat = strings(await ask(s, "HRANDFIELD", key, count, "WITHVALUES"));
      const n = Number(count);
      assertEquals(flat.length, 2 * (n < 0 ? -n : Math.min(n, size)), `${key} ${count}: length`);
      for (let i = 0; i < flat.length; i += 2) {
        assert(all.has(flat[i]!), `${key} ${count}: ${flat[i]} is no field`);
        assertEquals(flat[i + 1], valueOf(flat[i]!));
      }
    }
  }
  // RESP3: each pick is a [field, value] pair.
  await s.command("HELLO", "3");
  for (const count of ["3", "-3", "1", "-1"]) {
    const pairs = await ask(s, "HRANDFIELD", "big", count, "WITHVALUES");
    assert(Array.isArray(pairs) && pairs.length === Math.abs(Number(count)));
    for (const pair of pairs) {
      const [field, value] = strings(pair);
      assertEquals(value, valueOf(field!));
    }
  }
}

Deno.test({
  name: "HRANDFIELD picks distinct or repeated fields, with their values, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    for (const port of [ours.port, real.port]) {
      await using s = await RawSession.open(port);
      await s.command("HSET", "small", ...fieldsAndValues(5));
      await s.command("HSET", "big", ...fieldsAndValues(1000));
      await checkRandomFieldProperties(port);
    }
  },
});

/** How often each field came up in `picks`. */
function tally(picks: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of picks) counts.set(f, (counts.get(f) ?? 0) + 1);
  return counts;
}

Deno.test("HRANDFIELD picks every field of a large hash about equally often", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  await s.command("HSET", "h", ...fieldsAndValues(200));
  // 40000 picks with repeats: each field expects 200 (sd ~14); 100..300 is 7 sd away.
  const withRepeats = tally(strings(await ask(s, "HRANDFIELD", "h", "-40000")));
  assertEquals(withRepeats.size, 200);
  for (const [f, n] of withRepeats) assert(n > 100 && n < 300, `${f} picked ${n} times`);
  // Distinct picks of 20 fields (the index path), 2000 times: each field expects 200.
  const picks: string[] = [];
  for (let i = 0; i < 2000; i++) picks.push(...strings(await ask(s, "HRANDFIELD", "h", "20")));
  const distinct = tally(picks);
  assertEquals(distinct.size, 200);
  for (const [f, n] of distinct) assert(n > 100 && n < 300, `${f} picked ${n} times`);
  // Single picks: 2000 draws, nearly all of the fields come up, each at most a handful of times.
  const singles: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const one = await ask(s, "HRANDFIELD", "h");
    assert(typeof one === "string");
    singles.push(one);
  }
  const single = tally(singles);
  assert(single.size > 190, `only ${single.size} distinct fields in 2000 single picks`);
  for (const [f, n] of single) assert(n < 30, `${f} picked ${n} times of 2000`);
});

Deno.test("HRANDFIELD never answers a field deleted after the hash was sampled", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  await s.command("HSET", "h", ...fieldsAndValues(300));
  await s.command("HRANDFIELD", "h", "-5");
  // Replace a third of the fields after the first pick built the index: the size stays 300.
  const gone = Array.from({ length: 100 }, (_, i) => `f${3 * i}`);
  assertEquals(await s.command("HDEL", "h", ...gone), ":100\r\n");
  await s.command("HSET", "h", ...fieldsAndValues(100, "g"));
  const live = new Set(strings(await ask(s, "HKEYS", "h")));
  assertEquals(live.size, 300);
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    for (const f of strings(await ask(s, "HRANDFIELD", "h", "-50"))) {
      assert(live.has(f), `${f} was deleted`);
      seen.add(f);
    }
    for (const f of strings(await ask(s, "HRANDFIELD", "h", "5"))) assert(live.has(f));
    const one = await ask(s, "HRANDFIELD", "h");
    assert(typeof one === "string" && live.has(one));
  }
  assert(seen.size > 290, `only ${seen.size} of 300 fields picked in 2500 draws`);
  assert([...seen].some((f) => f.startsWith("g")), "the added fields are never picked");
});

Deno.test("HRANDFIELD refuses a repeated-fields reply past 512 MB and the connection goes on", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  const refused = `-${randomReplyTooLarge}\r\n`;
  await s.command("HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3");
  const huge = [
    ["-9223372036854775807"],
    ["-4611686018427387903", "WITHVALUES"],
    ["-1000000000000"],
    // 50 M picks of a field ("$2\r\nf1\r\n") and its value would be 800 MB.
    ["-50000000", "WITHVALUES"],
  ];
  for (const version of ["2", "3"]) {
    await s.command("HELLO", version);
    const fields = strings(await ask(s, "HRANDFIELD", "h", "-100000"));
    assertEquals(fields.length, 100000);
    assertEquals(new Set(fields), new Set(["f1", "f2", "f3"]));
    const pairs = await ask(s, "HRANDFIELD", "h", "-100000", "WITHVALUES");
    assert(Array.isArray(pairs));
    assertEquals(pairs.length, version === "2" ? 200000 : 100000);
    for (const args of huge) {
      assertEquals(await s.command("HRANDFIELD", "h", ...args), refused, args.join(" "));
      assertEquals(await s.command("PING"), "+PONG\r\n");
    }
  }
  // The values count: 60,000 picks of a field alone are small, with its 10 kB value 600 MB.
  await s.command("HSET", "big", "f", "x".repeat(10_000));
  assertEquals(strings(await ask(s, "HRANDFIELD", "big", "-60000")).length, 60000);
  assertEquals(await s.command("HRANDFIELD", "big", "-60000", "WITHVALUES"), refused);
  assertEquals(await s.command("HGET", "h", "f1"), "$2\r\nv1\r\n");
});

Deno.test({
  name: "HSCAN answers small hashes whole and refuses bad cursors and options as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["HSCAN", "nokey", "0"],
      ["HSCAN", "nokey", "0", "COUNT", "0"],
      ["HSCAN", "nokey", "x"],
      ["HSET", "h", "b", "1", "a", "2", "ab", "3", "\r\n", "4"],
      ["HSCAN", "h", "0"],
      ["HSCAN", "h", "0", "COUNT", "1"],
      ["HSCAN", "h", "0", "MATCH", "a*"],
      ["HSCAN", "h", "0", "match", "*", "count", "100"],
      ["HSCAN", "h", "0", "MATCH", "zz*"],
      ["HSCAN", "h", "0", "COUNT", "0"],
      ["HSCAN", "h", "0", "COUNT", "-1"],
      ["HSCAN", "h", "0", "COUNT", "x"],
      ["HSCAN", "h", "0", "COUNT"],
      ["HSCAN", "h", "0", "MATCH"],
      ["HSCAN", "h", "0", "NOVALUES"],
      ["HSCAN", "h", "x"],
      ["HSCAN", "h", "-1"],
      ["HSCAN", "h", "18446744073709551616"],
      resp3,
      ["HSCAN", "h", "0"],
      ["HSCAN", "nokey", "0"],
    ]);
  },
});

Deno.test("HSCAN pages through a large hash and returns every field with its value", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  await s.command("HSET", "h", ...fieldsAndValues(1000));
  const seen = new Map<string, string>();
  let cursor = "0";
  let pages = 0;
  do {
    const reply = await ask(s, "HSCAN", "h", cursor, "COUNT", "50");
    assert(Array.isArray(reply) && reply.length === 2);
    cursor = reply[0] as string;
    const flat = strings(reply[1]);
    for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
    pages++;
  } while (cursor !== "0" && pages < 1000);
  assertEquals(seen.size, 1000);
  assert(pages > 1, "a 1000-field hash was answered in one page");
  for (const [f, v] of seen) assertEquals(v, valueOf(f));
});

Deno.test({
  name: "Hashes turn from listpack to hashtable when and as Redis's do, CONFIG SET included",
  ignore: needsRedis(),
  async fn() {
    const long = "x".repeat(65);
    const setups: [string, string[][]][] = [
      ["small", [["HSET", "small", ...fieldsAndValues(128)]]],
      ["many", [["HSET", "many", ...fieldsAndValues(129)]]],
      ["grown", [["HSET", "grown", ...fieldsAndValues(128)], ["HSETNX", "grown", "new", "v"]]],
      ["longvalue", [["HSET", "longvalue", "f", long]]],
      ["longfield", [["HMSET", "longfield", long, "v"]]],
      ["exact", [["HSET", "exact", "x".repeat(64), "x".repeat(64)]]],
      ["incr", [["HINCRBY", "incr", long, "1"]]],
      ["incrfloat", [["HINCRBYFLOAT", "incrfloat", "f", "1e70"]]],
      ["nx", [["HSET", "nx", "f", "v"], ["HSETNX", "nx", "f", long]]],
      ["shrunk", [["HSET", "shrunk", ...fieldsAndValues(129)], ["HDEL", "shrunk", "f0", "f1"]]],
      ["configured", [
        ["CONFIG", "SET", "hash-max-listpack-entries", "2"],
        ["CONFIG", "SET", "hash-max-listpack-value", "3"],
        ["HSET", "configured", "a", "1", "b", "2"],
      ]],
      ["configured3", [["HSET", "configured3", "a", "1", "b", "2", "c", "3"]]],
      ["configuredvalue", [["HSET", "configuredvalue", "a", "1234"]]],
      ["configuredincr", [["HINCRBY", "configuredincr", "a", "1000"]]],
    ];
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    await using o = await RawSession.open(ours.port);
    await using r = await RawSession.open(real.port);
    for (const [key, commands] of setups) {
      for (const command of commands) {
        assertEquals(await o.command(...command), await r.command(...command), command.join(" "));
      }
      const encoding = ["OBJECT", "ENCODING", key];
      assertEquals(
        await o.command(...encoding),
        await r.command(...encoding),
        `encoding of ${key}`,
      );
    }
  },
});
