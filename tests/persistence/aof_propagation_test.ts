/**
 * Differential tests of what each write logs to the append-only file. The same script runs on
 * our server and on a real redis-server 7.0, both with `appendonly yes` and `appendfsync
 * always` (so a command's records are in the file before its reply), and after every step the
 * records it added to each incr file are compared, as are the replies. Absolute times near now
 * (what relative expiries become) are replaced by their distance from the run's start rounded
 * to 10 s, so `EX 100` must become a PXAT about 100 s ahead on both sides. Where Redis picks at
 * random (SPOP), each server's SREM records must name the members its own reply named, in the
 * same order, and the records are then compared with the members blanked out.
 *
 * Lazy expiry is raced by each server's active expiry cycle; steps that rely on the lazy path
 * check with DBSIZE (which counts expired keys not yet collected, on both servers) that the key
 * was still there, and the whole run is repeated when it was not (active expiry runs once a
 * second, hz 1, on both, so that is rare).
 *
 * Each script is also replayed: a server started on the AOF our server wrote must hold the
 * dataset the script left, which random and relative commands only achieve when logged as their
 * effect. Values that arrived typed (RESP3 arguments, our extension) must keep their type in
 * the rewritten records.
 *
 * @module
 */
import { latin1Decode } from "../../src/resp/latin1.ts";
import {
  assert,
  assertEquals,
  needsRedis,
  parseReply,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { datasetOf } from "./_dataset.ts";

/** A command as sent. */
type Command = string[];

/** One thing a step does. */
type Action =
  /** Sent on the main connection; its reply is compared. */
  | Command
  /** Sent on connection `on` (1, 2...), its reply read and compared, unless it `blocks`. */
  | { on: number; cmd: Command; blocks?: boolean }
  /** The reply of the command that blocked on connection `on`. */
  | { replyOn: number }
  | { sleep: number }
  /** The run is repeated when the reply to `cmd` is not `expect` (a race was lost). */
  | { guard: Command; expect: string }
  /** Waits (5 s at most) until the reply to `cmd` is `expect`. */
  | { waitFor: Command; expect: string };

/** A step: its actions' records are compared together. */
interface Step {
  actions: Action[];
  /**
   * `spop`: members picked at random, checked against the SREMs; `reply`: reply ignored;
   * `order`: records compared in any order (active expiry's).
   */
  random?: "spop" | "reply" | "order";
}

/** A script: steps, or bare commands (a step of one command). */
type Script = (Command | Step)[];

/** A step of several actions, whose records are compared together. */
function group(...actions: Action[]): Step {
  return { actions };
}

/** A step of one command whose reply (and the members it logs) Redis picks at random. */
function spop(...cmd: Command): Step {
  return { actions: [cmd], random: "spop" };
}

/** A step of one read whose reply is random (SRANDMEMBER...): only its records are compared. */
function randomRead(...cmd: Command): Step {
  return { actions: [cmd], random: "reply" };
}

/** Blocks `cmd` on connection `on`, waiting until the server counts it as blocked. */
function blockOn(on: number, ...cmd: Command): Action {
  return { on, cmd, blocks: true };
}

/** What one step did on one server. */
interface StepResult {
  replies: string[];
  records: Command[];
}

/** A run lost a race it cannot control (see `guard`): it is repeated. */
class LostRace extends Error {}

/**
 * Parses an AOF made of RESP arrays of bulk strings, as Redis writes the incr file; fails on
 * anything else, a partial record included.
 */
function parseRecords(bytes: Uint8Array): Command[] {
  const text = latin1Decode(bytes, 0, bytes.length);
  const records: Command[] = [];
  let i = 0;
  const line = (prefix: string): number => {
    assert(text[i] === prefix, `expected '${prefix}' at offset ${i} of the AOF`);
    const end = text.indexOf("\r\n", i);
    assert(end !== -1, `unterminated line at offset ${i} of the AOF`);
    const n = Number(text.slice(i + 1, end));
    assert(Number.isSafeInteger(n) && n >= 0, `bad length at offset ${i} of the AOF`);
    i = end + 2;
    return n;
  };
  while (i < text.length) {
    const argc = line("*");
    const argv: string[] = [];
    for (let k = 0; k < argc; k++) {
      const len = line("$");
      assert(text.slice(i + len, i + len + 2) === "\r\n", `bad bulk at offset ${i} of the AOF`);
      argv.push(text.slice(i, i + len));
      i += len + 2;
    }
    records.push(argv);
  }
  return records;
}

/** The one incr file under `dir`'s appendonlydir. */
async function incrFile(dir: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/appendonlydir`)) {
    if (entry.name.endsWith(".incr.aof")) names.push(entry.name);
  }
  assertEquals(names.length, 1, `incr files in ${dir}: ${names.join(", ")}`);
  return `${dir}/appendonlydir/${names[0]}`;
}

/** The `blocked_clients` count INFO reports. */
async function blockedClients(session: RawSession): Promise<number> {
  const reply = await session.command("INFO", "clients");
  const match = /blocked_clients:(\d+)/.exec(reply);
  assert(match !== null, `no blocked_clients in ${JSON.stringify(reply)}`);
  return Number(match[1]);
}

/** Runs `script` on the server at `port`, logging to `dir`; what each step replied and logged. */
async function runScript(port: number, dir: string, script: Script): Promise<StepResult[]> {
  const path = await incrFile(dir);
  const main = await RawSession.open(port);
  const others = new Map<number, RawSession>();
  const session = async (on: number) => {
    let s = others.get(on);
    if (s === undefined) others.set(on, s = await RawSession.open(port));
    return s;
  };
  let seen = 0;
  let blocked = 0;
  const results: StepResult[] = [];
  try {
    for (const item of script) {
      const step = Array.isArray(item) ? { actions: [item] } : item;
      const replies: string[] = [];
      for (const action of step.actions) {
        if (Array.isArray(action)) replies.push(await main.command(...action));
        else if ("sleep" in action) await sleep(action.sleep);
        else if ("waitFor" in action) {
          const deadline = Date.now() + 5000;
          while (await main.command(...action.waitFor) !== action.expect) {
            assert(
              Date.now() < deadline,
              `${action.waitFor.join(" ")} never replied ${action.expect}`,
            );
            await sleep(20);
          }
        } else if ("guard" in action) {
          const reply = await main.command(...action.guard);
          if (reply !== action.expect) {
            throw new LostRace(`${action.guard.join(" ")} replied ${JSON.stringify(reply)}`);
          }
        } else if ("replyOn" in action) {
          replies.push(await (await session(action.replyOn)).read(1));
          blocked--;
        } else if (action.blocks) {
          await (await session(action.on)).write(encode(action.cmd));
          blocked++;
          const deadline = Date.now() + 5000;
          while (await blockedClients(main) < blocked) {
            assert(Date.now() < deadline, `${action.cmd.join(" ")} did not block`);
            await sleep(5);
          }
        } else replies.push(await (await session(action.on)).command(...action.cmd));
      }
      const records = parseRecords(await Deno.readFile(path));
      results.push({ replies, records: records.slice(seen) });
      seen = records.length;
    }
  } finally {
    main.close();
    for (const s of others.values()) s.close();
  }
  return results;
}

function encode(args: Command): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

/** Times within this many ms of the run's start are compared as distances from it. */
const NEAR_NOW_MS = 1e9;

/** `records` with absolute ms times near `start` replaced by `<now+Ns>` (N rounded to 10). */
function normalizeTimes(records: Command[], start: number): Command[] {
  return records.map((argv) =>
    argv.map((arg) => {
      if (!/^-?\d{10,19}$/.test(arg)) return arg;
      const offset = Number(arg) - start;
      if (Math.abs(offset) > NEAR_NOW_MS) return arg;
      const rounded = Math.round(offset / 10_000) * 10;
      return `<now${rounded < 0 ? "-" : "+"}${Math.abs(rounded)}s>`;
    })
  );
}

/** The members named by a reply: a bulk string, an array or set of them, or none. */
function replyMembers(raw: string): string[] {
  const value = parseReply(raw);
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map(String);
  if (value !== null && typeof value === "object" && "kind" in value && value.kind === "set") {
    return value.items.map(String);
  }
  return [];
}

/**
 * A random pop's step made comparable: the members its SREM records name must be those of its
 * reply, in the reply's order; then members are blanked out, and replies compared by count
 * (earlier random pops leave different members behind).
 */
function normalizeRandomPop(label: string, result: StepResult, server: string): StepResult {
  const members = result.replies.flatMap(replyMembers);
  const removed = result.records.filter((r) => r[0] === "SREM").flatMap((r) => r.slice(2));
  if (removed.length === 0) {
    return { replies: [`${members.length} members`], records: result.records };
  }
  assertEquals(removed, members, `${server}: SREMs of "${label}" differ from its reply`);
  return {
    replies: [`${members.length} members`],
    records: result.records.map((r) =>
      r[0] === "SREM" ? [...r.slice(0, 2), ...r.slice(2).map(() => "<member>")] : r
    ),
  };
}

function stepLabel(step: Command | Step): string {
  const actions = Array.isArray(step) ? [step] : step.actions;
  return actions.map((a) => {
    if (Array.isArray(a)) return a.join(" ");
    if ("sleep" in a) return `sleep ${a.sleep}`;
    if ("guard" in a) return `(${a.guard.join(" ")})`;
    if ("waitFor" in a) return `(until ${a.waitFor.join(" ")} is ${JSON.stringify(a.expect)})`;
    if ("replyOn" in a) return `<reply on ${a.replyOn}>`;
    return `[${a.on}] ${a.cmd.join(" ")}`;
  }).join("; ");
}

/** Our server's and Redis's shared settings, and Redis's hz (see `sameAofAsRedis`). */
const AOF_CONFIG = { appendonly: "yes", appendfsync: "always", "aof-use-rdb-preamble": "no" };

/**
 * Runs `script` on our server and on a real Redis, each logging to an AOF in a temp dir, and
 * asserts that every step logged the same records (and replied the same). Active expiry runs
 * once a second (hz 1) on both, so that a lazy-expiry step rarely loses its race; a run that
 * does is repeated, up to three times.
 */
async function assertSameAofAsRedis(
  script: Script,
  config: Record<string, string> = {},
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await compareOnce(script, config);
    } catch (error) {
      if (!(error instanceof LostRace) || attempt === 3) throw error;
    }
  }
}

async function compareOnce(script: Script, config: Record<string, string>): Promise<void> {
  const ourDir = await Deno.makeTempDir({ prefix: "miniredis-aofprop-" });
  const realDir = await Deno.makeTempDir({ prefix: "miniredis-aofprop-real-" });
  try {
    const settings = { ...AOF_CONFIG, hz: "1", ...config };
    await using ours = await startMiniredis({ config: { dir: ourDir, ...settings } });
    const args = Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v]);
    await using real = await startRealRedis([...args, "--dir", realDir]);
    const start = Date.now();
    const [mine, theirs] = await Promise.all([
      runScript(ours.port, ourDir, script),
      runScript(real.port, realDir, script),
    ]);
    for (let i = 0; i < script.length; i++) {
      const item = script[i]!;
      const label = stepLabel(item);
      let a = mine[i]!;
      let b = theirs[i]!;
      const random = Array.isArray(item) ? undefined : item.random;
      if (random === "spop") {
        a = normalizeRandomPop(label, a, "ours");
        b = normalizeRandomPop(label, b, "redis");
      }
      if (random === "order") {
        const sorted = (r: StepResult) => ({ ...r, records: [...r.records].sort() });
        a = sorted(a);
        b = sorted(b);
      }
      if (random !== "reply") {
        assertEquals(a.replies, b.replies, `replies to step ${i} (${label}) differ`);
      }
      assertEquals(
        normalizeTimes(a.records, start),
        normalizeTimes(b.records, start),
        `records logged by step ${i} (${label}) differ (ours, then Redis's)`,
      );
    }
  } finally {
    await Deno.remove(ourDir, { recursive: true }).catch(() => {});
    await Deno.remove(realDir, { recursive: true }).catch(() => {});
  }
}

