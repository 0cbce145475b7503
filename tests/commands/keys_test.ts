/**
 * Differential tests of the generic key commands (DEL, EXISTS, the EXPIRE and TTL families,
 * RENAME, COPY, MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, SELECT): each script runs on our server and
 * on a real redis-server 7.0 and every reply must be byte-identical. Replies whose order or
 * timing is unspecified are normalized first (KEYS sorted, SCAN compared as a set of keys,
 * relative TTLs as ranges). The tutorial's DELETE and FLUSH exist only here and are checked
 * against written-out replies.
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
} from "../_util.ts";

/** A step whose integer reply is compared as "within [lo, hi]" rather than byte for byte. */
function intWithin(cmd: string[], lo: number, hi: number): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const m = /^:(-?\d+)\r\n$/.exec(reply);
      if (m === null) return reply;
      const n = Number(m[1]);
      return n >= lo && n <= hi ? `:within [${lo}, ${hi}]` : reply;
    },
  };
}

/** Encodes strings as a RESP array of bulk strings. */
function bulkArray(items: readonly string[]): string {
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join("");
}

/** The strings of a flat array-of-bulk-strings reply, or null for any other reply. */
function arrayItems(reply: string): string[] | null {
  const value = parseReply(reply);
  if (!Array.isArray(value)) return null;
  const items: string[] = [];
  for (const item of value) {
    if (typeof item !== "string") return null;
    items.push(item);
  }
  return items;
}

/** Sorts the elements of an array reply (KEYS), so that order does not matter. */
function sortedArray(reply: string): string {
  const items = arrayItems(reply);
  return items === null ? reply : bulkArray(items.sort());
}

/** A KEYS step compared as a sorted list. */
function keysStep(pattern: string): ScriptStep {
  return { cmd: ["KEYS", pattern], normalize: sortedArray };
}

/**
 * A SCAN step whose cursor is reduced to "zero or not" and whose keys are sorted: for calls
 * where both servers must answer with a page (or the same error), whatever their cursors.
 */
function scanShape(cmd: string[]): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const value = parseReply(reply);
      if (!Array.isArray(value) || value.length !== 2) return reply;
      const [cursor, keys] = value;
      if (typeof cursor !== "string" || !Array.isArray(keys)) return reply;
      return `page (cursor ${cursor === "0" ? "zero" : "nonzero"})`;
    },
  };
}

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

Deno.test({
  name: "DEL and UNLINK count each existing key once, duplicates included, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["DEL", "missing"],
      ["MSET", "a", "1", "b", "2", "c", "3", "d", "4"],
      ["DEL", "a", "a", "missing", "b"],
      ["EXISTS", "a", "b", "c"],
      ["UNLINK", "c", "c", "missing"],
      ["UNLINK", "c"],
      ["DEL", "d"],
      ["DBSIZE"],
      ["SET", "", "empty"],
      ["DEL", ""],
      ["del", "x"],
      ["unlink", "x"],
    ]);
  },
});

Deno.test({
  name: "EXISTS counts duplicates and TYPE names strings and missing keys as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["EXISTS", "a"],
      ["SET", "a", "1"],
      ["EXISTS", "a"],
      ["EXISTS", "a", "a", "a", "missing"],
      ["TYPE", "a"],
      ["TYPE", "missing"],
      ["SET", "n", "42"],
      ["INCR", "n"],
      ["TYPE", "n"],
      ["SET", "e", ""],
      ["TYPE", "e"],
      ["EXISTS", "e", ""],
    ]);
  },
});

Deno.test({
  name: "EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT set TTLs and delete on past times as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7", "h", "8"],
      ["EXPIRE", "a", "100"],
      ["TTL", "a"],
      intWithin(["PTTL", "a"], 99_000, 100_000),
      ["PEXPIRE", "b", "100000"],
      ["TTL", "b"],
      ["EXPIREAT", "c", "4102444800"],
      ["EXPIRETIME", "c"],
      ["PEXPIRETIME", "c"],
      ["PEXPIREAT", "d", "4102444800999"],
      ["PEXPIRETIME", "d"],
      ["EXPIRETIME", "d"],
      ["PEXPIREAT", "d", "4102444800499"],
      ["EXPIRETIME", "d"],
      ["EXPIRE", "missing", "100"],
      ["PEXPIREAT", "missing", "4102444800000"],
      ["EXPIRE", "e", "0"],
      ["EXISTS", "e"],
      ["EXPIRE", "f", "-1"],
      ["EXISTS", "f"],
      ["PEXPIRE", "g", "-100000"],
      ["EXISTS", "g"],
      ["EXPIREAT", "h", "1"],
      ["EXISTS", "h"],
      ["SET", "h", "8"],
      ["PEXPIREAT", "h", "0"],
      ["GET", "h"],
      ["SET", "h", "8"],
      ["EXPIREAT", "h", "-1"],
      ["TYPE", "h"],
      ["SET", "h", "8"],
      ["EXPIRE", "h", "-9223372036854775"],
      ["EXISTS", "h"],
      ["SET", "h", "8"],
      ["PEXPIRE", "h", "-9223372036854775808"],
      ["EXISTS", "h"],
      ["DBSIZE"],
      ["expire", "a", "200"],
      ["TTL", "a"],
    ]);
  },
});

