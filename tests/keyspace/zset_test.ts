/**
 * Unit and randomized property tests of the sorted set structure: every operation is checked
 * against a plain sorted array of (member, score) pairs, including ranks and access by rank
 * (which exercise the spans at every level), range searches and range deletions, and the
 * compaction that follows large deletions.
 *
 * @module
 */
import {
  type LexBound,
  type LexRange,
  type ScoreRange,
  SortedSetValue,
} from "../../src/keyspace/zset.ts";
import { assert, assertEquals, seededRandom } from "../_util.ts";

type Pair = [string, number];

/** Redis's order: by score, then by member bytes. */
function compare(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The model: a sorted array, rebuilt by sorting after each change (obviously right). */
class Model {
  pairs: Pair[] = [];
  add(member: string, score: number): void {
    this.pairs = this.pairs.filter(([m]) => m !== member);
    this.pairs.push([member, score]);
    this.pairs.sort(compare);
  }
  delete(member: string): boolean {
    const before = this.pairs.length;
    this.pairs = this.pairs.filter(([m]) => m !== member);
    return this.pairs.length !== before;
  }
}

function inScore(score: number, r: ScoreRange): boolean {
  return (r.minEx ? score > r.min : score >= r.min) && (r.maxEx ? score < r.max : score <= r.max);
}

function lexAbove(member: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf === -1;
  return b.ex ? member > b.value : member >= b.value;
}

function lexBelow(member: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf === 1;
  return b.ex ? member < b.value : member <= b.value;
}

function inLex(member: string, r: LexRange): boolean {
  return lexAbove(member, r.min) && lexBelow(member, r.max);
}

/** Asserts that the structure holds exactly the model's pairs, ranks and order included. */
function assertSame(z: SortedSetValue, model: Model, context: string): void {
  const pairs = model.pairs;
  assertEquals(z.size, pairs.length, `${context}: size`);
  assertEquals([...z.entries()], pairs, `${context}: entries`);
  const backwards: Pair[] = [];
  for (let n = z.last(); n !== 0; n = z.prev(n)) backwards.push([z.member(n), z.scoreOf(n)]);
  assertEquals(backwards.reverse(), pairs, `${context}: backward links`);
  for (let i = 0; i < pairs.length; i++) {
    const [member, score] = pairs[i]!;
    assertEquals(z.rank(member), i, `${context}: rank of ${member}`);
    assertEquals(z.score(member), score, `${context}: score of ${member}`);
    assertEquals(z.member(z.nodeAt(i)), member, `${context}: member at ${i}`);
  }
}

function randomScoreRange(next: () => number): ScoreRange {
  const a = Math.floor(next() * 24) - 2;
  const b = a + Math.floor(next() * 8) - 1;
  return { min: a, max: b, minEx: next() < 0.3, maxEx: next() < 0.3 };
}

function randomLexBound(next: () => number): LexBound {
  const r = next();
  if (r < 0.1) return { inf: -1, value: "", ex: true };
  if (r < 0.2) return { inf: 1, value: "", ex: true };
  return { inf: 0, value: String.fromCharCode(97 + Math.floor(next() * 8)), ex: next() < 0.4 };
}

Deno.test("SortedSetValue orders equal scores by member bytes and reports ranks", () => {
  const z = new SortedSetValue();
  z.insert("b", 1);
  z.insert("a", 1);
  z.insert("\xff", 0);
  z.insert("", 1);
  z.insert("c", -Infinity);
  assertEquals([...z.entries()], [["c", -Infinity], ["\xff", 0], ["", 1], ["a", 1], ["b", 1]]);
  assertEquals(z.rank("a"), 3);
  assertEquals(z.rank("missing"), -1);
  assertEquals(z.member(z.nodeAt(0)), "c");
  assertEquals(z.member(z.last()), "b");
});

Deno.test("SortedSetValue keeps negative zero and updates scores in place or by moving", () => {
  const z = new SortedSetValue();
  z.insert("z", -0);
  assert(Object.is(z.score("z"), -0), "negative zero kept");
  z.insert("a", 5);
  z.insert("m", 10);
  z.updateScore("a", 6); // stays between neighbours
  z.updateScore("z", 20); // moves to the end
  assertEquals([...z.entries()], [["a", 6], ["m", 10], ["z", 20]]);
  assertEquals(z.rank("z"), 2);
});

Deno.test("SortedSetValue tracks the listpack encoding as Redis converts it", () => {
  const limits = { zsetMaxListpackEntries: 3, zsetMaxListpackValue: 4 };
  const z = new SortedSetValue();
  for (const m of ["a", "b", "c"]) z.add(m, 1, limits);
  assertEquals(z.encoding, "listpack");
  z.add("d", 1, limits);
  assertEquals(z.encoding, "skiplist");
  z.delete("d");
  assertEquals(z.encoding, "skiplist", "a skiplist never converts back by itself");
  z.setEncodingFor(limits);
  assertEquals(z.encoding, "listpack");
  const zeros = new SortedSetValue();
  zeros.add("a", -0, limits);
  assert(Object.is(zeros.score("a"), 0), "a listpack stores -0 as 0");
  const long = new SortedSetValue();
  long.add("12345", 1, limits);
  long.add("b", -0, limits);
  assert(Object.is(long.score("b"), -0), "a skiplist keeps -0");
  assertEquals(long.encoding, "skiplist");
  const copy = long.copy();
  assertEquals(copy.encoding, "skiplist");
});

Deno.test("SortedSetValue copies are independent", () => {
  const z = new SortedSetValue();
  for (let i = 0; i < 100; i++) z.insert(`m${i}`, i % 7);
  const c = z.copy();
  z.delete("m1");
  c.insert("new", 3);
  assertEquals(z.size, 99);
  assertEquals(c.size, 101);
  assert(c.has("m1") && !z.has("new"));
  const model = new Model();
  for (const [m, s] of c.entries()) model.add(m, s);
  assertSame(c, model, "copy");
  z.check();
  c.check();
});

Deno.test("SortedSetValue matches a sorted array model under random operations", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const next = seededRandom(seed);
    const z = new SortedSetValue();
    const model = new Model();
    const size = seed <= 3 ? 40 : 400;
    for (let step = 0; step < 3000; step++) {
      const op = next();
      const member = `m${Math.floor(next() * size)}`;
      const score = Math.floor(next() * 20);
      const context = `seed ${seed} step ${step}`;
      if (op < 0.45) {
        if (z.has(member)) z.updateScore(member, score);
        else z.insert(member, score);
        model.add(member, score);
      } else if (op < 0.7) {
        assertEquals(z.delete(member), model.delete(member), `${context}: delete`);
      } else if (op < 0.75 && z.size > 0) {
        model.pairs.shift();
        z.deleteFirst();
      } else if (op < 0.8 && z.size > 0) {
        model.pairs.pop();
        z.deleteLast();
      } else if (op < 0.83 && z.size > 0) {
        const start = Math.floor(next() * z.size);
        const end = Math.min(z.size - 1, start + Math.floor(next() * 5));
        assertEquals(z.deleteRangeByRank(start, end), end - start + 1, `${context}: by rank`);
        model.pairs.splice(start, end - start + 1);
      } else if (op < 0.86) {
        const range = randomScoreRange(next);
        const kept = model.pairs.filter(([, s]) => !inScore(s, range));
        const removed = model.pairs.length - kept.length;
        assertEquals(z.deleteRangeByScore(range), removed, `${context}: by score`);
        model.pairs = kept;
      } else {
        const range = randomScoreRange(next);
        const inside = model.pairs.filter(([, s]) => inScore(s, range));
        const first = z.firstInScoreRange(range);
        const last = z.lastInScoreRange(range);
        assertEquals(first === 0 ? null : z.member(first), inside[0]?.[0] ?? null, context);
        assertEquals(last === 0 ? null : z.member(last), inside.at(-1)?.[0] ?? null, context);
      }
      z.check();
      if (step % 50 === 0 || z.size < 5) assertSame(z, model, context);
    }
    assertSame(z, model, `seed ${seed} end`);
  }
});

