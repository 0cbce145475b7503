/**
 * The generic key commands (Redis's db.c, expire.c, sort.c and object.c): DEL, EXISTS, TYPE,
 * the EXPIRE family, TTL queries, RENAME, COPY, MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, SORT,
 * SORT_RO, OBJECT, and the tutorial's DELETE and FLUSH, which exist in every mode.
 *
 * A key's last access (OBJECT IDLETIME, FREQ) is kept by its database: looking a key up counts
 * as an access, except for the commands Redis looks keys up for with LOOKUP_NOTOUCH (TYPE,
 * EXISTS, the TTL queries, OBJECT), which `peekRead` serves.
 *
 * Writes report their changes as db.c, expire.c and sort.c do: the modification signal, the
 * keyspace event (`del`, `expire`, `persist`, `rename_from` and `rename_to`, `move_from` and
 * `move_to`, `copy_to`, `sortstore`; `new` wherever a key is added) and the dirty count.
 * They are logged (the AOF) as they ran, but for the EXPIRE family: as expire.c rewrites it,
 * as PEXPIREAT with the absolute time (options kept), or as DEL for a time already past.
 *
 * @module
 */
import type { Database, StringEncoding } from "../keyspace/database.ts";
import { keyChanged, keyCreated, NotifyType, storeOrDelete } from "../keyspace/notify.ts";
import {
  copyValue,
  HashValue,
  ListValue,
  SetValue,
  SortedSetValue,
  stringOf,
  TypedValue,
  typeName,
  type Value,
} from "../keyspace/values.ts";
import { parseDoubleLoose } from "../resp/double.ts";
import { int64Arg, integerArg, lookupRead, parseInt64 } from "./args.ts";
import { helpReply } from "./connection.ts";
import type { ClientContext, ServerContext } from "./context.ts";
import { pqsort } from "./pqsort.ts";
import { parseCursor, parseScanOptions } from "./scan.ts";
import { command, CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Looks a key up for a command that reads it without counting as an access (Redis's
 * LOOKUP_NOTOUCH: TYPE, EXISTS, TTL, OBJECT), counting a keyspace hit or miss; a miss is a
 * `keymiss` event unless `notifyMiss` is false (OBJECT's LOOKUP_NONOTIFY).
 */
function peekRead(ctx: ClientContext, key: string, notifyMiss = true): Value | undefined {
  const value = ctx.db.peek(key);
  if (value === undefined) {
    ctx.server.stats.keyspaceMisses++;
    if (notifyMiss) {
      ctx.server.notifyKeyspaceEvent(NotifyType.keyMiss, "keymiss", key, ctx.db.index);
    }
  } else ctx.server.stats.keyspaceHits++;
  return value;
}

/**
 * How a deletion a command made is logged (the AOF), as Redis rewrites it: `UNLINK key` when
 * the lazy-free parameter `lazyfree` is on (it decides how Redis freed it), else `DEL key`.
 */
export function loggedDeletion(
  ctx: ClientContext,
  lazyfree: "lazyfree-lazy-expire" | "lazyfree-lazy-user-del" | "lazyfree-lazy-server-del",
  key: string,
): string[] {
  return [ctx.server.config.get(lazyfree) === "yes" ? "UNLINK" : "DEL", key];
}

/** The generic event `event` on `key` of the client's database, with signal and dirty count. */
function changed(ctx: ClientContext, event: string, key: string): void {
  keyChanged(ctx.server, ctx.db, NotifyType.generic, event, key);
}

function del(ctx: ClientContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    // An expired key is reported expired by the lookup, not deleted by DEL.
    if (ctx.db.peek(argv[i]!) !== undefined && ctx.db.delete(argv[i]!)) {
      changed(ctx, "del", argv[i]!);
      n++;
    }
  }
  ctx.out.integer(n);
}

function exists(ctx: ClientContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (peekRead(ctx, argv[i]!) !== undefined) n++;
  ctx.out.integer(n);
}

function type(ctx: ClientContext, argv: string[]): void {
  const value = peekRead(ctx, argv[1]!);
  ctx.out.simple(value === undefined ? "none" : typeName(value));
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `seconds` scales the amount, `relative` adds now. */
function expireGeneric(ctx: ClientContext, argv: string[], seconds: boolean, relative: boolean) {
  let nx = false, xx = false, gt = false, lt = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === "nx") nx = true;
    else if (opt === "xx") xx = true;
    else if (opt === "gt") gt = true;
    else if (opt === "lt") lt = true;
    // Redis formats the option with %s, which ends at a NUL byte.
    else throw new CommandError(`ERR Unsupported option ${argv[j]!.split("\0", 1)[0]}`);
  }
  if ((nx && xx) || (nx && gt) || (nx && lt)) {
    throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) throw new CommandError("ERR GT and LT options at the same time are not compatible");
  let when = int64Arg(argv[2]!);
  const invalid = new CommandError(
    `ERR invalid expire time in '${argv[0]!.toLowerCase()}' command`,
  );
  const now = ctx.server.clock.now();
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw invalid;
    when *= 1000n;
  }
  const base = relative ? BigInt(now) : 0n;
  if (when > INT64_MAX - base) throw invalid;
  when += base;
  const key = argv[1]!;
  const db = ctx.db;
  if (db.lookup(key) === undefined) return ctx.out.integer(0);
  if (nx || xx || gt || lt) {
    const current = db.getExpireExact(key);
    if (nx && current !== undefined) return ctx.out.integer(0);
    if (xx && current === undefined) return ctx.out.integer(0);
    if (gt && (current === undefined || when <= current)) return ctx.out.integer(0);
    if (lt && current !== undefined && when >= current) return ctx.out.integer(0);
  }
  // A time already past deletes the key, reported (and logged) as a DEL.
  if (when <= now) {
    db.delete(key);
    changed(ctx, "del", key);
    ctx.propagateAs = loggedDeletion(ctx, "lazyfree-lazy-expire", key);
  } else {
    db.setExpire(key, when);
    changed(ctx, "expire", key);
    // Logged as PEXPIREAT with the absolute time; PEXPIREAT itself as it came.
    if (seconds || relative) {
      ctx.propagateAs = ["PEXPIREAT", key, String(when), ...argv.slice(3)];
    }
  }
  ctx.out.integer(1);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(ctx: ClientContext, argv: string[], ms: boolean, absolute: boolean): void {
  const key = argv[1]!;
  if (peekRead(ctx, key) === undefined) return ctx.out.integer(-2);
  const at = ctx.db.getExpireExact(key);
  if (at === undefined) return ctx.out.integer(-1);
  let ttl = absolute ? at : at - BigInt(ctx.server.clock.now());
  if (ttl < 0n) ttl = 0n;
  if (!ms) ttl = (ttl + 500n) / 1000n;
  ctx.out.integer(ttl);
}

