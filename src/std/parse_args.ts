/**
 * A typed face for `@std/cli`'s `parseArgs`. Our std modules come from the npm package
 * `deno-std` (JSR is out of reach), which ships JavaScript without types; this module gives
 * the one function we use the signature its documentation describes.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./parse_args.ts";
 * parseArgs(["-p", "7000", "get", "k"], { string: ["p", "_"], stopEarly: true });
 * // { _: ["get", "k"], p: "7000" }
 * ```
 * @module
 */
import { parseArgs as untypedParseArgs } from "@std/cli/parse-args";

/** Options of `parseArgs` that we use. */
export interface ParseOptions {
  string?: string[];
  boolean?: string[];
  negatable?: string[];
  alias?: Record<string, string | string[]>;
  default?: Record<string, unknown>;
  stopEarly?: boolean;
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/** The parsed arguments: positionals in `_`, flags by name. */
export interface Args {
  _: (string | number)[];
  [flag: string]: unknown;
}

/** Parses command-line arguments (see `@std/cli/parse-args`). */
export function parseArgs(args: string[], options: ParseOptions = {}): Args {
  return untypedParseArgs(args, options) as Args;
}
