/**
 * The sorted set commands (Redis's t_zset.c).
 *
 * @module
 */
import { type CommandSpec, groupSpec } from "./spec.ts";

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("sorted-set");

/** The sorted set commands. */
export const sortedSetCommands: CommandSpec[] = [];
void spec;
