/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, INFO, TIME, CONFIG, COMMAND, SHUTDOWN.
 *
 * COMMAND's output is generated from the command table; the parts that are documentation
 * rather than behaviour (summaries, ACL categories, key specs) come from `command_data.json`,
 * captured from a real redis-server 7.0 by `tools/gen_command_data.ts`. The command lookup that
 * COMMAND uses, `lookupCommand`, is the one the dispatcher uses too.
 *
 * @module
 */
import process from "node:process";
import { systemClock } from "../keyspace/clock.ts";
import type { Database } from "../keyspace/database.ts";
import { globMatch } from "../keyspace/glob.ts";
import type { RespValue } from "../resp/types.ts";
import { ConfigError } from "../server/config.ts";
import type { ClientContext, ServerContext } from "./context.ts";
import commandData from "./command_data.json" with { type: "json" };
import { parseInt64 } from "./args.ts";
import { helpReply } from "./connection.ts";
import { sortGetKeys, sortRoGetKeys } from "./keys.ts";
import { MINIREDIS_VERSION, REDIS_VERSION } from "../version.ts";
import { command, CommandError, type CommandSpec, Errors } from "./spec.ts";

interface CommandExtras {
  acl?: string[];
  tips?: RespValue[];
  keySpecs?: RespValue[];
  docs?: RespValue;
}
const extras = commandData as unknown as Record<string, CommandExtras>;

function flushOption(argv: string[]): void {
  if (argv.length > 2) throw new CommandError(Errors.syntax);
  if (argv.length === 2) {
    const o = argv[1]!.toLowerCase();
    if (o !== "async" && o !== "sync") throw new CommandError(Errors.syntax);
  }
}

/**
 * Empties `db` (every database when null) as Redis's emptyData does for FLUSHDB and FLUSHALL:
 * WATCHed keys and tracking clients are signalled first, and each key removed counts as a
 * change (no keyspace event is sent).
 */
function flushDatabases(server: ServerContext, db: Database | null): void {
  server.signalFlushedDb(db);
  for (const each of db === null ? server.databases : [db]) server.dirty += each.clear();
}

/** Redis's getSafeInfoString: a name may not contain the `:` or line breaks of INFO's format. */
function safeInfoString(text: string): string {
  return text.replace(/[:\r\n]/g, "_");
}

function humanBytes(n: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}

const DEFAULT_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "errorstats",
  "cluster",
  "keyspace",
];

