/**
 * The set commands (Redis's t_set.c). Sets are `SetValue`s (keyspace/set.ts): O(1)
 * membership and uniformly random members, intset-ordered while Redis would keep an intset.
 *
 * The multi-key commands follow Redis 7.0's algorithms where the outcome can be seen: every key
 * is looked up (and type-checked) before anything is computed; SINTER walks the smallest set;
 * SUNION and SDIFF build their result as Redis's temporary set (an intset until it cannot be
 * one), which decides both the order of the reply and the encoding a *STORE stores; SDIFF picks
 * between Redis's two algorithms with Redis's cost estimate, because the second one can leave a
 * hashtable where the first would build an intset. SPOP and SRANDMEMBER with a count use
 * Redis's strategies by the same thresholds, as they decide what is deterministic (the whole
 * set, in order) and which encoding SPOP leaves behind.
 *
 * Writes report their changes as t_set.c does: the modification signal, the keyspace event
 * (`sadd`, `srem`, `spop`, `sinterstore`, ...; `new` for a created key, `del` for an emptied
 * one) and the dirty count; a write that changes nothing reports nothing. SPOP, which picks
 * at random, is logged (the AOF) as its effect, as t_set.c logs it: one SREM per member popped
 * (several wrapped in MULTI/EXEC), or DEL when it took the whole set.
 *
 * @module
 */
import {
  keyChanged,
  keyCreated,
  keyEmptied,
  NotifyType,
  storeOrDelete,
} from "../keyspace/notify.ts";
import { SetValue } from "../keyspace/set.ts";
import {
  bulkReplyBytes,
  checkRandomReplySize,
  parseInt64,
  readCollection,
  writeCollection,
} from "./args.ts";
import type { ClientContext } from "./context.ts";
import { parseCursor, replyEmptyScan, scanElements } from "./scan.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

/** SPOP rebuilds the set from the members it keeps when it pops more than 5 per one kept. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SRANDMEMBER copies the whole set when asked for more than a third of it. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;
const positiveCountError = "ERR value is out of range, must be positive";
const randCountRangeError =
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

function maxIntset(ctx: ClientContext): number {
  return ctx.server.encodingLimits.setMaxIntsetEntries;
}

/** Replies `members` as a set (`~` in RESP3), as Redis's SMEMBERS/SINTER/SUNION/SDIFF do. */
function replySet(ctx: ClientContext, members: Iterable<string>, size: number): void {
  ctx.out.setLength(size);
  for (const m of members) ctx.out.bulk(m);
}

/** Replies an empty set (`*0` in RESP2, `~0` in RESP3). */
function replyEmptySet(ctx: ClientContext): void {
  ctx.out.setLength(0);
}

/** The set event `event` on `key`, with its signal and `changes` dirty changes. */
function changed(ctx: ClientContext, event: string, key: string, changes = 1): void {
  keyChanged(ctx.server, ctx.db, NotifyType.set, event, key, changes);
}

/** A set event without the signal and dirty count (which its command reports apart). */
function notifySet(ctx: ClientContext, event: string, key: string): void {
  ctx.server.notifyKeyspaceEvent(NotifyType.set, event, key, ctx.db.index);
}

function sadd(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  let set = writeCollection(ctx.db, key, SetValue);
  if (set === null) {
    set = new SetValue();
    ctx.db.set(key, set);
    keyCreated(ctx.server, ctx.db, key);
  }
  const max = maxIntset(ctx);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, max)) added++;
  if (added !== 0) changed(ctx, "sadd", key, added);
  ctx.out.integer(added);
}

function srem(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const set = writeCollection(ctx.db, key, SetValue);
  if (set === null) return ctx.out.integer(0);
  let removed = 0;
  for (let i = 2; i < argv.length; i++) if (set.delete(argv[i]!)) removed++;
  if (removed !== 0) {
    changed(ctx, "srem", key, removed);
    if (set.size === 0) keyEmptied(ctx.server, ctx.db, key);
  }
  ctx.out.integer(removed);
}

