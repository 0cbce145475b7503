/**
 * Differential tests of the list commands: each script runs on our server and on a real
 * redis-server 7.0, and every reply must be byte-identical. The blocking commands are covered
 * here only where they do not block (an element is there, or the arguments are refused);
 * tests/commands/blocking_test.ts covers blocking itself.
 *
 * @module
 */
import { assertSameAsRedis, needsRedis, type ScriptStep } from "../_util.ts";

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

/** HELLO 3, whose reply (server version fields) differs between the servers. */
const resp3: ScriptStep = { cmd: ["HELLO", "3"], normalize: () => "hello" };

/** `count` elements `prefix0..`, as strings. */
function elements(count: number, prefix = "e"): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

Deno.test({
  name: "LPUSH, RPUSH, LPUSHX, RPUSHX and LLEN build lists as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["LPUSH", "l", "a", "b", "c"],
      ["RPUSH", "l", "d", "e"],
      ["LRANGE", "l", "0", "-1"],
      ["LLEN", "l"],
      ["LLEN", "missing"],
      ["LPUSHX", "missing", "a"],
      ["RPUSHX", "missing", "a", "b"],
      ["EXISTS", "missing"],
      ["LPUSHX", "l", "x", "y"],
      ["RPUSHX", "l", "z"],
      ["LRANGE", "l", "0", "-1"],
      ["RPUSH", "bin", "", "\r\n", "\0\xff", "a b"],
      ["LRANGE", "bin", "0", "-1"],
      ["RPUSH", "", "empty key"],
      ["LRANGE", "", "0", "-1"],
      ["RPUSH", "big", ...elements(1000)],
      ["LLEN", "big"],
      ["LINDEX", "big", "999"],
      ["TYPE", "l"],
      ["OBJECT", "ENCODING", "l"],
      ["SET", "s", "v"],
      ["LPUSH", "s", "a"],
      ["RPUSH", "s", "a"],
      ["LPUSHX", "s", "a"],
      ["RPUSHX", "s", "a"],
      ["LLEN", "s"],
      ["GET", "s"],
      ["lpush", "lower", "x"],
      ["lLeN", "lower"],
      ...arityErrors("LPUSH", [1, 2]),
      ...arityErrors("RPUSH", [1, 2]),
      ...arityErrors("LPUSHX", [1, 2]),
      ...arityErrors("RPUSHX", [1, 2]),
      ...arityErrors("LLEN", [1, 3]),
    ]);
  },
});

Deno.test({
  name: "LPOP and RPOP with and without a count, and the key goes when emptied",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "a", "b", "c", "d", "e", "f"],
      ["LPOP", "l"],
      ["RPOP", "l"],
      ["LPOP", "l", "2"],
      ["RPOP", "l", "1"],
      ["LPOP", "l", "0"],
      ["RPOP", "l", "0"],
      ["LRANGE", "l", "0", "-1"],
      ["RPOP", "l", "9223372036854775807"],
      ["EXISTS", "l"],
      ["LPOP", "l"],
      ["RPOP", "l"],
      ["LPOP", "l", "1"],
      ["RPOP", "l", "0"],
      ["RPUSH", "one", "x"],
      ["RPOP", "one"],
      ["EXISTS", "one"],
      ["RPUSH", "one", "x"],
      ["LPOP", "one", "5"],
      ["EXISTS", "one"],
      // Count errors, on present and missing keys.
      ["RPUSH", "l", "a"],
      ["LPOP", "l", "-1"],
      ["LPOP", "l", "abc"],
      ["RPOP", "l", "1.5"],
      ["RPOP", "l", "9223372036854775808"],
      ["LPOP", "missing", "-1"],
      ["LPOP", "missing", "abc"],
      ["LLEN", "l"],
      // Too many arguments is an arity error, not a pop.
      ["LPOP", "l", "1", "2"],
      ["RPOP", "l", "1", "2", "3"],
      ["LLEN", "l"],
      ["SET", "s", "v"],
      ["LPOP", "s"],
      ["RPOP", "s", "1"],
      ["LPOP", "s", "0"],
      ["LPOP", "s", "abc"],
      ...arityErrors("LPOP", [1]),
      ...arityErrors("RPOP", [1]),
    ]);
  },
});

