/**
 * Keyspace notifications, modification signals and the dirty counter, compared with a real
 * redis-server 7.0. A script runs on both servers; for every step the harness records the
 * reply, the keyspace events published meanwhile (channel and message, in order), which keys
 * the step touched for WATCH (one watcher connection per key: WATCH before the step, MULTI and
 * EXEC after, a null EXEC meaning the key was signalled), and how far INFO's
 * rdb_changes_since_last_save moved. The two traces must be identical, step by step, so a
 * no-op branch must publish nothing, touch nothing and leave the counter alone on both.
 *
 * Events are read by a subscriber on `__key*__:*`; after each step a PUBLISH on a marker
 * channel closes the step's batch. When our server has no pub/sub yet, its events are taken
 * from the server's publish function in-process instead.
 *
 * @module
 */
import { infoField } from "../_scenario.ts";
import {
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import { ReplyParser } from "../../src/resp/reply_parser.ts";
import type { Server } from "../../src/server/server.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** A pseudo-command of a step: `[SLEEP, ms]` waits between the commands around it. */
export const SLEEP = "@sleep";

/** One step of a script. */
export interface Step {
  /** Commands sent in one write on connection `conn` (one command for most steps). */
  cmds: string[][];
  /** The client connection (0, 1, 2) that sends; 0 unless given. */
  conn?: number;
  /** Don't read the replies now: the command blocks, a later step's `serves` reads them. */
  blocks?: boolean;
  /** Connections whose pending (blocked) reply this step produces, read after its own. */
  serves?: number[];
  /** The reply is partly random (SPOP): only its first line is compared. */
  random?: boolean;
}

/** A step of one command. */
export function c(...cmd: string[]): Step {
  return { cmds: [cmd] };
}

/** What one step did. */
export interface StepTrace {
  step: string;
  reply: string;
  events: string[];
  touched: string[];
  dirty: number;
}

/** A key watched for modification signals: in database `db`. */
interface WatchedKey {
  db: number;
  key: string;
}

/** The keys of the script's commands, by COMMAND GETKEYS on real Redis, plus `extra`. */
async function scriptKeys(
  port: number,
  script: readonly Step[],
  extra: readonly WatchedKey[],
): Promise<WatchedKey[]> {
  await using session = await RawSession.open(port);
  const seen = new Set<string>();
  const out: WatchedKey[] = [];
  const add = (db: number, key: string) => {
    const id = `${db}:${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ db, key });
  };
  for (const step of script) {
    for (const cmd of step.cmds) {
      if (cmd[0] === SLEEP) continue;
      const reply = parseReply(await session.command("COMMAND", "GETKEYS", ...cmd));
      if (!Array.isArray(reply)) continue;
      for (const key of reply) if (typeof key === "string") add(0, key);
    }
  }
  for (const { db, key } of extra) add(db, key);
  return out;
}

/** The text of a RESP value that is a bulk string (or null). */
function text(v: RespValue | undefined): string | null {
  return typeof v === "string" ? v : null;
}

/** Collects the keyspace events a server publishes, step by step. */
interface EventSource extends AsyncDisposable {
  /** The events published since the last call. */
  take(): Promise<string[]>;
}

/** Events read by a PSUBSCRIBEd connection, each step's batch closed by a marker message. */
async function subscriberSource(port: number): Promise<EventSource> {
  const sub = await Deno.connect({ hostname: "127.0.0.1", port });
  const control = await RawSession.open(port);
  const parser = new ReplyParser();
  const buf = new Uint8Array(64 * 1024);
  /** The next message on the subscriber connection, as an array of its parts. */
  const next = async (): Promise<RespValue[]> => {
    for (;;) {
      const msg = parser.next();
      if (msg !== undefined) {
        if (Array.isArray(msg)) return msg;
        if (msg !== null && typeof msg === "object" && "kind" in msg && msg.kind === "push") {
          return [...msg.items];
        }
        throw new Error(`Unexpected message ${JSON.stringify(msg)}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        sub.read(buf),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 5000))),
      ]);
      clearTimeout(timer);
      if (n === "timeout") throw new Error("Timed out waiting for a keyspace event");
      if (n === null) throw new Error("The subscriber connection closed");
      parser.push(buf.slice(0, n));
    }
  };
  const write = async (args: string[]) => {
    const bytes = latin1Encode(encodeCommand(args));
    let offset = 0;
    while (offset < bytes.length) offset += await sub.write(bytes.subarray(offset));
  };
  await write(["PSUBSCRIBE", "__key*__:*"]);
  await next();
  await write(["SUBSCRIBE", "__marker__"]);
  await next();
  let n = 0;
  return {
    async take() {
      const mark = String(++n);
      await control.command("PUBLISH", "__marker__", mark);
      const events: string[] = [];
      for (;;) {
        const items = await next();
        const kind = text(items[0]);
        if (kind === "message" && text(items[1]) === "__marker__" && text(items[2]) === mark) {
          return events;
        }
        if (kind === "pmessage") events.push(`${text(items[2])} ${text(items[3])}`);
      }
    },
    [Symbol.asyncDispose]() {
      sub.close();
      control.close();
      return Promise.resolve();
    },
  };
}

