/**
 * Persistence commands: SAVE, BGSAVE, BGREWRITEAOF and LASTSAVE, with Redis 7.0's replies for
 * a job already running, scheduled, or refused. The work itself is src/persistence's.
 *
 * @module
 */
import type { ClientContext } from "./context.ts";
import { command, CommandError, type CommandSpec, Errors } from "./spec.ts";

/** SAVE: a foreground save; `-ERR` alone when it fails, as Redis's shared.err. */
function save(ctx: ClientContext): void {
  const persistence = ctx.server.persistence;
  if (persistence.jobKind === "rdb") {
    throw new CommandError("ERR Background save already in progress");
  }
  try {
    persistence.save();
  } catch {
    throw new CommandError("ERR"); // save() logged why
  }
  ctx.out.ok();
}

/** BGSAVE [SCHEDULE]. */
function bgsave(ctx: ClientContext, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length !== 2 || argv[1]!.toLowerCase() !== "schedule") {
      throw new CommandError(Errors.syntax);
    }
    schedule = true;
  }
  const persistence = ctx.server.persistence;
  if (persistence.jobKind === "rdb") {
    throw new CommandError("ERR Background save already in progress");
  }
  if (persistence.jobKind !== null || ctx.inExec) {
    if (!schedule && !ctx.inExec) {
      throw new CommandError(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE " +
          "SCHEDULE in order to schedule a BGSAVE whenever possible.",
      );
    }
    persistence.bgsaveScheduled = true;
    return ctx.out.simple("Background saving scheduled");
  }
  persistence.bgsave();
  ctx.out.simple("Background saving started");
}

/** BGREWRITEAOF. */
function bgrewriteaof(ctx: ClientContext): void {
  const persistence = ctx.server.persistence;
  if (persistence.jobKind === "aof") {
    throw new CommandError("ERR Background append only file rewriting already in progress");
  }
  if (persistence.jobKind !== null || ctx.inExec) {
    persistence.rewriteScheduled = true;
    return ctx.out.simple("Background append only file rewriting scheduled");
  }
  if (!persistence.rewriteAof()) {
    throw new CommandError(
      "ERR Can't execute an AOF background rewriting. Please check the server logs for more " +
        "information.",
    );
  }
  ctx.out.simple("Background append only file rewriting started");
}

/** The persistence group's commands. */
export const persistenceCommands: readonly CommandSpec[] = [
  command({
    name: "save",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    group: "server",
    handler: save,
  }),
  command({
    name: "bgsave",
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    group: "server",
    handler: bgsave,
  }),
  command({
    name: "bgrewriteaof",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    group: "server",
    handler: bgrewriteaof,
  }),
  command({
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    handler: (c) => c.out.integer(c.server.persistence.lastSave),
  }),
];