Deno.test({
  name: "LRANGE and LINDEX clamp and count indexes from either end as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [["RPUSH", "l", "a", "b", "c", "d", "e"]];
    const indexes = ["0", "1", "4", "5", "100", "-1", "-5", "-6", "-100"];
    for (const start of indexes) {
      for (const end of indexes) script.push(["LRANGE", "l", start, end]);
    }
    for (const i of indexes) script.push(["LINDEX", "l", i]);
    script.push(
      ["LRANGE", "l", "-9223372036854775808", "9223372036854775807"],
      ["LRANGE", "l", "9223372036854775807", "-9223372036854775808"],
      ["LINDEX", "l", "9223372036854775807"],
      ["LINDEX", "l", "-9223372036854775808"],
      ["LRANGE", "l", "a", "1"],
      ["LRANGE", "l", "0", "1.0"],
      ["LRANGE", "l", "0", "9223372036854775808"],
      ["LRANGE", "l", " 1", "2"],
      ["LINDEX", "l", "x"],
      ["LINDEX", "l", "01"],
      ["LRANGE", "missing", "0", "-1"],
      ["LRANGE", "missing", "x", "-1"],
      ["LINDEX", "missing", "0"],
      ["LINDEX", "missing", "x"],
      ["SET", "s", "v"],
      ["LRANGE", "s", "0", "-1"],
      ["LRANGE", "s", "x", "-1"],
      ["LINDEX", "s", "0"],
      ["LINDEX", "s", "x"],
      ...arityErrors("LRANGE", [3, 5]),
      ...arityErrors("LINDEX", [2, 4]),
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "LSET replaces by index and refuses missing keys and indexes as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "a", "b", "c"],
      ["LSET", "l", "0", "A"],
      ["LSET", "l", "-1", "C"],
      ["LSET", "l", "1", ""],
      ["LRANGE", "l", "0", "-1"],
      ["LSET", "l", "3", "x"],
      ["LSET", "l", "-4", "x"],
      ["LSET", "l", "9223372036854775807", "x"],
      ["LSET", "l", "abc", "x"],
      ["LSET", "missing", "0", "x"],
      ["LSET", "missing", "abc", "x"],
      ["EXISTS", "missing"],
      ["SET", "s", "v"],
      ["LSET", "s", "0", "x"],
      ["LSET", "s", "abc", "x"],
      ["LRANGE", "l", "0", "-1"],
      ...arityErrors("LSET", [3, 5]),
    ]);
  },
});

Deno.test({
  name: "LINSERT inserts before and after the first pivot as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "a", "b", "c", "b"],
      ["LINSERT", "l", "BEFORE", "b", "x"],
      ["LINSERT", "l", "after", "b", "y"],
      ["LINSERT", "l", "before", "a", "first"],
      ["LINSERT", "l", "AFTER", "b", "z"],
      ["LINSERT", "l", "After", "c", "last?"],
      ["LRANGE", "l", "0", "-1"],
      ["LINSERT", "l", "before", "nope", "x"],
      ["LINSERT", "l", "middle", "a", "x"],
      ["LINSERT", "missing", "before", "a", "x"],
      ["LINSERT", "missing", "middle", "a", "x"],
      ["EXISTS", "missing"],
      ["SET", "s", "v"],
      ["LINSERT", "s", "before", "a", "x"],
      ["LINSERT", "s", "middle", "a", "x"],
      // Inserts near both ends of a longer list.
      ["RPUSH", "long", ...elements(50)],
      ["LINSERT", "long", "before", "e1", "n1"],
      ["LINSERT", "long", "after", "e48", "n48"],
      ["LINSERT", "long", "after", "e49", "n49"],
      ["LINSERT", "long", "before", "e0", "n0"],
      ["LINSERT", "long", "after", "e25", "n25"],
      ["LRANGE", "long", "0", "-1"],
      ...arityErrors("LINSERT", [4, 6]),
    ]);
  },
});

