/**
 * Unit tests of ListValue, the ring-buffer deque behind every list: pushes and pops at both
 * ends across the buffer's wrap-around, growth and shrinking, inserts near either end, filter
 * and trim, and a long random sequence of operations checked step by step against a plain
 * array.
 *
 * @module
 */
import { ListValue } from "../../src/keyspace/list.ts";
import { assertEquals } from "../_util.ts";

/** The elements of `list`, head to tail, read by index (not through the iterator). */
function byIndex(list: ListValue): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.at(i));
  return out;
}

/** Asserts that `list` holds `expected`, read every way the list offers. */
function assertHolds(list: ListValue, expected: readonly string[], message?: string): void {
  assertEquals(list.length, expected.length, message);
  assertEquals(byIndex(list), [...expected], message);
  assertEquals([...list], [...expected], message);
  if (expected.length > 0) {
    assertEquals(list.slice(0, expected.length - 1), [...expected], message);
  }
}

Deno.test("ListValue pushes and pops at both ends in deque order", () => {
  const list = new ListValue();
  assertEquals(list.popFront(), undefined);
  assertEquals(list.popBack(), undefined);
  list.pushBack("b");
  list.pushFront("a");
  list.pushBack("c");
  assertHolds(list, ["a", "b", "c"]);
  assertEquals(list.popFront(), "a");
  assertEquals(list.popBack(), "c");
  assertEquals(list.popBack(), "b");
  assertHolds(list, []);
  assertEquals(list.popFront(), undefined);
  assertEquals(list.encoding, "quicklist");
});

Deno.test("ListValue keeps its order when the ring buffer wraps around", () => {
  const list = new ListValue();
  const model: string[] = [];
  // A queue that keeps 3 elements while its head walks round a 4-slot buffer many times.
  for (let i = 0; i < 3; i++) {
    list.pushBack(`e${i}`);
    model.push(`e${i}`);
  }
  for (let i = 3; i < 40; i++) {
    list.pushBack(`e${i}`);
    model.push(`e${i}`);
    assertEquals(list.popFront(), model.shift());
    assertHolds(list, model, `after step ${i}`);
  }
  // The same walking the other way.
  for (let i = 40; i < 80; i++) {
    list.pushFront(`e${i}`);
    model.unshift(`e${i}`);
    assertEquals(list.popBack(), model.pop());
    assertHolds(list, model, `after step ${i}`);
  }
});

Deno.test("ListValue grows past many doublings and shrinks back as it drains", () => {
  const list = new ListValue();
  const model: string[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 2 === 0) {
      list.pushBack(`${i}`);
      model.push(`${i}`);
    } else {
      list.pushFront(`${i}`);
      model.unshift(`${i}`);
    }
  }
  assertHolds(list, model);
  // Drain from alternating ends through every shrink; the order must survive each copy.
  while (model.length > 0) {
    if (model.length % 3 === 0) assertEquals(list.popFront(), model.shift());
    else assertEquals(list.popBack(), model.pop());
    if (model.length % 97 === 0) assertHolds(list, model, `at length ${model.length}`);
  }
  assertHolds(list, []);
  // Still usable after draining to nothing.
  list.pushFront("again");
  assertHolds(list, ["again"]);
});

Deno.test("ListValue.set replaces an element in place, also across the wrap", () => {
  const list = ListValue.from(["a", "b", "c", "d"]);
  list.popFront();
  list.pushBack("e"); // the buffer has wrapped: "e" sits in slot 0
  list.set(0, "B");
  list.set(3, "E");
  assertHolds(list, ["B", "c", "d", "E"]);
});

Deno.test("ListValue.insert places an element at every position near both ends", () => {
  for (const start of [0, 1, 2, 3]) {
    for (const size of [0, 1, 2, 3, 4, 5, 8, 9]) {
      for (let at = 0; at <= size; at++) {
        // Rotate the buffer by `start` so inserts cross the wrap at different places.
        const list = new ListValue();
        for (let i = 0; i < start; i++) list.pushBack("x");
        for (let i = 0; i < start; i++) list.popFront();
        const model = Array.from({ length: size }, (_, i) => `e${i}`);
        for (const e of model) list.pushBack(e);
        list.insert(at, "new");
        model.splice(at, 0, "new");
        assertHolds(list, model, `start ${start}, size ${size}, at ${at}`);
      }
    }
  }
});

