/**
 * The one dispatch function, in the order Redis's `processCommand` does its work: look the
 * command up, check its arity (for containers such as CONFIG, of the subcommand), check
 * authentication, then run it and turn a thrown `CommandError` into its error reply. Everything is
 * derived from the spec; adding a command never touches this file.
 *
 * @module
 */
import type { CommandSpec } from "../commands/spec.ts";
import { CommandError, Errors } from "../commands/spec.ts";
import type { Request } from "../resp/decoder.ts";
import type { Client } from "./client.ts";

/** Redis's text for an unknown command, args quoted and cut at 128 bytes as Redis cuts them. */
export function unknownCommandError(argv: readonly string[]): string {
  // Redis formats with %s, so each string also ends at its first NUL byte.
  const c = (s: string, max: number) => {
    const nul = s.indexOf("\0");
    return (nul === -1 ? s : s.slice(0, nul)).slice(0, max);
  };
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${c(argv[i]!, 128 - args.length)}' `;
  }
  return `ERR unknown command '${c(argv[0]!, 128)}', with args beginning with: ${args}`;
}

function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/** Runs one request for `client`, writing exactly one reply (or none, for SHUTDOWN). */
export function dispatch(client: Client, request: Request): void {
  const argv = request.argv;
  const server = client.server;
  const out = client.out;
  const name = argv[0]!;
  let spec = server.findCommand(name);
  if (spec === undefined) return out.error(unknownCommandError(argv));
  if (!arityOk(spec, argv.length)) return out.error(Errors.wrongArity(spec.name));
  if (spec.subcommands !== null && (argv.length > 1 || spec.handler === null)) {
    const sub = spec.subcommands.get(argv[1]!.toLowerCase());
    if (sub === undefined) {
      return out.error(
        `ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try ${spec.name.toUpperCase()} HELP.`,
      );
    }
    if (!arityOk(sub, argv.length)) return out.error(Errors.wrongArity(sub.fullName));
    spec = sub;
  }
  // As in Redis's processCommand: existence, then arity, then authentication.
  if (!client.authenticated && !spec.flags.includes("no_auth")) {
    return out.error("NOAUTH Authentication required.");
  }
  client.typed = request.typed;
  client.lastCommand = spec.fullName;
  server.stats.commandsProcessed++;
  try {
    spec.handler!(client, argv);
  } catch (error) {
    if (error instanceof CommandError) {
      out.error(error.message);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      server.log("warning", `Internal error running '${spec.fullName}': ${message}`);
      out.error(`ERR internal error: ${message}`);
    }
  }
}
