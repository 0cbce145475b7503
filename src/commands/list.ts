/**
 * The list commands (Redis's t_list.c).
 *
 * @module
 */
import { type CommandSpec, groupSpec } from "./spec.ts";

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("list");

/** The list commands. */
export const listCommands: CommandSpec[] = [];
void spec;