function smove(ctx: ClientContext, argv: string[]): void {
  const [, source, destination, member] = argv as [string, string, string, string];
  const src = ctx.db.lookup(source);
  const dst = ctx.db.lookup(destination);
  // A missing source answers 0 before any type check, as in Redis.
  if (src === undefined) return ctx.out.integer(0);
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) {
    throw new CommandError(Errors.wrongType);
  }
  if (src === dst) return ctx.out.integer(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return ctx.out.integer(0);
  const server = ctx.server;
  notifySet(ctx, "srem", source);
  if (src.size === 0) keyEmptied(server, ctx.db, source);
  let target = dst;
  if (target === undefined) {
    target = new SetValue();
    ctx.db.set(destination, target);
    keyCreated(server, ctx.db, destination);
  }
  server.signalModifiedKey(ctx.db, source);
  server.dirty++;
  // The destination changed only if it did not hold the member already.
  if (target.add(member, maxIntset(ctx))) changed(ctx, "sadd", destination);
  ctx.out.integer(1);
}

function sismember(ctx: ClientContext, argv: string[]): void {
  const set = readCollection(ctx, argv[1]!, SetValue);
  ctx.out.integer(set !== null && set.has(argv[2]!) ? 1 : 0);
}

function smismember(ctx: ClientContext, argv: string[]): void {
  const set = readCollection(ctx, argv[1]!, SetValue);
  ctx.out.arrayLength(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.out.integer(set !== null && set.has(argv[i]!) ? 1 : 0);
}

function scard(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(readCollection(ctx, argv[1]!, SetValue)?.size ?? 0);
}

function spop(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(Errors.syntax);
  if (argv.length === 3) return spopWithCount(ctx, argv);
  const key = argv[1]!;
  const set = writeCollection(ctx.db, key, SetValue);
  if (set === null) return ctx.out.null();
  const member = set.popRandom();
  ctx.out.bulk(member);
  ctx.propagateAs = ["SREM", key, member];
  notifySet(ctx, "spop", key);
  if (set.size === 0) keyEmptied(ctx.server, ctx.db, key);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.dirty++;
}

/**
 * SPOP key count, by Redis's three strategies (the whole set; random pops; keep a few and hand
 * over the rest): they decide the order of a whole-set reply and the encoding left behind.
 */
function spopWithCount(ctx: ClientContext, argv: string[]): void {
  const parsed = parseInt64(argv[2]!);
  if (parsed === null || parsed < 0n) throw new CommandError(positiveCountError);
  const count = Number(parsed);
  const key = argv[1]!;
  const set = writeCollection(ctx.db, key, SetValue);
  if (set === null || count === 0) return replyEmptySet(ctx);
  const size = set.size;
  notifySet(ctx, "spop", key);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.dirty += Math.min(count, size);
  if (count >= size) {
    // The whole set, listed as Redis's SUNION of it (in numeric order when that makes an
    // intset, even from a hashtable), and the key goes.
    const max = maxIntset(ctx);
    replySet(ctx, set.intset || size > max ? set : SetValue.from(set, max), size);
    keyEmptied(ctx.server, ctx.db, key);
    // As DEL whatever lazyfree-lazy-server-del says (Redis 7.0; later versions say UNLINK).
    ctx.propagateAs = ["DEL", key];
    return;
  }
  const remaining = size - count;
  ctx.out.setLength(count);
  // Each member popped is logged as an SREM of its own, as Redis 7.0 logs them.
  ctx.propagateNothing = true;
  const db = ctx.db.index;
  const server = ctx.server;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = set.popRandom();
      ctx.out.bulk(m);
      server.alsoPropagate(db, ["SREM", key, m]);
    }
    return;
  }
  // Few are left: pick those to keep and hand over the rest, in the set's order.
  for (const m of set.retainOnly(randomDistinct(set, remaining), maxIntset(ctx))) {
    ctx.out.bulk(m);
    server.alsoPropagate(db, ["SREM", key, m]);
  }
}

/** `count` distinct random members of `set` (count < size), by rejection. */
function randomDistinct(set: SetValue, count: number): Set<string> {
  const picked = new Set<string>();
  while (picked.size < count) picked.add(set.randomMember());
  return picked;
}

function srandmember(ctx: ClientContext, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(Errors.syntax);
  if (argv.length === 3) return srandmemberWithCount(ctx, argv);
  const set = readCollection(ctx, argv[1]!, SetValue);
  ctx.out.bulk(set === null ? null : set.randomMember());
}

