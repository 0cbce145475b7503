/**
 * Differential tests of the set commands: each script runs on our server and on a real
 * redis-server 7.0 and the replies must be byte-identical. Intsets list their members in
 * numeric order in both, so they are compared as bytes; a hashtable's order is arbitrary in
 * Redis, so those replies are compared with `unordered`. Random members (SPOP, SRANDMEMBER)
 * are checked by properties: the reply's type and size, membership, distinctness. Encodings
 * are compared through OBJECT ENCODING on Redis and the stored value on ours.
 *
 * @module
 */
import { randomReplyTooLarge } from "../../src/commands/args.ts";
import type { RespValue } from "../../src/resp/types.ts";
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  parseReply,
  RawSession,
  runScript,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
  unordered,
} from "../_util.ts";

const hello3: ScriptStep = { cmd: ["HELLO", "3"], normalize: () => "hello" };

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

/** The top-level items of an array or set reply, or null for anything else. */
function itemsOf(value: RespValue | undefined): RespValue[] | null {
  if (Array.isArray(value)) return [...value];
  if (value !== null && typeof value === "object" && "kind" in value && value.kind === "set") {
    return [...value.items];
  }
  return null;
}

/**
 * A step whose reply holds random members: compared as its type, its size, and whether every
 * item is one of `universe` (and, when `distinct`, no item repeats).
 */
function randomMembers(cmd: string[], universe: readonly string[], distinct: boolean): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const items = itemsOf(parseReply(reply));
      if (items === null) return reply;
      const known = new Set(universe);
      const inUniverse = items.every((i) => typeof i === "string" && known.has(i));
      const unique = new Set(items).size === items.length;
      const ok = inUniverse && (!distinct || unique);
      return `${reply[0]}${items.length} ${ok ? "members as expected" : reply}`;
    },
  };
}

/** A step whose reply is one random member of `universe` (or exactly the expected non-member). */
function oneOf(cmd: string[], universe: readonly string[]): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const v = parseReply(reply);
      return typeof v === "string" && universe.includes(v) ? "one of the members" : reply;
    },
  };
}

/** A step whose array/set reply is checked to be in ascending numeric order (an intset's). */
function numericOrder(cmd: string[]): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const items = itemsOf(parseReply(reply));
      if (items === null) return reply;
      const n = items.map((i) => BigInt(i as string));
      const sorted = n.every((v, i) => i === 0 || n[i - 1]! < v);
      return `${reply[0]}${items.length} ${sorted ? "ascending" : "unordered"}`;
    },
  };
}

/** `count` integers as strings, from `from` upwards. */
function ints(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
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
  name: "SADD, SREM, SCARD, SISMEMBER and SMISMEMBER answer as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "s", "a", "b", "c", "a"],
      ["SADD", "s", "a", "d"],
      ["SCARD", "s"],
      ["SCARD", "missing"],
      ["SISMEMBER", "s", "a"],
      ["SISMEMBER", "s", "z"],
      ["SISMEMBER", "missing", "a"],
      ["SMISMEMBER", "s", "a", "z", "d", "a"],
      ["SMISMEMBER", "missing", "a", "b"],
      ["SREM", "s", "a", "z", "a"],
      ["SREM", "missing", "a"],
      unordered(["SMEMBERS", "s"]),
      ["SREM", "s", "b", "c", "d", "never"],
      ["EXISTS", "s"],
      ["SMEMBERS", "s"],
      ["SADD", "bin", "", "\r\n", "\0\xff", "x y"],
      ["SISMEMBER", "bin", ""],
      ["SISMEMBER", "bin", "\0\xff"],
      unordered(["SMEMBERS", "bin"]),
      ["SET", "str", "v"],
      ["SADD", "str", "a"],
      ["SREM", "str", "a"],
      ["SCARD", "str"],
      ["SISMEMBER", "str", "a"],
      ["SMISMEMBER", "str", "a"],
      ["SMEMBERS", "str"],
      ["TYPE", "bin"],
      ["sadd", "lower", "x"],
      ["sIsMeMbEr", "lower", "x"],
      ...arityErrors("SADD", [1, 2]),
      ...arityErrors("SREM", [1, 2]),
      ...arityErrors("SCARD", [1, 3]),
      ...arityErrors("SISMEMBER", [2, 4]),
      ...arityErrors("SMISMEMBER", [1, 2]),
      ...arityErrors("SMEMBERS", [1, 3]),
    ]);
  },
});