Deno.test({
  name: "LREM removes from the head, the tail or everywhere as Redis does",
  ignore: needsRedis(),
  async fn() {
    const list = ["x", "a", "x", "b", "x", "c", "x", "x"];
    await assertSameAsRedis([
      ["RPUSH", "l", ...list],
      ["LREM", "l", "2", "x"],
      ["LRANGE", "l", "0", "-1"],
      ["LREM", "l", "-2", "x"],
      ["LRANGE", "l", "0", "-1"],
      ["LREM", "l", "0", "nope"],
      ["LREM", "l", "0", "x"],
      ["LRANGE", "l", "0", "-1"],
      ["RPUSH", "m", ...list],
      ["LREM", "m", "-1", "x"],
      ["LREM", "m", "-100", "x"],
      ["LRANGE", "m", "0", "-1"],
      ["RPUSH", "n", ...list],
      ["LREM", "n", "-9223372036854775808", "x"],
      ["LREM", "n", "9223372036854775807", "a"],
      ["LRANGE", "n", "0", "-1"],
      ["RPUSH", "gone", "x", "x"],
      ["LREM", "gone", "0", "x"],
      ["EXISTS", "gone"],
      ["RPUSH", "gone", "x", "x"],
      ["LREM", "gone", "-5", "x"],
      ["EXISTS", "gone"],
      ["LREM", "l", "abc", "x"],
      ["LREM", "missing", "1", "x"],
      ["LREM", "missing", "abc", "x"],
      ["SET", "s", "v"],
      ["LREM", "s", "1", "x"],
      ["LREM", "s", "abc", "x"],
      ...arityErrors("LREM", [3, 5]),
    ]);
  },
});

