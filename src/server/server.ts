/**
 * The server: configuration, databases, the connected clients and the accept loop.
 *
 * Each connection runs two small loops. One pulls `conn.read()` into a reused 16 KiB buffer
 * (64 KiB while the client pipelines enough to fill it) and writes the bytes into the
 * connection's `RespDecoderStream` (awaiting each write, which completes once the decoder has
 * consumed the chunk, so the buffer can be reused). The other reads a batch of requests per
 * input chunk, dispatches them one after the other into the client's reply buffer, and answers
 * the whole batch with one write. Replies are flushed early if a batch's output grows large,
 * and a client that stops reading stalls only its own loop. Output that arrives between
 * requests (a published message) is written by the connection's `ConnectionWriter` soon after,
 * in order with the replies; client-output-buffer-limit closes a client whose pending output
 * grows too large, so a subscriber that stops reading cannot make the server grow.
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 * const server = new Server({ port: 0 });
 * await server.start();
 * console.log(server.port);
 * await server.close();
 * ```
 * @module
 */
import type {
  ClientContext,
  QueuedCommand,
  ServerContext,
  ServerStats,
} from "../commands/context.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { buildCommandTable } from "../commands/table.ts";
import { type Clock, systemClock } from "../keyspace/clock.ts";
import { syncAccessPolicy } from "../commands/keys.ts";
import { BlockingRegistry } from "../keyspace/blocking.ts";
import { Database } from "../keyspace/database.ts";
import { PubSubHub } from "../keyspace/pubsub.ts";
import { KeyspaceNotifier, NotifyType } from "../keyspace/notify.ts";
import { Tracking } from "../keyspace/tracking.ts";
import { touchAllWatchedKeysInDb, touchWatchedKey, unwatchAllKeys } from "../keyspace/watch.ts";
import type { EncodingLimits } from "../keyspace/values.ts";
import { type DecoderLimits, defaultDecoderLimits, RespDecoderStream } from "../resp/decoder.ts";
import { Client } from "./client.ts";
import { Config, ConfigError } from "./config.ts";
import { call, dispatch, replyError } from "./dispatch.ts";
import { Logger, type LogLevel, type LogSink } from "./log.ts";
import { ClientPause } from "./pause.ts";
import { type OutputLimit, type OutputLimits, parseOutputLimits } from "./output_limits.ts";
import { MINIREDIS_VERSION, REDIS_VERSION } from "../version.ts";
import { Persistence } from "../persistence/persistence.ts";
import type { ReplayClient } from "../persistence/aof_loader.ts";
import { discardTransaction } from "../commands/transactions.ts";
import type { FsyncPolicy, LoggedOp } from "../persistence/aof_writer.ts";
import type { RespValue } from "../resp/types.ts";

/** Options for a server; any other redis.conf parameter goes in `config`. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one (default 6379, or 31337 in tutorial mode). */
  port?: number;
  /** Space-separated addresses to listen on (default 127.0.0.1). */
  bind?: string;
  databases?: number;
  loglevel?: LogLevel;
  /** The tutorial's replies (SET answers :1, MSET the number of pairs). */
  tutorial?: boolean;
  /** Time source for expiry (default: the system clock). */
  clock?: Clock;
  /** Where log lines go (default: stderr). */
  logSink?: LogSink;
  /** Further redis.conf parameters by name, e.g. `{ "proto-max-bulk-len": "1mb" }`. */
  config?: Record<string, string>;
}

/** Flush a batch's replies early once they pass this size, bounding memory per client. */
const EARLY_FLUSH_BYTES = 1024 * 1024;

/**
 * Output a client may have pending before client-output-buffer-limit counts any: Redis counts
 * only what overflows a client's own 16 KiB reply buffer into its reply list, so a limit of a
 * few bytes does not close a client for an ordinary reply.
 */
const REPLY_BUFFER_BYTES = 16 * 1024;

/**
 * Bytes read from a socket at a time. A client whose reads fill that is pipelining and reads up
 * to `MAX_READ_BYTES` at a time until its reads stay small again: larger batches are answered in
 * fewer writes, and a publisher's messages reach each subscriber in fewer writes.
 */
const READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 64 * 1024;
/** Reads smaller than READ_BYTES in a row after which a grown read buffer shrinks back. */
const SMALL_READS_TO_SHRINK = 64;

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function formatAddr(addr: Deno.Addr): string {
  if (addr.transport !== "tcp") return "?:0";
  // Redis's anetFormatAddr: IPv6 addresses in brackets.
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

/** A miniredis server. */
export class Server implements ServerContext {
  readonly config: Config = new Config();
  readonly clock: Clock;
  readonly databases: Database[] = [];
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errorReplies: 0,
    errorCodes: new Map(),
    peakMemory: 0,
  };
  readonly tutorial: boolean;
  readonly startedAt: number;
  readonly runId: string;
  readonly persistence: Persistence;
  readonly commands: ReadonlyMap<string, CommandSpec> = buildCommandTable();
  readonly logger: Logger;
  readonly limits: DecoderLimits = defaultDecoderLimits();
  readonly blocking: BlockingRegistry;
  readonly pause: ClientPause = new ClientPause();
  readonly pubsub: PubSubHub = new PubSubHub();
  readonly encodingLimits: EncodingLimits = {
    hashMaxListpackEntries: 128,
    hashMaxListpackValue: 64,
    setMaxIntsetEntries: 512,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
  };

  dirty = 0;
  currentClient: ClientContext | null = null;
  readonly monitors: Set<ClientContext> = new Set();
  readonly tracking: Tracking = new Tracking({
    lookup: (id) => this.#clients.get(id),
    current: () => this.currentClient,
  });
  #notifier = new KeyspaceNotifier((channel, message) => this.publish(channel, message));
  #port = 0;
  #listeners: Deno.TcpListener[] = [];
  #clients = new Map<number, Client>();
  #nextClientId = 1;
  #queryBufferLimit = 1024 ** 3;
  #outputLimits: OutputLimits = parseOutputLimits("");
  /** Pending output below which no client is over any limit (a cheap check per command). */
  #outputCheckFloor = Infinity;
  #expireTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  #done: Promise<void>;
  #resolveDone!: () => void;
  #tasks = new Set<Promise<void>>();

  constructor(options: ServerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.blocking = new BlockingRegistry(this.clock);
    this.tutorial = options.tutorial ?? false;
    this.logger = new Logger(options.loglevel ?? "notice", options.logSink);
    this.startedAt = this.clock.now();
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    this.runId = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));

    const initial: [string, string][] = [];
    const port = options.port ?? (this.tutorial ? 31337 : 6379);
    initial.push(["port", String(port)]);
    if (options.bind !== undefined) initial.push(["bind", options.bind]);
    if (options.databases !== undefined) initial.push(["databases", String(options.databases)]);
    if (options.loglevel !== undefined) initial.push(["loglevel", options.loglevel]);
    for (const [k, v] of Object.entries(options.config ?? {})) initial.push([k, v]);
    for (const [k, v] of initial) this.config.setInitial(k, v);
    // As redis-server without a config file: files go to the working directory.
    if (this.config.get("dir") === "") this.config.setInitial("dir", Deno.cwd());

    this.persistence = new Persistence(this);
    const count = this.config.getNumber("databases");
    if (!(count >= 1 && count <= 1_000_000)) throw new RangeError("Invalid number of databases");
    // As Redis's deleteExpiredKeyAndPropagate: lazy and active expiry both end here.
    const onExpired = (db: Database, key: string) => {
      // Logged as a DEL: inside a command, as part of its unit; from the active cycle, alone.
      const lazy = this.config.get("lazyfree-lazy-expire") === "yes";
      this.alsoPropagate(db.index, [lazy ? "UNLINK" : "DEL", key]);
      this.notifyKeyspaceEvent(NotifyType.expired, "expired", key, db.index);
      this.signalModifiedKey(db, key);
      this.stats.expiredKeys++;
    };
    for (let i = 0; i < count; i++) {
      const db = new Database(i, this.clock, onExpired);
      db.expiryHold = this.pause;
      this.databases.push(db);
    }
    // OBJECT IDLETIME and FREQ: accesses count as the policy says from the moment it changes.
    for (const name of ["maxmemory-policy", "lfu-log-factor", "lfu-decay-time"]) {
      this.config.onChange(name, () => syncAccessPolicy(this));
    }

    this.config.onChange("notify-keyspace-events", (v) => {
      this.#notifier.flags = KeyspaceNotifier.parseFlags(v) ?? 0;
    });
    this.config.onChange("tracking-table-max-keys", (v) => (this.tracking.maxKeys = Number(v)));
    this.config.onChange("loglevel", (v) => (this.logger.level = v as LogLevel));
    this.config.onChange("proto-max-bulk-len", (v) => (this.limits.maxBulkLength = Number(v)));
    this.config.onChange("client-query-buffer-limit", (v) => (this.#queryBufferLimit = Number(v)));
    this.config.onChange("client-output-buffer-limit", (v) => {
      const limits = this.#outputLimits = parseOutputLimits(v);
      this.#outputCheckFloor = REPLY_BUFFER_BYTES +
        Math.min(limits.normal.floor, limits.pubsub.floor);
    });
    // CONFIG SET appendonly yes writes a fresh AOF from the dataset first; no stops logging.
    this.config.onApply("appendonly", (value) => {
      if (value === "yes") this.persistence.enableAof();
      else this.persistence.disableAof();
    });
    this.config.onChange("aof-timestamp-enabled", (value) => {
      const aof = this.persistence.aof;
      if (aof !== null) aof.encoder.timestamps = value === "yes";
    });
    this.config.onChange("appendfsync", (value) => {
      const aof = this.persistence.aof;
      if (aof !== null) aof.policy = value as FsyncPolicy;
    });
    const limits = this.encodingLimits;
    const limit = (name: string, set: (n: number) => void) =>
      this.config.onChange(name, (v) => set(Number(v)));
    limit("hash-max-listpack-entries", (n) => (limits.hashMaxListpackEntries = n));
    limit("hash-max-listpack-value", (n) => (limits.hashMaxListpackValue = n));
    limit("set-max-intset-entries", (n) => (limits.setMaxIntsetEntries = n));
    limit("zset-max-listpack-entries", (n) => (limits.zsetMaxListpackEntries = n));
    limit("zset-max-listpack-value", (n) => (limits.zsetMaxListpackValue = n));
  }

  /** Operations of the unit in progress (see `beginUnit`), and how deeply units nest. */
  #pendingOps: LoggedOp[] = [];
  #unitDepth = 0;

  alsoPropagate(db: number, argv: string[], typed?: (RespValue | undefined)[] | null): void {
    const aof = this.persistence.aof;
    if (aof === null) return;
    if (this.#unitDepth === 0) aof.append(db, argv, typed);
    else this.#pendingOps.push({ db, argv, typed: typed ?? null });
  }

  beginUnit(): void {
    this.#unitDepth++;
  }

  endUnit(): void {
    if (--this.#unitDepth !== 0 || this.#pendingOps.length === 0) return;
    const ops = this.#pendingOps;
    this.#pendingOps = [];
    this.persistence.aof?.encoder.appendUnit(ops);
  }

  /** The AOF's client (Redis's fake client): runs logged commands at start-up, replies dropped. */
  #replayClient(): ReplayClient {
    const client = new Client(-1, this, "", "", -1, () => {});
    client.authenticated = true;
    client.loading = true;
    return {
      run: (request) => {
        dispatch(client, request);
        client.out.discard();
        if (client.lastCommand !== "NULL") return null;
        return `Unknown command '${request.argv[0]}'`;
      },
      get inMulti() {
        return client.multi !== null;
      },
      discardMulti: () => discardTransaction(client),
    };
  }

  #aofBatch: Promise<void> | null = null;

  /**
   * Resolves once the AOF's buffer is written, by one write for every connection that wants
   * it in this microtask checkpoint (Redis writes once per event loop turn, in beforeSleep):
   * under load the connections answered together share one write.
   */
  aofBatch(): Promise<void> {
    return this.#aofBatch ??= new Promise((resolve) => {
      queueMicrotask(() => {
        this.#aofBatch = null;
        this.persistence.aof?.flush();
        resolve();
      });
    });
  }

  /** Bytes in use, as INFO's used_memory counts them. */
  usedMemory(): number {
    const m = Deno.memoryUsage();
    return m.heapUsed + m.external;
  }

  call(client: ClientContext, command: QueuedCommand): void {
    call(client, command.spec, command.argv, command.typed);
  }

  signalModifiedKey(db: Database, key: string): void {
    touchWatchedKey(db, key);
    this.tracking.invalidateKey(key);
  }

  signalFlushedDb(db: Database | null): void {
    for (const each of db === null ? this.databases : [db]) touchAllWatchedKeysInDb(each, null);
    if (this.tracking.clients > 0) this.tracking.invalidateAll(this.#clients.values());
  }

  clientById(id: number): ClientContext | undefined {
    return this.#clients.get(id);
  }

  get notifyFlags(): number {
    return this.#notifier.flags;
  }

  notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void {
    this.#notifier.notify(type, event, key, dbid);
  }

  /** PUBLISH: sends `message` to the subscribers of `channel`; answers how many received it. */
  publish(channel: string, message: string): number {
    return this.pubsub.publish(channel, message);
  }

  /**
   * The limits of the client's class, as Redis's getClientType classes it: subscribed (in RESP2
   * or RESP3) is pubsub, anything else normal (there are no replicas).
   */
  #outputLimitOf(client: Client): OutputLimit {
    return client.subscriptionCount > 0 ? this.#outputLimits.pubsub : this.#outputLimits.normal;
  }

  /**
   * Redis's closeClientOnOutputBufferLimitReached: closes `client` if its pending output is
   * over its class's hard limit, or has been over the soft limit for longer than its seconds.
   * `scheduled` says where the check comes from, for the log line: output just added (Redis
   * frees the client asynchronously then) or the periodic check. Returns whether it closed.
   */
  #closeIfOverOutputLimit(client: Client, scheduled: boolean): boolean {
    if (client.killed) return false;
    const pending = client.pendingOutputBytes - REPLY_BUFFER_BYTES;
    const limit = this.#outputLimitOf(client);
    if (pending < limit.floor) {
      client.softLimitSince = 0;
      return false;
    }
    let over = limit.hard !== 0 && pending >= limit.hard;
    if (limit.soft !== 0 && pending >= limit.soft) {
      // As Redis: the first time over the soft limit only starts the clock.
      const now = Math.floor(this.clock.now() / 1000);
      if (client.softLimitSince === 0) client.softLimitSince = now;
      else if (now - client.softLimitSince > limit.softSeconds) over = true;
    } else {
      client.softLimitSince = 0;
    }
    if (!over) return false;
    this.log(
      "warning",
      `Client ${client.describe()} ${
        scheduled ? "scheduled to be closed ASAP" : "closed"
      } for overcoming of output buffer limits.`,
    );
    // Nothing more is written to a client closed this way, as Redis skips CLOSE_ASAP clients.
    client.out.discard();
    client.kill();
    return true;
  }

  /** Commands by the name as sent (see `findCommand`), built on first use. */
  #commandsByName: Map<string, CommandSpec> | null = null;

  /**
   * Command lookup by name as sent. Clients send `GET` or `get`; both spellings of every
   * command are in the table up front, and other spellings are cached once seen, up to a bound
   * so that a client sending random names cannot grow it.
   */
  findCommand(name: string): CommandSpec | undefined {
    let byName = this.#commandsByName;
    if (byName === null) {
      byName = new Map();
      for (const [n, spec] of this.commands) {
        byName.set(n, spec);
        byName.set(n.toUpperCase(), spec);
      }
      this.#commandsByName = byName;
    }
    const hit = byName.get(name);
    if (hit !== undefined) return hit;
    const spec = this.commands.get(name.toLowerCase());
    if (spec !== undefined && byName.size < this.commands.size * 2 + 1024) byName.set(name, spec);
    return spec;
  }

  /** The port listened on (known after `start`). */
  get port(): number {
    return this.#port;
  }

  /** Resolves once the server has stopped (SHUTDOWN, a signal or `close`). */
  get finished(): Promise<void> {
    return this.#done;
  }

  *clients(): Iterable<ClientContext> {
    yield* this.#clients.values();
  }

  log(level: LogLevel, message: string): void {
    this.logger.log(level, message);
  }

  /** Starts listening; rejects if an address cannot be bound. */
  async start(): Promise<void> {
    this.log("notice", "oO0OoO0OoO0Oo miniredis is starting oO0OoO0OoO0Oo");
    this.log(
      "notice",
      `miniredis version=${MINIREDIS_VERSION} (Redis API ${REDIS_VERSION}), bits=64, ` +
        `pid=${Deno.pid}, just started`,
    );
    let port = this.config.getNumber("port");
    try {
      [this.#listeners, port] = this.#listen(this.config.get("bind") ?? "127.0.0.1", port);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log("warning", `Failed listening on port ${port} (tcp), aborting. ${message}`);
      throw error;
    }
    this.#port = port;
    this.config.setInitial("port", String(port));
    this.log(
      "notice",
      `Running mode=standalone, port=${port}${this.tutorial ? ", tutorial protocol" : ""}.`,
    );
    this.log("notice", "Server initialized");
    // As Redis: clients may connect while the data loads, and get LOADING until it is done.
    for (const listener of this.#listeners) this.#track(this.#acceptLoop(listener));
    // CONFIG SET port/bind move the listeners, as in Redis: the new ones open first, so a port
    // or address that cannot be bound leaves everything as it was and refuses the change.
    this.config.onApply(
      "port",
      (value) => this.#rebind(this.config.get("bind") ?? "", Number(value)),
    );
    this.config.onApply("bind", (value) => this.#rebind(value, this.#port));
    try {
      await this.persistence.loadAtStartup(() => this.#replayClient());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log("warning", message);
      this.shutdown(null);
      await this.#done;
      throw error;
    }
    if (this.#closing) return; // SHUTDOWN while loading
    this.#scheduleExpiry();
    this.log("notice", "Ready to accept connections tcp");
  }

  /**
   * Opens a listener on each address of `bind` (space-separated; `*` is every IPv4 address and
   * a leading `-` makes an address optional) and returns them with the port used (port 0 picks
   * a free one). Throws, closing what it opened, when a required address cannot be bound.
   */
  #listen(bind: string, port: number): [Deno.TcpListener[], number] {
    const listeners: Deno.TcpListener[] = [];
    for (const raw of bind.split(/\s+/).filter((a) => a)) {
      const optional = raw.startsWith("-");
      const hostname = (optional ? raw.slice(1) : raw).replace(/^\*$/, "0.0.0.0");
      try {
        const listener = Deno.listen({ hostname, port, transport: "tcp" });
        if (port === 0) port = (listener.addr as Deno.NetAddr).port;
        listeners.push(listener);
      } catch (error) {
        if (optional) continue;
        for (const l of listeners) l.close();
        throw error;
      }
    }
    return [listeners, port];
  }

  /** Moves the server to new listeners (CONFIG SET port/bind); port 0 stops TCP listening. */
  #rebind(bind: string, port: number): void {
    let listeners: Deno.TcpListener[] = [];
    if (port !== 0) {
      try {
        [listeners] = this.#listen(bind, port);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log("warning", `Failed to bind ${bind} port ${port}: ${message}`);
        throw new ConfigError(
          bind === (this.config.get("bind") ?? "")
            ? "Unable to listen on this port. Check server logs."
            : "Failed to bind to specified addresses.",
        );
      }
    }
    for (const l of this.#listeners) l.close();
    this.#listeners = listeners;
    this.#port = port;
    for (const listener of listeners) this.#track(this.#acceptLoop(listener));
    this.log("notice", `Listening on ${bind} port ${port} (tcp).`);
  }

  /** Keeps a background task for `finished`; a task that fails is logged, never unhandled. */
  #track(task: Promise<void>): void {
    const tracked = task.catch((error) => {
      try {
        this.log("warning", `Internal error: ${error instanceof Error ? error.stack : error}`);
      } catch {
        // a throwing log sink must not turn this into an unhandled rejection
      }
    });
    this.#tasks.add(tracked);
    tracked.finally(() => this.#tasks.delete(tracked));
  }

  /**
   * Accepts connections until the listener is closed on purpose. Errors of one connection (a
   * peer that reset before we accepted it) are skipped; running out of file descriptors waits a
   * little before trying again, as Redis's accept handler does.
   */
  async #acceptLoop(listener: Deno.TcpListener): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#closing || !this.#listeners.includes(listener)) return;
        if (error instanceof Deno.errors.BadResource) return; // closed under us
        const message = error instanceof Error ? error.message : String(error);
        this.log("verbose", `Accepting client connection: ${message}`);
        if (/too many open files|EMFILE|ENFILE/i.test(message)) {
          await new Promise((r) => setTimeout(r, 50));
        }
        continue;
      }
      if (this.#closing) {
        try {
          conn.close();
        } catch {
          // already closed
        }
        continue;
      }
      this.#track(this.#serveConnection(conn));
    }
  }

  async #serveConnection(conn: Deno.TcpConn): Promise<void> {
    try {
      conn.setNoDelay(true);
    } catch {
      // not fatal
    }
    if (this.#clients.size >= this.config.getNumber("maxclients")) {
      // Counted as rejected only, as Redis does.
      this.stats.rejectedConnections++;
      try {
        await writeAll(conn, new TextEncoder().encode("-ERR max number of clients reached\r\n"));
        conn.close();
      } catch {
        // the peer is already gone
      }
      return;
    }
    this.stats.connectionsReceived++;
    const id = this.#nextClientId++;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed
      }
    };
    const client = new Client(
      id,
      this,
      formatAddr(conn.remoteAddr),
      formatAddr(conn.localAddr),
      id,
      close,
    );
    this.#clients.set(id, client);
    this.log("verbose", `Accepted ${client.addr}`);

    // Before AUTH (when a password is required) Redis allows only small requests.
    const decoder = new RespDecoderStream(this.limits, {
      authenticated: () => client.authenticated,
    });
    const writer = decoder.writable.getWriter();
    const reader = decoder.readable.getReader();
    const pump = this.#pump(conn, writer, decoder, client);
    const output = new ConnectionWriter(conn, client, this, (error) => {
      // A write failed outside a request (a published message): the connection is gone.
      if (!closed && !client.killed) {
        const message = error instanceof Error ? error.message : String(error);
        this.log("verbose", `Client ${client.addr} error: ${message}`);
      }
      close();
    });
    // Output added between requests (published messages, tracking invalidations) is checked
    // against the limits and written soon; a client that does not read is closed by the limits.
    client.onOutput = () => {
      if (!this.#closeIfOverOutputLimit(client, true)) output.schedule();
    };
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        client.lastInteraction = this.clock.now();
        // A batch is `deferred` when the rest of the input needs the limits of an authenticated
        // client: its requests (perhaps an AUTH) run first, then the decoder goes on.
        for (let batch = next.value;; batch = decoder.resume()) {
          for (const request of batch.requests) {
            dispatch(client, request);
            while (client.blocked !== null) {
              // Blocked (BLPOP, CLIENT PAUSE...): answer what came before, then read nothing
              // more until served, timed out or let go (a held command may be held again by a
              // new pause); a disconnect lets go too (see #pump).
              const blocked = client.blocked;
              if (client.out.length > 0) await output.flush();
              await blocked;
              if (client.killed || closed) break;
            }
            if (client.killed || closed) break;
            // A reply too large for the client's class closes it, as in Redis.
            if (
              client.out.length >= this.#outputCheckFloor &&
              this.#closeIfOverOutputLimit(client, true)
            ) break;
            if (client.closeAfterReply || this.#closing) break;
            if (client.out.length > EARLY_FLUSH_BYTES) await output.flush();
          }
          if (batch.protocolError !== null) {
            this.log(
              "verbose",
              `Protocol error (${batch.protocolError}) from client: ${client.addr}`,
            );
            replyError(client, `ERR ${batch.protocolError}`);
            client.closeAfterReply = true;
          }
          if (batch.deferred !== true || client.closeAfterReply || this.#closing) break;
        }
        client.queryBufferBytes = decoder.bufferedBytes;
        // After QUIT (or a protocol error) nothing may follow the last reply: no more messages.
        if (client.closeAfterReply) this.pubsub.unsubscribeAll(client);
        if (client.out.length > 0) await output.flush();
        if (client.closeAfterReply || this.#closing || client.killed) break;
      }
    } catch (error) {
      if (!closed && !client.killed) {
        const message = error instanceof Error ? error.message : String(error);
        this.log("verbose", `Client ${client.addr} error: ${message}`);
      }
    } finally {
      this.#clients.delete(id);
      this.pubsub.unsubscribeAll(client);
      unwatchAllKeys(client);
      this.tracking.disable(client);
      this.monitors.delete(client);
      // close() alone sends the FIN only once the event loop has cancelled the pump's pending
      // read, so a client that has just read our last reply (QUIT's +OK) can still find the
      // connection open; redis-py's pool checks exactly that before reusing a connection, and
      // otherwise sends its next command into a closed socket. Shutting down the write side
      // sends the FIN right after the reply, as Redis's close() does.
      if (!closed) await conn.closeWrite().catch(() => {});
      close();
      reader.cancel().catch(() => {});
      await pump;
      this.log("verbose", `Client closed connection ${client.addr}`);
    }
  }

  /**
   * Moves socket bytes into the decoder through one reused buffer. A client whose unfinished
   * request outgrows client-query-buffer-limit is closed, as Redis closes it.
   */
  async #pump(
    conn: Deno.Conn,
    writer: WritableStreamDefaultWriter<Uint8Array>,
    decoder: RespDecoderStream,
    client: Client,
  ): Promise<void> {
    let buffer = new Uint8Array(READ_BYTES);
    let smallReads = 0;
    /** Bytes handed to the decoder without waiting, while the client was blocked. */
    let held = 0;
    try {
      for (;;) {
        const n = await conn.read(buffer).catch((error) => {
          this.blocking.remove(client.id);
          throw error;
        });
        if (n === null) {
          // A blocked client (BLPOP, CLIENT PAUSE) that hangs up is forgotten at once, as in
          // Redis: its waiter goes, and a held command never runs.
          if (client.blocked !== null) client.kill();
          break;
        }
        this.stats.netInputBytes += n;
        const size = buffer.length;
        // A blocked client (BLPOP...) decodes nothing until it is served, so a write would wait
        // until then and a hangup would go unseen, leaving a dead waiter to take the next push.
        // As Redis keeps reading a blocked client's socket, so do we: the chunk is queued
        // without waiting (counted against the query buffer limit) and reading goes on.
        if (client.blocked !== null) {
          held += n;
          writer.write(buffer.slice(0, n)).then(() => (held -= n), () => {});
        } else {
          // Waits for the decoder to take the chunk, or for the client to block on it.
          const written = writer.write(buffer.subarray(0, n));
          let taken = false;
          await new Promise<void>((resolve, reject) => {
            client.onBlocked = resolve;
            written.then(() => {
              taken = true;
              resolve();
            }, reject);
          });
          client.onBlocked = null;
          if (!taken) {
            // It blocked on this very chunk, which the queued write still reads.
            held += n;
            written.then(() => (held -= n), () => {});
            buffer = new Uint8Array(size);
          }
        }
        // The next read's size (the chunk just read may still be in the decoder's hands).
        if (n === size && size < MAX_READ_BYTES) {
          buffer = new Uint8Array(MAX_READ_BYTES);
          smallReads = 0;
        } else if (size > READ_BYTES && n < READ_BYTES && ++smallReads >= SMALL_READS_TO_SHRINK) {
          buffer = new Uint8Array(READ_BYTES);
          smallReads = 0;
        }
        if (decoder.bufferedBytes + held > this.#queryBufferLimit) {
          this.log(
            "warning",
            `Closing client that reached max query buffer length: ${client.describe()} ` +
              `(qbuf initial bytes: ${decoder.bufferedBytes + held})`,
          );
          client.kill();
          break;
        }
      }
      await writer.close();
    } catch {
      writer.abort().catch(() => {});
    }
  }

  /** The active expiry cycle: hz times a second, at most a quarter of each tick's time. */
  #scheduleExpiry(): void {
    const tick = () => {
      if (this.#closing) return;
      const hz = Math.max(1, this.config.getNumber("hz"));
      const budgetMs = 250 / hz;
      const start = performance.now();
      // As Redis: no active expiry while CLIENT PAUSE holds the dataset still.
      for (const db of this.pause.type === null ? this.databases : []) {
        for (;;) {
          const [checked, expired] = db.activeExpireStep(20);
          if (checked === 0 || expired * 4 < checked) break;
          if (performance.now() - start > budgetMs) break;
        }
      }
      this.#closeIdleClients();
      this.#checkOutputLimits();
      this.persistence.cron();
      this.#expireTimer = setTimeout(tick, 1000 / hz);
    };
    this.#expireTimer = setTimeout(tick, 100);
  }

  /**
   * `timeout`: closes clients idle for more than that many seconds, counted in whole seconds as
   * Redis's clientsCronHandleTimeout counts them; a blocked client (BLPOP...) has its own
   * timeout and is left alone, and so is a subscribed one, which may rightly wait for long.
   */
  #closeIdleClients(): void {
    const timeout = this.config.getNumber("timeout");
    if (timeout === 0) return;
    const now = Math.floor(this.clock.now() / 1000);
    for (const client of this.#clients.values()) {
      if (client.blocked !== null || client.killed || client.subscriptionCount > 0) continue;
      if (now - Math.floor(client.lastInteraction / 1000) > timeout) {
        this.log("verbose", "Closing idle client");
        client.kill();
      }
    }
  }

  /**
   * The output limits as Redis's clientsCron checks them, for the soft limit's seconds: a
   * client whose output stays over it is closed even if nothing new is sent to it.
   */
  #checkOutputLimits(): void {
    for (const client of this.#clients.values()) {
      if (client.pendingOutputBytes > 0 || client.softLimitSince !== 0) {
        this.#closeIfOverOutputLimit(client, false);
      }
    }
  }

  /**
   * Stops the server: SHUTDOWN (after its persistence work) and `close` come here; a signal
   * comes through `shutdownOnSignal`.
   */
  shutdown(reason: string | null): void {
    if (this.#closing) return;
    if (reason !== null) this.log("warning", reason);
    this.#closing = true;
    clearTimeout(this.#expireTimer);
    this.blocking.close();
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    for (const client of this.#clients.values()) client.kill();
    this.log("warning", "miniredis is now ready to exit, bye bye...");
    Promise.allSettled([...this.#tasks, this.persistence.close()]).then(() => this.#resolveDone());
  }

  /**
   * SIGTERM/SIGINT: stops as SHUTDOWN without options does, saving first when save points are
   * set; as Redis, a failed save keeps the server running.
   */
  shutdownOnSignal(signal: string): void {
    this.log("warning", `Received ${signal} scheduling shutdown...`);
    if (!this.persistence.prepareForShutdown()) {
      this.log(
        "warning",
        "SIGTERM received but errors trying to shut down the server, check the logs for more information",
      );
      return;
    }
    this.shutdown(null);
  }

  /** Stops the server and waits until every connection is closed. */
  async close(): Promise<void> {
    this.shutdown("Server closing.");
    await this.#done;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Writes one connection's output: everything goes through the client's `out` in order, with one
 * write in flight at a time, so replies and published messages never interleave and the view
 * `take()` returns stays valid until its write completes. The request loop waits for its own
 * replies to be written (`flush`), which stalls a client that stops reading, and only it.
 * Output added between requests (a message published to an idle subscriber) is written by a
 * microtask (`schedule`), after the publisher's whole batch of requests: a burst of messages
 * costs one write per subscriber, and more arriving during a write go out together after it.
 */
class ConnectionWriter {
  #running = false;
  #scheduled = false;
  /** Bytes taken from `out` so far, and how many of them are written. */
  #taken = 0;
  #written = 0;
  #waiter: { target: number; resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(
    private readonly conn: Deno.Conn,
    private readonly client: Client,
    private readonly server: Server,
    /** A write failed with nobody waiting for it. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Writes everything in `out`; resolves once those bytes are written, rejects if one fails. */
  flush(): Promise<void> {
    const target = this.#taken + this.client.out.length;
    if (this.#written >= target) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      this.#waiter = { target, resolve, reject };
    });
    if (!this.#running) this.#run();
    return done;
  }

  /** Gets `out` written soon, without waiting for it. */
  schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (!this.#running) this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    const client = this.client;
    try {
      while (client.out.length > 0) {
        // The AOF is written before any reply, as Redis's beforeSleep does; the replies of a
        // client whose own writes are not in the file yet wait (while the disk fails: nothing
        // acknowledged may be lost), while other clients' replies go on.
        const aof = this.server.persistence.aof;
        if (aof !== null && aof.pending > 0) {
          await this.server.aofBatch();
          if (aof.pending > 0 && !aof.flush() && aof.written < client.aofMark) {
            await aof.writable();
            continue;
          }
        }
        const bytes = client.out.take();
        this.#taken += bytes.length;
        this.server.stats.netOutputBytes += bytes.length;
        client.lastInteraction = this.server.clock.now(); // as Redis's writeToClient counts it
        client.outputInFlight = bytes.length;
        let offset = 0;
        while (offset < bytes.length) {
          offset += await this.conn.write(bytes.subarray(offset));
          client.outputInFlight = bytes.length - offset;
        }
        this.#written += bytes.length;
        const waiter = this.#waiter;
        if (waiter !== null && this.#written >= waiter.target) {
          this.#waiter = null;
          waiter.resolve();
        }
      }
    } catch (error) {
      client.outputInFlight = 0;
      const waiter = this.#waiter;
      this.#waiter = null;
      if (waiter !== null) waiter.reject(error);
      else this.onError(error);
    } finally {
      this.#running = false;
    }
  }
}