/** SRANDMEMBER key count: distinct members for a positive count, repeats for a negative one. */
function srandmemberWithCount(ctx: ClientContext, argv: string[]): void {
  const parsed = parseInt64(argv[2]!);
  if (parsed === null) throw new CommandError(Errors.notInteger);
  if (parsed < -(2n ** 63n - 1n)) throw new CommandError(randCountRangeError);
  const unique = parsed >= 0n;
  const count = Number(unique ? parsed : -parsed);
  const set = readCollection(ctx, argv[1]!, SetValue);
  if (set === null || count === 0) return ctx.out.arrayLength(0);
  const size = set.size;
  if (!unique || count === 1) {
    checkRandomReplySize(count, size, () => averageMemberReply(set));
    ctx.out.arrayLength(count);
    for (let i = 0; i < count; i++) ctx.out.bulk(set.randomMember());
    return;
  }
  if (count >= size) {
    ctx.out.arrayLength(size);
    for (const m of set) ctx.out.bulk(m);
    return;
  }
  ctx.out.arrayLength(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // A partial Fisher-Yates shuffle of a copy: O(size), which is O(count) here.
    const members = set.toArray();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const m = members[j]!;
      members[j] = members[i]!;
      ctx.out.bulk(m);
    }
    return;
  }
  for (const m of randomDistinct(set, count)) ctx.out.bulk(m);
}

/** The mean size of a member's reply, for checkRandomReplySize. */
function averageMemberReply(set: SetValue): number {
  let bytes = 0;
  for (const m of set) bytes += bulkReplyBytes(m.length);
  return bytes / set.size;
}

/**
 * Looks up every key as Redis does before computing (each counts a keyspace hit or miss; any
 * other type is WRONGTYPE); a missing key is null.
 */
function lookupSets(ctx: ClientContext, keys: readonly string[]): (SetValue | null)[] {
  return keys.map((key) => readCollection(ctx, key, SetValue));
}

/**
 * The members in every one of `sets` (none null), in the order of the smallest set (Redis
 * walks the smallest and probes the others); stops after `limit` members when it is not 0.
 */
function intersect(sets: SetValue[], limit: number): string[] {
  const order = sets.slice().sort((a, b) => a.size - b.size);
  const first = order[0]!;
  const others = order.filter((s) => s !== first);
  const out: string[] = [];
  outer: for (const m of first) {
    for (const s of others) if (!s.has(m)) continue outer;
    out.push(m);
    if (out.length === limit) break;
  }
  return out;
}

/** SINTER, SMEMBERS, SINTERSTORE (with `destination`). */
function sinterGeneric(ctx: ClientContext, keys: string[], destination: string | null): void {
  const found = lookupSets(ctx, keys);
  const sets = found.filter((s): s is SetValue => s !== null);
  const members = sets.length < found.length ? [] : intersect(sets, 0);
  if (destination === null) return replySet(ctx, members, members.length);
  store(ctx, destination, SetValue.from(members, maxIntset(ctx)), "sinterstore");
}

/**
 * Stores a *STORE result (deleting the destination when it is empty) with the command's
 * `event`, and replies its size.
 */
function store(ctx: ClientContext, destination: string, result: SetValue, event: string): void {
  const value = result.size > 0 ? result : null;
  storeOrDelete(ctx.server, ctx.db, destination, value, NotifyType.set, event);
  ctx.out.integer(result.size);
}

function smembers(ctx: ClientContext, argv: string[]): void {
  const set = readCollection(ctx, argv[1]!, SetValue);
  if (set === null) return replyEmptySet(ctx);
  replySet(ctx, set, set.size);
}

function sintercard(ctx: ClientContext, argv: string[]): void {
  const numkeysError = "ERR numkeys should be greater than 0";
  const parsed = parseInt64(argv[1]!);
  if (parsed === null || parsed < 1n) throw new CommandError(numkeysError);
  if (parsed > BigInt(argv.length - 2)) {
    throw new CommandError("ERR Number of keys can't be greater than number of args");
  }
  const numkeys = Number(parsed);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() === "limit" && i + 1 < argv.length) {
      const l = parseInt64(argv[++i]!);
      if (l === null || l < 0n) throw new CommandError("ERR LIMIT can't be negative");
      limit = Number(l);
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  const found = lookupSets(ctx, argv.slice(2, 2 + numkeys));
  const sets = found.filter((s): s is SetValue => s !== null);
  ctx.out.integer(sets.length < found.length ? 0 : intersect(sets, limit).length);
}

