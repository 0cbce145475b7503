/**
 * CLIENT and its subcommands (Redis's networking.c clientCommand): names, ids and listings of
 * the connections, KILL and UNBLOCK, REPLY ON/OFF/SKIP, NO-EVICT, PAUSE/UNPAUSE; and RESET,
 * which puts a connection back as it was when it connected.
 *
 * @module
 */
import { integerArg } from "./args.ts";
import { checkClientName, helpReply } from "./connection.ts";
import type { ClientContext } from "./context.ts";
import type { PauseType } from "../server/pause.ts";
import { discardTransaction } from "./transactions.ts";
import { unsubscribeAllSilently } from "./pubsub.ts";
import { command, type CommandDefinition, CommandError, type CommandSpec, Errors } from "./spec.ts";

const HELP = [
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
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
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
];

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP send no reply of their own; SKIP drops the reply of
 * the next command, whatever it is (the dispatcher applies both).
 */
function clientReply(ctx: ClientContext, argv: string[]): void {
  const mode = argv[2]!.toLowerCase();
  if (mode === "on") {
    ctx.replyOff = false;
    ctx.replySkip = false;
    ctx.out.ok();
  } else if (mode === "off") ctx.replyOff = true;
  else if (mode === "skip") {
    if (!ctx.replyOff) ctx.replySkipNext = true;
  } else throw new CommandError(Errors.syntax);
}

function noEvict(ctx: ClientContext, argv: string[]): void {
  const mode = argv[2]!.toLowerCase();
  if (mode !== "on" && mode !== "off") throw new CommandError(Errors.syntax);
  ctx.noEvict = mode === "on";
  ctx.out.ok();
}

/** CLIENT PAUSE timeout [WRITE|ALL]: the timeout in milliseconds, ALL by default. */
function pause(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 4) {
    throw new CommandError(Errors.subcommandSyntax(argv));
  }
  let type: PauseType = "all";
  if (argv.length === 4) {
    const mode = argv[3]!.toLowerCase();
    if (mode === "write") type = "write";
    else if (mode !== "all") throw new CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL");
  }
  const ms = integerArg(argv[2]!, "ERR timeout is not an integer or out of range");
  if (ms < 0) throw new CommandError("ERR timeout is negative");
  ctx.server.pause.pause(type, Date.now() + ms);
  ctx.out.ok();
}

