/**
 * The hash commands (Redis's t_hash.c): HSET and friends, the counters HINCRBY and
 * HINCRBYFLOAT, the readers (HGET, HMGET, HGETALL, HKEYS, HVALS, HLEN, HSTRLEN, HEXISTS),
 * HRANDFIELD and HSCAN. Each checks its arguments, then the key's type, in Redis's order, so the
 * same mistakes give the same errors. A hash whose last field is deleted is deleted as a key.
 *
 * Writes report their changes as t_hash.c does: the modification signal, the keyspace event
 * (`hset`, `hdel`, `hincrby`, `hincrbyfloat`; `new` for a created hash, `del` for an emptied
 * one) and the dirty count. HSET reports every pair given, changed or not, as Redis does.
 * HINCRBYFLOAT is logged (the AOF) as the HSET of its result, as t_hash.c rewrites it.
 *
 * @module
 */
import { HashValue } from "../keyspace/hash.ts";
import { keyChanged, keyCreated, keyEmptied, NotifyType } from "../keyspace/notify.ts";
import {
  bulkReplyBytes,
  checkRandomReplySize,
  int64Arg,
  outOfInt64,
  parseInt64,
  parseSmallInteger,
  readCollection,
  writeCollection,
} from "./args.ts";
import type { ClientContext } from "./context.ts";
import { addLongDouble, formatLongDouble, isInfinite, parseLongDouble } from "./long_double.ts";
import { parseCursor, replyEmptyScan, scanElements } from "./scan.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

/** Sets one field of the hash at `key` (`existing`, or a new hash stored under `key`). */
function storeField(
  ctx: ClientContext,
  key: string,
  existing: HashValue | null,
  field: string,
  value: string,
): void {
  if (existing !== null) existing.set(field, value, ctx.server.encodingLimits);
  else {
    const hash = new HashValue();
    hash.set(field, value, ctx.server.encodingLimits);
    ctx.db.set(key, hash);
    keyCreated(ctx.server, ctx.db, key);
  }
}

/** The hash event `event` on `key`, with its signal and `changes` dirty changes. */
function changed(ctx: ClientContext, event: string, key: string, changes = 1): void {
  keyChanged(ctx.server, ctx.db, NotifyType.hash, event, key, changes);
}

/** HSET and HMSET: same work, HSET answers the number of new fields, HMSET `+OK`. */
function hsetGeneric(ctx: ClientContext, argv: string[], countNew: boolean): void {
  if (argv.length % 2 === 1) throw new CommandError(Errors.wrongArity(argv[0]!.toLowerCase()));
  const key = argv[1]!;
  const existing = writeCollection(ctx.db, key, HashValue);
  const hash = existing ?? new HashValue();
  const limits = ctx.server.encodingLimits;
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!, limits)) added++;
  if (existing === null) {
    ctx.db.set(key, hash);
    keyCreated(ctx.server, ctx.db, key);
  }
  changed(ctx, "hset", key, (argv.length - 2) / 2);
  if (countNew) ctx.out.integer(added);
  else ctx.out.ok();
}

function hset(ctx: ClientContext, argv: string[]): void {
  hsetGeneric(ctx, argv, true);
}

function hmset(ctx: ClientContext, argv: string[]): void {
  hsetGeneric(ctx, argv, false);
}

function hsetnx(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const existing = writeCollection(ctx.db, key, HashValue);
  if (existing?.fields.has(argv[2]!)) return ctx.out.integer(0);
  const hash = existing ?? new HashValue();
  hash.set(argv[2]!, argv[3]!, ctx.server.encodingLimits);
  if (existing === null) {
    ctx.db.set(key, hash);
    keyCreated(ctx.server, ctx.db, key);
  }
  changed(ctx, "hset", key);
  ctx.out.integer(1);
}

function hget(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  ctx.out.bulk(hash?.fields.get(argv[2]!) ?? null);
}