/** Events taken from our server's publish function in-process (before it has pub/sub). */
function hookSource(server: Server): EventSource {
  let events: string[] = [];
  server.publish = (channel: string, message: string) => {
    events.push(`${channel} ${message}`);
    return 0;
  };
  return {
    take() {
      const out = events;
      events = [];
      return Promise.resolve(out);
    },
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

/** Runs `script` on the server at `port`, returning one trace per step. */
async function traceScript(
  port: number,
  script: readonly Step[],
  watched: readonly WatchedKey[],
  events: EventSource,
): Promise<StepTrace[]> {
  const clients = [
    await RawSession.open(port),
    await RawSession.open(port),
    await RawSession.open(port),
  ];
  const probe = await RawSession.open(port);
  const watchers: RawSession[] = [];
  try {
    for (const { db } of watched) {
      const w = await RawSession.open(port);
      watchers.push(w);
      if (db !== 0) await w.command("SELECT", String(db));
    }
    const dirtyNow = async () =>
      Number(infoField(await probe.command("INFO", "persistence"), "rdb_changes_since_last_save"));
    let dirty = await dirtyNow();
    await events.take();
    const traces: StepTrace[] = [];
    for (const step of script) {
      await Promise.all(watchers.map((w, i) => w.command("WATCH", watched[i]!.key)));
      const conn = clients[step.conn ?? 0]!;
      let reply = "";
      // Consecutive commands go in one write; a SLEEP pseudo-command waits between writes.
      let batch: string[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await conn.write(batch.map(encodeCommand).join(""));
        reply += step.blocks ? "(blocked)" : await conn.read(batch.length);
        batch = [];
      };
      for (const cmd of step.cmds) {
        if (cmd[0] !== SLEEP) {
          batch.push(cmd);
          continue;
        }
        await flush();
        await sleep(Number(cmd[1]));
      }
      await flush();
      for (const i of step.serves ?? []) reply += ` | served ${await clients[i]!.read(1)}`;
      if (step.random) reply = reply.slice(0, reply.indexOf("\r\n"));
      const touched: string[] = [];
      await Promise.all(watchers.map(async (w, i) => {
        await w.write(encodeCommand(["MULTI"]) + encodeCommand(["EXEC"]));
        const replies = await w.read(2);
        if (replies.endsWith("*-1\r\n")) touched.push(`${watched[i]!.db}:${watched[i]!.key}`);
      }));
      touched.sort();
      const now = await dirtyNow();
      traces.push({
        step: step.cmds.map((cmd) => cmd.join(" ")).join(" | "),
        reply,
        events: await events.take(),
        touched,
        dirty: now - dirty,
      });
      dirty = now;
    }
    return traces;
  } finally {
    for (const s of [...clients, probe, ...watchers]) s.close();
  }
}

/** Runs `script` on a fresh real redis-server, returning its traces (for exploring). */
export async function traceRealRedis(
  script: readonly Step[],
  extraWatched: readonly WatchedKey[] = [],
): Promise<StepTrace[]> {
  await using real = await startRealRedis();
  const watched = await scriptKeys(real.port, script, extraWatched);
  await using events = await subscriberSource(real.port);
  return await traceScript(real.port, script, watched, events);
}

/**
 * Runs `script` on our server and on a real redis-server, both fresh, and asserts that every
 * step's trace is identical.
 */
async function assertSameTraces(
  flags: string,
  steps: readonly Step[],
  extraWatched: readonly WatchedKey[] = [],
): Promise<void> {
  const script = [c("CONFIG", "SET", "notify-keyspace-events", flags), ...steps];
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  const watched = await scriptKeys(real.port, script, extraWatched);
  await using realEvents = await subscriberSource(real.port);
  await using ourEvents = ours.commands.has("psubscribe")
    ? await subscriberSource(ours.port)
    : hookSource(ours);
  const [mine, theirs] = await Promise.all([
    traceScript(ours.port, script, watched, ourEvents),
    traceScript(real.port, script, watched, realEvents),
  ]);
  for (let i = 0; i < script.length; i++) {
    assertEquals(mine[i], theirs[i], `step ${i} differs`);
  }
}

/** A step whose reply is random but for its first line. */
function random(...cmd: string[]): Step {
  return { cmds: [cmd], random: true };
}

/** A step that blocks connection `conn` with `cmd` (its reply comes in a later step). */
function blocks(conn: number, ...cmd: string[]): Step {
  return { cmds: [cmd], conn, blocks: true };
}

/** A step of `cmd` on connection 0 that also serves the blocked connections `served`. */
function serving(served: number[], ...cmd: string[]): Step {
  return { cmds: [cmd], serves: served };
}

const STRING_SCRIPT: Step[] = [
  c("SET", "s", "v"),
  c("SET", "s", "v2"),
  c("SET", "s", "v3", "NX"),
  c("SET", "s", "v3", "XX", "GET"),
  c("SET", "s2", "x", "XX"),
  c("SET", "s2", "x", "NX", "GET"),
  c("SET", "s2", "y", "NX", "GET"),
  c("SET", "s3", "x", "EX", "100"),
  c("SET", "s3", "y", "KEEPTTL"),
  c("SET", "s4", "y", "KEEPTTL"),
  c("SET", "s4", "z", "PXAT", "99999999999999", "GET"),
  c("SET", "s4", "z", "EX", "0"),
  c("SET", "s", "1", "GET"),
  c("LPUSH", "list", "a"),
  c("SET", "list", "x", "GET"),
  c("SET", "list", "x"),
  c("SETNX", "s", "v"),
  c("SETNX", "n1", "v"),
  c("SETEX", "s", "100", "v"),
  c("SETEX", "s5", "100", "v"),
  c("PSETEX", "s5", "100000", "v"),
  c("SETEX", "s5", "0", "v"),
  c("MSET", "m1", "a", "m2", "b", "m1", "c"),
  c("MSETNX", "m1", "a", "m3", "b"),
  c("MSETNX", "m4", "a", "m5", "b", "m4", "z"),
  c("MSET", "m1"),
  c("GETSET", "m1", "q"),
  c("GETSET", "g1", "q"),
  c("GETDEL", "g1"),
  c("GETDEL", "g1"),
  c("GETEX", "m1"),
  c("GETEX", "m1", "EX", "100"),
  c("GETEX", "m1", "PERSIST"),
  c("GETEX", "m1", "PERSIST"),
  c("GETEX", "m2", "PX", "100000"),
  c("GETEX", "m2", "EXAT", "99999999999"),
  c("GETEX", "m1", "PXAT", "1"),
  c("GETEX", "m1", "EX", "100"),
  c("GETEX", "nokey", "EX", "100"),
  c("APPEND", "a1", "x"),
  c("APPEND", "a1", "y"),
  c("APPEND", "a1", ""),
  c("INCR", "i"),
  c("DECR", "i"),
  c("INCRBY", "i", "5"),
  c("DECRBY", "i", "5"),
  c("INCRBY", "i", "0"),
  c("INCRBY", "i", "9223372036854775807"),
  c("INCRBY", "i", "1"),
  c("INCRBYFLOAT", "f", "1.5"),
  c("INCRBYFLOAT", "f", "0"),
  c("INCR", "a1"),
  c("INCRBYFLOAT", "a1", "1"),
  c("SETRANGE", "r", "0", ""),
  c("SETRANGE", "r", "2", "ab"),
  c("SETRANGE", "r", "0", ""),
  c("SETRANGE", "r", "0", "ab"),
  c("GET", "nokey"),
  c("MGET", "s", "nokey"),
  c("STRLEN", "s"),
];

const LIST_SCRIPT: Step[] = [
  c("LPUSH", "l", "a", "b", "c"),
  c("RPUSH", "l", "d"),
  c("LPUSHX", "nol", "a"),
  c("RPUSHX", "l", "e", "f"),
  c("LPOP", "l"),
  c("RPOP", "l", "2"),
  c("LPOP", "l", "0"),
  c("LPOP", "nol"),
  c("LPOP", "nol", "0"),
  c("RPUSH", "l2", "x"),
  c("RPOP", "l2", "5"),
  c("RPUSH", "l2", "x"),
  c("LPOP", "l2"),
  c("RPUSH", "l3", "a", "b", "c", "a"),
  c("LSET", "l3", "0", "z"),
  c("LSET", "l3", "0", "z"),
  c("LSET", "l3", "10", "z"),
  c("LSET", "nol", "0", "z"),
  c("LINSERT", "l3", "BEFORE", "b", "q"),
  c("LINSERT", "l3", "AFTER", "nope", "q"),
  c("LINSERT", "nol", "AFTER", "nope", "q"),
  c("LREM", "l3", "0", "nope"),
  c("LREM", "l3", "1", "a"),
  c("LREM", "nol", "1", "a"),
  c("LTRIM", "l3", "0", "-1"),
  c("LTRIM", "l3", "1", "-1"),
  c("LTRIM", "nol", "1", "-1"),
  c("LTRIM", "l3", "5", "10"),
  c("RPUSH", "l4", "a", "a"),
  c("LREM", "l4", "-5", "a"),
  c("RPUSH", "src", "1", "2"),
  c("LMOVE", "src", "dst", "LEFT", "RIGHT"),
  c("LMOVE", "src", "dst", "RIGHT", "LEFT"),
  c("LMOVE", "src", "dst", "RIGHT", "LEFT"),
  c("RPOPLPUSH", "dst", "dst"),
  c("RPUSH", "one", "x"),
  c("RPOPLPUSH", "one", "one"),
  c("LMOVE", "one", "two", "LEFT", "LEFT"),
  c("SET", "str", "x"),
  c("LMOVE", "two", "str", "LEFT", "LEFT"),
  c("LMPOP", "2", "nol", "dst", "LEFT", "COUNT", "5"),
  c("LMPOP", "2", "nol", "dst", "LEFT"),
  c("RPUSH", "b1", "a", "b"),
  c("BLPOP", "nol", "b1", "0"),
  c("BRPOP", "b1", "0"),
  c("BRPOP", "b1", "0.01"),
  c("RPUSH", "b1", "a", "b"),
  c("BLMOVE", "b1", "b2", "LEFT", "LEFT", "0"),
  c("BRPOPLPUSH", "b1", "b2", "0"),
  c("BLMPOP", "0", "1", "b2", "RIGHT", "COUNT", "5"),
  // Blocked clients served by a later push report their pops then.
  blocks(1, "BLPOP", "w1", "w2", "0"),
  serving([1], "RPUSH", "w2", "a"),
  blocks(1, "BRPOP", "w1", "w2", "0"),
  serving([1], "RPUSH", "w2", "a", "b"),
  c("DEL", "w2"),
  blocks(1, "BLMPOP", "0", "2", "w1", "w2", "LEFT", "COUNT", "5"),
  serving([1], "RPUSH", "w2", "a", "b", "c"),
  blocks(1, "BLMPOP", "0", "2", "w1", "w2", "RIGHT", "COUNT", "2"),
  serving([1], "RPUSH", "w2", "a", "b", "c"),
  c("DEL", "w2"),
  blocks(1, "BLMOVE", "w3", "w4", "RIGHT", "LEFT", "0"),
  serving([1], "RPUSH", "w3", "a"),
  blocks(1, "BRPOPLPUSH", "w5", "w4", "0"),
  serving([1], "LPUSH", "w5", "a", "b"),
  blocks(1, "BLMOVE", "w6", "w6", "LEFT", "RIGHT", "0"),
  serving([1], "RPUSH", "w6", "a"),
  c("DEL", "w6"),
  blocks(1, "BRPOP", "w6", "0"),
  blocks(2, "BLPOP", "w6", "0"),
  { cmds: [["MULTI"], ["RPUSH", "w6", "a"], ["RPUSH", "w6", "b", "c"], ["EXEC"]], serves: [1, 2] },
  c("DEL", "w6"),
  blocks(1, "BLMOVE", "w7", "str", "RIGHT", "LEFT", "0"),
  serving([1], "RPUSH", "w7", "a"),
  c("LRANGE", "w7", "0", "-1"),
];

const HASH_SCRIPT: Step[] = [
  c("HSET", "h", "a", "1", "b", "2"),
  c("HSET", "h", "a", "1"),
  c("HSET", "h", "a", "1", "a", "2"),
  c("HMSET", "h", "c", "3"),
  c("HSETNX", "h", "a", "x"),
  c("HSETNX", "h", "z", "x"),
  c("HSETNX", "h2", "z", "x"),
  c("HDEL", "h", "nope"),
  c("HDEL", "h", "a", "nope", "b"),
  c("HDEL", "nokey", "a"),
  c("HDEL", "h2", "z", "q"),
  c("HINCRBY", "h", "n", "5"),
  c("HINCRBY", "h", "n", "0"),
  c("HINCRBY", "h3", "n", "1"),
  c("HINCRBY", "h", "c", "x"),
  c("HSET", "h", "s", "abc"),
  c("HINCRBY", "h", "s", "1"),
  c("HINCRBY", "h", "n", "9223372036854775807"),
  c("HINCRBYFLOAT", "h", "f", "1.5"),
  c("HINCRBYFLOAT", "h4", "f", "1.5"),
  c("HINCRBYFLOAT", "h", "s", "1.5"),
  c("HINCRBYFLOAT", "h", "f", "0"),
  c("HSET", "h5"),
  c("HSET", "h5", "a", "1", "b"),
  c("SET", "str", "x"),
  c("HSET", "str", "a", "1"),
  c("HDEL", "str", "a"),
  c("HGET", "h", "a"),
  c("HGETALL", "nokey"),
];

const SET_SCRIPT: Step[] = [
  c("SADD", "s", "a", "b"),
  c("SADD", "s", "a"),
  c("SADD", "s", "a", "c"),
  c("SREM", "s", "x"),
  c("SREM", "s", "a", "x"),
  c("SREM", "nos", "a"),
  c("SADD", "s2", "a"),
  c("SREM", "s2", "a", "b"),
  c("SADD", "s3", "a", "b"),
  c("SMOVE", "s3", "s4", "a"),
  c("SMOVE", "s3", "s4", "a"),
  c("SMOVE", "s3", "s4", "b"),
  c("SADD", "s5", "a"),
  c("SMOVE", "s4", "s5", "a"),
  c("SMOVE", "s5", "s5", "a"),
  c("SMOVE", "s5", "s5", "zz"),
  c("SMOVE", "nos", "s5", "a"),
  c("SADD", "s6", "a", "b", "c", "d", "e"),
  random("SPOP", "s6"),
  c("SPOP", "s6", "0"),
  random("SPOP", "s6", "2"),
  random("SPOP", "s6", "5"),
  c("SPOP", "nos"),
  c("SPOP", "nos", "3"),
  c("SADD", "s7", "a"),
  c("SPOP", "s7"),
  c("SADD", "s8", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"),
  random("SPOP", "s8", "9"),
  c("SADD", "x1", "1", "2", "3"),
  c("SADD", "x2", "2", "3", "4"),
  c("SINTERSTORE", "d1", "x1", "x2"),
  c("SINTERSTORE", "d1", "x1", "x2"),
  c("SINTERSTORE", "d1", "x1", "nos"),
  c("SINTERSTORE", "d1", "x1", "nos"),
  c("SUNIONSTORE", "d2", "x1", "x2"),
  c("SDIFFSTORE", "d2", "x1", "x2"),
  c("SDIFFSTORE", "d2", "x1", "x1"),
  c("SDIFFSTORE", "d2", "x1", "x1"),
  c("SUNIONSTORE", "d3", "nos"),
  c("SINTERSTORE", "d3", "x1", "d4"),
  c("SADD", "d5", "z"),
  c("SINTERSTORE", "d5", "x1", "x1", "x2", "nos2"),
  c("SADD", "d5", "z"),
  c("SINTERSTORE", "d5", "d5", "x1"),
  c("SUNIONSTORE", "x1", "x1", "x2"),
  c("SET", "str", "v"),
  c("SINTERSTORE", "d5", "x1", "str"),
  c("SUNIONSTORE", "str", "x1"),
  c("SMEMBERS", "nos"),
];

const ZSET_SCRIPT: Step[] = [
  c("ZADD", "z", "1", "a", "2", "b"),
  c("ZADD", "z", "1", "a"),
  c("ZADD", "z", "3", "a", "2", "b"),
  c("ZADD", "z", "CH", "4", "a", "9", "new"),
  c("ZADD", "z", "XX", "1", "q"),
  c("ZADD", "nz", "XX", "1", "q"),
  c("ZADD", "nz", "XX", "INCR", "1", "q"),
  c("ZADD", "z", "NX", "5", "a"),
  c("ZADD", "z", "GT", "1", "a"),
  c("ZADD", "z", "LT", "1", "a"),
  c("ZADD", "z", "INCR", "1", "a"),
  c("ZADD", "z", "INCR", "0", "a"),
  c("ZADD", "z", "GT", "INCR", "-1", "a"),
  c("ZINCRBY", "z", "1", "b"),
  c("ZINCRBY", "z", "0", "b"),
  c("ZINCRBY", "z2", "1", "b"),
  c("ZADD", "z", "+inf", "inf"),
  c("ZINCRBY", "z", "-inf", "inf"),
  c("ZADD", "z", "1", "a", "x", "b"),
  c("ZREM", "z", "nope"),
  c("ZREM", "z", "a", "nope"),
  c("ZREM", "z2", "b", "c"),
  c("ZREM", "nz", "b"),
  c("ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"),
  c("ZREMRANGEBYRANK", "r", "10", "20"),
  c("ZREMRANGEBYRANK", "r", "0", "0"),
  c("ZREMRANGEBYSCORE", "r", "100", "200"),
  c("ZREMRANGEBYSCORE", "r", "2", "3"),
  c("ZREMRANGEBYLEX", "r", "[x", "[y"),
  c("ZREMRANGEBYLEX", "r", "[d", "[d"),
  c("ZREMRANGEBYLEX", "r", "-", "+"),
  c("ZREMRANGEBYRANK", "nz", "0", "-1"),
  c("ZADD", "p", "1", "a", "2", "b"),
  c("ZUNIONSTORE", "u", "2", "p", "nz"),
  c("ZUNIONSTORE", "u", "1", "p"),
  c("ZINTERSTORE", "u", "2", "p", "nz"),
  c("ZINTERSTORE", "u", "2", "p", "nz"),
  c("ZDIFFSTORE", "u", "1", "p"),
  c("ZDIFFSTORE", "u", "2", "p", "p"),
  c("ZRANGESTORE", "u", "p", "0", "-1"),
  c("ZRANGESTORE", "u", "p", "0", "-1"),
  c("ZRANGESTORE", "u", "p", "5", "6"),
  c("ZRANGESTORE", "u", "p", "5", "6"),
  c("ZADD", "u", "1", "a"),
  c("ZRANGESTORE", "u", "nz", "0", "-1"),
  c("ZADD", "u", "1", "a"),
  c("ZUNIONSTORE", "u", "1", "nz"),
  c("ZUNIONSTORE", "u", "1", "nz"),
  c("ZADD", "z3", "1", "a", "2", "b", "3", "c"),
  c("BZPOPMIN", "z3", "0"),
  c("BZMPOP", "0", "1", "z3", "MAX", "COUNT", "5"),
  c("ZADD", "z3", "1", "a", "2", "b", "3", "c"),
  c("ZMPOP", "1", "z3", "MAX", "COUNT", "2"),
  c("ZMPOP", "2", "nz", "z3", "MIN"),
  c("ZMPOP", "1", "nz", "MIN"),
  c("ZADD", "z3", "1", "a", "2", "b"),
  c("ZPOPMIN", "z3", "0"),
  c("ZPOPMAX", "z3"),
  c("ZPOPMIN", "z3", "5"),
  c("ZPOPMIN", "z3"),
  c("ZPOPMAX", "nz", "3"),
  blocks(1, "BZPOPMIN", "w1", "0"),
  serving([1], "ZADD", "w1", "1", "a"),
  blocks(1, "BZPOPMAX", "w1", "0"),
  serving([1], "ZADD", "w1", "1", "a", "2", "b"),
  c("DEL", "w1"),
  blocks(1, "BZMPOP", "0", "1", "w2", "MIN", "COUNT", "5"),
  serving([1], "ZADD", "w2", "1", "a", "2", "b"),
  blocks(1, "BZMPOP", "0", "1", "w2", "MIN", "COUNT", "1"),
  serving([1], "ZADD", "w2", "1", "a", "2", "b"),
  c("ZRANGE", "w2", "0", "-1"),
];

const GENERIC_SCRIPT: Step[] = [
  c("MSET", "k", "1", "k2", "2", "k3", "3"),
  c("DEL", "k", "nope", "k2"),
  c("DEL", "nope"),
  c("UNLINK", "k3", "k3"),
  c("SET", "e", "v"),
  c("EXPIRE", "e", "100"),
  c("EXPIRE", "e", "100", "NX"),
  c("EXPIRE", "e", "200", "XX"),
  c("EXPIRE", "e", "100", "GT"),
  c("PEXPIRE", "e", "100000", "LT"),
  c("EXPIREAT", "e", "99999999999"),
  c("PEXPIREAT", "e", "99999999999999"),
  c("EXPIRE", "nope", "100"),
  c("EXPIRE", "e", "x"),
  c("PERSIST", "e"),
  c("PERSIST", "e"),
  c("PERSIST", "nope"),
  c("EXPIRE", "e", "-1"),
  c("SET", "e", "v"),
  c("PEXPIREAT", "e", "1"),
  c("SET", "e", "v"),
  c("EXPIRE", "e", "0"),
  c("SET", "e", "v"),
  c("EXPIREAT", "e", "1", "NX"),
  c("SET", "src", "v", "EX", "1000"),
  c("RENAME", "src", "dst"),
  c("RENAME", "dst", "dst"),
  c("SET", "other", "o"),
  c("RENAME", "dst", "other"),
  c("RENAMENX", "other", "other"),
  c("SET", "x", "1"),
  c("RENAMENX", "other", "x"),
  c("RENAMENX", "other", "y"),
  c("RENAME", "nope", "y2"),
  c("SET", "k", "v"),
  c("MOVE", "k", "1"),
  c("MOVE", "k", "1"),
  c("SET", "k", "v2"),
  c("MOVE", "k", "1"),
  c("MOVE", "nope", "1"),
  c("SET", "k2", "v", "PX", "100000"),
  c("COPY", "k2", "cp"),
  c("COPY", "k2", "cp"),
  c("COPY", "k2", "cp", "REPLACE"),
  c("COPY", "k2", "cp", "DB", "1"),
  c("COPY", "nope", "cp2"),
  c("COPY", "k2", "k2", "DB", "1", "REPLACE"),
  c("TOUCH", "k2", "nope"),
  c("RPUSH", "sl", "3", "1", "2"),
  c("SORT", "sl", "STORE", "so"),
  c("SORT", "sl", "STORE", "so"),
  c("SORT", "sl", "GET", "#", "GET", "nope*", "STORE", "so"),
  c("SORT", "nope", "STORE", "so"),
  c("SORT", "nope", "STORE", "so"),
  c("SORT", "sl", "LIMIT", "5", "5", "STORE", "so2"),
  c("SORT", "sl"),
  c("SELECT", "1"),
  c("FLUSHDB"),
  c("FLUSHDB"),
  c("SELECT", "0"),
  c("FLUSHALL"),
  c("FLUSHALL"),
  c("SET", "k", "v"),
  c("FLUSHDB", "ASYNC"),
  c("SET", "k", "v"),
  c("FLUSHALL", "SYNC"),
];

/** Watchers in database 1 for the keys MOVE and COPY put there. */
const DB1_KEYS: WatchedKey[] = ["k", "k2", "cp"].map((key) => ({ db: 1, key }));

Deno.test({
  name: "string commands publish Redis's events, signal WATCH and count dirty as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", STRING_SCRIPT);
  },
});

Deno.test({
  name: "list commands, blocking ones served later included, report changes as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", LIST_SCRIPT);
  },
});

