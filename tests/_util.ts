/**
 * Test helpers: servers on free ports (ours in-process, a real redis-server as a process),
 * raw RESP sessions that return reply bytes, and the differential runner that sends the same
 * script to both servers and compares the replies byte for byte.
 *
 * @module
 */
import { assertEquals as untypedAssertEquals } from "@std/assert";
import { ReplyParser } from "../src/resp/reply_parser.ts";
import { latin1Decode, latin1Encode } from "../src/resp/latin1.ts";
import type { RespValue } from "../src/resp/types.ts";
import { Server, type ServerOptions } from "../src/server/server.ts";

/** Typed face of `@std/assert`'s deep equality assertion. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  untypedAssertEquals(actual, expected, message);
}

/** Fails with `message` unless `condition` holds. */
export function assert(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Starts our server in-process on a free port, logging only warnings, with no save points (as
 * the real redis-server of the differential tests runs) so that no test writes a dump.rdb.
 */
export async function startMiniredis(options: ServerOptions = {}): Promise<Server> {
  const config = { save: "", ...options.config };
  const server = new Server({
    port: 0,
    loglevel: "warning",
    logSink: () => {},
    ...options,
    config,
  });
  await server.start();
  return server;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

let redisServerPath: string | null | undefined;

/** The path of redis-server, or null when it is not installed. */
export function findRedisServer(): string | null {
  if (redisServerPath !== undefined) return redisServerPath;
  redisServerPath = null;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const path = `${dir}/redis-server`;
      if (Deno.statSync(path).isFile) {
        redisServerPath = path;
        break;
      }
    } catch {
      // not here
    }
  }
  return redisServerPath;
}

/** Why differential tests are skipped, printed once; null when redis-server is available. */
export function redisSkipReason(): string | null {
  if (findRedisServer() !== null) return null;
  return "redis-server is not installed; differential tests against real Redis are skipped";
}

let reportedSkip = false;
/** Test option: ignore the test (saying why once) when redis-server is absent. */
export function needsRedis(): boolean {
  const reason = redisSkipReason();
  if (reason !== null && !reportedSkip) {
    reportedSkip = true;
    console.warn(`SKIP: ${reason}`);
  }
  return reason !== null;
}

/** A real redis-server process on a free port. */
export interface RedisProcess extends AsyncDisposable {
  port: number;
  close(): Promise<void>;
}

/** Starts a real redis-server (no persistence) and waits until it answers. */
export async function startRealRedis(extraArgs: string[] = []): Promise<RedisProcess> {
  const path = findRedisServer();
  if (path === null) throw new Error("redis-server is not installed");
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const dir = await Deno.makeTempDir({ prefix: "miniredis-real-" });
    const child = new Deno.Command(path, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...extraArgs,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const close = async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conn.close();
        return { port, close, [Symbol.asyncDispose]: close };
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await close();
  }
  throw new Error("redis-server did not start");
}

