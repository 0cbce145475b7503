/**
 * Differential tests of the string commands: each script runs on our server and on a real
 * redis-server 7.0, and every reply must be byte-identical. Replies that depend on timing (a
 * PTTL) are normalized to a range check; everything else is compared as bytes.
 *
 * @module
 */
import { assertSameAsRedis, needsRedis, type ScriptStep } from "../_util.ts";

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

/** A deterministic pseudo-random string over `alphabet` (xorshift, seeded). */
function randomText(seed: number, length: number, alphabet: string): string {
  let x = seed * 2654435761 >>> 0 || 1;
  let s = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

Deno.test({
  name: "GET and SET store and return plain, empty and numeric values as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["GET", "missing"],
      ["SET", "k", "v"],
      ["GET", "k"],
      ["SET", "k", "v2"],
      ["GET", "k"],
      ["SET", "empty", ""],
      ["GET", "empty"],
      ["SET", "", "empty key"],
      ["GET", ""],
      ["SET", "n", "12345"],
      ["GET", "n"],
      ["SET", "neg", "-9223372036854775808"],
      ["GET", "neg"],
      ["SET", "crlf", "a\r\nb\r\n"],
      ["GET", "crlf"],
      ["SET", "big", "x".repeat(100_000)],
      ["STRLEN", "big"],
      ["set", "lower", "case"],
      ["gEt", "lower"],
    ]);
  },
});

Deno.test({
  name: "SET NX, XX and GET answer and store as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "1", "NX"],
      ["SET", "k", "2", "NX"],
      ["GET", "k"],
      ["SET", "k", "3", "XX"],
      ["GET", "k"],
      ["SET", "missing", "x", "XX"],
      ["EXISTS", "missing"],
      ["SET", "k", "4", "GET"],
      ["SET", "fresh", "1", "GET"],
      ["GET", "fresh"],
      ["SET", "k", "5", "NX", "GET"],
      ["GET", "k"],
      ["SET", "k", "6", "XX", "GET"],
      ["SET", "missing2", "x", "XX", "GET"],
      ["EXISTS", "missing2"],
      ["SET", "missing3", "x", "NX", "GET"],
      ["GET", "missing3"],
      ["SET", "k", "7", "nx", "nx"],
      ["SET", "k", "8", "xx", "xx", "get", "get"],
      ["GET", "k"],
      ["SET", "k", "9", "NX", "XX"],
      ["SET", "k", "9", "XX", "NX"],
      ["SET", "k", "9", "GETX"],
      ["SET", "k", "9", "N"],
      ["SET", "k", "9", ""],
      ["GET", "k"],
    ]);
  },
});

Deno.test({
  name: "SET EX, PX, EXAT, PXAT and KEEPTTL give the TTLs Redis gives",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "ex", "v", "EX", "100"],
      ["TTL", "ex"],
      intWithin(["PTTL", "ex"], 99_000, 100_000),
      ["SET", "px", "v", "PX", "100000"],
      ["TTL", "px"],
      ["SET", "exat", "v", "EXAT", "4102444800"],
      ["EXPIRETIME", "exat"],
      ["PEXPIRETIME", "exat"],
      ["SET", "pxat", "v", "PXAT", "4102444800123"],
      ["PEXPIRETIME", "pxat"],
      ["EXPIRETIME", "pxat"],
      ["SET", "exat", "v2"],
      ["TTL", "exat"],
      ["SET", "pxat", "v2", "KEEPTTL"],
      ["PEXPIRETIME", "pxat"],
      ["GET", "pxat"],
      ["SET", "pxat", "v3", "keepttl", "keepttl", "GET"],
      ["PEXPIRETIME", "pxat"],
      ["SET", "nottl", "v", "KEEPTTL"],
      ["TTL", "nottl"],
      ["SET", "ex", "v", "ex", "10", "ex", "20"],
      ["TTL", "ex"],
      ["SET", "ex", "v", "PX", "0", "PX", "30000"],
      ["TTL", "ex"],
      ["SET", "ex", "v", "EXAT", "1", "EXAT", "4102444801"],
      ["EXPIRETIME", "ex"],
      ["SET", "ex", "v", "PXAT", "1", "PXAT", "4102444802000"],
      ["EXPIRETIME", "ex"],
      ["SET", "past", "v", "EXAT", "1"],
      ["GET", "past"],
      ["EXISTS", "past"],
      ["SET", "past", "v", "PXAT", "1", "GET"],
      ["SET", "past", "v", "PXAT", "1000", "GET"],
      ["SET", "xxex", "v", "XX", "EX", "100"],
      ["EXISTS", "xxex"],
      ["SET", "ex", "v3", "XX", "EX", "200", "GET"],
      ["TTL", "ex"],
      ["SET", "ex", "v4", "NX", "EX", "300"],
      ["TTL", "ex"],
      ["SET", "max", "v", "PXAT", "9223372036854775807"],
      ["PEXPIRETIME", "max"],
      ["SET", "maxs", "v", "EXAT", "9223372036854775"],
      ["EXPIRETIME", "maxs"],
    ]);
  },
});

