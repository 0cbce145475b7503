/**
 * A Redis client that reuses `src/resp`: commands are written as RESP arrays, pipelined (all
 * commands sent in the same tick go out in one write and their replies are matched in order),
 * and a lost connection is re-established on the next command, replaying AUTH, HELLO and the
 * selected database. Besides the generic `send`, it has the tutorial's convenience methods,
 * which send structured values (numbers, arrays, objects) with their RESP types.
 *
 * Strings are sent as UTF-8 and bulk replies decoded as UTF-8 unless `encoding: "latin1"`
 * asks for one char per byte (binary-safe, what the CLI uses); `Uint8Array` arguments are
 * sent as they are.
 *
 * @example
 * ```ts
 * import { RedisClient } from "./client.ts";
 * await using client = await RedisClient.connect({ port: 6379 });
 * await client.set("greeting", "hello");
 * await client.get("greeting"); // "hello"
 * const [a, b] = await Promise.all([client.send("INCR", "n"), client.send("INCR", "n")]);
 * ```
 * @module
 */
import { latin1Decode, latin1ToUtf8 } from "../resp/latin1.ts";
import { RespProtocolError } from "../resp/parse_value.ts";
import { ReplyParser } from "../resp/reply_parser.ts";
import type { RespValue, RespVersion } from "../resp/types.ts";

/** Connection options. */
export interface ClientOptions {
  hostname?: string;
  port?: number;
  /** Database to SELECT after connecting. */
  db?: number;
  password?: string;
  username?: string;
  /** Protocol version: 3 sends HELLO 3. */
  protocol?: RespVersion;
  /** How bulk strings are decoded: UTF-8 text (default) or one char per byte. */
  encoding?: "utf8" | "latin1";
  /** How many times to try reconnecting before failing a command (default 5). */
  reconnectAttempts?: number;
}

/** An error reply from the server. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }
}

/** The connection failed or was lost before a reply arrived. */
export class ConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/** A value the tutorial's methods can store: it travels with its RESP type. */
export type StructuredValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | StructuredValue[]
  | { [key: string]: StructuredValue };

/** An argument of `send`: numbers are sent as their decimal text, like other clients do. */
export type CommandArg = string | number | bigint | Uint8Array;

const textEncoder = new TextEncoder();

class Encoder {
  parts: Uint8Array[] = [];
  size = 0;
  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
  text(s: string): void {
    this.push(textEncoder.encode(s));
  }
  bulk(bytes: Uint8Array): void {
    this.text(`$${bytes.length}\r\n`);
    this.push(bytes);
    this.text("\r\n");
  }
  arg(a: CommandArg, latin1: boolean): void {
    if (a instanceof Uint8Array) return this.bulk(a);
    const s = String(a);
    this.bulk(latin1 ? latin1Bytes(s) : textEncoder.encode(s));
  }
  structured(v: StructuredValue, latin1: boolean): void {
    if (v === null) return this.text("$-1\r\n");
    if (typeof v === "string" || v instanceof Uint8Array) return this.arg(v, latin1);
    if (typeof v === "bigint") return this.text(`:${v}\r\n`);
    if (typeof v === "number") {
      return Number.isInteger(v) ? this.text(`:${v}\r\n`) : this.text(`,${v}\r\n`);
    }
    if (typeof v === "boolean") return this.text(v ? "#t\r\n" : "#f\r\n");
    if (Array.isArray(v)) {
      this.text(`*${v.length}\r\n`);
      for (const item of v) this.structured(item, latin1);
      return;
    }
    const entries = Object.entries(v);
    this.text(`%${entries.length}\r\n`);
    for (const [k, item] of entries) {
      this.arg(k, latin1);
      this.structured(item, latin1);
    }
  }
  take(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    this.parts = [];
    this.size = 0;
    return out;
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Converts a reply to plain JS: strings, numbers, arrays, objects; errors stay RespError. */
export function toPlain(value: RespValue): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => toPlain(v as RespValue));
  const tagged = value as Exclude<
    RespValue,
    readonly RespValue[] | string | number | bigint | boolean | null
  >;
  switch (tagged.kind) {
    case "simple":
    case "bignum":
    case "verbatim":
      return tagged.value;
    case "double":
      return tagged.value;
    case "error":
      return tagged;
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of tagged.entries) out[String(toPlain(k))] = toPlain(v);
      return out;
    }
    case "set":
    case "push":
      return tagged.items.map((v) => toPlain(v));
  }
}

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