Deno.test({
  name: "LTRIM keeps a clamped range and deletes an emptied list as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [];
    const ranges: [string, string][] = [
      ["0", "-1"],
      ["1", "-2"],
      ["-3", "-1"],
      ["2", "2"],
      ["-100", "100"],
      ["0", "0"],
      ["5", "10"],
      ["3", "1"],
      ["-1", "-3"],
      ["-9223372036854775808", "9223372036854775807"],
    ];
    ranges.forEach(([start, end], i) => {
      script.push(
        ["RPUSH", `l${i}`, "a", "b", "c", "d", "e"],
        ["LTRIM", `l${i}`, start, end],
        ["LRANGE", `l${i}`, "0", "-1"],
        ["EXISTS", `l${i}`],
      );
    });
    script.push(
      ["LTRIM", "l0", "x", "1"],
      ["LTRIM", "l0", "0", "1.5"],
      ["LTRIM", "missing", "0", "1"],
      ["LTRIM", "missing", "x", "1"],
      ["EXISTS", "missing"],
      ["SET", "s", "v"],
      ["LTRIM", "s", "0", "1"],
      ["LTRIM", "s", "x", "1"],
      ...arityErrors("LTRIM", [3, 5]),
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "LPOS finds matches with RANK, COUNT and MAXLEN in every combination as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [["RPUSH", "l", "a", "b", "c", "a", "b", "a", "x", "a"]];
    const ranks = [null, "1", "2", "4", "5", "-1", "-2", "-4", "-5"];
    const counts = [null, "0", "1", "2", "10"];
    const maxlens = [null, "0", "1", "3", "6", "100"];
    for (const rank of ranks) {
      for (const count of counts) {
        for (const maxlen of maxlens) {
          const cmd = ["LPOS", "l", "a"];
          if (rank !== null) cmd.push("RANK", rank);
          if (count !== null) cmd.push("COUNT", count);
          if (maxlen !== null) cmd.push("MAXLEN", maxlen);
          script.push(cmd);
        }
      }
    }
    script.push(
      ["LPOS", "l", "nope"],
      ["LPOS", "l", "nope", "COUNT", "0"],
      ["LPOS", "l", "x", "MAXLEN", "5"],
      // Options in any order and repeated: the last one wins.
      ["LPOS", "l", "a", "MAXLEN", "7", "COUNT", "0", "RANK", "-1"],
      ["LPOS", "l", "a", "COUNT", "1", "COUNT", "3"],
      ["LPOS", "l", "a", "RANK", "3", "RANK", "1", "count", "2"],
      ["LPOS", "l", "a", "rank", "2", "maxlen", "4"],
      // Extreme ranks; Redis 7.0 negates LONG_MIN into itself, so every match qualifies.
      ["LPOS", "l", "a", "RANK", "9223372036854775807"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775807"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775807", "COUNT", "0"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "0"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "2"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808", "MAXLEN", "3"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "2", "MAXLEN", "7"],
      ["LPOS", "l", "x", "RANK", "-9223372036854775808"],
      ["LPOS", "l", "nope", "RANK", "-9223372036854775808", "COUNT", "0"],
      ["LPOS", "l", "a", "RANK", "-9223372036854775809"],
      ["LPOS", "l", "a", "COUNT", "9223372036854775807", "MAXLEN", "9223372036854775807"],
      // Errors, and which one wins.
      ["LPOS", "l", "a", "RANK", "0"],
      ["LPOS", "l", "a", "RANK", "abc"],
      ["LPOS", "l", "a", "COUNT", "-1"],
      ["LPOS", "l", "a", "COUNT", "abc"],
      ["LPOS", "l", "a", "MAXLEN", "-1"],
      ["LPOS", "l", "a", "MAXLEN", "abc"],
      ["LPOS", "l", "a", "RANK"],
      ["LPOS", "l", "a", "COUNT"],
      ["LPOS", "l", "a", "FOO", "1"],
      ["LPOS", "l", "a", "COUNT", "1", "FOO"],
      ["LPOS", "l", "a", "COUNT", "0", "RANK", "0"],
      ["LPOS", "l", "a", "RANK", "0", "COUNT", "-1"],
      ["LPOS", "l", "a", "COUNT", "-1", "RANK", "0"],
      ["LPOS", "l", "a", "FOO", "RANK", "0"],
      ["LPOS", "missing", "a"],
      ["LPOS", "missing", "a", "COUNT", "0"],
      ["LPOS", "missing", "a", "RANK", "0"],
      ["SET", "s", "v"],
      ["LPOS", "s", "a"],
      ["LPOS", "s", "a", "COUNT", "0"],
      ["LPOS", "s", "a", "RANK", "0"],
      ["LPOS", "s", "a", "FOO"],
      ...arityErrors("LPOS", [1, 2]),
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "RPOPLPUSH and LMOVE move between lists, rotate one list, and check types as Redis does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["RPUSH", "src", "a", "b", "c", "d"],
      ["RPOPLPUSH", "src", "dst"],
      ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
      ["LMOVE", "src", "dst", "right", "left"],
      ["LMOVE", "src", "dst", "Left", "Left"],
      ["LRANGE", "dst", "0", "-1"],
      ["EXISTS", "src"],
      ["LMOVE", "src", "dst", "LEFT", "LEFT"],
      ["RPOPLPUSH", "src", "dst"],
      ["EXISTS", "src"],
      // Rotation on one key, down to a single element.
      ["RPUSH", "r", "1", "2", "3"],
      ["RPOPLPUSH", "r", "r"],
      ["LRANGE", "r", "0", "-1"],
      ["LMOVE", "r", "r", "LEFT", "RIGHT"],
      ["LMOVE", "r", "r", "LEFT", "LEFT"],
      ["LMOVE", "r", "r", "RIGHT", "RIGHT"],
      ["LRANGE", "r", "0", "-1"],
      ["RPUSH", "one", "x"],
      ["LMOVE", "one", "one", "LEFT", "RIGHT"],
      ["RPOPLPUSH", "one", "one"],
      ["LRANGE", "one", "0", "-1"],
      // Side errors come first, even on missing keys.
      ["LMOVE", "src", "dst", "UP", "LEFT"],
      ["LMOVE", "src", "dst", "LEFT", "DOWN"],
      ["LMOVE", "dst", "x", "LEFT", "DOWN"],
      // Wrong types: the source is checked first, then the destination; nothing moves.
      ["SET", "s", "v"],
      ["RPOPLPUSH", "s", "dst"],
      ["RPOPLPUSH", "dst", "s"],
      ["LMOVE", "dst", "s", "LEFT", "LEFT"],
      ["LMOVE", "s", "dst", "LEFT", "LEFT"],
      ["RPOPLPUSH", "missing", "s"],
      ["LMOVE", "missing", "s", "LEFT", "RIGHT"],
      ["LRANGE", "dst", "0", "-1"],
      ["GET", "s"],
      ["EXISTS", "missing"],
      ["RPUSH", "last", "only"],
      ["RPOPLPUSH", "last", "fresh"],
      ["EXISTS", "last"],
      ["LRANGE", "fresh", "0", "-1"],
      ...arityErrors("RPOPLPUSH", [2, 4]),
      ...arityErrors("LMOVE", [4, 6]),
    ];
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "LMPOP pops from the first non-empty list and refuses bad arguments in Redis's order",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "b", "1", "2", "3", "4", "5"],
      ["RPUSH", "c", "x"],
      ["LMPOP", "3", "a", "b", "c", "LEFT"],
      ["LMPOP", "3", "a", "b", "c", "RIGHT", "COUNT", "2"],
      ["LMPOP", "2", "b", "c", "left", "count", "100"],
      ["EXISTS", "b"],
      ["LMPOP", "2", "b", "c", "RIGHT"],
      ["EXISTS", "c"],
      ["LMPOP", "2", "b", "c", "RIGHT"],
      ["LMPOP", "1", "b", "LEFT", "COUNT", "9223372036854775807"],
      ["RPUSH", "d", "p", "q"],
      ["LMPOP", "2", "d", "d", "LEFT", "COUNT", "1"],
      // numkeys first, then the key count, the side, COUNT and what follows.
      ["LMPOP", "0", "d", "LEFT"],
      ["LMPOP", "-1", "d", "LEFT"],
      ["LMPOP", "abc", "d", "LEFT"],
      ["LMPOP", "9223372036854775807", "d", "LEFT"],
      ["LMPOP", "9223372036854775808", "d", "LEFT"],
      ["LMPOP", "2", "d", "LEFT"],
      ["LMPOP", "5", "d", "LEFT"],
      ["LMPOP", "1", "d", "MIDDLE"],
      ["LMPOP", "1", "d", "LEFT", "COUNT", "0"],
      ["LMPOP", "1", "d", "LEFT", "COUNT", "-1"],
      ["LMPOP", "1", "d", "LEFT", "COUNT", "abc"],
      ["LMPOP", "1", "d", "LEFT", "COUNT", "1", "COUNT", "1"],
      ["LMPOP", "1", "d", "LEFT", "COUNT"],
      ["LMPOP", "1", "d", "LEFT", "FOO"],
      ["LMPOP", "1", "d", "LEFT", "COUNT", "0", "FOO"],
      ["LMPOP", "1", "d", "LEFT", "FOO", "COUNT", "0"],
      ["LMPOP", "0", "d", "MIDDLE", "COUNT", "0"],
      ["LMPOP", "2", "d", "MIDDLE", "COUNT", "0"],
      ["LMPOP", "1", "d", "MIDDLE", "COUNT", "0"],
      ["LRANGE", "d", "0", "-1"],
      // A key of another type stops the search where it is met.
      ["SET", "s", "v"],
      ["LMPOP", "2", "s", "d", "LEFT"],
      ["LMPOP", "2", "d", "s", "LEFT"],
      ["LMPOP", "2", "missing", "s", "LEFT"],
      ["LMPOP", "1", "missing", "LEFT"],
      ...arityErrors("LMPOP", [1, 2, 3]),
    ]);
  },
});

