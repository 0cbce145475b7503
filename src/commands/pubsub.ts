/**
 * The pubsub group: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, their shard
 * forms SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, and PUBSUB's introspection. The bookkeeping and the
 * delivery are the hub's (`keyspace/pubsub.ts`); here are the confirmations Redis sends: one per
 * channel, `[kind, channel, count]` as an array in RESP2 and a push in RESP3, where the count is
 * the client's channels plus patterns (shard channels count on their own), and an unsubscribe
 * from everything while subscribed to nothing still answers once, with a null channel and 0.
 * Also the rule of subscribed mode (RESP2 allows only a few commands) for the dispatcher, and
 * the silent unsubscribe RESET does.
 *
 * @module
 */
import type { ClientContext } from "./context.ts";
import type { SubscriptionKind } from "../keyspace/pubsub.ts";
import { command, CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";
import { helpReply } from "./connection.ts";

/** Writes one (un)subscribe confirmation; `name` null for "subscribed to nothing". */
function confirm(ctx: ClientContext, what: string, name: string | null, count: number): void {
  ctx.out.pushLength(3);
  ctx.out.bulk(what);
  ctx.out.bulk(name);
  ctx.out.integer(count);
}

/**
 * The commands whose replies are (un)subscribe confirmations, which Redis sends even under
 * CLIENT REPLY OFF/SKIP (they are pushes in RESP3).
 */
export const CONFIRMING_COMMANDS: ReadonlySet<string> = new Set([
  "subscribe",
  "unsubscribe",
  "psubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
]);

const SUBSCRIBE_REPLY: Record<SubscriptionKind, string> = {
  channel: "subscribe",
  pattern: "psubscribe",
  shard: "ssubscribe",
};
const UNSUBSCRIBE_REPLY: Record<SubscriptionKind, string> = {
  channel: "unsubscribe",
  pattern: "punsubscribe",
  shard: "sunsubscribe",
};

function subscribeTo(ctx: ClientContext, argv: string[], kind: SubscriptionKind): void {
  const hub = ctx.server.pubsub;
  const own = ctx.subscriptions;
  for (let i = 1; i < argv.length; i++) {
    hub.subscribe(ctx, kind, argv[i]!);
    confirm(ctx, SUBSCRIBE_REPLY[kind], argv[i]!, own.countFor(kind));
  }
}

function unsubscribeFrom(ctx: ClientContext, argv: string[], kind: SubscriptionKind): void {
  const hub = ctx.server.pubsub;
  const own = ctx.subscriptions;
  const what = UNSUBSCRIBE_REPLY[kind];
  // Without arguments: from all of them, one confirmation each, or one with a null channel.
  const names = argv.length > 1 ? argv.slice(1) : [...own.of(kind)];
  if (names.length === 0) return confirm(ctx, what, null, own.countFor(kind));
  for (const name of names) {
    hub.unsubscribe(ctx, kind, name);
    confirm(ctx, what, name, own.countFor(kind));
  }
}

/**
 * A client that must get exactly one reply per command cannot subscribe (Redis's
 * CLIENT_DENY_BLOCKING, set while EXEC runs and in scripts); SUBSCRIBE and PSUBSCRIBE are still
 * allowed inside MULTI, for compatibility, but SSUBSCRIBE is not.
 */
function checkMaySubscribe(ctx: ClientContext, name: string, allowedInExec: boolean): void {
  if (ctx.canBlock || (allowedInExec && ctx.inExec)) return;
  throw new CommandError(`ERR ${name} isn't allowed for a DENY BLOCKING client`);
}

function subscribe(ctx: ClientContext, argv: string[]): void {
  checkMaySubscribe(ctx, "SUBSCRIBE", true);
  subscribeTo(ctx, argv, "channel");
}

function psubscribe(ctx: ClientContext, argv: string[]): void {
  checkMaySubscribe(ctx, "PSUBSCRIBE", true);
  subscribeTo(ctx, argv, "pattern");
}

function ssubscribe(ctx: ClientContext, argv: string[]): void {
  checkMaySubscribe(ctx, "SSUBSCRIBE", false);
  subscribeTo(ctx, argv, "shard");
}

function publish(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(ctx.server.pubsub.publish(argv[1]!, argv[2]!));
}

function spublish(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(ctx.server.pubsub.spublish(argv[1]!, argv[2]!));
}

function listChannels(ctx: ClientContext, argv: string[], kind: "channel" | "shard"): void {
  if (argv.length > 3) throw new CommandError(Errors.subcommandSyntax(argv));
  ctx.out.bulkArray(ctx.server.pubsub.channels(kind, argv.length === 3 ? argv[2]! : null));
}

function countSubscribers(ctx: ClientContext, argv: string[], kind: "channel" | "shard"): void {
  const hub = ctx.server.pubsub;
  ctx.out.arrayLength((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.out.bulk(argv[i]!);
    ctx.out.integer(hub.subscriberCount(kind, argv[i]!));
  }
}

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
];

const INTROSPECTION = ["pubsub", "loading", "stale"] as const;

const pubsubSubcommands = [
  {
    name: "channels",
    arity: -2,
    flags: INTROSPECTION,
    group: "pubsub",
    handler: (c: ClientContext, a: string[]) => listChannels(c, a, "channel"),
  },
  {
    name: "numsub",
    arity: -2,
    flags: INTROSPECTION,
    group: "pubsub",
    handler: (c: ClientContext, a: string[]) => countSubscribers(c, a, "channel"),
  },
  {
    name: "numpat",
    arity: 2,
    flags: INTROSPECTION,
    group: "pubsub",
    handler: (c: ClientContext) => c.out.integer(c.server.pubsub.patternCount),
  },
  {
    name: "shardchannels",
    arity: -2,
    flags: INTROSPECTION,
    group: "pubsub",
    handler: (c: ClientContext, a: string[]) => listChannels(c, a, "shard"),
  },
  {
    name: "shardnumsub",
    arity: -2,
    flags: INTROSPECTION,
    group: "pubsub",
    handler: (c: ClientContext, a: string[]) => countSubscribers(c, a, "shard"),
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    group: "pubsub",
    handler: (c: ClientContext) => helpReply(c, "PUBSUB", PUBSUB_HELP),
  },
] as const;

/** The commands a RESP2 client may run while subscribed (Redis's processCommand). */
const ALLOWED_WHILE_SUBSCRIBED = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);