Deno.test({
  name: "SET refuses conflicting options and bad expiry values with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    const steps: string[][] = [];
    for (const opt of ["EX", "PX", "EXAT", "PXAT"]) {
      for (
        const bad of [
          "0",
          "-1",
          "-9223372036854775808",
          "1.5",
          "abc",
          "",
          " 1",
          "+1",
          "01",
          "-0",
          "9223372036854775808",
          "9223372036854775807",
          "9223372036854775",
          "9223372036854776",
          "99999999999999999999",
        ]
      ) {
        steps.push(["SET", "k", "v", opt, bad]);
        steps.push(["SET", "k", "v", opt.toLowerCase(), bad, "GET"]);
      }
      steps.push(["SET", "k", "v", opt]);
      steps.push(["SET", "k", "v", "NX", opt]);
      steps.push(["SET", "k", "v", opt, "10", "KEEPTTL"]);
      steps.push(["SET", "k", "v", "KEEPTTL", opt, "10"]);
      for (const other of ["EX", "PX", "EXAT", "PXAT"]) {
        if (other !== opt) steps.push(["SET", "k", "v", opt, "10", other, "10"]);
      }
    }
    steps.push(["SET", "k", "v", "EX", "10", "10"]);
    steps.push(["SET", "k", "v", "PERSIST"]);
    steps.push(["SET", "k", "v", "NX", "XX", "EX", "0"]);
    steps.push(["SET", "k", "v", "EX", "0", "NX", "XX"]);
    steps.push(["EXISTS", "k"]);
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "SET with a bad expiry and GET checks the expiry before reading the old value",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "old"],
      ["SET", "k", "new", "GET", "EX", "0"],
      ["GET", "k"],
      ["SET", "k", "new", "GET", "EX", "x"],
      ["GET", "k"],
    ]);
  },
});

Deno.test({
  name: "SETNX, SETEX and PSETEX answer, store and expire as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SETNX", "k", "1"],
      ["SETNX", "k", "2"],
      ["GET", "k"],
      ["SETEX", "k", "100", "3"],
      ["GET", "k"],
      ["TTL", "k"],
      ["SETNX", "k", "4"],
      ["TTL", "k"],
      ["PSETEX", "p", "100000", "v"],
      ["TTL", "p"],
      intWithin(["PTTL", "p"], 99_000, 100_000),
      ["SETEX", "k", "0", "v"],
      ["SETEX", "k", "-10", "v"],
      ["SETEX", "k", "1.5", "v"],
      ["SETEX", "k", "abc", "v"],
      ["SETEX", "k", "9223372036854775807", "v"],
      ["SETEX", "k", "9223372036854775", "v"],
      ["SETEX", "k", "9223372036854776", "v"],
      ["PSETEX", "k", "0", "v"],
      ["PSETEX", "k", "-1", "v"],
      ["PSETEX", "k", "9223372036854775807", "v"],
      ["PSETEX", "k", "9223372036854775808", "v"],
      ["PSETEX", "k", " 5", "v"],
      ["GET", "k"],
      ["TTL", "k"],
      ["SETEX", "k", "200", "5"],
      ["TTL", "k"],
      ["SET", "k", "6"],
      ["TTL", "k"],
      ["setex", "lower", "10", "v"],
      ["TTL", "lower"],
    ]);
  },
});