function persist(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  if (ctx.db.lookup(key) === undefined || !ctx.db.persist(key)) return ctx.out.integer(0);
  changed(ctx, "persist", key);
  ctx.out.integer(1);
}

function renameGeneric(ctx: ClientContext, argv: string[], nx: boolean): void {
  const [, src, dst] = argv as [string, string, string];
  const db = ctx.db;
  const value = db.lookup(src);
  if (value === undefined) throw new CommandError(Errors.noSuchKey);
  if (src === dst) return nx ? ctx.out.integer(0) : ctx.out.ok();
  const at = db.getExpireExact(src);
  if (db.lookup(dst) !== undefined) {
    if (nx) return ctx.out.integer(0);
    db.delete(dst);
  }
  // Redis moves the value object itself, with its access clock and encoding.
  const word = db.accessWord(src);
  db.delete(src);
  db.set(dst, value);
  db.restoreAccessWord(dst, word);
  if (at !== undefined) db.setExpire(dst, at);
  // The destination is added anew (`new`), even when it replaced a key.
  const server = ctx.server;
  keyCreated(server, db, dst);
  server.signalModifiedKey(db, src);
  server.signalModifiedKey(db, dst);
  server.notifyKeyspaceEvent(NotifyType.generic, "rename_from", src, db.index);
  server.notifyKeyspaceEvent(NotifyType.generic, "rename_to", dst, db.index);
  server.dirty++;
  if (nx) ctx.out.integer(1);
  else ctx.out.ok();
}

