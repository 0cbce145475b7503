/**
 * The sorted set commands (Redis's t_zset.c): ZADD and ZINCRBY with their options, lookups by
 * member and rank, ranges by rank, score and lex (ZRANGE and its older forms, ZRANGESTORE),
 * range deletions, pops (ZPOPMIN, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP), the
 * set operations (ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD), ZRANDMEMBER and
 * ZSCAN. Arguments are parsed, and errors raised, in the order Redis does, since with several
 * faults the first one found is the one a client sees.
 *
 * Writes report their changes as t_zset.c does: the modification signal, the keyspace event
 * (`zadd`, `zincr`, `zrem`, `zremrangebyscore`, `zpopmin`, `zunionstore`, ...; `new` for a
 * created key, `del` for an emptied one) and the dirty count; a write that changes nothing
 * reports nothing. A pop served to a blocked BZPOPMIN, BZPOPMAX or BZMPOP reports like ZPOPMIN.
 * What is logged (the AOF) is what a pop did, as t_zset.c and blocked.c log it: ZMPOP and
 * BZMPOP as `ZPOPMIN|ZPOPMAX key count` (the count popped), BZPOPMIN and BZPOPMAX as
 * `ZPOPMIN|ZPOPMAX key`; a blocked client served logs it after the push that woke it, as an
 * operation of its own.
 *
 * @module
 */
import type { Database } from "../keyspace/database.ts";
import {
  keyChanged,
  keyCreated,
  keyEmptied,
  NotifyType,
  storeOrDelete,
} from "../keyspace/notify.ts";
import { SetValue } from "../keyspace/set.ts";
import {
  type LexBound,
  lexGteMin,
  lexLteMax,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  SortedSetValue,
} from "../keyspace/zset.ts";
import { formatDoubleG17, parseDouble, parseDoubleLoose } from "../resp/double.ts";
import {
  bulkReplyBytes,
  checkRandomReplySize,
  int64Arg,
  integerArg,
  integerAtLeast,
  lookupRead,
  parseMultiPop,
  readCollection,
  timeoutDeadline,
  writeCollection,
} from "./args.ts";
import type { ClientContext } from "./context.ts";
import { parseCursor, replyEmptyScan, scanElements } from "./scan.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";
const NAN_RESULT = "ERR resulting score is not a number (NaN)";
/** C's LONG_MAX, exactly. */
const LONG_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------------------------
// Argument parsing

/** A score or increment, as `getDoubleFromObject` reads it ("ERR value is not a valid float"). */
function scoreArg(text: string, error: string = Errors.notFloat): number {
  // The common case, a short integer, without the general parser's regexes.
  const n = text.length;
  if (n !== 0 && n < 16) {
    let i = text.charCodeAt(0) === 45 ? 1 : 0;
    if (i < n) {
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < 48 || c > 57) break;
      }
      if (i === n) return Number(text);
    }
  }
  const v = parseDouble(text);
  if (v === null) throw new CommandError(error);
  return v;
}

/** One bound of a score range, "(" making it exclusive (`zslParseRange`); null when invalid. */
function scoreBound(text: string): [number, boolean] | null {
  const exclusive = text.charCodeAt(0) === 40;
  let t = exclusive ? text.slice(1) : text;
  // strtod stops at a NUL byte, and Redis only checks that it stopped there.
  const nul = t.indexOf("\0");
  if (nul !== -1) t = t.slice(0, nul);
  const v = parseDoubleLoose(t);
  return v === null || Number.isNaN(v) ? null : [v, exclusive];
}

/** ZRANGEBYSCORE's min and max. */
function scoreRangeArgs(minText: string, maxText: string): ScoreRange {
  const min = scoreBound(minText);
  const max = scoreBound(maxText);
  if (min === null || max === null) throw new CommandError(NOT_FLOAT_RANGE);
  return { min: min[0], minEx: min[1], max: max[0], maxEx: max[1] };
}

/** One bound of a lex range: `-`, `+`, `[member` or `(member` (`zslParseLexRangeItem`). */
function lexBound(text: string): LexBound | null {
  const c = text.charCodeAt(0);
  // C reads the text up to its NUL: "+" followed by a NUL byte is still "+".
  const alone = text.length === 1 || text.charCodeAt(1) === 0;
  if (c === 43) return alone ? { inf: 1, value: "", ex: true } : null;
  if (c === 45) return alone ? { inf: -1, value: "", ex: true } : null;
  if (c === 40) return { inf: 0, value: text.slice(1), ex: true };
  if (c === 91) return { inf: 0, value: text.slice(1), ex: false };
  return null;
}

/** ZRANGEBYLEX's min and max. */
function lexRangeArgs(minText: string, maxText: string): LexRange {
  const min = lexBound(minText);
  const max = lexBound(maxText);
  if (min === null || max === null) throw new CommandError(NOT_LEX_RANGE);
  return { min, max };
}

/** `getPositiveLongFromObjectOrReply`: its message for anything but a non-negative integer. */
function positiveArg(text: string, error = "ERR value is out of range, must be positive"): number {
  return integerAtLeast(text, 0, error);
}

/** The sorted set at `key` for a write command, or null; WRONGTYPE for other types. */
function writable(ctx: ClientContext, key: string): SortedSetValue | null {
  return writeCollection(ctx.db, key, SortedSetValue);
}

/** The sorted set at `key` for a read command (counting hits and misses), or null. */
function readable(ctx: ClientContext, key: string): SortedSetValue | null {
  return readCollection(ctx, key, SortedSetValue);
}