Deno.test({
  name: "hash commands publish Redis's events, signal WATCH and count dirty as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", HASH_SCRIPT);
  },
});

Deno.test({
  name: "set commands publish Redis's events, signal WATCH and count dirty as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", SET_SCRIPT);
  },
});

Deno.test({
  name: "sorted set commands, blocking pops included, report changes as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", ZSET_SCRIPT);
  },
});

Deno.test({
  name: "generic key commands and FLUSHDB/FLUSHALL report changes as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", GENERIC_SCRIPT, DB1_KEYS);
  },
});

/** A step that stores `cmd`'s key with a 1 ms TTL, waits until it has expired, then runs `then`. */
function afterExpiry(setup: string[][], ...then: string[]): Step {
  return { cmds: [...setup, [SLEEP, "5"], then] };
}

const EXPIRY_SCRIPT: Step[] = [
  // Lazy expiry: the access that finds the key expired deletes it with `expired`.
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "GET", "lz"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "SET", "lz", "w"),
  afterExpiry([["PEXPIRE", "lz", "1"]], "DEL", "lz"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "EXISTS", "lz"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "TYPE", "lz"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "INCR", "lz"),
  afterExpiry([["PEXPIRE", "lz", "1"]], "APPEND", "lz", "x"),
  afterExpiry([["PEXPIRE", "lz", "1"]], "EXPIRE", "lz", "100"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "PERSIST", "lz"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "RENAME", "lz", "lz2"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "GETDEL", "lz"),
  afterExpiry([["RPUSH", "ll", "v"], ["PEXPIRE", "ll", "1"]], "LPUSH", "ll", "w"),
  afterExpiry([["PEXPIRE", "ll", "1"]], "LPOP", "ll"),
  afterExpiry([["HSET", "hh", "f", "v"], ["PEXPIRE", "hh", "1"]], "HSET", "hh", "g", "w"),
  afterExpiry([["SADD", "ss", "a"], ["PEXPIRE", "ss", "1"]], "SINTERSTORE", "ss", "ss"),
  afterExpiry([["ZADD", "zz", "1", "a"], ["PEXPIRE", "zz", "1"]], "ZADD", "zz", "2", "b"),
  afterExpiry([["SET", "cp", "v"], ["PEXPIRE", "cp", "1"]], "COPY", "zz", "cp"),
  afterExpiry([["SET", "mv", "v", "PX", "1"]], "MOVE", "mv", "1"),
  // A time in the past is stored by SET (and expires on the next access), but deletes at once
  // with EXPIRE or GETEX.
  { cmds: [["SET", "past", "v", "PXAT", "1"], ["GET", "past"]] },
  { cmds: [["SET", "past", "v"], ["GETEX", "past", "EXAT", "1"]] },
  // Active expiry: nothing touches the keys, the server's cycle deletes them.
  { cmds: [["SET", "ac", "v", "PX", "1"], [SLEEP, "300"]] },
  { cmds: [["HSET", "ac2", "f", "v"], ["PEXPIRE", "ac2", "1"], [SLEEP, "300"]] },
  c("DBSIZE"),
];