/**
 * A database index argument, range-checked against `databases`. As Redis's
 * `getIntFromObjectOrReply`, `error` (when given) replaces both the not-an-integer and the
 * out-of-int-range errors.
 */
export function databaseArg(ctx: ClientContext, text: string, error?: string): Database {
  const index = integerArg(text, error);
  if (index > 2 ** 31 - 1 || index < -(2 ** 31)) {
    throw new CommandError(
      error ?? "ERR value is out of range, value must between -2147483648 and 2147483647",
    );
  }
  const target = ctx.server.databases[index];
  if (target === undefined) throw new CommandError(Errors.dbIndexOutOfRange);
  return target;
}

function copy(ctx: ClientContext, argv: string[]): void {
  const [, src, dst] = argv as [string, string, string];
  let replace = false;
  let target = ctx.db;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === "replace") replace = true;
    else if (opt === "db" && j + 1 < argv.length) target = databaseArg(ctx, argv[++j]!);
    else throw new CommandError(Errors.syntax);
  }
  if (target === ctx.db && src === dst) throw new CommandError(Errors.sameObject);
  const value = lookupRead(ctx, src);
  if (value === undefined) return ctx.out.integer(0);
  const at = ctx.db.getExpireExact(src);
  if (target.lookup(dst) !== undefined) {
    if (!replace) return ctx.out.integer(0);
    target.delete(dst);
  }
  // Collections are copied; strings are immutable and typed values never modified in place,
  // so sharing them is a copy.
  target.set(dst, copyValue(value));
  // Redis's dupStringObject keeps the encoding, but an integer it copies is no longer shared.
  if (typeof value === "string") target.setStringEncoding(dst, stringEncoding(ctx.db, src, value));
  if (at !== undefined) target.setExpire(dst, at);
  // A replaced destination is deleted, then added anew (`new`).
  keyCreated(ctx.server, target, dst);
  keyChanged(ctx.server, target, NotifyType.generic, "copy_to", dst);
  ctx.out.integer(1);
}

function move(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const target = databaseArg(ctx, argv[2]!);
  if (target === ctx.db) throw new CommandError(Errors.sameObject);
  const value = ctx.db.lookup(key);
  if (value === undefined) return ctx.out.integer(0);
  const at = ctx.db.getExpireExact(key);
  if (target.lookup(key) !== undefined) return ctx.out.integer(0);
  target.set(key, value);
  target.restoreAccessWord(key, ctx.db.accessWord(key));
  if (at !== undefined) target.setExpire(key, at);
  ctx.db.delete(key);
  const server = ctx.server;
  keyCreated(server, target, key);
  server.signalModifiedKey(ctx.db, key);
  server.signalModifiedKey(target, key);
  server.notifyKeyspaceEvent(NotifyType.generic, "move_from", key, ctx.db.index);
  server.notifyKeyspaceEvent(NotifyType.generic, "move_to", key, target.index);
  server.dirty++;
  ctx.out.integer(1);
}

function keys(ctx: ClientContext, argv: string[]): void {
  ctx.out.bulkArray(ctx.db.keys(argv[1]!));
}

function scan(ctx: ClientContext, argv: string[]): void {
  const cursor = parseCursor(argv[1]!);
  const { count, match, type } = parseScanOptions(argv, 2, true);
  const page = ctx.db.scan(cursor, count, { match, type });
  ctx.out.arrayLength(2);
  ctx.out.bulk(page.cursor);
  ctx.out.bulkArray(page.keys);
}