Deno.test({
  name: "SMEMBERS lists an intset in ascending numeric order, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "i", "10", "-3", "9", "0", "100", "-10", "9223372036854775807"],
      ["SADD", "i", "-9223372036854775808", "1", "2", "-1"],
      ["SMEMBERS", "i"],
      ["SREM", "i", "0", "100", "7"],
      ["SMEMBERS", "i"],
      ["SISMEMBER", "i", "-3"],
      ["SISMEMBER", "i", "-03"],
      ["SISMEMBER", "i", "+1"],
      ["SMISMEMBER", "i", "1", "01", "9223372036854775807", "9223372036854775808"],
      ["SREM", "i", "01", "+1", "abc"],
      ["SCARD", "i"],
      // A member that is not a canonical integer makes a hashtable.
      ["SADD", "i", "01"],
      unordered(["SMEMBERS", "i"]),
      ["SISMEMBER", "i", "01"],
      ["SISMEMBER", "i", "1"],
    ]);
  },
});

Deno.test({
  name: "sets use Redis's encodings: intset for canonical integers up to the limit, then hashtable",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["SADD", "ints", ...ints(512)],
      ["SADD", "ints513", ...ints(513)],
      ["SADD", "grow", ...ints(512)],
      ["SADD", "grow", "512"],
      ["SREM", "grow", "512", "511"],
      ["SADD", "neg", "-9223372036854775808", "9223372036854775807"],
    ];
    const refused = ["01", "+1", " 1", "1 ", "-0", "1.0", "0x1", "9223372036854775808"];
    refused.forEach((m, i) => script.push(["SADD", `bad${i}`, "1", m]));
    script.push(["SADD", "first", "a", "1"]);
    script.push(["CONFIG", "SET", "set-max-intset-entries", "3"]);
    script.push(["SADD", "small", "1", "2", "3"]);
    script.push(["SADD", "small4", "1", "2", "3", "4"]);
    script.push(["CONFIG", "SET", "set-max-intset-entries", "0"]);
    script.push(["SADD", "zero", "1"]);
    script.push(["SMEMBERS", "zero"]);
    const keys = ["ints", "ints513", "grow", "neg", "first", "small", "small4", "zero"];
    await assertSameEncodingsAsRedis(script, [...keys, ...refused.map((_, i) => `bad${i}`)]);
  },
});

Deno.test({
  name: "SMOVE moves a member, with Redis's rules for missing keys, types and the same key",
  ignore: needsRedis(),
  async fn() {
    await assertSameEncodingsAsRedis([
      ["SADD", "src", "a", "b", "1"],
      ["SADD", "dst", "c"],
      ["SMOVE", "src", "dst", "a"],
      ["SMOVE", "src", "dst", "a"],
      unordered(["SMEMBERS", "src"]),
      unordered(["SMEMBERS", "dst"]),
      ["SMOVE", "missing", "dst", "a"],
      ["SET", "str", "v"],
      // A missing source answers 0 before looking at the destination's type.
      ["SMOVE", "missing", "str", "a"],
      ["SMOVE", "src", "str", "b"],
      ["SMOVE", "src", "str", "nope"],
      ["SMOVE", "str", "dst", "b"],
      ["SISMEMBER", "src", "b"],
      ["SMOVE", "src", "src", "b"],
      ["SMOVE", "src", "src", "nope"],
      ["SMOVE", "src", "fresh", "1"],
      ["SMEMBERS", "fresh"],
      ["SMOVE", "src", "fresh2", "b"],
      ["EXISTS", "src"],
      ["SMEMBERS", "fresh2"],
      ["SADD", "iset", "5", "7"],
      ["SMOVE", "dst", "iset", "c"],
      unordered(["SMEMBERS", "iset"]),
      ["SADD", "iset2", "5", "7"],
      ["SADD", "from", "6"],
      ["SMOVE", "from", "iset2", "6"],
      ["SMEMBERS", "iset2"],
      ["SADD", "dup", "x"],
      ["SADD", "dup2", "x", "y"],
      ["SMOVE", "dup", "dup2", "x"],
      ["EXISTS", "dup"],
      unordered(["SMEMBERS", "dup2"]),
      ...arityErrors("SMOVE", [3, 5]),
    ], ["fresh", "fresh2", "iset", "iset2", "dup2"]);
  },
});