Deno.test({
  name: "lazy and active expiry publish expired events at the access or cycle that deletes",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEAn", EXPIRY_SCRIPT, [{ db: 1, key: "mv" }]);
  },
});

/** A few writes of every type, each class of event at least once; they leave no key behind. */
const MIXED_WRITES: Step[] = [
  c("SET", "s", "v", "EX", "100"),
  c("APPEND", "s", "w"),
  c("LPUSH", "l", "a", "b"),
  c("LPOP", "l", "2"),
  c("HSET", "h", "f", "v"),
  c("HDEL", "h", "f"),
  c("SADD", "t", "a"),
  c("SPOP", "t"),
  c("ZADD", "z", "1", "a"),
  c("ZINCRBY", "z", "1", "a"),
  c("ZPOPMIN", "z"),
  c("PERSIST", "s"),
  c("RENAME", "s", "r"),
  afterExpiry([["PEXPIRE", "r", "1"]], "GET", "r"),
  c("SET", "x", "1"),
  c("DEL", "x"),
];

Deno.test({
  name: "each notify-keyspace-events subset publishes only its classes, on its channels",
  ignore: needsRedis(),
  async fn() {
    const subsets = ["Kl", "Eg", "Ex", "E$", "Kzh", "Es", "KA", "EA", "KEn", "En", "K", "E", ""];
    subsets.push("g$lshzxetd", "gK", "AE", "KE$lshzxetdn", "Kt", "Ed", "Ke");
    const steps: Step[] = [];
    for (const flags of subsets) {
      steps.push(c("CONFIG", "SET", "notify-keyspace-events", flags), ...MIXED_WRITES);
    }
    await assertSameTraces("", steps);
  },
});

