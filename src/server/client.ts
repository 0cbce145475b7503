/**
 * `Client`: the state of one connection (selected database, protocol version, name, reply
 * buffer, flags). It implements the `ClientContext` that commands see; the socket itself stays
 * in server.ts, so a command never touches it.
 *
 * @module
 */
import type { ClientContext, QueuedCommand, ServerContext } from "../commands/context.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { Waiter } from "../keyspace/blocking.ts";
import type { Database } from "../keyspace/database.ts";
import { Subscriptions } from "../keyspace/pubsub.ts";
import type { WatchedKey } from "../keyspace/watch.ts";
import type { TrackingState } from "../keyspace/tracking.ts";
import { preserveKeys, replyError } from "./dispatch.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import type { RespValue } from "../resp/types.ts";

/** Closes the underlying connection; supplied by the server loop. */
export type CloseHandle = () => void;

/** One connected client. */
export class Client implements ClientContext {
  readonly out: ReplyWriter = new ReplyWriter();
  typed: (RespValue | undefined)[] | null = null;
  db: Database;
  name = "";
  libName = "";
  libVersion = "";
  authenticated: boolean;
  closeAfterReply = false;
  lastCommand = "NULL";
  propagateAs: string[] | null = null;
  propagateTyped: (RespValue | undefined)[] | null = null;
  propagateNothing = false;
  /** Where this client's logged writes end in the AOF (see `AofWriter.end`). */
  aofMark = 0;
  /** The command running (or blocked), as `call` ran it. */
  currentSpec: CommandSpec | null = null;
  currentArgv: string[] | null = null;
  /** Epoch ms of connection and of the last command. */
  readonly createdAt: number;
  lastInteraction: number;
  /** Bytes held by the decoder for an unfinished request (CLIENT LIST qbuf). */
  queryBufferBytes = 0;
  killed = false;
  /** While blocked (BLPOP...): settles once the client is served, timed out or let go. */
  blocked: Promise<void> | null = null;
  /** Called when the client blocks (the server's read loop stops waiting on the decoder). */
  onBlocked: (() => void) | null = null;

  // MULTI/EXEC and WATCH (see commands/transactions.ts).
  /** The commands queued since MULTI, or null outside a transaction. */
  multi: QueuedCommand[] | null = null;
  /** A command failed to queue: EXEC answers EXECABORT (Redis's CLIENT_DIRTY_EXEC). */
  dirtyExec = false;
  watched: WatchedKey[] = [];
  dirtyCas = false;
  /** True while EXEC runs the queued commands: blocking commands answer at once. */
  inExec = false;

  // Pub/Sub and output (see keyspace/pubsub.ts, and ConnectionWriter in server.ts).
  /** The channels, patterns and shard channels this client subscribes to. */
  readonly subscriptions: Subscriptions = new Subscriptions();
  /** Bytes taken from `out` for the socket and not yet written (part of the output pending). */
  outputInFlight = 0;
  /** Epoch seconds since the output is over its class's soft limit, 0 while it is not. */
  softLimitSince = 0;
  /** Set by the server: output arrived between requests; check the limits and write it soon. */
  onOutput: () => void = () => {};

  /** Channels + patterns + shard channels: above 0, the client is in subscribed mode. */
  get subscriptionCount(): number {
    return this.subscriptions.total;
  }

  /** Reply bytes not yet written to the socket (client-output-buffer-limit, CLIENT LIST omem). */
  get pendingOutputBytes(): number {
    return this.out.length + this.outputInFlight;
  }

  /** Gets what was written to `out` outside a command (a published message) sent soon. */
  wake(): void {
    this.onOutput();
  }

  /** CLIENT TRACKING's state, or null when off. */
  tracking: TrackingState | null = null;