/**
 * A removing command deleted `deleted` members of the set at `key`: its `event` with the signal
 * and dirty count, then the key deleted (with `del`) if the set is now empty.
 */
function membersRemoved(
  ctx: ClientContext,
  key: string,
  zset: SortedSetValue,
  event: string,
  deleted: number,
): void {
  if (deleted === 0) return;
  keyChanged(ctx.server, ctx.db, NotifyType.zset, event, key, deleted);
  if (zset.size === 0) keyEmptied(ctx.server, ctx.db, key);
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM and lookups

/** ZADD's options, and the index of its first score. */
interface ZaddOptions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
  first: number;
}

/** Reads ZADD's options (ZINCRBY's too: it is ZADD INCR) with Redis's conflict errors. */
function zaddOptions(argv: string[], incr: boolean): ZaddOptions {
  const o: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr, first: 2 };
  for (; o.first < argv.length; o.first++) {
    const opt = argv[o.first]!;
    if (opt.length < 2 || opt.length > 4) break; // a score, in the common case
    const lower = opt.toLowerCase();
    if (lower === "nx") o.nx = true;
    else if (lower === "xx") o.xx = true;
    else if (lower === "ch") o.ch = true;
    else if (lower === "incr") o.incr = true;
    else if (lower === "gt") o.gt = true;
    else if (lower === "lt") o.lt = true;
    else break;
  }
  const elements = argv.length - o.first;
  if (elements === 0 || elements % 2 !== 0) throw new CommandError(Errors.syntax);
  if (o.nx && o.xx) {
    throw new CommandError("ERR XX and NX options at the same time are not compatible");
  }
  if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) {
    throw new CommandError("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (o.incr && elements > 2) {
    throw new CommandError("ERR INCR option supports a single increment-element pair");
  }
  return o;
}

/** ZADD and ZINCRBY (`zaddGenericCommand`). */
function zaddGeneric(ctx: ClientContext, argv: string[], incrCommand: boolean): void {
  const { nx, xx, gt, lt, ch, incr, first } = zaddOptions(argv, incrCommand);
  // All scores are checked before anything changes: the command applies fully or not at all.
  const pairs = (argv.length - first) / 2;
  const firstScore = scoreArg(argv[first]!);
  const scores = pairs === 1 ? null : new Array<number>(pairs);
  if (scores !== null) {
    scores[0] = firstScore;
    for (let j = 1; j < pairs; j++) scores[j] = scoreArg(argv[first + 2 * j]!);
  }
  const key = argv[1]!;
  let zset = writable(ctx, key);
  const created = zset === null;
  if (zset === null) {
    if (xx) {
      if (incr) ctx.out.null();
      else ctx.out.integer(0);
      return;
    }
    zset = new SortedSetValue();
  }
  const limits = ctx.server.encodingLimits;
  let added = 0, updated = 0, processed = 0, result = 0;
  for (let j = 0; j < pairs; j++) {
    const member = argv[first + 2 * j + 1]!;
    let score = scores === null ? firstScore : scores[j]!;
    const current = zset.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) throw new CommandError(NAN_RESULT);
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      processed++;
      result = score;
      if (score !== current) {
        zset.updateScore(member, score);
        updated++;
      }
    } else if (!xx) {
      zset.add(member, score, limits);
      added++;
      processed++;
      result = score;
    }
  }
  if (created && zset.size !== 0) {
    ctx.db.set(key, zset);
    keyCreated(ctx.server, ctx.db, key);
  }
  if (added !== 0 || updated !== 0) {
    keyChanged(ctx.server, ctx.db, NotifyType.zset, incr ? "zincr" : "zadd", key, added + updated);
  }
  if (incr) {
    if (processed !== 0) ctx.out.double(result);
    else ctx.out.null();
  } else {
    ctx.out.integer(ch ? added + updated : added);
  }
}

function zadd(ctx: ClientContext, argv: string[]): void {
  zaddGeneric(ctx, argv, false);
}

function zincrby(ctx: ClientContext, argv: string[]): void {
  zaddGeneric(ctx, argv, true);
}

function zrem(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const zset = writable(ctx, key);
  if (zset === null) return ctx.out.integer(0);
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (zset.delete(argv[j]!)) deleted++;
    if (zset.size === 0) break;
  }
  membersRemoved(ctx, key, zset, "zrem", deleted);
  ctx.out.integer(deleted);
}

function zcard(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(readable(ctx, argv[1]!)?.size ?? 0);
}

function zscore(ctx: ClientContext, argv: string[]): void {
  const score = readable(ctx, argv[1]!)?.score(argv[2]!);
  if (score === undefined) ctx.out.null();
  else ctx.out.double(score);
}

function zmscore(ctx: ClientContext, argv: string[]): void {
  const zset = readable(ctx, argv[1]!);
  ctx.out.arrayLength(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.score(argv[j]!);
    if (score === undefined) ctx.out.null();
    else ctx.out.double(score);
  }
}

function zrankGeneric(ctx: ClientContext, argv: string[], reverse: boolean): void {
  const zset = readable(ctx, argv[1]!);
  const rank = zset === null ? -1 : zset.rank(argv[2]!);
  if (rank < 0) ctx.out.null();
  else ctx.out.integer(reverse ? zset!.size - 1 - rank : rank);
}

function zrank(ctx: ClientContext, argv: string[]): void {
  zrankGeneric(ctx, argv, false);
}