function hmget(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  ctx.out.arrayLength(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.out.bulk(hash?.fields.get(argv[i]!) ?? null);
}

function hdel(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const hash = writeCollection(ctx.db, key, HashValue);
  if (hash === null) return ctx.out.integer(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (!hash.delete(argv[i]!)) continue;
    deleted++;
    if (hash.size === 0) break;
  }
  if (deleted !== 0) {
    changed(ctx, "hdel", key, deleted);
    if (hash.size === 0) keyEmptied(ctx.server, ctx.db, key);
  }
  ctx.out.integer(deleted);
}

function hlen(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(readCollection(ctx, argv[1]!, HashValue)?.size ?? 0);
}

function hstrlen(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  ctx.out.integer(hash?.fields.get(argv[2]!)?.length ?? 0);
}

function hexists(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  ctx.out.integer(hash?.fields.has(argv[2]!) ? 1 : 0);
}

function hgetall(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  if (hash === null) return ctx.out.mapLength(0);
  ctx.out.mapLength(hash.size);
  for (const [field, value] of hash.fields) {
    ctx.out.bulk(field);
    ctx.out.bulk(value);
  }
}

function hkeys(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  if (hash === null) return ctx.out.arrayLength(0);
  ctx.out.arrayLength(hash.size);
  for (const field of hash.fields.keys()) ctx.out.bulk(field);
}

function hvals(ctx: ClientContext, argv: string[]): void {
  const hash = readCollection(ctx, argv[1]!, HashValue);
  if (hash === null) return ctx.out.arrayLength(0);
  ctx.out.arrayLength(hash.size);
  for (const value of hash.fields.values()) ctx.out.bulk(value);
}

function hincrby(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const field = argv[2]!;
  const smallBy = parseSmallInteger(argv[3]!);
  const by = Number.isNaN(smallBy) ? int64Arg(argv[3]!) : smallBy;
  const existing = writeCollection(ctx.db, key, HashValue);
  const old = existing?.fields.get(field);
  const smallOld = old === undefined ? 0 : parseSmallInteger(old);
  let next: number | bigint;
  if (typeof by === "number" && !Number.isNaN(smallOld)) {
    // Both sides have at most 15 digits: the sum is exact and within 64 bits.
    next = smallOld + by;
  } else {
    const current = old === undefined ? 0n : parseInt64(old);
    if (current === null) throw new CommandError("ERR hash value is not an integer");
    const sum = current + BigInt(by);
    if (outOfInt64(sum)) throw new CommandError(Errors.overflow);
    next = Number.isSafeInteger(Number(sum)) ? Number(sum) : sum;
  }
  storeField(ctx, key, existing, field, String(next));
  changed(ctx, "hincrby", key);
  ctx.out.integer(next);
}

function hincrbyfloat(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const field = argv[2]!;
  const by = parseLongDouble(argv[3]!);
  if (by === null) throw new CommandError(Errors.notFloat);
  if (isInfinite(by)) throw new CommandError("ERR value is NaN or Infinity");
  const existing = writeCollection(ctx.db, key, HashValue);
  const old = existing?.fields.get(field);
  const current = old === undefined ? { m: 0n, e: 0 } : parseLongDouble(old);
  if (current === null) throw new CommandError("ERR hash value is not a float");
  const sum = addLongDouble(current, by);
  if (isInfinite(sum)) throw new CommandError("ERR increment would produce NaN or Infinity");
  const text = formatLongDouble(sum);
  storeField(ctx, key, existing, field, text);
  changed(ctx, "hincrbyfloat", key);
  // The result, not the increment: float formatting must not differ on replay.
  ctx.propagateAs = ["HSET", key, field, text];
  ctx.out.bulk(text);
}

/** Writes one HRANDFIELD pick: the field, or field and value (a pair of its own in RESP3). */
function replyPick(ctx: ClientContext, hash: HashValue, field: string, withValues: boolean): void {
  if (!withValues) return ctx.out.bulk(field);
  if (ctx.out.version === 3) ctx.out.arrayLength(2);
  ctx.out.bulk(field);
  ctx.out.bulk(hash.fields.get(field)!);
}

/** The mean size of an HRANDFIELD pick's reply, for checkRandomReplySize. */
function averagePickReply(ctx: ClientContext, hash: HashValue, withValues: boolean): number {
  // In RESP3 a field and its value are a pair of their own: "*2\r\n".
  const pairHeader = withValues && ctx.out.version === 3 ? 4 : 0;
  let bytes = 0;
  for (const [field, value] of hash.fields) {
    bytes += bulkReplyBytes(field.length);
    if (withValues) bytes += pairHeader + bulkReplyBytes(value.length);
  }
  return bytes / hash.size;
}

function hrandfield(ctx: ClientContext, argv: string[]): void {
  if (argv.length === 2) {
    const hash = readCollection(ctx, argv[1]!, HashValue);
    return ctx.out.bulk(hash === null ? null : hash.randomField());
  }
  // Redis reads the count as a long in [-LONG_MAX, LONG_MAX].
  const l = int64Arg(argv[2]!);
  if (l < -(2n ** 63n - 1n)) {
    throw new CommandError(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
  }
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== "withvalues")) {
    throw new CommandError(Errors.syntax);
  }
  const withValues = argv.length === 4;
  // Twice the count must fit in a long, for the flat RESP2 reply's length.
  if (withValues && (l < -(2n ** 62n - 1n) || l > 2n ** 62n - 1n)) {
    throw new CommandError("ERR value is out of range");
  }
  hrandfieldWithCount(ctx, argv[1]!, l, withValues);
}

