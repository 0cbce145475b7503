/**
 * Differential tests of the sorted set commands: each script runs on our server and on a real
 * redis-server 7.0 and the replies must be byte-identical, in RESP2 and RESP3. A sorted set's
 * order is defined, so nearly everything compares as bytes; ZSCAN of a large set (whose order
 * follows Redis's hash table) is compared unordered, and random members (ZRANDMEMBER) by
 * properties. Encodings are compared through OBJECT ENCODING on Redis and the stored value on
 * ours. Blocking pops run the same two-client scenario on both servers.
 *
 * @module
 */
import { randomReplyTooLarge } from "../../src/commands/args.ts";
import type { RespValue } from "../../src/resp/types.ts";
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  type ScriptStep,
  seededRandom,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";

const hello3: ScriptStep = { cmd: ["HELLO", "3"], normalize: () => "hello" };

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

/**
 * A ZSCAN step whose page follows Redis's hash table order: its cursor and its (member, score)
 * pairs are compared, the pairs in sorted order.
 */
function unorderedScan(cmd: string[]): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const value = parseReply(reply);
      if (!Array.isArray(value) || !Array.isArray(value[1])) return reply;
      const items = value[1] as RespValue[];
      const pairs: string[] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}=${items[i + 1]}`);
      return `cursor ${value[0]}: ${pairs.sort().join(" ")}`;
    },
  };
}

/** ZADD arguments for `count` members `m0..` with scores from `score(i)`. */
function zaddArgs(key: string, count: number, score: (i: number) => number): string[] {
  const args = ["ZADD", key];
  for (let i = 0; i < count; i++) args.push(String(score(i)), `m${i}`);
  return args;
}

/**
 * Runs `script` on both servers, then OBJECT ENCODING of each of `keys`: replies and encodings
 * must match Redis's.
 */
function assertSameEncodingsAsRedis(
  script: readonly ScriptStep[],
  keys: readonly string[],
): Promise<string[]> {
  return assertSameAsRedis([...script, ...keys.map((key) => ["OBJECT", "ENCODING", key])]);
}

Deno.test({
  name: "ZADD adds, updates and answers with each option as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["ZADD", "z", "1", "a", "5", "b", "4", "d"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZADD", "z", "CH", "1", "a", "6", "b", "7", "e"],
      ["ZADD", "z", "NX", "100", "a", "8", "f"],
      ["ZADD", "z", "XX", "100", "a", "8", "g"],
      ["ZADD", "z", "XX", "CH", "100", "a", "8", "g"],
      ["ZADD", "z", "GT", "CH", "50", "a", "200", "b", "9", "h"],
      ["ZADD", "z", "LT", "CH", "60", "a", "1", "b", "10", "i"],
      ["ZADD", "z", "XX", "GT", "CH", "70", "a", "0", "b", "1", "new"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZADD", "z", "INCR", "5", "a"],
      ["ZADD", "z", "INCR", "NX", "5", "a"],
      ["ZADD", "z", "INCR", "XX", "5", "missing"],
      ["ZADD", "z", "INCR", "GT", "-5", "a"],
      ["ZADD", "z", "INCR", "LT", "-5", "a"],
      ["ZADD", "z", "INCR", "NX", "5", "brandnew"],
      ["zadd", "z", "ch", "incr", "xx", "1", "a"],
      ["ZADD", "xx", "XX", "1", "a"],
      ["ZADD", "xx", "XX", "INCR", "1", "a"],
      ["EXISTS", "xx"],
      ["ZADD", "z", "0.1", "p", "1e20", "q", "-inf", "r", "+inf", "s", "1.5e-7", "t", "0x10", "u"],
      ["ZADD", "z", "3.0", "v", "-0", "w", " 1", "x"],
      ["ZADD", "z", "1", "", "2", "a\r\nb", "3", "\x00\xff"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZCARD", "z"],
    ]);
  },
});

Deno.test({
  name: "ZADD and ZINCRBY refuse bad options, scores and NaN results with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a"],
      ["ZADD", "z", "NX", "XX", "1", "a"],
      ["ZADD", "z", "NX", "GT", "1", "a"],
      ["ZADD", "z", "LT", "NX", "1", "a"],
      ["ZADD", "z", "GT", "LT", "1", "a"],
      ["ZADD", "z", "GT", "LT", "NX", "XX", "1", "a"],
      ["ZADD", "z", "INCR", "1", "a", "2", "b"],
      ["ZADD", "z", "NX", "XX", "INCR", "1", "a", "2", "b"],
      ["ZADD", "z", "1"],
      ["ZADD", "z", "1", "a", "2"],
      ["ZADD", "z", "NX"],
      ["ZADD", "z", "NX", "1"],
      ["ZADD", "z", "x", "a"],
      ["ZADD", "z", "1", "a", "nan", "b"],
      ["ZADD", "z", "1e400", "a"],
      ["ZADD", "z", "", "a"],
      ["ZADD", "z", "1 ", "a"],
      ["ZADD", "z", "NX", "XX", "x", "a"],
      ["ZADD", "z", "INCR", "inf", "a"],
      ["ZADD", "z", "INCR", "-inf", "a"],
      ["ZINCRBY", "z", "-inf", "a"],
      ["ZSCORE", "z", "a"],
      ["ZINCRBY", "z", "x", "a"],
      ["ZINCRBY", "z", "NX", "a"],
      ["ZINCRBY", "z", "1.5", "b"],
      ["ZINCRBY", "z", "-1.5", "b"],
      ["ZINCRBY", "z", "-0", "c"],
      ["ZINCRBY", "new", "2.5", "m"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["SET", "s", "v"],
      ["ZADD", "s", "1", "a"],
      ["ZADD", "s", "x", "a"],
      ["ZADD", "s", "XX", "1", "a"],
      ["ZINCRBY", "s", "1", "a"],
      ...arityErrors("zadd", [1, 2, 3]),
      ...arityErrors("zincrby", [1, 2, 3, 5]),
    ]);
  },
});

Deno.test({
  name: "ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK and ZREVRANK answer as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d"],
      ["ZSCORE", "z", "b"],
      ["ZSCORE", "z", "nope"],
      ["ZSCORE", "missing", "a"],
      ["ZMSCORE", "z", "a", "nope", "d", "a"],
      ["ZMSCORE", "missing", "a", "b"],
      ["ZRANK", "z", "a"],
      ["ZRANK", "z", "c"],
      ["ZRANK", "z", "nope"],
      ["ZRANK", "missing", "a"],
      ["ZREVRANK", "z", "a"],
      ["ZREVRANK", "z", "d"],
      ["ZREVRANK", "z", "nope"],
      ["ZCARD", "z"],
      ["ZCARD", "missing"],
      ["ZREM", "z", "a", "nope", "a"],
      ["ZREM", "missing", "a"],
      ["ZCARD", "z"],
      ["ZREM", "z", "b", "c", "d", "e"],
      ["EXISTS", "z"],
      ["ZADD", "z", "1", "a"],
      ["ZREM", "z", "a", "a"],
      ["EXISTS", "z"],
      ["SET", "s", "v"],
      ["ZSCORE", "s", "a"],
      ["ZMSCORE", "s", "a"],
      ["ZRANK", "s", "a"],
      ["ZREVRANK", "s", "a"],
      ["ZCARD", "s"],
      ["ZREM", "s", "a"],
      hello3,
      ["ZADD", "z", "1.5", "a", "inf", "b"],
      ["ZSCORE", "z", "a"],
      ["ZSCORE", "z", "b"],
      ["ZSCORE", "z", "nope"],
      ["ZMSCORE", "z", "a", "nope"],
      ["ZRANK", "z", "nope"],
      ["ZREVRANK", "z", "b"],
      ["ZINCRBY", "z", "1", "a"],
      ["ZADD", "z", "INCR", "XX", "1", "nope"],
      ...arityErrors("zrem", [1, 2]),
      ...arityErrors("zcard", [1, 3]),
      ...arityErrors("zscore", [1, 2, 4]),
      ...arityErrors("zmscore", [1, 2]),
      ...arityErrors("zrank", [1, 2, 4]),
      ...arityErrors("zrevrank", [1, 2, 4]),
    ]);
  },
});

Deno.test({
  name: "ZRANGE by rank, score and lex, reversed, limited and with scores answers as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "4", "e", "-inf", "lo", "inf", "hi"],
      ["ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", ""],
    ];
    const ranks = [
      ["0", "-1"],
      ["1", "3"],
      ["-3", "-1"],
      ["-100", "100"],
      ["5", "2"],
      [
        "7",
        "10",
      ],
      ["-1", "-1"],
      ["0", "0"],
      ["-8", "-8"],
    ];
    for (const [a, b] of ranks) {
      script.push(["ZRANGE", "z", a!, b!], ["ZRANGE", "z", a!, b!, "REV", "WITHSCORES"]);
      script.push(["ZREVRANGE", "z", a!, b!], ["ZREVRANGE", "z", a!, b!, "WITHSCORES"]);
    }
    const scores = [
      ["-inf", "+inf"],
      ["2", "3"],
      ["(2", "3"],
      ["2", "(3"],
      ["(2", "(2"],
      ["2", "2"],
      ["5", "1"],
      ["(1", "(4"],
      ["-inf", "-inf"],
      ["inf", "inf"],
      ["(-inf", "(inf"],
      ["", "3"],
      ["(", "2"],
      [" 2", "3"],
      ["1e0", "0x3"],
    ];
    for (const [a, b] of scores) {
      script.push(
        ["ZRANGE", "z", a!, b!, "BYSCORE"],
        ["ZRANGE", "z", b!, a!, "BYSCORE", "REV", "WITHSCORES"],
        ["ZRANGEBYSCORE", "z", a!, b!, "WITHSCORES"],
        ["ZREVRANGEBYSCORE", "z", b!, a!],
        ["ZCOUNT", "z", a!, b!],
      );
    }
    const limits = [["0", "2"], ["1", "-1"], ["2", "0"], ["-1", "2"], ["6", "5"], ["7", "1"], [
      "100",
      "1",
    ], ["0", "-5"]];
    for (const [o, c] of limits) {
      script.push(
        ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", o!, c!],
        ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", o!, c!],
        ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", o!, c!, "WITHSCORES"],
        ["ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", o!, c!],
        ["ZRANGE", "lex", "+", "-", "BYLEX", "REV", "LIMIT", o!, c!],
      );
    }
    const lexes = [
      ["-", "+"],
      ["[b", "[d"],
      ["(b", "[d"],
      ["[b", "(d"],
      ["(b", "(b"],
      ["[b", "[b"],
      ["[d", "[b"],
      ["+", "-"],
      ["-", "-"],
      ["+", "+"],
      ["[", "(c"],
      ["(", "+"],
      ["[aa", "[cc"],
      ["-", "[a"],
      ["(e", "+"],
    ];
    for (const [a, b] of lexes) {
      script.push(
        ["ZRANGE", "lex", a!, b!, "BYLEX"],
        ["ZRANGE", "lex", b!, a!, "BYLEX", "REV"],
        ["ZRANGEBYLEX", "lex", a!, b!],
        ["ZREVRANGEBYLEX", "lex", b!, a!],
        ["ZLEXCOUNT", "lex", a!, b!],
      );
    }
    script.push(
      ["ZRANGE", "missing", "0", "-1"],
      ["ZRANGE", "missing", "0", "-1", "WITHSCORES"],
      ["ZRANGEBYSCORE", "missing", "-inf", "+inf"],
      ["ZRANGEBYLEX", "missing", "-", "+"],
      ["ZCOUNT", "missing", "0", "1"],
      ["ZLEXCOUNT", "missing", "-", "+"],
      ["ZRANGE", "z", "0", "-1", "withscores", "rev", "withscores"],
      hello3,
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZRANGE", "z", "0", "-1"],
      ["ZRANGE", "z", "5", "1", "WITHSCORES"],
      ["ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES", "LIMIT", "1", "5"],
      ["ZREVRANGE", "z", "0", "1", "WITHSCORES"],
      ["ZRANGE", "lex", "[b", "[d", "BYLEX"],
      ["ZRANGE", "missing", "0", "-1", "WITHSCORES"],
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "ZRANGE and its forms refuse bad combinations and ranges with Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "x", "1", "BYSCORE"],
      ["ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "0", "x"],
      ["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
      ["ZRANGE", "z", "0", "-1", "BYLEX", "BYSCORE"],
      ["ZRANGE", "z", "0", "-1", "BYSCORE", "BYSCORE"],
      ["ZRANGE", "z", "0", "-1", "REV", "REV"],
      ["ZRANGE", "z", "0", "-1", "FOO"],
      ["ZRANGE", "z", "x", "-1"],
      ["ZRANGE", "z", "0", "1.5"],
      ["ZRANGE", "z", "x", "1", "BYSCORE"],
      ["ZRANGE", "z", "nan", "1", "BYSCORE"],
      ["ZRANGE", "z", "1", "(x", "BYSCORE"],
      ["ZRANGE", "z", "a", "+", "BYLEX"],
      ["ZRANGE", "z", "-", "b", "BYLEX"],
      ["ZRANGE", "z", "-x", "+", "BYLEX"],
      ["ZRANGE", "z", "-", "++", "BYLEX"],
      ["ZRANGE", "z", "", "+", "BYLEX"],
      ["ZREVRANGE", "z", "0", "-1", "REV"],
      ["ZREVRANGE", "z", "0", "-1", "BYSCORE"],
      ["ZREVRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
      ["ZRANGEBYSCORE", "z", "0", "1", "BYLEX"],
      ["ZRANGEBYSCORE", "z", "0", "1", "REV"],
      ["ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "0"],
      ["ZRANGEBYSCORE", "z", "x", "1"],
      ["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
      ["ZRANGEBYLEX", "z", "x", "+"],
      ["ZCOUNT", "z", "x", "1"],
      ["ZCOUNT", "z", "1", "(x"],
      ["ZLEXCOUNT", "z", "x", "+"],
      ["ZLEXCOUNT", "z", "-", "x"],
      ["SET", "s", "v"],
      ["ZRANGE", "s", "0", "-1"],
      ["ZRANGE", "s", "x", "-1"],
      ["ZRANGE", "s", "0", "-1", "FOO"],
      ["ZRANGEBYSCORE", "s", "0", "1"],
      ["ZRANGEBYLEX", "s", "-", "+"],
      ["ZCOUNT", "s", "0", "1"],
      ["ZCOUNT", "s", "x", "1"],
      ["ZLEXCOUNT", "s", "-", "+"],
      ...arityErrors("zrange", [1, 2, 3]),
      ...arityErrors("zrevrange", [1, 2, 3]),
      ...arityErrors("zrangebyscore", [1, 2, 3]),
      ...arityErrors("zrevrangebyscore", [1, 2, 3]),
      ...arityErrors("zrangebylex", [1, 2, 3]),
      ...arityErrors("zrevrangebylex", [1, 2, 3]),
      ...arityErrors("zcount", [1, 2, 3, 5]),
      ...arityErrors("zlexcount", [1, 2, 3, 5]),
    ]);
  },
});

Deno.test({
  name: "ZRANGESTORE stores ranges, deletes the destination on empty results, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameEncodingsAsRedis([
      ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
      ["ZRANGESTORE", "dst", "z", "1", "2"],
      ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
      ["ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "1", "2"],
      ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
      ["ZRANGESTORE", "dst", "z", "[b", "[c", "BYLEX"],
      ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
      ["SET", "str", "v"],
      ["EXPIRE", "dst", "100"],
      ["ZRANGESTORE", "dst", "z", "0", "0"],
      ["TTL", "dst"],
      ["ZRANGESTORE", "str", "z", "0", "0"],
      ["TYPE", "str"],
      ["ZRANGESTORE", "dst", "z", "10", "20"],
      ["EXISTS", "dst"],
      ["ZRANGESTORE", "str", "missing", "0", "-1"],
      ["EXISTS", "str"],
      ["ZRANGESTORE", "z", "z", "0", "1"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"],
      ["ZRANGESTORE", "dst", "z", "0", "-1", "LIMIT", "0", "1"],
      ["SET", "s", "v"],
      ["ZRANGESTORE", "dst", "s", "0", "-1"],
      ["ZADD", "neg", "-0", "a"],
      ["ZRANGESTORE", "negcopy", "neg", "0", "-1"],
      ["ZSCORE", "negcopy", "a"],
      hello3,
      ["ZRANGESTORE", "dst", "z", "0", "-1"],
      ...arityErrors("zrangestore", [1, 2, 3, 4]),
    ], ["z", "dst", "str", "negcopy"]);
  },
});

Deno.test({
  name: "ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX remove as Redis does",
  ignore: needsRedis(),
  async fn() {
    const fill = ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
    const fillLex = ["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"];
    const script: ScriptStep[] = [];
    for (
      const [a, b] of [["0", "1"], ["-2", "-1"], ["1", "-2"], ["-100", "100"], ["3", "1"], [
        "5",
        "9",
      ], ["0", "0"]]
    ) {
      script.push(fill, ["ZREMRANGEBYRANK", "z", a!, b!], ["ZRANGE", "z", "0", "-1"]);
    }
    for (
      const [a, b] of [["2", "4"], ["(2", "4"], ["2", "(4"], ["-inf", "+inf"], ["4", "2"], [
        "(3",
        "(3",
      ], ["10", "20"]]
    ) {
      script.push(fill, ["ZREMRANGEBYSCORE", "z", a!, b!], ["ZRANGE", "z", "0", "-1"]);
    }
    for (
      const [a, b] of [["[b", "[d"], ["(b", "[d"], ["-", "(c"], ["-", "+"], ["[d", "[b"], [
        "+",
        "-",
      ], ["(e", "+"]]
    ) {
      script.push(fillLex, ["ZREMRANGEBYLEX", "l", a!, b!], ["ZRANGE", "l", "0", "-1"]);
    }
    script.push(
      ["EXISTS", "z"],
      ["EXISTS", "l"],
      ["ZREMRANGEBYRANK", "missing", "0", "-1"],
      ["ZREMRANGEBYSCORE", "missing", "-inf", "+inf"],
      ["ZREMRANGEBYLEX", "missing", "-", "+"],
      ["ZREMRANGEBYRANK", "z", "x", "1"],
      ["ZREMRANGEBYRANK", "missing", "0", "x"],
      ["ZREMRANGEBYSCORE", "z", "x", "1"],
      ["ZREMRANGEBYLEX", "z", "x", "+"],
      ["SET", "s", "v"],
      ["ZREMRANGEBYRANK", "s", "0", "1"],
      ["ZREMRANGEBYRANK", "s", "x", "1"],
      ["ZREMRANGEBYSCORE", "s", "0", "1"],
      ["ZREMRANGEBYLEX", "s", "-", "+"],
      ...arityErrors("zremrangebyrank", [1, 2, 3, 5]),
      ...arityErrors("zremrangebyscore", [1, 2, 3, 5]),
      ...arityErrors("zremrangebylex", [1, 2, 3, 5]),
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "ZPOPMIN, ZPOPMAX and ZMPOP pop and answer in RESP2 and RESP3 as Redis does",
  ignore: needsRedis(),
  async fn() {
    const fill = ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
    const popping: ScriptStep[] = [
      fill,
      ["ZPOPMIN", "z"],
      ["ZPOPMAX", "z"],
      ["ZPOPMIN", "z", "2"],
      ["ZPOPMAX", "z", "0"],
      ["ZPOPMAX", "z", "10"],
      ["EXISTS", "z"],
      ["ZPOPMIN", "z"],
      ["ZPOPMIN", "z", "3"],
      fill,
      ["ZMPOP", "1", "z", "MIN"],
      ["ZMPOP", "2", "missing", "z", "MAX", "COUNT", "2"],
      ["ZMPOP", "1", "z", "max", "count", "100"],
      ["ZMPOP", "2", "z", "missing", "MIN"],
      ["EXISTS", "z"],
    ];
    await assertSameAsRedis([
      ...popping,
      ["ZPOPMIN", "z", "-1"],
      ["ZPOPMIN", "z", "x"],
      ["ZPOPMIN", "z", "1", "2"],
      ["SET", "s", "v"],
      ["ZPOPMIN", "s"],
      ["ZPOPMAX", "s", "-1"],
      ["ZMPOP", "2", "missing", "s", "MIN"],
      ["ZADD", "z", "1", "a"],
      ["ZMPOP", "2", "z", "s", "MIN"],
      ["ZMPOP", "0", "z", "MIN"],
      ["ZMPOP", "x", "z", "MIN"],
      ["ZMPOP", "-1", "z", "MIN"],
      ["ZMPOP", "2", "z", "MIN"],
      ["ZMPOP", "1", "z", "MIDDLE"],
      ["ZMPOP", "1", "z", "MIN", "COUNT"],
      ["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
      ["ZMPOP", "1", "z", "MIN", "COUNT", "x"],
      ["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"],
      ["ZMPOP", "1", "z", "MIN", "FOO"],
      ["ZMPOP", "5", "z", "MIN"],
      hello3,
      ...popping,
      ...arityErrors("zpopmin", [1]),
      ...arityErrors("zpopmax", [1]),
      ...arityErrors("zmpop", [1, 2, 3]),
    ]);
  },
});

Deno.test({
  name: "ZUNION, ZINTER and ZDIFF combine sorted sets and sets with weights as Redis does",
  ignore: needsRedis(),
  async fn() {
    const setup: ScriptStep[] = [
      ["ZADD", "a", "1", "x", "2", "y", "3", "z"],
      ["ZADD", "b", "10", "y", "20", "z", "30", "w"],
      ["ZADD", "c", "inf", "x", "-inf", "y", "5", "z"],
      ["SADD", "s", "x", "w", "q"],
      ["SADD", "i", "1", "2", "3"],
      ["ZADD", "n", "1", "1", "2", "2", "9", "9"],
    ];
    const ops: string[][] = [];
    for (const op of ["ZUNION", "ZINTER", "ZDIFF"]) {
      ops.push(
        [op, "2", "a", "b", "WITHSCORES"],
        [op, "3", "a", "b", "c", "WITHSCORES"],
        [op, "2", "a", "s", "WITHSCORES"],
        [op, "2", "s", "a", "WITHSCORES"],
        [op, "2", "i", "n", "WITHSCORES"],
        [op, "2", "a", "missing", "WITHSCORES"],
        [op, "2", "missing", "a", "WITHSCORES"],
        [op, "1", "missing"],
        [op, "2", "a", "a", "WITHSCORES"],
        [op, "1", "a"],
        [op, "2", "a", "b", "withscores", "withscores"],
      );
    }
    for (const op of ["ZUNION", "ZINTER"]) {
      for (const agg of ["SUM", "MIN", "MAX", "min"]) {
        ops.push(
          [op, "3", "a", "b", "c", "WEIGHTS", "1", "2", "3", "AGGREGATE", agg, "WITHSCORES"],
          [op, "2", "a", "c", "WEIGHTS", "0", "0", "AGGREGATE", agg, "WITHSCORES"],
          [op, "2", "c", "c", "WEIGHTS", "1", "-1", "AGGREGATE", agg, "WITHSCORES"],
          [op, "2", "s", "a", "WEIGHTS", "-1", "0.5", "AGGREGATE", agg, "WITHSCORES"],
        );
      }
      ops.push(
        [op, "2", "a", "b", "WEIGHTS", "1", "2", "WEIGHTS", "3", "4", "WITHSCORES"],
        [op, "2", "a", "b", "AGGREGATE", "MIN", "AGGREGATE", "MAX", "WITHSCORES"],
        [op, "2", "a", "b", "WEIGHTS", "1"],
        [op, "2", "a", "b", "WEIGHTS", "1", "x"],
        [op, "2", "a", "b", "WEIGHTS", "1", "nan"],
        [op, "2", "a", "b", "AGGREGATE", "AVG"],
        [op, "2", "a", "b", "AGGREGATE"],
      );
    }
    ops.push(
      ["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"],
      ["ZDIFF", "2", "a", "b", "AGGREGATE", "SUM"],
      ["ZUNION", "0", "a"],
      ["ZINTER", "-1", "a"],
      ["ZDIFF", "0", "a"],
      ["ZUNION", "x", "a"],
      ["ZUNION", "3", "a", "b"],
      ["ZUNION", "2", "a", "b", "FOO"],
      ["SET", "str", "v"],
      ["ZUNION", "2", "a", "str"],
      ["ZINTER", "2", "str", "missing"],
      ["ZDIFF", "2", "missing", "str"],
      ["ZUNION", "2", "str", "a", "FOO"],
      ["ZUNION", "2", "a", "b", "FOO", "str"],
    );
    await assertSameAsRedis([
      ...setup,
      ...ops,
      hello3,
      ["ZUNION", "2", "a", "b", "WITHSCORES"],
      ["ZINTER", "2", "a", "b"],
      ["ZDIFF", "2", "a", "b", "WITHSCORES"],
      ...arityErrors("zunion", [1, 2]),
      ...arityErrors("zinter", [1, 2]),
      ...arityErrors("zdiff", [1, 2]),
    ]);
  },
});

Deno.test({
  name: "ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZINTERCARD store and count as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameEncodingsAsRedis([
      ["ZADD", "a", "1", "x", "2", "y", "3", "z"],
      ["ZADD", "b", "10", "y", "20", "z", "30", "w"],
      ["SADD", "s", "x", "w", "q"],
      ["ZUNIONSTORE", "u", "2", "a", "b"],
      ["ZRANGE", "u", "0", "-1", "WITHSCORES"],
      ["ZUNIONSTORE", "u2", "3", "a", "b", "s", "WEIGHTS", "2", "1", "-1", "AGGREGATE", "MAX"],
      ["ZRANGE", "u2", "0", "-1", "WITHSCORES"],
      ["ZINTERSTORE", "i", "2", "a", "b", "AGGREGATE", "MIN"],
      ["ZRANGE", "i", "0", "-1", "WITHSCORES"],
      ["ZDIFFSTORE", "d", "2", "a", "b"],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
      ["ZDIFFSTORE", "d2", "2", "s", "a"],
      ["ZRANGE", "d2", "0", "-1", "WITHSCORES"],
      ["SET", "str", "v"],
      ["EXPIRE", "u", "100"],
      ["ZUNIONSTORE", "u", "1", "a"],
      ["TTL", "u"],
      ["ZINTERSTORE", "str", "2", "a", "b"],
      ["TYPE", "str"],
      ["ZINTERSTORE", "u", "2", "a", "missing"],
      ["EXISTS", "u"],
      ["ZDIFFSTORE", "d", "2", "a", "a"],
      ["EXISTS", "d"],
      ["ZUNIONSTORE", "a", "2", "a", "b"],
      ["ZRANGE", "a", "0", "-1", "WITHSCORES"],
      ["ZUNIONSTORE", "u", "2", "a", "b", "WITHSCORES"],
      ["ZUNIONSTORE", "u", "0", "a"],
      ["ZDIFFSTORE", "u", "0", "a"],
      ["ZUNIONSTORE", "u", "2", "a", "str"],
      ["ZADD", "neg", "-0", "m"],
      ["ZUNIONSTORE", "neg2", "1", "neg", "WEIGHTS", "-1"],
      ["ZSCORE", "neg2", "m"],
      ["ZINTERCARD", "2", "a", "b"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "0"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "100"],
      ["ZINTERCARD", "2", "a", "s", "LIMIT", "1"],
      ["ZINTERCARD", "1", "missing"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "-1"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "x"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT"],
      ["ZINTERCARD", "2", "a", "b", "WEIGHTS", "1", "1"],
      ["ZINTERCARD", "2", "a", "b", "WITHSCORES"],
      ["ZINTERCARD", "0", "a"],
      ["ZINTERCARD", "3", "a", "b"],
      ["ZINTERCARD", "2", "a", "str"],
      ...arityErrors("zunionstore", [1, 2, 3]),
      ...arityErrors("zinterstore", [1, 2, 3]),
      ...arityErrors("zdiffstore", [1, 2, 3]),
      ...arityErrors("zintercard", [1, 2]),
    ], ["u", "u2", "i", "d", "d2", "str", "a", "neg2"]);
  },
});

Deno.test({
  name: "sorted sets use Redis's encodings: listpack up to the limits, then skiplist",
  ignore: needsRedis(),
  async fn() {
    const long = "x".repeat(65);
    await assertSameEncodingsAsRedis([
      ["CONFIG", "SET", "zset-max-listpack-entries", "4"],
      zaddArgs("four", 4, (i) => i),
      zaddArgs("five", 5, (i) => i),
      ["ZADD", "long", "1", long],
      ["ZADD", "grown", "1", "a"],
      ["ZADD", "grown", "2", long],
      ["ZADD", "xxlong", "1", "a"],
      ["ZADD", "xxlong", "XX", "2", long],
      zaddArgs("shrunk", 5, (i) => i),
      ["ZREMRANGEBYRANK", "shrunk", "0", "2"],
      ["ZUNIONSTORE", "u-small", "1", "shrunk"],
      ["ZUNIONSTORE", "u-long", "2", "long", "four"],
      ["ZRANGESTORE", "r-small", "five", "0", "3"],
      ["ZRANGESTORE", "r-large", "five", "0", "4"],
      ["ZINTERSTORE", "i-small", "2", "five", "five"],
      ["COPY", "five", "five-copy"],
      ["COPY", "four", "four-copy"],
      ["CONFIG", "SET", "zset-max-listpack-entries", "0"],
      ["ZADD", "zero", "1", "a"],
      ["ZRANGESTORE", "r-zero", "four", "0", "0"],
    ], [
      "four",
      "five",
      "long",
      "grown",
      "xxlong",
      "shrunk",
      "u-small",
      "u-long",
      "r-small",
      "r-large",
      "i-small",
      "five-copy",
      "four-copy",
      "zero",
      "r-zero",
    ]);
  },
});

Deno.test({
  name: "negative zero survives in a skiplist and becomes 0 in a listpack, as in Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "small", "-0", "a"],
      ["ZSCORE", "small", "a"],
      ["ZINCRBY", "small", "-0", "b"],
      ["ZRANGE", "small", "0", "-1", "WITHSCORES"],
      ["ZUNION", "1", "small", "WEIGHTS", "-1", "WITHSCORES"],
      ["CONFIG", "SET", "zset-max-listpack-entries", "0"],
      ["ZADD", "big", "-0", "a", "0", "b"],
      ["ZRANGE", "big", "0", "-1", "WITHSCORES"],
      ["ZADD", "big", "0", "a"],
      ["ZSCORE", "big", "a"],
      unorderedScan(["ZSCAN", "big", "0"]),
      ["ZMSCORE", "big", "a", "b"],
    ]);
  },
});

Deno.test({
  name: "lex ranges over members out of order answer as a listpack's linear scan does in Redis",
  ignore: needsRedis(),
  async fn() {
    const fill = ["ZADD", "z", "1", "c", "2", "a", "3", "b", "4", "e", "5", "d"];
    const script: ScriptStep[] = [];
    for (const [a, b] of [["[a", "[b"], ["[b", "[e"], ["-", "[c"], ["(c", "+"], ["[d", "+"]]) {
      script.push(
        fill,
        ["ZRANGEBYLEX", "z", a!, b!],
        ["ZREVRANGEBYLEX", "z", b!, a!],
        ["ZLEXCOUNT", "z", a!, b!],
        ["ZRANGE", "z", a!, b!, "BYLEX", "LIMIT", "1", "2"],
        ["ZREMRANGEBYLEX", "z", a!, b!],
        ["ZRANGE", "z", "0", "-1"],
      );
    }
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "score bounds are read as strtod reads them, up to a NUL byte",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["ZRANGEBYSCORE", "z", "1\x00junk", "(3\x00"],
      ["ZCOUNT", "z", "(1\x00", "+inf\x00x"],
      ["ZCOUNT", "z", "\x001", "3"],
      ["ZADD", "z", "1\x00", "d"],
      ["ZRANGE", "z", "-", "+\x00", "BYLEX"],
      ["ZRANGE", "z", "-\x00x", "+", "BYLEX"],
      ["ZRANGEBYSCORE", "z", "  2", "inFinity"],
      ["ZRANGEBYSCORE", "z", "0x1p1", "1e1"],
      ["ZRANGEBYSCORE", "z", "1e400", "-1e400"],
      ["ZRANGEBYSCORE", "z", "-1e400", "1e400"],
    ]);
  },
});

Deno.test({
  name: "sorted set reads count keyspace hits and misses as Redis does",
  ignore: needsRedis(),
  async fn() {
    const stats: ScriptStep = {
      cmd: ["INFO", "stats"],
      normalize: (reply) => reply.split("\r\n").filter((l) => l.startsWith("keyspace_")).join(","),
    };
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b"],
      ["SADD", "s", "a"],
      ["ZSCORE", "z", "a"],
      ["ZSCORE", "missing", "a"],
      ["ZMSCORE", "missing", "a"],
      ["ZRANGE", "z", "0", "-1"],
      ["ZRANGE", "z", "x", "-1"],
      ["ZRANGESTORE", "dst", "z", "0", "-1"],
      ["ZRANGESTORE", "dst", "missing", "0", "-1"],
      ["ZUNION", "3", "z", "s", "missing"],
      ["ZINTERCARD", "2", "z", "missing"],
      { cmd: ["ZRANDMEMBER", "z"], normalize: (r) => r.startsWith("$1\r\n") ? "member" : r },
      ["ZRANDMEMBER", "missing", "2"],
      ["ZSCAN", "z", "0"],
      ["ZCARD", "missing"],
      ["ZRANK", "z", "a"],
      ["ZCOUNT", "z", "0", "1"],
      ["ZLEXCOUNT", "missing", "-", "+"],
      ["ZADD", "z", "3", "c"],
      ["ZREM", "missing", "a"],
      ["ZPOPMIN", "missing"],
      ["BZPOPMIN", "missing", "z", "0"],
      ["ZMPOP", "1", "missing", "MIN"],
      ["ZREMRANGEBYRANK", "missing", "0", "1"],
      stats,
    ]);
  },
});

Deno.test({
  name: "large sorted sets answer ranks, ranges and removals as Redis does",
  ignore: needsRedis(),
  async fn() {
    const next = seededRandom(42);
    const script: ScriptStep[] = [];
    const members: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const args = ["ZADD", "big"];
      for (let i = 0; i < 200; i++) {
        const member = `m${Math.floor(next() * 2000)}`;
        members.push(member);
        args.push(String(Math.floor(next() * 100) / 4), member);
      }
      script.push(args);
    }
    const lexArgs = ["ZADD", "biglex"];
    for (let i = 0; i < 500; i++) lexArgs.push("0", `w${Math.floor(next() * 5000)}`);
    script.push(lexArgs, ["ZCARD", "big"], ["ZRANGE", "big", "0", "-1", "WITHSCORES"]);
    for (let i = 0; i < 40; i++) {
      const m = members[Math.floor(next() * members.length)]!;
      const a = Math.floor(next() * 100) / 4;
      const b = a + Math.floor(next() * 20) / 4;
      const r = Math.floor(next() * 900) - 450;
      const w1 = `[w${Math.floor(next() * 5000)}`;
      const w2 = `(w${Math.floor(next() * 5000)}`;
      script.push(
        ["ZRANK", "big", m],
        ["ZREVRANK", "big", m],
        ["ZSCORE", "big", m],
        ["ZRANGE", "big", String(r), String(r + 7), "WITHSCORES"],
        ["ZREVRANGE", "big", String(r), String(r + 3)],
        ["ZCOUNT", "big", String(a), `(${b}`],
        ["ZRANGEBYSCORE", "big", String(a), String(b), "LIMIT", "2", "5"],
        ["ZREVRANGEBYSCORE", "big", String(b), `(${a}`, "WITHSCORES", "LIMIT", "1", "4"],
        ["ZLEXCOUNT", "biglex", w1, w2],
        ["ZRANGEBYLEX", "biglex", w1, w2, "LIMIT", "0", "5"],
        ["ZREVRANGEBYLEX", "biglex", w2, w1, "LIMIT", "1", "3"],
        ["ZINCRBY", "big", String(Math.floor(next() * 40) - 20), m],
      );
      if (i % 8 === 0) {
        script.push(
          ["ZREMRANGEBYSCORE", "big", String(a), `(${b}`],
          ["ZREMRANGEBYRANK", "big", String(r), String(r + 5)],
          ["ZREMRANGEBYLEX", "biglex", w1, w2],
          ["ZPOPMIN", "big", "3"],
          ["ZPOPMAX", "big"],
          ["ZREM", "big", m, members[i]!],
        );
      }
    }
    script.push(
      ["ZRANGE", "big", "0", "-1", "WITHSCORES"],
      ["ZRANGE", "biglex", "0", "-1"],
      ["ZUNIONSTORE", "u", "2", "big", "biglex", "WEIGHTS", "0.5", "3"],
      ["ZRANGE", "u", "0", "-1", "WITHSCORES"],
      ["ZINTER", "2", "big", "u", "WITHSCORES"],
      ["ZDIFF", "2", "big", "u"],
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "ZSCAN answers small sets whole and pages through large ones as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "0.1", "b", "inf", "c", "-2.5", "d", "1e20", "e"],
      ["ZSCAN", "z", "0"],
      ["ZSCAN", "z", "0", "COUNT", "1"],
      ["ZSCAN", "z", "0", "MATCH", "[ab]"],
      ["ZSCAN", "z", "0", "MATCH", "*", "COUNT", "100"],
      ["ZSCAN", "missing", "0"],
      ["ZSCAN", "missing", "0", "FOO"],
      ["ZSCAN", "z", "x"],
      ["ZSCAN", "z", "0", "COUNT", "0"],
      ["ZSCAN", "z", "0", "COUNT", "x"],
      ["ZSCAN", "z", "0", "FOO"],
      ["SET", "s", "v"],
      ["ZSCAN", "s", "0"],
      zaddArgs("big", 300, (i) => i / 8),
      unorderedScan(["ZSCAN", "big", "0", "COUNT", "1000"]),
      unorderedScan(["ZSCAN", "big", "0", "MATCH", "m1*", "COUNT", "1000"]),
      hello3,
      ["ZSCAN", "z", "0"],
      ...arityErrors("zscan", [1, 2]),
    ]);
  },
});

/** The items of an array reply, or null. */
function itemsOf(value: RespValue | undefined): RespValue[] | null {
  return Array.isArray(value) ? [...value] : null;
}

Deno.test({
  name: "ZRANDMEMBER answers with distinct or repeated members as Redis does",
  ignore: needsRedis(),
  async fn() {
    const members = ["a", "b", "c", "d", "e"];
    const small = ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
    /** A random reply compared by shape: its size, membership and (when asked) distinctness. */
    const random = (cmd: string[], distinct: boolean, withScores: boolean): ScriptStep => ({
      cmd,
      normalize: (reply) => {
        const value = parseReply(reply);
        if (typeof value === "string") return members.includes(value) ? "a member" : reply;
        const items = itemsOf(value);
        if (items === null) return reply;
        const names = items.map((item, i) => {
          if (Array.isArray(item)) return item[0];
          return withScores && i % 2 === 1 ? null : item;
        }).filter((n) => n !== null);
        const ok = names.every((n) => typeof n === "string" && members.includes(n)) &&
          (!distinct || new Set(names).size === names.length);
        return `${items.length} items ${ok ? "as expected" : reply}`;
      },
    });
    const steps: ScriptStep[] = [];
    for (const key of ["z", "big"]) {
      steps.push(
        random(["ZRANDMEMBER", key], true, false),
        random(["ZRANDMEMBER", key, "1"], true, false),
        random(["ZRANDMEMBER", key, "2"], true, false),
        random(["ZRANDMEMBER", key, "4", "WITHSCORES"], true, true),
        random(["ZRANDMEMBER", key, "-3"], false, false),
        random(["ZRANDMEMBER", key, "-20", "WITHSCORES"], false, true),
      );
    }
    const script: ScriptStep[] = [
      small,
      ["CONFIG", "SET", "zset-max-listpack-entries", "2"],
      ["ZADD", "big", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
      ...steps,
      // The whole set comes back in one order: highest score first.
      ["ZRANDMEMBER", "z", "5"],
      ["ZRANDMEMBER", "z", "100", "WITHSCORES"],
      ["ZRANDMEMBER", "big", "5"],
      ["ZRANDMEMBER", "z", "0"],
      ["ZRANDMEMBER", "missing"],
      ["ZRANDMEMBER", "missing", "3"],
      ["ZRANDMEMBER", "missing", "-3", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "x"],
      ["ZRANDMEMBER", "z", "1", "FOO"],
      ["ZRANDMEMBER", "missing", "1", "FOO"],
      ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"],
      ["ZRANDMEMBER", "z", "-9223372036854775808"],
      ["ZRANDMEMBER", "z", "9223372036854775808"],
      ["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "4611686018427387903", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "-4611686018427387904", "FOO"],
      ["SET", "s", "v"],
      ["ZRANDMEMBER", "s"],
      ["ZRANDMEMBER", "s", "1"],
      ["ZRANDMEMBER", "s", "x"],
      // Redis answers these without building a reply: the size rule comes after them.
      ["ZRANDMEMBER", "missing", "-9223372036854775807"],
      ["ZRANDMEMBER", "s", "-9223372036854775807"],
      ["ZRANDMEMBER", "s", "-4611686018427387903", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "-9223372036854775807", "FOO"],
      hello3,
      ...steps,
      ["ZRANDMEMBER", "z", "5", "WITHSCORES"],
      ["ZRANDMEMBER", "missing"],
      ...arityErrors("zrandmember", [1]),
    ];
    await assertSameAsRedis(script);
  },
});

Deno.test("ZRANDMEMBER refuses a repeated-members reply past 512 MB and the connection goes on", async () => {
  await using server = await startMiniredis();
  await using s = await RawSession.open(server.port);
  const refused = `-${randomReplyTooLarge}\r\n`;
  await s.command("ZADD", "z", "1", "a", "2", "b", "3", "c");
  const huge = [
    ["-9223372036854775807"],
    ["-4611686018427387903", "WITHSCORES"],
    ["-1000000000000"],
    // 50 M picks of a member ("$1\r\na\r\n") and its score would be at least 700 MB.
    ["-50000000", "WITHSCORES"],
  ];
  for (const version of ["2", "3"]) {
    await s.command("HELLO", version);
    const members = itemsOf(parseReply(await s.command("ZRANDMEMBER", "z", "-100000")));
    assertEquals(members?.length, 100000);
    assertEquals(new Set(members), new Set(["a", "b", "c"]));
    const scored = itemsOf(
      parseReply(await s.command("ZRANDMEMBER", "z", "-100000", "WITHSCORES")),
    );
    assertEquals(scored?.length, version === "2" ? 200000 : 100000);
    for (const args of huge) {
      assertEquals(await s.command("ZRANDMEMBER", "z", ...args), refused, args.join(" "));
      assertEquals(await s.command("PING"), "+PONG\r\n");
    }
  }
  // The members' size counts: 60,000 picks of a 10 kB member would be 600 MB.
  await s.command("ZADD", "big", "1", "x".repeat(10_000));
  assertEquals(await s.command("ZRANDMEMBER", "big", "-60000"), refused);
  assertEquals(itemsOf(parseReply(await s.command("ZRANDMEMBER", "big", "-1000")))?.length, 1000);
  assertEquals(await s.command("ZCARD", "z"), ":3\r\n");
});

/** Runs `scenario` against a fresh server of each kind and asserts equal results. */
async function assertSameScenario(
  scenario: (port: number) => Promise<string[]>,
): Promise<string[]> {
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  const [mine, theirs] = await Promise.all([scenario(ours.port), scenario(real.port)]);
  assertEquals(mine, theirs);
  return mine;
}

/** Waits until the server reports `count` blocked clients. */
async function untilBlocked(session: RawSession, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await session.command("INFO", "clients");
    if (info.includes(`blocked_clients:${count}\r\n`)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${count} blocked clients`);
}

Deno.test({
  name: "BZPOPMIN, BZPOPMAX and BZMPOP pop at once when they can, or time out, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["BZPOPMIN", "missing", "z", "0"],
      ["BZPOPMAX", "z", "0.5"],
      ["BZMPOP", "0", "2", "missing", "z", "MIN"],
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "10"],
      ["EXISTS", "z"],
      ["BZPOPMIN", "missing", "0.05"],
      ["BZPOPMAX", "missing", "other", "0.01"],
      ["BZMPOP", "0.01", "1", "missing", "MIN"],
      ["BZPOPMIN", "missing", "x"],
      ["BZPOPMIN", "missing", "-1"],
      ["BZMPOP", "x", "1", "missing", "MIN"],
      ["BZMPOP", "-1", "1", "missing", "MIN"],
      ["BZMPOP", "x", "0", "missing", "MIN"],
      ["BZMPOP", "0", "1", "missing", "MIDDLE"],
      ["BZMPOP", "0", "1", "missing", "MIN", "COUNT", "0"],
      ["SET", "s", "v"],
      ["BZPOPMIN", "missing", "s", "0"],
      ["BZMPOP", "0", "2", "missing", "s", "MIN"],
      ["BZPOPMIN", "s", "x"],
      hello3,
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["BZPOPMIN", "z", "0"],
      ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "1"],
      ["BZPOPMAX", "missing", "0.01"],
      ["BZMPOP", "0.01", "1", "missing", "MIN"],
      ...arityErrors("bzpopmin", [1, 2]),
      ...arityErrors("bzpopmax", [1, 2]),
      ...arityErrors("bzmpop", [1, 2, 3, 4]),
    ]);
  },
});

