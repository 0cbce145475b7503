/**
 * `deno task bench`: throughput, pub/sub, transactions and memory of miniredis beside a real
 * redis-server, in one run.
 *
 * Throughput: redis-benchmark -q -c 50 at -P 1 (200k requests) and -P 16 (1M requests) for two
 * groups of tests, the strings (ping, set, get, incr, mset) and the data types (lpush, rpush,
 * lpop, rpop, sadd, hset, spop, zadd, zpopmin, lrange_100, lrange_600), alternating the two
 * servers over several rounds; prints the median requests/second of each, the ratio ours/redis
 * per test, and a geo-mean per group (with the data types' targets: ≥ 0.95 at -P 1, ≥ 0.85 at
 * -P 16). Every test starts from the same state on both servers: FLUSHALL, then what the test
 * needs (GET reads the key SET writes; LPOP/RPOP, SPOP and ZPOPMIN pop from a collection of as
 * many elements as there are requests, so every pop finds one). redis-benchmark fills the list
 * of the lrange tests itself ("LPUSH (needed to benchmark LRANGE)", not counted); lrange_100
 * runs half the requests and lrange_600 a fifth, as their replies are 100 and 600 elements.
 * Without -r, redis-benchmark's SADD, HSET and ZADD re-add one member (`element:__rand_int__`)
 * each time; --random N passes -r N to the data-type tests so that they insert new members.
 *
 * Memory: on a fresh server of each kind, loads 1M keys of 16 bytes with 16-byte values, or
 * one collection of 1M elements (a list, a hash, a set, a sorted set of 15-byte members), and
 * reports the growth of the resident set size per key or element.
 *
 * Pub/sub: one publisher, 50 subscribers, messages per second delivered to all of them (see
 * `bench/pubsub.ts`). MULTI/EXEC: 50 connections sending transactions of 10 SETs (see
 * `bench/multi.ts`). Persistence: SET with the AOF on (everysec), load times of 1M-key RDB and
 * AOF files, GET latency during BGSAVE (see `bench/persistence.ts`).
 *
 * Options: --groups throughput,pubsub,multi,memory,persistence (which parts; default all, in
 * that order),
 * --rounds N (default 3), --quick (smaller request and element counts), --pipeline 1|16 (one of
 * the two), --tests ping,set,...,lrange_600 (any of the tests above), --random N, --memory
 * keys,list,hash,set,zset (which memory tests).
 *
 * The module also exports the pieces `bench/complexity.ts` shares (servers, a raw pipelined
 * connection, batched fills).
 *
 * @module
 */
import { parseArgs } from "../src/std/parse_args.ts";
import { transactions } from "./multi.ts";
import { pubsubBenchmark } from "./pubsub.ts";
import { persistenceBenchmark } from "./persistence.ts";
import { ReplyParser } from "../src/resp/reply_parser.ts";
import type { RespValue } from "../src/resp/types.ts";

// ---------------------------------------------------------------------------------------------
// Servers

/** A port nobody listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Which server a benchmark talks to. */
export type ServerKind = "miniredis" | "redis";

/** A server process started for a benchmark. */
export interface Proc {
  name: ServerKind;
  port: number;
  pid: number;
  /** Where its files are. */
  dir: string;
  /** Its log so far, when started with `log: true`. */
  log: string[];
  stop(): Promise<void>;
}

export async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`server on port ${port} did not start`);
}

/** Options of `start`. */
export interface StartOptions {
  /** More redis.conf parameters as `--name value` arguments (the same for both kinds). */
  args?: string[];
  /** The directory for the server's files (default: a new temp dir, removed by `stop`). */
  dir?: string;
  /** Collect the server's log (Redis's stdout, our stderr) in `Proc.log`. */
  log?: boolean;
}

/**
 * Starts a fresh server of the given kind on a free port: without persistence (no save points,
 * appendonly no, files in a temp dir) unless `options.args` say otherwise.
 */
