/**
 * The generic key commands (Redis's db.c and expire.c): DEL, EXISTS, TYPE, the EXPIRE family,
 * TTL queries, RENAME, COPY, MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, and the tutorial's DELETE and
 * FLUSH, which exist in every mode.
 *
 * @module
 */
import type { Database } from "../keyspace/database.ts";
import { typeName } from "../keyspace/values.ts";
import { int64Arg, integerArg, lookupRead } from "./args.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function del(ctx: ClientContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.db.lookup(argv[i]!) !== undefined && ctx.db.delete(argv[i]!)) n++;
  }
  ctx.out.integer(n);
}

function exists(ctx: ClientContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(ctx, argv[i]!) !== undefined) n++;
  ctx.out.integer(n);
}

function type(ctx: ClientContext, argv: string[]): void {
  const value = lookupRead(ctx, argv[1]!);
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
  if (when <= now) db.delete(key);
  else db.setExpire(key, when);
  ctx.out.integer(1);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(ctx: ClientContext, argv: string[], ms: boolean, absolute: boolean): void {
  const key = argv[1]!;
  if (lookupRead(ctx, key) === undefined) return ctx.out.integer(-2);
  const at = ctx.db.getExpireExact(key);
  if (at === undefined) return ctx.out.integer(-1);
  let ttl = absolute ? at : at - BigInt(ctx.server.clock.now());
  if (ttl < 0n) ttl = 0n;
  if (!ms) ttl = (ttl + 500n) / 1000n;
  ctx.out.integer(ttl);
}

function persist(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  if (ctx.db.lookup(key) === undefined) return ctx.out.integer(0);
  ctx.out.integer(ctx.db.persist(key) ? 1 : 0);
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
  db.delete(src);
  db.set(dst, value);
  if (at !== undefined) db.setExpire(dst, at);
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
  // Strings are immutable and typed values are never modified in place, so sharing is a copy.
  target.set(dst, value);
  if (at !== undefined) target.setExpire(dst, at);
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
  if (at !== undefined) target.setExpire(key, at);
  ctx.db.delete(key);
  ctx.out.integer(1);
}

function keys(ctx: ClientContext, argv: string[]): void {
  ctx.out.bulkArray(ctx.db.keys(argv[1]!));
}

/** Parses a SCAN cursor as Redis's strtoul-based check does: an unsigned 64-bit number. */
export function parseCursor(text: string): string {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (text === "") return "0";
  if (m === null) throw new CommandError("ERR invalid cursor");
  const v = BigInt(m[2]!);
  if (v > 2n ** 64n - 1n) throw new CommandError("ERR invalid cursor");
  const wrapped = m[1] === "-" && v !== 0n ? 2n ** 64n - v : v;
  return wrapped.toString();
}

function scan(ctx: ClientContext, argv: string[]): void {
  const cursor = parseCursor(argv[1]!);
  let count = 10;
  let match: string | null = null;
  let typeFilter: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const more = argv.length - i - 1;
    if (opt === "count" && more >= 1) {
      count = integerArg(argv[++i]!);
      if (count < 1) throw new CommandError(Errors.syntax);
    } else if (opt === "match" && more >= 1) {
      match = argv[++i]!;
      if (match === "*") match = null;
    } else if (opt === "type" && more >= 1) {
      typeFilter = argv[++i]!.toLowerCase();
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  const page = ctx.db.scan(cursor, count, { match, type: typeFilter });
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
  // The tutorial's own commands: DELETE answers :1/:0, FLUSH the number of keys it removed.
  spec("delete", 2, ["write"], [1, 1, 1], del),
  spec("flush", 1, ["write"], null, (c) => c.out.integer(c.db.clear())),
];