Deno.test({
  name: "the EXPIRE family refuses bad and overflowing times with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [["SET", "k", "v"]];
    for (const cmd of ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]) {
      for (
        const amount of [
          "abc",
          "1.5",
          "",
          " 1",
          "+1",
          "01",
          "-0",
          "9223372036854775808",
          "-9223372036854775809",
          "9223372036854775807",
          "-9223372036854775808",
          "9223372036854775",
          "9223372036854776",
          "-9223372036854776",
          "9223372036854775806",
        ]
      ) {
        steps.push([cmd, "missing", amount]);
        steps.push([cmd, "missing", amount, "XX"]);
      }
    }
    steps.push(["EXISTS", "k"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775807"]);
    steps.push(["PEXPIRETIME", "k"]);
    steps.push(["EXPIRETIME", "k"]);
    steps.push(intWithin(["TTL", "k"], 9223370000000000, 9223372036854776));
    steps.push(["EXPIREAT", "k", "9223372036854775"]);
    steps.push(["PEXPIRETIME", "k"]);
    steps.push(["EXPIRETIME", "k"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775806", "GT"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775806", "LT"]);
    steps.push(["PEXPIRETIME", "k"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775807", "GT"]);
    steps.push(["PEXPIRETIME", "k"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775807", "LT"]);
    steps.push(["PEXPIREAT", "k", "9223372036854775807", "GT"]);
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "EXPIRE NX, XX, GT and LT apply only when Redis applies them",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MSET", "p", "persistent", "v", "volatile"],
      ["EXPIREAT", "v", "4102444800"],
      // NX: only keys without a TTL.
      ["EXPIREAT", "v", "4102444900", "NX"],
      ["EXPIRETIME", "v"],
      ["EXPIREAT", "p", "4102444900", "nx"],
      ["EXPIRETIME", "p"],
      ["PERSIST", "p"],
      // XX: only keys with a TTL.
      ["EXPIREAT", "p", "4102444900", "XX"],
      ["EXPIRETIME", "p"],
      ["EXPIREAT", "v", "4102445000", "xx"],
      ["EXPIRETIME", "v"],
      // GT: a persistent key's TTL counts as infinite.
      ["EXPIREAT", "p", "4102444900", "GT"],
      ["EXPIRETIME", "p"],
      ["EXPIREAT", "v", "4102445000", "GT"],
      ["EXPIREAT", "v", "4102444999", "GT"],
      ["EXPIREAT", "v", "4102445001", "Gt"],
      ["EXPIRETIME", "v"],
      // LT: a persistent key always accepts.
      ["EXPIREAT", "v", "4102445001", "LT"],
      ["EXPIREAT", "v", "4102445002", "LT"],
      ["EXPIREAT", "v", "4102444000", "lt"],
      ["EXPIRETIME", "v"],
      ["EXPIREAT", "p", "4102444900", "LT"],
      ["EXPIRETIME", "p"],
      ["PERSIST", "p"],
      ["EXPIRE", "p", "-1", "LT"],
      ["EXISTS", "p"],
      ["SET", "p", "again"],
      ["EXPIRE", "p", "-1", "GT"],
      ["EXISTS", "p"],
      ["EXPIRE", "v", "-1", "NX"],
      ["EXISTS", "v"],
      ["EXPIRE", "v", "-1", "XX"],
      ["EXISTS", "v"],
      // GT and LT together with XX are allowed.
      ["SET", "w", "1"],
      ["EXPIREAT", "w", "4102444800", "XX", "GT"],
      ["EXPIREAT", "w", "4102444800", "LT", "XX"],
      ["EXPIRETIME", "w"],
      ["EXPIREAT", "w", "4102444800", "XX", "GT"],
      ["EXPIREAT", "w", "4102444801", "XX", "GT"],
      ["EXPIREAT", "w", "4102444801", "NX", "NX"],
      ["EXPIREAT", "w", "4102444802", "GT", "GT"],
      ["EXPIRETIME", "w"],
      ["EXPIRE", "missing", "100", "NX"],
      ["EXPIRE", "missing", "100", "GT"],
      ["EXPIRE", "missing", "100", "LT"],
    ]);
  },
});

Deno.test({
  name: "EXPIRE option conflicts and unsupported options get Redis's errors, before the time",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [["SET", "k", "v"]];
    for (const cmd of ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]) {
      steps.push(
        [cmd, "k", "100", "NX", "XX"],
        [cmd, "k", "100", "XX", "NX"],
        [cmd, "k", "100", "NX", "GT"],
        [cmd, "k", "100", "LT", "NX"],
        [cmd, "k", "100", "GT", "LT"],
        [cmd, "k", "100", "NX", "GT", "LT"],
        [cmd, "k", "100", "GT", "LT", "NX"],
        [cmd, "k", "100", "FOO"],
        [cmd, "k", "100", "NX", "FOO", "XX"],
        [cmd, "k", "100", "NX", "XX", "FOO"],
        [cmd, "k", "abc", "FOO"],
        [cmd, "k", "abc", "NX", "XX"],
        [cmd, "k", "9223372036854775807", "GT", "LT"],
        [cmd, "missing", "100", "NX", "XX"],
        [cmd, "missing", "100", "BAR"],
        [cmd, "k", "100", ""],
        [cmd, "k", "100", "nxx"],
        [cmd, "k", "100", "a\r\nb"],
        [cmd, "k", "100", "a\x00b"],
        [cmd, "k", "100", "\xff\xfe"],
        [cmd, "k", "100", "x".repeat(300)],
      );
    }
    steps.push(["TTL", "k"]);
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "TTL, PTTL, EXPIRETIME and PEXPIRETIME answer for missing, persistent and volatile keys",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["TTL", "missing"],
      ["PTTL", "missing"],
      ["EXPIRETIME", "missing"],
      ["PEXPIRETIME", "missing"],
      ["SET", "p", "v"],
      ["TTL", "p"],
      ["PTTL", "p"],
      ["EXPIRETIME", "p"],
      ["PEXPIRETIME", "p"],
      ["SET", "v", "x", "PXAT", "4102444800250"],
      ["EXPIRETIME", "v"],
      ["PEXPIRETIME", "v"],
      intWithin(["TTL", "v"], 2_300_000_000, 2_400_000_000),
      intWithin(["PTTL", "v"], 2_300_000_000_000, 2_400_000_000_000),
      ["SET", "r", "x", "PXAT", "4102444800500"],
      ["EXPIRETIME", "r"],
      ["SET", "s", "x", "EX", "1000"],
      ["TTL", "s"],
      intWithin(["PTTL", "s"], 999_000, 1_000_000),
      ["SET", "t", "x", "PX", "1499"],
      ["TTL", "t"],
      ["SET", "t", "x", "PX", "1700"],
      ["TTL", "t"],
    ]);
  },
});