const KEYMISS_SCRIPT: Step[] = [
  c("SET", "here", "v"),
  c("RPUSH", "list", "a"),
  c("GET", "miss"),
  c("GET", "here"),
  c("MGET", "miss", "here", "miss2"),
  c("EXISTS", "miss", "here"),
  c("TYPE", "miss"),
  c("TTL", "miss"),
  c("PTTL", "here"),
  c("EXPIRETIME", "miss"),
  c("OBJECT", "ENCODING", "miss"),
  c("OBJECT", "FREQ", "miss"),
  c("TOUCH", "miss", "here"),
  c("STRLEN", "miss"),
  c("GETRANGE", "miss", "0", "1"),
  c("HGET", "miss", "f"),
  c("HGETALL", "miss"),
  c("LRANGE", "miss", "0", "-1"),
  c("LPOS", "miss", "a"),
  c("SMEMBERS", "miss"),
  c("SRANDMEMBER", "miss"),
  c("ZSCORE", "miss", "a"),
  c("ZRANGE", "miss", "0", "-1"),
  c("SINTER", "miss", "miss2"),
  c("SINTERCARD", "1", "miss"),
  c("ZINTERCARD", "1", "miss"),
  c("ZUNION", "1", "miss"),
  c("LCS", "miss", "miss2"),
  // Writes look keys up without key-miss events, but for the sources of the STORE forms, COPY
  // and SORT (and GET-like writes), which Redis 7.0 reads with lookupKeyRead.
  c("LPUSHX", "miss", "a"),
  c("SMOVE", "miss", "d", "a"),
  c("EXPIRE", "miss", "10"),
  c("DEL", "miss"),
  c("INCR", "counter"),
  c("SINTERSTORE", "d", "miss", "miss2"),
  c("SUNIONSTORE", "d", "miss"),
  c("ZUNIONSTORE", "d", "2", "miss", "miss2"),
  c("ZRANGESTORE", "d", "miss", "0", "1"),
  c("SORT", "miss", "STORE", "d"),
  c("SORT", "list", "BY", "w_*", "GET", "o_*"),
  c("COPY", "miss", "d"),
  c("SET", "miss", "v", "GET"),
  c("DEL", "miss"),
  c("GETEX", "miss"),
  c("GETDEL", "miss"),
  c("GETSET", "miss", "x"),
  c("RENAME", "nope", "x"),
  afterExpiry([["SET", "lz", "v", "PX", "1"]], "GET", "lz"),
];

