/**
 * The one dispatch function, in the order Redis's `processCommand` does its work: look the
 * command up, check its arity (for containers such as CONFIG, of the subcommand), check
 * authentication, then run it and turn a thrown `CommandError` into its error reply. Everything is
 * derived from the spec; adding a command never touches this file. Error replies go through
 * `replyError`, which counts them for INFO (total_error_replies, errorstats) as Redis does.
 *
 * @module
 */
import type { ClientContext, ServerStats } from "../commands/context.ts";
import { commandKeys, lookupCommand } from "../commands/server.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { CommandError, Errors } from "../commands/spec.ts";
import { discardTransaction } from "../commands/transactions.ts";
import { feedMonitors } from "../commands/monitor.ts";
import { CONFIRMING_COMMANDS, subscribedModeError } from "../commands/pubsub.ts";
import type { Request } from "../resp/decoder.ts";
import type { Client } from "./client.ts";

/** Cuts `s` as C's `%.<max>s` does: at its first NUL byte, and at `max` bytes. */
function cString(s: string, max: number): string {
  const nul = s.indexOf("\0");
  return (nul === -1 ? s : s.slice(0, nul)).slice(0, max);
}

/** Redis's text for an unknown command, args quoted and cut at 128 bytes as Redis cuts them. */
export function unknownCommandError(argv: readonly string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i]!, 128 - args.length)}' `;
  }
  return `ERR unknown command '${cString(argv[0]!, 128)}', with args beginning with: ${args}`;
}

/** Redis's text for a container command (CONFIG, CLIENT, ...) given an unknown subcommand. */
function unknownSubcommandError(argv: readonly string[]): string {
  return `ERR unknown subcommand '${cString(argv[1]!, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`;
}

/**
 * Counts one error reply for INFO, as Redis's afterErrorReply does: total_error_replies, and
 * errorstats by the error's code, the text before its first space (looked for in its first 32
 * bytes, code included; `ERR` when there is none). Codes come from our own error texts, never
 * from client input, so the map stays small.
 */
export function countErrorReply(stats: ServerStats, text: string): void {
  stats.errorReplies++;
  const space = text.indexOf(" ");
  const code = space !== -1 && space < 31 ? text.slice(0, space) : "ERR";
  stats.errorCodes.set(code, (stats.errorCodes.get(code) ?? 0) + 1);
}

/**
 * Sends the error reply `text` (code included: `ERR ...`) and counts it. Every error the server
 * sends goes through here, protocol errors included.
 */
export function replyError(client: ClientContext, text: string): void {
  client.out.error(text);
  countErrorReply(client.server.stats, text);
}

function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/** The commands that run at once inside MULTI instead of being queued. */
const RUN_IN_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/**
 * Refuses a command before it runs; inside MULTI this also dooms the transaction, as Redis's
 * rejectCommand flags it, so that EXEC answers EXECABORT.
 */
function reject(client: Client, text: string, spec?: CommandSpec): void {
  if (client.multi !== null) client.dirtyExec = true;
  if (client.replyOff || client.replySkip) {
    // CLIENT REPLY OFF/SKIP: the error is counted, not sent.
    if (spec?.fullName === "exec") discardTransaction(client);
    return countErrorReply(client.server.stats, text);
  }
  if (spec?.fullName === "exec") {
    // A refused EXEC ends the transaction, as Redis's execCommandAbort does.
    discardTransaction(client);
    const reason = text.startsWith("ERR ") ? text.slice(4) : text;
    text = `EXECABORT Transaction discarded because of: ${reason}`;
  }
  replyError(client, text);
}

/** Runs one request for `client`, writing exactly one reply (or none, for SHUTDOWN). */
export function dispatch(client: Client, request: Request): void {
  if (client.replyOff || client.replySkip || client.replySkipNext) {
    dispatchMuted(client, request);
  } else dispatchCommand(client, request);
  const tracking = client.tracking;
  if (tracking !== null) {
    // Invalidations of keys the client modified itself come after the reply, and CLIENT
    // CACHING covers one command (or one transaction), as Redis's resetClient has it.
    client.server.tracking.flushPending(client);
    if (tracking.caching && client.multi === null && !client.lastCommand.startsWith("client|")) {
      tracking.caching = false;
    }
  }
}