function randomkey(ctx: ClientContext): void {
  ctx.out.bulk(ctx.db.randomKey());
}

function touch(ctx: ClientContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(ctx, argv[i]!) !== undefined) n++;
  ctx.out.integer(n);
}

// ---------------------------------------------------------------------------------------------
// SORT and SORT_RO (Redis's sort.c)

/** One element being sorted, with its weight: a score, or for ALPHA ... BY the BY value. */
interface SortItem {
  element: string;
  score: number;
  weight: string | null;
}

/** SORT's options, parsed as `sortCommandGeneric` parses them. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  store: string | null;
  by: string | null;
  /** A BY pattern without `*` was given: keep the collection's order. */
  dontSort: boolean;
  gets: string[];
}

/** The part of `text` C's string functions see: up to its first NUL byte. */
function cString(text: string): string {
  const nul = text.indexOf("\0");
  return nul === -1 ? text : text.slice(0, nul);
}

function parseSortOptions(argv: string[], readonly: boolean): SortOptions {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    store: null,
    by: null,
    dontSort: false,
    gets: [],
  };
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (opt === "asc") o.desc = false;
    else if (opt === "desc") o.desc = true;
    else if (opt === "alpha") o.alpha = true;
    else if (opt === "limit" && left >= 2) {
      o.limitStart = integerArg(argv[++j]!);
      o.limitCount = integerArg(argv[++j]!);
    } else if (opt === "store" && left >= 1 && !readonly) o.store = argv[++j]!;
    else if (opt === "by" && left >= 1) {
      o.by = argv[++j]!;
      // A constant pattern weighs every element alike: nothing to sort (and it stays so even
      // if a later BY has a `*`, as in Redis).
      if (!cString(o.by).includes("*")) o.dontSort = true;
    } else if (opt === "get" && left >= 1) o.gets.push(argv[++j]!);
    else throw new CommandError(Errors.syntax);
  }
  return o;
}

/**
 * Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` of the
 * pattern is replaced by the element to make a key name, and a `->field` after the `*` reads
 * that field of the hash there. Null when the pattern has no `*`, the key is missing or of
 * another type. The lookup counts as a read of that key.
 */
function lookupByPattern(ctx: ClientContext, pattern: string, element: string): string | null {
  if (pattern === "#" || pattern.startsWith("#\0")) return element;
  // strchr and strstr stop at a NUL byte; the lengths below are the whole pattern's.
  const visible = cString(pattern);
  const star = visible.indexOf("*");
  if (star === -1) return null;
  const arrow = visible.indexOf("->", star + 1);
  const hasField = arrow !== -1 && arrow + 2 < pattern.length && pattern[arrow + 2] !== "\0";
  const fieldLength = hasField ? pattern.length - arrow - 2 : 0;
  const postfixLength = pattern.length - star - 1 - (hasField ? fieldLength + 2 : 0);
  const key = pattern.slice(0, star) + element + pattern.substr(star + 1, postfixLength);
  const value = lookupRead(ctx, key);
  if (value === undefined) return null;
  if (hasField) {
    if (!(value instanceof HashValue)) return null;
    return value.fields.get(pattern.slice(arrow + 2)) ?? null;
  }
  return value instanceof TypedValue || typeof value === "string" ? stringOf(value) : null;
}

/** The smallest positive normal double (DBL_MIN): below it strtod reports ERANGE. */
const DBL_MIN = 2.2250738585072014e-308;

/**
 * A weight as SORT reads it: C's strtod over the text up to its first NUL, which must be
 * read whole; leading space is skipped and an empty text is 0; NaN, and a value out of
 * range (overflow to infinity, or underflow, which strtod reports for results below DBL_MIN
 * written in decimal), is an error (null).
 */
