/**
 * What a key holds. A Redis string is a plain JS string (one char per byte), which keeps the
 * common case small: 1M keys with short values cost a Map entry and two strings each. A value
 * that arrived as a typed RESP structure (the tutorial's integers, arrays and dictionaries) is a
 * `TypedValue` and is handed back with its types.
 *
 * The collections are classes, one file each: `ListValue` (list.ts), `HashValue` (hash.ts),
 * `SetValue` (set.ts) and `SortedSetValue` (zset.ts). A collection is never empty: the command
 * that removes its last element deletes the key, as in Redis.
 *
 * What commands do with a `TypedValue`: TYPE says `string`; GET, MGET, GETSET, GETDEL, GETEX,
 * SET ... GET, COPY, RENAME and MOVE keep the structure. A scalar (integer, double, simple
 * string, boolean, big number) also serves the string commands through its text (STRLEN,
 * GETRANGE, APPEND, INCR ...), and a command that changes it stores a plain string. An
 * aggregate (array, map, set) or null has no text: those commands answer WRONGTYPE.
 *
 * @example
 * ```ts
 * import { TypedValue, stringOf } from "./values.ts";
 * stringOf("abc"); // "abc"
 * stringOf(new TypedValue(42)); // "42"
 * stringOf(new TypedValue(["a"])); // null: WRONGTYPE for string commands
 * ```
 * @module
 */
import { type RespValue, scalarText } from "../resp/types.ts";
import { HashValue } from "./hash.ts";
import { ListValue } from "./list.ts";
import { SetValue } from "./set.ts";
import { SortedSetValue } from "./zset.ts";

export { HashValue, ListValue, SetValue, SortedSetValue };

/** A value stored with its RESP types (see the module doc). */
export class TypedValue {
  constructor(readonly value: RespValue) {}
}

/** A list, hash, set or sorted set. */
export type Collection = ListValue | HashValue | SetValue | SortedSetValue;

/** Anything a key can hold. */
export type Value = string | TypedValue | Collection;

/** The name TYPE answers. */
export function typeName(value: Value): string {
  if (typeof value === "string" || value instanceof TypedValue) return "string";
  if (value instanceof ListValue) return "list";
  if (value instanceof HashValue) return "hash";
  if (value instanceof SetValue) return "set";
  return "zset";
}

/**
 * A value that can be stored under a second key (COPY): collections are copied, strings and
 * typed values are immutable and shared.
 */
export function copyValue(value: Value): Value {
  if (typeof value === "string" || value instanceof TypedValue) return value;
  return value.copy();
}

/** The thresholds of the compact encodings, from CONFIG (`*-max-listpack-*`, `*-intset-*`). */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/** Whether GET-like commands accept the value (a string or a typed value). */
export function isStringType(value: Value): value is string | TypedValue {
  return typeof value === "string" || value instanceof TypedValue;
}

/** The bytes of a string-like value, or `null` when string commands must say WRONGTYPE. */
export function stringOf(value: Value): string | null {
  if (typeof value === "string") return value;
  if (!(value instanceof TypedValue)) return null;
  return scalarText(value.value);
}
