/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's multi.c). Queueing itself happens in the
 * dispatcher, as in Redis's processCommand: between MULTI and EXEC every command but these
 * (and QUIT, RESET) is checked, queued and answered `+QUEUED`; a command refused while
 * queueing (unknown, wrong arity...) marks the transaction so that EXEC answers EXECABORT.
 *
 * EXEC runs the queued commands back to back through `ServerContext.call`, with blocking
 * commands answering at once (`ctx.inExec`), and nothing else runs in between: the server is
 * single-threaded and EXEC is one dispatch, so clients blocked on keys it stored are served
 * after it, seeing all of its writes. WATCH keeps watches (keyspace/watch.ts) that a
 * modification of the key, by anyone, marks dirty; EXEC then answers a null array.
 *
 * @module
 */
import { isWatchedKeyExpired, unwatchAllKeys, watchKey } from "../keyspace/watch.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, type CommandSpec, groupSpec } from "./spec.ts";

/** Ends a transaction, as Redis's discardTransaction: queue, flags and watches go. */
export function discardTransaction(ctx: ClientContext): void {
  ctx.multi = null;
  ctx.dirtyExec = false;
  ctx.dirtyCas = false;
  unwatchAllKeys(ctx);
}

function multi(ctx: ClientContext): void {
  if (ctx.multi !== null) throw new CommandError("ERR MULTI calls can not be nested");
  ctx.multi = [];
  ctx.out.ok();
}

function exec(ctx: ClientContext): void {
  const queued = ctx.multi;
  if (queued === null) throw new CommandError("ERR EXEC without MULTI");
  if (isWatchedKeyExpired(ctx)) ctx.dirtyCas = true;
  if (ctx.dirtyExec || ctx.dirtyCas) {
    const aborted = ctx.dirtyExec;
    discardTransaction(ctx);
    if (aborted) {
      throw new CommandError("EXECABORT Transaction discarded because of previous errors.");
    }
    return ctx.out.nullArray();
  }
  unwatchAllKeys(ctx);
  ctx.out.arrayLength(queued.length);
  ctx.inExec = true;
  try {
    for (const command of queued) ctx.server.call(ctx, command);
  } finally {
    ctx.inExec = false;
    discardTransaction(ctx);
  }
}

function discard(ctx: ClientContext): void {
  if (ctx.multi === null) throw new CommandError("ERR DISCARD without MULTI");
  discardTransaction(ctx);
  ctx.out.ok();
}

function watch(ctx: ClientContext, argv: string[]): void {
  if (ctx.multi !== null) throw new CommandError("ERR WATCH inside MULTI is not allowed");
  for (let i = 1; i < argv.length; i++) watchKey(ctx, ctx.db, argv[i]!);
  ctx.out.ok();
}

function unwatch(ctx: ClientContext): void {
  unwatchAllKeys(ctx);
  ctx.dirtyCas = false;
  ctx.out.ok();
}

const spec = groupSpec("transactions");

/** The transaction commands. */
export const transactionCommands: CommandSpec[] = [
  spec("multi", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], null, multi),
  spec("exec", 1, ["noscript", "loading", "stale", "skip_slowlog"], null, exec),
  spec("discard", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], null, discard),
  spec("watch", -2, ["noscript", "loading", "stale", "fast", "allow_busy"], [1, -1, 1], watch),
  spec("unwatch", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], null, unwatch),
];