/** An absolute time `seconds` from now, in seconds (EXPIREAT, EXAT). */
function secondsFromNow(seconds: number): string {
  return String(Math.floor(Date.now() / 1000) + seconds);
}

/** An absolute time `ms` from now, in milliseconds (PEXPIREAT, PXAT). */
function msFromNow(ms: number): string {
  return String(Date.now() + ms);
}

/** DUMP's payload of the string "v" in Redis 7.0 (RDB version 10, then the CRC-64). */
const PAYLOAD = "\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce";

/** A far future time in ms, logged as given (not near now). */
const FAR_MS = "99999999999000";

/** A script and the settings it runs with, tested against Redis and for replay. */
interface Case {
  name: string;
  /** Built when run: some times in it are relative to now. */
  script: () => Script;
  config?: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "Active expiry logs a DEL for each key it collects, each on its own",
    script: () => [
      ["SET", "a", "1", "PX", "50"],
      ["SET", "b", "1", "PX", "50"],
      ["PSETEX", "c", "50", "1"],
      ["SET", "d", "1"],
      { actions: [{ waitFor: ["DBSIZE"], expect: ":1\r\n" }], random: "order" },
      ["SET", "e", "1"],
    ],
  },
  {
    name: "String writes are logged as Redis 7.0 logs them: SET's expiries as PXAT, GET dropped",
    script: () => [
      ["SET", "s1", "v"],
      ["SET", "s1", "v", "EX", "100"],
      ["set", "s1", "v", "px", "200000"],
      ["SET", "s1", "v", "EXAT", secondsFromNow(3600)],
      ["SET", "s1", "v", "PXAT", msFromNow(7200_000)],
      ["SET", "s1", "v", "PXAT", FAR_MS],
      ["SET", "s1", "v", "PXAT", FAR_MS, "GET"],
      ["SET", "s1", "v", "NX", "EX", "100"],
      ["SET", "s2", "v", "NX", "EX", "100"],
      ["SET", "s2", "w", "XX", "KEEPTTL"],
      ["SET", "s2", "x", "KEEPTTL", "GET"],
      ["SET", "s2", "y", "get", "GeT"],
      ["SET", "s2", "z", "GET", "EX", "100"],
      ["SET", "s2", "z", "NX", "GET"],
      ["SET", "s3", "v", "XX"],
      ["SET", "s3", "v", "XX", "GET"],
      ["SET", "s3", "v", "EX", "0"],
      ["SET", "s3", "v", "EX", "10", "PX", "10"],
      // An absolute time in the past still stores the key (Redis 7.0): it goes at first touch.
      ["SET", "s3", "v", "EXAT", "1"],
      ["GET", "s3"],
      ["SETEX", "s4", "100", "v"],
      ["psetex", "s4", "100000", "v"],
      ["SETEX", "s4", "0", "v"],
      ["SETNX", "s4", "v"],
      ["SETNX", "s5", "v"],
      ["MSET", "a", "1", "b", "2"],
      ["MSETNX", "a", "1", "c", "3"],
      ["MSETNX", "c", "3", "d", "4"],
      ["GETSET", "a", "9"],
      ["getset", "new", "1"],
      ["GETDEL", "a"],
      ["GETDEL", "a"],
      ["GETEX", "b"],
      ["GETEX", "b", "EX", "100"],
      ["GETEX", "b", "PX", "100000"],
      ["GETEX", "b", "EXAT", secondsFromNow(1000)],
      ["GETEX", "b", "PXAT", FAR_MS],
      ["GETEX", "b", "PERSIST"],
      ["GETEX", "b", "PERSIST"],
      ["GETEX", "missing", "EX", "10"],
      ["GETEX", "b", "PXAT", "1"],
      ["GETEX", "c", "EXAT", "1"],
      ["APPEND", "d", "x"],
      ["APPEND", "fresh", "x"],
      ["SETRANGE", "d", "10", "y"],
      ["SETRANGE", "d", "0", ""],
      ["SETRANGE", "nokey", "3", ""],
      ["INCR", "n"],
      ["DECR", "n"],
      ["INCRBY", "n", "5"],
      ["DECRBY", "n", "3"],
      ["INCR", "d"],
      ["INCRBYFLOAT", "f", "1.5"],
      ["incrbyfloat", "f", "0.1"],
      ["INCRBYFLOAT", "f", "1e3"],
      ["INCRBYFLOAT", "f", "abc"],
      ["SET", "f2", "10", "EX", "100"],
      ["INCRBYFLOAT", "f2", "2.5"],
      ["TTL", "f2"],
    ],
  },

  {
    name:
      "Expiry commands are logged as PEXPIREAT with their flags, and a time already past as DEL",
    script: () => [
      ["SET", "k", "v"],
      ["EXPIRE", "k", "100"],
      ["PEXPIRE", "k", "100000"],
      ["EXPIREAT", "k", secondsFromNow(1000)],
      ["PEXPIREAT", "k", msFromNow(2000_000)],
      ["pexpireat", "k", FAR_MS],
      ["expireat", "k", "99999999999"],
      ["EXPIRE", "k", "100", "NX"],
      ["EXPIRE", "k", "200", "xx"],
      ["EXPIRE", "k", "300", "GT"],
      ["EXPIRE", "k", "50", "lt"],
      ["PEXPIRE", "k", "100", "gt"],
      ["EXPIRE", "k", "100", "NX", "XX"],
      ["EXPIRE", "missing", "10"],
      ["PERSIST", "k"],
      ["PERSIST", "k"],
      ["PERSIST", "missing"],
      ["EXPIRE", "k", "abc"],
      ["EXPIRE", "k", "0"],
      ["SET", "k2", "v"],
      ["PEXPIRE", "k2", "-5"],
      ["SET", "k3", "v"],
      ["EXPIREAT", "k3", "1"],
      ["SET", "k4", "v"],
      ["PEXPIREAT", "k4", "0", "XX"],
      ["SET", "k5", "v", "EX", "100"],
      ["PEXPIREAT", "k5", "0", "XX"],
      ["SET", "k6", "v"],
      ["EXPIRE", "k6", "-1", "GT"],
      ["EXPIRE", "k6", "-1", "LT"],
    ],
  },

  {
    name: "Set, hash and sorted set writes are logged as Redis logs them, SPOP as SREMs or DEL",
    script: () => [
      ["SADD", "s", "a", "b", "c"],
      ["SADD", "s", "a"],
      ["SREM", "s", "a", "zz"],
      ["SREM", "s", "zz"],
      ["SMOVE", "s", "t", "b"],
      ["SMOVE", "s", "t", "zz"],
      ["SMOVE", "t", "t", "b"],
      ["SMOVE", "s", "t", "c"],
      ["SADD", "p", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
      spop("SPOP", "p"),
      spop("spop", "p", "3"),
      ["SPOP", "p", "0"],
      ["SPOP", "missing"],
      ["SPOP", "missing", "2"],
      randomRead("SRANDMEMBER", "p"),
      randomRead("SRANDMEMBER", "p", "-5"),
      spop("SPOP", "p", "100"),
      ["SADD", "big", ...Array.from({ length: 20 }, (_, i) => `m${i}`)],
      spop("SPOP", "big", "15"),
      spop("SPOP", "big", "1"),
      spop("SPOP", "big"),
      ["SCARD", "big"],
      ["SADD", "s1", "a", "b"],
      ["SADD", "s2", "b", "c"],
      ["SINTERSTORE", "d", "s1", "s2"],
      ["SUNIONSTORE", "d", "s1", "s2"],
      ["SDIFFSTORE", "d", "s1", "s1"],
      ["SDIFFSTORE", "d", "s1", "s1"],
      ["SINTERSTORE", "d", "nokey", "s1"],
      ["HSET", "h", "a", "1", "b", "2"],
      ["HSET", "h", "a", "1"],
      ["HSETNX", "h", "a", "x"],
      ["HSETNX", "h", "c", "3"],
      ["HDEL", "h", "a"],
      ["HDEL", "h", "zz"],
      ["HINCRBY", "h", "n", "5"],
      ["HINCRBYFLOAT", "h", "f", "1.5"],
      ["HINCRBYFLOAT", "h", "f", "1e2"],
      ["hincrbyfloat", "h", "f", "0.25"],
      ["HINCRBYFLOAT", "h", "b", "-2"],
      ["HINCRBYFLOAT", "h", "f", "x"],
      ["HMSET", "h", "x", "1", "y", "2"],
      randomRead("HRANDFIELD", "h"),
      ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
      ["ZADD", "z", "NX", "5", "a"],
      ["ZADD", "z", "INCR", "2", "a"],
      ["ZADD", "z", "XX", "INCR", "2", "nope"],
      ["ZINCRBY", "z", "1", "b"],
      ["ZREM", "z", "zz"],
      ["ZREM", "z", "c"],
      ["ZADD", "z", "1", "c", "4", "d", "5", "e", "6", "f", "7", "g"],
      ["ZPOPMIN", "z"],
      ["ZPOPMAX", "z", "2"],
      ["zpopmin", "z", "0"],
      ["ZPOPMIN", "missing"],
      ["ZMPOP", "2", "nokey", "z", "MIN"],
      ["zmpop", "1", "z", "max", "COUNT", "1"],
      ["ZADD", "z", "1", "x", "2", "y", "3", "w"],
      ["BZPOPMIN", "nokey", "z", "0"],
      ["BZPOPMAX", "z", "0"],
      ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "10"],
      ["ZMPOP", "1", "z", "MIN"],
      ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
      ["ZADD", "z2", "1", "a", "5", "x"],
      ["ZREMRANGEBYRANK", "z", "0", "0"],
      ["ZREMRANGEBYRANK", "z", "10", "20"],
      ["ZREMRANGEBYSCORE", "z", "2", "2"],
      ["ZREMRANGEBYLEX", "z", "[c", "[c"],
      ["ZRANGESTORE", "dst", "z", "0", "-1"],
      ["ZRANGESTORE", "dst", "z", "5", "10"],
      ["ZUNIONSTORE", "u", "2", "z", "z2"],
      ["ZINTERSTORE", "u", "2", "z", "z2"],
      ["ZDIFFSTORE", "u", "2", "z", "z2"],
      randomRead("ZRANDMEMBER", "z", "2"),
    ],
  },

  {
    name: "List pops and moves are logged as what they did: LMPOP as LPOP, BLMOVE as LMOVE",
    script: () => [
      ["RPUSH", "l", "a", "b", "c", "d", "e"],
      ["LPUSH", "l", "x"],
      ["LPUSHX", "nol", "a"],
      ["RPUSHX", "l", "y"],
      ["LPOP", "l"],
      ["RPOP", "l", "2"],
      ["LPOP", "l", "0"],
      ["LPOP", "nol"],
      ["LSET", "l", "0", "z"],
      ["LINSERT", "l", "BEFORE", "z", "w"],
      ["LINSERT", "l", "BEFORE", "nope", "w"],
      ["LREM", "l", "0", "zz"],
      ["LREM", "l", "1", "w"],
      ["LTRIM", "l", "0", "-1"],
      ["LTRIM", "l", "1", "-1"],
      ["RPUSH", "l", "1", "2", "3", "4", "5", "6"],
      ["RPOPLPUSH", "l", "l2"],
      ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
      ["lmove", "l", "l2", "right", "left"],
      ["LMOVE", "nol", "l2", "LEFT", "LEFT"],
      ["LMOVE", "l", "l", "LEFT", "RIGHT"],
      ["LMPOP", "2", "nol", "l", "LEFT"],
      ["lmpop", "1", "l", "right", "COUNT", "2"],
      ["LMPOP", "1", "l2", "RIGHT", "COUNT", "100"],
      ["LMPOP", "1", "nol", "RIGHT"],
      ["RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h"],
      ["BLPOP", "nol", "l", "0"],
      ["BRPOP", "l", "0"],
      ["BLMOVE", "l", "l2", "LeFt", "RIGHT", "0"],
      ["blmove", "l", "l2", "right", "left", "0"],
      ["BRPOPLPUSH", "l", "l2", "0"],
      ["BLMPOP", "0", "2", "nol", "l", "RIGHT", "COUNT", "2"],
      ["BLMPOP", "0", "1", "l", "LEFT"],
      group(["MULTI"], ["BLPOP", "nol", "0"], ["BLMOVE", "nol", "l", "LEFT", "LEFT", "0"], [
        "EXEC",
      ]),
    ],
  },

  {
    name: "A blocked client served by a push is logged as the pop it did, after the push",
    script: () => [
      group(blockOn(1, "BLPOP", "q1", "0"), ["RPUSH", "q1", "a", "b"], { replyOn: 1 }),
      group(blockOn(1, "BRPOP", "q2", "q2b", "0"), ["RPUSH", "q2b", "c"], { replyOn: 1 }),
      group(blockOn(1, "BLMOVE", "q3", "d3", "LeFt", "RIGHT", "0"), ["LPUSH", "q3", "x"], {
        replyOn: 1,
      }),
      group(blockOn(1, "BRPOPLPUSH", "q4", "d4", "0"), ["RPUSH", "q4", "x", "y"], { replyOn: 1 }),
      group(blockOn(1, "BLMPOP", "0", "2", "nokey", "q5", "RIGHT", "COUNT", "5"), [
        "RPUSH",
        "q5",
        "a",
        "b",
        "c",
      ], { replyOn: 1 }),
      group(blockOn(1, "BLMPOP", "0", "1", "q5", "LEFT"), ["RPUSH", "q5", "a", "b"], {
        replyOn: 1,
      }),
      group(blockOn(1, "BZPOPMIN", "z1", "0"), ["ZADD", "z1", "1", "a", "2", "b"], { replyOn: 1 }),
      group(blockOn(1, "BZPOPMAX", "z2", "0"), ["ZADD", "z2", "1", "a", "2", "b"], { replyOn: 1 }),
      group(blockOn(1, "BZMPOP", "0", "1", "z3", "MAX", "COUNT", "10"), [
        "ZADD",
        "z3",
        "1",
        "a",
        "2",
        "b",
      ], { replyOn: 1 }),
      group(blockOn(1, "BZMPOP", "0", "1", "z4", "MIN"), ["ZADD", "z4", "1", "a", "2", "b"], {
        replyOn: 1,
      }),
      // Two clients served by one push: two units, in the order they blocked.
      group(
        blockOn(1, "BRPOP", "q6", "0"),
        blockOn(2, "BLPOP", "q6", "0"),
        ["RPUSH", "q6", "1", "2", "3"],
        { replyOn: 1 },
        { replyOn: 2 },
      ),
      // A push inside MULTI/EXEC: the transaction, then the pop it served.
      group(
        blockOn(1, "BLPOP", "q7", "0"),
        ["MULTI"],
        ["RPUSH", "q7", "a"],
        ["SET", "x", "1"],
        ["EXEC"],
        { replyOn: 1 },
      ),
      // Served in another database than the main connection's last one.
      group(
        { on: 1, cmd: ["SELECT", "3"] },
        blockOn(1, "BLPOP", "q8", "0"),
        ["SELECT", "3"],
        ["RPUSH", "q8", "a"],
        ["SELECT", "0"],
        ["SET", "y", "1"],
        { replyOn: 1 },
        { on: 1, cmd: ["SELECT", "0"] },
      ),
      // A destination of another type: served with an error, nothing popped.
      group(
        ["SET", "notalist", "v"],
        blockOn(1, "BLMOVE", "q9", "notalist", "LEFT", "LEFT", "0"),
        ["RPUSH", "q9", "a"],
        { replyOn: 1 },
      ),
      ["LRANGE", "q9", "0", "-1"],
      // The list emptied by the served pop is deleted, in the pop's record.
      group(blockOn(1, "BLPOP", "q10", "0"), ["LPUSH", "q10", "only"], { replyOn: 1 }),
      ["EXISTS", "q10"],
    ],
  },

  {
    name:
      "MULTI/EXEC, SELECT and lazy expiry are logged as Redis logs them, no-op writes not at all",
    script: () => [
      group(["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"], ["EXEC"]),
      group(["MULTI"], ["SET", "b", "1", "EX", "100"], ["EXEC"]),
      group(["MULTI"], ["GET", "b"], ["EXEC"]),
      group(["MULTI"], ["DEL", "nokey"], ["SET", "c", "1", "NX"], ["EXEC"]),
      group(["MULTI"], ["INCR", "a"], ["INCR", "b"], ["EXEC"]),
      group(["MULTI"], ["SET", "c", "1"], ["SELECT", "2"], ["SET", "c", "2"], ["EXEC"]),
      ["SET", "in2", "v"],
      ["SELECT", "0"],
      ["SET", "in0", "v"],
      group(["SELECT", "1"], ["SET", "d", "1"], ["SELECT", "0"], ["SET", "e", "1"]),
      group(["SELECT", "1"], ["SET", "d", "2"], ["SELECT", "0"]),
      ["DEL", "nokey"],
      ["DEL", "a", "nokey"],
      ["UNLINK", "nokey"],
      ["DISCARD"],
      group(["MULTI"], ["SET", "never", "1"], ["DISCARD"]),
      group(["MULTI"], ["SET", "never", "1"], ["NOSUCHCOMMAND"], ["EXEC"]),
      group(["WATCH", "w"], { on: 1, cmd: ["SET", "w", "1"] }, ["MULTI"], ["SET", "never", "1"], [
        "EXEC",
      ]),
      ["DEL", "w"],
      // Lazy expiry: the DEL alone for a read; with the write for a write (one unit).
      group(
        ["SET", "k", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":5\r\n" },
        ["GET", "k"],
      ),
      group(
        ["SET", "k2", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":5\r\n" },
        ["SET", "k2", "w"],
      ),
      group(
        ["SET", "k3", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":6\r\n" },
        ["DEL", "k3"],
      ),
      group(
        ["SET", "k4", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":6\r\n" },
        ["RPUSH", "k4", "a"],
      ),
      group(
        ["SET", "k5", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":7\r\n" },
        ["MULTI"],
        ["GET", "k5"],
        ["SET", "k6", "v"],
        ["EXEC"],
      ),
      ["DBSIZE"],
      ["FLUSHDB"],
      ["FLUSHDB"],
      ["flushdb", "ASYNC"],
      group(["SELECT", "4"], ["FLUSHDB"], ["SELECT", "0"]),
      ["FLUSHALL"],
      ["FLUSHALL", "SYNC"],
      ["SET", "after", "flush"],
    ],
  },

  {
    name: "MOVE, COPY, RENAME, SWAPDB and RESTORE are logged as they ran, a relative TTL as ABSTTL",
    script: () => [
      ["SET", "m", "1"],
      ["MOVE", "m", "5"],
      ["MOVE", "m", "5"],
      ["COPY", "nokey", "m2"],
      ["SET", "m", "1", "EX", "100"],
      ["COPY", "m", "m2", "DB", "4"],
      ["COPY", "m", "m2", "DB", "4"],
      ["COPY", "m", "m2", "DB", "4", "REPLACE"],
      ["COPY", "m", "m3"],
      ["RENAME", "m", "m4"],
      ["RENAME", "m4", "m4"],
      ["RENAMENX", "m4", "m3"],
      ["RENAMENX", "m4", "m5"],
      ["SWAPDB", "0", "1"],
      ["SWAPDB", "0", "1"],
      ["SET", "r", "v"],
      ["RESTORE", "r2", "0", PAYLOAD],
      ["RESTORE", "r3", "100000", PAYLOAD],
      ["restore", "r3", "100000", PAYLOAD, "replace"],
      ["RESTORE", "r4", FAR_MS, PAYLOAD, "ABSTTL"],
      ["RESTORE", "r4", "1", PAYLOAD, "ABSTTL"],
      ["RESTORE", "r4", "1", PAYLOAD, "ABSTTL", "REPLACE"],
      ["RESTORE", "r5", "1", PAYLOAD, "ABSTTL", "REPLACE"],
      ["SORT", "nokey", "STORE", "sorted"],
      ["RPUSH", "tosort", "3", "1", "2"],
      ["SORT", "tosort", "STORE", "sorted"],
      ["SORT", "nokey", "STORE", "sorted"],
    ],
  },

  {
    name: "With lazy freeing on, the deletions Redis rewrites are logged as UNLINK",
    script: () => [
      ["SET", "a", "1"],
      ["GETDEL", "a"],
      ["SET", "a", "1"],
      ["EXPIRE", "a", "-1"],
      ["SET", "a", "1"],
      ["GETEX", "a", "PXAT", "1"],
      ["SADD", "s", "1", "2"],
      spop("SPOP", "s", "5"),
      ["SET", "r", "v"],
      ["RESTORE", "r", "1", PAYLOAD, "ABSTTL", "REPLACE"],
      group(
        ["SET", "k", "v", "PX", "1"],
        { sleep: 5 },
        { guard: ["DBSIZE"], expect: ":1\r\n" },
        ["GET", "k"],
      ),
      ["DEL", "nokey"],
      ["SET", "d", "1"],
      ["DEL", "d"],
    ],
    config: {
      "lazyfree-lazy-user-del": "yes",
      "lazyfree-lazy-expire": "yes",
      "lazyfree-lazy-server-del": "yes",
    },
  },
];