Deno.test({
  name: "MGET, MSET and MSETNX handle many keys, duplicates and odd argument counts as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["MSET", "a", "1", "b", "2", "c", "3"],
      ["MGET", "a", "b", "c", "missing", "a"],
      ["MSET", "a", "x", "a", "y"],
      ["GET", "a"],
      ["MSET", "a"],
      ["MSET", "a", "1", "b"],
      ["MSET", "a", "1", "b", "2", "c"],
      ["MSETNX", "a", "1", "b"],
      ["MSETNX", "a"],
      ["mset", "a", "1", "b"],
      ["MSETNX", "d", "4", "e", "5"],
      ["MGET", "d", "e"],
      ["MSETNX", "f", "6", "a", "7"],
      ["MGET", "f", "a"],
      ["MSETNX", "g", "1", "g", "2"],
      ["GET", "g"],
      ["SETEX", "t", "100", "v"],
      ["MSET", "t", "w"],
      ["TTL", "t"],
      ["MGET", "missing"],
      ["MGET", ""],
      ["MSET", "", ""],
      ["MGET", ""],
    ]);
  },
});

Deno.test({
  name: "GETSET and GETDEL return the old value and replace or delete it as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["GETSET", "k", "1"],
      ["GETSET", "k", "2"],
      ["GET", "k"],
      ["SETEX", "k", "100", "3"],
      ["GETSET", "k", "4"],
      ["TTL", "k"],
      ["GETDEL", "k"],
      ["EXISTS", "k"],
      ["GETDEL", "k"],
      ["SET", "n", "10"],
      ["INCR", "n"],
      ["GETDEL", "n"],
      ["GETSET", "", ""],
      ["GETDEL", ""],
    ]);
  },
});

Deno.test({
  name: "GETEX reads the value and sets, keeps or removes its TTL as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["GETEX", "missing"],
      ["GETEX", "missing", "EX", "10"],
      ["GETEX", "missing", "EX", "0"],
      ["GETEX", "missing", "EX", "abc"],
      ["GETEX", "missing", "PERSIST"],
      ["GETEX", "missing", "EX", "1", "PX", "1"],
      ["GETEX", "missing", "NX"],
      ["SET", "k", "v"],
      ["GETEX", "k"],
      ["TTL", "k"],
      ["GETEX", "k", "EX", "100"],
      ["TTL", "k"],
      ["GETEX", "k"],
      ["TTL", "k"],
      ["GETEX", "k", "PX", "200000"],
      ["TTL", "k"],
      ["GETEX", "k", "EXAT", "4102444800"],
      ["EXPIRETIME", "k"],
      ["GETEX", "k", "PXAT", "4102444800555"],
      ["PEXPIRETIME", "k"],
      ["GETEX", "k", "PERSIST"],
      ["TTL", "k"],
      ["GETEX", "k", "persist", "persist"],
      ["GETEX", "k", "ex", "10", "ex", "20"],
      ["TTL", "k"],
      ["GETEX", "k", "EX", "0", "EX", "30"],
      ["TTL", "k"],
      ["GETEX", "k", "EX", "10", "PERSIST"],
      ["GETEX", "k", "PERSIST", "EX", "10"],
      ["GETEX", "k", "EX", "10", "PX", "10"],
      ["GETEX", "k", "PXAT", "10", "EXAT", "10"],
      ["GETEX", "k", "EX"],
      ["GETEX", "k", "KEEPTTL"],
      ["GETEX", "k", "NX"],
      ["GETEX", "k", "XX"],
      ["GETEX", "k", "GET"],
      ["GETEX", "k", "FOO"],
      ["GETEX", "k", "EX", "0"],
      ["GETEX", "k", "EX", "-1"],
      ["GETEX", "k", "PX", "1.5"],
      ["GETEX", "k", "EX", "9223372036854775807"],
      ["GETEX", "k", "PXAT", "9223372036854775808"],
      ["TTL", "k"],
      ["GETEX", "k", "EXAT", "1"],
      ["EXISTS", "k"],
      ["SET", "k", "v"],
      ["GETEX", "k", "PXAT", "1"],
      ["GETEX", "k"],
    ]);
  },
});