/** processCommand: the checks, then MULTI queueing or the call. */
function dispatchCommand(client: Client, request: Request): void {
  const argv = request.argv;
  const server = client.server;
  server.currentClient = client;
  const spec = lookupCommand(server, argv);
  if (spec === undefined) {
    client.lastCommand = "NULL";
    const container = server.findCommand(argv[0]!)?.subcommands != null;
    return reject(client, container ? unknownSubcommandError(argv) : unknownCommandError(argv));
  }
  client.lastCommand = spec.fullName;
  // A container (CONFIG) has no handler of its own; its arity asks for a subcommand.
  if (!arityOk(spec, argv.length) || spec.handler === null) {
    return reject(client, Errors.wrongArity(spec.fullName), spec);
  }
  // As in Redis's processCommand: existence, then arity, then authentication.
  if (!client.authenticated && !spec.flags.includes("no_auth")) {
    return reject(client, "NOAUTH Authentication required.", spec);
  }
  if (client.multi !== null && spec.flags.includes("no_multi")) {
    return reject(client, "ERR Command not allowed inside a transaction", spec);
  }
  // As Redis: no writes (and no PING) while the disk refuses what we must persist.
  const diskError = server.persistence.diskError;
  if (diskError !== null && (spec.flags.includes("write") || spec.fullName === "ping")) {
    return reject(client, diskError, spec);
  }
  if (client.out.version === 2 && client.subscriptionCount > 0) {
    const error = subscribedModeError(spec);
    if (error !== null) return reject(client, error, spec);
  }
  // While the data loads at start-up, only commands flagged `loading` run (INFO, CONFIG...).
  if (
    server.persistence.loading !== null && !spec.flags.includes("loading") && !client.loading
  ) {
    return reject(client, "LOADING Redis is loading the dataset in memory", spec);
  }
  // As a replica may not, a MONITOR connection may not touch the keyspace (Redis's rule).
  if (server.monitors.size > 0 && server.monitors.has(client) && touchesKeyspace(client, spec)) {
    return reject(client, "ERR Replica can't interact with the keyspace", spec);
  }
  if (server.pause.type !== null && pausedFor(client, spec)) {
    return client.postpone(server.pause.ended, () => dispatch(client, request));
  }
  if (client.multi !== null && !RUN_IN_MULTI.has(spec.fullName)) {
    // As Redis's queueMultiCommand: a transaction already doomed keeps nothing.
    if (!client.dirtyCas && !client.dirtyExec) {
      client.multi.push({ spec, argv, typed: request.typed });
    }
    if (!client.replyOff && !client.replySkip) client.out.simple("QUEUED");
    return;
  }
  call(client, spec, argv, request.typed);
  // As Redis's processCommand does after each command: serve the clients blocked on keys that
  // this command (or, for EXEC, its transaction) stored.
  if (server.blocking.hasReady) server.blocking.handleReady();
}

/**
 * Commands Redis 7.0 flags MAY_REPLICATE internally though COMMAND INFO does not show it (the
 * ones we have): CLIENT PAUSE WRITE holds them, and a MONITOR connection may not run them.
 */
const MAY_REPLICATE = new Set(["publish", "spublish"]);

/** Whether `spec` writes or may replicate. */
function mayReplicate(spec: CommandSpec): boolean {
  return spec.flags.includes("write") || spec.flags.includes("may_replicate") ||
    MAY_REPLICATE.has(spec.fullName);
}

/** Whether `spec` reads, writes or may replicate (EXEC: whether a queued command does). */
function touchesKeyspace(client: Client, spec: CommandSpec): boolean {
  const touches = (s: CommandSpec) => mayReplicate(s) || s.flags.includes("readonly");
  if (touches(spec)) return true;
  return spec.fullName === "exec" && client.multi !== null &&
    client.multi.some((q) => touches(q.spec));
}

/**
 * Whether the CLIENT PAUSE in force holds `spec` back: ALL holds every command; WRITE holds
 * writes, commands that may replicate (PUBLISH...), and EXEC of a transaction holding either.
 */
function pausedFor(client: Client, spec: CommandSpec): boolean {
  if (client.server.pause.type === "all") return true;
  if (mayReplicate(spec)) return true;
  return spec.fullName === "exec" && client.multi !== null &&
    client.multi.some((queued) => mayReplicate(queued.spec));
}

