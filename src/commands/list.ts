/**
 * The list commands (Redis's t_list.c): pushes and pops at both ends, indexes and ranges,
 * LPOS, LMOVE and LMPOP, and the blocking BLPOP, BRPOP, BRPOPLPUSH, BLMOVE and BLMPOP. Lists
 * are `ListValue` ring buffers (keyspace/list.ts); an emptied list is deleted, as in Redis.
 *
 * A blocking pop that finds every key empty blocks the client (`ctx.block`) with a `serve`
 * callback that runs the same pop once a key is stored; inside MULTI (`!ctx.canBlock`) it
 * answers the timeout reply at once, as Redis does.
 *
 * Writes report their changes as t_list.c does: the modification signal, the keyspace event
 * (`lpush`, `rpop`, `ltrim`, ..., `new` for a created list, `del` for one a command emptied)
 * and the dirty count (one per element pushed, popped or removed). A pop served to a blocked
 * BLPOP, BRPOP, BLMOVE or BRPOPLPUSH sends its events but neither signals (the push that woke
 * it did) nor counts as dirty, as in Redis 7.0; a served BLMPOP counts like LMPOP.
 *
 * What is logged (the AOF) is what a pop did, as t_list.c and blocked.c log it: LMPOP and BLMPOP
 * as `LPOP|RPOP key count` (the count popped), BLPOP and BRPOP as `LPOP|RPOP key`, BLMOVE as
 * LMOVE and BRPOPLPUSH as RPOPLPUSH; a blocked client served logs it after the push that woke
 * it, as an operation of its own.
 *
 * @module
 */
import type { Database } from "../keyspace/database.ts";
import { ListValue } from "../keyspace/list.ts";
import { keyChanged, keyCreated, keyEmptied, NotifyType } from "../keyspace/notify.ts";
import {
  integerArg,
  integerAtLeast,
  parseMultiPop,
  readCollection,
  timeoutDeadline,
  writeCollection,
} from "./args.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

/** LEFT or RIGHT, as `getListPositionFromObjectOrReply` reads it: true for LEFT (the head). */
function sideArg(text: string): boolean {
  const side = text.toLowerCase();
  if (side === "left") return true;
  if (side === "right") return false;
  throw new CommandError(Errors.syntax);
}

/**
 * Logs what a pop did as `argv` (the AOF): as the running command's own record, or, for a
 * blocked client being `served` (no command is running then), as an operation of the unit the
 * server opened for it, in its database `db`.
 */
function logPop(ctx: ClientContext, db: Database, argv: string[], served: boolean): void {
  if (served) ctx.server.alsoPropagate(db.index, argv);
  else ctx.propagateAs = argv;
}

/** Deletes `key` if its list is now empty, with the `del` event. */
function deleteIfEmpty(ctx: ClientContext, db: Database, key: string, list: ListValue): void {
  if (list.length === 0) keyEmptied(ctx.server, db, key);
}

/** The list event `event` on `key`, with its signal and `changes` dirty changes. */
function changed(ctx: ClientContext, event: string, key: string, changes = 1): void {
  keyChanged(ctx.server, ctx.db, NotifyType.list, event, key, changes);
}

/**
 * Redis's listElementsRemoved: `count` elements were popped from the list at `key` of `db`
 * (the head when `front`): the pop event, the key deleted once empty, then the signal and the
 * dirty count, but for a pop `served` to a blocked BLPOP/BRPOP, which has only the events.
 */
function elementsRemoved(
  ctx: ClientContext,
  db: Database,
  key: string,
  list: ListValue,
  front: boolean,
  count: number,
  served = false,
): void {
  ctx.server.notifyKeyspaceEvent(NotifyType.list, front ? "lpop" : "rpop", key, db.index);
  deleteIfEmpty(ctx, db, key, list);
  if (served) return;
  ctx.server.signalModifiedKey(db, key);
  ctx.server.dirty += count;
}

function push(ctx: ClientContext, argv: string[], front: boolean, onlyIfExists: boolean): void {
  const key = argv[1]!;
  let list = writeCollection(ctx.db, key, ListValue);
  if (list === null) {
    if (onlyIfExists) return ctx.out.integer(0);
    list = new ListValue();
    ctx.db.set(key, list);
    keyCreated(ctx.server, ctx.db, key);
  }
  if (front) { for (let i = 2; i < argv.length; i++) list.pushFront(argv[i]!); }
  else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i]!);
  changed(ctx, front ? "lpush" : "rpush", key, argv.length - 2);
  ctx.out.integer(list.length);
}

