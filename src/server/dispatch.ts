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
import { lookupCommand } from "../commands/server.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { CommandError, Errors } from "../commands/spec.ts";
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

/** Runs one request for `client`, writing exactly one reply (or none, for SHUTDOWN). */
export function dispatch(client: Client, request: Request): void {
  const argv = request.argv;
  const server = client.server;
  const spec = lookupCommand(server, argv);
  if (spec === undefined) {
    const container = server.findCommand(argv[0]!)?.subcommands != null;
    return replyError(client, container ? unknownSubcommandError(argv) : unknownCommandError(argv));
  }
  // A container (CONFIG) has no handler of its own; its arity asks for a subcommand.
  const handler = spec.handler;
  if (!arityOk(spec, argv.length) || handler === null) {
    return replyError(client, Errors.wrongArity(spec.fullName));
  }
  // As in Redis's processCommand: existence, then arity, then authentication.
  if (!client.authenticated && !spec.flags.includes("no_auth")) {
    return replyError(client, "NOAUTH Authentication required.");
  }
  client.typed = request.typed;
  client.lastCommand = spec.fullName;
  server.stats.commandsProcessed++;
  const mark = client.out.length;
  try {
    handler(client, argv);
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
  // As Redis's processCommand does after each command: serve the clients blocked on keys that
  // this command stored.
  if (server.blocking.hasReady) server.blocking.handleReady();
}