Deno.test({
  name: "the blocking list commands answer at once when an element is there",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "a", "1", "2", "3"],
      ["RPUSH", "b", "x", "y"],
      ["BLPOP", "missing", "a", "b", "0"],
      ["BRPOP", "missing", "b", "a", "0"],
      ["BLPOP", "a", "0.5"],
      ["BRPOP", "b", "1e3"],
      ["EXISTS", "b"],
      ["RPUSH", "a", "4", "5", "6", "7"],
      ["BRPOPLPUSH", "a", "dst", "0"],
      ["BLMOVE", "a", "dst", "LEFT", "RIGHT", "0.01"],
      ["BLMOVE", "a", "a", "RIGHT", "LEFT", "0"],
      ["LRANGE", "a", "0", "-1"],
      ["LRANGE", "dst", "0", "-1"],
      ["BLMPOP", "0", "2", "missing", "a", "RIGHT", "COUNT", "2"],
      ["BLMPOP", "1.5", "1", "a", "LEFT"],
      ["EXISTS", "a"],
      // Timeouts that are accepted: -0.0001 and a hex float wait forever in Redis 7.0.
      ["RPUSH", "t", ...elements(8)],
      ["BLPOP", "t", "-0.0001"],
      ["BRPOP", "t", "0x10"],
      ["BLPOP", "t", "9223372036854"],
      ["BRPOPLPUSH", "t", "t", "-0.0009"],
      ["BLMOVE", "t", "t", "LEFT", "LEFT", "1E2"],
      ["BLMPOP", "0x1p3", "1", "t", "LEFT"],
      ["BLPOP", "t", "+1"],
      ["BLPOP", "t", "0.0001"],
      ["LRANGE", "t", "0", "-1"],
      // Wrong types: the first key of another type answers WRONGTYPE.
      ["SET", "s", "v"],
      ["BLPOP", "missing", "s", "t", "0"],
      ["BLPOP", "t", "s", "0"],
      ["BRPOP", "s", "0"],
      ["BRPOPLPUSH", "s", "t", "0"],
      ["BRPOPLPUSH", "t", "s", "0"],
      ["BLMOVE", "t", "s", "LEFT", "LEFT", "0"],
      ["BLMOVE", "s", "t", "LEFT", "LEFT", "0"],
      ["BLMPOP", "0", "2", "s", "t", "LEFT"],
      ["LRANGE", "t", "0", "-1"],
      ...arityErrors("BLPOP", [1, 2]),
      ...arityErrors("BRPOP", [1, 2]),
      ...arityErrors("BRPOPLPUSH", [3, 5]),
      ...arityErrors("BLMOVE", [5, 7]),
      ...arityErrors("BLMPOP", [1, 2, 3, 4]),
    ]);
  },
});