function sortScore(raw: string): number | null {
  const text = cString(raw);
  if (text === "") return 0;
  const value = parseDoubleLoose(text);
  if (value === null || Number.isNaN(value)) return null;
  const number = text.replace(/^[ \t\n\v\f\r]+/, "");
  if (!Number.isFinite(value)) return /^[+-]?inf/i.test(number) ? value : null;
  const hex = /^[+-]?0x/i.test(number);
  if (value === 0) {
    // Underflow: nonzero digits that came out as 0.
    const digits = hex ? number.replace(/^[+-]?0x|p.*$/gi, "") : number.replace(/e.*$/i, "");
    return (hex ? /[1-9a-f]/i : /[1-9]/).test(digits) ? null : 0;
  }
  return Math.abs(value) < DBL_MIN && !hex ? null : value;
}

/** memcmp order, then length: Redis's compareStringObjects (JS compares latin1 alike). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order of the C strings, which end at a NUL byte. */
function compareCStrings(a: string, b: string): number {
  return compareBytes(cString(a), cString(b));
}

/** Redis's sortCompare for the options of one SORT. */
function sortComparator(o: SortOptions): (a: SortItem, b: SortItem) => number {
  const byPattern = o.by !== null;
  const store = o.store !== null;
  let cmp: (a: SortItem, b: SortItem) => number;
  if (!o.alpha) {
    // Equal scores fall back to the elements, so that the result is deterministic.
    cmp = (a, b) =>
      a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
  } else if (byPattern) {
    const text = store ? compareBytes : compareCStrings;
    cmp = (a, b) => {
      if (a.weight === null || b.weight === null) {
        return a.weight === b.weight ? 0 : a.weight === null ? -1 : 1;
      }
      return text(a.weight, b.weight);
    };
  } else {
    const text = store ? compareBytes : compareCStrings;
    cmp = (a, b) => text(a.element, b.element);
  }
  return o.desc ? (a, b) => -cmp(a, b) : cmp;
}

/** The elements of a sorted set in score order, `count` of them from `start` (or from the end). */
function zsetRange(zset: SortedSetValue, start: number, count: number, desc: boolean): string[] {
  const out: string[] = [];
  if (count <= 0) return out;
  let n = zset.nodeAt(desc ? zset.size - start - 1 : start);
  for (let i = 0; i < count; i++, n = desc ? zset.prev(n) : zset.next(n)) out.push(zset.member(n));
  return out;
}

/** SORT and SORT_RO: Redis 7.0's sortCommandGeneric, step for step. */
function sortGeneric(ctx: ClientContext, argv: string[], readonly = false): void {
  const o = parseSortOptions(argv, readonly);
  const value = lookupRead(ctx, argv[1]!);
  if (
    value !== undefined && !(value instanceof ListValue) && !(value instanceof SetValue) &&
    !(value instanceof SortedSetValue)
  ) {
    throw new CommandError(Errors.wrongType);
  }
  const sorted = value ?? new ListValue();
  // A set has no order of its own: what SORT stores must not depend on it, so it is sorted.
  if (o.dontSort && sorted instanceof SetValue && o.store !== null) {
    o.dontSort = false;
    o.alpha = true;
    o.by = null;
  }
  // Redis converts a listpack sorted set for SORT, for good.
  if (sorted instanceof SortedSetValue) sorted.listpack = false;
  let length = sorted instanceof ListValue ? sorted.length : sorted.size;
  // LIMIT, clamped as Redis clamps it.
  let start = Math.min(Math.max(o.limitStart, 0), length);
  const limitCount = Math.min(Math.max(o.limitCount, -1), length);
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;
  let elements: string[];
  if (o.dontSort && !(sorted instanceof SetValue)) {
    // Lists and sorted sets keep their order: load just the range, reversed for DESC.
    if (start !== 0 || end !== length - 1) length = end - start + 1;
    elements = sorted instanceof ListValue
      ? listRange(sorted, start, end >= start ? length : 0, o.desc)
      : zsetRange(sorted, start, length, o.desc);
    end -= start;
    start = 0;
  } else if (sorted instanceof ListValue) elements = [...sorted];
  else if (sorted instanceof SetValue) elements = [...sorted];
  else elements = [...sorted.entries()].map(([member]) => member);
  const items: SortItem[] = elements.map((element) => ({ element, score: 0, weight: null }));
  let badScore = false;
  if (!o.dontSort) {
    for (const item of items) {
      let weight = item.element;
      if (o.by !== null) {
        const found = lookupByPattern(ctx, o.by, item.element);
        // A missing weight counts as 0 (or, for ALPHA, sorts first).
        if (found === null) continue;
        weight = found;
      }
      if (o.alpha) {
        if (o.by !== null) item.weight = weight;
      } else {
        const score = sortScore(weight);
        if (score === null) badScore = true;
        else item.score = score;
      }
    }
    if (badScore) throw new CommandError("ERR One or more scores can't be converted into double");
    const cmp = sortComparator(o);
    if (o.by !== null && (start !== 0 || end !== items.length - 1)) pqsort(items, cmp, start, end);
    else items.sort(cmp); // stable, as glibc's merge sort qsort
  }
  replySorted(ctx, o, items, start, end);
}

