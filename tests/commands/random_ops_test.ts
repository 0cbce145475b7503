/**
 * Property tests of the data types, with real Redis as the model: long random sequences of
 * list, hash, set and sorted-set commands (seeded, so a failure replays) run on our server and
 * on a real redis-server 7.0, and every reply must match. Keys and elements come from small
 * pools, so commands collide: they hit the same keys, empty them, meet keys of other types
 * (WRONGTYPE), move elements between keys and repeat members. Replies whose order Redis leaves
 * unspecified (members of a hashtable set) are compared as multisets.
 *
 * @module
 */
import {
  assertSameAsRedis,
  needsRedis,
  type ScriptStep,
  seededRandom,
  unordered,
} from "../_util.ts";

const KEYS = ["k1", "k2", "k3", "k4"];
const ELEMENTS = ["a", "b", "c", "d", "1", "2", "10", "-3", "", "a\r\nb"];
const SCORES = ["0", "1", "-1", "2.5", "1e3", "-inf", "+inf", "0.1", "3"];

/** Builds `count` random commands from `rand`. */
function randomScript(rand: () => number, count: number): ScriptStep[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const key = () => pick(KEYS);
  const el = () => pick(ELEMENTS);
  const els = (max: number) => Array.from({ length: int(1, max) }, el);
  const side = () => pick(["LEFT", "RIGHT"]);
  const score = () => pick(SCORES);
  const pairs = (max: number) => Array.from({ length: int(1, max) }, () => [score(), el()]).flat();
  const scoreBound = () => pick(["-inf", "+inf", "(1", "0", "2.5", "(0.1", "1e3"]);
  const lexBound = () => pick(["-", "+", "[a", "(b", "[1", "(c", "[10"]);
  const generators: (() => ScriptStep)[] = [
    // lists
    () => [pick(["LPUSH", "RPUSH"]), key(), ...els(4)],
    () => [pick(["LPUSHX", "RPUSHX"]), key(), ...els(2)],
    () =>
      rand() < 0.5
        ? [pick(["LPOP", "RPOP"]), key()]
        : [pick(["LPOP", "RPOP"]), key(), `${int(0, 4)}`],
    () => ["LRANGE", key(), `${int(-6, 6)}`, `${int(-6, 6)}`],
    () => ["LINDEX", key(), `${int(-6, 6)}`],
    () => ["LSET", key(), `${int(-4, 4)}`, el()],
    () => ["LINSERT", key(), pick(["BEFORE", "AFTER"]), el(), el()],
    () => ["LREM", key(), `${int(-2, 2)}`, el()],
    () => ["LTRIM", key(), `${int(-5, 5)}`, `${int(-5, 5)}`],
    () => ["LPOS", key(), el(), "RANK", pick(["1", "-1", "2", "-2"]), "COUNT", `${int(0, 3)}`],
    () => ["LMOVE", key(), key(), side(), side()],
    () => ["LMPOP", "2", key(), key(), side(), "COUNT", `${int(1, 3)}`],
    () => ["LLEN", key()],
    // hashes
    () => ["HSET", key(), ...els(3).flatMap((f) => [f, el()])],
    () => ["HSETNX", key(), el(), el()],
    () => ["HDEL", key(), ...els(3)],
    () => ["HGET", key(), el()],
    () => ["HMGET", key(), ...els(3)],
    () => ["HINCRBY", key(), el(), `${int(-5, 5)}`],
    () => [pick(["HLEN", "HGETALL", "HKEYS", "HVALS"]), key()],
    () => [pick(["HEXISTS", "HSTRLEN"]), key(), el()],
    // sets
    () => ["SADD", key(), ...els(4)],
    () => ["SREM", key(), ...els(3)],
    () => [pick(["SISMEMBER"]), key(), el()],
    () => ["SMISMEMBER", key(), ...els(3)],
    () => ["SCARD", key()],
    () => unordered(["SMEMBERS", key()]),
    () => unordered([pick(["SINTER", "SUNION", "SDIFF"]), key(), key()]),
    () => [pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key(), key(), key()],
    () => ["SMOVE", key(), key(), el()],
    () => ["SINTERCARD", "2", key(), key()],
    // sorted sets
    () => [
      "ZADD",
      key(),
      ...pick([[], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"], ["GT", "CH"]]),
      ...pairs(3),
    ],
    () => ["ZADD", key(), "INCR", score(), el()],
    () => ["ZINCRBY", key(), score(), el()],
    () => ["ZREM", key(), ...els(2)],
    () => [pick(["ZSCORE", "ZRANK", "ZREVRANK"]), key(), el()],
    () => ["ZMSCORE", key(), ...els(3)],
    () => ["ZCARD", key()],
    () => [
      "ZRANGE",
      key(),
      `${int(-4, 4)}`,
      `${int(-4, 4)}`,
      ...(rand() < 0.5 ? ["WITHSCORES"] : []),
    ],
    () => [
      "ZRANGE",
      key(),
      scoreBound(),
      scoreBound(),
      "BYSCORE",
      ...(rand() < 0.5 ? ["REV"] : []),
    ],
    () => [
      "ZRANGEBYSCORE",
      key(),
      scoreBound(),
      scoreBound(),
      "WITHSCORES",
      "LIMIT",
      `${int(0, 2)}`,
      `${int(-1, 3)}`,
    ],
    () => ["ZRANGEBYLEX", key(), lexBound(), lexBound()],
    () => ["ZCOUNT", key(), scoreBound(), scoreBound()],
    () => ["ZLEXCOUNT", key(), lexBound(), lexBound()],
    () => ["ZREMRANGEBYRANK", key(), `${int(-3, 3)}`, `${int(-3, 3)}`],
    () => ["ZREMRANGEBYSCORE", key(), scoreBound(), scoreBound()],
    () => [pick(["ZPOPMIN", "ZPOPMAX"]), key(), ...(rand() < 0.5 ? [`${int(0, 3)}`] : [])],
    () => [
      pick(["ZUNIONSTORE", "ZINTERSTORE"]),
      key(),
      "2",
      key(),
      key(),
      "AGGREGATE",
      pick(["SUM", "MIN", "MAX"]),
    ],
    () => ["ZDIFFSTORE", key(), "2", key(), key()],
    () => ["ZRANGESTORE", key(), key(), "0", "-1"],
    // keys of any type
    () => [pick(["TYPE", "EXISTS"]), key()],
    () => ["DEL", key()],
    () => ["RENAME", key(), key()],
    () => ["COPY", key(), key(), ...(rand() < 0.5 ? ["REPLACE"] : [])],
  ];
  return Array.from({ length: count }, () => pick(generators)());
}

for (const seed of [1, 2, 3, 4]) {
  Deno.test({
    name: `random command sequences over every type answer as Redis does (seed ${seed})`,
    ignore: needsRedis(),
    async fn() {
      await assertSameAsRedis(randomScript(seededRandom(seed), 500));
    },
  });
}

Deno.test({
  name: "random command sequences answer as Redis does in RESP3 too",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { cmd: ["HELLO", "3"], normalize: () => "hello" },
      ...randomScript(seededRandom(99), 500),
    ]);
  },
});