export async function start(name: ServerKind, options: StartOptions = {}): Promise<Proc> {
  const port = freePort();
  const own = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "miniredis-bench-" });
  const common = ["--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir];
  const logged = options.log === true ? "piped" : "null";
  const cmd = name === "redis"
    ? new Deno.Command("redis-server", {
      args: [...common, ...(options.args ?? [])],
      stdout: logged,
      stderr: "null",
    })
    : new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../main.ts", import.meta.url).pathname,
        "serve",
        ...common,
        "--loglevel",
        options.log === true ? "notice" : "warning",
        ...(options.args ?? []),
      ],
      stdout: "null",
      stderr: options.log === true ? "piped" : "inherit",
    });
  const child = cmd.spawn();
  const log: string[] = [];
  if (options.log === true) {
    const stream = name === "redis" ? child.stdout : child.stderr;
    (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) log.push(chunk);
    })().catch(() => {});
  }
  try {
    await waitForPort(port);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
  return {
    name,
    port,
    pid: child.pid,
    dir,
    log,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
      await child.status;
      if (own) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Exits with a hint when redis-server (or another tool the benchmark runs) is missing. */
export async function requireTools(tools: string[]): Promise<void> {
  for (const tool of tools) {
    try {
      await new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" })
        .output();
    } catch {
      console.error(`bench: ${tool} is not installed (apt-get install redis-server redis-tools)`);
      Deno.exit(1);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A raw pipelined connection

const encoder = new TextEncoder();

/** RESP arrays of bulk strings for the commands, in one buffer. Arguments must be ASCII. */
export function encodeCommands(commands: readonly (readonly string[])[]): Uint8Array {
  let text = "";
  for (const args of commands) {
    text += `*${args.length}\r\n`;
    for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`;
  }
  return encoder.encode(text);
}

/** The text of an error reply, or null for any other value. */
export function errorText(value: RespValue): string | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
      (value as { kind: string }).kind === "error"
    ? (value as { value: string }).value
    : null;
}

/**
 * One connection that writes pre-encoded commands and reads their replies, so that what is
 * timed is the server and the wire, not a client library's promise per command. Reads and
 * writes may run concurrently (keep many commands in flight while replies are consumed).
 */
export class BenchConnection {
  readonly #conn: Deno.TcpConn;
  readonly #parser = new ReplyParser();
  readonly #buf = new Uint8Array(256 * 1024);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<BenchConnection> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new BenchConnection(conn);
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
  }

  /** Reads `count` replies and hands each to `each` (when given). */
  async read(count: number, each?: (value: RespValue) => void): Promise<void> {
    while (count > 0) {
      const value = this.#parser.next();
      if (value === undefined) {
        const n = await this.#conn.read(this.#buf);
        if (n === null) throw new Error("connection closed by the server");
        this.#parser.push(this.#buf.subarray(0, n));
        continue;
      }
      count--;
      each?.(value);
    }
  }

  /** Reads `count` replies; the first error reply among them, or null. */
  async readErrors(count: number): Promise<string | null> {
    let first: string | null = null;
    await this.read(count, (value) => first ??= errorText(value));
    return first;
  }

  /** Sends one command and returns its reply. */
  async command(...args: string[]): Promise<RespValue> {
    await this.write(encodeCommands([args]));
    let reply: RespValue = null;
    await this.read(1, (value) => reply = value);
    return reply;
  }

  /** Sends all commands, many in flight, reading replies as they come; throws on an error. */
  async pipeline(commands: Iterable<readonly string[]>, count: number): Promise<void> {
    const replies = this.readErrors(count);
    // A reply read failing while writes go on must not be an unhandled rejection.
    replies.catch(() => {});
    for (const args of commands) await this.write(encodeCommands([args]));
    const error = await replies;
    if (error !== null) throw new Error(`server replied: ${error}`);
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** The commands (upper case) that `names` lacks on the server behind `conn`. */
export async function missingCommands(conn: BenchConnection, names: string[]): Promise<string[]> {
  const reply = await conn.command("COMMAND", "INFO", ...names);
  if (!Array.isArray(reply)) return [];
  return names.filter((_, i) => reply[i] === null || reply[i] === undefined);
}

// ---------------------------------------------------------------------------------------------
// Collections filled in batches

/** The data types a collection benchmark builds. */
export type Structure = "list" | "hash" | "set" | "zset";

/** `element:0000123`: a short, realistic member (15 bytes below 10M). */
export function element(i: number): string {
  return `element:${String(i).padStart(7, "0")}`;
}

/** A deterministic pseudo-random integer score in [0, 2^32) for element i. */
export function scoreOf(i: number): number {
  // Knuth's multiplicative hash: distinct for distinct i, exact in doubles below 2^53.
  return (i * 2654435761) % 4294967296;
}

/**
 * Commands that add elements `from`..`from + count - 1` to `key`, `perCommand` elements per
 * command (RPUSH for a list, HSET field value, SADD, ZADD score member).
 */
export function* fillCommands(
  structure: Structure,
  key: string,
  count: number,
  from = 0,
  perCommand = 1000,
): Generator<string[]> {
  const head = { list: "RPUSH", hash: "HSET", set: "SADD", zset: "ZADD" }[structure];
  for (let i = from; i < from + count; i += perCommand) {
    const args = [head, key];
    for (let j = i; j < Math.min(i + perCommand, from + count); j++) {
      switch (structure) {
        case "list":
        case "set":
          args.push(element(j));
          break;
        case "hash":
          args.push(element(j), `value:${String(j).padStart(7, "0")}`);
          break;
        case "zset":
          args.push(String(scoreOf(j)), element(j));
          break;
      }
    }
    yield args;
  }
}

/** Fills `key` with `count` elements through pipelined batches of 1000. */
export function fill(
  conn: BenchConnection,
  structure: Structure,
  key: string,
  count: number,
): Promise<void> {
  return conn.pipeline(fillCommands(structure, key, count), Math.ceil(count / 1000));
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

/** The median of the values. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function geomean(values: number[]): number {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

// ---------------------------------------------------------------------------------------------
// Throughput

/** What a redis-benchmark test needs from the server, before it runs and after. */
interface TestPlan {
  group: "strings" | "data types";
  /** Commands the test sends (its own and those of the setup), for the missing-command check. */
  commands: string[];
  /** Share of the configured request count this test runs. */
  share?: number;
  /** Brings a flushed server to the state the test starts from (n = requests). */
  setup?: (conn: BenchConnection, n: number) => Promise<void>;
  /** A count read afterwards, and what it must be if the test's commands worked. */
  check?: { cmd: string[]; ok: (count: number, n: number) => boolean };
}

const pushed = (count: number, n: number) => count >= n * 0.99;
const popped = (count: number, n: number) => count <= n * 0.01;
const added = (count: number) => count >= 1;

const PLANS: Record<string, TestPlan> = {
  ping: { group: "strings", commands: ["PING"] },
  set: { group: "strings", commands: ["SET"] },
  get: {
    group: "strings",
    commands: ["GET", "SET"],
    // What `set` leaves behind (redis-benchmark's key and its 3-byte value without -r).
    setup: async (conn) => {
      await conn.command("SET", "key:__rand_int__", "xxx");
    },
  },
  incr: { group: "strings", commands: ["INCR"] },
  mset: { group: "strings", commands: ["MSET"] },
  lpush: {
    group: "data types",
    commands: ["LPUSH"],
    check: { cmd: ["LLEN", "mylist"], ok: pushed },
  },
  rpush: {
    group: "data types",
    commands: ["RPUSH"],
    check: { cmd: ["LLEN", "mylist"], ok: pushed },
  },
  lpop: {
    group: "data types",
    commands: ["LPOP", "RPUSH"],
    setup: (conn, n) => fill(conn, "list", "mylist", n),
    check: { cmd: ["LLEN", "mylist"], ok: popped },
  },
  rpop: {
    group: "data types",
    commands: ["RPOP", "RPUSH"],
    setup: (conn, n) => fill(conn, "list", "mylist", n),
    check: { cmd: ["LLEN", "mylist"], ok: popped },
  },
  sadd: { group: "data types", commands: ["SADD"], check: { cmd: ["SCARD", "myset"], ok: added } },
  hset: { group: "data types", commands: ["HSET"], check: { cmd: ["HLEN", "myhash"], ok: added } },
  spop: {
    group: "data types",
    commands: ["SPOP", "SADD"],
    setup: (conn, n) => fill(conn, "set", "myset", n),
    check: { cmd: ["SCARD", "myset"], ok: popped },
  },
  zadd: { group: "data types", commands: ["ZADD"], check: { cmd: ["ZCARD", "myzset"], ok: added } },
  zpopmin: {
    group: "data types",
    commands: ["ZPOPMIN", "ZADD"],
    setup: (conn, n) => fill(conn, "zset", "myzset", n),
    check: { cmd: ["ZCARD", "myzset"], ok: popped },
  },
  lrange_100: {
    group: "data types",
    commands: ["LRANGE", "LPUSH"],
    share: 1 / 2,
    check: { cmd: ["LLEN", "mylist"], ok: pushed },
  },
  lrange_600: {
    group: "data types",
    commands: ["LRANGE", "LPUSH"],
    share: 1 / 5,
    check: { cmd: ["LLEN", "mylist"], ok: pushed },
  },
};

/** The data-type group's targets (ours/redis geo-mean) by pipeline depth. */
const DATA_TYPE_TARGETS: Record<number, number> = { 1: 0.95, 16: 0.85 };

/** Runs redis-benchmark and returns requests/second by test name. */
async function redisBenchmark(
  port: number,
  pipeline: number,
  n: number,
  test: string,
  extra: string[],
): Promise<Map<string, number>> {
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-q",
      "-c",
      "50",
      "-P",
      String(pipeline),
      "-n",
      String(n),
      ...extra,
      "-t",
      test,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).replace(/\r/g, "\n");
  const results = new Map<string, number>();
  for (const m of text.matchAll(/^([A-Z_ ()0-9a-z]+?): ([\d.]+) requests per second/gm)) {
    const name = m[1]!.trim();
    // The lrange tests' own fill is reported too; it is an LPUSH, not what the test measures.
    if (name.includes("needed to benchmark")) continue;
    results.set(name, Number(m[2]));
  }
  if (results.size === 0) throw new Error(`redis-benchmark printed nothing usable:\n${text}`);
  return results;
}

/** One redis-benchmark test on one server, from a flushed and prepared state. */
async function runTest(
  proc: Proc,
  conn: BenchConnection,
  test: string,
  pipeline: number,
  n: number,
  extra: string[],
): Promise<Map<string, number>> {
  const plan = PLANS[test]!;
  const requests = Math.round(n * (plan.share ?? 1));
  await conn.command("FLUSHALL");
  await plan.setup?.(conn, requests);
  const result = await redisBenchmark(proc.port, pipeline, requests, test, extra);
  if (plan.check !== undefined) {
    const count = await conn.command(...plan.check.cmd);
    if (typeof count !== "number" || !plan.check.ok(count, requests)) {
      console.error(
        `  warning: after ${test} on ${proc.name}, ${plan.check.cmd.join(" ")} = ${
          JSON.stringify(count)
        } (${requests} requests): its replies may have been errors`,
      );
    }
  }
  return result;
}

function printRow(name: string, mine: string, theirs: string, ratio: string): void {
  console.log(
    `${name.padEnd(34)}${mine.padStart(12)}${theirs.padStart(12)}${ratio.padStart(8)}`,
  );
}

async function throughput(options: {
  rounds: number;
  quick: boolean;
  tests: string[];
  pipeline: string | undefined;
  random: string | undefined;
}): Promise<void> {
  const configs =
    (options.quick
      ? [{ pipeline: 1, n: 50_000 }, { pipeline: 16, n: 200_000 }]
      : [{ pipeline: 1, n: 200_000 }, { pipeline: 16, n: 1_000_000 }])
      .filter((c) => options.pipeline === undefined || String(c.pipeline) === options.pipeline);
  const ours = await start("miniredis");
  const real = await start("redis");
  const conns = new Map<ServerKind, BenchConnection>();
  try {
    conns.set("miniredis", await BenchConnection.open(ours.port));
    conns.set("redis", await BenchConnection.open(real.port));
    const tests: string[] = [];
    for (const test of options.tests) {
      const missing = await missingCommands(conns.get("miniredis")!, PLANS[test]!.commands);
      if (missing.length > 0) console.log(`skipped ${test}: miniredis lacks ${missing.join(", ")}`);
      else tests.push(test);
    }
    if (tests.length === 0) return;
    for (const { pipeline, n } of configs) {
      const samples: Record<ServerKind, Map<string, number[]>> = {
        miniredis: new Map(),
        redis: new Map(),
      };
      const groupOf = new Map<string, TestPlan["group"]>();
      for (let round = 0; round < options.rounds; round++) {
        // Each test runs on both servers back to back, the first alternating by round, so the
        // drift of a shared machine hits both alike.
        for (const test of tests) {
          const plan = PLANS[test]!;
          const extra = plan.group === "data types" && options.random !== undefined
            ? ["-r", options.random]
            : [];
          const order = round % 2 === 0 ? [ours, real] : [real, ours];
          for (const proc of order) {
            const result = await runTest(proc, conns.get(proc.name)!, test, pipeline, n, extra);
            for (const [name, rps] of result) {
              groupOf.set(name, plan.group);
              const list = samples[proc.name].get(name) ?? [];
              list.push(rps);
              samples[proc.name].set(name, list);
            }
          }
        }
        console.error(`  -P ${pipeline}: round ${round + 1}/${options.rounds} done`);
      }
      const notes = tests.filter((t) => PLANS[t]!.share !== undefined)
        .map((t) => `${t} n*${PLANS[t]!.share}`);
      if (options.random !== undefined) notes.push(`-r ${options.random} for the data types`);
      console.log(
        `\n-P ${pipeline}, -c 50, -n ${n}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}, ` +
          `median of ${options.rounds} rounds (requests/s)`,
      );
      printRow("test", "miniredis", "redis", "ratio");
      const ratios = new Map<TestPlan["group"], number[]>();
      for (const [test, values] of samples.redis) {
        const theirs = median(values);
        const mine = median(samples.miniredis.get(test) ?? [0]);
        const ratio = mine / theirs;
        const group = groupOf.get(test)!;
        ratios.set(group, [...(ratios.get(group) ?? []), ratio]);
        printRow(test, mine.toFixed(0), theirs.toFixed(0), ratio.toFixed(2));
      }
      for (const [group, values] of ratios) {
        const mean = geomean(values);
        printRow(`geo-mean ratio, ${group}`, "", "", mean.toFixed(2));
        const target = group === "data types" ? DATA_TYPE_TARGETS[pipeline] : undefined;
        if (target !== undefined) {
          console.log(
            `  target for the ${group} at -P ${pipeline}: >= ${target.toFixed(2)}, ${
              mean >= target ? "met" : "NOT met"
            }`,
          );
        }
      }
      if (ratios.size > 1) {
        printRow("geo-mean ratio, all", "", "", geomean([...ratios.values()].flat()).toFixed(2));
      }
    }
  } finally {
    for (const conn of conns.values()) conn.close();
    await ours.stop();
    await real.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Memory

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** 1000 keys of 16 bytes with 16-byte values per MSET. */
function* keyCommands(count: number): Generator<string[]> {
  for (let i = 0; i < count; i += 1000) {
    const args = ["MSET"];
    for (let j = i; j < Math.min(i + 1000, count); j++) {
      const id = String(j).padStart(12, "0");
      args.push(`key:${id}`, `val:${id}`);
    }
    yield args;
  }
}

interface MemoryTest {
  label: string;
  unit: string;
  commands: string[];
  load(conn: BenchConnection, count: number): Promise<void>;
}

const MEMORY_TESTS: Record<string, MemoryTest> = {
  keys: {
    label: "keys (16 B keys, 16 B values)",
    unit: "key",
    commands: ["MSET"],
    load: (conn, count) => conn.pipeline(keyCommands(count), Math.ceil(count / 1000)),
  },
  list: {
    label: "list (RPUSH of 15 B elements)",
    unit: "elem",
    commands: ["RPUSH"],
    load: (conn, count) => fill(conn, "list", "list", count),
  },
  hash: {
    label: "hash (15 B fields, 13 B values)",
    unit: "elem",
    commands: ["HSET"],
    load: (conn, count) => fill(conn, "hash", "hash", count),
  },
  set: {
    label: "set (15 B members)",
    unit: "elem",
    commands: ["SADD"],
    load: (conn, count) => fill(conn, "set", "set", count),
  },
  zset: {
    label: "sorted set (15 B members, scores)",
    unit: "elem",
    commands: ["ZADD"],
    load: (conn, count) => fill(conn, "zset", "zset", count),
  },
};

/** RSS growth per item of one memory test on a fresh server, or why there is none. */
async function measureMemory(
  name: ServerKind,
  test: MemoryTest,
  count: number,
): Promise<{ perItem: number; rss: number } | string> {
  const proc = await start(name);
  const conn = await BenchConnection.open(proc.port);
  try {
    const missing = await missingCommands(conn, test.commands);
    if (missing.length > 0) return `lacks ${missing.join(", ")}`;
    await new Promise((r) => setTimeout(r, 500));
    const before = rssBytes(proc.pid);
    await test.load(conn, count);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssBytes(proc.pid);
    return { perItem: (after - before) / count, rss: after };
  } finally {
    conn.close();
    await proc.stop();
  }
}

async function memory(quick: boolean, tests: string[]): Promise<void> {
  const count = quick ? 200_000 : 1_000_000;
  console.log(
    `\nMemory: RSS growth per key or element, ${count} of them, each test on fresh servers`,
  );
  console.log(
    `${"test".padEnd(34)}${"miniredis".padStart(16)}${"redis".padStart(16)}${"ratio".padStart(8)}`,
  );
  for (const key of tests) {
    const test = MEMORY_TESTS[key]!;
    const results = [];
    for (const name of ["miniredis", "redis"] as const) {
      results.push(await measureMemory(name, test, count));
    }
    const [mine, theirs] = results as [(typeof results)[0], (typeof results)[0]];
    const cell = (r: typeof mine) =>
      typeof r === "string" ? r : `${r.perItem.toFixed(0)} B/${test.unit}`;
    const ratio = typeof mine !== "string" && typeof theirs !== "string"
      ? (mine.perItem / theirs.perItem).toFixed(2)
      : "";
    console.log(
      `${test.label.padEnd(34)}${cell(mine).padStart(16)}${cell(theirs).padStart(16)}${
        ratio.padStart(8)
      }`,
    );
    const rss = (r: typeof mine) =>
      typeof r === "string" ? "-" : `${(r.rss / 2 ** 20).toFixed(0)} MiB`;
    console.log(
      `${"  (RSS after the load)".padEnd(34)}${rss(mine).padStart(16)}${rss(theirs).padStart(16)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

/** Splits a comma-separated option and rejects names not in `known`. */
export function listOption(value: unknown, fallback: string[], known: string[]): string[] {
  const names = value === undefined ? fallback : String(value).split(",").filter((s) => s);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(`bench: unknown ${unknown.join(", ")} (known: ${known.join(", ")})`);
    Deno.exit(2);
  }
  return names;
}

/** The parts of the benchmark, in the order they run. */
const GROUPS = ["throughput", "pubsub", "multi", "memory", "persistence"];

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["rounds", "tests", "pipeline", "random", "memory", "groups"],
    boolean: ["quick"],
  });
  const quick = args.quick === true;
  const rounds = Number(args.rounds ?? "3");
  const groups = listOption(args.groups, GROUPS, GROUPS);
  await requireTools(["redis-server", "redis-benchmark"]);
  if (groups.includes("throughput")) {
    await throughput({
      rounds,
      quick,
      tests: listOption(args.tests, Object.keys(PLANS), Object.keys(PLANS)),
      pipeline: args.pipeline === undefined ? undefined : String(args.pipeline),
      random: args.random === undefined ? undefined : String(args.random),
    });
  }
  if (groups.includes("pubsub")) {
    await pubsubBenchmark({ rounds, messages: quick ? 50_000 : 200_000, size: 32 });
  }
  if (groups.includes("multi")) await transactions({ rounds, quick });
  if (groups.includes("memory")) {
    const known = Object.keys(MEMORY_TESTS);
    await memory(quick, listOption(args.memory, known, known));
  }
  if (groups.includes("persistence")) await persistenceBenchmark({ rounds, quick });
}