/** `count` elements of a list from `start`, or from the tail backwards for DESC. */
function listRange(list: ListValue, start: number, count: number, desc: boolean): string[] {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = list.at(desc ? list.length - start - 1 - i : start + i);
  return out;
}

/** Replies (or STOREs) items `start..end`, each as itself or as its GET patterns' values. */
function replySorted(
  ctx: ClientContext,
  o: SortOptions,
  items: SortItem[],
  start: number,
  end: number,
): void {
  const count = end - start + 1;
  const outputLength = o.gets.length > 0 ? o.gets.length * count : count;
  if (o.store === null) {
    ctx.out.arrayLength(outputLength);
    for (let j = start; j <= end; j++) {
      const element = items[j]!.element;
      if (o.gets.length === 0) ctx.out.bulk(element);
      for (const pattern of o.gets) ctx.out.bulk(lookupByPattern(ctx, pattern, element));
    }
    return;
  }
  const list = new ListValue();
  for (let j = start; j <= end; j++) {
    const element = items[j]!.element;
    if (o.gets.length === 0) list.pushBack(element);
    for (const pattern of o.gets) list.pushBack(lookupByPattern(ctx, pattern, element) ?? "");
  }
  // An empty result deletes the destination, whatever it held.
  const value = outputLength > 0 ? list : null;
  storeOrDelete(ctx.server, ctx.db, o.store, value, NotifyType.list, "sortstore", outputLength);
  ctx.out.integer(outputLength);
}

/** A key COMMAND GETKEYS finds, with its key-spec flags. */
export interface KeyPosition {
  position: number;
  flags: readonly string[];
}

/**
 * COMMAND GETKEYS for SORT (Redis's sortGetKeys): the sorted key, and the destination of the
 * last STORE, skipping the arguments of LIMIT, GET and BY (whose keys are not known).
 */
export function sortGetKeys(argv: readonly string[]): KeyPosition[] {
  const keys: KeyPosition[] = [{ position: 1, flags: ["RO", "access"] }];
  let store: KeyPosition | null = null;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!.toLowerCase();
    if (arg === "limit") i += 2;
    else if (arg === "get" || arg === "by") i += 1;
    else if (arg === "store" && i + 1 < argv.length) {
      store = { position: i + 1, flags: ["OW", "update"] };
    }
  }
  if (store !== null) keys.push(store);
  return keys;
}

/** COMMAND GETKEYS for SORT_RO (Redis's sortROGetKeys): the sorted key. */
export function sortRoGetKeys(_argv: readonly string[]): KeyPosition[] {
  return [{ position: 1, flags: ["RO", "access"] }];
}

// ---------------------------------------------------------------------------------------------
// OBJECT (Redis's object.c)

/** Integers Redis keeps one shared object for (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;
/** The reference count of a shared object (OBJ_SHARED_REFCOUNT, INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
/** The longest string Redis stores embedded in its object (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_SIZE_LIMIT = 44;

/**
 * The encoding Redis gives the string `text` at `key`: what `tryObjectEncoding` makes of it
 * (`int` for a 64-bit integer in canonical form, `embstr` up to 44 bytes, else `raw`), unless
 * the command that stored it made another (APPEND, SETRANGE, INCRBYFLOAT, COPY).
 */