function zrevrank(ctx: ClientContext, argv: string[]): void {
  zrankGeneric(ctx, argv, true);
}

function zcount(ctx: ClientContext, argv: string[]): void {
  const range = scoreRangeArgs(argv[2]!, argv[3]!);
  const zset = readable(ctx, argv[1]!);
  if (zset === null) return ctx.out.integer(0);
  const first = zset.firstInScoreRange(range);
  if (first === 0) return ctx.out.integer(0);
  const last = zset.lastInScoreRange(range);
  ctx.out.integer(zset.rankOf(last) - zset.rankOf(first) + 1);
}

function zlexcount(ctx: ClientContext, argv: string[]): void {
  const range = lexRangeArgs(argv[2]!, argv[3]!);
  const zset = readable(ctx, argv[1]!);
  if (zset === null) return ctx.out.integer(0);
  const first = zset.firstInLexRange(range);
  let count = 0;
  if (first !== 0) {
    if (zset.listpack) {
      // A listpack counts by walking on from the first member in range.
      for (let n = first; n !== 0 && lexLteMax(zset.member(n), range); n = zset.next(n)) count++;
    } else {
      count = zset.size - zset.rankOf(first);
      const last = zset.lastInLexRange(range);
      if (last !== 0) count -= zset.size - 1 - zset.rankOf(last);
    }
  }
  ctx.out.integer(count);
}

// ---------------------------------------------------------------------------------------------
// ZRANGE and its forms

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/** ZRANGE's options after the source, min and max. */
interface RangeOptions {
  rangeType: RangeType;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** LIMIT's count; -1 for none. */
  limit: number;
}

/**
 * Reads ZRANGE's options from `argv[start + 3]` on, with the conflicts Redis refuses. `rangeType`
 * and `direction` are the command's own (Auto for ZRANGE, where BYSCORE, BYLEX, REV choose).
 */
function rangeOptions(
  argv: string[],
  start: number,
  storing: boolean,
  rangeType: RangeType,
  direction: Direction,
): RangeOptions {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (!storing && opt === "withscores") withScores = true;
    else if (opt === "limit" && left >= 2) {
      offset = integerArg(argv[j + 1]!);
      limit = integerArg(argv[j + 2]!);
      j += 2;
    } else if (direction === Direction.Auto && opt === "rev") direction = Direction.Reverse;
    else if (rangeType === RangeType.Auto && opt === "bylex") rangeType = RangeType.Lex;
    else if (rangeType === RangeType.Auto && opt === "byscore") rangeType = RangeType.Score;
    else throw new CommandError(Errors.syntax);
  }
  if (rangeType === RangeType.Auto) rangeType = RangeType.Rank;
  // LIMIT with a count of -1 is no limit at all, so Redis lets it pass.
  if (limit !== -1 && rangeType === RangeType.Rank) {
    throw new CommandError(
      "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    );
  }
  if (withScores && rangeType === RangeType.Lex) {
    throw new CommandError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  return { rangeType, reverse: direction === Direction.Reverse, withScores, offset, limit };
}

/**
 * ZRANGE, ZRANGESTORE and the older forms (`zrangeGenericCommand`): `start` is the index of
 * the source key; `store` is ZRANGESTORE's destination, or null to reply.
 */
function zrangeGeneric(
  ctx: ClientContext,
  argv: string[],
  start: number,
  store: string | null,
  rangeType: RangeType,
  direction: Direction,
): void {
  const o = rangeOptions(argv, start, store !== null, rangeType, direction);
  // A reversed score or lex range is given as max, min.
  const swap = o.reverse && o.rangeType !== RangeType.Rank;
  const minText = argv[swap ? start + 2 : start + 1]!;
  const maxText = argv[swap ? start + 1 : start + 2]!;
  let rankStart = 0, rankEnd = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (o.rangeType === RangeType.Rank) {
    rankStart = integerArg(minText);
    rankEnd = integerArg(maxText);
  } else if (o.rangeType === RangeType.Score) {
    scoreRange = scoreRangeArgs(minText, maxText);
  } else {
    lexRange = lexRangeArgs(minText, maxText);
  }
  const zset = readable(ctx, argv[start]!);
  let nodes: number[];
  if (zset === null) nodes = [];
  else if (scoreRange !== null) {
    nodes = rangeByScore(zset, scoreRange, o.offset, o.limit, o.reverse);
  } else if (lexRange !== null) nodes = rangeByLex(zset, lexRange, o.offset, o.limit, o.reverse);
  else nodes = rangeByRank(zset, rankStart, rankEnd, o.reverse);
  if (store !== null) storeRange(ctx, store, zset, nodes);
  else replyNodes(ctx, zset, nodes, o.withScores);
}

/** The nodes of ranks `start..end` (negative from the end), `genericZrangebyrankCommand`. */
function rangeByRank(zset: SortedSetValue, start: number, end: number, reverse: boolean): number[] {
  const size = zset.size;
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return [];
  if (end >= size) end = size - 1;
  const nodes = new Array<number>(end - start + 1);
  let n = reverse
    ? (start > 0 ? zset.nodeAt(size - 1 - start) : zset.last())
    : (start > 0 ? zset.nodeAt(start) : zset.first());
  for (let i = 0; i < nodes.length; i++) {
    nodes[i] = n;
    n = reverse ? zset.prev(n) : zset.next(n);
  }
  return nodes;
}

/** The nodes in a score range after `offset`, at most `limit` (-1: all), as Redis walks them. */
function rangeByScore(
  zset: SortedSetValue,
  range: ScoreRange,
  offset: number,
  limit: number,
  reverse: boolean,
): number[] {
  const nodes: number[] = [];
  if (offset > 0 && offset >= zset.size) return nodes;
  let n = reverse ? zset.lastInScoreRange(range) : zset.firstInScoreRange(range);
  // A negative offset never counts down to 0: Redis walks off the end and answers nothing.
  while (n !== 0 && offset-- !== 0) n = reverse ? zset.prev(n) : zset.next(n);
  while (n !== 0 && limit-- !== 0) {
    const score = zset.scoreOf(n);
    if (reverse ? !scoreGteMin(score, range) : !scoreLteMax(score, range)) break;
    nodes.push(n);
    n = reverse ? zset.prev(n) : zset.next(n);
  }
  return nodes;
}

/** The nodes in a lex range after `offset`, at most `limit` (-1: all), as Redis walks them. */
function rangeByLex(
  zset: SortedSetValue,
  range: LexRange,
  offset: number,
  limit: number,
  reverse: boolean,
): number[] {
  const nodes: number[] = [];
  let n = reverse ? zset.lastInLexRange(range) : zset.firstInLexRange(range);
  while (n !== 0 && offset-- !== 0) n = reverse ? zset.prev(n) : zset.next(n);
  while (n !== 0 && limit-- !== 0) {
    const member = zset.member(n);
    if (reverse ? !lexGteMin(member, range) : !lexLteMax(member, range)) break;
    nodes.push(n);
    n = reverse ? zset.prev(n) : zset.next(n);
  }
  return nodes;
}

/** Replies members (and scores: flat in RESP2, [member, score] pairs in RESP3). */
function replyNodes(
  ctx: ClientContext,
  zset: SortedSetValue | null,
  nodes: readonly number[],
  withScores: boolean,
): void {
  const out = ctx.out;
  const pairs = withScores && out.version === 3;
  out.arrayLength(withScores && !pairs ? nodes.length * 2 : nodes.length);
  if (zset === null) return;
  for (const n of nodes) {
    if (pairs) out.arrayLength(2);
    out.bulk(zset.member(n));
    if (withScores) out.double(zset.scoreOf(n));
  }
}

/** ZRANGESTORE's end: the nodes become the destination, or an empty result deletes it. */
function storeRange(
  ctx: ClientContext,
  destination: string,
  zset: SortedSetValue | null,
  nodes: readonly number[],
): void {
  if (zset === null || nodes.length === 0) {
    storeOrDelete(ctx.server, ctx.db, destination, null, NotifyType.zset, "zrangestore");
    return ctx.out.integer(0);
  }
  // Built as Redis builds it, member by member into a listpack that converts when it must.
  const result = new SortedSetValue();
  const limits = ctx.server.encodingLimits;
  for (const n of nodes) result.add(zset.member(n), zset.scoreOf(n), limits);
  storeOrDelete(ctx.server, ctx.db, destination, result, NotifyType.zset, "zrangestore");
  ctx.out.integer(nodes.length);
}

function zrange(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Auto, Direction.Auto);
}