Deno.test({
  name: "SMOVE keeps the destination's TTL and SADD keeps the key's TTL",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "a", "x", "y"],
      ["SADD", "b", "z"],
      ["EXPIRE", "b", "1000"],
      ["SMOVE", "a", "b", "x"],
      ["TTL", "b"],
      ["EXPIRE", "a", "1000"],
      ["SADD", "a", "w"],
      ["TTL", "a"],
      ["SREM", "a", "w"],
      ["TTL", "a"],
    ]);
  },
});

Deno.test({
  name: "SINTER, SUNION and SDIFF compute as Redis does, intset results in numeric order",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "i1", "5", "1", "3", "10", "-2"],
      ["SADD", "i2", "3", "10", "7", "-2", "100"],
      ["SADD", "i3", "10", "-2", "3", "8"],
      ["SINTER", "i1", "i2"],
      ["SINTER", "i1", "i2", "i3"],
      ["SINTER", "i1"],
      ["SINTER", "i1", "i1"],
      ["SUNION", "i1", "i2"],
      ["SUNION", "i1", "i2", "i3", "missing"],
      ["SDIFF", "i1", "i2"],
      ["SDIFF", "i2", "i1", "i3"],
      ["SDIFF", "i1", "missing"],
      ["SDIFF", "i1", "i1"],
      ["SDIFF", "i1", "i2", "i1"],
      ["SDIFF", "missing", "i1"],
      ["SINTER", "i1", "missing"],
      ["SINTER", "missing"],
      ["SUNION", "missing"],
      ["SADD", "h1", "a", "b", "c", "1", "2"],
      ["SADD", "h2", "b", "c", "d", "2", "3"],
      unordered(["SINTER", "h1", "h2"]),
      unordered(["SUNION", "h1", "h2"]),
      unordered(["SDIFF", "h1", "h2"]),
      unordered(["SDIFF", "h2", "h1"]),
      // Integers taken from a hashtable still make an intset result, listed in order.
      ["SINTER", "h1", "i1", "i2"],
      ["SDIFF", "h2", "h1", "i1"],
      unordered(["SUNION", "i1", "h1"]),
      ["SET", "str", "v"],
      ["SINTER", "i1", "str"],
      ["SINTER", "missing", "str"],
      ["SUNION", "str"],
      ["SUNION", "missing", "str"],
      ["SDIFF", "missing", "str"],
      ["SDIFF", "i1", "str"],
      ...arityErrors("SINTER", [1]),
      ...arityErrors("SUNION", [1]),
      ...arityErrors("SDIFF", [1]),
    ]);
  },
});

Deno.test({
  name: "the *STORE commands store the result, delete an empty one and reply its size",
  ignore: needsRedis(),
  async fn() {
    await assertSameEncodingsAsRedis([
      ["SADD", "i1", "5", "1", "3", "10"],
      ["SADD", "i2", "3", "10", "7"],
      ["SADD", "h1", "a", "b", "3"],
      ["SINTERSTORE", "inter", "i1", "i2"],
      ["SMEMBERS", "inter"],
      ["SUNIONSTORE", "union", "i1", "i2"],
      ["SMEMBERS", "union"],
      ["SDIFFSTORE", "diff", "i1", "i2"],
      ["SMEMBERS", "diff"],
      ["SUNIONSTORE", "mixed", "i1", "h1"],
      unordered(["SMEMBERS", "mixed"]),
      ["SINTERSTORE", "fromh", "h1", "i1"],
      ["SMEMBERS", "fromh"],
      // The destination's old value, of any type, and its TTL, are replaced.
      ["SET", "target", "v"],
      ["EXPIRE", "target", "1000"],
      ["SUNIONSTORE", "target", "i1"],
      ["TYPE", "target"],
      ["TTL", "target"],
      ["SMEMBERS", "target"],
      ["SET", "target2", "v"],
      ["SINTERSTORE", "target2", "i1", "h1"],
      ["TYPE", "target2"],
      // An empty result deletes the destination.
      ["SADD", "gone1", "x"],
      ["SINTERSTORE", "gone1", "i1", "missing"],
      ["EXISTS", "gone1"],
      ["SADD", "gone2", "x"],
      ["SDIFFSTORE", "gone2", "i1", "i1"],
      ["EXISTS", "gone2"],
      ["SADD", "gone3", "x"],
      ["SUNIONSTORE", "gone3", "missing"],
      ["EXISTS", "gone3"],
      ["SADD", "gone4", "x"],
      ["SINTERSTORE", "gone4", "i1", "h2missing"],
      ["SDIFFSTORE", "nothing", "missing", "i1"],
      ["EXISTS", "nothing"],
      // The destination may be a source.
      ["SUNIONSTORE", "i2", "i2", "i1"],
      ["SMEMBERS", "i2"],
      ["SDIFFSTORE", "i2", "i2", "h1"],
      ["SMEMBERS", "i2"],
      ["SINTERSTORE", "i2", "i2", "i1"],
      ["SMEMBERS", "i2"],
      // A source of another type fails, and leaves the destination alone.
      ["SET", "str", "v"],
      ["SINTERSTORE", "inter", "i1", "str"],
      ["SUNIONSTORE", "inter", "missing", "str"],
      ["SDIFFSTORE", "inter", "i1", "str"],
      ["SMEMBERS", "inter"],
      ...arityErrors("SINTERSTORE", [1, 2]),
      ...arityErrors("SUNIONSTORE", [1, 2]),
      ...arityErrors("SDIFFSTORE", [1, 2]),
    ], ["inter", "union", "diff", "mixed", "fromh", "target", "target2", "gone4", "i2"]);
  },
});

