/**
 * Connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, SWAPDB and CLIENT.
 *
 * @module
 */
import { integerArg, parseInt64 } from "./args.ts";
import type { ClientContext } from "./context.ts";
import { databaseArg } from "./keys.ts";
import { REDIS_VERSION } from "../version.ts";
import { command, CommandError, type CommandSpec, Errors } from "./spec.ts";

function ping(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 2) throw new CommandError(Errors.wrongArity("ping"));
  if (argv.length === 2) ctx.out.bulk(argv[1]!);
  else ctx.out.simple("PONG");
}

/** Client names may not contain spaces, newlines or other special characters. */
function checkClientName(name: string): void {
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
    a.swapWith(b);
    // A client blocked on a key that the swap brings in is served, as Redis's swapdb does.
    ctx.server.blocking.signalAll(a);
    ctx.server.blocking.signalAll(b);
  }
  ctx.out.ok();
}

/**
 * The client types CLIENT LIST TYPE and CLIENT KILL TYPE accept, by the name Redis's
 * getClientTypeByName reads (any letter case) and the type it means.
 */
const CLIENT_TYPES: ReadonlyMap<string, string> = new Map([
  ["normal", "normal"],
  ["slave", "replica"],
  ["replica", "replica"],
  ["pubsub", "pubsub"],
  ["master", "master"],
]);

/** The client type named `text`; throws Redis's error for an unknown one. */
function clientTypeArg(text: string): string {
  const type = CLIENT_TYPES.get(text.toLowerCase());
  if (type === undefined) throw new CommandError(`ERR Unknown client type '${text}'`);
  return type;
}

/** The type of a client: every client here is a normal one (no replication, no pub/sub yet). */
function clientType(_client: ClientContext): string {
  return "normal";
}

function clientKill(ctx: ClientContext, argv: string[]): void {
  const all = [...ctx.server.clients()];
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port.
    const target = all.find((c) => c.addr === argv[2]);
    if (target === undefined) throw new CommandError("ERR No such client");
    ctx.out.ok();
    killClient(ctx, target);
    return;
  }
  // New form: <option> <value> pairs, each checked as it is read, as Redis does: an option
  // without a value is a syntax error only once the options before it were accepted.
  let id: number | null = null;
  let type: string | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!.toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) throw new CommandError(Errors.syntax);
    if (opt === "id") {
      id = integerArg(value, "ERR client-id should be greater than 0");
      if (id <= 0) throw new CommandError("ERR client-id should be greater than 0");
    } else if (opt === "type") type = clientTypeArg(value);
    else if (opt === "addr") addr = value;
    else if (opt === "laddr") laddr = value;
    else if (opt === "user") {
      // Only the default user exists, and every client is authenticated as it.
      if (value !== "default") throw new CommandError(`ERR No such user '${value}'`);
    } else if (opt === "skipme") {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") throw new CommandError(Errors.syntax);
      skipMe = v === "yes";
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  const victims = all.filter((c) =>
    (addr === null || c.addr === addr) && (laddr === null || c.laddr === laddr) &&
    (type === null || clientType(c) === type) && (id === null || c.id === id) &&
    !(skipMe && c === ctx)
  );
  ctx.out.integer(victims.length);
  for (const v of victims) killClient(ctx, v);
}

/** Kills `victim`; a client killing itself gets its reply first, as in Redis. */
function killClient(ctx: ClientContext, victim: ClientContext): void {
  if (victim === ctx) ctx.closeAfterReply = true;
  else victim.kill();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: lets a blocked client go with its timeout or an error. */
function clientUnblock(ctx: ClientContext, argv: string[]): void {
  const id = integerArg(argv[2]!);
  let how: "timeout" | "error" = "timeout";
  if (argv.length === 4) {
    const reason = argv[3]!.toLowerCase();
    if (reason === "error") how = "error";
    else if (reason !== "timeout") {
      throw new CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  ctx.out.integer(ctx.server.blocking.unblock(id, how) ? 1 : 0);
}

const clientSubcommands = [
  {
    name: "unblock",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "connection",
    handler: clientUnblock,
  },
  {
    name: "id",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext) => c.out.integer(c.id),
  },
  {
    name: "setname",
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext, a: string[]) => {
      checkClientName(a[2]!);
      c.name = a[2]!;
      c.out.ok();
    },
  },
  {
    name: "getname",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext) => c.out.bulk(c.name === "" ? null : c.name),
  },
  {
    name: "setinfo",
    arity: 4,
    flags: ["noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext, a: string[]) => {
      const attr = a[2]!.toLowerCase();
      if (attr !== "lib-name" && attr !== "lib-ver") {
        throw new CommandError(`ERR Unrecognized option '${a[2]}'`);
      }
      if (attr === "lib-name") {
        checkClientName(a[3]!);
        c.libName = a[3]!;
      } else c.libVersion = a[3]!;
      c.out.ok();
    },
  },
  {
    name: "list",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext, a: string[]) => {
      // Redis 7.0 takes either TYPE <type> or ID <id> [<id> ...], not both. IDs are listed in
      // the order given, repeats included.
      let clients = [...c.server.clients()];
      const opt = a[2]?.toLowerCase();
      if (a.length === 4 && opt === "type") {
        const type = clientTypeArg(a[3]!);
        clients = clients.filter((x) => clientType(x) === type);
      } else if (a.length > 3 && opt === "id") {
        const byId = new Map(clients.map((x) => [x.id, x]));
        clients = [];
        for (const text of a.slice(3)) {
          const found = byId.get(integerArg(text, "ERR Invalid client ID"));
          if (found !== undefined) clients.push(found);
        }
      } else if (a.length !== 2) throw new CommandError(Errors.syntax);
      c.out.verbatim(clients.map((x) => x.describe() + "\n").join(""));
    },
  },
  {
    name: "info",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    group: "connection",
    handler: (c: ClientContext) => c.out.verbatim(c.describe() + "\n"),
  },
  {
    name: "kill",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "connection",
    handler: clientKill,
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    group: "connection",
    handler: (c: ClientContext) =>
      helpReply(c, "CLIENT", [
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>",
        "    Set client meta attributes.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
      ]),
  },
] as const;

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
  command({
    name: "client",
    arity: -2,
    flags: [],
    group: "connection",
    subcommands: clientSubcommands,
  }),
];
