/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, INFO, TIME, CONFIG, COMMAND, SHUTDOWN, LASTSAVE.
 *
 * COMMAND's output is generated from the command table; the parts that are documentation
 * rather than behaviour (summaries, ACL categories, key specs) come from `command_data.json`,
 * captured from a real redis-server 7.0 by `tools/gen_command_data.ts`.
 *
 * @module
 */
import process from "node:process";
import type { RespValue } from "../resp/types.ts";
import { ConfigError } from "../server/config.ts";
import type { ClientContext } from "./context.ts";
import commandData from "./command_data.json" with { type: "json" };
import { helpReply, REDIS_VERSION } from "./connection.ts";
import { command, CommandError, type CommandSpec, Errors } from "./spec.ts";

/** Our own version, reported beside the Redis API level we implement. */
export const MINIREDIS_VERSION = "0.1.0";

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
        ["blocked_clients", 0],
        ["tracking_clients", 0],
        ["clients_in_timeout_table", 0],
      );
      break;
    case "memory": {
      const m = Deno.memoryUsage();
      const used = m.heapUsed + m.external;
      const maxmemory = s.config.getNumber("maxmemory");
      lines.push(
        ["used_memory", used],
        ["used_memory_human", humanBytes(used)],
        ["used_memory_rss", m.rss],
        ["used_memory_rss_human", humanBytes(m.rss)],
        ["used_memory_peak", used],
        ["used_memory_peak_human", humanBytes(used)],
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
      lines.push(
        ["loading", 0],
        ["async_loading", 0],
        ["rdb_changes_since_last_save", 0],
        ["rdb_bgsave_in_progress", 0],
        ["rdb_last_save_time", s.lastSave],
        ["rdb_last_bgsave_status", "ok"],
        ["aof_enabled", 0],
        ["aof_rewrite_in_progress", 0],
        ["aof_rewrite_scheduled", 0],
        ["aof_last_bgrewrite_status", "ok"],
        ["aof_last_write_status", "ok"],
      );
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
        ["pubsub_channels", 0],
        ["pubsub_patterns", 0],
        ["total_error_replies", 0],
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
    case "errorstats":
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

function time(ctx: ClientContext): void {
  const us = Math.floor(performance.timeOrigin * 1000 + performance.now() * 1000);
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

function configResetStat(ctx: ClientContext): void {
  const st = ctx.server.stats;
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

/** The key positions of a command line, from its spec (COMMAND GETKEYS). */
export function commandKeys(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.firstKey === 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const keys: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step) keys.push(i);
  return keys;
}

function lookupSpec(ctx: ClientContext, name: string): CommandSpec | undefined {
  const [main, sub] = name.toLowerCase().split("|");
  const spec = ctx.server.commands.get(main!);
  if (sub === undefined) return spec;
  return spec?.subcommands?.get(sub);
}

function commandGetKeys(ctx: ClientContext, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  let spec = ctx.server.commands.get(args[0]!.toLowerCase());
  if (spec?.subcommands != null && args.length > 1) {
    spec = spec.subcommands.get(args[1]!.toLowerCase()) ?? spec;
  }
  if (spec === undefined) throw new CommandError("ERR Invalid command specified");
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    throw new CommandError("ERR Invalid number of arguments specified for command");
  }
  const keys = commandKeys(spec, args);
  if (keys.length === 0) throw new CommandError("ERR The command has no key arguments");
  ctx.out.arrayLength(keys.length);
  for (const i of keys) {
    if (!withFlags) {
      ctx.out.bulk(args[i]!);
      continue;
    }
    ctx.out.arrayLength(2);
    ctx.out.bulk(args[i]!);
    const write = spec.flags.includes("write");
    ctx.out.setLength(write ? 2 : 2);
    ctx.out.simple(write ? "RW" : "RO");
    ctx.out.simple(write ? "update" : "access");
  }
}

function commandList(ctx: ClientContext, argv: string[]): void {
  let names = [...ctx.server.commands.values()].map((s) => s.name);
  if (argv.length > 2) {
    if (argv.length !== 5 || argv[2]!.toLowerCase() !== "filterby") {
      throw new CommandError(Errors.syntax);
    }
    const kind = argv[3]!.toLowerCase();
    const arg = argv[4]!;
    if (kind === "module") names = [];
    else if (kind === "aclcat") {
      const cat = `@${arg.toLowerCase()}`;
      names = names.filter((n) => (extras[n]?.acl ?? []).includes(cat));
    } else if (kind === "pattern") {
      const re = new RegExp(
        "^" + arg.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") +
          "$",
        "i",
      );
      names = names.filter((n) => re.test(n));
    } else throw new CommandError(Errors.syntax);
  }
  ctx.out.bulkArray(names);
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
        : a.slice(2).map((n) => lookupSpec(c, n));
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
        : a.slice(2).map((n) => lookupSpec(c, n)).filter((s) => s !== undefined);
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

function shutdown(ctx: ClientContext, argv: string[]): void {
  let nosave = false, save = false, now = false, force = false, abort = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === "nosave") nosave = true;
    else if (o === "save") save = true;
    else if (o === "now") now = true;
    else if (o === "force") force = true;
    else if (o === "abort") abort = true;
    else throw new CommandError(Errors.syntax);
  }
  if ((abort && argv.length !== 2) || (save && nosave)) throw new CommandError(Errors.syntax);
  if (abort) throw new CommandError("ERR No shutdown in progress.");
  void now;
  void force;
  ctx.server.shutdown("User requested shutdown...");
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
      c.db.clear();
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
      for (const db of c.server.databases) db.clear();
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
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    handler: (c) => c.out.integer(c.server.lastSave),
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