function zrangestore(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 2, argv[1]!, RangeType.Auto, Direction.Auto);
}

function zrevrange(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Rank, Direction.Reverse);
}

function zrangebyscore(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Score, Direction.Forward);
}

function zrevrangebyscore(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Score, Direction.Reverse);
}

function zrangebylex(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Lex, Direction.Forward);
}

function zrevrangebylex(ctx: ClientContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, null, RangeType.Lex, Direction.Reverse);
}

// ---------------------------------------------------------------------------------------------
// Range deletions

function zremrangebyrank(ctx: ClientContext, argv: string[]): void {
  let start = integerArg(argv[2]!);
  let end = integerArg(argv[3]!);
  const key = argv[1]!;
  const zset = writable(ctx, key);
  if (zset === null) return ctx.out.integer(0);
  const size = zset.size;
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return ctx.out.integer(0);
  if (end >= size) end = size - 1;
  const deleted = zset.deleteRangeByRank(start, end);
  membersRemoved(ctx, key, zset, "zremrangebyrank", deleted);
  ctx.out.integer(deleted);
}

function zremrangebyscore(ctx: ClientContext, argv: string[]): void {
  const range = scoreRangeArgs(argv[2]!, argv[3]!);
  const key = argv[1]!;
  const zset = writable(ctx, key);
  if (zset === null) return ctx.out.integer(0);
  const deleted = zset.deleteRangeByScore(range);
  membersRemoved(ctx, key, zset, "zremrangebyscore", deleted);
  ctx.out.integer(deleted);
}