function infoSection(ctx: ClientContext, name: string): string | null {
  const s = ctx.server;
  const now = s.clock.now();
  const lines: [string, string | number][] = [];
  switch (name) {
    case "server":
      lines.push(
        ["redis_version", REDIS_VERSION],
        ["miniredis_version", MINIREDIS_VERSION],
        ["redis_git_sha1", "00000000"],
        ["redis_git_dirty", 0],
        ["redis_mode", "standalone"],
        ["os", `${Deno.build.os} ${Deno.build.arch}`],
        ["arch_bits", 64],
        ["multiplexing_api", "deno"],
        ["deno_version", Deno.version.deno],
        ["process_id", Deno.pid],
        ["process_supervised", "no"],
        ["run_id", s.runId],
        ["tcp_port", s.port],
        ["server_time_usec", now * 1000],
        ["uptime_in_seconds", Math.floor((now - s.startedAt) / 1000)],
        ["uptime_in_days", Math.floor((now - s.startedAt) / 86400000)],
        ["hz", s.config.getNumber("hz")],
        ["configured_hz", s.config.getNumber("hz")],
        ["executable", Deno.execPath()],
        ["config_file", ""],
        ["io_threads_active", 0],
      );
      break;
    case "clients":
      lines.push(
        ["connected_clients", [...s.clients()].length],
        ["cluster_connections", 0],
        ["maxclients", s.config.getNumber("maxclients")],
        ["client_recent_max_input_buffer", 0],
        ["client_recent_max_output_buffer", 0],
        ["blocked_clients", s.blocking.count + s.pause.held],
        ["tracking_clients", s.tracking.clients],
        ["clients_in_timeout_table", s.blocking.timeoutCount],
      );
      break;
    case "memory": {
      const m = Deno.memoryUsage();
      const used = m.heapUsed + m.external;
      // As in Redis, the peak is the highest used_memory seen (here: each time INFO measures it).
      const peak = s.stats.peakMemory = Math.max(s.stats.peakMemory, used);
      const maxmemory = s.config.getNumber("maxmemory");
      lines.push(
        ["used_memory", used],
        ["used_memory_human", humanBytes(used)],
        ["used_memory_rss", m.rss],
        ["used_memory_rss_human", humanBytes(m.rss)],
        ["used_memory_peak", peak],
        ["used_memory_peak_human", humanBytes(peak)],
        ["used_memory_peak_perc", `${(used * 100 / peak).toFixed(2)}%`],
        ["total_system_memory", Deno.systemMemoryInfo().total],
        ["total_system_memory_human", humanBytes(Deno.systemMemoryInfo().total)],
        ["used_memory_lua", 0],
        ["maxmemory", maxmemory],
        ["maxmemory_human", humanBytes(maxmemory)],
        ["maxmemory_policy", s.config.get("maxmemory-policy") ?? "noeviction"],
        ["mem_fragmentation_ratio", (m.rss / Math.max(1, used)).toFixed(2)],
        ["mem_allocator", "v8"],
        ["lazyfree_pending_objects", 0],
      );
      break;
    }
    case "persistence":
      lines.push(...s.persistence.info());
      break;
    case "stats": {
      const st = s.stats;
      lines.push(
        ["total_connections_received", st.connectionsReceived],
        ["total_commands_processed", st.commandsProcessed],
        ["instantaneous_ops_per_sec", 0],
        ["total_net_input_bytes", st.netInputBytes],
        ["total_net_output_bytes", st.netOutputBytes],
        ["rejected_connections", st.rejectedConnections],
        ["expired_keys", st.expiredKeys],
        ["evicted_keys", 0],
        ["keyspace_hits", st.keyspaceHits],
        ["keyspace_misses", st.keyspaceMisses],
        ["pubsub_channels", s.pubsub.channelCount("channel")],
        ["pubsub_patterns", s.pubsub.patternCount],
        ["pubsubshard_channels", s.pubsub.channelCount("shard")],
        ["tracking_total_keys", s.tracking.totals.keys],
        ["tracking_total_items", s.tracking.totals.items],
        ["tracking_total_prefixes", s.tracking.totals.prefixes],
        ["total_error_replies", st.errorReplies],
      );
      break;
    }
    case "replication":
      lines.push(["role", "master"], ["connected_slaves", 0], ["master_repl_offset", 0]);
      break;
    case "cpu": {
      const cpu = process.cpuUsage();
      lines.push(
        ["used_cpu_sys", (cpu.system / 1e6).toFixed(6)],
        ["used_cpu_user", (cpu.user / 1e6).toFixed(6)],
      );
      break;
    }
    case "modules":
      break;
    case "errorstats":
      // Redis keeps the codes in a radix tree, so they come out in byte order.
      for (const code of [...s.stats.errorCodes.keys()].sort()) {
        lines.push([`errorstat_${safeInfoString(code)}`, `count=${s.stats.errorCodes.get(code)}`]);
      }
      break;
    case "cluster":
      lines.push(["cluster_enabled", 0]);
      break;
    case "keyspace":
      for (const db of s.databases) {
        if (db.size === 0) continue;
        lines.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=0`]);
      }
      break;
    default:
      return null;
  }
  const title = name === "cpu" ? "CPU" : name[0]!.toUpperCase() + name.slice(1);
  return `# ${title}\r\n` + lines.map(([k, v]) => `${k}:${v}\r\n`).join("");
}

function info(ctx: ClientContext, argv: string[]): void {
  let sections: string[];
  const asked = argv.slice(1).map((a) => a.toLowerCase());
  if (asked.length === 0 || asked.includes("default")) sections = DEFAULT_SECTIONS;
  else if (asked.includes("all") || asked.includes("everything")) sections = DEFAULT_SECTIONS;
  else sections = asked;
  const parts: string[] = [];
  for (const name of new Set(sections)) {
    const text = infoSection(ctx, name);
    if (text !== null) parts.push(text);
  }
  ctx.out.verbatim(parts.join("\r\n"));
}

/**
 * TIME reads the server's clock, so a test clock moves it too. The clock counts milliseconds;
 * with the system clock the microseconds come from the high-resolution timer's fraction of a
 * millisecond, so successive calls still differ as Redis's gettimeofday-based ones do.
 */
function time(ctx: ClientContext): void {
  const clock = ctx.server.clock;
  let us = Math.floor(clock.now()) * 1000;
  if (clock === systemClock) us += Math.floor((performance.now() % 1) * 1000);
  ctx.out.arrayLength(2);
  ctx.out.bulk(String(Math.floor(us / 1e6)));
  ctx.out.bulk(String(us % 1e6));
}

function configGet(ctx: ClientContext, argv: string[]): void {
  const pairs = ctx.server.config.getMatching(argv.slice(2));
  ctx.out.mapLength(pairs.length);
  for (const [k, v] of pairs) {
    ctx.out.bulk(k);
    ctx.out.bulk(v);
  }
}

function configSet(ctx: ClientContext, argv: string[]): void {
  if (argv.length % 2 !== 0) throw new CommandError(Errors.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  try {
    ctx.server.config.set(pairs);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(error.message);
    throw error;
  }
  ctx.out.ok();
}

/**
 * CONFIG RESETSTAT: Redis's resetServerStats and resetErrorTableStats. The memory peak is not a
 * statistic there and survives, as in Redis 7.0.
 */
function configResetStat(ctx: ClientContext): void {
  const st = ctx.server.stats;
  st.errorReplies = 0;
  st.errorCodes.clear();
  st.commandsProcessed = 0;
  st.connectionsReceived = 0;
  st.rejectedConnections = 0;
  st.expiredKeys = 0;
  st.keyspaceHits = 0;
  st.keyspaceMisses = 0;
  st.netInputBytes = 0;
  st.netOutputBytes = 0;
  ctx.out.ok();
}

/** COMMAND INFO's 10-element description of one command (or subcommand). */
function commandInfo(ctx: ClientContext, spec: CommandSpec): void {
  const out = ctx.out;
  const x = extras[spec.fullName] ?? {};
  out.arrayLength(10);
  out.bulk(spec.fullName);
  out.integer(spec.arity);
  out.setLength(spec.flags.length);
  for (const f of spec.flags) out.simple(f);
  out.integer(spec.firstKey);
  out.integer(spec.lastKey);
  out.integer(spec.step);
  const acl = x.acl ?? [];
  out.setLength(acl.length);
  for (const a of acl) out.simple(a);
  out.structured({ kind: "set", items: x.tips ?? [] });
  // Key specs and subcommands are sets in RESP3, as Redis writes them.
  out.setLength((x.keySpecs ?? []).length);
  for (const ks of x.keySpecs ?? []) out.structured(ks);
  const subs = [...(spec.subcommands?.values() ?? [])];
  out.setLength(subs.length);
  for (const sub of subs) commandInfo(ctx, sub);
}

/** COMMAND DOCS's map for one command, with subcommands limited to the ones we have. */
function commandDocs(ctx: ClientContext, spec: CommandSpec): void {
  const docs = extras[spec.fullName]?.docs;
  const entries: [RespValue, RespValue][] = docs !== undefined && typeof docs === "object" &&
      docs !== null && "kind" in docs && docs.kind === "map"
    ? docs.entries.filter(([k]) => k !== "subcommands").map(([k, v]) => [k, v])
    : [["summary", "miniredis command"], ["since", "0.1.0"], ["group", spec.group]];
  const subs = [...(spec.subcommands?.values() ?? [])];
  ctx.out.mapLength(entries.length + (subs.length > 0 ? 1 : 0));
  for (const [k, v] of entries) {
    ctx.out.structured(k);
    ctx.out.structured(v);
  }
  if (subs.length > 0) {
    ctx.out.bulk("subcommands");
    ctx.out.mapLength(subs.length);
    for (const sub of subs) {
      ctx.out.bulk(sub.fullName);
      commandDocs(ctx, sub);
    }
  }
}

/**
 * The command `argv` names, as Redis's lookupCommandLogic finds it: `argv[0]` in any letter
 * case, or, when that is a container (CONFIG, CLIENT, ...) and more arguments follow, its
 * subcommand `argv[1]` (undefined when it has no such subcommand). With `strict`, `argv` must
 * name a command and nothing else: `["get"]` or `["config", "get"]`, never `["get", "k"]`.
 *
 * Dispatch, COMMAND GETKEYS and (through `lookupCommandByFullName`) COMMAND INFO and DOCS all
 * find commands here.
 */
export function lookupCommand(
  server: ServerContext,
  argv: readonly string[],
  strict = false,
): CommandSpec | undefined {
  const base = server.findCommand(argv[0]!);
  if (argv.length === 1 || base?.subcommands == null) {
    return strict && argv.length !== 1 ? undefined : base;
  }
  if (strict && argv.length !== 2) return undefined;
  return base.subcommands.get(argv[1]!.toLowerCase());
}

/** The command named `get` or `config|get` (Redis's lookupCommandBySds), else undefined. */
export function lookupCommandByFullName(
  server: ServerContext,
  name: string,
): CommandSpec | undefined {
  const parts = name.split("|");
  return parts.length > 2 ? undefined : lookupCommand(server, parts, true);
}

/** One key argument COMMAND GETKEYS finds: its position and its key-spec flags. */
interface KeyReference {
  position: number;
  flags: readonly string[];
}

/**
 * One key spec of `command_data.json`, in the forms our commands use: the first key at a fixed
 * index, the keys up to a last one (relative to the first; negative counts from the end) every
 * `keystep` arguments. Any other form stays `null` and counts as an invalid spec.
 */
interface KeySpec {
  flags: readonly string[];
  index: number | null;
  range: { lastKey: number; keyStep: number; limit: number } | null;
  /** LMPOP's form: the number of keys at `keyNumIndex`, the first key at `firstKey` after it. */
  keyNum: { keyNumIndex: number; firstKey: number; keyStep: number } | null;
}

/** `value` when it is one of the tagged RESP values (map, set, simple string, ...), else null. */
function tagged(value: RespValue | undefined) {
  return typeof value === "object" && value !== null && "kind" in value ? value : null;
}

/** The value under `key` in a RESP map (as the key specs are stored), else undefined. */
function mapField(value: RespValue | undefined, key: string): RespValue | undefined {
  const map = tagged(value);
  return map?.kind === "map" ? map.entries.find(([k]) => k === key)?.[1] : undefined;
}

function parseKeySpec(raw: RespValue): KeySpec {
  const flags: string[] = [];
  const flagSet = tagged(mapField(raw, "flags"));
  for (const f of flagSet?.kind === "set" ? flagSet.items : []) {
    const flag = tagged(f);
    if (flag?.kind === "simple") flags.push(flag.value);
  }
  const begin = mapField(raw, "begin_search");
  const index = mapField(mapField(begin, "spec"), "index");
  const find = mapField(raw, "find_keys");
  const range = mapField(find, "spec");
  const [lastKey, keyStep, limit] = ["lastkey", "keystep", "limit"].map((k) => mapField(range, k));
  const [keyNumIndex, firstKey] = ["keynumidx", "firstkey"].map((k) => mapField(range, k));
  return {
    keyNum: mapField(find, "type") === "keynum" && typeof keyNumIndex === "number" &&
        typeof firstKey === "number" && typeof keyStep === "number" && keyStep > 0
      ? { keyNumIndex, firstKey, keyStep }
      : null,
    flags,
    index: mapField(begin, "type") === "index" && typeof index === "number" ? index : null,
    range: mapField(find, "type") === "range" && typeof lastKey === "number" &&
        typeof keyStep === "number" && keyStep > 0 && typeof limit === "number"
      ? { lastKey, keyStep, limit }
      : null,
  };
}

const keySpecCache = new Map<string, readonly KeySpec[]>();

/**
 * A command's key specs, from `command_data.json`; a command missing there gets one flagless
 * spec made from its first/last/step key positions, as Redis makes its legacy range spec.
 */
function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  let specs = keySpecCache.get(spec.fullName);
  if (specs === undefined) {
    const raw = extras[spec.fullName]?.keySpecs;
    if (raw !== undefined) specs = raw.map(parseKeySpec);
    else if (spec.firstKey === 0) specs = [];
    else {
      const lastKey = spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey;
      specs = [{
        flags: [],
        index: spec.firstKey,
        range: { lastKey, keyStep: spec.step, limit: 0 },
        keyNum: null,
      }];
    }
    keySpecCache.set(spec.fullName, specs);
  }
  return specs;
}

/**
 * Commands whose key flags depend on their arguments (key specs flagged `variable_flags`) find
 * their keys with a function, as Redis's getkeys_proc does. SET is RW with GET, else OW.
 */
const keyFunctions: Record<string, (argv: readonly string[]) => KeyReference[]> = {
  set: (argv) => [{
    position: 1,
    flags: argv.slice(3).some((a) => a.toLowerCase() === "get")
      ? ["RW", "access", "update"]
      : ["OW", "update"],
  }],
  sort: sortGetKeys,
  sort_ro: sortRoGetKeys,
};

/** Redis's getKeysUsingKeySpecs: the keys the specs find, or null when a spec does not fit. */
function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[]): KeyReference[] | null {
  const keys: KeyReference[] = [];
  const argc = argv.length;
  for (const spec of specs) {
    if (spec.flags.includes("not_key")) continue;
    if (spec.index !== null && spec.keyNum !== null) {
      // As Redis: a bad key count, or keys beyond the arguments, invalidate the spec.
      const { keyNumIndex, firstKey, keyStep } = spec.keyNum;
      const numkeys = parseInt64(argv[spec.index + keyNumIndex] ?? "");
      if (keyNumIndex >= argc || numkeys === null || numkeys < 0n) return null;
      const first = spec.index + firstKey;
      const last = first + Number(numkeys) - 1;
      if (last >= argc || last < first || first >= argc) return null;
      for (let i = first; i <= last; i += keyStep) keys.push({ position: i, flags: spec.flags });
      continue;
    }
    if (spec.index === null || spec.range === null) return null;
    const first = spec.index;
    const { lastKey, keyStep, limit } = spec.range;
    const last = lastKey >= 0
      ? first + lastKey
      : limit === 0
      ? argc + lastKey
      : first + (Math.trunc((argc - first) / limit) + lastKey);
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += keyStep) keys.push({ position: i, flags: spec.flags });
    if (spec.flags.includes("incomplete")) return null;
  }
  return keys;
}

