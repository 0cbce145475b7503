/**
 * What a key holds. A Redis string is a plain JS string (one char per byte), which keeps the
 * common case small: 1M keys with short values cost a Map entry and two strings each. A value
 * that arrived as a typed RESP structure (the tutorial's integers, arrays and dictionaries) is a
 * `TypedValue` and is handed back with its types.
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

/** A value stored with its RESP types (see the module doc). */
export class TypedValue {
  constructor(readonly value: RespValue) {}
}

/** Anything a key can hold. */
export type Value = string | TypedValue;

/** The name TYPE answers. */
export function typeName(_value: Value): string {
  return "string";
}

/** Whether GET-like commands accept the value (a string or a typed value). */
export function isStringType(value: Value): boolean {
  return typeof value === "string" || value instanceof TypedValue;
}

/** The bytes of a string-like value, or `null` when string commands must say WRONGTYPE. */
export function stringOf(value: Value): string | null {
  if (typeof value === "string") return value;
  return scalarText(value.value);
}