Deno.test("ListValue.filter keeps matching elements in order and counts the removed", () => {
  const list = ListValue.from(["a", "x", "b", "x", "x", "c"]);
  list.popFront();
  list.pushFront("x"); // wrapped: the head is now the last slot
  const seen: number[] = [];
  const removed = list.filter((v, i) => {
    seen.push(i);
    return v !== "x";
  });
  assertEquals(removed, 4);
  assertEquals(seen, [0, 1, 2, 3, 4, 5]);
  assertHolds(list, ["b", "c"]);
  assertEquals(list.filter(() => true), 0);
  assertHolds(list, ["b", "c"]);
  assertEquals(list.filter(() => false), 2);
  assertHolds(list, []);
  // A filtered list grows again normally.
  for (let i = 0; i < 20; i++) list.pushFront(`${i}`);
  assertEquals(list.length, 20);
  assertEquals(list.at(0), "19");
  assertEquals(list.at(19), "0");
});

Deno.test("ListValue.trim keeps an inclusive range, and empties for start > end", () => {
  const list = ListValue.from(Array.from({ length: 10 }, (_, i) => `${i}`));
  list.trim(2, 5);
  assertHolds(list, ["2", "3", "4", "5"]);
  list.trim(0, 3);
  assertHolds(list, ["2", "3", "4", "5"]);
  list.trim(3, 3);
  assertHolds(list, ["5"]);
  list.trim(1, 0);
  assertHolds(list, []);
  list.pushBack("after");
  list.pushFront("before");
  assertHolds(list, ["before", "after"]);
});

Deno.test("ListValue.copy is independent of the original", () => {
  const list = ListValue.from(["a", "b"]);
  const copy = list.copy();
  copy.pushBack("c");
  list.set(0, "A");
  assertHolds(list, ["A", "b"]);
  assertHolds(copy, ["a", "b", "c"]);
});

/** A seeded xorshift generator of integers in [0, n). */
function random(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

Deno.test("ListValue matches a plain array through a long random sequence of operations", () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const next = random(seed);
    const list = new ListValue();
    const model: string[] = [];
    for (let step = 0; step < 20_000; step++) {
      // Phases that favour pushes, then pops, so the buffer grows and shrinks repeatedly.
      const growing = Math.floor(step / 1500) % 2 === 0;
      const op = next(100);
      const label = `seed ${seed}, step ${step}, op ${op}`;
      const value = `v${step}`;
      if (op < (growing ? 30 : 15)) {
        list.pushBack(value);
        model.push(value);
      } else if (op < (growing ? 60 : 30)) {
        list.pushFront(value);
        model.unshift(value);
      } else if (op < 72) {
        assertEquals(list.popFront(), model.shift(), label);
      } else if (op < 84) {
        assertEquals(list.popBack(), model.pop(), label);
      } else if (op < 88) {
        const at = next(model.length + 1);
        list.insert(at, value);
        model.splice(at, 0, value);
      } else if (op < 92 && model.length > 0) {
        const at = next(model.length);
        list.set(at, value);
        model[at] = value;
      } else if (op < 95 && model.length > 0) {
        const at = next(model.length);
        assertEquals(list.at(at), model[at], label);
      } else if (op < 97) {
        // Drop every element whose number is divisible by a small modulus.
        const m = 2 + next(5);
        const keep = (v: string) => Number(v.slice(1)) % m !== 0;
        const before = model.length;
        const kept = model.filter(keep);
        assertEquals(list.filter(keep), before - kept.length, label);
        model.splice(0, model.length, ...kept);
      } else if (op < 98 && model.length > 0) {
        const start = next(model.length);
        const end = start + next(model.length - start);
        list.trim(start, end);
        model.splice(0, model.length, ...model.slice(start, end + 1));
      }
      assertEquals(list.length, model.length, label);
      if (step % 250 === 0) assertHolds(list, model, label);
    }
    assertHolds(list, model, `seed ${seed} at the end`);
  }
});