/**
 * The error Redis answers when a client in RESP2 subscribed mode sends `spec`, or null when it
 * may run. The dispatcher asks only while `ctx.subscriptionCount > 0` and the client speaks
 * RESP2; in RESP3 every command is allowed.
 */
export function subscribedModeError(spec: CommandSpec): string | null {
  if (ALLOWED_WHILE_SUBSCRIBED.has(spec.fullName)) return null;
  return `ERR Can't execute '${spec.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/** RESET (Redis's clearClientConnectionState): leaves every channel, pattern and shard channel, silently. */
export function unsubscribeAllSilently(ctx: ClientContext): void {
  ctx.server.pubsub.unsubscribeAll(ctx);
}

const spec = groupSpec("pubsub");
const SUBSCRIBING = ["pubsub", "noscript", "loading", "stale"] as const;
const PUBLISHING = ["pubsub", "loading", "stale", "fast"] as const;

/** The pubsub group's commands. */
export const pubsubCommands: CommandSpec[] = [
  spec("subscribe", -2, [...SUBSCRIBING], null, subscribe),
  spec("unsubscribe", -1, [...SUBSCRIBING], null, (c, a) => unsubscribeFrom(c, a, "channel")),
  spec("psubscribe", -2, [...SUBSCRIBING], null, psubscribe),
  spec("punsubscribe", -1, [...SUBSCRIBING], null, (c, a) => unsubscribeFrom(c, a, "pattern")),
  spec("publish", 3, [...PUBLISHING], null, publish),
  spec("ssubscribe", -2, [...SUBSCRIBING], [1, -1, 1], ssubscribe),
  spec("sunsubscribe", -1, [...SUBSCRIBING], [1, -1, 1], (c, a) => unsubscribeFrom(c, a, "shard")),
  spec("spublish", 3, [...PUBLISHING], [1, 1, 1], spublish),
  command({
    name: "pubsub",
    arity: -2,
    flags: [],
    group: "pubsub",
    subcommands: pubsubSubcommands,
  }),
];