Deno.test({
  name: "APPEND and STRLEN answer lengths and keep the TTL as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["STRLEN", "missing"],
      ["APPEND", "k", "hello"],
      ["APPEND", "k", " world"],
      ["GET", "k"],
      ["STRLEN", "k"],
      ["APPEND", "k", ""],
      ["APPEND", "e", ""],
      ["EXISTS", "e"],
      ["STRLEN", "e"],
      ["SET", "n", "123"],
      ["STRLEN", "n"],
      ["APPEND", "n", "4"],
      ["INCR", "n"],
      ["STRLEN", "n"],
      ["SETEX", "t", "100", "a"],
      ["APPEND", "t", "b"],
      ["TTL", "t"],
      ["APPEND", "bin", "\x00\xff\r\n"],
      ["STRLEN", "bin"],
      ["GET", "bin"],
    ]);
  },
});

Deno.test({
  name: "INCR, DECR, INCRBY and DECRBY count, refuse non-integers and overflow as Redis does",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [
      ["INCR", "n"],
      ["INCR", "n"],
      ["DECR", "n"],
      ["DECR", "m"],
      ["INCRBY", "n", "100"],
      ["INCRBY", "n", "-1000"],
      ["DECRBY", "n", "-5"],
      ["DECRBY", "n", "5"],
      ["GET", "n"],
      ["SET", "max", "9223372036854775807"],
      ["INCR", "max"],
      ["INCRBY", "max", "1"],
      ["INCRBY", "max", "0"],
      ["DECR", "max"],
      ["INCR", "max"],
      ["GET", "max"],
      ["SET", "min", "-9223372036854775808"],
      ["DECR", "min"],
      ["DECRBY", "min", "1"],
      ["INCRBY", "min", "-1"],
      ["INCR", "min"],
      ["DECRBY", "z", "-9223372036854775808"],
      ["DECRBY", "z", "9223372036854775807"],
      ["DECRBY", "z", "1"],
      ["INCRBY", "z", "9223372036854775807"],
      ["GET", "z"],
      ["INCRBY", "y", "-9223372036854775808"],
      ["DECRBY", "y", "-9223372036854775807"],
      ["GET", "y"],
      ["INCRBY", "n", "9223372036854775808"],
      ["INCRBY", "n", "-9223372036854775809"],
      ["SETEX", "t", "100", "1"],
      ["INCR", "t"],
      ["TTL", "t"],
      ["SET", "big", "1".repeat(20)],
      ["INCR", "big"],
      ["SET", "twenty", "-1000000000000000000"],
      ["INCR", "twenty"],
    ];
    for (
      const bad of [
        "1.5",
        " 1",
        "1 ",
        "+1",
        "01",
        "-0",
        "",
        "abc",
        "0x10",
        "1e3",
        "--1",
        "-",
        "\xb9",
      ]
    ) {
      steps.push(["SET", "s", bad]);
      steps.push(["INCR", "s"]);
      steps.push(["DECR", "s"]);
      steps.push(["INCRBY", "s", "1"]);
      steps.push(["INCRBY", "n", bad]);
      steps.push(["DECRBY", "n", bad]);
      steps.push(["GET", "s"]);
    }
    steps.push(["GET", "n"]);
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "INCRBYFLOAT computes and formats sums as Redis's long double arithmetic does",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [
      ["INCRBYFLOAT", "f", "0.1"],
      ["INCRBYFLOAT", "f", "0.2"],
      ["INCRBYFLOAT", "f", "-0.3"],
      ["GET", "f"],
      ["SET", "f", "10.50"],
      ["INCRBYFLOAT", "f", "0.1"],
      ["SET", "f", "5.0e3"],
      ["INCRBYFLOAT", "f", "2.0e2"],
      ["INCRBYFLOAT", "f", "-5200"],
      ["INCRBYFLOAT", "f", "-0.0000001"],
      ["SET", "f", "1e308"],
      ["INCRBYFLOAT", "f", "1e308"],
      ["INCRBYFLOAT", "g", "1.7976931348623157e308"],
      ["INCRBYFLOAT", "h", "1e-20"],
      ["INCRBYFLOAT", "h", "123456789012345678901234567890"],
      ["INCRBYFLOAT", "i", "3"],
      ["INCR", "i"],
      ["INCRBYFLOAT", "i", "0.5"],
      ["INCR", "i"],
      ["SETEX", "t", "100", "1"],
      ["INCRBYFLOAT", "t", "1.5"],
      ["TTL", "t"],
    ];
    const values = [
      "1",
      "-1",
      "0",
      "-0",
      "+0",
      "0.0",
      ".5",
      "5.",
      "-.5",
      "+.5e1",
      "1e3",
      "1E3",
      "1e+3",
      "1e-3",
      "1.5e-7",
      "3.0e3",
      "0.1",
      "0.3333333333333333",
      "2.5",
      "1e17",
      "1e18",
      "12345678.12345678",
      "9223372036854775807",
      "-9223372036854775808",
      "1e4900",
      "1e-4900",
      "4.9e-324",
      "1e-310",
      "inf",
      "-inf",
      "+inf",
      "INF",
      "infinity",
      "-Infinity",
      "nan",
      "NaN",
      "-nan",
      "abc",
      "",
      " 1",
      "1 ",
      "1e",
      "e1",
      ".",
      "-",
      "+",
      "1.2.3",
      "1_0",
      "0x10",
      "0X1p4",
      "1e5000",
      "-1e5000",
      "1e-5000",
      "0e-5000",
      "1d",
      "1f",
    ];
    for (const v of values) {
      steps.push(["INCRBYFLOAT", "acc", v]);
      steps.push(["DEL", "fresh"]);
      steps.push(["INCRBYFLOAT", "fresh", v]);
      steps.push(["SET", "stored", v]);
      steps.push(["INCRBYFLOAT", "stored", "1"]);
    }
    steps.push(["GET", "acc"]);
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "INCRBYFLOAT takes numbers of up to 5119 characters, as Redis's string2ld does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["INCRBYFLOAT", "f", "0".repeat(5118) + "1"],
      ["INCRBYFLOAT", "f", "0".repeat(5119) + "1"],
      ["INCRBYFLOAT", "f", "1." + "0".repeat(5117)],
      ["INCRBYFLOAT", "f", "1." + "0".repeat(5118)],
      ["SET", "g", "0".repeat(5119) + "1"],
      ["INCRBYFLOAT", "g", "1"],
      ["GET", "f"],
    ]);
  },
});

