/**
 * A Redis sorted set: a hash index from member to node for O(1) ZSCORE, and a skip list with
 * spans ordered by (score, member), as Redis's `zskiplist`: level probability 1/4, at most 32
 * levels, equal scores ordered by member bytes (latin1 strings compare by char code, as memcmp
 * does). Spans make rank lookups, access by rank and range deletions O(log n).
 *
 * Nodes are offsets into one typed-array pool rather than objects, which keeps a large set
 * compact and cheap for the garbage collector. Each node is one contiguous block, as Redis's
 * `zskiplistNode` is: its member's id (an index into the member strings), its level, its
 * score, then a (forward, span) pair per level; the span at level 0 is always 1, so that slot
 * holds the backward link. A search step reads the forward node's score, and when it moves
 * there, that node's link at the same level: both in the block it just reached, mostly one
 * cache line. (With the score in a node record and the upper links in a separate pool, each
 * step missed twice, and a set of a million members was twice as slow as one of 100k.) A
 * block is 16 bytes plus 8 per level (24 for three members in four), plus 8 to 16 for the
 * member's index slot and its string. The header is the block at offset 0, with every level.
 * Blocks of level 1, of level 2 and taller ones are cut from separate chunks of the pool, so
 * that the upper levels every search walks stay dense enough to stay in cache (`CLASSES`).
 * Freed blocks are reused by level, keeping their member ids, and the pool is compacted when
 * a set shrinks to an eighth of it. The index is an open-addressing table of (hash, node) pairs
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
/**
 * Int32 words of a node's block: its member id, its level, its score (a float64 in words 2-3:
 * blocks start on even words, so `f64[(n + SCORE) >> 1]`), then level i's forward link at
 * `NEXT + 2i` and its span at `SPAN + 2i`, except at level 0, whose span slot is the backward
 * link (PREV).
 */
const MID = 0;
const LEVEL = 1;
const SCORE = 2;
const NEXT = 4;
const SPAN = 5;
const PREV = 5;
/** The header's block, and "no node" in links (the header is never a link target). */
const HEAD = 0;
const NONE = 0;
/** The header's block has every level, so that the list's level can grow in place. */
const HEAD_WORDS = NEXT + 2 * MAX_LEVEL;
/**
 * A new set's pool (the header and four nodes: many sets stay small); pools grow and are
 * rebuilt to powers of two words from POOL_UNIT up; below COMPACT_ABOVE a set is never
 * compacted.
 */
const MIN_WORDS = 96;
const POOL_UNIT = 128;
const COMPACT_ABOVE = 512;

/** Pool words for at least `words` words: a power of two, at least POOL_UNIT. */
function poolWords(words: number): number {
  let size = POOL_UNIT;
  while (size < words) size *= 2;
  return size;
}

/** Words of a block of `level` levels (always even, which keeps scores aligned). */
function blockWords(level: number): number {
  return NEXT + 2 * level;
}

/**
 * New blocks are cut from chunks of the pool that each hold blocks of one class: level 1,
 * level 2, or taller. Every search walks the taller nodes, which are a quarter of them; kept
 * apart from the rest they take a few dense megabytes that stay in cache in a set of a
 * million members, where mixed in with level-1 blocks each would hold a cache line of its
 * own, and the lines of the upper levels would not fit. A chunk is a sixty-fourth of the pool,
 * so that a small set wastes little, up to CHUNK_WORDS (4 KiB).
 */
const CLASSES = 3;
const CHUNK_WORDS = 1024;