/** The keys of a command about to run (`argv` has passed its arity check), as GETKEYS finds them. */
export function commandKeys(spec: CommandSpec, argv: readonly string[]): string[] {
  const specs = keySpecsOf(spec);
  let keys: KeyReference[] | null = null;
  if (!specs.some((s) => s.flags.includes("variable_flags"))) keys = keysFromSpecs(specs, argv);
  if (keys === null) keys = keyFunctions[spec.fullName]?.(argv) ?? [];
  return keys.map((key) => argv[key.position]!);
}

/**
 * COMMAND GETKEYS and GETKEYSANDFLAGS, in Redis's order of checks: the command exists, has key
 * arguments at all, gets the right number of arguments, and its keys can be found.
 */
function commandGetKeys(ctx: ClientContext, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  const spec = lookupCommand(ctx.server, args);
  if (spec === undefined) throw new CommandError("ERR Invalid command specified");
  const specs = keySpecsOf(spec);
  const keyFunction = keyFunctions[spec.fullName];
  if (keyFunction === undefined && specs.every((s) => s.flags.includes("not_key"))) {
    throw new CommandError("ERR The command has no key arguments");
  }
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    throw new CommandError("ERR Invalid number of arguments specified for command");
  }
  // Redis prefers the key specs, unless their flags vary with the arguments.
  let keys: KeyReference[] | null = null;
  if (!specs.some((s) => s.flags.includes("variable_flags"))) keys = keysFromSpecs(specs, args);
  if (keys === null) keys = keyFunction?.(args) ?? [];
  if (keys.length === 0 && !spec.flags.includes("no_mandatory_keys")) {
    throw new CommandError("ERR Invalid arguments specified for command");
  }
  ctx.out.arrayLength(keys.length);
  for (const key of keys) {
    if (!withFlags) {
      ctx.out.bulk(args[key.position]!);
      continue;
    }
    ctx.out.arrayLength(2);
    ctx.out.bulk(args[key.position]!);
    ctx.out.setLength(key.flags.length);
    for (const flag of key.flags) ctx.out.simple(flag);
  }
}