Deno.test({
  name: "GETRANGE and SUBSTR take negative and out-of-range indexes as Redis does",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [
      ["SET", "s", "Hello World"],
      ["SET", "n", "1234567"],
      ["SET", "e", ""],
    ];
    const indexes = [
      "0",
      "1",
      "4",
      "10",
      "11",
      "100",
      "-1",
      "-3",
      "-11",
      "-12",
      "-100",
      "9223372036854775807",
      "-9223372036854775808",
    ];
    for (const start of indexes) {
      for (const end of indexes) {
        steps.push(["GETRANGE", "s", start, end]);
      }
    }
    for (const [start, end] of [["0", "-1"], ["2", "4"], ["-2", "-1"], ["5", "2"]]) {
      for (const key of ["n", "e", "missing"]) {
        steps.push(["GETRANGE", key, start!, end!]);
        steps.push(["SUBSTR", key, start!, end!]);
      }
    }
    for (const bad of ["1.5", "a", "", "9223372036854775808", " 1", "+1"]) {
      steps.push(["GETRANGE", "s", bad, "1"]);
      steps.push(["GETRANGE", "s", "1", bad]);
      steps.push(["GETRANGE", "missing", bad, "1"]);
      steps.push(["SUBSTR", "s", "0", bad]);
    }
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "SETRANGE overwrites, pads with zero bytes and checks offsets as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SETRANGE", "k", "0", "Hello"],
      ["SETRANGE", "k", "6", "World"],
      ["GET", "k"],
      ["SETRANGE", "k", "2", "yy"],
      ["GET", "k"],
      ["SETRANGE", "k", "0", ""],
      ["SETRANGE", "k", "1000", ""],
      ["GET", "k"],
      ["SETRANGE", "k", "11", "!"],
      ["GET", "k"],
      ["SETRANGE", "pad", "5", "abc"],
      ["GET", "pad"],
      ["STRLEN", "pad"],
      ["SETRANGE", "missing", "0", ""],
      ["SETRANGE", "missing", "10", ""],
      ["EXISTS", "missing"],
      ["SETRANGE", "missing", "536870912", ""],
      ["SETRANGE", "k", "-1", "x"],
      ["SETRANGE", "k", "-1", ""],
      ["SETRANGE", "missing", "-1", ""],
      ["SETRANGE", "k", "1.5", "x"],
      ["SETRANGE", "k", "abc", "x"],
      ["SETRANGE", "k", "9223372036854775808", "x"],
      ["SETRANGE", "k", "536870912", "x"],
      ["SETRANGE", "k", "536870911", "xx"],
      ["SETRANGE", "k", "9223372036854775807", "x"],
      ["SETRANGE", "k", "9223372036854775807", ""],
      ["SETRANGE", "new", "536870912", "x"],
      ["SETRANGE", "new", "9223372036854775807", "x"],
      ["EXISTS", "new"],
      ["SET", "n", "100"],
      ["SETRANGE", "n", "1", "5"],
      ["INCR", "n"],
      ["SETEX", "t", "100", "abc"],
      ["SETRANGE", "t", "1", "X"],
      ["TTL", "t"],
      ["GET", "t"],
      ["SETRANGE", "bin", "1", "\x00\xff\r\n"],
      ["GET", "bin"],
    ]);
  },
});