Deno.test("SortedSetValue answers and deletes lexicographic ranges of equal scores", () => {
  for (const listpack of [true, false]) {
    const next = seededRandom(listpack ? 7 : 8);
    for (let round = 0; round < 300; round++) {
      const z = new SortedSetValue();
      z.listpack = listpack;
      const model = new Model();
      const count = Math.floor(next() * 8);
      for (let i = 0; i < count; i++) {
        const member = String.fromCharCode(97 + Math.floor(next() * 8));
        if (!z.has(member)) {
          z.insert(member, 0);
          model.add(member, 0);
        }
      }
      const range = { min: randomLexBound(next), max: randomLexBound(next) };
      const inside = model.pairs.filter(([m]) => inLex(m, range)).map(([m]) => m);
      const first = z.firstInLexRange(range);
      const last = z.lastInLexRange(range);
      const context = `${JSON.stringify(range)} on ${JSON.stringify(model.pairs)}`;
      assertEquals(first === 0 ? null : z.member(first), inside[0] ?? null, context);
      assertEquals(last === 0 ? null : z.member(last), inside.at(-1) ?? null, context);
      assertEquals(z.deleteRangeByLex(range), inside.length, context);
      model.pairs = model.pairs.filter(([m]) => !inLex(m, range));
      z.check();
      assertSame(z, model, context);
    }
  }
});

Deno.test("SortedSetValue compacts after large deletions and stays consistent", () => {
  const z = new SortedSetValue();
  const model = new Model();
  for (let i = 0; i < 5000; i++) {
    z.insert(`k${i}`, i % 13);
    model.add(`k${i}`, i % 13);
  }
  // Leaves a few members spread over the former range, then grows again.
  for (let i = 0; i < 5000; i++) {
    if (i % 97 !== 0) {
      z.delete(`k${i}`);
      model.delete(`k${i}`);
    }
  }
  z.check();
  assertSame(z, model, "after shrinking");
  for (let i = 0; i < 300; i++) {
    z.insert(`n${i}`, i % 5);
    model.add(`n${i}`, i % 5);
  }
  z.check();
  assertSame(z, model, "after growing again");
  assertEquals(z.deleteRangeByRank(0, z.size - 1), model.pairs.length);
  assertEquals(z.size, 0);
  assertEquals(z.first(), 0);
  assertEquals(z.last(), 0);
});

