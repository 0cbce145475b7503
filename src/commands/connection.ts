/**
 * Connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT and SWAPDB (CLIENT is in client.ts).
 *
 * @module
 */
import { integerArg, parseInt64 } from "./args.ts";
import type { ClientContext } from "./context.ts";
import { databaseArg } from "./keys.ts";
import { touchAllWatchedKeysInDb } from "../keyspace/watch.ts";
import { REDIS_VERSION } from "../version.ts";
import { command, CommandError, type CommandSpec, Errors } from "./spec.ts";

function ping(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 2) throw new CommandError(Errors.wrongArity("ping"));
  if (ctx.subscriptionCount > 0 && ctx.out.version === 2) {
    // Subscribed in RESP2, replies must look like messages: `pong` and the argument (or "").
    ctx.out.arrayLength(2);
    ctx.out.bulk("pong");
    ctx.out.bulk(argv.length === 2 ? argv[1]! : "");
  } else if (argv.length === 2) ctx.out.bulk(argv[1]!);
  else ctx.out.simple("PONG");
}

/** Client names may not contain spaces, newlines or other special characters. */
export function checkClientName(name: string): void {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) {
      throw new CommandError(
        "ERR Client names cannot contain spaces, newlines or special characters.",
      );
    }
  }
}

/** Checks credentials of the default user; throws Redis's errors. */
function authenticate(ctx: ClientContext, user: string, password: string): void {
  const required = ctx.server.config.get("requirepass") ?? "";
  if (user !== "default" || (required !== "" && password !== required)) {
    throw new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
  }
  ctx.authenticated = true;
}

function auth(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(Errors.syntax);
  const required = ctx.server.config.get("requirepass") ?? "";
  if (argv.length === 2 && required === "") {
    throw new CommandError(
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    );
  }
  const [user, password] = argv.length === 3 ? [argv[1]!, argv[2]!] : ["default", argv[1]!];
  authenticate(ctx, user, password);
  ctx.out.ok();
}

function hello(ctx: ClientContext, argv: string[]): void {
  let version = ctx.out.version as number;
  if (argv.length >= 2) {
    // Any 64-bit integer is a version (`HELLO 1000000000000000000` is NOPROTO), as Redis reads
    // it with getLongLong.
    const v = parseInt64(argv[1]!);
    if (v === null) {
      throw new CommandError("ERR Protocol version is not an integer or out of range");
    }
    if (v < 2n || v > 3n) throw new CommandError("NOPROTO unsupported protocol version");
    version = Number(v);
  }
  let name: string | null = null;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const opt = argv[j]!.toLowerCase();
    if (opt === "auth" && more >= 2) {
      authenticate(ctx, argv[j + 1]!, argv[j + 2]!);
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      name = argv[++j]!;
      checkClientName(name);
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${argv[j]}'`);
    }
  }
  if (!ctx.authenticated) {
    throw new CommandError(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== null) ctx.name = name;
  ctx.out.version = version as 2 | 3;
  ctx.out.structured({
    kind: "map",
    entries: [
      ["server", "redis"],
      ["version", REDIS_VERSION],
      ["proto", version],
      ["id", ctx.id],
      ["mode", "standalone"],
      ["role", "master"],
      ["modules", []],
    ],
  });
}

function select(ctx: ClientContext, argv: string[]): void {
  ctx.select(databaseArg(ctx, argv[1]!).index);
  ctx.out.ok();
}

/** A C `int` argument as Redis's getIntFromObjectOrReply reads it, with its custom error. */
function intArg(text: string, error: string): number {
  const n = integerArg(text, error);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw new CommandError(error);
  return n;
}

function swapdb(ctx: ClientContext, argv: string[]): void {
  // Redis parses both indexes before checking either against the number of databases.
  const first = intArg(argv[1]!, "ERR invalid first DB index");
  const second = intArg(argv[2]!, "ERR invalid second DB index");
  const a = ctx.server.databases[first];
  const b = ctx.server.databases[second];
  if (a === undefined || b === undefined) throw new CommandError(Errors.dbIndexOutOfRange);
  if (a !== b) {
    // Watched keys stay with their database: touched if they existed before or exist after.
    touchAllWatchedKeysInDb(a, b);
    touchAllWatchedKeysInDb(b, a);
    a.swapWith(b);
    // A client blocked on a key that the swap brings in is served, as Redis's swapdb does.
    ctx.server.blocking.signalAll(a);
    ctx.server.blocking.signalAll(b);
  }
  ctx.server.dirty++;
  ctx.out.ok();
}

/** Replies to a HELP subcommand the way Redis's `addReplyHelp` does. */
export function helpReply(ctx: ClientContext, name: string, lines: readonly string[]): void {
  const all = [
    `${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    "HELP",
    "    Prints this help.",
  ];
  ctx.out.arrayLength(all.length);
  for (const line of all) ctx.out.simple(line);
}

/** The connection group's commands. */
export const connectionCommands: CommandSpec[] = [
  command({ name: "ping", arity: -1, flags: ["fast"], group: "connection", handler: ping }),
  command({
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    handler: (c, a) => c.out.bulk(a[1]!),
  }),
  command({
    name: "quit",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    handler: (c) => {
      c.out.ok();
      c.closeAfterReply = true;
    },
  }),
  command({
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    handler: hello,
  }),
  command({
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    handler: auth,
  }),
  command({
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    handler: select,
  }),
  command({ name: "swapdb", arity: 3, flags: ["write", "fast"], group: "server", handler: swapdb }),
];