Deno.test({
  name: "SETRANGE and APPEND respect a lowered proto-max-bulk-len as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "SET", "proto-max-bulk-len", "1048576"],
      ["SETRANGE", "k", "1048575", "x"],
      ["STRLEN", "k"],
      ["SETRANGE", "k", "1048576", "x"],
      ["SETRANGE", "k", "1048575", "xy"],
      ["APPEND", "k", "z"],
      ["STRLEN", "k"],
      ["SET", "k", "abc"],
      ["APPEND", "k", "x".repeat(1048574)],
      ["STRLEN", "k"],
    ]);
  },
});

Deno.test({
  name: "LCS answers the subsequence, LEN and IDX with MINMATCHLEN and WITHMATCHLEN as Redis does",
  ignore: needsRedis(),
  async fn() {
    const steps: ScriptStep[] = [
      ["MSET", "key1", "ohmytext", "key2", "mynewtext"],
      ["LCS", "key1", "key2"],
      ["LCS", "key1", "key2", "LEN"],
      ["LCS", "key1", "key2", "IDX"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
      ["LCS", "key1", "key2", "idx", "withmatchlen"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-5"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "0"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "100"],
      ["LCS", "key1", "key2", "WITHMATCHLEN"],
      ["LCS", "key1", "key2", "LEN", "WITHMATCHLEN"],
      ["LCS", "key1", "key2", "MINMATCHLEN", "2"],
      ["LCS", "key1", "key2", "IDX", "LEN"],
      ["LCS", "key1", "key2", "LEN", "IDX"],
      ["LCS", "key1", "key2", "MINMATCHLEN"],
      ["LCS", "key1", "key2", "MINMATCHLEN", "1.5"],
      ["LCS", "key1", "key2", "MINMATCHLEN", "x", "LEN", "IDX"],
      ["LCS", "key1", "key2", "FOO"],
      ["LCS", "key1", "key2", "IDX", "LEN", "FOO"],
      ["LCS", "key1", "missing"],
      ["LCS", "missing", "key2", "LEN"],
      ["LCS", "missing", "missing2", "IDX"],
      ["LCS", "missing", "missing2", "IDX", "WITHMATCHLEN"],
      ["LCS", "key1", "key1"],
      ["LCS", "key1", "key1", "IDX", "WITHMATCHLEN"],
      ["SET", "n1", "12345"],
      ["SET", "n2", "2345"],
      ["LCS", "n1", "n2", "IDX", "WITHMATCHLEN"],
      ["SET", "bin1", "\x00\xff\r\nab"],
      ["SET", "bin2", "a\r\x00b\xff"],
      ["LCS", "bin1", "bin2"],
      ["LCS", "bin1", "bin2", "IDX"],
    ];
    for (let seed = 1; seed <= 40; seed++) {
      const a = randomText(seed, 5 + (seed * 7) % 40, seed % 2 === 0 ? "ab" : "abcd");
      const b = randomText(seed + 1000, 3 + (seed * 11) % 45, seed % 2 === 0 ? "ab" : "abcd");
      steps.push(["MSET", "a", a, "b", b]);
      steps.push(["LCS", "a", "b"]);
      steps.push(["LCS", "a", "b", "LEN"]);
      steps.push(["LCS", "a", "b", "IDX", "WITHMATCHLEN"]);
      steps.push(["LCS", "b", "a", "IDX", "MINMATCHLEN", String(seed % 4)]);
    }
    await assertSameAsRedis(steps);
  },
});

Deno.test({
  name: "LCS of strings whose table exceeds a lowered proto-max-bulk-len answers as Redis 7.0",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "SET", "proto-max-bulk-len", "1048576"],
      ["MSET", "a", randomText(7, 600, "acgt"), "b", randomText(8, 600, "acgt")],
      ["LCS", "a", "b", "LEN"],
    ]);
  },
});