function zremrangebylex(ctx: ClientContext, argv: string[]): void {
  const range = lexRangeArgs(argv[2]!, argv[3]!);
  const key = argv[1]!;
  const zset = writable(ctx, key);
  if (zset === null) return ctx.out.integer(0);
  const deleted = zset.deleteRangeByLex(range);
  membersRemoved(ctx, key, zset, "zremrangebylex", deleted);
  ctx.out.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// Pops, blocking pops

/** How `popFrom` shapes its reply (`genericZpopCommand`'s flags). */
interface PopShape {
  /** Whether the key name leads the reply (BZPOPMIN, ZMPOP). */
  emitKey: boolean;
  /** Whether each member and score form a pair (RESP3 ZPOPMIN with a count, ZMPOP). */
  nested: boolean;
}

/**
 * Pops up to `count` (-1: one, without a count) members from the min or max end of `zset` at
 * `key` of `db` and replies them in `shape`; deletes the key once empty. Reported as Redis's
 * genericZpopCommand does, also when serving a blocked client: `zpopmin` or `zpopmax`, `del`
 * for an emptied set, the signal and one dirty change per member.
 */
function popFrom(
  ctx: ClientContext,
  db: Database,
  key: string,
  zset: SortedSetValue,
  max: boolean,
  count: number,
  shape: PopShape,
): number {
  const out = ctx.out;
  if (count === 0) {
    out.arrayLength(0);
    return 0;
  }
  const popped = Math.min(count === -1 ? 1 : count, zset.size);
  if (shape.emitKey && shape.nested) {
    out.arrayLength(2);
    out.bulk(key);
    out.arrayLength(popped);
  } else if (shape.emitKey) {
    out.arrayLength(popped * 2 + 1);
    out.bulk(key);
  } else {
    out.arrayLength(shape.nested ? popped : popped * 2);
  }
  for (let i = 0; i < popped; i++) {
    const n = max ? zset.last() : zset.first();
    const member = zset.member(n);
    const score = zset.scoreOf(n);
    if (max) zset.deleteLast();
    else zset.deleteFirst();
    if (shape.nested) out.arrayLength(2);
    out.bulk(member);
    out.double(score);
  }
  keyChanged(ctx.server, db, NotifyType.zset, max ? "zpopmax" : "zpopmin", key, popped);
  if (zset.size === 0) keyEmptied(ctx.server, db, key);
  return popped;
}

/**
 * Logs (the AOF) a pop of `popped` members (`count` -1: BZPOPMIN/BZPOPMAX, logged without a
 * count) from `key` of `db`, as the running command's record, or for a blocked client being
 * `served`, as an operation of the unit the server opened for it.
 */
function logPop(
  ctx: ClientContext,
  db: Database,
  key: string,
  max: boolean,
  count: number,
  popped: number,
  served: boolean,
): void {
  const argv = [max ? "ZPOPMAX" : "ZPOPMIN", key];
  if (count !== -1) argv.push(String(popped));
  if (served) ctx.server.alsoPropagate(db.index, argv);
  else ctx.propagateAs = argv;
}

/** The first existing key of `keys` and its set (WRONGTYPE stops the search), or null. */
function firstExisting(
  ctx: ClientContext,
  keys: readonly string[],
): [string, SortedSetValue] | null {
  for (const key of keys) {
    const zset = writable(ctx, key);
    if (zset !== null) return [key, zset];
  }
  return null;
}

function zpopGeneric(ctx: ClientContext, argv: string[], max: boolean): void {
  if (argv.length > 3) throw new CommandError(Errors.syntax);
  const count = argv.length === 3 ? positiveArg(argv[2]!) : -1;
  const key = argv[1]!;
  const zset = writable(ctx, key);
  if (zset === null) return ctx.out.arrayLength(0);
  popFrom(ctx, ctx.db, key, zset, max, count, {
    emitKey: false,
    nested: ctx.out.version === 3 && count !== -1,
  });
}

function zpopmin(ctx: ClientContext, argv: string[]): void {
  zpopGeneric(ctx, argv, false);
}

function zpopmax(ctx: ClientContext, argv: string[]): void {
  zpopGeneric(ctx, argv, true);
}

/** ZMPOP's and BZMPOP's arguments from `argv[numkeysIndex]` on. */
function multiPopArgs(argv: string[], numkeysIndex: number) {
  const { keys, first, count } = parseMultiPop(argv, numkeysIndex, ["min", "max"]);
  return { keys, max: !first, count };
}

const MULTI_POP: PopShape = { emitKey: true, nested: true };
const BLOCKING_POP: PopShape = { emitKey: true, nested: false };

function zmpop(ctx: ClientContext, argv: string[]): void {
  const args = multiPopArgs(argv, 1);
  const found = firstExisting(ctx, args.keys);
  if (found === null) return ctx.out.nullArray();
  const popped = popFrom(ctx, ctx.db, found[0], found[1], args.max, args.count, MULTI_POP);
  logPop(ctx, ctx.db, found[0], args.max, args.count, popped, false);
}

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP (`blockingGenericZpopCommand`): pops from the first key
 * holding a set, else blocks until one of `keys` is given one (or answers a timeout at once
 * where the client may not block, as inside MULTI).
 */
function blockingPop(
  ctx: ClientContext,
  keys: readonly string[],
  timeoutText: string,
  max: boolean,
  count: number,
  shape: PopShape,
): void {
  const deadline = timeoutDeadline(ctx, timeoutText);
  const found = firstExisting(ctx, keys);
  const db = ctx.db;
  if (found !== null) {
    const popped = popFrom(ctx, db, found[0], found[1], max, count, shape);
    return logPop(ctx, db, found[0], max, count, popped, false);
  }
  if (!ctx.canBlock) return ctx.out.nullArray();
  ctx.block(
    keys,
    deadline,
    (key) => {
      const value = db.lookup(key);
      if (!(value instanceof SortedSetValue) || value.size === 0) return false;
      const popped = popFrom(ctx, db, key, value, max, count, shape);
      logPop(ctx, db, key, max, count, popped, true);
      return true;
    },
    () => ctx.out.nullArray(),
  );
}

function bzpopmin(ctx: ClientContext, argv: string[]): void {
  blockingPop(ctx, argv.slice(1, -1), argv[argv.length - 1]!, false, -1, BLOCKING_POP);
}

function bzpopmax(ctx: ClientContext, argv: string[]): void {
  blockingPop(ctx, argv.slice(1, -1), argv[argv.length - 1]!, true, -1, BLOCKING_POP);
}

function bzmpop(ctx: ClientContext, argv: string[]): void {
  const args = multiPopArgs(argv, 2);
  blockingPop(ctx, args.keys, argv[1]!, args.max, args.count, MULTI_POP);
}

// ---------------------------------------------------------------------------------------------
// Set operations

const enum SetOp {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input of a set operation: a sorted set, a set (every member scoring 1), or nothing. */
interface Source {
  value: SortedSetValue | SetValue | null;
  weight: number;
}

function sourceSize(source: Source): number {
  return source.value?.size ?? 0;
}

/** The score of `member` in `source` (1 in a plain set), or undefined. */
function sourceScore(source: Source, member: string): number | undefined {
  const value = source.value;
  if (value instanceof SortedSetValue) return value.score(member);
  return value !== null && value.has(member) ? 1 : undefined;
}

/** Calls `visit` for each member and score of `source`. */
function forEachMember(source: Source, visit: (member: string, score: number) => boolean): void {
  const value = source.value;
  if (value instanceof SortedSetValue) {
    // From the highest, as Redis iterates, so that a ZINTERCARD LIMIT stops where Redis does.
    for (let n = value.last(); n !== 0; n = value.prev(n)) {
      if (!visit(value.member(n), value.scoreOf(n))) return;
    }
  } else if (value !== null) {
    for (const member of value) if (!visit(member, 1)) return;
  }
}

/** Combines two scores (`zunionInterAggregate`): a sum that is NaN (inf + -inf) counts as 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

/** What a set operation's options ask for. */
interface SetOpOptions {
  how: Aggregate;
  withScores: boolean;
  /** ZINTERCARD's LIMIT; 0 for none. */
  limit: number;
}

/** The input keys from `argv[numkeysIndex]` on, looked up in order as Redis does. */
function setOpSources(
  ctx: ClientContext,
  argv: string[],
  name: string,
  numkeysIndex: number,
): Source[] {
  const numkeys = integerArg(argv[numkeysIndex]!);
  if (numkeys < 1) {
    throw new CommandError(`ERR at least 1 input key is needed for '${name}' command`);
  }
  if (numkeys > argv.length - (numkeysIndex + 1)) throw new CommandError(Errors.syntax);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const value = lookupRead(ctx, argv[numkeysIndex + 1 + i]!);
    if (
      value !== undefined && !(value instanceof SortedSetValue) && !(value instanceof SetValue)
    ) {
      throw new CommandError(Errors.wrongType);
    }
    sources.push({ value: value ?? null, weight: 1 });
  }
  return sources;
}

/**
 * Reads the options after the keys (from `argv[j]`): WEIGHTS and AGGREGATE but for ZDIFF and
 * ZINTERCARD, WITHSCORES but for the STORE forms and ZINTERCARD, ZINTERCARD's LIMIT. Weights
 * are set on `sources`. The keys are looked up first, so WRONGTYPE wins over a syntax error.
 */
function setOpOptions(
  argv: string[],
  j: number,
  sources: Source[],
  weighted: boolean,
  withScoresAllowed: boolean,
  cardinalityOnly: boolean,
): SetOpOptions {
  const options: SetOpOptions = { how: Aggregate.Sum, withScores: false, limit: 0 };
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j]!.toLowerCase();
    if (weighted && remaining >= sources.length + 1 && opt === "weights") {
      j++;
      for (const source of sources) {
        source.weight = scoreArg(argv[j++]!, "ERR weight value is not a float");
      }
    } else if (weighted && remaining >= 2 && opt === "aggregate") {
      const kind = argv[j + 1]!.toLowerCase();
      if (kind === "sum") options.how = Aggregate.Sum;
      else if (kind === "min") options.how = Aggregate.Min;
      else if (kind === "max") options.how = Aggregate.Max;
      else throw new CommandError(Errors.syntax);
      j += 2;
    } else if (withScoresAllowed && opt === "withscores") {
      options.withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && opt === "limit") {
      options.limit = positiveArg(argv[j + 1]!, "ERR LIMIT can't be negative");
      j += 2;
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  return options;
}

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (`zunionInterDiffGenericCommand`):
 * `destination` is the STORE forms' key, `cardinalityOnly` ZINTERCARD's.
 */
function setOperation(
  ctx: ClientContext,
  argv: string[],
  name: string,
  destination: string | null,
  numkeysIndex: number,
  op: SetOp,
  cardinalityOnly = false,
): void {
  const sources = setOpSources(ctx, argv, name, numkeysIndex);
  const { how, withScores, limit } = setOpOptions(
    argv,
    numkeysIndex + 1 + sources.length,
    sources,
    op !== SetOp.Diff && !cardinalityOnly,
    destination === null && !cardinalityOnly,
    cardinalityOnly,
  );
  // Smallest first, as Redis sorts them (a stable sort, as glibc's qsort is in practice).
  if (op !== SetOp.Diff) sources.sort((a, b) => sourceSize(a) - sourceSize(b));
  const result = new SortedSetValue();
  if (op === SetOp.Inter) {
    const cardinality = intersect(sources, how, cardinalityOnly ? null : result, limit);
    if (cardinalityOnly) return ctx.out.integer(cardinality);
  } else if (op === SetOp.Union) {
    union(sources, how, result);
  } else {
    difference(sources, result);
  }
  if (destination !== null) {
    if (result.size !== 0) result.setEncodingFor(ctx.server.encodingLimits);
    const value = result.size === 0 ? null : result;
    storeOrDelete(ctx.server, ctx.db, destination, value, NotifyType.zset, name);
    return ctx.out.integer(result.size);
  }
  const out = ctx.out;
  const pairs = withScores && out.version === 3;
  out.arrayLength(withScores && !pairs ? result.size * 2 : result.size);
  for (let n = result.first(); n !== 0; n = result.next(n)) {
    if (pairs) out.arrayLength(2);
    out.bulk(result.member(n));
    if (withScores) out.double(result.scoreOf(n));
  }
}

/** Members in every source, into `result` (or only counted, up to `limit` if not 0). */
function intersect(
  sources: Source[],
  how: Aggregate,
  result: SortedSetValue | null,
  limit: number,
): number {
  const first = sources[0]!;
  if (sourceSize(first) === 0) return 0;
  let cardinality = 0;
  forEachMember(first, (member, score) => {
    let total = first.weight * score;
    if (Number.isNaN(total)) total = 0;
    for (let i = 1; i < sources.length; i++) {
      const other = sources[i]!;
      // The same key twice: its own score, as Redis avoids searching the set it iterates.
      const found = other.value === first.value ? score : sourceScore(other, member);
      if (found === undefined) return true;
      total = aggregate(total, found * other.weight, how);
    }
    if (result === null) {
      cardinality++;
      return limit === 0 || cardinality < limit;
    }
    result.insert(member, total);
    return true;
  });
  return cardinality;
}

/** Members of any source, scores aggregated in source order, into `result`. */
function union(sources: Source[], how: Aggregate, result: SortedSetValue): void {
  const totals = new Map<string, number>();
  for (const source of sources) {
    forEachMember(source, (member, score) => {
      let weighted = source.weight * score;
      if (Number.isNaN(weighted)) weighted = 0;
      const total = totals.get(member);
      totals.set(member, total === undefined ? weighted : aggregate(total, weighted, how));
      return true;
    });
  }
  for (const [member, score] of totals) result.insert(member, score);
}

/** Members of the first source in none of the others, with their scores, into `result`. */
function difference(sources: Source[], result: SortedSetValue): void {
  const first = sources[0]!;
  if (sourceSize(first) === 0) return;
  for (let i = 1; i < sources.length; i++) if (sources[i]!.value === first.value) return;
  forEachMember(first, (member, score) => {
    for (let i = 1; i < sources.length; i++) {
      if (sourceScore(sources[i]!, member) !== undefined) return true;
    }
    result.insert(member, score);
    return true;
  });
}

function zunion(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zunion", null, 1, SetOp.Union);
}

function zinter(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zinter", null, 1, SetOp.Inter);
}

function zdiff(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zdiff", null, 1, SetOp.Diff);
}

function zunionstore(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zunionstore", argv[1]!, 2, SetOp.Union);
}

function zinterstore(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zinterstore", argv[1]!, 2, SetOp.Inter);
}

function zdiffstore(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zdiffstore", argv[1]!, 2, SetOp.Diff);
}

function zintercard(ctx: ClientContext, argv: string[]): void {
  setOperation(ctx, argv, "zintercard", null, 1, SetOp.Inter, true);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

function zrandmember(ctx: ClientContext, argv: string[]): void {
  if (argv.length >= 3) {
    const exact = int64Arg(argv[2]!);
    if (exact < -LONG_MAX) {
      throw new CommandError(
        "ERR value is out of range, value must between -9223372036854775807 and " +
          "9223372036854775807",
      );
    }
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== "withscores")) {
      throw new CommandError(Errors.syntax);
    }
    const withScores = argv.length === 4;
    // Twice the count must fit in a long (a reply holds members and scores).
    if (withScores && (exact < -LONG_MAX / 2n || exact > LONG_MAX / 2n)) {
      throw new CommandError("ERR value is out of range");
    }
    return randomMembers(ctx, argv[1]!, Number(exact), withScores);
  }
  const zset = readable(ctx, argv[1]!);
  if (zset === null) return ctx.out.null();
  ctx.out.bulk(zset.member(zset.randomNode()));
}