/** A connection that sends raw bytes and returns raw reply bytes (as latin1 text). */
export class RawSession implements AsyncDisposable {
  readonly #conn: Deno.TcpConn;
  readonly #parser = new ReplyParser();
  readonly #buf = new Uint8Array(64 * 1024);
  #inflight: Promise<number | null> | null = null;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<RawSession> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    return new RawSession(conn);
  }

  /** Sends bytes (a latin1 string or bytes). */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? latin1Encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /** One socket read, shared across calls so a timed-out wait never leaves two in flight. */
  #readOnce(): Promise<number | null> {
    this.#inflight ??= this.#conn.read(this.#buf).catch(() => null).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  /**
   * Reads until `count` more complete replies arrived (or the peer closed), returning the raw
   * bytes received meanwhile as a latin1 string. Fails after `timeoutMs`.
   */
  async read(count = 1, timeoutMs = 5000): Promise<string> {
    let raw = "";
    let got = 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (got < count && this.#parser.next() !== undefined) got++;
      if (got >= count) return raw;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`Timed out waiting for ${count} replies; got ${JSON.stringify(raw)}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        this.#readOnce(),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), remaining))),
      ]);
      clearTimeout(timer);
      if (n === "timeout") continue;
      if (n === null) return raw;
      raw += latin1Decode(this.#buf, 0, n);
      this.#parser.push(this.#buf.slice(0, n));
    }
  }

  /** Sends a command as a RESP array of bulk strings and returns the raw reply. */
  async command(...args: string[]): Promise<string> {
    await this.write(encodeCommand(args));
    return await this.read(1);
  }

  /** Whether the server closed the connection (reads until EOF or timeout). */
  async closedByPeer(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        this.#readOnce(),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), remaining))),
      ]);
      clearTimeout(timer);
      if (n === null) return true;
      if (n === "timeout") return false;
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** Encodes a command as a RESP array of bulk strings (latin1 strings). */
export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

/** One step of a differential script: a command, or raw bytes with the number of replies. */
export type ScriptStep =
  | string[]
  | { raw: string; replies: number }
  | { cmd: string[]; normalize: (reply: string) => string };

/** Runs `script` on one server, returning one raw reply string per step. */
export async function runScript(port: number, script: readonly ScriptStep[]): Promise<string[]> {
  await using session = await RawSession.open(port);
  const out: string[] = [];
  for (const step of script) {
    if (Array.isArray(step)) out.push(await session.command(...step));
    else if ("raw" in step) {
      await session.write(step.raw);
      out.push(await session.read(step.replies));
    } else out.push(step.normalize(await session.command(...step.cmd)));
  }
  return out;
}

/**
 * Runs the same script against our server and a real redis-server (both fresh) and asserts
 * that every reply is byte-identical. Returns our replies for further checks.
 */
export async function assertSameAsRedis(
  script: readonly ScriptStep[],
  options: { ours?: ServerOptions; redisArgs?: string[] } = {},
): Promise<string[]> {
  await using ours = await startMiniredis(options.ours);
  await using real = await startRealRedis(options.redisArgs);
  const [mine, theirs] = await Promise.all([
    runScript(ours.port, script),
    runScript(real.port, script),
  ]);
  for (let i = 0; i < script.length; i++) {
    const step = script[i]!;
    const label = Array.isArray(step)
      ? step.join(" ")
      : "raw" in step
      ? step.raw
      : step.cmd.join(" ");
    assertEquals(mine[i], theirs[i], `reply to step ${i} (${JSON.stringify(label)}) differs`);
  }
  return mine;
}

/** Parses one raw reply into a value, for tests that check structure rather than bytes. */
export function parseReply(raw: string): RespValue | undefined {
  const p = new ReplyParser();
  p.push(latin1Encode(raw));
  return p.next();
}

/**
 * A step whose reply is an unordered collection (SMEMBERS of a hashtable set, HGETALL of a
 * large hash): the reply's top-level elements, taken `group` at a time (2 for field/value
 * pairs in a flat RESP2 array), are sorted before comparing. The reply's type prefix (`*`,
 * `~`, `%`) is kept, so RESP2 and RESP3 shapes are still compared.
 */
export function unordered(cmd: string[], group = 1): ScriptStep {
  return {
    cmd,
    normalize: (reply) => {
      const value = parseReply(reply);
      const json = (v: unknown) =>
        JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
      let items: unknown[] | null = null;
      if (Array.isArray(value)) items = value;
      else if (value !== null && typeof value === "object" && "kind" in value) {
        if (value.kind === "set" || value.kind === "push") items = [...value.items];
        if (value.kind === "map") items = value.entries.map((e) => json(e));
      }
      if (items === null) return reply;
      const groups: string[] = [];
      for (let i = 0; i < items.length; i += group) groups.push(json(items.slice(i, i + group)));
      return `${reply[0]}unordered ${items.length}: ${groups.sort().join(",")}`;
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small deterministic PRNG (mulberry32) in [0, 1), so a failing seed replays exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