for (const { name, script, config } of cases) {
  Deno.test({
    name,
    ignore: needsRedis(),
    fn: () => assertSameAofAsRedis(script(), config),
  });
}

/**
 * Runs `script` on our server, then starts a new one on the same AOF and asserts that the
 * replay rebuilt the dataset the script left (every key, value and TTL to the second): what is
 * logged for random and relative commands must replay to what they did.
 */
async function assertReplayRebuilds(script: Script, config: Record<string, string> = {}) {
  for (let attempt = 1;; attempt++) {
    const dir = await Deno.makeTempDir({ prefix: "miniredis-aofreplay-" });
    try {
      const settings = { dir, ...AOF_CONFIG, hz: "1", ...config };
      let before: string[];
      {
        await using ours = await startMiniredis({ config: settings });
        await runScript(ours.port, dir, script);
        before = await datasetOf(ours.port);
      }
      await using again = await startMiniredis({ config: settings });
      assertEquals(await datasetOf(again.port), before);
      return;
    } catch (error) {
      if (!(error instanceof LostRace) || attempt === 3) throw error;
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

Deno.test("Replaying the AOF each script logged rebuilds the dataset the script left", async () => {
  for (const { script, config } of cases) await assertReplayRebuilds(script(), config);
});

Deno.test("A value that arrived typed keeps its type where the write is logged in another form", async () => {
  const dir = await Deno.makeTempDir({ prefix: "miniredis-aoftyped-" });
  try {
    const config = { dir, ...AOF_CONFIG };
    const array = "*2\r\n$1\r\na\r\n:7\r\n";
    const commands = [
      `*5\r\n$3\r\nSET\r\n$1\r\nk\r\n${array}$2\r\nEX\r\n$3\r\n100\r\n`,
      `*4\r\n$5\r\nSETEX\r\n$2\r\nk2\r\n$3\r\n100\r\n${array}`,
      `*3\r\n$6\r\nGETSET\r\n$2\r\nk3\r\n${array}`,
      `*4\r\n$3\r\nSET\r\n$2\r\nk4\r\n${array}$3\r\nGET\r\n`,
    ];
    const read = async (port: number) => {
      await using session = await RawSession.open(port);
      const out: string[] = [];
      for (const key of ["k", "k2", "k3", "k4"]) {
        out.push(await session.command("GET", key), await session.command("TTL", key));
      }
      return out;
    };
    let before: string[];
    {
      await using ours = await startMiniredis({ config });
      await using session = await RawSession.open(ours.port);
      for (const command of commands) {
        await session.write(command);
        await session.read(1);
      }
      before = await read(ours.port);
      assertEquals(before, [
        "*2\r\n$1\r\na\r\n:7\r\n",
        ":100\r\n",
        "*2\r\n$1\r\na\r\n:7\r\n",
        ":100\r\n",
        "*2\r\n$1\r\na\r\n:7\r\n",
        ":-1\r\n",
        "*2\r\n$1\r\na\r\n:7\r\n",
        ":-1\r\n",
      ]);
    }
    // The typed value is written as it came (RESP), where the plain arguments are bulk strings.
    const bytes = await Deno.readFile(await incrFile(dir));
    const file = latin1Decode(bytes, 0, bytes.length).replace(/\$13\r\n\d{13}\r\n/g, "<ms>");
    const bulk = (...args: string[]) => args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
    assertEquals(
      file,
      `*2\r\n${bulk("SELECT", "0")}` +
        `*5\r\n${bulk("SET", "k")}${array}${bulk("PXAT")}<ms>` +
        `*5\r\n${bulk("SET", "k2")}${array}${bulk("PXAT")}<ms>` +
        `*3\r\n${bulk("SET", "k3")}${array}` +
        `*3\r\n${bulk("SET", "k4")}${array}`,
    );
    await using again = await startMiniredis({ config });
    assertEquals(await read(again.port), before);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