Deno.test({
  name: "*STORE results take the encoding Redis's temporary set ends with",
  ignore: needsRedis(),
  async fn() {
    const many = ints(600);
    await assertSameEncodingsAsRedis([
      ["SADD", "big", ...many],
      ["SADD", "part", ...ints(590)],
      ["SADD", "a", ...ints(100)],
      ["SADD", "b", ...ints(100, 100)],
      // A 10-member difference of hashtables is an intset (Redis's first algorithm) ...
      ["SDIFFSTORE", "d1", "big", "part"],
      ["SMEMBERS", "d1"],
      // ... but its second algorithm copies the 600 first: a hashtable, even when 400 remain.
      ["SDIFFSTORE", "d2", "big", "a", "b"],
      unordered(["SDIFF", "big", "a", "b"]),
      ["SCARD", "d2"],
      ["SINTERSTORE", "i1", "big", "part"],
      ["SINTERSTORE", "i2", "big", "a"],
      ["SMEMBERS", "i2"],
      ["SUNIONSTORE", "u1", "a", "b"],
      ["SUNIONSTORE", "u2", "a", "b", "big"],
      ["SUNION", "a", "b"],
    ], ["d1", "d2", "i1", "i2", "u1", "u2"]);
  },
});

Deno.test({
  name: "SINTERCARD counts the intersection with Redis's LIMIT and errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "a", "1", "2", "3", "4", "x"],
      ["SADD", "b", "2", "3", "4", "x", "y"],
      ["SINTERCARD", "2", "a", "b"],
      ["SINTERCARD", "1", "a"],
      ["SINTERCARD", "2", "a", "a"],
      ["SINTERCARD", "2", "a", "b", "LIMIT", "2"],
      ["SINTERCARD", "2", "a", "b", "limit", "0"],
      ["SINTERCARD", "2", "a", "b", "LIMIT", "100"],
      ["SINTERCARD", "2", "a", "b", "LIMIT", "5", "LIMIT", "1"],
      ["SINTERCARD", "2", "a", "missing"],
      ["SINTERCARD", "1", "missing"],
      ["SINTERCARD", "0", "a"],
      ["SINTERCARD", "-1", "a"],
      ["SINTERCARD", "abc", "a"],
      ["SINTERCARD", "9223372036854775808", "a"],
      ["SINTERCARD", "3", "a", "b"],
      ["SINTERCARD", "9223372036854775807", "a"],
      ["SINTERCARD", "1", "a", "LIMIT"],
      ["SINTERCARD", "1", "a", "LIMIT", "-1"],
      ["SINTERCARD", "1", "a", "LIMIT", "abc"],
      ["SINTERCARD", "1", "a", "FOO", "1"],
      ["SINTERCARD", "1", "a", "b"],
      ["SET", "str", "v"],
      ["SINTERCARD", "2", "a", "str"],
      ["SINTERCARD", "2", "missing", "str"],
      ["SINTERCARD", "1", "str", "LIMIT", "-1"],
      ...arityErrors("SINTERCARD", [1, 2]),
    ]);
  },
});

