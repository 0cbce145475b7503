/**
 * Argument parsing shared by the command groups, with Redis's rules and error texts: integers
 * as `string2ll` reads them, expiry options, and the typed lookups every group needs.
 *
 * @example
 * ```ts
 * import { integerArg } from "./args.ts";
 * integerArg("42"); // 42
 * integerArg("4x"); // throws CommandError("ERR value is not an integer or out of range")
 * ```
 * @module
 */
import { NotifyType } from "../keyspace/notify.ts";
import type { Database } from "../keyspace/database.ts";
import { type Collection, stringOf, TypedValue, type Value } from "../keyspace/values.ts";
import { parseLongDouble } from "./long_double.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, Errors } from "./spec.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a 64-bit integer exactly as Redis's `string2ll` does, or returns null. */
export function parseInt64(text: string): bigint | null {
  const n = text.length;
  if (n === 0 || n > 20) return null;
  if (text === "0") return 0n;
  if (!/^-?[1-9][0-9]*$/.test(text)) return null;
  const v = BigInt(text);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/**
 * A canonical integer of at most 15 digits as a number (exact in a double, so sums of two are
 * exact and within 64 bits), else NaN: the fast path of counters (INCR, HINCRBY) before
 * `parseInt64`.
 */
export function parseSmallInteger(text: string): number {
  const n = text.length;
  if (n === 0 || n > 16) return NaN;
  let i = 0;
  const negative = text.charCodeAt(0) === 45;
  if (negative) {
    if (n === 1) return NaN;
    i = 1;
  }
  if (n - i > 15) return NaN;
  const first = text.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** An integer argument as a number (beyond 2^53 approximated); throws Redis's error. */
export function integerArg(text: string, error: string = Errors.notInteger): number {
  if (text.length < 16 && /^(0|-?[1-9][0-9]*)$/.test(text)) return Number(text);
  const v = parseInt64(text);
  if (v === null) throw new CommandError(error);
  return Number(v);
}

/**
 * An integer of at least `min`, as Redis's `getPositiveLongFromObjectOrReply` (min 0) and
 * `getRangeLongFromObjectOrReply(min, LONG_MAX)` read it: `error` (the full text) for anything
 * else, a non-integer included.
 */
export function integerAtLeast(text: string, min: number, error: string): number {
  const n = integerArg(text, error);
  if (n < min) throw new CommandError(error);
  return n;
}

/** The parsed `numkeys key [key ...] <where> [COUNT count]` of LMPOP, ZMPOP and their B- forms. */
export interface MultiPopArgs {
  keys: string[];
  /** Whether `where` was the first of the two choices (LEFT, MIN). */
  first: boolean;
  count: number;
}

/**
 * Parses a multi-pop's arguments from `argv[numkeysIndex]` on, in the order and with the errors
 * of Redis's lmpopGenericCommand and zmpopGenericCommand; `choices` are the two words `where`
 * may be (`["left", "right"]`, `["min", "max"]`).
 */
export function parseMultiPop(
  argv: string[],
  numkeysIndex: number,
  choices: readonly [string, string],
): MultiPopArgs {
  const numkeys = integerAtLeast(argv[numkeysIndex]!, 1, "ERR numkeys should be greater than 0");
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) throw new CommandError(Errors.syntax);
  const where = argv[whereIndex]!.toLowerCase();
  if (where !== choices[0] && where !== choices[1]) throw new CommandError(Errors.syntax);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === "count" && j + 1 < argv.length) {
      count = integerAtLeast(argv[++j]!, 1, "ERR count should be greater than 0");
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  return {
    keys: argv.slice(numkeysIndex + 1, whereIndex),
    first: where === choices[0],
    count: count === -1 ? 1 : count,
  };
}

/** An integer argument as an exact bigint; throws Redis's error. */
export function int64Arg(text: string): bigint {
  const v = parseInt64(text);
  if (v === null) throw new CommandError(Errors.notInteger);
  return v;
}

/** Whether the int64 arithmetic result is out of range. */
export function outOfInt64(v: bigint): boolean {
  return v < INT64_MIN || v > INT64_MAX;
}

/** Looks a key up for reading, counting keyspace hits and misses as Redis does. */
export function lookupRead(ctx: ClientContext, key: string): Value | undefined {
  const value = ctx.db.lookup(key);
  if (value === undefined) {
    ctx.server.stats.keyspaceMisses++;
    ctx.server.notifyKeyspaceEvent(NotifyType.keyMiss, "keymiss", key, ctx.db.index);
  } else ctx.server.stats.keyspaceHits++;
  return value;
}

/** The string at `key` (null when missing); throws WRONGTYPE for other types. */
export function readString(ctx: ClientContext, key: string): string | null {
  return stringValue(lookupRead(ctx, key));
}

/** Like `readString` but for a write path (no hit/miss accounting). */
export function writableString(db: Database, key: string): string | null {
  return stringValue(db.lookup(key));
}

/** The bytes of a looked-up value (null when missing); WRONGTYPE when it has none. */
function stringValue(value: Value | undefined): string | null {
  if (value === undefined) return null;
  const s = stringOf(value);
  if (s === null) throw new CommandError(Errors.wrongType);
  return s;
}

/** The value argument `i` as it should be stored: typed when it arrived typed. */
export function valueArg(ctx: ClientContext, argv: string[], i: number): Value {
  const typed = ctx.typed?.[i];
  return typed === undefined ? argv[i]! : new TypedValue(typed);
}

/** Writes a stored value as a reply: bulk string, or the typed structure it arrived as. */
export function replyValue(ctx: ClientContext, value: string | TypedValue | undefined): void {
  if (value === undefined) ctx.out.null();
  else if (typeof value === "string") ctx.out.bulk(value);
  else ctx.out.value(value.value);
}

/** The length of a string must stay within proto-max-bulk-len. */
export function checkStringLength(ctx: ClientContext, length: number): void {
  // Values are JS strings, which V8 caps just below Redis's 512 MB default.
  const limit = Math.min(ctx.server.config.getNumber("proto-max-bulk-len"), MAX_STRING_LENGTH);
  if (length > limit) throw new CommandError(Errors.tooBig);
}

/** The longest string V8 can hold (2^29 - 24 chars on 64-bit), and so the longest value. */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/**
 * The largest reply a pick with repeats (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER with a negative
 * count) may build. Redis has no limit: `SRANDMEMBER s -1000000000000` has it buffer the reply
 * until it runs out of memory, taking every client with it. Here such a reply is refused before
 * anything is written, and the connection goes on.
 */
const MAX_RANDOM_REPLY_BYTES = 512 * 1024 * 1024;

/** The reply to a pick with repeats larger than MAX_RANDOM_REPLY_BYTES. */
export const randomReplyTooLarge = "ERR value is out of range, the reply would exceed 512 MB";

/** The bytes of a bulk string reply holding `length` bytes: `$<length>\r\n<bytes>\r\n`. */
export function bulkReplyBytes(length: number): number {
  return length + 5 + String(length).length;
}

/**
 * Refuses (randomReplyTooLarge) a reply of `count` picks with repeats from a collection of
 * `size` elements whose replies average `averageReplyBytes()` bytes each, when it would pass
 * MAX_RANDOM_REPLY_BYTES. Up to the size, the reply is about as large as the collection, which
 * is in memory already; beyond it, measuring the elements (O(size)) costs less than the reply
 * (O(count)), and `averageReplyBytes` is only called then.
 */
export function checkRandomReplySize(
  count: number,
  size: number,
  averageReplyBytes: () => number,
): void {
  if (count <= size) return;
  // Every pick costs at least an empty bulk string ("$0\r\n\r\n"): absurd counts need no measuring.
  if (count * 6 > MAX_RANDOM_REPLY_BYTES || count * averageReplyBytes() > MAX_RANDOM_REPLY_BYTES) {
    throw new CommandError(randomReplyTooLarge);
  }
}

/**
 * Converts an EX/PX/EXAT/PXAT amount to an absolute ms time, with Redis's checks: the amount
 * must be an integer, positive, and the result must fit in 64 bits. The time is exact (a
 * bigint): `PXAT 9223372036854775807` is reported back by PEXPIRETIME digit for digit.
 */
export function expiryAt(kind: string, amount: string, now: number, command: string): bigint {
  const v = int64Arg(amount);
  const invalid = new CommandError(`ERR invalid expire time in '${command}' command`);
  if (v <= 0n) throw invalid;
  const seconds = kind === "ex" || kind === "exat";
  if (seconds && v > INT64_MAX / 1000n) throw invalid;
  let ms = seconds ? v * 1000n : v;
  if (kind === "ex" || kind === "px") {
    ms += BigInt(now);
    if (ms > INT64_MAX) throw invalid;
  }
  return ms;
}

/** A collection class (ListValue, HashValue, SetValue, SortedSetValue). */
// deno-lint-ignore no-explicit-any
export type CollectionClass<T extends Collection> = new (...args: any[]) => T;

/**
 * The collection of class `kind` at `key` for a read command, counting a keyspace hit or miss
 * as Redis's `lookupKeyRead` does; null when the key is missing; WRONGTYPE when it holds
 * another type.
 */
export function readCollection<T extends Collection>(
  ctx: ClientContext,
  key: string,
  kind: CollectionClass<T>,
): T | null {
  const value = lookupRead(ctx, key);
  if (value === undefined) return null;
  if (!(value instanceof kind)) throw new CommandError(Errors.wrongType);
  return value;
}

/** Like `readCollection` for a write command (`lookupKeyWrite`: no hit/miss accounting). */
export function writeCollection<T extends Collection>(
  db: Database,
  key: string,
  kind: CollectionClass<T>,
): T | null {
  const value = db.lookup(key);
  if (value === undefined) return null;
  if (!(value instanceof kind)) throw new CommandError(Errors.wrongType);
  return value;
}

/**
 * The deadline (epoch ms, Infinity for none) of a blocking command's timeout argument, read as
 * Redis 7.0's `getTimeoutFromObjectOrReply` reads it: seconds as a long double, multiplied by
 * 1000 and rounded up; 0 (or less than a ms below zero) waits forever; a negative value, or one
 * too large for a 64-bit count of ms (which C turns negative), is refused as negative.
 */
export function timeoutDeadline(ctx: ClientContext, text: string): number {
  // The common case (`BLPOP q 0`, `BLPOP q 5`) without long double arithmetic.
  if (/^(0|[1-9][0-9]{0,8})$/.test(text)) {
    return text === "0" ? Infinity : ctx.server.clock.now() + Number(text) * 1000;
  }
  const seconds = parseLongDouble(text);
  if (seconds === null) throw new CommandError("ERR timeout is not a float or out of range");
  const ms = "inf" in seconds ? null : timeoutMs(seconds);
  if (ms === null || ms < 0n) throw new CommandError("ERR timeout is negative");
  return ms === 0n ? Infinity : ctx.server.clock.now() + Number(ms);
}

function timeoutMs(v: { m: bigint; e: number }): bigint | null {
  let p = v.m * 1000n;
  let e = v.e;
  const neg = p < 0n;
  if (neg) p = -p;
  const bits = p.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const rem = p & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    p >>= shift;
    e += bits - 64;
    if (rem > half || (rem === half && (p & 1n) === 1n)) {
      p += 1n;
      if (p >= 1n << 64n) {
        p >>= 1n;
        e++;
      }
    }
  }
  if (p === 0n) return 0n;
  if (e + p.toString(2).length > 64) return null;
  let ms: bigint;
  if (e >= 0) ms = p << BigInt(e);
  else {
    const d = 1n << BigInt(-e);
    ms = p / d;
    if (!neg && p % d !== 0n) ms += 1n; // ceil; for negatives, truncation is the ceil
  }
  if (neg) ms = -ms;
  return ms >= 2n ** 63n ? null : ms;
}