/** Every command and subcommand, each container followed by its subcommands. */
function allCommands(server: ServerContext): CommandSpec[] {
  const all: CommandSpec[] = [];
  for (const spec of server.commands.values()) {
    all.push(spec);
    if (spec.subcommands !== null) all.push(...spec.subcommands.values());
  }
  return all;
}

/** COMMAND LIST: full names (`config|get` too), filtered by ACL category or glob pattern. */
function commandList(ctx: ClientContext, argv: string[]): void {
  let specs = allCommands(ctx.server);
  if (argv.length > 2) {
    if (argv.length !== 5 || argv[2]!.toLowerCase() !== "filterby") {
      throw new CommandError(Errors.syntax);
    }
    const kind = argv[3]!.toLowerCase();
    const arg = argv[4]!;
    if (kind === "module") specs = [];
    else if (kind === "aclcat") {
      const cat = `@${arg.toLowerCase()}`;
      specs = specs.filter((s) => (extras[s.fullName]?.acl ?? []).includes(cat));
    } else if (kind === "pattern") {
      specs = specs.filter((s) => globMatch(arg, s.fullName, true));
    } else throw new CommandError(Errors.syntax);
  }
  ctx.out.bulkArray(specs.map((s) => s.fullName));
}

const configSubcommands = [
  {
    name: "get",
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    handler: configGet,
  },
  {
    name: "set",
    arity: -4,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    handler: configSet,
  },
  {
    name: "resetstat",
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    handler: configResetStat,
  },
  {
    name: "rewrite",
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    handler: () => {
      throw new CommandError("ERR The server is running without a config file");
    },
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext) =>
      helpReply(c, "CONFIG", [
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
      ]),
  },
] as const;