Deno.test({
  name: "SPOP answers and errs as Redis does, whole sets in order",
  ignore: needsRedis(),
  async fn() {
    const small = ["3", "1", "2"];
    await assertSameAsRedis([
      ["SPOP", "missing"],
      ["SPOP", "missing", "3"],
      ["SPOP", "missing", "0"],
      ["SPOP", "missing", "-1"],
      ["SADD", "s", ...small],
      ["SPOP", "s", "0"],
      ["SPOP", "s", "-1"],
      ["SPOP", "s", "abc"],
      ["SPOP", "s", "1.5"],
      ["SPOP", "s", "9223372036854775808"],
      ["SPOP", "s", "1", "2"],
      ["SCARD", "s"],
      // Asking for the whole set answers it in order and deletes the key.
      ["SPOP", "s", "3"],
      ["EXISTS", "s"],
      ["SADD", "s", ...small],
      ["SPOP", "s", "9223372036854775807"],
      ["EXISTS", "s"],
      ["SADD", "s", ...small],
      oneOf(["SPOP", "s"], small),
      ["SCARD", "s"],
      randomMembers(["SPOP", "s", "1"], small, true),
      ["SCARD", "s"],
      oneOf(["SPOP", "s"], small),
      ["EXISTS", "s"],
      ["SADD", "h", "a", "b", "c", "d", "e", "f"],
      randomMembers(["SPOP", "h", "2"], ["a", "b", "c", "d", "e", "f"], true),
      ["SCARD", "h"],
      // Five or more per kept member: Redis rebuilds the set from the kept ones.
      randomMembers(["SPOP", "h", "3"], ["a", "b", "c", "d", "e", "f"], true),
      ["SCARD", "h"],
      // A hashtable of integers is listed as the intset Redis's SUNION of it makes.
      ["SADD", "hi", "30", "1", "2", "a", "10", "-5"],
      ["SREM", "hi", "a"],
      ["SPOP", "hi", "10"],
      ["SADD", "hi", "30", "1", "2", "a", "10", "-5"],
      ["SREM", "hi", "a"],
      unordered(["SRANDMEMBER", "hi", "10"]),
      ["SUNION", "hi"],
      ["SDIFF", "hi", "missing"],
      unordered(["SINTER", "hi"]),
      ["SET", "str", "v"],
      ["SPOP", "str"],
      ["SPOP", "str", "0"],
      ["SPOP", "str", "-1"],
      ...arityErrors("SPOP", [1]),
    ]);
  },
});

Deno.test({
  name: "SPOP with a count keeps the encoding Redis leaves, rebuilding when it pops most",
  ignore: needsRedis(),
  async fn() {
    await assertSameEncodingsAsRedis([
      ["SADD", "rebuilt", ...ints(600)],
      randomMembers(["SPOP", "rebuilt", "590"], ints(600), true),
      ["SCARD", "rebuilt"],
      numericOrder(["SMEMBERS", "rebuilt"]),
      ["SADD", "kept", ...ints(600)],
      randomMembers(["SPOP", "kept", "100"], ints(600), true),
      ["SCARD", "kept"],
      ["SADD", "intset", ...ints(100)],
      randomMembers(["SPOP", "intset", "99"], ints(100), true),
      ["SCARD", "intset"],
      ["SADD", "strings", "a", "b", "c", "d", "e", "f", "g"],
      randomMembers(["SPOP", "strings", "6"], ["a", "b", "c", "d", "e", "f", "g"], true),
      ["SCARD", "strings"],
    ], ["rebuilt", "kept", "intset", "strings"]);
  },
});

