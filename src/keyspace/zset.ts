/**
 * A Redis sorted set: a hash index from member to node for O(1) ZSCORE, and a skip list with
 * spans ordered by (score, member), as Redis's `zskiplist`: level probability 1/4, at most 32
 * levels, equal scores ordered by member bytes (latin1 strings compare by char code, as memcmp
 * does). Spans make rank lookups, access by rank and range deletions O(log n).
 *
 * Nodes are small integers into typed arrays rather than objects, which keeps a large set
 * compact (24 bytes of node data per member, a few for its upper levels, 8 to 16 for its index
 * slot, plus its string) and cheap for the garbage collector. A node's record holds its score,
 * level-0 forward and backward links, its level, and the offset of its upper levels' (forward,
 * span) pairs in a shared pool; the span at level 0 is always 1 and is not stored. Node 0 is
 * the header. Freed nodes and link blocks are reused, and the arrays are compacted when a set
 * shrinks to an eighth of them. The index is an open-addressing table of (hash, node) pairs
 * rather than a JS Map: a third of the memory, removals that touch one table line, compaction
 * that renumbers its nodes without rehashing, and a scan cursor with Redis's guarantees
 * across resizes (`unorderedEntries`).
 *
 * The encoding OBJECT ENCODING reports is tracked as Redis 7.0 converts it: `listpack` while
 * the set has at most zset-max-listpack-entries members of at most zset-max-listpack-value
 * bytes, then `skiplist` for good (only a new set built by ZUNIONSTORE & co starts compact
 * again). Two listpack behaviours show through, so they are kept: it stores an integral score
 * as an integer, so a -0 score reads back as 0 (a skiplist keeps -0); and it answers a
 * lexicographic range by a linear scan, which with members out of order across scores can
 * differ from the skip list's search. `add` keeps the encoding; `insert` is the bare skip list
 * insertion, for sets built whole and given their encoding after (`setEncodingFor`).
 *
 * @example
 * ```ts
 * import { SortedSetValue } from "./zset.ts";
 * const zset = new SortedSetValue();
 * zset.insert("b", 2);
 * zset.insert("a", 2);
 * zset.rank("b"); // 1: equal scores are ordered by member
 * [...zset.entries()]; // [["a", 2], ["b", 2]]
 * ```
 * @module
 */

/** Most levels a node can have (Redis's ZSKIPLIST_MAXLEVEL). */
const MAX_LEVEL = 32;
/** Int32 words per node record: score (two words), next, prev, up, level. */
const STRIDE = 6;
const NEXT = 2;
const PREV = 3;
const UP = 4;
const LEVEL = 5;
/** The header node, and "no node" in links (the header is never a link target). */
const HEAD = 0;
const NONE = 0;
/** Smallest node capacity (header included), and below which a set is never compacted. */
const MIN_CAPACITY = 4;
const COMPACT_ABOVE = 64;

/** Scratch for searches: the rightmost node before the target at each level, and its rank. */
const update = new Int32Array(MAX_LEVEL);
const rankAt = new Float64Array(MAX_LEVEL);

/** A per-process seed, so that clients cannot choose members that all collide. */
const HASH_SEED = (Math.random() * 2 ** 32) | 0;