Deno.test({
  name: "PERSIST removes a TTL and answers 1 only when there was one",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["PERSIST", "missing"],
      ["SET", "k", "v"],
      ["PERSIST", "k"],
      ["EXPIRE", "k", "100"],
      ["PERSIST", "k"],
      ["TTL", "k"],
      ["PERSIST", "k"],
      ["GET", "k"],
    ]);
  },
});

Deno.test({
  name: "RENAME and RENAMENX move values and TTLs, and refuse missing keys, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RENAME", "missing", "x"],
      ["RENAMENX", "missing", "x"],
      ["RENAME", "missing", "missing"],
      ["RENAMENX", "missing", "missing"],
      ["SET", "a", "1"],
      ["RENAME", "a", "a"],
      ["RENAMENX", "a", "a"],
      ["GET", "a"],
      ["RENAME", "a", "b"],
      ["EXISTS", "a"],
      ["GET", "b"],
      ["SET", "a", "2", "EXAT", "4102444800"],
      ["RENAME", "a", "b"],
      ["GET", "b"],
      ["EXPIRETIME", "b"],
      ["SET", "c", "3"],
      ["RENAME", "c", "b"],
      ["TTL", "b"],
      ["GET", "b"],
      ["SET", "d", "4", "EXAT", "4102444801"],
      ["RENAMENX", "d", "b"],
      ["GET", "b"],
      ["EXPIRETIME", "d"],
      ["RENAMENX", "d", "e"],
      ["EXPIRETIME", "e"],
      ["EXISTS", "d"],
      ["RENAME", "e", ""],
      ["GET", ""],
      ["EXPIRETIME", ""],
      ["SET", "f", "5", "PXAT", "9223372036854775807"],
      ["RENAME", "f", "g"],
      ["PEXPIRETIME", "g"],
    ]);
  },
});

Deno.test({
  name: "COPY copies values and TTLs within and across databases as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["COPY", "missing", "x"],
      ["SET", "a", "1", "EXAT", "4102444800"],
      ["COPY", "a", "a"],
      ["COPY", "a", "a", "DB", "0"],
      ["COPY", "a", "a", "DB", "1"],
      ["COPY", "a", "b"],
      ["GET", "b"],
      ["EXPIRETIME", "b"],
      ["SET", "c", "3"],
      ["COPY", "a", "c"],
      ["GET", "c"],
      ["COPY", "a", "c", "REPLACE"],
      ["GET", "c"],
      ["EXPIRETIME", "c"],
      ["COPY", "a", "c", "replace", "REPLACE"],
      ["COPY", "a", "d", "DB", "2"],
      ["COPY", "a", "d", "DB", "2"],
      ["COPY", "missing", "d", "DB", "2", "REPLACE"],
      ["COPY", "a", "e", "DB", "16"],
      ["COPY", "a", "e", "DB", "-1"],
      ["COPY", "a", "e", "DB", "abc"],
      ["COPY", "a", "e", "DB", "1.5"],
      ["COPY", "a", "e", "DB", "2147483648"],
      ["COPY", "a", "e", "DB", "-2147483649"],
      ["COPY", "a", "e", "DB", "9223372036854775808"],
      ["COPY", "a", "e", "DB"],
      ["COPY", "a", "e", "FOO"],
      ["COPY", "a", "e", "DB", "1", "DB", "2"],
      ["COPY", "missing", "e", "DB", "16"],
      ["COPY", "a", "e", "FOO", "DB", "16"],
      ["SELECT", "2"],
      ["GET", "d"],
      ["EXPIRETIME", "d"],
      ["GET", "e"],
      ["COPY", "d", "d", "DB", "0"],
      ["SELECT", "0"],
      ["GET", "d"],
      ["SELECT", "1"],
      ["GET", "a"],
      ["GET", "e"],
    ]);
  },
});