Deno.test({
  name: "SRANDMEMBER answers and errs as Redis does, whole sets in order",
  ignore: needsRedis(),
  async fn() {
    const small = ["3", "1", "2"];
    const letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    await assertSameAsRedis([
      ["SRANDMEMBER", "missing"],
      ["SRANDMEMBER", "missing", "3"],
      ["SRANDMEMBER", "missing", "-3"],
      ["SRANDMEMBER", "missing", "abc"],
      ["SADD", "s", ...small],
      ["SRANDMEMBER", "s", "0"],
      ["SRANDMEMBER", "s", "abc"],
      ["SRANDMEMBER", "s", "9223372036854775808"],
      ["SRANDMEMBER", "s", "-9223372036854775808"],
      ["SRANDMEMBER", "s", "-9223372036854775809"],
      ["SRANDMEMBER", "s", "1", "2"],
      ["SRANDMEMBER", "s", "3"],
      ["SRANDMEMBER", "s", "100"],
      ["SRANDMEMBER", "s", "9223372036854775807"],
      oneOf(["SRANDMEMBER", "s"], small),
      randomMembers(["SRANDMEMBER", "s", "1"], small, true),
      randomMembers(["SRANDMEMBER", "s", "2"], small, true),
      randomMembers(["SRANDMEMBER", "s", "-1"], small, false),
      randomMembers(["SRANDMEMBER", "s", "-10"], small, false),
      ["SCARD", "s"],
      ["SADD", "h", ...letters],
      randomMembers(["SRANDMEMBER", "h", "2"], letters, true),
      randomMembers(["SRANDMEMBER", "h", "5"], letters, true),
      randomMembers(["SRANDMEMBER", "h", "9"], letters, true),
      unordered(["SRANDMEMBER", "h", "10"]),
      unordered(["SRANDMEMBER", "h", "11"]),
      randomMembers(["SRANDMEMBER", "h", "-25"], letters, false),
      ["SCARD", "h"],
      ["SET", "str", "v"],
      ["SRANDMEMBER", "str"],
      ["SRANDMEMBER", "str", "0"],
      ["SRANDMEMBER", "str", "abc"],
      // Redis answers these without building a reply: the size rule comes after them.
      ["SRANDMEMBER", "missing", "-9223372036854775807"],
      ["SRANDMEMBER", "str", "-9223372036854775807"],
      ...arityErrors("SRANDMEMBER", [1]),
    ]);
  },
});

Deno.test({
  name:
    "set replies take RESP3 shapes as in Redis: sets for SMEMBERS and SPOP, arrays for SRANDMEMBER",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      hello3,
      ["SADD", "s", "3", "1", "2"],
      ["SADD", "t", "2", "3", "4"],
      ["SMEMBERS", "s"],
      ["SMEMBERS", "missing"],
      ["SINTER", "s", "t"],
      ["SINTER", "s", "missing"],
      ["SUNION", "s", "t"],
      ["SDIFF", "s", "t"],
      ["SDIFF", "missing"],
      ["SMISMEMBER", "s", "1", "9"],
      ["SISMEMBER", "s", "1"],
      ["SINTERCARD", "2", "s", "t"],
      ["SPOP", "missing"],
      ["SPOP", "missing", "2"],
      ["SPOP", "s", "0"],
      ["SRANDMEMBER", "missing"],
      ["SRANDMEMBER", "missing", "2"],
      ["SRANDMEMBER", "s", "0"],
      ["SRANDMEMBER", "s", "5"],
      randomMembers(["SRANDMEMBER", "s", "-4"], ["1", "2", "3"], false),
      randomMembers(["SRANDMEMBER", "s", "2"], ["1", "2", "3"], true),
      randomMembers(["SPOP", "t", "1"], ["2", "3", "4"], true),
      ["SPOP", "s", "5"],
      numericOrder(["SMEMBERS", "t"]),
      ["SADD", "h", "a"],
      ["SMEMBERS", "h"],
      ["SSCAN", "h", "0"],
      ["SSCAN", "missing", "0"],
    ]);
  },
});

Deno.test({
  name: "SSCAN answers an intset whole and parses options and cursors as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "i", ...ints(300).reverse(), "-5"],
      ["SSCAN", "i", "0"],
      ["SSCAN", "i", "0", "COUNT", "5"],
      ["SSCAN", "i", "123", "COUNT", "5"],
      ["SSCAN", "i", "0", "MATCH", "1*"],
      ["SSCAN", "i", "0", "MATCH", "*9", "COUNT", "2"],
      ["SSCAN", "i", "0", "COUNT", "0"],
      ["SSCAN", "i", "0", "COUNT", "-1"],
      ["SSCAN", "i", "0", "COUNT", "abc"],
      ["SSCAN", "i", "0", "MATCH"],
      ["SSCAN", "i", "0", "FOO", "bar"],
      ["SSCAN", "i", "abc"],
      ["SSCAN", "i", "-1"],
      ["SSCAN", "i", "18446744073709551616"],
      ["SSCAN", "missing", "0"],
      ["SSCAN", "missing", "0", "COUNT", "0"],
      ["SSCAN", "missing", "abc"],
      ["SET", "str", "v"],
      ["SSCAN", "str", "0"],
      ["SSCAN", "str", "abc"],
      ["SADD", "h", "a", "b"],
      ["SSCAN", "h", "0", "MATCH", "a"],
      ...arityErrors("SSCAN", [1, 2]),
    ]);
  },
});

