/**
 * The values that travel on the wire, shared by the server (typed request arguments, replies)
 * and the client (decoded replies).
 *
 * Bulk strings are JS strings holding one char per byte (latin1), which keeps them binary-safe:
 * every byte value 0..255 round-trips. Integers are numbers, or bigints beyond 2^53. Arrays
 * are JS arrays. The other RESP2/RESP3 types are small tagged objects so that a reply can be
 * written back with exactly the type it arrived with.
 *
 * @example
 * ```ts
 * import type { RespValue } from "./types.ts";
 * const dict: RespValue = { kind: "map", entries: [["name", 1]] };
 * ```
 * @module
 */

/** `+text` */
export interface RespSimple {
  readonly kind: "simple";
  readonly value: string;
}
/** `-text` or `!len` (blob error). */
export interface RespError {
  readonly kind: "error";
  readonly value: string;
}
/** `,1.5` (RESP3). */
export interface RespDouble {
  readonly kind: "double";
  readonly value: number;
  /** The text as it arrived, when it differs from `formatDouble(value)` (`0.10000000000000001`). */
  readonly text?: string;
}
/** `(123...` (RESP3), kept as its decimal text. */
export interface RespBigNumber {
  readonly kind: "bignum";
  readonly value: string;
}
/** `=len\r\ntxt:...` (RESP3). */
export interface RespVerbatim {
  readonly kind: "verbatim";
  readonly format: string;
  readonly value: string;
}
/** `%n` (RESP3, and the tutorial's dictionaries). */
export interface RespMap {
  readonly kind: "map";
  readonly entries: ReadonlyArray<readonly [RespValue, RespValue]>;
}
/** `~n` (RESP3). */
export interface RespSet {
  readonly kind: "set";
  readonly items: readonly RespValue[];
}
/** `>n` (RESP3 out-of-band data). */
export interface RespPush {
  readonly kind: "push";
  readonly items: readonly RespValue[];
}

/** Any RESP2 or RESP3 value. */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly RespValue[]
  | RespSimple
  | RespError
  | RespDouble
  | RespBigNumber
  | RespVerbatim
  | RespMap
  | RespSet
  | RespPush;

/** The protocol version a connection speaks. */
export type RespVersion = 2 | 3;

/** Builds a simple-string value. */
export function simple(value: string): RespSimple {
  return { kind: "simple", value };
}

/** Builds an error value. */
export function respError(value: string): RespError {
  return { kind: "error", value };
}

/**
 * The text a value stands for when a command needs a plain string argument: the digits of an
 * integer, the text of a simple string, and so on. Aggregates have none and give `null`.
 */
export function scalarText(value: RespValue): string | null {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "1" : "0";
    case "object":
      if (value === null || Array.isArray(value)) return null;
      switch ((value as { kind: string }).kind) {
        case "simple":
        case "error":
        case "bignum":
        case "verbatim":
          return (value as RespSimple).value;
        case "double":
          return doubleText(value as RespDouble);
      }
  }
  return null;
}

/** A double's text: as it arrived on the wire, else `formatDouble` of its value. */
export function doubleText(d: RespDouble): string {
  return d.text ?? formatDouble(d.value);
}

/** Formats a double the way RESP3 writes it: `inf`, `-inf`, `nan` or the shortest digits. */
export function formatDouble(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Number.isNaN(value)) return "nan";
  return String(value);
}