/** LPOP/RPOP key [count]. */
function pop(ctx: ClientContext, argv: string[], front: boolean): void {
  // The arity is -2, but like Redis we accept at most the one optional count.
  if (argv.length > 3) throw new CommandError(Errors.wrongArity(front ? "lpop" : "rpop"));
  const hasCount = argv.length === 3;
  const count = hasCount
    ? integerAtLeast(argv[2]!, 0, "ERR value is out of range, must be positive")
    : 1;
  const key = argv[1]!;
  const list = writeCollection(ctx.db, key, ListValue);
  if (list === null) return hasCount ? ctx.out.nullArray() : ctx.out.null();
  if (!hasCount) {
    ctx.out.bulk(front ? list.popFront()! : list.popBack()!);
    return elementsRemoved(ctx, ctx.db, key, list, front, 1);
  }
  // A count of 0 pops nothing and reports nothing.
  const n = Math.min(count, list.length);
  ctx.out.arrayLength(n);
  if (n === 0) return;
  for (let i = 0; i < n; i++) ctx.out.bulk(front ? list.popFront()! : list.popBack()!);
  elementsRemoved(ctx, ctx.db, key, list, front, n);
}

function llen(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(readCollection(ctx, argv[1]!, ListValue)?.length ?? 0);
}

/** Clamps a start/end pair as Redis's LRANGE and LTRIM do; null when the range is empty. */
function clampRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  return [start, Math.min(end, length - 1)];
}

function lrange(ctx: ClientContext, argv: string[]): void {
  const start = integerArg(argv[2]!);
  const end = integerArg(argv[3]!);
  const list = readCollection(ctx, argv[1]!, ListValue);
  const range = list === null ? null : clampRange(start, end, list.length);
  if (list === null || range === null) return ctx.out.arrayLength(0);
  ctx.out.arrayLength(range[1] - range[0] + 1);
  for (let i = range[0]; i <= range[1]; i++) ctx.out.bulk(list.at(i));
}

function ltrim(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const start = integerArg(argv[2]!);
  const end = integerArg(argv[3]!);
  const list = writeCollection(ctx.db, key, ListValue);
  if (list !== null) {
    const before = list.length;
    const range = clampRange(start, end, before);
    if (range === null) list.trim(1, 0);
    else if (range[0] !== 0 || range[1] !== before - 1) list.trim(range[0], range[1]);
    // Redis reports a trim even when it removed nothing (its dirty count is then 0).
    ctx.server.notifyKeyspaceEvent(NotifyType.list, "ltrim", key, ctx.db.index);
    deleteIfEmpty(ctx, ctx.db, key, list);
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.dirty += before - list.length;
  }
  ctx.out.ok();
}

/** A list index, negative counting from the tail; null when outside the list. */
function position(index: number, length: number): number | null {
  const i = index < 0 ? index + length : index;
  return i >= 0 && i < length ? i : null;
}

function lindex(ctx: ClientContext, argv: string[]): void {
  const list = readCollection(ctx, argv[1]!, ListValue);
  if (list === null) return ctx.out.null();
  const i = position(integerArg(argv[2]!), list.length);
  ctx.out.bulk(i === null ? null : list.at(i));
}

function lset(ctx: ClientContext, argv: string[]): void {
  const list = writeCollection(ctx.db, argv[1]!, ListValue);
  if (list === null) throw new CommandError(Errors.noSuchKey);
  const i = position(integerArg(argv[2]!), list.length);
  if (i === null) throw new CommandError("ERR index out of range");
  list.set(i, argv[3]!);
  changed(ctx, "lset", argv[1]!);
  ctx.out.ok();
}

function linsert(ctx: ClientContext, argv: string[]): void {
  const where = argv[2]!.toLowerCase();
  if (where !== "before" && where !== "after") throw new CommandError(Errors.syntax);
  const list = writeCollection(ctx.db, argv[1]!, ListValue);
  if (list === null) return ctx.out.integer(0);
  const pivot = argv[3]!;
  for (let i = 0; i < list.length; i++) {
    if (list.at(i) === pivot) {
      list.insert(where === "after" ? i + 1 : i, argv[4]!);
      changed(ctx, "linsert", argv[1]!);
      return ctx.out.integer(list.length);
    }
  }
  ctx.out.integer(-1);
}