Deno.test({
  name: "key misses of reads publish keymiss events, as Redis's lookupKey does",
  ignore: needsRedis(),
  async fn() {
    await assertSameTraces("KEm", KEYMISS_SCRIPT);
    await assertSameTraces("Exm", KEYMISS_SCRIPT.slice(-4));
  },
});

Deno.test({
  name: "notify-keyspace-events is parsed, refused and written back as Redis does",
  ignore: needsRedis(),
  async fn() {
    const flags = ["KEA", "Kl", "Eg", "Ex", "KA", "", "A", "n", "m", "AKEm", "KEA$", "gK", "E"];
    flags.push("K", "KEm", "$lshzxetd", "g$lshzxetdK", "Ag$lshzxeKEtmd", "EEKK", "ndK", "xe");
    flags.push("xyz", "KEA!", " ", "a", "k", "Ag$lshzxeKEtmdnX");
    const script: string[][] = [];
    for (const f of flags) {
      script.push(["CONFIG", "SET", "notify-keyspace-events", f]);
      script.push(["CONFIG", "GET", "notify-keyspace-events"]);
    }
    await assertSameAsRedis(script);
    // As a start-up option too.
    await assertSameAsRedis([["CONFIG", "GET", "notify-keyspace-events"]], {
      ours: { config: { "notify-keyspace-events": "lgEx" } },
      redisArgs: ["--notify-keyspace-events", "lgEx"],
    });
  },
});