/** SUNION and SUNIONSTORE: Redis adds every member to a fresh set, key by key. */
function union(ctx: ClientContext, keys: string[]): SetValue {
  const max = maxIntset(ctx);
  const result = new SetValue();
  for (const set of lookupSets(ctx, keys)) {
    if (set !== null) { for (const m of set) result.add(m, max); }
  }
  return result;
}

/**
 * SDIFF and SDIFFSTORE with Redis's choice of algorithm: (1) add each member of the first set
 * found in no other, or (2) add the whole first set and remove the others' members. Their
 * results have the same members, but (2) may have turned the temporary set into a hashtable
 * on the way, which shows in the reply's order and in the stored encoding.
 */
function difference(ctx: ClientContext, keys: string[]): SetValue {
  const max = maxIntset(ctx);
  const sets = lookupSets(ctx, keys);
  const result = new SetValue();
  const first = sets[0] ?? null;
  if (first === null || sets.some((s, j) => j > 0 && s === first)) return result;
  let algoOneWork = 0;
  let algoTwoWork = 0;
  for (const s of sets) {
    if (s === null) continue;
    algoOneWork += first.size;
    algoTwoWork += s.size;
  }
  const others = sets.slice(1).filter((s): s is SetValue => s !== null);
  if (Math.floor(algoOneWork / 2) <= algoTwoWork) {
    // Redis probes the larger sets first; which set excludes a member does not matter.
    outer: for (const m of first) {
      for (const s of others) if (s.has(m)) continue outer;
      result.add(m, max);
    }
    return result;
  }
  for (const m of first) result.add(m, max);
  for (const s of others) {
    for (const m of s) result.delete(m);
    if (result.size === 0) break;
  }
  return result;
}

function replyResult(ctx: ClientContext, result: SetValue): void {
  replySet(ctx, result, result.size);
}

function sscan(ctx: ClientContext, argv: string[]): void {
  const cursor = parseCursor(argv[2]!);
  const set = readCollection(ctx, argv[1]!, SetValue);
  if (set === null) return replyEmptyScan(ctx);
  scanElements(
    ctx,
    argv,
    cursor,
    set,
    set.intset,
    () => set.scanIterator(),
    (m) => m,
    (m, out) => out.push(m),
  );
}

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("set");

/** The set commands. */
export const setCommands: CommandSpec[] = [
  spec("sadd", -3, ["write", "denyoom", "fast"], [1, 1, 1], sadd),
  spec("srem", -3, ["write", "fast"], [1, 1, 1], srem),
  spec("smove", 4, ["write", "fast"], [1, 2, 1], smove),
  spec("sismember", 3, ["readonly", "fast"], [1, 1, 1], sismember),
  spec("smismember", -3, ["readonly", "fast"], [1, 1, 1], smismember),
  spec("scard", 2, ["readonly", "fast"], [1, 1, 1], scard),
  spec("spop", -2, ["write", "fast"], [1, 1, 1], spop),
  spec("srandmember", -2, ["readonly"], [1, 1, 1], srandmember),
  spec("smembers", 2, ["readonly"], [1, 1, 1], smembers),
  spec("sinter", -2, ["readonly"], [1, -1, 1], (c, a) => sinterGeneric(c, a.slice(1), null)),
  spec("sintercard", -3, ["readonly", "movablekeys"], null, sintercard),
  spec("sinterstore", -3, ["write", "denyoom"], [1, -1, 1], (c, a) => {
    sinterGeneric(c, a.slice(2), a[1]!);
  }),
  spec("sunion", -2, ["readonly"], [1, -1, 1], (c, a) => replyResult(c, union(c, a.slice(1)))),
  spec("sunionstore", -3, ["write", "denyoom"], [1, -1, 1], (c, a) => {
    store(c, a[1]!, union(c, a.slice(2)), "sunionstore");
  }),
  spec("sdiff", -2, ["readonly"], [1, -1, 1], (c, a) => replyResult(c, difference(c, a.slice(1)))),
  spec("sdiffstore", -3, ["write", "denyoom"], [1, -1, 1], (c, a) => {
    store(c, a[1]!, difference(c, a.slice(2)), "sdiffstore");
  }),
  spec("sscan", -3, ["readonly"], [1, 1, 1], sscan),
];