function lrem(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const count = integerArg(argv[2]!);
  const element = argv[3]!;
  const list = writeCollection(ctx.db, key, ListValue);
  if (list === null) return ctx.out.integer(0);
  const limit = count === 0 ? Infinity : Math.abs(count);
  let removed = 0;
  if (count >= 0) {
    list.filter((v) => {
      if (v !== element || removed >= limit) return true;
      removed++;
      return false;
    });
  } else {
    // From the tail: find the positions to drop first, then keep the rest.
    const drop = new Set<number>();
    for (let i = list.length - 1; i >= 0 && drop.size < limit; i--) {
      if (list.at(i) === element) drop.add(i);
    }
    removed = list.filter((_v, i) => !drop.has(i));
  }
  if (removed !== 0) {
    changed(ctx, "lrem", key, removed);
    deleteIfEmpty(ctx, ctx.db, key, list);
  }
  ctx.out.integer(removed);
}

/**
 * LPOS's RANK LONG_MIN, exactly as typed (integers are canonical, so the text is unique; as a
 * number it would equal -9223372036854775807 too). Redis 7.0 negates it into itself, so every
 * match qualifies and the COUNT test (`matches-rank+1 >= count`) overflows and never stops.
 */
const LONG_MIN_TEXT = "-9223372036854775808";