/**
 * HRANDFIELD with a count, following Redis's cases: a negative count picks with repeats; a
 * count at least the size answers the whole hash in its order; otherwise distinct picks, in
 * the hash's order when Redis would sample its listpack (see HashValue.sampleDistinct).
 */
function hrandfieldWithCount(ctx: ClientContext, key: string, l: bigint, withValues: boolean) {
  const hash = readCollection(ctx, key, HashValue);
  if (hash === null || l === 0n) return ctx.out.arrayLength(0);
  const size = hash.size;
  const flat = withValues && ctx.out.version === 2;
  if (l < 0n || l === 1n) {
    // Beyond 2^53 the count is approximate, but such a reply is refused whatever it is.
    const count = Number(l < 0n ? -l : l);
    checkRandomReplySize(count, size, () => averagePickReply(ctx, hash, withValues));
    ctx.out.arrayLength(flat ? count * 2 : count);
    if (count === 1) return replyPick(ctx, hash, hash.randomField(), withValues);
    const pick = hash.randomPicker(count);
    for (let i = 0; i < count; i++) replyPick(ctx, hash, pick(), withValues);
    return;
  }
  if (l >= BigInt(size)) {
    ctx.out.arrayLength(flat ? size * 2 : size);
    for (const field of hash.fields.keys()) replyPick(ctx, hash, field, withValues);
    return;
  }
  const count = Number(l);
  ctx.out.arrayLength(flat ? count * 2 : count);
  for (const field of hash.sampleDistinct(count, hash.listpack)) {
    replyPick(ctx, hash, field, withValues);
  }
}

function hscan(ctx: ClientContext, argv: string[]): void {
  const cursor = parseCursor(argv[2]!);
  const hash = readCollection(ctx, argv[1]!, HashValue);
  if (hash === null) return replyEmptyScan(ctx);
  scanElements<[string, string]>(
    ctx,
    argv,
    cursor,
    hash,
    hash.listpack,
    () => hash.fields.entries(),
    (e) => e[0],
    (e, out) => out.push(e[0], e[1]),
  );
}

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("hash");

/** The hash commands. */
export const hashCommands: CommandSpec[] = [
  spec("hset", -4, ["write", "denyoom", "fast"], [1, 1, 1], hset),
  spec("hmset", -4, ["write", "denyoom", "fast"], [1, 1, 1], hmset),
  spec("hsetnx", 4, ["write", "denyoom", "fast"], [1, 1, 1], hsetnx),
  spec("hget", 3, ["readonly", "fast"], [1, 1, 1], hget),
  spec("hmget", -3, ["readonly", "fast"], [1, 1, 1], hmget),
  spec("hdel", -3, ["write", "fast"], [1, 1, 1], hdel),
  spec("hlen", 2, ["readonly", "fast"], [1, 1, 1], hlen),
  spec("hstrlen", 3, ["readonly", "fast"], [1, 1, 1], hstrlen),
  spec("hexists", 3, ["readonly", "fast"], [1, 1, 1], hexists),
  spec("hgetall", 2, ["readonly"], [1, 1, 1], hgetall),
  spec("hkeys", 2, ["readonly"], [1, 1, 1], hkeys),
  spec("hvals", 2, ["readonly"], [1, 1, 1], hvals),
  spec("hincrby", 4, ["write", "denyoom", "fast"], [1, 1, 1], hincrby),
  spec("hincrbyfloat", 4, ["write", "denyoom", "fast"], [1, 1, 1], hincrbyfloat),
  spec("hrandfield", -2, ["readonly"], [1, 1, 1], hrandfield),
  spec("hscan", -3, ["readonly"], [1, 1, 1], hscan),
];
