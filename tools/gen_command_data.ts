/**
 * Regenerates src/commands/command_data.json from a running redis-server 7.0: for each
 * command (and subcommand) in our table, the parts of COMMAND INFO and COMMAND DOCS that are
 * documentation rather than behaviour (ACL categories, tips, key specs, summaries, arguments),
 * plus Redis's arity, flags and key positions, which tests compare with our specs.
 *
 * Usage: deno run -A tools/gen_command_data.ts [port] [group,...] [name,...]
 *
 * With groups (`list,hash,set,sorted-set`) or names (`sort,object`), Redis's commands of those
 * groups, or of those names, are captured too, whether our table has them yet or not, so that
 * a new group can be written against Redis's data.
 *
 * @module
 */
import { RedisClient } from "../src/client/client.ts";
import { buildCommandTable } from "../src/commands/table.ts";
import type { RespValue } from "../src/resp/types.ts";

const port = Number(Deno.args[0] ?? "6379");
const client = await RedisClient.connect({ port, protocol: 3 });
const out: Record<string, unknown> = {};

function items(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return [...v] as RespValue[];
  if (
    v !== null && typeof v === "object" && "kind" in v && (v.kind === "set" || v.kind === "push")
  ) {
    return [...v.items];
  }
  return [];
}

function text(v: RespValue): string {
  if (typeof v === "string") return v;
  if (v !== null && typeof v === "object" && "value" in v) return String(v.value);
  return String(v);
}

const names: string[] = [];
for (const spec of buildCommandTable().values()) {
  names.push(spec.fullName);
  for (const sub of spec.subcommands?.values() ?? []) names.push(sub.fullName);
}
const groups = new Set((Deno.args[1] ?? "").split(",").filter((g) => g !== ""));
const extraNames = new Set((Deno.args[2] ?? "").split(",").filter((n) => n !== ""));
if (groups.size !== 0 || extraNames.size !== 0) {
  for (const name of items(await client.sendRaw("COMMAND", "LIST")).map(text)) {
    const docs = await client.sendRaw("COMMAND", "DOCS", name);
    let group = "";
    if (docs !== null && typeof docs === "object" && "kind" in docs && docs.kind === "map") {
      const entry = docs.entries[0]?.[1];
      if (entry !== undefined && entry !== null && typeof entry === "object" && "kind" in entry) {
        if (entry.kind === "map") {
          for (const [k, v] of entry.entries) if (text(k) === "group") group = text(v);
        }
      }
    }
    if (!groups.has(group) && !extraNames.has(name)) continue;
    if (!names.includes(name)) names.push(name);
    const info = items(await client.sendRaw("COMMAND", "INFO", name))[0];
    const subs = info === null || info === undefined ? [] : items(items(info)[9] ?? null);
    for (const sub of subs) {
      const subName = text(items(sub)[0] ?? null);
      if (!names.includes(subName)) names.push(subName);
    }
  }
}
for (const name of names) {
  const info = items(await client.sendRaw("COMMAND", "INFO", name))[0];
  if (info === null || info === undefined) continue; // not a Redis command (DELETE, FLUSH)
  const fields = items(info);
  const docsMap = await client.sendRaw("COMMAND", "DOCS", name);
  let docs: RespValue = null;
  if (
    docsMap !== null && typeof docsMap === "object" && "kind" in docsMap && docsMap.kind === "map"
  ) {
    docs = docsMap.entries[0]?.[1] ?? null;
  }
  out[name] = {
    arity: fields[1],
    flags: items(fields[2]!).map(text),
    keys: [fields[3], fields[4], fields[5]],
    acl: items(fields[6]!).map(text),
    tips: items(fields[7]!),
    keySpecs: items(fields[8]!),
    docs,
  };
}
client.close();
await Deno.writeTextFile(
  new URL("../src/commands/command_data.json", import.meta.url),
  JSON.stringify(out, null, 1) + "\n",
);
console.log(`wrote ${Object.keys(out).length} commands`);