  // CLIENT REPLY, NO-EVICT and PAUSE.
  replyOff = false;
  replySkip = false;
  replySkipNext = false;
  noEvict = false;
  /** Lets a command held by CLIENT PAUSE go (without running it) when the client is killed. */
  #releasePostponed: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly server: ServerContext,
    readonly addr: string,
    readonly laddr: string,
    readonly fd: number,
    private readonly closeHandle: CloseHandle,
  ) {
    this.db = server.databases[0]!;
    this.createdAt = server.clock.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = (server.config.get("requirepass") ?? "") === "";
  }

  select(index: number): void {
    this.db = this.server.databases[index]!;
  }

  describe(): string {
    const now = this.server.clock.now();
    const fields: [string, string | number][] = [
      ["id", this.id],
      ["addr", this.addr],
      ["laddr", this.laddr],
      ["fd", this.fd],
      ["name", this.name],
      ["age", Math.floor((now - this.createdAt) / 1000)],
      ["idle", Math.floor((now - this.lastInteraction) / 1000)],
      ["flags", this.#flags()],
      ["db", this.db.index],
      ["sub", this.subscriptions.channels.size],
      ["psub", this.subscriptions.patterns.size],
      ["ssub", this.subscriptions.shardChannels.size],
      ["multi", this.multi === null ? -1 : this.multi.length],
      ["qbuf", this.queryBufferBytes],
      ["qbuf-free", 0],
      ["argv-mem", 0],
      ["multi-mem", 0],
      ["rbs", 16384],
      ["rbp", 0],
      ["obl", 0],
      ["oll", 0],
      // Redis counts the reply list, not its first 16 KiB reply buffer.
      ["omem", Math.max(0, this.pendingOutputBytes - 16384)],
      ["tot-mem", 0],
      ["events", "r"],
      ["cmd", this.lastCommand],
      ["user", "default"],
      ["redir", this.tracking === null ? -1 : this.tracking.redirect],
      ["resp", this.out.version],
      ["lib-name", this.libName],
      ["lib-ver", this.libVersion],
    ];
    return fields.map(([k, v]) => `${k}=${v}`).join(" ");
  }

  /**
   * Runs `reply` (a blocked command's late reply; it answers whether it replied) under CLIENT
   * REPLY OFF/SKIP: a reply made while muted is dropped, and a skip ends with the reply.
   */
  #muted(reply: () => boolean): boolean {
    this.server.currentClient = this;
    if (!this.replyOff && !this.replySkip) return reply();
    const mark = this.out.length;
    const replied = reply();
    if (replied) {
      if (this.replyOff || this.replySkip) this.out.truncate(mark);
      this.replySkip = false;
    }
    return replied;
  }

  /**
   * Holds the running command until `until` settles (CLIENT PAUSE), then runs `resume`; the
   * client reads no further commands meanwhile, as a blocked client.
   */
  postpone(until: Promise<void>, resume: () => void): void {
    let settle = () => {};
    const blocked = new Promise<void>((resolve) => (settle = resolve));
    const pause = this.server.pause;
    pause.held++;
    const release = () => {
      if (this.blocked !== blocked) return false;
      pause.held--;
      this.blocked = null;
      this.#releasePostponed = null;
      settle();
      return true;
    };
    this.blocked = blocked;
    this.#releasePostponed = release;
    until.then(() => {
      if (release() && !this.killed) resume();
    });
    this.onBlocked?.();
  }

  /** CLIENT LIST's flags, in the order Redis's getClientInfoString writes them. */
  #flags(): string {
    let flags = "";
    if (this.server.monitors.has(this)) flags += "O";
    if (this.subscriptionCount > 0) flags += "P";
    if (this.multi !== null) flags += "x";
    if (this.blocked !== null) flags += "b";
    if (this.tracking !== null) {
      flags += "t";
      if (this.tracking.brokenRedirect) flags += "R";
      if (this.tracking.bcast) flags += "B";
    }
    if (this.dirtyCas) flags += "d";
    if (this.closeAfterReply) flags += "c";
    if (this.noEvict) flags += "e";
    return flags === "" ? "N" : flags;
  }

  kill(): void {
    this.killed = true;
    this.#releasePostponed?.();
    this.server.blocking.remove(this.id);
    // Publishers stop counting a killed subscriber at once.
    this.server.pubsub.unsubscribeAll(this);
    this.closeHandle();
  }

  /** The AOF's client replaying the file at start-up: never blocks. */
  loading = false;

  get canBlock(): boolean {
    return !this.inExec && !this.loading;
  }

  block(
    keys: readonly string[],
    deadline: number,
    serve: (key: string) => boolean,
    timeout: () => void,
  ): void {
    let settle = () => {};
    this.blocked = new Promise((resolve) => (settle = resolve));
    const server = this.server;
    const spec = this.currentSpec!;
    const argv = this.currentArgv!;
    // Serving is a unit of its own for the AOF (what the pop did), and a write that a snapshot
    // in progress must see coming.
    const served = (key: string) => {
      server.beginUnit();
      try {
        if (server.persistence.snapshotting) preserveKeys(this, spec, argv);
        return serve(key);
      } finally {
        server.endUnit();
        const aof = server.persistence.aof;
        if (aof !== null) this.aofMark = aof.end;
      }
    };
    this.server.blocking.block(
      new Waiter(this.id, this.db, keys, deadline, {
        serve: (key) => this.#muted(() => served(key)),
        timeout: () => this.#muted(() => (timeout(), true)),
        error: (text) => this.#muted(() => (replyError(this, text), true)),
        unblocked: () => {
          this.blocked = null;
          settle();
        },
      }),
    );
    this.onBlocked?.();
  }
}