function unpause(ctx: ClientContext): void {
  ctx.server.pause.unpause();
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

/**
 * The type of a client, as Redis's getClientType: a subscribed one (RESP2 or RESP3) is pubsub,
 * any other normal (a MONITOR client included; there are no replicas or masters here).
 */
function clientType(client: ClientContext): string {
  return client.subscriptionCount > 0 ? "pubsub" : "normal";
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

const clientSubcommands: Omit<CommandDefinition, "group">[] = [
  {
    name: "unblock",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    handler: clientUnblock,
  },
  {
    name: "id",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    handler: (c: ClientContext) => c.out.integer(c.id),
  },
  {
    name: "setname",
    arity: 3,
    flags: ["noscript", "loading", "stale"],
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
    handler: (c: ClientContext) => c.out.bulk(c.name === "" ? null : c.name),
  },
  {
    name: "setinfo",
    arity: 4,
    flags: ["noscript", "loading", "stale"],
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
    handler: (c: ClientContext) => c.out.verbatim(c.describe() + "\n"),
  },
  {
    name: "kill",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    handler: clientKill,
  },
  { name: "reply", arity: 3, flags: ["noscript", "loading", "stale"], handler: clientReply },
  {
    name: "no-evict",
    arity: 3,
    flags: ["admin", "noscript", "loading", "stale"],
    handler: noEvict,
  },
  { name: "tracking", arity: -3, flags: ["noscript", "loading", "stale"], handler: tracking },
  { name: "caching", arity: 3, flags: ["noscript", "loading", "stale"], handler: caching },
  {
    name: "getredir",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    handler: (c: ClientContext) => c.out.integer(c.tracking === null ? -1 : c.tracking.redirect),
  },
  {
    name: "trackinginfo",
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    handler: trackingInfo,
  },
  { name: "pause", arity: -3, flags: ["admin", "noscript", "loading", "stale"], handler: pause },
  { name: "unpause", arity: 2, flags: ["admin", "noscript", "loading", "stale"], handler: unpause },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    handler: (c: ClientContext) => helpReply(c, "CLIENT", HELP),
  },
];

/** CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]. */
function tracking(ctx: ClientContext, argv: string[]): void {
  const tracking = ctx.server.tracking;
  let redirect = 0;
  let bcast = false, optin = false, optout = false, noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (opt === "redirect" && more) {
      j++;
      if (redirect !== 0) {
        throw new CommandError("ERR A client can only redirect to a single other client");
      }
      redirect = integerArg(argv[j]!);
      if (!ctx.server.clientById(redirect)) {
        throw new CommandError("ERR The client ID you want redirect to does not exist");
      }
    } else if (opt === "bcast") bcast = true;
    else if (opt === "optin") optin = true;
    else if (opt === "optout") optout = true;
    else if (opt === "noloop") noloop = true;
    else if (opt === "prefix" && more) prefixes.push(argv[++j]!);
    else throw new CommandError(Errors.syntax);
  }
  const mode = argv[2]!.toLowerCase();
  if (mode === "off") {
    tracking.disable(ctx);
    return ctx.out.ok();
  }
  if (mode !== "on") throw new CommandError(Errors.syntax);
  if (!bcast && prefixes.length > 0) {
    throw new CommandError("ERR PREFIX option requires BCAST mode to be enabled");
  }
  const state = ctx.tracking;
  if (state !== null && state.bcast !== bcast) {
    throw new CommandError(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  if (bcast && (optin || optout)) {
    throw new CommandError("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if (optin && optout) {
    throw new CommandError("ERR You can't specify both OPTIN mode and OPTOUT mode");
  }
  if ((optin && state?.optout) || (optout && state?.optin)) {
    throw new CommandError(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  if (bcast) {
    const collision = tracking.prefixCollision(ctx, prefixes);
    if (collision !== null) throw new CommandError(collision);
  }
  tracking.enable(ctx, { redirect, bcast, optin, optout, noloop, prefixes });
  ctx.out.ok();
}

/** CLIENT CACHING yes|no: whether the next command's keys are tracked (OPTIN/OPTOUT). */
function caching(ctx: ClientContext, argv: string[]): void {
  const state = ctx.tracking;
  if (state === null) {
    throw new CommandError(
      "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
    );
  }
  const opt = argv[2]!.toLowerCase();
  if (opt === "yes") {
    if (!state.optin) {
      throw new CommandError(
        "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
      );
    }
  } else if (opt === "no") {
    if (!state.optout) {
      throw new CommandError(
        "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
      );
    }
  } else throw new CommandError(Errors.syntax);
  state.caching = true;
  ctx.out.ok();
}

/** CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes. */
function trackingInfo(ctx: ClientContext): void {
  const state = ctx.tracking;
  const flags = [state === null ? "off" : "on"];
  if (state !== null) {
    if (state.bcast) flags.push("bcast");
    if (state.optin) flags.push("optin", ...(state.caching ? ["caching-yes"] : []));
    if (state.optout) flags.push("optout", ...(state.caching ? ["caching-no"] : []));
    if (state.noloop) flags.push("noloop");
    if (state.brokenRedirect) flags.push("broken_redirect");
  }
  const out = ctx.out;
  out.mapLength(3);
  out.bulk("flags");
  out.setLength(flags.length);
  for (const flag of flags) out.bulk(flag);
  out.bulk("redirect");
  out.integer(state === null ? -1 : state.redirect);
  out.bulk("prefixes");
  const prefixes = state?.prefixes ?? [];
  out.arrayLength(prefixes.length);
  for (const prefix of prefixes) out.bulk(prefix);
}

/**
 * RESET, as Redis 7.0's clearClientConnectionState: leaves MONITOR, tracking, any transaction
 * and watches, pub/sub and CLIENT REPLY, back to database 0, RESP2, no name, and authenticated only if no
 * password is required. NO-EVICT stays (7.2 clears it too).
 */
function reset(ctx: ClientContext): void {
  ctx.server.monitors.delete(ctx);
  ctx.server.tracking.disable(ctx);
  discardTransaction(ctx);
  unsubscribeAllSilently(ctx);
  ctx.select(0);
  ctx.out.version = 2;
  ctx.authenticated = (ctx.server.config.get("requirepass") ?? "") === "";
  ctx.name = "";
  ctx.replyOff = false;
  ctx.replySkipNext = false;
  ctx.out.simple("RESET");
}

/** The CLIENT container, and RESET. */
export const clientCommands: CommandSpec[] = [
  command({
    name: "client",
    arity: -2,
    flags: [],
    group: "connection",
    subcommands: clientSubcommands.map((sub) => ({ ...sub, group: "connection" })),
  }),
  command({
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    handler: reset,
  }),
];