Deno.test({
  name: "a blocked BZPOPMIN is woken by a ZADD from another client, as in Redis",
  ignore: needsRedis(),
  async fn() {
    const replies = await assertSameScenario(async (port) => {
      await using blocked = await RawSession.open(port);
      await using other = await RawSession.open(port);
      await blocked.write(encodeCommand(["BZPOPMIN", "k1", "k2", "0"]));
      await untilBlocked(other, 1);
      const out = [await other.command("SET", "k1", "not a zset")];
      out.push(await other.command("ZADD", "k2", "5", "m", "6", "n"));
      out.push(await blocked.read(1));
      out.push(await other.command("ZRANGE", "k2", "0", "-1", "WITHSCORES"));
      // A BZMPOP served after blocking answers in its own shape.
      await blocked.write(encodeCommand(["BZMPOP", "0", "1", "k3", "MAX", "COUNT", "5"]));
      await untilBlocked(other, 1);
      out.push(await other.command("ZADD", "k3", "1", "a", "2", "b"));
      out.push(await blocked.read(1));
      out.push(await other.command("EXISTS", "k3"));
      return out;
    });
    assert(replies[2]!.startsWith("*3\r\n$2\r\nk2\r\n$1\r\nm\r\n"), "served from k2");
  },
});

Deno.test({
  name: "blocked clients are served first come first served, in the order of their keys",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (port) => {
      await using first = await RawSession.open(port);
      await using second = await RawSession.open(port);
      await using third = await RawSession.open(port);
      await using other = await RawSession.open(port);
      await first.write(encodeCommand(["BZPOPMIN", "q", "0"]));
      await untilBlocked(other, 1);
      await second.write(encodeCommand(["BZPOPMAX", "q", "0"]));
      await untilBlocked(other, 2);
      await third.write(encodeCommand(["BZPOPMIN", "a", "q", "0"]));
      await untilBlocked(other, 3);
      const out = [await other.command("ZADD", "q", "1", "x", "2", "y")];
      out.push(await first.read(1), await second.read(1));
      out.push(await other.command("ZADD", "q", "3", "z"));
      out.push(await third.read(1));
      // A client waiting on several keys is served by whichever is given a set.
      await third.write(encodeCommand(["BZPOPMAX", "b2", "b1", "0"]));
      await untilBlocked(other, 1);
      out.push(await other.command("ZADD", "b1", "1", "one", "3", "three"));
      out.push(await third.read(1));
      return out;
    });
  },
});

Deno.test({
  name: "a blocked BZPOPMAX times out with a null, in RESP2 and RESP3",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (port) => {
      await using session = await RawSession.open(port);
      const out = [await session.command("BZPOPMAX", "none", "0.1")];
      out.push(await session.command("BZMPOP", "0.1", "1", "none", "MIN"));
      await session.command("HELLO", "3");
      out.push(await session.command("BZPOPMIN", "none", "0.1"));
      out.push(await session.command("BZMPOP", "0.1", "1", "none", "MIN"));
      return out;
    });
  },
});