/** Every member a full SSCAN (with `options`) returns, and how many pages it took. */
async function scanAll(port: number, key: string, options: string[]): Promise<string[]> {
  await using session = await RawSession.open(port);
  const seen: string[] = [];
  let cursor = "0";
  do {
    const reply = parseReply(await session.command("SSCAN", key, cursor, ...options));
    assert(Array.isArray(reply) && reply.length === 2, `bad SSCAN reply ${JSON.stringify(reply)}`);
    cursor = reply[0] as string;
    for (const m of reply[1] as string[]) seen.push(m);
  } while (cursor !== "0");
  return seen;
}

Deno.test({
  name: "SSCAN pages through a hashtable set, returning the members Redis returns",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    for (const port of [ours.port, real.port]) {
      await runScript(port, [["SADD", "h", ...members]]);
    }
    for (const options of [[], ["COUNT", "7"], ["MATCH", "m1*"], ["MATCH", "*5", "COUNT", "50"]]) {
      const mine = await scanAll(ours.port, "h", options);
      const theirs = await scanAll(real.port, "h", options);
      assertEquals(new Set(mine).size, mine.length, "our scan repeated a member");
      assertEquals([...new Set(mine)].sort(), [...new Set(theirs)].sort());
    }
  },
});

Deno.test("SSCAN returns every member present throughout, despite changes between pages", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const members = Array.from({ length: 500 }, (_, i) => `m${i}`);
  await session.command("SADD", "h", ...members);
  const seen = new Set<string>();
  let cursor = "0";
  let round = 0;
  do {
    const reply = parseReply(await session.command("SSCAN", "h", cursor, "COUNT", "20"));
    assert(Array.isArray(reply));
    cursor = reply[0] as string;
    for (const m of reply[1] as string[]) seen.add(m);
    // Remove some members and add others between pages: the rest must still come.
    await session.command("SREM", "h", `m${round}`, `m${499 - round}`);
    await session.command("SADD", "h", `new${round}`);
    round++;
  } while (cursor !== "0");
  for (let i = round; i < 500 - round; i++) assert(seen.has(`m${i}`), `m${i} was missed`);
});

/** Sends `argv` and returns the reply's items (array or set), failing on anything else. */
async function items(session: RawSession, ...argv: string[]): Promise<string[]> {
  const reply = itemsOf(parseReply(await session.command(...argv)));
  assert(reply !== null, `${argv.join(" ")} did not answer a collection`);
  return reply as string[];
}

Deno.test("SPOP with a count pops distinct members, all of them eventually, in every strategy", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
  for (const pops of [[1], [7, 3, 100], [900], [999], [10, 985]]) {
    await session.command("DEL", "h");
    await session.command("SADD", "h", ...members);
    const popped = new Set<string>();
    for (const n of pops) {
      const got = await items(session, "SPOP", "h", String(n));
      assertEquals(got.length, n);
      for (const m of got) {
        assert(members.includes(m) && !popped.has(m), `bad or repeated ${m}`);
        popped.add(m);
      }
    }
    const rest = await items(session, "SMEMBERS", "h");
    assertEquals(rest.length + popped.size, 1000);
    for (const m of rest) assert(!popped.has(m), `${m} both popped and kept`);
  }
});

Deno.test("SRANDMEMBER draws distinct members for a positive count and covers the set", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const members = Array.from({ length: 30 }, (_, i) => `m${i}`);
  await session.command("SADD", "h", ...members);
  const ints = Array.from({ length: 30 }, (_, i) => String(i));
  await session.command("SADD", "i", ...ints);
  for (const [key, universe] of [["h", members], ["i", ints]] as const) {
    // 4 and 29 use the two strategies (a third of the set or less, and more).
    for (const count of [1, 4, 29]) {
      const covered = new Set<string>();
      // Uniform draws cover all 30 well within 1,500 members (a miss is below 1e-20 likely).
      for (let round = 0; round * count < 1500 && covered.size < 30; round++) {
        const got = await items(session, "SRANDMEMBER", key, String(count));
        assertEquals(got.length, count);
        assertEquals(new Set(got).size, count, `repeats in ${got}`);
        for (const m of got) {
          assert(universe.includes(m), `${m} is not a member`);
          covered.add(m);
        }
      }
      assertEquals(covered.size, 30, `SRANDMEMBER ${key} ${count} missed members`);
    }
  }
});