/** A 32-bit hash of a member's bytes: FNV-1a, seeded, then murmur3's finalizer to mix it. */
function hashOf(member: string): number {
  let h = HASH_SEED ^ 0x811c9dc5;
  for (let i = 0; i < member.length; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The bits of a 32-bit number in reverse order (for the scan cursor). */
function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Smallest member index (slots), and its fill limits: grow above 3/4, shrink below 1/8. */
const MIN_SLOTS = 8;

/** A node's level: 1, then one more with probability 1/4 each, as `zslRandomLevel`. */
function randomLevel(): number {
  let level = 1;
  while (Math.random() < 0.25 && level < MAX_LEVEL) level++;
  return level;
}

/** A score interval (ZRANGEBYSCORE's min and max, "(" making a bound exclusive). */
export interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/** One bound of a lexicographic interval: `-` (inf -1), `+` (inf 1) or a member, `[` or `(`. */
export interface LexBound {
  inf: -1 | 0 | 1;
  value: string;
  ex: boolean;
}

/** A lexicographic interval (ZRANGEBYLEX's min and max). */
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** Compares a member with a bound as Redis's `sdscmplex` (`-` below all, `+` above all). */
function compareLex(value: string, bound: LexBound): number {
  if (bound.inf !== 0) return -bound.inf;
  return value < bound.value ? -1 : value > bound.value ? 1 : 0;
}

/** Whether `value` is at or above the range's minimum. */
export function lexGteMin(value: string, range: LexRange): boolean {
  const c = compareLex(value, range.min);
  return range.min.ex ? c > 0 : c >= 0;
}

/** Whether `value` is at or below the range's maximum. */
export function lexLteMax(value: string, range: LexRange): boolean {
  const c = compareLex(value, range.max);
  return range.max.ex ? c < 0 : c <= 0;
}

/** Whether no member can be in the range (`zslIsInLexRange`'s first test). */
export function lexRangeEmpty(range: LexRange): boolean {
  const { min, max } = range;
  let c: number;
  if (min.inf !== 0 && min.inf === max.inf) c = 0;
  else if (min.inf === -1 || max.inf === 1) c = -1;
  else if (min.inf === 1 || max.inf === -1) c = 1;
  else c = min.value < max.value ? -1 : min.value > max.value ? 1 : 0;
  return c > 0 || (c === 0 && (min.ex || max.ex));
}

/** Whether `value` is at or above the range's minimum. */
export function scoreGteMin(value: number, range: ScoreRange): boolean {
  return range.minEx ? value > range.min : value >= range.min;
}

/** Whether `value` is at or below the range's maximum. */
export function scoreLteMax(value: number, range: ScoreRange): boolean {
  return range.maxEx ? value < range.max : value <= range.max;
}

/** Whether no score can be in the range (`zslIsInRange`'s first test). */
export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minEx || range.maxEx));
}

/** The compact encoding's thresholds (CONFIG zset-max-listpack-*). */
export interface ZsetLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/**
 * A sorted set value. Nodes (numbers, 0 for none) are valid until the set is next changed;
 * `first`, `next`, `member`, `scoreOf` and friends walk them.
 */
export class SortedSetValue {
  /**
   * Member to node: an open-addressing hash table with linear probing, (hash, node) pairs of
   * Int32s, node 0 marking an empty slot. Deletion shifts the following entries back rather
   * than leaving tombstones, so every member sits in the run of full slots from its home slot.
   */
  #slots = new Int32Array(MIN_SLOTS * 2);
  #mask = MIN_SLOTS - 1;
  #size = 0;
  #f64: Float64Array;
  #i32: Int32Array;
  #members: string[] = [""];
  /** Upper levels' (forward, span) pairs of the nodes of level 2 and more. */
  #links: Int32Array;
  #linksTop = 0;
  /** Per level, the first free link block of that level (chained through its first word). */
  #freeLinks: number[] | null = null;
  /** First free node (chained through its next link). */
  #freeNode = NONE;
  /** Nodes ever used, header included. */
  #nodeTop = 1;
  /** The list's level; the header's record holds how many levels it has storage for. */
  #level = 1;
  #tail = NONE;
  /** Whether Redis would still hold this set as a listpack. */
  listpack = true;

  constructor(capacity = MIN_CAPACITY) {
    const buffer = new ArrayBuffer(capacity * STRIDE * 4);
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.#i32[UP] = -1;
    this.#i32[LEVEL] = 1;
    this.#links = new Int32Array(8);
  }

  /** Number of members. */
  get size(): number {
    return this.#size;
  }

  /** OBJECT ENCODING's answer. */
  get encoding(): string {
    return this.listpack ? "listpack" : "skiplist";
  }

  /** The score of `member`, or undefined when it is not in the set. */
  score(member: string): number | undefined {
    const n = this.#find(member);
    return n === NONE ? undefined : this.#f64[n * 3]!;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    return this.#find(member) !== NONE;
  }

  /** The first node (lowest score), or 0 when empty. */
  first(): number {
    return this.#i32[NEXT]!;
  }

  /** The last node (highest score), or 0 when empty. */
  last(): number {
    return this.#tail;
  }

  /** The node after `n`, or 0. */
  next(n: number): number {
    return this.#i32[n * STRIDE + NEXT]!;
  }