Deno.test({
  name: "the blocking list commands refuse bad timeouts as Redis does, before other checks",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [["SET", "s", "v"], ["RPUSH", "l", "a"]];
    const bad = [
      "abc",
      "",
      " 1",
      "1 ",
      "nan",
      "-1",
      "-0.0011",
      "-0.002",
      "1e400",
      "-1e400",
      "inf",
      "+inf",
      "-inf",
      "infinity",
      "9223372036854776",
      "1e20",
      "0x",
      "1.5.5",
    ];
    for (const t of bad) {
      script.push(
        ["BLPOP", "s", t],
        ["BRPOP", "l", t],
        ["BRPOPLPUSH", "s", "l", t],
        ["BLMOVE", "l", "s", "LEFT", "RIGHT", t],
        ["BLMPOP", t, "1", "s", "LEFT"],
      );
    }
    script.push(
      // BLMOVE reads its sides first; BLMPOP its numkeys, side and COUNT.
      ["BLMOVE", "l", "s", "UP", "RIGHT", "abc"],
      ["BLMOVE", "l", "s", "LEFT", "DOWN", "-1"],
      ["BLMPOP", "abc", "0", "s", "LEFT"],
      ["BLMPOP", "abc", "2", "s", "LEFT"],
      ["BLMPOP", "-1", "1", "s", "MIDDLE"],
      ["BLMPOP", "abc", "1", "s", "LEFT", "COUNT", "0"],
      ["BLMPOP", "-1", "1", "s", "LEFT", "COUNT", "1", "FOO"],
      ["BLMPOP", "0", "1", "s", "LEFT", "COUNT", "abc"],
      ["BLMPOP", "-1", "1", "s", "LEFT"],
      ["BLMPOP", "abc", "1", "s", "LEFT"],
      ["LRANGE", "l", "0", "-1"],
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "blocking timeouts at the edges of long double precision are read as Redis reads them",
  // Fails until args.ts's timeoutDeadline computes ceill(seconds * 1000.0L) exactly: in doubles,
  // -0.001 becomes -1 ms (Redis: 0, wait forever) and 9223372036854775 overflows (Redis: fine).
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [["RPUSH", "l", ...elements(20)]];
    const edges = [
      "-0.001",
      "-1e-3",
      "-0.0010000000000000001",
      "9223372036854775",
      "9223372036854775.807",
      "9223372036854775.8075",
      "9223372036854775.808",
      "1e-4000",
      "-1e-4000",
    ];
    for (const t of edges) script.push(["BLPOP", "l", t]);
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "list replies in RESP3 have Redis's null and array shapes",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      resp3,
      ["RPUSH", "l", "a", "b", "c", "a", "d", "e", "f"],
      ["LPOP", "missing"],
      ["LPOP", "missing", "1"],
      ["RPOP", "missing", "0"],
      ["LPOP", "l", "0"],
      ["LPOP", "l", "1"],
      ["LINDEX", "l", "10"],
      ["LINDEX", "missing", "0"],
      ["LRANGE", "missing", "0", "-1"],
      ["LPOS", "l", "z"],
      ["LPOS", "l", "z", "COUNT", "0"],
      ["LPOS", "missing", "z"],
      ["LPOS", "l", "a", "COUNT", "0"],
      ["RPOPLPUSH", "missing", "x"],
      ["LMOVE", "missing", "x", "LEFT", "LEFT"],
      ["LMPOP", "1", "missing", "LEFT"],
      ["LMPOP", "1", "l", "LEFT", "COUNT", "2"],
      ["BLPOP", "l", "0"],
      ["BLMPOP", "0", "1", "l", "LEFT"],
      ["LLEN", "l"],
      ["LINSERT", "missing", "BEFORE", "a", "b"],
      ["LINSERT", "l", "BEFORE", "nope", "b"],
      ["EXISTS", "l"],
    ]);
  },
});