Deno.test("SRANDMEMBER with a negative count repeats members uniformly", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const members = Array.from({ length: 10 }, (_, i) => `m${i}`);
  await session.command("SADD", "h", ...members);
  const got = await items(session, "SRANDMEMBER", "h", "-20000");
  assertEquals(got.length, 20000);
  const counts = new Map<string, number>();
  for (const m of got) counts.set(m, (counts.get(m) ?? 0) + 1);
  assertEquals([...counts.keys()].sort(), members);
  // Expected 2000 each with a standard deviation of about 42.
  for (const [m, n] of counts) assert(n > 1700 && n < 2300, `${m} drawn ${n} times`);
});

Deno.test("SRANDMEMBER refuses a repeated-members reply past 512 MB and the connection goes on", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const refused = `-${randomReplyTooLarge}\r\n`;
  await session.command("SADD", "s", "a", "b", "c");
  for (const version of ["2", "3"]) {
    await session.command("HELLO", version);
    const picks = await items(session, "SRANDMEMBER", "s", "-100000");
    assertEquals(picks.length, 100000);
    assertEquals(new Set(picks), new Set(["a", "b", "c"]));
    // 80 M picks of "$1\r\na\r\n" would be 560 MB: refused, without a byte of the reply.
    for (const count of ["-9223372036854775807", "-1000000000000", "-80000000"]) {
      assertEquals(await session.command("SRANDMEMBER", "s", count), refused, count);
      assertEquals(await session.command("PING"), "+PONG\r\n");
    }
  }
  // The members' size counts: 60,000 picks of a 10 kB member would be 600 MB.
  await session.command("SADD", "big", "x".repeat(10_000));
  assertEquals(await session.command("SRANDMEMBER", "big", "-60000"), refused);
  assertEquals((await items(session, "SRANDMEMBER", "big", "-1000")).length, 1000);
  assertEquals(await session.command("SCARD", "s"), ":3\r\n");
});

Deno.test("SPOP and SRANDMEMBER stay O(1) per member on a set of 300,000 members", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  for (let batch = 0; batch < 300; batch++) {
    const members = Array.from({ length: 1000 }, (_, i) => `element:${batch * 1000 + i}`);
    await session.write(
      `*${members.length + 2}\r\n$4\r\nSADD\r\n$3\r\nbig\r\n` +
        members.map((m) => `$${m.length}\r\n${m}\r\n`).join(""),
    );
  }
  await session.read(300, 30_000);
  assertEquals(await session.command("SCARD", "big"), ":300000\r\n");
  const start = performance.now();
  const popped = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const reply = parseReply(await session.command("SPOP", "big"));
    assert(typeof reply === "string" && !popped.has(reply));
    popped.add(reply);
  }
  const picks = await items(session, "SRANDMEMBER", "big", "-50000");
  assertEquals(picks.length, 50000);
  assertEquals(await session.command("SCARD", "big"), ":298000\r\n");
  // A linear-time pick (walking the set) would take minutes here; allow a slow machine.
  assert(performance.now() - start < 10_000, "SPOP/SRANDMEMBER are too slow on a large set");
});

Deno.test({
  name: "read commands count keyspace hits and misses as Redis does",
  ignore: needsRedis(),
  async fn() {
    const stats: ScriptStep = {
      cmd: ["INFO", "stats"],
      normalize: (reply) =>
        reply.split("\r\n").filter((l) => l.startsWith("keyspace_")).sort().join(","),
    };
    await assertSameAsRedis([
      ["SADD", "a", "1", "2"],
      ["SADD", "b", "x"],
      ["SISMEMBER", "a", "1"],
      ["SMISMEMBER", "missing", "1"],
      ["SCARD", "a"],
      ["SMEMBERS", "missing"],
      ["SINTER", "a", "b", "missing"],
      ["SINTERSTORE", "d", "a", "missing"],
      ["SUNIONSTORE", "d", "a", "b"],
      ["SDIFF", "a", "missing"],
      ["SINTERCARD", "2", "a", "b"],
      ["SRANDMEMBER", "missing"],
      ["SSCAN", "a", "0"],
      ["SADD", "a", "3"],
      ["SREM", "missing", "3"],
      ["SMOVE", "a", "b", "1"],
      ["SPOP", "missing"],
      stats,
    ]);
  },
});