Deno.test("rdb_changes_since_last_save counts what writes changed, as Redis's dirty does", async () => {
  await using server = await startMiniredis();
  await using session = await RawSession.open(server.port);
  const dirty = async () =>
    Number(infoField(await session.command("INFO", "persistence"), "rdb_changes_since_last_save"));
  // Each command and the change Redis 7.0.15 counts for it.
  const cases: [string[], number][] = [
    [["SET", "a", "1"], 1],
    [["SET", "a", "2", "NX"], 0],
    [["MSET", "b", "1", "c", "2", "b", "3"], 3],
    [["INCRBY", "a", "0"], 1],
    [["RPUSH", "l", "1", "2", "3", "4"], 4],
    [["LTRIM", "l", "0", "-1"], 0],
    [["LTRIM", "l", "1", "-2"], 2],
    [["LREM", "l", "0", "nope"], 0],
    [["HSET", "h", "f", "v", "g", "w"], 2],
    [["HSET", "h", "f", "v"], 1],
    [["HDEL", "h", "nope"], 0],
    [["SADD", "s", "a", "b"], 2],
    [["SADD", "s", "a"], 0],
    [["SMOVE", "s", "t", "a"], 2],
    [["ZADD", "z", "1", "a", "2", "b"], 2],
    [["ZADD", "z", "1", "a", "3", "b"], 1],
    [["ZADD", "z", "1", "a"], 0],
    [["ZPOPMIN", "z", "5"], 2],
    [["DEL", "nope", "a"], 1],
    [["EXPIRE", "nope", "10"], 0],
    [["EXPIRE", "b", "10"], 1],
    [["PERSIST", "b"], 1],
    [["PERSIST", "b"], 0],
    [["SINTERSTORE", "d", "nope"], 0],
    [["SUNIONSTORE", "d", "s", "t"], 1],
    [["SORT", "l", "STORE", "d"], 2],
    [["GET", "b"], 0],
    [["FLUSHALL"], 7],
    [["FLUSHALL"], 0],
  ];
  let before = await dirty();
  for (const [cmd, expected] of cases) {
    await session.command(...cmd);
    const now = await dirty();
    assertEquals(now - before, expected, cmd.join(" "));
    before = now;
  }
});