Deno.test({
  name: "MOVE moves a key to another database unless it exists there, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MOVE", "missing", "1"],
      ["SET", "a", "1", "EXAT", "4102444800"],
      ["MOVE", "a", "0"],
      ["MOVE", "missing", "0"],
      ["MOVE", "a", "16"],
      ["MOVE", "a", "-1"],
      ["MOVE", "a", "abc"],
      ["MOVE", "a", "1.5"],
      ["MOVE", "a", "2147483648"],
      ["MOVE", "a", "-2147483649"],
      ["MOVE", "a", ""],
      ["MOVE", "a", "1"],
      ["EXISTS", "a"],
      ["SELECT", "1"],
      ["GET", "a"],
      ["EXPIRETIME", "a"],
      ["SELECT", "0"],
      ["SET", "a", "other"],
      ["MOVE", "a", "1"],
      ["GET", "a"],
      ["SELECT", "1"],
      ["GET", "a"],
      ["MOVE", "a", "15"],
      ["SELECT", "15"],
      ["GET", "a"],
      ["EXPIRETIME", "a"],
    ]);
  },
});

Deno.test({
  name: "SELECT switches databases whose keys are independent, as in Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "db0"],
      ["SELECT", "1"],
      ["GET", "k"],
      ["EXISTS", "k"],
      ["SET", "k", "db1"],
      ["SET", "only1", "x"],
      ["DBSIZE"],
      keysStep("*"),
      ["SELECT", "15"],
      ["DBSIZE"],
      ["RANDOMKEY"],
      ["SELECT", "0"],
      ["GET", "k"],
      ["DBSIZE"],
      ["GET", "only1"],
      ["SELECT", "16"],
      ["SELECT", "-1"],
      ["SELECT", "abc"],
      ["SELECT", "1.5"],
      ["SELECT", ""],
      ["SELECT", " 1"],
      ["SELECT", "01"],
      ["SELECT", "2147483648"],
      ["SELECT", "-2147483649"],
      ["SELECT", "9223372036854775808"],
      ["GET", "k"],
      ["select", "1"],
      ["DEL", "k"],
      ["SELECT", "0"],
      ["GET", "k"],
      ["SWAPDB", "0", "1"],
      ["GET", "k"],
      ["GET", "only1"],
      ["SWAPDB", "2147483648", "1"],
      ["SWAPDB", "0", "-2147483649"],
    ]);
  },
});

Deno.test({
  name: "KEYS matches glob patterns as Redis's stringmatchlen does",
  ignore: needsRedis(),
  async fn() {
    const names = [
      "hello",
      "hallo",
      "hxllo",
      "hllo",
      "heeeello",
      "Hello",
      "h[e]llo",
      "h*llo",
      "h?llo",
      "a*b",
      "a\\b",
      "a\\*b",
      "abc",
      "user:1",
      "user:22",
      "user:x",
      "user:",
      "[",
      "]",
      "-",
      "^",
      "\\",
      "*",
      "?",
      "a-b",
      "a]b",
      "\x00",
      "a\x00b",
      "\xff",
      "caf\xe9",
      "\r\n",
      "",
    ];
    const patterns = [
      "*",
      "**",
      "h?llo",
      "h*llo",
      "h[ae]llo",
      "h[^e]llo",
      "h[!e]llo",
      "h[a-b]llo",
      "h[b-a]llo",
      "h[a-]llo",
      "h[-a]llo",
      "h[]llo",
      "h[e]*",
      "h\\[e]llo",
      "h\\*llo",
      "\\*",
      "\\?",
      "*\\*",
      "a*b",
      "a\\\\b",
      "a\\\\*",
      "a\\",
      "\\",
      "[",
      "[a",
      "[]",
      "[]]",
      "[\\]]",
      "*]*",
      "[-]",
      "[\\-]",
      "[\\^]",
      "[^^]",
      "user:[0-9]",
      "user:[0-9]*",
      "user:?*",
      "user:*",
      "???",
      "????",
      "*?",
      "?*?*?*?",
      "",
      "H*",
      "h*",
      "[Hh]ello",
      "*\x00*",
      "\x00",
      "?",
      "[\x00-\x1f]",
      "[\x80-\xff]*",
      "caf?",
      "*\r*",
      "a[^]b",
      "*[",
      "hello*",
      "*o",
      "*l*l*o*",
      "*a*a*a*a*a*a*a*a*a*a*b",
    ];
    await assertSameAsRedis([
      ["MSET", ...names.flatMap((n) => [n, "v"])],
      ...patterns.map(keysStep),
      ["KEYS", "nomatch*"],
    ]);
  },
});

/** Scans a whole database on `port` with `options`, returning the sorted keys seen. */
async function scanAll(port: number, options: string[], selectDb = 0): Promise<string[]> {
  await using session = await RawSession.open(port);
  if (selectDb !== 0) await session.command("SELECT", String(selectDb));
  const seen = new Set<string>();
  let cursor = "0";
  for (let calls = 0; calls < 10_000; calls++) {
    const reply = parseReply(await session.command("SCAN", cursor, ...options));
    assert(Array.isArray(reply) && reply.length === 2, `SCAN answered ${JSON.stringify(reply)}`);
    const [next, keys] = reply;
    assert(typeof next === "string" && Array.isArray(keys), "SCAN page has a cursor and keys");
    for (const key of keys) {
      assert(typeof key === "string", "SCAN keys are bulk strings");
      seen.add(key);
    }
    cursor = next;
    if (cursor === "0") return [...seen].sort();
  }
  throw new Error("SCAN did not finish");
}