/** INFO stats reduced to its keyspace hit and miss counters. */
const keyspaceStats: ScriptStep = {
  cmd: ["INFO", "stats"],
  normalize: (reply) => reply.split("\r\n").filter((l) => l.startsWith("keyspace_")).join(","),
};

Deno.test({
  name: "list reads count keyspace hits and misses and list writes do not, as in Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "a", "b", "c"],
      keyspaceStats,
      ["LLEN", "l"],
      ["LLEN", "missing"],
      ["LRANGE", "l", "0", "-1"],
      ["LRANGE", "missing", "0", "-1"],
      ["LINDEX", "l", "0"],
      ["LINDEX", "missing", "0"],
      ["LPOS", "l", "a"],
      ["LPOS", "missing", "a"],
      keyspaceStats,
      ["LPUSH", "l", "x"],
      ["LPUSHX", "missing", "x"],
      ["LPOP", "l"],
      ["RPOP", "missing"],
      ["LSET", "l", "0", "y"],
      ["LINSERT", "l", "BEFORE", "y", "z"],
      ["LREM", "l", "0", "nope"],
      ["LTRIM", "l", "0", "-1"],
      ["LMOVE", "l", "l", "LEFT", "RIGHT"],
      ["RPOPLPUSH", "missing", "l"],
      ["LMPOP", "2", "missing", "l", "LEFT"],
      ["BLPOP", "missing", "l", "0"],
      ["BLMOVE", "l", "other", "LEFT", "LEFT", "0"],
      keyspaceStats,
    ]);
  },
});

Deno.test({
  name: "COMMAND GETKEYS finds LMPOP's and BLMPOP's keys from numkeys as Redis does",
  ignore: needsRedis(),
  async fn() {
    const keyed: string[][] = [
      ["lmpop", "2", "a", "b", "LEFT"],
      ["lmpop", "1", "a", "RIGHT", "COUNT", "2"],
      ["blmpop", "0", "2", "a", "b", "LEFT"],
      ["blmpop", "0", "1", "a", "LEFT", "COUNT", "3"],
    ];
    await assertSameAsRedis([
      ...keyed.flatMap((argv) => [
        ["COMMAND", "GETKEYS", ...argv],
        ["COMMAND", "GETKEYSANDFLAGS", ...argv],
      ]),
      ["COMMAND", "GETKEYS", "lmpop", "0", "a", "LEFT"],
      ["COMMAND", "GETKEYS", "lmpop", "abc", "a", "LEFT"],
      ["COMMAND", "GETKEYS", "lmpop", "3", "a", "LEFT"],
      ["COMMAND", "GETKEYS", "blmpop", "0", "3", "a", "LEFT"],
    ]);
  },
});