/**
 * Dispatch under CLIENT REPLY OFF or SKIP (the replies themselves are dropped where they are
 * made: `reject`, the QUEUED reply, `call`). A skip covers the one command after CLIENT REPLY
 * SKIP, as Redis's resetClient moves its flags; a command that blocks or is held by CLIENT PAUSE
 * keeps the skip until its reply comes (see `Client.block`, and the held command, which comes
 * back here).
 */
function dispatchMuted(client: Client, request: Request): void {
  if (client.replySkipNext) {
    client.replySkip = true;
    client.replySkipNext = false;
  }
  const blocked = client.blocked;
  dispatchCommand(client, request);
  if (client.blocked === blocked) client.replySkip = false;
}

/**
 * Drops the reply `call` just made (from `mark`) under CLIENT REPLY OFF/SKIP, as Redis drops a
 * reply when it is added: EXEC's own array goes only if replies were off when it began (its
 * commands' replies were dropped one by one), and (un)subscribe confirmations stay.
 */
function dropMutedReply(
  client: ClientContext,
  spec: CommandSpec,
  mark: number,
  mutedBefore: boolean,
  errorsBefore: number,
): void {
  const muted = spec.fullName === "exec" ? mutedBefore : client.replyOff || client.replySkip;
  if (!muted) return;
  if (CONFIRMING_COMMANDS.has(spec.fullName) && client.server.stats.errorReplies === errorsBefore) {
    return;
  }
  client.out.truncate(mark);
}

/**
 * Tells the snapshot in progress which keys the write `spec` is about to change: its keys, in
 * every database for MOVE and COPY (whose target may be another one).
 */
export function preserveKeys(client: ClientContext, spec: CommandSpec, argv: string[]): void {
  const everyDb = spec.fullName === "move" || spec.fullName === "copy";
  client.server.persistence.beforeWrite(client.db, commandKeys(spec, argv), everyDb);
}

/**
 * Runs a command whose checks have passed, as Redis's call(): counts it, and turns a thrown
 * `CommandError` into its error reply. EXEC runs its queued commands through here.
 */
export function call(
  client: ClientContext,
  spec: CommandSpec,
  argv: string[],
  typed: Request["typed"],
): void {
  const server = client.server;
  client.typed = typed;
  server.stats.commandsProcessed++;
  const mark = client.out.length;
  const mutedBefore = client.replyOff || client.replySkip;
  const errorsBefore = server.stats.errorReplies;
  const dirtyBefore = server.dirty;
  const persistence = server.persistence;
  client.propagateAs = null;
  client.propagateTyped = null;
  client.propagateNothing = false;
  client.currentSpec = spec;
  client.currentArgv = argv;
  server.beginUnit();
  try {
    // A snapshot in progress keeps the keys this write changes as they were (copy on write).
    if (persistence.snapshotting && spec.flags.includes("write")) {
      preserveKeys(client, spec, argv);
    }
    spec.handler!(client, argv);
  } catch (error) {
    // A handler that fails after starting its reply leaves no partial reply behind.
    client.out.truncate(mark);
    if (error instanceof CommandError) {
      replyError(client, error.message);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      server.log("warning", `Internal error running '${spec.fullName}': ${message}`);
      replyError(client, `ERR internal error: ${message}`);
    }
  }
  // A command that changed the dataset is logged (the AOF) after what it logged itself, in
  // the database it ends in, as Redis's call() propagates it; EXEC's commands log themselves.
  const rewritten = client.propagateAs;
  const wrote = server.dirty !== dirtyBefore || rewritten !== null;
  if (wrote && !client.propagateNothing && spec.fullName !== "exec") {
    const types = rewritten === null ? typed : client.propagateTyped;
    server.alsoPropagate(client.db.index, rewritten ?? argv, types);
  }
  server.endUnit();
  // Its reply must wait for what it logged (see ConnectionWriter).
  const aof = persistence.aof;
  if (aof !== null && (wrote || client.propagateNothing)) client.aofMark = aof.end;
  if (mutedBefore || client.replyOff || client.replySkip) {
    dropMutedReply(client, spec, mark, mutedBefore, errorsBefore);
  }
  // MONITOR shows the command once it has run (failed ones too), admin commands aside.
  if (server.monitors.size > 0 && !spec.flags.includes("admin")) feedMonitors(client, argv);
  // A tracking client's reads (failed ones too, as in Redis): their keys are remembered, to be
  // invalidated when modified.
  if (client.tracking !== null && spec.flags.includes("readonly")) {
    server.tracking.remember(client, commandKeys(spec, argv));
  }
}
