import { buildCommandTable } from "../../src/commands/table.ts";
import commandData from "../../src/commands/command_data.json" with { type: "json" };
import { assertEquals } from "../_util.ts";

interface RedisFacts {
  arity: number;
  flags: string[];
  keys: [number, number, number];
}
const redis = commandData as unknown as Record<string, RedisFacts>;

/** Commands of ours that Redis 7.0 does not have. */
const OURS_ONLY = new Set(["delete", "flush", "client|setinfo"]);

Deno.test("every command spec has the arity, flags and key positions Redis 7.0 reports", () => {
  const mismatches: string[] = [];
  for (const spec of buildCommandTable().values()) {
    for (const s of [spec, ...(spec.subcommands?.values() ?? [])]) {
      if (OURS_ONLY.has(s.fullName)) continue;
      const facts = redis[s.fullName];
      if (facts === undefined) {
        mismatches.push(`${s.fullName}: not in command_data.json (run tools/gen_command_data.ts)`);
        continue;
      }
      const ours = { arity: s.arity, flags: [...s.flags], keys: [s.firstKey, s.lastKey, s.step] };
      const theirs = { arity: facts.arity, flags: facts.flags, keys: facts.keys };
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        mismatches.push(
          `${s.fullName}: ours ${JSON.stringify(ours)} redis ${JSON.stringify(theirs)}`,
        );
      }
    }
  }
  assertEquals(mismatches, []);
});