/** A connection to a Redis-compatible server. */
export class RedisClient {
  readonly #options: Required<Omit<ClientOptions, "password" | "username">> & ClientOptions;
  #conn: Deno.TcpConn | null = null;
  #connecting: Promise<void> | null = null;
  #pending: Pending[] = [];
  #encoder = new Encoder();
  #flushScheduled = false;
  #db: number;
  #closed = false;

  private constructor(options: ClientOptions) {
    this.#options = {
      hostname: "127.0.0.1",
      port: 6379,
      db: 0,
      protocol: 2,
      encoding: "utf8",
      reconnectAttempts: 5,
      ...options,
    };
    this.#db = this.#options.db;
  }

  /** Connects (AUTH, HELLO and SELECT as configured) and returns the client. */
  static async connect(options: ClientOptions = {}): Promise<RedisClient> {
    const client = new RedisClient(options);
    await client.#ensureConnected();
    return client;
  }

  #decode(value: RespValue): RespValue {
    if (this.#options.encoding === "latin1") return value;
    return mapStrings(value, latin1ToUtf8);
  }

  async #ensureConnected(): Promise<void> {
    if (this.#conn !== null) return;
    if (this.#closed) throw new ConnectionError("Client is closed");
    this.#connecting ??= this.#open().finally(() => (this.#connecting = null));
    await this.#connecting;
  }

  async #open(): Promise<void> {
    const { hostname, port, reconnectAttempts } = this.#options;
    let lastError: unknown;
    for (let attempt = 0; attempt <= reconnectAttempts; attempt++) {
      try {
        const conn = await Deno.connect({ hostname, port });
        conn.setNoDelay(true);
        this.#conn = conn;
        this.#readLoop(conn);
        const setup: CommandArg[][] = [];
        const { password, username, protocol } = this.#options;
        if (protocol === 3) {
          setup.push(
            password !== undefined
              ? ["HELLO", "3", "AUTH", username ?? "default", password]
              : ["HELLO", "3"],
          );
        } else if (password !== undefined) {
          setup.push(username !== undefined ? ["AUTH", username, password] : ["AUTH", password]);
        }
        if (this.#db !== 0) setup.push(["SELECT", String(this.#db)]);
        const replies = await Promise.all(setup.map((args) => this.#enqueue(args)));
        for (const r of replies) {
          if (r !== null && typeof r === "object" && "kind" in r && r.kind === "error") {
            throw new ReplyError(r.value);
          }
        }
        return;
      } catch (error) {
        if (error instanceof ReplyError) {
          this.#drop();
          throw error;
        }
        lastError = error;
        this.#drop();
        if (attempt < reconnectAttempts) {
          await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        }
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ConnectionError(
      `Could not connect to Redis at ${hostname}:${port}: ${message}`,
      { cause: lastError },
    );
  }

  #drop(error: Error = new ConnectionError("Connection lost")): void {
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    const pending = this.#pending;
    this.#pending = [];
    this.#encoder = new Encoder();
    for (const p of pending) p.reject(error);
  }

  async #readLoop(conn: Deno.TcpConn): Promise<void> {
    const parser = new ReplyParser();
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        parser.push(buffer.subarray(0, n));
        for (let reply = parser.next(); reply !== undefined; reply = parser.next()) {
          if (
            reply !== null && typeof reply === "object" && "kind" in reply && reply.kind === "push"
          ) {
            continue; // out-of-band data is not a reply
          }
          this.#pending.shift()?.resolve(this.#decode(reply));
        }
      }
    } catch (error) {
      if (this.#conn === conn) {
        const cause = error instanceof RespProtocolError ? error : undefined;
        this.#drop(new ConnectionError("Connection lost", { cause }));
      }
      return;
    }
    if (this.#conn === conn) this.#drop(new ConnectionError("Connection closed by server"));
  }

  #enqueue(args: readonly CommandArg[], structuredFrom = -1): Promise<RespValue> {
    // The connection may have been lost or closed since the caller awaited it: without a
    // connection there is no reply to wait for.
    if (this.#conn === null) {
      const why = this.#closed ? "Client is closed" : "Connection lost";
      return Promise.reject(new ConnectionError(why));
    }
    const latin1 = this.#options.encoding === "latin1";
    const enc = this.#encoder;
    enc.text(`*${args.length}\r\n`);
    for (let i = 0; i < args.length; i++) {
      if (structuredFrom >= 0 && i >= structuredFrom) {
        enc.structured(args[i] as StructuredValue, latin1);
      } else enc.arg(args[i]!, latin1);
    }
    const promise = new Promise<RespValue>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
    });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return promise;
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const conn = this.#conn;
    if (conn === null || this.#encoder.size === 0) return;
    const bytes = this.#encoder.take();
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    } catch (error) {
      if (this.#conn === conn) {
        this.#drop(new ConnectionError("Connection lost while writing", { cause: error }));
      }
    }
  }

  /** Sends a command and returns its reply as it came, error replies included. */
  async sendRaw(...args: CommandArg[]): Promise<RespValue> {
    await this.#ensureConnected();
    const reply = await this.#enqueue(args);
    const name = String(args[0] ?? "").toLowerCase();
    if (name === "select" && isOk(reply)) this.#db = Number(args[1]);
    return reply;
  }

  /** Sends a command; resolves to its reply as plain JS, rejects with `ReplyError`. */
  async send(...args: CommandArg[]): Promise<unknown> {
    return unwrap(await this.sendRaw(...args));
  }

  async #sendStructured(args: StructuredValue[], from: number): Promise<unknown> {
    await this.#ensureConnected();
    return unwrap(await this.#enqueue(args as CommandArg[], from));
  }

  /** The tutorial's GET: the value with the types it was stored with. */
  get(key: string): Promise<unknown> {
    return this.send("GET", key);
  }

  /** The tutorial's SET: numbers, arrays and objects keep their types. */
  set(key: string, value: StructuredValue): Promise<unknown> {
    return this.#sendStructured(["SET", key, value], 2);
  }

  /** The tutorial's DELETE: 1 if the key existed, else 0. */
  delete(key: string): Promise<unknown> {
    return this.send("DELETE", key);
  }

  /** The tutorial's FLUSH: the number of keys removed. */
  flush(): Promise<unknown> {
    return this.send("FLUSH");
  }

  /** The tutorial's MGET. */
  mget(...keys: string[]): Promise<unknown> {
    return this.send("MGET", ...keys);
  }

  /** The tutorial's MSET with alternating keys and values. */
  mset(...items: StructuredValue[]): Promise<unknown> {
    return this.#sendStructured(["MSET", ...items], 1);
  }

  /** Closes the connection; pending commands fail. */
  close(): void {
    this.#closed = true;
    this.#drop(new ConnectionError("Client closed"));
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

function isOk(reply: RespValue): boolean {
  return reply !== null && typeof reply === "object" && "kind" in reply &&
    reply.kind === "simple" && reply.value === "OK";
}

function unwrap(reply: RespValue): unknown {
  if (reply !== null && typeof reply === "object" && "kind" in reply && reply.kind === "error") {
    throw new ReplyError(reply.value);
  }
  return toPlain(reply);
}

/** Applies `f` to every string inside a reply. */
function mapStrings(value: RespValue, f: (s: string) => string): RespValue {
  if (typeof value === "string") return f(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v as RespValue, f));
  const tagged = value as Exclude<
    RespValue,
    readonly RespValue[] | string | number | bigint | boolean | null
  >;
  switch (tagged.kind) {
    case "simple":
    case "error":
      return { kind: tagged.kind, value: f(tagged.value) };
    case "verbatim":
      return { kind: "verbatim", format: tagged.format, value: f(tagged.value) };
    case "map":
      return {
        kind: "map",
        entries: tagged.entries.map(([k, v]) => [mapStrings(k, f), mapStrings(v, f)] as const),
      };
    case "set":
    case "push":
      return { kind: tagged.kind, items: tagged.items.map((v) => mapStrings(v, f)) };
    default:
      return tagged;
  }
}

export { latin1Decode };