Deno.test({
  name: "SCAN iterated to the end returns the same keys as Redis for MATCH, COUNT and TYPE",
  ignore: needsRedis(),
  async fn() {
    const pairs: string[] = [];
    for (let i = 0; i < 300; i++) pairs.push(`key:${i}`, "v");
    for (let i = 0; i < 50; i++) pairs.push(`user:${i}:name`, "n");
    pairs.push("", "empty", "\x00\xff", "bin", "a\r\nb", "crlf");
    const setup = [["MSET", ...pairs], ["SELECT", "3"], ["MSET", "db3:a", "1", "db3:b", "2"]];
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    for (const port of [ours.port, real.port]) {
      await using session = await RawSession.open(port);
      for (const step of setup) await session.command(...step);
    }
    const cases: [string[], number][] = [
      [[], 0],
      [["COUNT", "1"], 0],
      [["COUNT", "7"], 0],
      [["COUNT", "1000"], 0],
      [["MATCH", "user:*"], 0],
      [["MATCH", "user:1?:*", "COUNT", "3"], 0],
      [["MATCH", "*"], 0],
      [["MATCH", "nothing*"], 0],
      [["MATCH", "key:[12]0"], 0],
      [["TYPE", "string"], 0],
      [["TYPE", "STRING"], 0],
      [["TYPE", "list"], 0],
      [["TYPE", "nosuchtype"], 0],
      [["MATCH", "key:1*", "TYPE", "string", "COUNT", "20"], 0],
      [["count", "5", "match", "*:*:*"], 0],
      [["MATCH", "user:1*", "MATCH", "key:2*"], 0],
      [["COUNT", "2", "COUNT", "50"], 0],
      [[], 3],
      [["MATCH", "db3:*"], 3],
      [[], 4],
    ];
    for (const [options, db] of cases) {
      const [mine, theirs] = await Promise.all([
        scanAll(ours.port, options, db),
        scanAll(real.port, options, db),
      ]);
      assertEquals(mine, theirs, `SCAN ${options.join(" ")} in db ${db}`);
    }
  },
});

Deno.test({
  name: "SCAN refuses invalid cursors and options and accepts odd ones as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MSET", "a", "1", "b", "2", "c", "3"],
      ["SCAN", "abc"],
      ["SCAN", "1x"],
      ["SCAN", " 1"],
      ["SCAN", "1 "],
      ["SCAN", "1.5"],
      ["SCAN", "0x10"],
      ["SCAN", "18446744073709551616"],
      ["SCAN", "99999999999999999999999"],
      ["SCAN", "-18446744073709551616"],
      scanShape(["SCAN", "0", "COUNT", "100"]),
      scanShape(["SCAN", "", "COUNT", "100"]),
      scanShape(["SCAN", "-0", "COUNT", "100"]),
      scanShape(["SCAN", "+0", "COUNT", "100"]),
      scanShape(["SCAN", "00", "COUNT", "100"]),
      {
        cmd: ["SCAN", "-1", "COUNT", "100"],
        normalize: (r) => (parseReply(r) instanceof Array ? "a page" : r),
      },
      {
        cmd: ["SCAN", "18446744073709551615", "COUNT", "100"],
        normalize: (r) => (parseReply(r) instanceof Array ? "a page" : r),
      },
      ["SCAN", "0", "COUNT", "0"],
      ["SCAN", "0", "COUNT", "-1"],
      ["SCAN", "0", "COUNT", "abc"],
      ["SCAN", "0", "COUNT", "1.5"],
      ["SCAN", "0", "COUNT", "9223372036854775808"],
      ["SCAN", "0", "COUNT"],
      ["SCAN", "0", "MATCH"],
      ["SCAN", "0", "TYPE"],
      ["SCAN", "0", "FOO"],
      ["SCAN", "0", "FOO", "bar"],
      ["SCAN", "0", "COUNT", "10", "FOO"],
      ["SCAN", "abc", "FOO"],
      ["SCAN", "0", "COUNT", "0", "FOO"],
      { cmd: ["SCAN", "0", "COUNT", "100", "MATCH", "[ab]"], normalize: sortScanPage },
      { cmd: ["SCAN", "0", "COUNT", "100", "TYPE", "hash"], normalize: sortScanPage },
      { cmd: ["SCAN", "0", "COUNT", "100", "MATCH", "nothing"], normalize: sortScanPage },
    ]);
  },
});

/** A complete one-page SCAN reply with its keys sorted. */
function sortScanPage(reply: string): string {
  const value = parseReply(reply);
  if (!Array.isArray(value) || value.length !== 2) return reply;
  const [cursor, keys] = value;
  if (cursor !== "0" || !Array.isArray(keys)) return reply;
  return `*2\r\n$1\r\n0\r\n${sortedArray(bulkArray(keys as string[]))}`;
}

