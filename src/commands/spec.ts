/**
 * A command is a `CommandSpec`: its name, arity (Redis's convention: negative means "at least
 * that many"), flags, key positions and handler, all in one object in its group's file. The
 * dispatcher derives the rest from it: arity errors, COMMAND output, and later MULTI queueing,
 * append-only logging of writes and waking blocked clients.
 *
 * @example
 * ```ts
 * import { command } from "./spec.ts";
 * export const echo = command({
 *   name: "echo", arity: 2, flags: ["fast"], group: "connection",
 *   handler: (ctx, argv) => ctx.out.bulk(argv[1]!),
 * });
 * ```
 * @module
 */
import type { ClientContext } from "./context.ts";

/** Redis's command flags, as COMMAND INFO reports them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "no_async_loading"
  | "movablekeys"
  | "allow_busy";

/** Runs a command: reads `argv` (argv[0] is the name), writes exactly one reply to `ctx.out`. */
export type CommandHandler = (ctx: ClientContext, argv: string[]) => void;

/** One command, or one subcommand of a container such as CONFIG. */
export interface CommandSpec {
  /** Lower-case name; for a subcommand, its own name (`get` in `config|get`). */
  readonly name: string;
  /** `container|sub` for subcommands, else the name. */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** Position of the first key (0: none), of the last (-1: the last argument), and the step. */
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** Redis's command group (`string`, `generic`, `server`, ...). */
  readonly group: string;
  readonly handler: CommandHandler | null;
  readonly subcommands: ReadonlyMap<string, CommandSpec> | null;
}

/** What a group file writes for one command. */
export interface CommandDefinition {
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  group: string;
  /** `[first, last, step]`; omitted for commands without keys. */
  keys?: readonly [number, number, number];
  handler?: CommandHandler;
  subcommands?: readonly CommandDefinition[];
}

/** Builds a spec from a definition (and its subcommands). */
export function command(def: CommandDefinition, container?: string): CommandSpec {
  const [firstKey, lastKey, step] = def.keys ?? [0, 0, 0];
  const fullName = container === undefined ? def.name : `${container}|${def.name}`;
  let subcommands: Map<string, CommandSpec> | null = null;
  if (def.subcommands !== undefined) {
    subcommands = new Map();
    for (const sub of def.subcommands) subcommands.set(sub.name, command(sub, def.name));
  }
  return {
    name: def.name,
    fullName,
    arity: def.arity,
    flags: def.flags,
    firstKey,
    lastKey,
    step,
    group: def.group,
    handler: def.handler ?? null,
    subcommands,
  };
}

/** Builds one command of a group from the facts the dispatcher uses, on one line. */
export type GroupSpec = (
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: [number, number, number] | null,
  handler: CommandHandler,
) => CommandSpec;

/**
 * A spec builder for one group, so a group's table reads one command per line:
 * `spec("get", 2, ["readonly", "fast"], [1, 1, 1], get)`; `keys` is null for keyless commands.
 */
export function groupSpec(group: string): GroupSpec {
  return (name, arity, flags, keys, handler) =>
    command({ name, arity, flags, group, ...(keys === null ? {} : { keys }), handler });
}

/** A command's error reply; `message` is the full text, code included (`ERR ...`). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/** Redis's most common error texts, byte for byte. */
export const Errors = {
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  noSuchKey: "ERR no such key",
  dbIndexOutOfRange: "ERR DB index is out of range",
  sameObject: "ERR source and destination objects are the same",
  overflow: "ERR increment or decrement would overflow",
  tooBig: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  /** Redis's addReplySubcommandSyntaxError, for `argv` = [container, subcommand, ...]. */
  subcommandSyntax: (argv: readonly string[]) =>
    `ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${
      argv[0]!.toUpperCase()
    } HELP.`,
} as const;