export function stringEncoding(db: Database, key: string, text: string): StringEncoding {
  const recorded = db.stringEncoding(key);
  if (recorded !== null) return recorded;
  if (text.length <= 20 && parseInt64(text) !== null) return "int";
  return text.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
}

function objectEncoding(ctx: ClientContext, key: string, value: Value): string {
  if (typeof value === "string") return stringEncoding(ctx.db, key, value);
  if (value instanceof TypedValue) {
    const text = stringOf(value);
    return text === null ? "raw" : stringEncoding(ctx.db, key, text);
  }
  return value.encoding;
}

/** Whether maxmemory-policy is an LFU one (MAXMEMORY_FLAG_LFU). */
function lfuPolicy(server: ServerContext): boolean {
  return (server.config.get("maxmemory-policy") ?? "").endsWith("-lfu");
}

/**
 * Brings the databases' access counting in line with the configuration (maxmemory-policy,
 * lfu-log-factor, lfu-decay-time). OBJECT calls it before reading; the server may also call it
 * whenever one of those parameters changes, so that accesses are counted the new way at once.
 */
export function syncAccessPolicy(server: ServerContext): void {
  const policy = {
    lfu: lfuPolicy(server),
    lfuLogFactor: server.config.getNumber("lfu-log-factor"),
    lfuDecayTime: server.config.getNumber("lfu-decay-time"),
  };
  for (const db of server.databases) db.setAccessPolicy(policy);
}

/**
 * OBJECT REFCOUNT: Redis shares one object among all keys holding an integer below 10000
 * (unless maxmemory with an LRU or LFU policy forbids it), and COPY makes a private one.
 */
function objectRefcount(ctx: ClientContext, key: string, value: Value): number {
  if (typeof value !== "string" || stringEncoding(ctx.db, key, value) !== "int") return 1;
  if (ctx.db.stringEncoding(key) === "int") return 1;
  const n = Number(value);
  if (n < 0 || n >= SHARED_INTEGERS) return 1;
  const policy = ctx.server.config.get("maxmemory-policy") ?? "";
  const noShared = ctx.server.config.getNumber("maxmemory") !== 0 &&
    (policy.endsWith("-lru") || policy.endsWith("-lfu"));
  return noShared ? 1 : SHARED_REFCOUNT;
}

/** The value at OBJECT's key argument, or null after replying nil for a missing key. */
function objectValue(ctx: ClientContext, argv: string[]): Value | null {
  const value = peekRead(ctx, argv[2]!, false);
  if (value === undefined) ctx.out.null();
  return value ?? null;
}

/**
 * OBJECT's subcommands, in the order of Redis's documentation (COMMAND INFO lists them in the
 * order of a hash table with a random seed, a different order in each Redis process).
 */