Deno.test({
  name: "RANDOMKEY answers nil for an empty database and the only key of a one-key database",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RANDOMKEY"],
      ["SET", "only", "v"],
      ["RANDOMKEY"],
      ["RANDOMKEY"],
      ["DEL", "only"],
      ["RANDOMKEY"],
      ["SET", "", "empty key"],
      ["RANDOMKEY"],
      ["SELECT", "1"],
      ["RANDOMKEY"],
      ["SET", "\x00\xff\r\n", "v"],
      ["RANDOMKEY"],
    ]);
  },
});

Deno.test({
  name: "TOUCH counts the existing keys, duplicates included",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["TOUCH", "missing"],
      ["MSET", "a", "1", "b", "2"],
      ["TOUCH", "a", "b", "a", "missing"],
      ["TOUCH", "b"],
    ]);
  },
});

Deno.test({
  name: "key commands refuse wrong argument counts, and unknown commands are named, as in Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ...arityErrors("DEL", [1]),
      ...arityErrors("UNLINK", [1]),
      ...arityErrors("EXISTS", [1]),
      ...arityErrors("TYPE", [1, 3]),
      ...arityErrors("EXPIRE", [1, 2]),
      ...arityErrors("PEXPIRE", [1, 2]),
      ...arityErrors("EXPIREAT", [1, 2]),
      ...arityErrors("PEXPIREAT", [1, 2]),
      ...arityErrors("TTL", [1, 3]),
      ...arityErrors("PTTL", [1, 3]),
      ...arityErrors("EXPIRETIME", [1, 3]),
      ...arityErrors("PEXPIRETIME", [1, 3]),
      ...arityErrors("PERSIST", [1, 3]),
      ...arityErrors("RENAME", [1, 2, 4]),
      ...arityErrors("RENAMENX", [1, 2, 4]),
      ...arityErrors("COPY", [1, 2]),
      ...arityErrors("MOVE", [1, 2, 4]),
      ...arityErrors("KEYS", [1, 3]),
      ...arityErrors("SCAN", [1]),
      ...arityErrors("RANDOMKEY", [2, 3]),
      ...arityErrors("TOUCH", [1]),
      ...arityErrors("SELECT", [1, 3]),
      ["ttl"],
      ["Expire", "k"],
      ["FOO"],
      ["FOO", "bar", "baz"],
      ["foo", "BAR"],
      ["DELETEX", "a"],
      ["x".repeat(200), "y".repeat(200)],
      ["FOO", "a".repeat(100), "b".repeat(100), "c"],
      ["FOO", "a\r\nb"],
      ["FOO\r\n", "x"],
      ["", "a"],
      [""],
      ["FOO", ""],
      ["FOO", "\xff\xfe"],
      ["DBSIZE"],
    ]);
  },
});

Deno.test({
  name: "unknown command errors cut the name and arguments at a NUL byte, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["FOO", "a\x00b", "c"],
      ["FOO\x00x", "a"],
    ]);
  },
});

Deno.test({
  name: "every byte value in a key is matched and listed by KEYS and SCAN as in Redis",
  ignore: needsRedis(),
  async fn() {
    const keys = Array.from({ length: 256 }, (_, i) => `k${String.fromCharCode(i)}`);
    await assertSameAsRedis([
      ["MSET", ...keys.flatMap((k) => [k, k])],
      keysStep("*"),
      keysStep("k?"),
      keysStep("k[\x00-\x7f]"),
      keysStep("k[^a-z]"),
      ["MGET", ...keys],
      ["EXISTS", ...keys],
      { cmd: ["SCAN", "0", "COUNT", "1000"], normalize: sortScanPage },
      ["DEL", ...keys],
      ["DBSIZE"],
    ]);
  },
});

Deno.test({
  name: "reads count keyspace hits and misses in INFO as Redis counts them",
  ignore: needsRedis(),
  async fn() {
    const commands = [
      ["GET", "a"],
      ["SET", "a", "1"],
      ["GET", "a"],
      ["SET", "a", "2", "GET"],
      ["SET", "b", "2", "GET"],
      ["SET", "a", "3", "NX"],
      ["SET", "a", "3", "XX"],
      ["SETNX", "a", "1"],
      ["MGET", "a", "missing", "b"],
      ["GETSET", "a", "1"],
      ["GETSET", "c", "1"],
      ["GETDEL", "c"],
      ["GETDEL", "c"],
      ["GETEX", "a"],
      ["GETEX", "missing"],
      ["APPEND", "a", "x"],
      ["STRLEN", "a"],
      ["STRLEN", "missing"],
      ["INCR", "n"],
      ["INCRBYFLOAT", "n", "1"],
      ["GETRANGE", "a", "0", "1"],
      ["GETRANGE", "missing", "0", "1"],
      ["SETRANGE", "a", "0", "x"],
      ["LCS", "a", "b"],
      ["LCS", "missing", "missing2"],
      ["EXISTS", "a", "missing", "a"],
      ["TYPE", "a"],
      ["TYPE", "missing"],
      ["TTL", "a"],
      ["PTTL", "missing"],
      ["EXPIRETIME", "a"],
      ["PEXPIRETIME", "missing"],
      ["PERSIST", "a"],
      ["EXPIRE", "a", "100"],
      ["DEL", "missing", "n"],
      ["RENAME", "a", "a2"],
      ["RENAMENX", "a2", "b"],
      ["COPY", "a2", "a3"],
      ["COPY", "missing", "a4"],
      ["MOVE", "a3", "1"],
      ["TOUCH", "a2", "missing"],
      ["MSET", "x", "1"],
      ["MSETNX", "y", "1"],
      ["DBSIZE"],
    ];
    const stats = infoStatLines("keyspace_hits", "keyspace_misses");
    await assertSameAsRedis(
      commands.flatMap((cmd): ScriptStep[] => [cmd, { cmd: ["INFO", "stats"], normalize: stats }]),
    );
  },
});

