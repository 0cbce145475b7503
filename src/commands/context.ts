/**
 * What a command handler may see: its connection's state (selected database, protocol version,
 * name, the reply writer) and the server's (databases, configuration, statistics, the other
 * clients). These are interfaces so that commands depend on them and never on sockets; the
 * server layer implements them.
 *
 * @module
 */
import type { BlockingRegistry } from "../keyspace/blocking.ts";
import type { Database } from "../keyspace/database.ts";
import type { PubSubHub, Subscriptions } from "../keyspace/pubsub.ts";
import type { Watcher } from "../keyspace/watch.ts";
import type { Tracking, TrackingClient } from "../keyspace/tracking.ts";
import type { EncodingLimits } from "../keyspace/values.ts";
import type { Clock } from "../keyspace/clock.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import type { RespValue } from "../resp/types.ts";
import type { Config } from "../server/config.ts";
import type { ClientPause } from "../server/pause.ts";
import type { Persistence } from "../persistence/persistence.ts";
import type { CommandSpec } from "./spec.ts";

/** Counters INFO stats reports. */
export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** Error replies sent (INFO total_error_replies). */
  errorReplies: number;
  /** Error replies by their first word, `ERR`, `WRONGTYPE`... (INFO errorstats). */
  errorCodes: Map<string, number>;
  /** Highest used_memory seen by INFO (used_memory_peak). */
  peakMemory: number;
}

/** A command queued by MULTI, to run at EXEC. */
export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: string[];
  /** The arguments that arrived typed (see `ClientContext.typed`). */
  readonly typed: (RespValue | undefined)[] | null;
}

/** One connected client as CLIENT LIST, CLIENT KILL and commands see it. */
export interface ClientContext extends Watcher, TrackingClient {
  readonly id: number;
  readonly out: ReplyWriter;
  readonly server: ServerContext;
  /** The arguments of the running command that arrived typed, else null. */
  typed: (RespValue | undefined)[] | null;
  db: Database;
  name: string;
  libName: string;
  libVersion: string;
  authenticated: boolean;
  /** The commands queued since MULTI, or null outside a transaction. */
  multi: QueuedCommand[] | null;
  /** A command failed to queue, so EXEC answers EXECABORT (Redis's CLIENT_DIRTY_EXEC). */
  dirtyExec: boolean;
  /** True while EXEC runs the queued commands. */
  inExec: boolean;
  /** CLIENT REPLY OFF: no replies until CLIENT REPLY ON. */
  replyOff: boolean;
  /** CLIENT REPLY SKIP: the reply of the running command is dropped. */
  replySkip: boolean;
  /** CLIENT REPLY SKIP was just sent: the next command's reply is dropped. */
  replySkipNext: boolean;
  /** CLIENT NO-EVICT ON (shown as flag `e`). */
  noEvict: boolean;
  /** Set by QUIT and errors that end the connection: close once replies are written. */
  closeAfterReply: boolean;
  /** Full name of the last command run (`client|list`), for CLIENT LIST. */
  lastCommand: string;
  /**
   * The form the running command is logged in (the AOF) when not its own arguments: a write
   * sets it to log its effect (SET ... EX as SET ... PXAT), as Redis's
   * rewriteClientCommandVector. Setting it also logs a command that counted no change
   * (FLUSHDB of an empty database), as Redis's forceCommandPropagation. Reset before each
   * command.
   */
  propagateAs: string[] | null;
  /** With `propagateAs`: the arguments of it that are logged with their RESP types, or null. */
  propagateTyped: (RespValue | undefined)[] | null;
  /**
   * The running command logs nothing of its own, having logged its effect with
   * `ServerContext.alsoPropagate` (SPOP as SREM): Redis's preventCommandPropagation.
   */
  propagateNothing: boolean;
  /** Where this client's logged writes end in the AOF: its replies wait until it is written. */
  aofMark: number;
  /** The command running (or blocked, for BLPOP & co), as the dispatcher called it. */
  currentSpec: CommandSpec | null;
  currentArgv: string[] | null;
  /** Selects database `index` (already range-checked). */
  select(index: number): void;
  /** The CLIENT LIST / CLIENT INFO line for this client, without its newline. */
  describe(): string;
  /** The remote and local addresses, `ip:port`. */
  readonly addr: string;
  readonly laddr: string;
  /** Closes the connection from outside (CLIENT KILL). */
  kill(): void;
  /**
   * Whether a blocking command may block. False inside MULTI (and scripts), where BLPOP and
   * friends act as their non-blocking forms and answer a timeout at once.
   */
  readonly canBlock: boolean;
  /**
   * Blocks this client on `keys` of its database until `serve(key)` succeeds for a key that
   * became ready (it replies, as the non-blocking command would), or `deadline` (epoch ms,
   * Infinity for none) passes and `timeout()` replies. The client reads no further commands
   * meanwhile.
   */
  block(
    keys: readonly string[],
    deadline: number,
    serve: (key: string) => boolean,
    timeout: () => void,
  ): void;