Deno.test("SortedSetValue's unordered iterator returns each member once when nothing changes", () => {
  for (const size of [0, 1, 7, 100, 5000]) {
    const z = new SortedSetValue();
    for (let i = 0; i < size; i++) z.insert(`k${i}`, i);
    const seen = [...z.unorderedEntries()];
    assertEquals(seen.length, size);
    assertEquals(new Set(seen.map(([m]) => m)).size, size);
    for (const [m, s] of seen) assertEquals(z.score(m), s);
  }
});

Deno.test("SortedSetValue's unordered iterator returns every member present throughout changes", () => {
  for (let seed = 11; seed < 31; seed++) {
    const next = seededRandom(seed);
    const z = new SortedSetValue();
    // Growing from small or shrinking from large: the table resizes several times midway.
    const growing = seed % 2 === 1;
    const start = growing ? 20 : 4000;
    for (let i = 0; i < start; i++) z.insert(`k${i}`, i);
    // Every tenth initial member is never removed (only rescored): all must be returned.
    const kept = new Set<string>();
    for (let i = 0; i < start; i += 10) kept.add(`k${i}`);
    const everPresent = new Set<string>(Array.from({ length: start }, (_, i) => `k${i}`));
    const removable = [...everPresent].filter((m) => !kept.has(m));
    const it = z.unorderedEntries();
    const seen = new Set<string>();
    let added = start;
    for (let r = it.next(); !r.done; r = it.next()) {
      seen.add(r.value[0]);
      for (let k = 0; k < 3; k++) {
        if (growing) {
          const member = `k${added++}`;
          z.insert(member, next() * 100);
          everPresent.add(member);
        } else if (removable.length > 0) {
          const i = Math.floor(next() * removable.length);
          z.delete(removable[i]!);
          removable[i] = removable.at(-1)!;
          removable.pop();
        }
        const rescored = `k${10 * Math.floor(next() * (start / 10))}`;
        z.updateScore(rescored, next() * 100);
      }
    }
    for (const m of kept) assert(seen.has(m), `seed ${seed}: ${m} was present throughout`);
    for (const m of seen) assert(everPresent.has(m), `seed ${seed}: ${m} was never in the set`);
  }
});

Deno.test("SortedSetValue stores a large set compactly", () => {
  const z = new SortedSetValue();
  for (let i = 0; i < 100_000; i++) z.insert(`member:${i}`, i % 1000);
  assertEquals(z.rank("member:99999"), 99_999);
  assertEquals(z.member(z.nodeAt(50_000)), [...z.entries()][50_000]![0]);
});

Deno.test("SortedSetValue keeps every link and span consistent through growth, copies and compaction", () => {
  const next = seededRandom(42);
  let z = new SortedSetValue();
  const model = new Model();
  // Grows to a few thousand members (tall nodes, pool growth), shrinks below an eighth of that
  // (compaction), then grows again, with rescoring, range deletions and copies throughout.
  const phases: [number, number][] = [[6000, 0.9], [7000, 0.05], [3000, 0.8]];
  let id = 0;
  for (const [steps, addShare] of phases) {
    for (let step = 0; step < steps; step++) {
      const op = next();
      const context = `step ${step} of ${steps}`;
      if (op < addShare) {
        const member = next() < 0.2 && model.pairs.length > 0
          ? model.pairs[Math.floor(next() * model.pairs.length)]![0]
          : `n${id++}`;
        const score = Math.floor(next() * 1000) / 4;
        if (z.has(member)) z.updateScore(member, score);
        else z.insert(member, score);
        model.add(member, score);
      } else if (op < addShare + (1 - addShare) * 0.8 && model.pairs.length > 0) {
        const [member] = model.pairs[Math.floor(next() * model.pairs.length)]!;
        assert(z.delete(member), `${context}: delete ${member}`);
        model.delete(member);
      } else if (op < addShare + (1 - addShare) * 0.9 && z.size > 0) {
        const start = Math.floor(next() * z.size);
        const end = Math.min(z.size - 1, start + Math.floor(next() * 40));
        assertEquals(z.deleteRangeByRank(start, end), end - start + 1, context);
        model.pairs.splice(start, end - start + 1);
      } else {
        const min = Math.floor(next() * 1000) / 4;
        const range = { min, max: min + next() * 3, minEx: next() < 0.5, maxEx: next() < 0.5 };
        const kept = model.pairs.filter(([, s]) => !inScore(s, range));
        assertEquals(z.deleteRangeByScore(range), model.pairs.length - kept.length, context);
        model.pairs = kept;
      }
      z.check();
      if (step % 500 === 0) {
        const copy = z.copy();
        copy.check();
        assertSame(copy, model, `${context}: copy`);
        if (next() < 0.5) z = copy; // go on with the copy: its pool was built fresh
      }
    }
    assertSame(z, model, `after ${steps} steps`);
  }
});