/** Keeps only the named `field:value` lines of an INFO reply. */
function infoStatLines(...fields: string[]): (reply: string) => string {
  return (reply) => {
    const text = parseReply(reply);
    if (typeof text !== "string") return reply;
    const lines = text.split("\r\n");
    return lines.filter((l) => fields.some((f) => l.startsWith(`${f}:`))).join("\n");
  };
}

Deno.test("DELETE removes one key and answers 1 or 0 (tutorial command, ours only)", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  assertEquals(await session.command("DELETE", "k"), ":0\r\n");
  assertEquals(await session.command("SET", "k", "v"), "+OK\r\n");
  assertEquals(await session.command("SET", "other", "v"), "+OK\r\n");
  assertEquals(await session.command("DELETE", "k"), ":1\r\n");
  assertEquals(await session.command("DELETE", "k"), ":0\r\n");
  assertEquals(await session.command("GET", "k"), "$-1\r\n");
  assertEquals(await session.command("EXISTS", "other"), ":1\r\n");
  assertEquals(
    await session.command("DELETE", "a", "b"),
    "-ERR wrong number of arguments for 'delete' command\r\n",
  );
  assertEquals(
    await session.command("DELETE"),
    "-ERR wrong number of arguments for 'delete' command\r\n",
  );
});

Deno.test("FLUSH empties the selected database and answers how many keys it removed", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  assertEquals(await session.command("FLUSH"), ":0\r\n");
  assertEquals(await session.command("MSET", "a", "1", "b", "2", "c", "3"), "+OK\r\n");
  assertEquals(await session.command("SELECT", "1"), "+OK\r\n");
  assertEquals(await session.command("SET", "x", "1"), "+OK\r\n");
  assertEquals(await session.command("SELECT", "0"), "+OK\r\n");
  assertEquals(await session.command("FLUSH"), ":3\r\n");
  assertEquals(await session.command("DBSIZE"), ":0\r\n");
  assertEquals(await session.command("FLUSH"), ":0\r\n");
  assertEquals(await session.command("SELECT", "1"), "+OK\r\n");
  assertEquals(await session.command("GET", "x"), "$1\r\n1\r\n");
  assertEquals(
    await session.command("FLUSH", "ALL"),
    "-ERR wrong number of arguments for 'flush' command\r\n",
  );
});

Deno.test({
  name: "SCAN with a cursor used twice answers the same page both times, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    for (const port of [ours.port, real.port]) {
      await using s = await RawSession.open(port);
      for (let i = 0; i < 50; i++) await s.command("SET", `key${i}`, "v");
      const first = parseReply(await s.command("SCAN", "0", "COUNT", "5")) as [string, string[]];
      const cursor = first[0];
      assert(cursor !== "0");
      const a = parseReply(await s.command("SCAN", cursor, "COUNT", "5"));
      const b = parseReply(await s.command("SCAN", cursor, "COUNT", "5"));
      assertEquals(a, b, `port ${port}: the replayed cursor gave another page`);
    }
  },
});

Deno.test("RANDOMKEY draws every key of a small database and skips expired ones", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  for (let i = 0; i < 40; i++) await s.command("SET", `key${i}`, "v");
  await s.command("SET", "gone", "v", "PX", "1");
  await new Promise((r) => setTimeout(r, 5));
  const seen = new Set<unknown>();
  for (let i = 0; i < 2000 && seen.size < 40; i++) {
    seen.add(parseReply(await s.command("RANDOMKEY")));
  }
  assertEquals(seen.size, 40);
  assert(!seen.has("gone"), "an expired key was drawn");
});

/** Creates one key of each collection type, `prefix`-named: list, hash, set, zset. */
function collections(prefix: string): string[][] {
  return [
    ["RPUSH", `${prefix}list`, "a", "b", "c"],
    ["HSET", `${prefix}hash`, "f1", "v1", "f2", "v2"],
    ["SADD", `${prefix}set`, "1", "2", "3"],
    ["ZADD", `${prefix}zset`, "1", "a", "2", "b"],
  ];
}

/** Reads a collection whole, whatever its type. */
function readAll(key: string): ScriptStep[] {
  return [
    ["TYPE", key],
    ["LRANGE", key, "0", "-1"],
    ["HGETALL", key],
    ["SMEMBERS", key],
    ["ZRANGE", key, "0", "-1", "WITHSCORES"],
  ];
}