/** The chunk class of a block of `level` levels. */
function classOf(level: number): number {
  return level < CLASSES ? level - 1 : CLASSES - 1;
}

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
  /** The node pool, as words and as float64s (for scores) over one buffer. */
  #i32: Int32Array;
  #f64: Float64Array;
  /** Member strings by member id; id 0 is the header's. */
  #members: string[] = [""];
  /** Pool words ever used (free blocks and chunks included), and of the header and nodes. */
  #top = HEAD_WORDS;
  #live = HEAD_WORDS;
  /** Words of live nodes of each class, which a rebuild lays out in a region per class. */
  #classWords = [0, 0, 0];
  /** Per class, the next free word of its current chunk and the chunk's end. */
  #chunks = [0, 0, 0, 0, 0, 0];
  /** Per level, the first free block of that level (chained through its NEXT word), or 0. */
  #freeBlocks: Int32Array | null = null;
  /** The list's level. */
  #level = 1;
  #tail = NONE;
  /** Whether Redis would still hold this set as a listpack. */
  listpack = true;

  constructor(words = MIN_WORDS) {
    const buffer = new ArrayBuffer(Math.max(words, HEAD_WORDS) * 4);
    this.#i32 = new Int32Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#i32[LEVEL] = MAX_LEVEL;
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
    return n === NONE ? undefined : this.#f64[(n + SCORE) >> 1]!;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    return this.#find(member) !== NONE;
  }

  /** The first node (lowest score), or 0 when empty. */
  first(): number {
    return this.#i32[HEAD + NEXT]!;
  }

  /** The last node (highest score), or 0 when empty. */
  last(): number {
    return this.#tail;
  }

  /** The node after `n`, or 0. */
  next(n: number): number {
    return this.#i32[n + NEXT]!;
  }

  /** The node before `n`, or 0. */
  prev(n: number): number {
    return this.#i32[n + PREV]!;
  }

  /** The member of node `n`. */
  member(n: number): string {
    return this.#members[this.#i32[n + MID]!]!;
  }

  /** The score of node `n`. */
  scoreOf(n: number): number {
    return this.#f64[(n + SCORE) >> 1]!;
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
        if ((slots[2 * i]! & mask) === home) batch.push([this.member(n), this.scoreOf(n)]);
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
      if (this.member(n).length > limits.zsetMaxListpackValue) compact = false;
    }
    this.listpack = compact;
    if (compact) {
      const f64 = this.#f64;
      for (let n = this.first(); n !== NONE; n = this.next(n)) {
        if (f64[(n + SCORE) >> 1] === 0) f64[(n + SCORE) >> 1] = 0; // -0 as a listpack stores it
      }
    }
  }

  /** Inserts a member that is not in the set (`zslInsert`), leaving the encoding alone. */
  insert(member: string, score: number): number {
    const level = this.#level;
    let i32 = this.#i32;
    const f64 = this.#f64;
    const members = this.#members;
    let x = HEAD;
    let rank = 0;
    for (let i = level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        if (f === NONE) break;
        const s = f64[(f + SCORE) >> 1]!;
        if (s < score || (s === score && members[i32[f + MID]!]! < member)) {
          rank += i === 0 ? 1 : i32[x + link + 1]!;
          x = f;
        } else break;
      }
      rankAt[i] = rank;
      update[i] = x;
    }
    const nodeLevel = randomLevel();
    if (nodeLevel > level) {
      for (let i = level; i < nodeLevel; i++) {
        rankAt[i] = 0;
        update[i] = HEAD;
        i32[HEAD + SPAN + 2 * i] = this.#size;
      }
      this.#level = nodeLevel;
    }
    const n = this.#allocNode(nodeLevel);
    i32 = this.#i32;
    this.#f64[(n + SCORE) >> 1] = score;
    this.#members[i32[n + MID]!] = member;
    // Level 0: a doubly linked list, spans implicitly 1.
    const before = update[0]!;
    const after = i32[before + NEXT]!;
    i32[n + NEXT] = after;
    i32[before + NEXT] = n;
    i32[n + PREV] = before;
    if (after !== NONE) i32[after + PREV] = n;
    else this.#tail = n;
    const rank0 = rankAt[0]!;
    for (let i = 1; i < nodeLevel; i++) {
      const u = update[i]! + NEXT + 2 * i;
      const o = n + NEXT + 2 * i;
      i32[o] = i32[u]!;
      i32[u] = n;
      const crossed = rank0 - rankAt[i]!;
      i32[o + 1] = i32[u + 1]! - crossed;
      i32[u + 1] = crossed + 1;
    }
    for (let i = nodeLevel; i < this.#level; i++) i32[update[i]! + SPAN + 2 * i]!++;
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
    const f64 = this.#f64;
    const before = i32[n + PREV]!;
    const after = i32[n + NEXT]!;
    if (
      (before === NONE || f64[(before + SCORE) >> 1]! < score) &&
      (after === NONE || f64[(after + SCORE) >> 1]! > score)
    ) {
      f64[(n + SCORE) >> 1] = score;
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
    this.delete(this.member(this.#tail));
  }

  /** The 0-based rank of `member`, or -1 when it is not in the set (`zslGetRank`). */
  rank(member: string): number {
    const n = this.#find(member);
    return n === NONE ? -1 : this.rankOf(n);
  }

  /** The 0-based rank of node `n`. */
  rankOf(n: number): number {
    const i32 = this.#i32;
    const f64 = this.#f64;
    const members = this.#members;
    const score = f64[(n + SCORE) >> 1]!;
    const member = members[i32[n + MID]!]!;
    let rank = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        if (f === NONE) break;
        const s = f64[(f + SCORE) >> 1]!;
        if (f === n || s < score || (s === score && members[i32[f + MID]!]! < member)) {
          rank += i === 0 ? 1 : i32[x + link + 1]!;
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
    let traversed = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        const span = i === 0 ? 1 : i32[x + link + 1]!;
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
    const f64 = this.#f64;
    const x = this.#lastBefore((n) => !scoreGteMin(f64[(n + SCORE) >> 1]!, range));
    const n = this.next(x);
    return scoreLteMax(this.scoreOf(n), range) ? n : NONE;
  }

  /** The last node whose score is in the range, or 0 (`zslLastInRange`). */
  lastInScoreRange(range: ScoreRange): number {
    if (!this.#inScoreRange(range)) return NONE;
    const f64 = this.#f64;
    const x = this.#lastBefore((n) => scoreLteMax(f64[(n + SCORE) >> 1]!, range));
    return x !== HEAD && scoreGteMin(this.scoreOf(x), range) ? x : NONE;
  }

  /** The first node whose member is in the range, or 0 (`zslFirstInLexRange`, `zzl...`). */
  firstInLexRange(range: LexRange): number {
    if (!this.#inLexRange(range)) return NONE;
    let n: number;
    if (this.listpack) {
      n = this.first();
      while (n !== NONE && !lexGteMin(this.member(n), range)) n = this.next(n);
      if (n === NONE) return NONE;
    } else {
      n = this.next(this.#lastBefore((x) => !lexGteMin(this.member(x), range)));
    }
    return lexLteMax(this.member(n), range) ? n : NONE;
  }

  /** The last node whose member is in the range, or 0 (`zslLastInLexRange`, `zzl...`). */
  lastInLexRange(range: LexRange): number {
    if (!this.#inLexRange(range)) return NONE;
    let n: number;
    if (this.listpack) {
      n = this.last();
      while (n !== NONE && !lexLteMax(this.member(n), range)) n = this.prev(n);
      if (n === NONE) return NONE;
    } else {
      n = this.#lastBefore((x) => lexLteMax(this.member(x), range));
      if (n === HEAD) return NONE;
    }
    return lexGteMin(this.member(n), range) ? n : NONE;
  }

  /** Removes the members of 0-based ranks `start..end` (in range); returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    const i32 = this.#i32;
    let traversed = 0;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        const span = i === 0 ? 1 : i32[x + link + 1]!;
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
    const f64 = this.#f64;
    const x = this.#lastBefore((n) => !scoreGteMin(f64[(n + SCORE) >> 1]!, range), true);
    return this.#deleteFrom(x, (n) => scoreLteMax(this.scoreOf(n), range));
  }

  /** Removes the members in the lexicographic range; returns how many. */
  deleteRangeByLex(range: LexRange): number {
    if (this.listpack) {
      // A listpack deletes from its first element in range, found by a linear scan.
      const n = this.firstInLexRange(range);
      if (n === NONE) return 0;
      this.#seekNode(n);
      return this.#deleteFrom(this.prev(n), (m) => lexLteMax(this.member(m), range));
    }
    const x = this.#lastBefore((n) => !lexGteMin(this.member(n), range), true);
    return this.#deleteFrom(x, (n) => lexLteMax(this.member(n), range));
  }

  /** A random node (uniform), or 0 when empty. */
  randomNode(): number {
    const size = this.#size;
    return size === 0 ? NONE : this.nodeAt(Math.floor(Math.random() * size));
  }

  /** An independent copy (COPY). */
  copy(): SortedSetValue {
    const c = new SortedSetValue(HEAD_WORDS);
    this.#rebuildInto(c);
    c.listpack = this.listpack;
    return c;
  }

  /**
   * Verifies every invariant of the structure (for tests; O(n log n)): the level-0 links both
   * ways and the tail, each level's links in order with spans equal to the rank differences
   * (to the end of the set for a last link), the header above the list's level empty, the
   * index holding exactly the live nodes under their members' hashes, and the pool's counts of
   * live words. Throws a RangeError naming the first broken one.
   */
  check(): void {
    const i32 = this.#i32;
    const fail = (what: string): never => {
      throw new RangeError(`Sorted set invariant broken: ${what}`);
    };
    const rankOfNode = new Map<number, number>();
    const classWords = [0, 0, 0];
    let words = HEAD_WORDS;
    let prev = HEAD;
    let rank = 0;
    for (let n = this.first(); n !== NONE; n = this.next(n)) {
      rank++;
      if (rankOfNode.has(n)) fail(`node ${n} linked twice`);
      rankOfNode.set(n, rank);
      if (i32[n + PREV] !== prev) fail(`backward link of node ${n}`);
      if (prev !== HEAD && this.#before(n, prev)) fail(`order at rank ${rank}`);
      const level = i32[n + LEVEL]!;
      if (level < 1 || level > MAX_LEVEL) fail(`level ${level} of node ${n}`);
      if (level > this.#level) fail(`node ${n} above the list's level`);
      words += blockWords(level);
      classWords[classOf(level)]! += blockWords(level);
      if (n + blockWords(level) > this.#top) fail(`node ${n} beyond the pool's top`);
      prev = n;
    }
    if (rank !== this.#size) fail(`size ${this.#size} but ${rank} nodes`);
    if (prev !== this.#tail) fail("tail");
    if (words !== this.#live) fail(`live words ${this.#live} but ${words} in use`);
    for (let c = 0; c < CLASSES; c++) {
      if (classWords[c] !== this.#classWords[c]) fail(`live words of class ${c}`);
    }
    // No two blocks overlap, live or free, nor the header.
    const blocks: [number, number][] = [...rankOfNode.keys()].map((n) => [n, i32[n + LEVEL]!]);
    for (let level = 1; this.#freeBlocks !== null && level <= MAX_LEVEL; level++) {
      for (let n = this.#freeBlocks[level]!; n !== NONE; n = i32[n + NEXT]!) {
        if (i32[n + LEVEL] !== level) fail(`free block ${n} of level ${level}`);
        blocks.push([n, level]);
      }
    }
    blocks.sort((a, b) => a[0] - b[0]);
    let end = HEAD_WORDS;
    for (const [n, level] of blocks) {
      if (n < end) fail(`block ${n} overlaps the one before`);
      end = n + blockWords(level);
    }
    for (let i = 1; i < MAX_LEVEL; i++) {
      const link = NEXT + 2 * i;
      if (i >= this.#level) {
        if (i32[HEAD + link] !== NONE) fail(`header link above the list's level ${i}`);
        continue;
      }
      let x = HEAD;
      let xRank = 0;
      for (;;) {
        const f = i32[x + link]!;
        const fRank = f === NONE ? this.#size : rankOfNode.get(f) ?? fail(`stray link to ${f}`);
        if (f !== NONE && i32[f + LEVEL]! <= i) fail(`link to node ${f} at level ${i}`);
        if (i32[x + link + 1] !== fRank - xRank) fail(`span at level ${i} from node ${x}`);
        if (f === NONE) break;
        if (fRank <= xRank) fail(`order at level ${i}`);
        // Every node of this level between x and f would have been skipped.
        for (let m = this.next(x); m !== f; m = this.next(m)) {
          if (i32[m + LEVEL]! > i) fail(`node ${m} missing at level ${i}`);
        }
        x = f;
        xRank = fRank;
      }
    }
    if (this.#level > 1 && i32[HEAD + NEXT + 2 * (this.#level - 1)] === NONE) {
      fail("the list's top level is empty");
    }
    let indexed = 0;
    const slots = this.#slots;
    for (let k = 0; k <= this.#mask; k++) {
      const n = slots[2 * k + 1]!;
      if (n === NONE) continue;
      indexed++;
      if (!rankOfNode.has(n)) fail(`index slot ${k} names a node not in the list`);
      if (slots[2 * k] !== hashOf(this.member(n))) fail(`hash in index slot ${k}`);
      if (this.#find(this.member(n)) !== n) fail(`member of node ${n} not found`);
    }
    if (indexed !== this.#size) fail(`index holds ${indexed} of ${this.#size}`);
  }

  /** Whether node `a` sorts before node `b` (by score, then member). */
  #before(a: number, b: number): boolean {
    const sa = this.scoreOf(a);
    const sb = this.scoreOf(b);
    return sa < sb || (sa === sb && this.member(a) < this.member(b));
  }

  /** Whether some score may be in the range (`zslIsInRange`). */
  #inScoreRange(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range) || this.#tail === NONE) return false;
    return scoreGteMin(this.scoreOf(this.#tail), range) &&
      scoreLteMax(this.scoreOf(this.first()), range);
  }

  /** Whether some member may be in the range (`zslIsInLexRange`). */
  #inLexRange(range: LexRange): boolean {
    if (lexRangeEmpty(range) || this.#tail === NONE) return false;
    return lexGteMin(this.member(this.#tail), range) &&
      lexLteMax(this.member(this.first()), range);
  }

  /**
   * Walks from the header down the levels while `advance(forward)` holds, returning the last
   * node reached (the header when none); fills `update` when `record` is set.
   */
  #lastBefore(advance: (n: number) => boolean, record = false): number {
    const i32 = this.#i32;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        if (f === NONE || !advance(f)) break;
        x = f;
      }
      if (record) update[i] = x;
    }
    return x;
  }

  /** Fills `update` with the nodes before node `n` at each level (as `zslDelete` searches). */
  #seekNode(n: number): void {
    const i32 = this.#i32;
    const f64 = this.#f64;
    const members = this.#members;
    const score = f64[(n + SCORE) >> 1]!;
    const member = members[i32[n + MID]!]!;
    let x = HEAD;
    for (let i = this.#level - 1; i >= 0; i--) {
      const link = NEXT + 2 * i;
      for (;;) {
        const f = i32[x + link]!;
        if (f === NONE || f === n) break;
        const s = f64[(f + SCORE) >> 1]!;
        if (s < score || (s === score && members[i32[f + MID]!]! < member)) x = f;
        else break;
      }
      update[i] = x;
    }
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
    const xLevel = i32[x + LEVEL]!;
    for (let i = 1; i < this.#level; i++) {
      const u = update[i]! + NEXT + 2 * i;
      if (i < xLevel && i32[u] === x) {
        const o = x + NEXT + 2 * i;
        i32[u + 1] = i32[u + 1]! + i32[o + 1]! - 1;
        i32[u] = i32[o]!;
      } else {
        i32[u + 1]!--;
      }
    }
    const before = i32[x + PREV]!;
    const after = i32[x + NEXT]!;
    i32[before + NEXT] = after;
    if (after !== NONE) i32[after + PREV] = before;
    else this.#tail = before;
    while (this.#level > 1 && i32[HEAD + NEXT + 2 * (this.#level - 1)] === NONE) this.#level--;
  }

  /**
   * A fresh node of `level` levels: a free block of that level (which keeps its member id) or
   * a new one at the top of the pool, which gets the next member id.
   */
  #allocNode(level: number): number {
    const words = blockWords(level);
    const cls = classOf(level);
    this.#live += words;
    this.#classWords[cls]! += words;
    const free = this.#freeBlocks;
    if (free !== null) {
      const n = free[level]!;
      if (n !== NONE) {
        free[level] = this.#i32[n + NEXT]!;
        return n;
      }
    }
    const chunks = this.#chunks;
    let n = chunks[2 * cls]!;
    if (n + words > chunks[2 * cls + 1]!) {
      const size = Math.max(words, Math.min(CHUNK_WORDS, (this.#i32.length >> 6) & ~1));
      n = this.#top;
      if (n + size > this.#i32.length) this.#growPool(n + size);
      this.#top = n + size;
      chunks[2 * cls + 1] = n + size;
    }
    chunks[2 * cls] = n + words;
    const i32 = this.#i32;
    i32[n + MID] = this.#members.length;
    this.#members.push("");
    i32[n + LEVEL] = level;
    return n;
  }

  /** Returns node `n`'s block to the free list of its level. */
  #freeNodeAt(n: number): void {
    const i32 = this.#i32;
    const level = i32[n + LEVEL]!;
    const free = this.#freeBlocks ??= new Int32Array(MAX_LEVEL + 1);
    this.#members[i32[n + MID]!] = "";
    i32[n + NEXT] = free[level]!;
    free[level] = n;
    this.#live -= blockWords(level);
    this.#classWords[classOf(level)]! -= blockWords(level);
  }

  /** Moves the pool into a buffer of at least `words` words, and twice the old one at least. */
  #growPool(words: number): void {
    const size = poolWords(Math.max(this.#i32.length * 2, words));
    const buffer = new ArrayBuffer(size * 4);
    const i32 = new Int32Array(buffer);
    i32.set(this.#i32);
    this.#i32 = i32;
    this.#f64 = new Float64Array(buffer);
  }

  /** The node of `member`, or 0 when it is not in the set. */
  #find(member: string): number {
    const h = hashOf(member);
    const slots = this.#slots;
    const mask = this.#mask;
    const i32 = this.#i32;
    const members = this.#members;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const n = slots[2 * i + 1]!;
      if (n === NONE) return NONE;
      if (slots[2 * i] === h && members[i32[n + MID]!] === member) return n;
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
    let hole = hashOf(this.member(n)) & mask;
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
   * Compacts the pool when the set uses less than an eighth of it: rebuilding leaves at least
   * twice the room needed, so a shrinking set rebuilds at most once per halving.
   */
  #maybeCompact(): void {
    const words = this.#i32.length;
    if (words > COMPACT_ABOVE && this.#live * 8 < words) this.#rebuildInto(this);
  }

  /**
   * Writes this set's nodes, in order and with their levels, into a fresh pool of `target`
   * (this set itself when compacting), numbering member ids by rank and laying out each class
   * of blocks in a region of its own, tallest first. Spans follow from ranks:
   * a link spans the ranks between its ends, and a last link at a level spans to the end of
   * the set, as `zslInsert` keeps it.
   */
  #rebuildInto(target: SortedSetValue): void {
    const size = this.#size;
    const level = this.#level;
    const oldI32 = this.#i32;
    const oldF64 = this.#f64;
    const oldMembers = this.#members;
    const live = this.#live;
    const capacity = poolWords(live * 2);
    const buffer = new ArrayBuffer(capacity * 4);
    const i32 = new Int32Array(buffer);
    const f64 = new Float64Array(buffer);
    const members = [""];
    i32[HEAD + LEVEL] = MAX_LEVEL;
    // The last node linked at each level, and its rank.
    const lastNode = new Int32Array(MAX_LEVEL);
    const lastRank = new Int32Array(MAX_LEVEL);
    // New node offsets by old member id, to renumber the index without rehashing.
    const renumbered = new Int32Array(oldMembers.length);
    // Where the next block of each class goes: the regions follow the header, tallest first.
    const classWords = this.#classWords.slice();
    const regions = [0, 0, 0];
    let top = HEAD_WORDS;
    for (let c = CLASSES - 1; c >= 0; c--) {
      regions[c] = top;
      top += classWords[c]!;
    }
    let prev = HEAD;
    let rank = 0;
    for (let old = oldI32[HEAD + NEXT]!; old !== NONE; old = oldI32[old + NEXT]!) {
      const nodeLevel = oldI32[old + LEVEL]!;
      const oldId = oldI32[old + MID]!;
      const cls = classOf(nodeLevel);
      const n = regions[cls]!;
      regions[cls] = n + blockWords(nodeLevel);
      rank++;
      i32[n + MID] = rank;
      i32[n + LEVEL] = nodeLevel;
      f64[(n + SCORE) >> 1] = oldF64[(old + SCORE) >> 1]!;
      members.push(oldMembers[oldId]!);
      renumbered[oldId] = n;
      i32[n + PREV] = prev;
      i32[prev + NEXT] = n;
      prev = n;
      for (let i = 1; i < nodeLevel; i++) {
        const o = lastNode[i]! + NEXT + 2 * i;
        i32[o] = n;
        i32[o + 1] = rank - lastRank[i]!;
        lastNode[i] = n;
        lastRank[i] = rank;
      }
    }
    for (let i = 1; i < level; i++) i32[lastNode[i]! + SPAN + 2 * i] = size - lastRank[i]!;
    const slots = target === this ? this.#slots : this.#slots.slice();
    for (let k = 1; k < slots.length; k += 2) {
      const old = slots[k]!;
      if (old !== NONE) slots[k] = renumbered[oldI32[old + MID]!]!;
    }
    target.#slots = slots;
    target.#mask = this.#mask;
    target.#size = size;
    target.#i32 = i32;
    target.#f64 = f64;
    target.#members = members;
    target.#top = top;
    target.#live = top;
    target.#classWords = classWords;
    target.#chunks = [top, top, top, top, top, top];
    target.#freeBlocks = null;
    target.#level = level;
    target.#tail = prev;
  }
}