const commandSubcommands = [
  {
    name: "count",
    arity: 2,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext) => c.out.integer(c.server.commands.size),
  },
  {
    name: "info",
    arity: -2,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext, a: string[]) => {
      const specs = a.length === 2
        ? [...c.server.commands.values()]
        : a.slice(2).map((n) => lookupCommandByFullName(c.server, n));
      c.out.arrayLength(specs.length);
      for (const s of specs) s === undefined ? c.out.null() : commandInfo(c, s);
    },
  },
  {
    name: "docs",
    arity: -2,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext, a: string[]) => {
      const specs = a.length === 2
        ? [...c.server.commands.values()]
        : a.slice(2).map((n) => lookupCommandByFullName(c.server, n)).filter((s) =>
          s !== undefined
        );
      c.out.mapLength(specs.length);
      for (const s of specs) {
        c.out.bulk(s.fullName);
        commandDocs(c, s);
      }
    },
  },
  { name: "list", arity: -2, flags: ["loading", "stale"], group: "server", handler: commandList },
  {
    name: "getkeys",
    arity: -4,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext, a: string[]) => commandGetKeys(c, a, false),
  },
  {
    name: "getkeysandflags",
    arity: -4,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext, a: string[]) => commandGetKeys(c, a, true),
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    group: "server",
    handler: (c: ClientContext) =>
      helpReply(c, "COMMAND", [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
      ]),
  },
] as const;

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], with Redis's checks of the combination. The
 * final save follows the save points unless SAVE or NOSAVE says otherwise, and a failed save
 * keeps the server running unless FORCE is given. There are no replicas, so NOW changes
 * nothing, and shutdown is immediate, so ABORT never finds one in progress.
 */