function lpos(ctx: ClientContext, argv: string[]): void {
  let rank = 1;
  let rankIsLongMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (opt === "rank" && more) {
      rank = integerArg(argv[++j]!);
      rankIsLongMin = argv[j] === LONG_MIN_TEXT;
      if (rank === 0) {
        throw new CommandError(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... " +
            "or use negative to start from the end of the list",
        );
      }
    } else if (opt === "count" && more) {
      count = integerAtLeast(argv[++j]!, 0, "ERR COUNT can't be negative");
    } else if (opt === "maxlen" && more) {
      maxlen = integerAtLeast(argv[++j]!, 0, "ERR MAXLEN can't be negative");
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  const list = readCollection(ctx, argv[1]!, ListValue);
  if (list === null) return count === -1 ? ctx.out.null() : ctx.out.arrayLength(0);
  const fromTail = rank < 0;
  const skip = rankIsLongMin ? 0 : Math.abs(rank) - 1;
  if (rankIsLongMin && count > 0) count = 0;
  const element = argv[2]!;
  const length = list.length;
  const limit = maxlen === 0 ? length : Math.min(maxlen, length);
  const found: number[] = [];
  let matches = 0;
  for (let n = 0; n < limit; n++) {
    const i = fromTail ? length - 1 - n : n;
    if (list.at(i) !== element || matches++ < skip) continue;
    found.push(i);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count === -1) {
    if (found[0] === undefined) ctx.out.null();
    else ctx.out.integer(found[0]);
  } else {
    ctx.out.arrayLength(found.length);
    for (const i of found) ctx.out.integer(i);
  }
}

/**
 * Pops from `source` (which must hold a non-empty list) and pushes onto `destination` of `db`,
 * whose type must already have been checked; returns the element. A rotation (same key) works
 * on one list, and the source is deleted only if it ends up empty. As Redis's lmoveGenericCommand
 * reports it: the destination's `new` and push events, then the source's pop and `del`; a move
 * `served` to a blocked BLMOVE/BRPOPLPUSH neither signals the source nor counts as dirty.
 */
function moveElement(
  ctx: ClientContext,
  db: Database,
  source: string,
  list: ListValue,
  destination: string,
  target: ListValue | null,
  fromLeft: boolean,
  toLeft: boolean,
  served = false,
): string {
  const server = ctx.server;
  const value = fromLeft ? list.popFront()! : list.popBack()!;
  if (target === null) {
    target = new ListValue();
    db.set(destination, target);
    keyCreated(server, db, destination);
  }
  server.signalModifiedKey(db, destination);
  if (toLeft) target.pushFront(value);
  else target.pushBack(value);
  server.notifyKeyspaceEvent(NotifyType.list, toLeft ? "lpush" : "rpush", destination, db.index);
  server.notifyKeyspaceEvent(NotifyType.list, fromLeft ? "lpop" : "rpop", source, db.index);
  deleteIfEmpty(ctx, db, source, list);
  if (!served) {
    server.signalModifiedKey(db, source);
    server.dirty++;
  }
  return value;
}

/** LMOVE/RPOPLPUSH once the sides are known; false when the source is empty or missing. */
function tryMove(ctx: ClientContext, argv: string[], fromLeft: boolean, toLeft: boolean): boolean {
  const source = argv[1]!;
  const destination = argv[2]!;
  const list = writeCollection(ctx.db, source, ListValue);
  if (list === null || list.length === 0) return false;
  const target = writeCollection(ctx.db, destination, ListValue);
  ctx.out.bulk(moveElement(ctx, ctx.db, source, list, destination, target, fromLeft, toLeft));
  return true;
}

function lmove(ctx: ClientContext, argv: string[]): void {
  const fromLeft = sideArg(argv[3]!);
  const toLeft = sideArg(argv[4]!);
  if (!tryMove(ctx, argv, fromLeft, toLeft)) ctx.out.null();
}

function rpoplpush(ctx: ClientContext, argv: string[]): void {
  if (!tryMove(ctx, argv, false, true)) ctx.out.null();
}

/**
 * BLMOVE/BRPOPLPUSH: moves at once when the source has elements, else blocks until it has.
 * When served, a destination of another type answers WRONGTYPE and leaves the source as it
 * was, as Redis does. Inside MULTI an empty source answers a null bulk string, but a timeout
 * answers a null array, as Redis's `replyToBlockedClientTimedOut` does for every list command.
 */
function blockingMove(
  ctx: ClientContext,
  argv: string[],
  fromLeft: boolean,
  toLeft: boolean,
  timeoutIndex: number,
): void {
  const deadline = timeoutDeadline(ctx, argv[timeoutIndex]!);
  const brpoplpush = timeoutIndex === 3;
  if (tryMove(ctx, argv, fromLeft, toLeft)) {
    // Logged as RPOPLPUSH, or as LMOVE with the sides as typed.
    ctx.propagateAs = brpoplpush
      ? ["RPOPLPUSH", argv[1]!, argv[2]!]
      : ["LMOVE", ...argv.slice(1, 5)];
    return;
  }
  if (!ctx.canBlock) return ctx.out.null();
  const db = ctx.db;
  ctx.block([argv[1]!], deadline, () => {
    const list = db.lookup(argv[1]!);
    if (!(list instanceof ListValue) || list.length === 0) return false;
    const target = db.lookup(argv[2]!);
    // Served with an error: the registry replies it (counted as an error reply).
    if (target !== undefined && !(target instanceof ListValue)) {
      throw new CommandError(Errors.wrongType);
    }
    const value = moveElement(
      ctx,
      db,
      argv[1]!,
      list,
      argv[2]!,
      target ?? null,
      fromLeft,
      toLeft,
      true,
    );
    // Served, BLMOVE's sides are logged as blocked.c names them (`left`, `right`).
    const side = (left: boolean) => left ? "left" : "right";
    const logged = brpoplpush
      ? ["RPOPLPUSH", argv[1]!, argv[2]!]
      : ["LMOVE", argv[1]!, argv[2]!, side(fromLeft), side(toLeft)];
    logPop(ctx, db, logged, true);
    ctx.out.bulk(value);
    return true;
  }, () => ctx.out.nullArray());
}

/**
 * Pops `count` elements from the list at `key` of `db` and replies `[key, [elements]]`
 * (Redis's listPopRangeAndReplyWithKey, which counts as dirty even when serving BLMPOP);
 * logged as `LPOP|RPOP key n`, n being the number popped.
 */
function replyMultiPop(
  ctx: ClientContext,
  db: Database,
  key: string,
  list: ListValue,
  front: boolean,
  count: number,
  served = false,
): void {
  const n = Math.min(count, list.length);
  logPop(ctx, db, [front ? "LPOP" : "RPOP", key, String(n)], served);
  ctx.out.arrayLength(2);
  ctx.out.bulk(key);
  ctx.out.arrayLength(n);
  for (let i = 0; i < n; i++) ctx.out.bulk(front ? list.popFront()! : list.popBack()!);
  elementsRemoved(ctx, db, key, list, front, n);
}

/** The first key holding a non-empty list, checking types on the way (WRONGTYPE stops). */
function firstNonEmpty(ctx: ClientContext, keys: string[]): [string, ListValue] | null {
  for (const key of keys) {
    const list = writeCollection(ctx.db, key, ListValue);
    if (list !== null && list.length !== 0) return [key, list];
  }
  return null;
}

/** BLPOP/BRPOP key [key ...] timeout. */
function blockingPop(ctx: ClientContext, argv: string[], front: boolean): void {
  const deadline = timeoutDeadline(ctx, argv[argv.length - 1]!);
  const keys = argv.slice(1, -1);
  const found = firstNonEmpty(ctx, keys);
  const db = ctx.db;
  const reply = (key: string, list: ListValue, served: boolean) => {
    ctx.out.arrayLength(2);
    ctx.out.bulk(key);
    ctx.out.bulk(front ? list.popFront()! : list.popBack()!);
    logPop(ctx, db, [front ? "LPOP" : "RPOP", key], served);
    elementsRemoved(ctx, db, key, list, front, 1, served);
  };
  if (found !== null) return reply(found[0], found[1], false);
  if (!ctx.canBlock) return ctx.out.nullArray();
  ctx.block(keys, deadline, (key) => {
    const list = db.lookup(key);
    if (!(list instanceof ListValue) || list.length === 0) return false;
    reply(key, list, true);
    return true;
  }, () => ctx.out.nullArray());
}

/** LMPOP's and BLMPOP's arguments from `argv[numkeysIndex]` on. */
function listMultiPop(argv: string[], numkeysIndex: number) {
  const { keys, first, count } = parseMultiPop(argv, numkeysIndex, ["left", "right"]);
  return { keys, front: first, count };
}

function lmpop(ctx: ClientContext, argv: string[]): void {
  const { keys, front, count } = listMultiPop(argv, 1);
  const found = firstNonEmpty(ctx, keys);
  if (found === null) return ctx.out.nullArray();
  replyMultiPop(ctx, ctx.db, found[0], found[1], front, count);
}

function blmpop(ctx: ClientContext, argv: string[]): void {
  const { keys, front, count } = listMultiPop(argv, 2);
  const deadline = timeoutDeadline(ctx, argv[1]!);
  const found = firstNonEmpty(ctx, keys);
  if (found !== null) return replyMultiPop(ctx, ctx.db, found[0], found[1], front, count);
  if (!ctx.canBlock) return ctx.out.nullArray();
  const db = ctx.db;
  ctx.block(keys, deadline, (key) => {
    const list = db.lookup(key);
    if (!(list instanceof ListValue) || list.length === 0) return false;
    replyMultiPop(ctx, db, key, list, front, count, true);
    return true;
  }, () => ctx.out.nullArray());
}

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("list");

/** The list commands. */
export const listCommands: CommandSpec[] = [
  spec("lpush", -3, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => push(c, a, true, false)),
  spec("rpush", -3, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => push(c, a, false, false)),
  spec("lpushx", -3, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => push(c, a, true, true)),
  spec("rpushx", -3, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => push(c, a, false, true)),
  spec("lpop", -2, ["write", "fast"], [1, 1, 1], (c, a) => pop(c, a, true)),
  spec("rpop", -2, ["write", "fast"], [1, 1, 1], (c, a) => pop(c, a, false)),
  spec("llen", 2, ["readonly", "fast"], [1, 1, 1], llen),
  spec("lrange", 4, ["readonly"], [1, 1, 1], lrange),
  spec("ltrim", 4, ["write"], [1, 1, 1], ltrim),
  spec("lindex", 3, ["readonly"], [1, 1, 1], lindex),
  spec("lset", 4, ["write", "denyoom"], [1, 1, 1], lset),
  spec("linsert", 5, ["write", "denyoom"], [1, 1, 1], linsert),
  spec("lrem", 4, ["write"], [1, 1, 1], lrem),
  spec("lpos", -3, ["readonly"], [1, 1, 1], lpos),
  spec("rpoplpush", 3, ["write", "denyoom"], [1, 2, 1], rpoplpush),
  spec("lmove", 5, ["write", "denyoom"], [1, 2, 1], lmove),
  spec("lmpop", -4, ["write", "movablekeys"], null, lmpop),
  spec(
    "blpop",
    -3,
    ["write", "noscript", "blocking"],
    [1, -2, 1],
    (c, a) => blockingPop(c, a, true),
  ),
  spec(
    "brpop",
    -3,
    ["write", "noscript", "blocking"],
    [1, -2, 1],
    (c, a) => blockingPop(c, a, false),
  ),
  spec(
    "brpoplpush",
    4,
    ["write", "denyoom", "noscript", "blocking"],
    [1, 2, 1],
    (c, a) => blockingMove(c, a, false, true, 3),
  ),
  spec(
    "blmove",
    6,
    ["write", "denyoom", "noscript", "blocking"],
    [1, 2, 1],
    (c, a) => blockingMove(c, a, sideArg(a[3]!), sideArg(a[4]!), 5),
  ),
  spec("blmpop", -5, ["write", "blocking", "movablekeys"], null, blmpop),
];