Deno.test({
  name: "string commands refuse wrong argument counts with Redis's arity errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ...arityErrors("GET", [1, 3]),
      ...arityErrors("SET", [1, 2]),
      ...arityErrors("SETNX", [1, 2, 4]),
      ...arityErrors("SETEX", [1, 3, 5]),
      ...arityErrors("PSETEX", [1, 3, 5]),
      ...arityErrors("MGET", [1]),
      ...arityErrors("MSET", [1, 2]),
      ...arityErrors("MSETNX", [1, 2]),
      ...arityErrors("GETSET", [1, 2, 4]),
      ...arityErrors("GETDEL", [1, 3]),
      ...arityErrors("GETEX", [1]),
      ...arityErrors("APPEND", [1, 2, 4]),
      ...arityErrors("STRLEN", [1, 3]),
      ...arityErrors("INCR", [1, 3]),
      ...arityErrors("DECR", [1, 3]),
      ...arityErrors("INCRBY", [1, 2, 4]),
      ...arityErrors("DECRBY", [1, 2, 4]),
      ...arityErrors("INCRBYFLOAT", [1, 2, 4]),
      ...arityErrors("GETRANGE", [1, 3, 5]),
      ...arityErrors("SUBSTR", [1, 3, 5]),
      ...arityErrors("SETRANGE", [1, 3, 5]),
      ...arityErrors("LCS", [1, 2]),
      ["GeT"],
      ["incrbyfloat", "k"],
      // Nothing above created a key.
      ["DBSIZE"],
    ]);
  },
});

Deno.test({
  name: "every byte value round-trips through keys and values as in Redis",
  ignore: needsRedis(),
  async fn() {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    const steps: ScriptStep[] = [
      ["SET", all, all],
      ["GET", all],
      ["STRLEN", all],
      ["SET", `rev${[...all].reverse().join("")}`, `v${all}v`],
    ];
    const singles: string[] = [];
    for (let i = 0; i < 256; i++) {
      const c = String.fromCharCode(i);
      singles.push(c, `${c}${c}value`);
    }
    steps.push(["MSET", ...singles]);
    steps.push(["MGET", all, ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))]);
    steps.push({
      cmd: ["KEYS", "*"],
      normalize: sortedArray,
    });
    steps.push(["DBSIZE"]);
    steps.push(["APPEND", all, all]);
    steps.push(["GETRANGE", all, "250", "260"]);
    steps.push(["GETDEL", all]);
    steps.push(["EXISTS", all]);
    await assertSameAsRedis(steps);
  },
});

/** Sorts the elements of a flat array-of-bulk-strings reply, so order does not matter. */
function sortedArray(reply: string): string {
  const header = /^\*(\d+)\r\n/.exec(reply);
  if (header === null) return reply;
  const items: string[] = [];
  let pos = header[0].length;
  for (let i = 0; i < Number(header[1]); i++) {
    const len = /^\$(\d+)\r\n/.exec(reply.slice(pos, pos + 24));
    if (len === null) return reply;
    const start = pos + len[0].length;
    items.push(reply.slice(start, start + Number(len[1])));
    pos = start + Number(len[1]) + 2;
  }
  items.sort();
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join("");
}