const objectSubcommands = [
  {
    name: "encoding",
    arity: 3,
    flags: ["readonly"],
    group: "generic",
    keys: [2, 2, 1],
    handler: (c: ClientContext, a: string[]) => {
      const value = objectValue(c, a);
      if (value !== null) c.out.bulk(objectEncoding(c, a[2]!, value));
    },
  },
  {
    name: "refcount",
    arity: 3,
    flags: ["readonly"],
    group: "generic",
    keys: [2, 2, 1],
    handler: (c: ClientContext, a: string[]) => {
      const value = objectValue(c, a);
      if (value !== null) c.out.integer(objectRefcount(c, a[2]!, value));
    },
  },
  {
    name: "freq",
    arity: 3,
    flags: ["readonly"],
    group: "generic",
    keys: [2, 2, 1],
    handler: (c: ClientContext, a: string[]) => {
      syncAccessPolicy(c.server);
      if (objectValue(c, a) === null) return;
      if (!lfuPolicy(c.server)) {
        throw new CommandError(
          "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        );
      }
      c.out.integer(c.db.accessFrequency(a[2]!));
    },
  },
  {
    name: "help",
    arity: 2,
    flags: ["loading", "stale"],
    group: "generic",
    handler: (c: ClientContext) =>
      helpReply(c, "OBJECT", [
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
      ]),
  },
  {
    name: "idletime",
    arity: 3,
    flags: ["readonly"],
    group: "generic",
    keys: [2, 2, 1],
    handler: (c: ClientContext, a: string[]) => {
      syncAccessPolicy(c.server);
      if (objectValue(c, a) === null) return;
      if (lfuPolicy(c.server)) {
        throw new CommandError(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        );
      }
      c.out.integer(c.db.idleSeconds(a[2]!));
    },
  },
] as const;

/** OBJECT: a container of the subcommands above. */
const objectCommand = command({
  name: "object",
  arity: -2,
  flags: [],
  group: "generic",
  subcommands: objectSubcommands,
});

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("generic");

/** The generic group's commands. */
export const keyCommands: CommandSpec[] = [
  spec("del", -2, ["write"], [1, -1, 1], del),
  spec("unlink", -2, ["write", "fast"], [1, -1, 1], del),
  spec("exists", -2, ["readonly", "fast"], [1, -1, 1], exists),
  spec("type", 2, ["readonly", "fast"], [1, 1, 1], type),
  spec("expire", -3, ["write", "fast"], [1, 1, 1], (c, a) => expireGeneric(c, a, true, true)),
  spec("pexpire", -3, ["write", "fast"], [1, 1, 1], (c, a) => expireGeneric(c, a, false, true)),
  spec("expireat", -3, ["write", "fast"], [1, 1, 1], (c, a) => expireGeneric(c, a, true, false)),
  spec("pexpireat", -3, ["write", "fast"], [1, 1, 1], (c, a) => expireGeneric(c, a, false, false)),
  spec("ttl", 2, ["readonly", "fast"], [1, 1, 1], (c, a) => ttlGeneric(c, a, false, false)),
  spec("pttl", 2, ["readonly", "fast"], [1, 1, 1], (c, a) => ttlGeneric(c, a, true, false)),
  spec("expiretime", 2, ["readonly", "fast"], [1, 1, 1], (c, a) => ttlGeneric(c, a, false, true)),
  spec("pexpiretime", 2, ["readonly", "fast"], [1, 1, 1], (c, a) => ttlGeneric(c, a, true, true)),
  spec("persist", 2, ["write", "fast"], [1, 1, 1], persist),
  spec("rename", 3, ["write"], [1, 2, 1], (c, a) => renameGeneric(c, a, false)),
  spec("renamenx", 3, ["write", "fast"], [1, 2, 1], (c, a) => renameGeneric(c, a, true)),
  spec("copy", -3, ["write", "denyoom"], [1, 2, 1], copy),
  spec("move", 3, ["write", "fast"], [1, 1, 1], move),
  spec("keys", 2, ["readonly"], null, keys),
  spec("scan", -2, ["readonly"], null, scan),
  spec("randomkey", 1, ["readonly"], null, randomkey),
  spec("touch", -2, ["readonly", "fast"], [1, -1, 1], touch),
  spec("sort", -2, ["write", "denyoom", "movablekeys"], [1, 1, 1], (c, a) => sortGeneric(c, a)),
  spec("sort_ro", -2, ["readonly", "movablekeys"], [1, 1, 1], (c, a) => sortGeneric(c, a, true)),
  objectCommand,
  // The tutorial's own commands: DELETE answers :1/:0, FLUSH the number of keys it removed.
  spec("delete", 2, ["write"], [1, 1, 1], del),
  spec("flush", 1, ["write"], null, (c) => {
    c.server.signalFlushedDb(c.db);
    const n = c.db.clear();
    c.server.dirty += n;
    c.out.integer(n);
  }),
];
