/**
 * The command table: every group's specs joined in one Map by lower-case name. This is the
 * only place that lists the groups; adding a command means adding a spec to its group file.
 *
 * @module
 */
import { clientCommands } from "./client.ts";
import { connectionCommands } from "./connection.ts";
import { dumpCommands } from "./dump.ts";
import { hashCommands } from "./hash.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./list.ts";
import { monitorCommands } from "./monitor.ts";
import { persistenceCommands } from "./persistence.ts";
import { pubsubCommands } from "./pubsub.ts";
import { serverCommands } from "./server.ts";
import { setCommands } from "./set.ts";
import { sortedSetCommands } from "./sorted_set.ts";
import type { CommandSpec } from "./spec.ts";
import { stringCommands } from "./string.ts";
import { transactionCommands } from "./transactions.ts";

/** Builds the table; throws if two groups define the same name. */
export function buildCommandTable(): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  const groups = [
    stringCommands,
    listCommands,
    hashCommands,
    setCommands,
    sortedSetCommands,
    keyCommands,
    dumpCommands,
    connectionCommands,
    clientCommands,
    serverCommands,
    monitorCommands,
    transactionCommands,
    pubsubCommands,
    persistenceCommands,
  ];
  for (const group of groups) {
    for (const spec of group) {
      if (table.has(spec.name)) throw new RangeError(`Command defined twice: ${spec.name}`);
      table.set(spec.name, spec);
    }
  }
  return table;
}