/** ZRANDMEMBER with a count: distinct members, or (negative) members drawn with repetition. */
function randomMembers(ctx: ClientContext, key: string, count: number, withScores: boolean): void {
  const zset = readable(ctx, key);
  const out = ctx.out;
  if (zset === null || count === 0) return out.arrayLength(0);
  const unique = count > 0;
  const wanted = Math.abs(count);
  const size = zset.size;
  const pairs = withScores && out.version === 3;
  if (!unique) checkRandomReplySize(wanted, size, () => averagePickReply(zset, withScores, pairs));
  const reply = (n: number) => {
    if (pairs) out.arrayLength(2);
    out.bulk(zset.member(n));
    if (withScores) out.double(zset.scoreOf(n));
  };
  const length = unique ? Math.min(wanted, size) : wanted;
  out.arrayLength(withScores && !pairs ? length * 2 : length);
  if (!unique || wanted === 1) {
    for (let i = 0; i < wanted; i++) reply(zset.randomNode());
  } else if (wanted >= size) {
    // The whole set, in the order Redis iterates it: from the highest score down.
    for (let n = zset.last(); n !== 0; n = zset.prev(n)) reply(n);
  } else if (wanted * 3 > size) {
    // Most of the set: drop random ranks from all of them (a partial Fisher-Yates shuffle).
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const pick = ranks[j]!;
      ranks[j] = ranks[i]!;
      ranks[i] = pick;
      reply(zset.nodeAt(pick));
    }
  } else {
    const picked = new Set<number>();
    while (picked.size < wanted) {
      const n = zset.randomNode();
      if (picked.has(n)) continue;
      picked.add(n);
      reply(n);
    }
  }
}