  /** The node before `n`, or 0. */
  prev(n: number): number {
    return this.#i32[n * STRIDE + PREV]!;
  }

  /** The member of node `n`. */
  member(n: number): string {
    return this.#members[n]!;
  }

  /** The score of node `n`. */
  scoreOf(n: number): number {
    return this.#f64[n * 3]!;
  }

  /** Members and scores in ascending order. Do not change the set while iterating. */
  *entries(): IterableIterator<[string, number]> {
    for (let n = this.first(); n !== NONE; n = this.next(n)) {
      yield [this.member(n), this.scoreOf(n)];
    }
  }

  /**
   * Members and scores in hash order, through a live iterator (ZSCAN) that visits the home
   * slots in the reverse-binary order of Redis's `dictScan`: every member present for the
   * whole iteration is returned, however the set changes or its table is resized meanwhile
   * (some may come twice after a shrink, as in Redis).
   */
  *unorderedEntries(): IterableIterator<[string, number]> {
    let cursor = 0;
    do {
      const mask = this.#mask;
      const slots = this.#slots;
      const home = cursor & mask;
      const batch: [string, number][] = [];
      for (let i = home;; i = (i + 1) & mask) {
        const n = slots[2 * i + 1]!;
        if (n === NONE) break;
        if ((slots[2 * i]! & mask) === home) batch.push([this.#members[n]!, this.#f64[n * 3]!]);
      }
      yield* batch;
      // The next home slot after this one, by the mask this one was read with.
      cursor = reverseBits((reverseBits((cursor | ~mask) >>> 0) + 1) >>> 0);
    } while (cursor !== 0);
  }

  /**
   * Adds a member that is not in the set and keeps the encoding as Redis converts it; returns
   * its node. A listpack stores an integral score as an integer, so -0 becomes 0 there.
   */
  add(member: string, score: number, limits: ZsetLimits): number {
    if (
      this.listpack &&
      (this.#size + 1 > limits.zsetMaxListpackEntries ||
        member.length > limits.zsetMaxListpackValue)
    ) {
      this.listpack = false;
    }
    return this.insert(member, this.listpack && score === 0 ? 0 : score);
  }

  /**
   * Gives a set built at once (ZUNIONSTORE & co) the encoding its size calls for, as
   * `zsetConvertToListpackIfNeeded` does.
   */
  setEncodingFor(limits: ZsetLimits): void {
    let compact = this.#size <= limits.zsetMaxListpackEntries;
    for (let n = this.first(); compact && n !== NONE; n = this.next(n)) {
      if (this.#members[n]!.length > limits.zsetMaxListpackValue) compact = false;
    }
    this.listpack = compact;
    if (compact) {
      for (let n = this.first(); n !== NONE; n = this.next(n)) {
        if (this.#f64[n * 3] === 0) this.#f64[n * 3] = 0; // -0 as a listpack stores it
      }
    }
  }

  /** Inserts a member that is not in the set (`zslInsert`), leaving the encoding alone. */
  insert(member: string, score: number): number {
    const level = this.#level;
    const f64 = this.#f64;
    const i32 = this.#i32;
    const members = this.#members;
    let links = this.#links;
    let x = HEAD;
    for (let i = level - 1; i >= 0; i--) {
      let rank = i === level - 1 ? 0 : rankAt[i + 1]!;
      if (i === 0) {
        for (;;) {
          const f = i32[x * STRIDE + NEXT]!;
          if (f === NONE) break;
          const s = f64[f * 3]!;
          if (s < score || (s === score && members[f]! < member)) {
            rank++;
            x = f;
          } else break;
        }
      } else {
        for (;;) {
          const o = i32[x * STRIDE + UP]! + 2 * i - 2;
          const f = links[o]!;
          if (f === NONE) break;
          const s = f64[f * 3]!;
          if (s < score || (s === score && members[f]! < member)) {
            rank += links[o + 1]!;
            x = f;
          } else break;
        }
      }
      rankAt[i] = rank;
      update[i] = x;
    }
    const nodeLevel = randomLevel();
    if (nodeLevel > level) {
      this.#ensureHeaderLevel(nodeLevel);
      links = this.#links;
      const headUp = this.#i32[UP]!;
      for (let i = level; i < nodeLevel; i++) {
        rankAt[i] = 0;
        update[i] = HEAD;
        links[headUp + 2 * i - 1] = this.#size;
      }
      this.#level = nodeLevel;
    }
    const n = this.#allocNode(nodeLevel);
    links = this.#links;
    const nodes = this.#i32;
    this.#f64[n * 3] = score;
    this.#members[n] = member;
    const base = n * STRIDE;
    // Level 0: a doubly linked list, spans implicitly 1.
    const before = update[0]!;
    const after = nodes[before * STRIDE + NEXT]!;
    nodes[base + NEXT] = after;
    nodes[before * STRIDE + NEXT] = n;
    nodes[base + PREV] = before;
    if (after !== NONE) nodes[after * STRIDE + PREV] = n;
    else this.#tail = n;
    const up = nodes[base + UP]!;
    const rank0 = rankAt[0]!;
    for (let i = 1; i < nodeLevel; i++) {
      const u = nodes[update[i]! * STRIDE + UP]! + 2 * i - 2;
      const o = up + 2 * i - 2;
      links[o] = links[u]!;
      links[u] = n;
      const crossed = rank0 - rankAt[i]!;
      links[o + 1] = links[u + 1]! - crossed;
      links[u + 1] = crossed + 1;
    }
    for (let i = Math.max(nodeLevel, 1); i < this.#level; i++) {
      links[nodes[update[i]! * STRIDE + UP]! + 2 * i - 1]!++;
    }
    this.#indexAdd(hashOf(member), n);
    return n;
  }

  /**
   * Changes the score of a member in the set (`zslUpdateScore`): in place when its neighbours
   * keep it where it is, else by removing and inserting it again.
   */
  updateScore(member: string, score: number): void {
    const n = this.#find(member);
    if (n === NONE) throw new RangeError("No such member");
    if (this.listpack && score === 0) score = 0; // -0 as a listpack stores it
    const i32 = this.#i32;
    const before = i32[n * STRIDE + PREV]!;
    const after = i32[n * STRIDE + NEXT]!;
    if (
      (before === NONE || this.#f64[before * 3]! < score) &&
      (after === NONE || this.#f64[after * 3]! > score)
    ) {
      this.#f64[n * 3] = score;
      return;
    }
    this.#seekNode(n);
    this.#unlink(n);
    this.#indexRemove(n);
    this.#freeNodeAt(n);
    this.insert(member, score);
  }

  /** Removes a member; returns whether it was in the set. */
  delete(member: string): boolean {
    const n = this.#find(member);
    if (n === NONE) return false;
    this.#seekNode(n);
    this.#unlink(n);
    this.#indexRemove(n);
    this.#freeNodeAt(n);
    this.#maybeCompact();
    return true;
  }

  /** Removes the first member (ZPOPMIN), which must exist. */
  deleteFirst(): void {
    const n = this.first();
    for (let i = 0; i < this.#level; i++) update[i] = HEAD;
    this.#unlink(n);
    this.#indexRemove(n);
    this.#freeNodeAt(n);
    this.#maybeCompact();
  }

  /** Removes the last member (ZPOPMAX), which must exist. */
  deleteLast(): void {
    this.delete(this.#members[this.#tail]!);
  }

  /** The 0-based rank of `member`, or -1 when it is not in the set (`zslGetRank`). */
  rank(member: string): number {
    const n = this.#find(member);
    return n === NONE ? -1 : this.rankOf(n);
  }

  /** The 0-based rank of node `n`. */
  rankOf(n: number): number {
    const score = this.#f64[n * 3]!;
    const member = this.#members[n]!;
    const f64 = this.#f64;
    const i32 = this.#i32;
    const links = this.#links;
    const members = this.#members;
    let rank = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (;;) {
        let f: number;
        let span = 1;
        if (i === 0) f = i32[x * STRIDE + NEXT]!;
        else {
          const o = i32[x * STRIDE + UP]! + 2 * i - 2;
          f = links[o]!;
          span = links[o + 1]!;
        }
        if (f === NONE) break;
        const s = f64[f * 3]!;
        if (s < score || (s === score && members[f]! <= member)) {
          rank += span;
          x = f;
        } else break;
      }
      if (x === n) return rank - 1;
    }
    throw new RangeError("Node not in the set");
  }

  /** The node at 0-based `rank` (which must be in range), `zslGetElementByRank`. */
  nodeAt(rank: number): number {
    const target = rank + 1;
    const i32 = this.#i32;
    const links = this.#links;
    let traversed = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (;;) {
        let f: number;
        let span = 1;
        if (i === 0) f = i32[x * STRIDE + NEXT]!;
        else {
          const o = i32[x * STRIDE + UP]! + 2 * i - 2;
          f = links[o]!;
          span = links[o + 1]!;
        }
        if (f === NONE || traversed + span > target) break;
        traversed += span;
        x = f;
      }
      if (traversed === target) return x;
    }
    throw new RangeError("Rank out of range");
  }

  /** The first node whose score is in the range, or 0 (`zslFirstInRange`). */
  firstInScoreRange(range: ScoreRange): number {
    if (!this.#inScoreRange(range)) return NONE;
    const x = this.#lastBefore((n) => !scoreGteMin(this.#f64[n * 3]!, range));
    const n = this.next(x);
    return scoreLteMax(this.#f64[n * 3]!, range) ? n : NONE;
  }

  /** The last node whose score is in the range, or 0 (`zslLastInRange`). */
  lastInScoreRange(range: ScoreRange): number {
    if (!this.#inScoreRange(range)) return NONE;
    const x = this.#lastBefore((n) => scoreLteMax(this.#f64[n * 3]!, range));
    return x !== HEAD && scoreGteMin(this.#f64[x * 3]!, range) ? x : NONE;
  }

  /** The first node whose member is in the range, or 0 (`zslFirstInLexRange`, `zzl...`). */
  firstInLexRange(range: LexRange): number {
    if (!this.#inLexRange(range)) return NONE;
    let n: number;
    if (this.listpack) {
      n = this.first();
      while (n !== NONE && !lexGteMin(this.#members[n]!, range)) n = this.next(n);
      if (n === NONE) return NONE;
    } else {
      n = this.next(this.#lastBefore((x) => !lexGteMin(this.#members[x]!, range)));
    }
    return lexLteMax(this.#members[n]!, range) ? n : NONE;
  }

  /** The last node whose member is in the range, or 0 (`zslLastInLexRange`, `zzl...`). */
  lastInLexRange(range: LexRange): number {
    if (!this.#inLexRange(range)) return NONE;
    let n: number;
    if (this.listpack) {
      n = this.last();
      while (n !== NONE && !lexLteMax(this.#members[n]!, range)) n = this.prev(n);
      if (n === NONE) return NONE;
    } else {
      n = this.#lastBefore((x) => lexLteMax(this.#members[x]!, range));
      if (n === HEAD) return NONE;
    }
    return lexGteMin(this.#members[n]!, range) ? n : NONE;
  }

  /** Removes the members of 0-based ranks `start..end` (in range); returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    const i32 = this.#i32;
    const links = this.#links;
    let traversed = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (;;) {
        let f: number;
        let span = 1;
        if (i === 0) f = i32[x * STRIDE + NEXT]!;
        else {
          const o = i32[x * STRIDE + UP]! + 2 * i - 2;
          f = links[o]!;
          span = links[o + 1]!;
        }
        if (f === NONE || traversed + span >= start + 1) break;
        traversed += span;
        x = f;
      }
      update[i] = x;
    }
    return this.#deleteFrom(x, (_n, count) => start + count <= end);
  }

  /** Removes the members whose score is in the range; returns how many. */
  deleteRangeByScore(range: ScoreRange): number {
    const x = this.#lastBefore((n) => !scoreGteMin(this.#f64[n * 3]!, range), true);
    return this.#deleteFrom(x, (n) => scoreLteMax(this.#f64[n * 3]!, range));
  }

  /** Removes the members in the lexicographic range; returns how many. */
  deleteRangeByLex(range: LexRange): number {
    if (this.listpack) {
      // A listpack deletes from its first element in range, found by a linear scan.
      const n = this.firstInLexRange(range);
      if (n === NONE) return 0;
      this.#seekNode(n);
      return this.#deleteFrom(this.prev(n), (m) => lexLteMax(this.#members[m]!, range));
    }
    const x = this.#lastBefore((n) => !lexGteMin(this.#members[n]!, range), true);
    return this.#deleteFrom(x, (n) => lexLteMax(this.#members[n]!, range));
  }

  /** A random node (uniform), or 0 when empty. */
  randomNode(): number {
    const size = this.#size;
    return size === 0 ? NONE : this.nodeAt(Math.floor(Math.random() * size));
  }

  /** An independent copy (COPY). */
  copy(): SortedSetValue {
    const c = new SortedSetValue(1);
    this.#rebuildInto(c);
    c.listpack = this.listpack;
    return c;
  }

  /** Whether some score may be in the range (`zslIsInRange`). */
  #inScoreRange(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range) || this.#tail === NONE) return false;
    return scoreGteMin(this.#f64[this.#tail * 3]!, range) &&
      scoreLteMax(this.#f64[this.first() * 3]!, range);
  }

  /** Whether some member may be in the range (`zslIsInLexRange`). */
  #inLexRange(range: LexRange): boolean {
    if (lexRangeEmpty(range) || this.#tail === NONE) return false;
    return lexGteMin(this.#members[this.#tail]!, range) &&
      lexLteMax(this.#members[this.first()]!, range);
  }

  /**
   * Walks from the header down the levels while `advance(forward)` holds, returning the last
   * node reached (the header when none); fills `update` when `record` is set.
   */
  #lastBefore(advance: (n: number) => boolean, record = false): number {
    const i32 = this.#i32;
    const links = this.#links;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (;;) {
        const f = i === 0 ? i32[x * STRIDE + NEXT]! : links[i32[x * STRIDE + UP]! + 2 * i - 2]!;
        if (f === NONE || !advance(f)) break;
        x = f;
      }
      if (record) update[i] = x;
    }
    return x;
  }

  /** Fills `update` with the nodes before node `n` at each level (as `zslDelete` searches). */
  #seekNode(n: number): void {
    const score = this.#f64[n * 3]!;
    const member = this.#members[n]!;
    const f64 = this.#f64;
    const members = this.#members;
    this.#lastBefore((f) => {
      const s = f64[f * 3]!;
      return s < score || (s === score && members[f]! < member);
    }, true);
  }

  /**
   * Removes the nodes after `x` while `keep(node, removedSoFar)` holds, `update` being filled
   * for `x`'s position; returns how many.
   */
  #deleteFrom(x: number, keep: (n: number, count: number) => boolean): number {
    let n = this.next(x);
    let count = 0;
    while (n !== NONE && keep(n, count)) {
      const following = this.next(n);
      this.#unlink(n);
      this.#indexRemove(n);
      this.#freeNodeAt(n);
      count++;
      n = following;
    }
    if (count !== 0) this.#maybeCompact();
    return count;
  }

  /** Unlinks node `x`, `update` holding its predecessors (`zslDeleteNode`). */
  #unlink(x: number): void {
    const i32 = this.#i32;
    const links = this.#links;
    const xUp = i32[x * STRIDE + UP]!;
    const xLevel = i32[x * STRIDE + LEVEL]!;
    for (let i = 1; i < this.#level; i++) {
      const u = i32[update[i]! * STRIDE + UP]! + 2 * i - 2;
      if (i < xLevel && links[u] === x) {
        const o = xUp + 2 * i - 2;
        links[u + 1] = links[u + 1]! + links[o + 1]! - 1;
        links[u] = links[o]!;
      } else {
        links[u + 1]!--;
      }
    }
    const before = i32[x * STRIDE + PREV]!;
    const after = i32[x * STRIDE + NEXT]!;
    i32[before * STRIDE + NEXT] = after;
    if (after !== NONE) i32[after * STRIDE + PREV] = before;
    else this.#tail = before;
    const headUp = i32[UP]!;
    while (this.#level > 1 && links[headUp + 2 * (this.#level - 1) - 2] === NONE) this.#level--;
  }

  /** A fresh node of `level` levels, its record and link block reserved. */
  #allocNode(level: number): number {
    let n = this.#freeNode;
    if (n !== NONE) {
      this.#freeNode = this.#i32[n * STRIDE + NEXT]!;
    } else {
      n = this.#nodeTop++;
      if (n * STRIDE >= this.#i32.length) this.#growNodes(n * 2);
    }
    const base = n * STRIDE;
    this.#i32[base + LEVEL] = level;
    this.#i32[base + UP] = level > 1 ? this.#allocLinks(level) : -1;
    return n;
  }

  /** Returns node `n` and its link block to the free lists. */
  #freeNodeAt(n: number): void {
    const base = n * STRIDE;
    const level = this.#i32[base + LEVEL]!;
    if (level > 1) this.#freeLinkBlock(this.#i32[base + UP]!, level);
    this.#members[n] = "";
    this.#i32[base + NEXT] = this.#freeNode;
    this.#freeNode = n;
  }

  #growNodes(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * STRIDE * 4);
    const i32 = new Int32Array(buffer);
    i32.set(this.#i32);
    this.#i32 = i32;
    this.#f64 = new Float64Array(buffer);
  }

  /** A block for the upper levels of a node of `level` levels (2 words per level above 0). */
  #allocLinks(level: number): number {
    const free = this.#freeLinks;
    if (free !== null) {
      const head = free[level] ?? -1;
      if (head !== -1) {
        free[level] = this.#links[head]!;
        return head;
      }
    }
    const size = 2 * (level - 1);
    const offset = this.#linksTop;
    if (offset + size > this.#links.length) {
      const grown = new Int32Array(Math.max(this.#links.length * 2, offset + size));
      grown.set(this.#links);
      this.#links = grown;
    }
    this.#linksTop = offset + size;
    return offset;
  }

  #freeLinkBlock(offset: number, level: number): void {
    const free = this.#freeLinks ??= [];
    this.#links[offset] = free[level] ?? -1;
    free[level] = offset;
  }

  /** Gives the header storage for `level` levels, links of new levels empty. */
  #ensureHeaderLevel(level: number): void {
    const headLevel = this.#i32[LEVEL]!;
    if (level <= headLevel) return;
    const offset = this.#allocLinks(level);
    const links = this.#links;
    const oldUp = this.#i32[UP]!;
    const oldWords = 2 * (headLevel - 1);
    for (let w = 0; w < oldWords; w++) links[offset + w] = links[oldUp + w]!;
    for (let w = oldWords; w < 2 * (level - 1); w++) links[offset + w] = 0;
    if (headLevel > 1) this.#freeLinkBlock(oldUp, headLevel);
    this.#i32[UP] = offset;
    this.#i32[LEVEL] = level;
  }

  /** The node of `member`, or 0 when it is not in the set. */
  #find(member: string): number {
    const h = hashOf(member);
    const slots = this.#slots;
    const mask = this.#mask;
    const members = this.#members;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const n = slots[2 * i + 1]!;
      if (n === NONE) return NONE;
      if (slots[2 * i] === h && members[n] === member) return n;
    }
  }

  /** Indexes node `n`, whose member (hash `h`) is not in the index yet. */
  #indexAdd(h: number, n: number): void {
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#resizeIndex((this.#mask + 1) * 2);
    const slots = this.#slots;
    const mask = this.#mask;
    let i = h & mask;
    while (slots[2 * i + 1] !== NONE) i = (i + 1) & mask;
    slots[2 * i] = h;
    slots[2 * i + 1] = n;
    this.#size++;
  }

  /**
   * Removes node `n` from the index, then shifts back the entries after it that may not stay
   * past the hole (those whose home slot is not between the hole and themselves).
   */
  #indexRemove(n: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let hole = hashOf(this.#members[n]!) & mask;
    while (slots[2 * hole + 1] !== n) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask;; j = (j + 1) & mask) {
      const m = slots[2 * j + 1]!;
      if (m === NONE) break;
      const h = slots[2 * j]!;
      if (((j - (h & mask)) & mask) >= ((j - hole) & mask)) {
        slots[2 * hole] = h;
        slots[2 * hole + 1] = m;
        hole = j;
      }
    }
    slots[2 * hole] = 0;
    slots[2 * hole + 1] = NONE;
    this.#size--;
    if (this.#mask + 1 > MIN_SLOTS && this.#size * 8 < this.#mask + 1) {
      this.#resizeIndex((this.#mask + 1) / 2);
    }
  }

  /** Moves the index into a table of `count` slots (a power of two). */
  #resizeIndex(count: number): void {
    const old = this.#slots;
    const slots = new Int32Array(count * 2);
    const mask = count - 1;
    for (let k = 1; k < old.length; k += 2) {
      const n = old[k]!;
      if (n === NONE) continue;
      const h = old[k - 1]!;
      let i = h & mask;
      while (slots[2 * i + 1] !== NONE) i = (i + 1) & mask;
      slots[2 * i] = h;
      slots[2 * i + 1] = n;
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  /**
   * Compacts the arrays when the set uses less than an eighth of them: rebuilding leaves at
   * least twice the room needed, so a shrinking set rebuilds at most once per halving.
   */
  #maybeCompact(): void {
    const capacity = this.#i32.length / STRIDE;
    if (capacity > COMPACT_ABOVE && (this.#size + 1) * 8 < capacity) this.#rebuildInto(this);
  }

  /**
   * Writes this set's nodes, in order and with their levels, into fresh arrays of `target`
   * (this set itself when compacting). Spans follow from ranks: a link spans the ranks between
   * its ends, and a last link at a level spans to the end of the set, as `zslInsert` keeps it.
   */
  #rebuildInto(target: SortedSetValue): void {
    const size = this.#size;
    const level = this.#level;
    const oldI32 = this.#i32;
    const oldF64 = this.#f64;
    const oldMembers = this.#members;
    let capacity = MIN_CAPACITY;
    while (capacity < (size + 1) * 2) capacity *= 2;
    const buffer = new ArrayBuffer(capacity * STRIDE * 4);
    const i32 = new Int32Array(buffer);
    const f64 = new Float64Array(buffer);
    let linkWords = 2 * (level - 1);
    for (let n = oldI32[NEXT]!; n !== NONE; n = oldI32[n * STRIDE + NEXT]!) {
      linkWords += 2 * (oldI32[n * STRIDE + LEVEL]! - 1);
    }
    const links = new Int32Array(Math.max(8, linkWords));
    const members: string[] = new Array<string>(size + 1);
    members[0] = "";
    i32[UP] = level > 1 ? 0 : -1;
    i32[LEVEL] = level;
    let linksTop = 2 * (level - 1);
    // The last node linked at each level, and its rank.
    const lastNode = new Int32Array(MAX_LEVEL);
    const lastRank = new Int32Array(MAX_LEVEL);
    // The nodes are renumbered in order; the member index keeps its slots, renumbered too.
    const renumbered = new Int32Array(oldI32.length / STRIDE);
    let rank = 0;
    for (let old = oldI32[NEXT]!; old !== NONE; old = oldI32[old * STRIDE + NEXT]!) {
      const n = ++rank;
      const nodeLevel = oldI32[old * STRIDE + LEVEL]!;
      const base = n * STRIDE;
      const member = oldMembers[old]!;
      f64[n * 3] = oldF64[old * 3]!;
      members[n] = member;
      renumbered[old] = n;
      i32[base + LEVEL] = nodeLevel;
      i32[base + PREV] = n - 1;
      i32[(n - 1) * STRIDE + NEXT] = n;
      if (nodeLevel > 1) {
        i32[base + UP] = linksTop;
        linksTop += 2 * (nodeLevel - 1);
      } else {
        i32[base + UP] = -1;
      }
      for (let i = 1; i < nodeLevel; i++) {
        const o = i32[lastNode[i]! * STRIDE + UP]! + 2 * i - 2;
        links[o] = n;
        links[o + 1] = rank - lastRank[i]!;
        lastNode[i] = n;
        lastRank[i] = rank;
      }
    }
    for (let i = 1; i < level; i++) {
      const o = i32[lastNode[i]! * STRIDE + UP]! + 2 * i - 2;
      links[o] = NONE;
      links[o + 1] = size - lastRank[i]!;
    }
    i32[rank * STRIDE + NEXT] = NONE;
    const slots = target === this ? this.#slots : this.#slots.slice();
    for (let i = 1; i < slots.length; i += 2) slots[i] = renumbered[slots[i]!]!;
    target.#slots = slots;
    target.#mask = this.#mask;
    target.#size = size;
    target.#f64 = f64;
    target.#i32 = i32;
    target.#members = members;
    target.#links = links;
    target.#linksTop = linksTop;
    target.#freeLinks = null;
    target.#freeNode = NONE;
    target.#nodeTop = size + 1;
    target.#level = level;
    target.#tail = size === 0 ? NONE : size;
  }
}