function shutdown(ctx: ClientContext, argv: string[]): void {
  const options = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (!["nosave", "save", "now", "force", "abort"].includes(o)) {
      throw new CommandError(Errors.syntax);
    }
    options.add(o);
  }
  const abort = options.delete("abort");
  if ((abort && options.size > 0) || (options.has("save") && options.has("nosave"))) {
    throw new CommandError(Errors.syntax);
  }
  if (abort) throw new CommandError("ERR No shutdown in progress.");
  const ready = ctx.server.persistence.prepareForShutdown({
    save: options.has("save"),
    nosave: options.has("nosave"),
    force: options.has("force"),
  });
  if (!ready) {
    ctx.server.log(
      "warning",
      "Errors trying to shut down the server. Check the logs for more information.",
    );
    throw new CommandError("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  ctx.server.shutdown(null);
}

/** The server group's commands. */
export const serverCommands: CommandSpec[] = [
  command({
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    group: "server",
    handler: (c) => c.out.integer(c.db.size),
  }),
  command({
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    group: "server",
    handler: (c, a) => {
      flushOption(a);
      flushDatabases(c.server, c.db);
      // Logged even when the database was empty, as Redis forces its propagation.
      c.propagateAs = a;
      c.out.ok();
    },
  }),
  command({
    name: "flushall",
    arity: -1,
    flags: ["write"],
    group: "server",
    handler: (c, a) => {
      flushOption(a);
      flushDatabases(c.server, null);
      // As Redis's flushAllDataAndResetRDB: a BGSAVE in progress is stopped, the empty dataset
      // is saved at once when save points are set, and the command is always logged.
      c.server.persistence.flushedAll();
      c.propagateAs = a;
      c.out.ok();
    },
  }),
  command({ name: "info", arity: -1, flags: ["loading", "stale"], group: "server", handler: info }),
  command({
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    handler: time,
  }),
  command({
    name: "config",
    arity: -2,
    flags: [],
    group: "server",
    subcommands: configSubcommands,
  }),
  command({
    name: "command",
    arity: -1,
    flags: ["loading", "stale"],
    group: "server",
    subcommands: commandSubcommands,
    handler: (c) => {
      c.out.arrayLength(c.server.commands.size);
      for (const s of c.server.commands.values()) commandInfo(c, s);
    },
  }),
  command({
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    group: "server",
    handler: shutdown,
  }),
];
