/**
 * COMMAND and its subcommands, differential: descriptions, key extraction with each key's flags,
 * and the command list, against a real redis-server 7.0.
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
import type { RespValue } from "../../src/resp/types.ts";

const SIMPLE = [
  "get",
  "set",
  "mget",
  "mset",
  "del",
  "expire",
  "scan",
  "incrbyfloat",
  "lcs",
  "ping",
  "hello",
  "select",
  "flushall",
  "info",
];

Deno.test({
  name: "COMMAND INFO and COMMAND DOCS describe commands byte for byte as Redis 7.0 does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [];
    for (const name of SIMPLE) script.push(["COMMAND", "INFO", name], ["COMMAND", "DOCS", name]);
    script.push(["COMMAND", "INFO", "config|get", "client|kill", "nosuchcommand"]);
    script.push(["COMMAND", "DOCS", "config|set", "nosuchcommand"]);
    // Full names are looked up strictly: one `|` at most, and only after a container.
    script.push(["COMMAND", "INFO", "config|get|x", "get|x", "CONFIG|GET", "config|", "|get", ""]);
    script.push(["COMMAND", "DOCS", "get|x", "CONFIG|GET", "config|get|x"]);
    await assertSameAsRedis(script);
    const hello3 = {
      cmd: ["HELLO", "3"],
      normalize: (reply: string) => reply.replace(/id\r\n:\d+/, "id\r\n:0"),
    };
    await assertSameAsRedis([hello3, ...script]);
  },
});

Deno.test({
  name: "COMMAND GETKEYS and GETKEYSANDFLAGS find keys and refuse what Redis refuses",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["COMMAND", "GETKEYS", "get", "k"],
      ["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"],
      ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
      ["COMMAND", "GETKEYS", "rename", "a", "b"],
      ["COMMAND", "GETKEYS", "ping"],
      ["COMMAND", "GETKEYS", "nosuch", "a"],
      ["COMMAND", "GETKEYS", "get"],
      ["COMMAND", "GETKEYS", "get", "a", "b"],
      ["COMMAND", "GETKEYSANDFLAGS", "get", "k"],
      // "No key arguments" comes before the arity check; an unknown subcommand is no command.
      ["COMMAND", "GETKEYS", "time", "x"],
      ["COMMAND", "GETKEYS", "config", "get", "x"],
      ["COMMAND", "GETKEYS", "config", "nosuch"],
      ["COMMAND", "GETKEYS", "client"],
      ["COMMAND", "GETKEYS", "scan", "0"],
      ["COMMAND", "GETKEYS", "mset", "a", "1", "b"],
      ["COMMAND", "GETKEYS", "lcs", "a", "b"],
      ["COMMAND", "GETKEYS", "copy", "a", "b", "DB", "1"],
      ["COMMAND", "GETKEYS"],
      ["COMMAND", "NOSUCH"],
      ["COMMAND", "HELP"],
    ]);
  },
});

/** One invocation of every command that has keys, some of them in several forms. */
const KEYED: readonly string[][] = [
  // lists
  ["lpush", "k", "a", "b"],
  ["rpush", "k", "a"],
  ["lpushx", "k", "a"],
  ["rpushx", "k", "a"],
  ["lpop", "k"],
  ["rpop", "k", "2"],
  ["llen", "k"],
  ["lrange", "k", "0", "-1"],
  ["ltrim", "k", "0", "1"],
  ["lindex", "k", "0"],
  ["lset", "k", "0", "v"],
  ["linsert", "k", "BEFORE", "p", "v"],
  ["lrem", "k", "0", "v"],
  ["lpos", "k", "v"],
  ["rpoplpush", "a", "b"],
  ["lmove", "a", "b", "LEFT", "RIGHT"],
  ["lmpop", "2", "a", "b", "LEFT"],
  ["blpop", "a", "b", "0"],
  ["brpop", "a", "0"],
  ["brpoplpush", "a", "b", "0"],
  ["blmove", "a", "b", "LEFT", "LEFT", "0"],
  ["blmpop", "0", "2", "a", "b", "RIGHT", "COUNT", "2"],
  // hashes
  ["hset", "k", "f", "v"],
  ["hsetnx", "k", "f", "v"],
  ["hget", "k", "f"],
  ["hmget", "k", "f", "g"],
  ["hmset", "k", "f", "v"],
  ["hgetall", "k"],
  ["hdel", "k", "f"],
  ["hexists", "k", "f"],
  ["hlen", "k"],
  ["hkeys", "k"],
  ["hvals", "k"],
  ["hincrby", "k", "f", "1"],
  ["hincrbyfloat", "k", "f", "1.5"],
  ["hstrlen", "k", "f"],
  ["hrandfield", "k", "2"],
  ["hscan", "k", "0"],
  // sets
  ["sadd", "k", "m"],
  ["srem", "k", "m"],
  ["smembers", "k"],
  ["sismember", "k", "m"],
  ["smismember", "k", "m", "n"],
  ["scard", "k"],
  ["spop", "k"],
  ["srandmember", "k", "2"],
  ["smove", "a", "b", "m"],
  ["sinter", "a", "b"],
  ["sintercard", "2", "a", "b", "LIMIT", "1"],
  ["sinterstore", "d", "a", "b"],
  ["sunion", "a", "b"],
  ["sunionstore", "d", "a", "b"],
  ["sdiff", "a", "b"],
  ["sdiffstore", "d", "a", "b"],
  ["sscan", "k", "0"],
  // sorted sets
  ["zadd", "k", "1", "m"],
  ["zincrby", "k", "1", "m"],
  ["zrem", "k", "m"],
  ["zcard", "k"],
  ["zcount", "k", "0", "1"],
  ["zlexcount", "k", "-", "+"],
  ["zscore", "k", "m"],
  ["zmscore", "k", "m", "n"],
  ["zrank", "k", "m"],
  ["zrevrank", "k", "m"],
  ["zrange", "k", "0", "-1"],
  ["zrangestore", "d", "k", "0", "-1"],
  ["zrangebyscore", "k", "0", "1"],
  ["zrevrangebyscore", "k", "1", "0"],
  ["zrangebylex", "k", "-", "+"],
  ["zrevrangebylex", "k", "+", "-"],
  ["zrevrange", "k", "0", "-1"],
  ["zremrangebyrank", "k", "0", "1"],
  ["zremrangebyscore", "k", "0", "1"],
  ["zremrangebylex", "k", "-", "+"],
  ["zpopmin", "k"],
  ["zpopmax", "k", "2"],
  ["zmpop", "2", "a", "b", "MIN"],
  ["zunion", "2", "a", "b"],
  ["zinter", "2", "a", "b", "WEIGHTS", "1", "2"],
  ["zdiff", "2", "a", "b"],
  ["zunionstore", "d", "2", "a", "b"],
  ["zinterstore", "d", "2", "a", "b"],
  ["zdiffstore", "d", "2", "a", "b"],
  ["zintercard", "2", "a", "b"],
  ["zrandmember", "k", "2"],
  ["zscan", "k", "0"],
  ["bzpopmin", "a", "b", "0"],
  ["bzpopmax", "a", "0"],
  ["bzmpop", "0", "2", "a", "b", "MAX"],
  // generic over every type
  ["sort", "k"],
  ["sort", "k", "BY", "w*", "LIMIT", "0", "1", "GET", "#", "STORE", "d"],
  ["sort_ro", "k", "ALPHA"],
  ["object", "encoding", "k"],
  ["object", "freq", "k"],
  ["object", "idletime", "k"],
  ["object", "refcount", "k"],
  ["get", "k"],
  ["set", "k", "v"],
  ["set", "k", "v", "GET"],
  ["set", "k", "v", "EX", "10", "gEt"],
  ["set", "k", "v", "NX"],
  ["setnx", "k", "v"],
  ["setex", "k", "10", "v"],
  ["psetex", "k", "10", "v"],
  ["mget", "a", "b", "c"],
  ["mset", "a", "1", "b", "2"],
  ["mset", "a", "1", "b"],
  ["msetnx", "a", "1", "b", "2"],
  ["getset", "k", "v"],
  ["getdel", "k"],
  ["getex", "k", "EX", "1"],
  ["append", "k", "v"],
  ["strlen", "k"],
  ["incr", "k"],
  ["decr", "k"],
  ["incrby", "k", "1"],
  ["decrby", "k", "1"],
  ["incrbyfloat", "k", "1.5"],
  ["getrange", "k", "0", "1"],
  ["substr", "k", "0", "1"],
  ["setrange", "k", "0", "v"],
  ["lcs", "a", "b", "LEN"],
  ["del", "a", "b"],
  ["unlink", "a", "b"],
  ["exists", "a", "b"],
  ["type", "k"],
  ["expire", "k", "10"],
  ["pexpire", "k", "10"],
  ["expireat", "k", "10"],
  ["pexpireat", "k", "10"],
  ["ttl", "k"],
  ["pttl", "k"],
  ["expiretime", "k"],
  ["pexpiretime", "k"],
  ["persist", "k"],
  ["rename", "a", "b"],
  ["renamenx", "a", "b"],
  ["copy", "a", "b", "DB", "1", "REPLACE"],
  ["move", "k", "1"],
  ["touch", "a", "b"],
  ["watch", "a", "b"],
  ["ssubscribe", "a", "b"],
  ["sunsubscribe", "a", "b"],
  ["spublish", "ch", "message"],
  ["dump", "k"],
  ["restore", "k", "0", "payload", "REPLACE"],
];