Deno.test({
  name: "TYPE, EXISTS and DEL see every collection type as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ...collections(""),
      ["SET", "string", "v"],
      ["TYPE", "list"],
      ["TYPE", "hash"],
      ["TYPE", "set"],
      ["TYPE", "zset"],
      ["TYPE", "string"],
      ["EXISTS", "list", "hash", "set", "zset", "string", "missing", "list"],
      ["DEL", "list", "hash", "missing"],
      ["EXISTS", "list", "hash", "set", "zset"],
      ["UNLINK", "set", "zset", "set"],
      ["EXISTS", "set", "zset", "string"],
      ["DBSIZE"],
    ]);
  },
});

Deno.test({
  name: "COPY deep-copies every collection type, across databases and with REPLACE",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [...collections("")];
    for (const type of ["list", "hash", "set", "zset"]) {
      script.push(["COPY", type, `${type}2`]);
    }
    // Changing a copy leaves the original alone, and the reverse.
    script.push(
      ["RPUSH", "list2", "d"],
      ["LPOP", "list"],
      ["HSET", "hash2", "f3", "v3"],
      ["HDEL", "hash", "f1"],
      ["SADD", "set2", "4"],
      ["SREM", "set", "1"],
      ["ZADD", "zset2", "3", "c"],
      ["ZINCRBY", "zset", "10", "a"],
    );
    for (const type of ["list", "hash", "set", "zset"]) {
      script.push(...readAll(type), ...readAll(`${type}2`));
    }
    script.push(
      // COPY ... DB n REPLACE of a list over a key of another type there, with its TTL.
      ["EXPIRE", "list", "1000"],
      ["SELECT", "3"],
      ["SET", "target", "string"],
      ["SELECT", "0"],
      ["COPY", "list", "target", "DB", "3"],
      ["COPY", "list", "target", "DB", "3", "REPLACE"],
      ["SELECT", "3"],
      ...readAll("target"),
      ["TTL", "target"],
      ["RPUSH", "target", "x"],
      ["SELECT", "0"],
      ["LRANGE", "list", "0", "-1"],
      ["COPY", "hash", "zset2", "REPLACE"],
      ...readAll("zset2"),
      ["HSET", "zset2", "new", "1"],
      ["HGETALL", "hash"],
      ["COPY", "zset", "set2"],
      ["TYPE", "set2"],
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "RENAME, RENAMENX and MOVE move collections with their TTLs, over any type",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ...collections(""),
      ["SET", "string", "v"],
      ["EXPIRE", "hash", "1000"],
      // RENAME onto a key of another type replaces it; RENAMENX refuses.
      ["RENAME", "list", "string"],
      ...readAll("string"),
      ["EXISTS", "list"],
      ["RENAMENX", "set", "zset"],
      ["RENAMENX", "set", "newset"],
      ...readAll("newset"),
      ["RENAME", "hash", "zset"],
      ...readAll("zset"),
      ["TTL", "zset"],
      ["RENAME", "zset", "zset"],
      // MOVE of a hash, with its TTL; refused when the key exists in the target database.
      ["MOVE", "zset", "1"],
      ["EXISTS", "zset"],
      ["SELECT", "1"],
      ...readAll("zset"),
      ["TTL", "zset"],
      ["HSET", "zset", "f9", "v9"],
      ["SADD", "busy", "x"],
      ["SELECT", "0"],
      ["SADD", "busy", "y"],
      ["MOVE", "busy", "1"],
      ["SMEMBERS", "busy"],
      ["SELECT", "1"],
      ["SMEMBERS", "busy"],
    ]);
  },
});

Deno.test({
  name: "SCAN TYPE finds the keys of each collection type as Redis does",
  ignore: needsRedis(),
  async fn() {
    const setup: string[][] = [];
    for (let i = 0; i < 30; i++) setup.push(...collections(`k${i}:`), ["SET", `k${i}:string`, "v"]);
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    for (const port of [ours.port, real.port]) {
      await using session = await RawSession.open(port);
      for (const step of setup) await session.command(...step);
    }
    for (const type of ["zset", "list", "hash", "set", "string", "ZSET", "stream"]) {
      for (const options of [["TYPE", type], ["TYPE", type, "COUNT", "7", "MATCH", "k1*"]]) {
        const [mine, theirs] = await Promise.all([
          scanAll(ours.port, options, 0),
          scanAll(real.port, options, 0),
        ]);
        assertEquals(mine, theirs, `SCAN ${options.join(" ")}`);
      }
    }
  },
});

Deno.test({
  name: "RENAME and COPY onto a list wake a client blocked on it, as Redis's dbAdd does",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const replies: string[][] = [];
    for (const port of [ours.port, real.port]) {
      await using waiter = await RawSession.open(port);
      await using writer = await RawSession.open(port);
      const got: string[] = [];
      for (const [cmd, dst] of [["RENAME", "dst1"], ["COPY", "dst2"]] as const) {
        await waiter.write(`*3\r\n$5\r\nBLPOP\r\n$4\r\n${dst}\r\n$1\r\n0\r\n`);
        while (!(await writer.command("CLIENT", "LIST")).includes("cmd=blpop")) {
          await new Promise((r) => setTimeout(r, 10));
        }
        await writer.command("RPUSH", "src", "a", "b");
        got.push(await writer.command(cmd, "src", dst), await waiter.read(1));
        got.push(await writer.command("LRANGE", dst, "0", "-1"));
        await writer.command("DEL", "src");
      }
      replies.push(got);
    }
    assertEquals(replies[0], replies[1]);
  },
});
