/**
 * The hash commands (Redis's t_hash.c).
 *
 * @module
 */
import { type CommandSpec, groupSpec } from "./spec.ts";

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("hash");

/** The hash commands. */
export const hashCommands: CommandSpec[] = [];
void spec;