Deno.test({
  name: "COMMAND GETKEYSANDFLAGS gives every key the flags Redis 7.0 gives it, in RESP2 and RESP3",
  ignore: needsRedis(),
  async fn() {
    // Every command we share with Redis that takes keys is in KEYED (the tutorial's DELETE is
    // ours alone).
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    await using real = await startRealRedis();
    await using redis = await RawSession.open(real.port);
    const redisNames = new Set(names(await redis.command("COMMAND", "LIST")));
    const all = parseReply(await session.command("COMMAND")) as RespValue[][];
    const keyed = all.filter((info) => info[3] !== 0).map((info) => info[0] as string);
    const covered = new Set(KEYED.map((argv) => argv[0]));
    assertEquals(keyed.filter((name) => redisNames.has(name) && !covered.has(name)), []);

    const script: ScriptStep[] = KEYED.flatMap((argv) => [
      ["COMMAND", "GETKEYSANDFLAGS", ...argv],
      ["COMMAND", "GETKEYS", ...argv],
    ]);
    await assertSameAsRedis(script);
    const hello3 = {
      cmd: ["HELLO", "3"],
      normalize: (reply: string) => reply.replace(/id\r\n:\d+/, "id\r\n:0"),
    };
    const replies = await assertSameAsRedis([hello3, ["COMMAND", "GETKEYSANDFLAGS", "del", "a"]]);
    assertEquals(replies[1], "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RM\r\n+delete\r\n");
  },
});