/** The mean size of a ZRANDMEMBER pick's reply, for checkRandomReplySize. */
function averagePickReply(zset: SortedSetValue, withScores: boolean, pairs: boolean): number {
  let bytes = 0;
  for (const [member, score] of zset.entries()) {
    bytes += bulkReplyBytes(member.length);
    if (!withScores) continue;
    const text = formatDoubleG17(score);
    // RESP3: a pair ("*2\r\n") ending in a double (",text\r\n"); RESP2: a bulk string.
    bytes += pairs ? 4 + text.length + 3 : bulkReplyBytes(text.length);
  }
  return bytes / zset.size;
}

function zscan(ctx: ClientContext, argv: string[]): void {
  const cursor = parseCursor(argv[2]!);
  const zset = readable(ctx, argv[1]!);
  if (zset === null) return replyEmptyScan(ctx);
  // A listpack answers whole and in order; a skip list pages through its hash table.
  scanElements<[string, number]>(
    ctx,
    argv,
    cursor,
    zset,
    zset.listpack,
    () => zset.listpack ? zset.entries() : zset.unorderedEntries(),
    (e) => e[0],
    (e, out) => {
      out.push(e[0], formatDoubleG17(e[1]));
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The table

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("sorted-set");

/** The sorted set commands. */
export const sortedSetCommands: CommandSpec[] = [
  spec("zadd", -4, ["write", "denyoom", "fast"], [1, 1, 1], zadd),
  spec("zincrby", 4, ["write", "denyoom", "fast"], [1, 1, 1], zincrby),
  spec("zrem", -3, ["write", "fast"], [1, 1, 1], zrem),
  spec("zcard", 2, ["readonly", "fast"], [1, 1, 1], zcard),
  spec("zscore", 3, ["readonly", "fast"], [1, 1, 1], zscore),
  spec("zmscore", -3, ["readonly", "fast"], [1, 1, 1], zmscore),
  spec("zrank", 3, ["readonly", "fast"], [1, 1, 1], zrank),
  spec("zrevrank", 3, ["readonly", "fast"], [1, 1, 1], zrevrank),
  spec("zcount", 4, ["readonly", "fast"], [1, 1, 1], zcount),
  spec("zlexcount", 4, ["readonly", "fast"], [1, 1, 1], zlexcount),
  spec("zrange", -4, ["readonly"], [1, 1, 1], zrange),
  spec("zrangestore", -5, ["write", "denyoom"], [1, 2, 1], zrangestore),
  spec("zrevrange", -4, ["readonly"], [1, 1, 1], zrevrange),
  spec("zrangebyscore", -4, ["readonly"], [1, 1, 1], zrangebyscore),
  spec("zrevrangebyscore", -4, ["readonly"], [1, 1, 1], zrevrangebyscore),
  spec("zrangebylex", -4, ["readonly"], [1, 1, 1], zrangebylex),
  spec("zrevrangebylex", -4, ["readonly"], [1, 1, 1], zrevrangebylex),
  spec("zremrangebyrank", 4, ["write"], [1, 1, 1], zremrangebyrank),
  spec("zremrangebyscore", 4, ["write"], [1, 1, 1], zremrangebyscore),
  spec("zremrangebylex", 4, ["write"], [1, 1, 1], zremrangebylex),
  spec("zpopmin", -2, ["write", "fast"], [1, 1, 1], zpopmin),
  spec("zpopmax", -2, ["write", "fast"], [1, 1, 1], zpopmax),
  spec("zmpop", -4, ["write", "movablekeys"], [0, 0, 0], zmpop),
  spec("bzpopmin", -3, ["write", "noscript", "blocking", "fast"], [1, -2, 1], bzpopmin),
  spec("bzpopmax", -3, ["write", "noscript", "blocking", "fast"], [1, -2, 1], bzpopmax),
  spec("bzmpop", -5, ["write", "blocking", "movablekeys"], [0, 0, 0], bzmpop),
  spec("zunion", -3, ["readonly", "movablekeys"], [0, 0, 0], zunion),
  spec("zinter", -3, ["readonly", "movablekeys"], [0, 0, 0], zinter),
  spec("zdiff", -3, ["readonly", "movablekeys"], [0, 0, 0], zdiff),
  spec("zunionstore", -4, ["write", "denyoom", "movablekeys"], [1, 1, 1], zunionstore),
  spec("zinterstore", -4, ["write", "denyoom", "movablekeys"], [1, 1, 1], zinterstore),
  spec("zdiffstore", -4, ["write", "denyoom", "movablekeys"], [1, 1, 1], zdiffstore),
  spec("zintercard", -3, ["readonly", "movablekeys"], [0, 0, 0], zintercard),
  spec("zrandmember", -2, ["readonly"], [1, 1, 1], zrandmember),
  spec("zscan", -3, ["readonly"], [1, 1, 1], zscan),
];
