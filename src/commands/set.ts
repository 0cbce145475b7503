/**
 * The set commands (Redis's t_set.c).
 *
 * @module
 */
import { type CommandSpec, groupSpec } from "./spec.ts";

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("set");

/** The set commands. */
export const setCommands: CommandSpec[] = [];
void spec;