/** The command names a COMMAND LIST reply holds. */
function names(raw: string): string[] {
  const value = parseReply(raw);
  assert(Array.isArray(value), `not an array: ${JSON.stringify(raw)}`);
  return (value as string[]).slice().sort();
}

Deno.test({
  name: "COMMAND LIST lists subcommands by full name and filters by glob pattern as Redis does",
  ignore: needsRedis(),
  async fn() {
    const filters: string[][] = [
      [],
      ["FILTERBY", "PATTERN", "config*"],
      ["FILTERBY", "PATTERN", "*"],
      ["FILTERBY", "PATTERN", "["],
      ["FILTERBY", "PATTERN", "c?ient*"],
      ["FILTERBY", "PATTERN", "*|get*"],
      ["FILTERBY", "PATTERN", "CONFIG|*"],
      ["FILTERBY", "PATTERN", "[a-c]*"],
      ["FILTERBY", "PATTERN", "[^a-s]*"],
      ["FILTERBY", "PATTERN", "get\\*"],
      ["FILTERBY", "PATTERN", "*set"],
      ["FILTERBY", "PATTERN", "nosuch"],
      ["filterby", "aclcat", "connection"],
      ["FILTERBY", "ACLCAT", "String"],
      ["FILTERBY", "ACLCAT", "nosuch"],
      ["FILTERBY", "MODULE", "nosuch"],
    ];
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    await using mine = await RawSession.open(ours.port);
    await using theirs = await RawSession.open(real.port);
    const ourNames = new Set(names(await mine.command("COMMAND", "LIST")));
    const redisNames = new Set(names(await theirs.command("COMMAND", "LIST")));
    assert(ourNames.has("config|get") && ourNames.has("client|kill"), "subcommands are listed");
    for (const filter of filters) {
      const ourReply = names(await mine.command("COMMAND", "LIST", ...filter));
      const redisReply = names(await theirs.command("COMMAND", "LIST", ...filter));
      // Redis has commands we lack; CLIENT SETINFO is Redis 7.2's, which 7.0 lacks.
      assertEquals(
        ourReply.filter((name) => redisNames.has(name)),
        redisReply.filter((name) => ourNames.has(name)),
        `COMMAND LIST ${filter.join(" ")}`,
      );
    }
    await assertSameAsRedis([
      ["COMMAND", "LIST", "FILTERBY", "PATTERN", "["],
      ["COMMAND", "LIST", "FILTERBY", "PATTERN"],
      ["COMMAND", "LIST", "FILTERBY", "NOSUCH", "x"],
      ["COMMAND", "LIST", "FOO"],
    ]);
  },
});