  // Pub/Sub (a ClientContext is a keyspace/pubsub.ts Subscriber).
  /** The channels, patterns and shard channels this client subscribes to. */
  readonly subscriptions: Subscriptions;
  /**
   * Channels + patterns + shard channels. Above 0 the client is in subscribed mode (Redis's
   * CLIENT_PUBSUB): in RESP2 it may run only the (un)subscribe commands, PING, QUIT and RESET,
   * and it is limited as the pubsub class of client-output-buffer-limit.
   */
  readonly subscriptionCount: number;
  /** Reply bytes not yet written to the socket (client-output-buffer-limit, CLIENT LIST omem). */
  readonly pendingOutputBytes: number;
}

/** The server as commands see it. */
export interface ServerContext {
  readonly config: Config;
  readonly clock: Clock;
  readonly databases: readonly Database[];
  readonly stats: ServerStats;
  /** Tutorial mode: SET answers `:1`, MSET `:pairs`. */
  readonly tutorial: boolean;
  /** Epoch ms of start-up. */
  readonly startedAt: number;
  readonly runId: string;
  /** The port actually listened on. */
  readonly port: number;
  /** The clients in MONITOR mode. */
  readonly monitors: Set<ClientContext>;
  /** CLIENT TRACKING's tables. */
  readonly tracking: Tracking;
  /** The client whose command is running (Redis's server.current_client), or null. */
  currentClient: ClientContext | null;
  /** The connected client with id `id`, or undefined. */
  clientById(id: number): ClientContext | undefined;
  /** CLIENT PAUSE's state. */
  readonly pause: ClientPause;
  /** Blocked clients, and the keys they wait on. */
  readonly blocking: BlockingRegistry;
  /** The compact encodings' thresholds, kept in step with CONFIG. */
  readonly encodingLimits: EncodingLimits;
  /** Changes since the last save (Redis's server.dirty); a write command adds what it changed. */
  dirty: number;
  /** The classes and targets `notify-keyspace-events` enables (`NotifyType` bits). */
  readonly notifyFlags: number;
  /** Redis's signalModifiedKey: `key` of `db` changed, so its WATCHers' next EXEC fails. */
  signalModifiedKey(db: Database, key: string): void;
  /**
   * Redis's signalFlushedDb: every key of `db` (of every database when null: FLUSHALL) is about
   * to go.
   */
  signalFlushedDb(db: Database | null): void;
  /**
   * Redis's notifyKeyspaceEvent: `event` (`lpush`, `del`, `expired`...) of class `type`
   * (`NotifyType`) happened to `key` in database `dbid`.
   */
  notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void;
  /**
   * Logs `argv` (the AOF) as run in database `db`, as one more operation of the running
   * command, after what it logged so far: Redis's alsoPropagate. Outside a command (active
   * expiry) it is logged at once. A no-op while nothing is logged (appendonly no, loading).
   */
  alsoPropagate(db: number, argv: string[], typed?: (RespValue | undefined)[] | null): void;
  /**
   * Brackets one unit of logged operations (a command, a blocked client served): what is
   * propagated in between is logged together, wrapped in MULTI/EXEC when there is more than one
   * operation, once the outermost unit ends.
   */
  beginUnit(): void;
  endUnit(): void;
  /** Snapshots, the AOF, and their state (SAVE, BGSAVE, INFO persistence...). */
  readonly persistence: Persistence;
  /** Runs a queued command for `client` as the dispatcher runs one (EXEC). */
  call(client: ClientContext, command: QueuedCommand): void;
  /** Pub/Sub: channels, patterns and shard channels with their subscribers. */
  readonly pubsub: PubSubHub;
  /** All commands by lower-case name. */
  readonly commands: ReadonlyMap<string, CommandSpec>;
  /** The command named `name` in any letter case, or undefined. */
  findCommand(name: string): CommandSpec | undefined;
  clients(): Iterable<ClientContext>;
  /**
   * Stops the server (SHUTDOWN, once persistence is ready for it), logging `reason` first
   * unless it is null.
   */
  shutdown(reason: string | null): void;
  /** Writes a log line at a Redis log level. */
  log(level: "debug" | "verbose" | "notice" | "warning", message: string): void;
}
