/**
 * Unit tests of `SetValue`: membership, Redis 7.0's intset/hashtable encoding rules, the numeric
 * order of intsets, uniform random picks, SPOP's rebuild, SSCAN's iterator and copies.
 *
 * @module
 */
import { compareIntegerTexts, isInt64Text, SetValue } from "../../src/keyspace/set.ts";
import { assert, assertEquals } from "../_util.ts";

const MAX = 512;

Deno.test("isInt64Text accepts exactly the canonical 64-bit integers string2ll accepts", () => {
  for (const t of ["0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"]) {
    assert(isInt64Text(t), t);
  }
  const refused = [
    "",
    "-",
    "-0",
    "01",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "0x1",
    "9223372036854775808",
    "-9223372036854775809",
    "10000000000000000000",
    "99999999999999999999",
    "a",
  ];
  for (const t of refused) assert(!isInt64Text(t), JSON.stringify(t));
});

Deno.test("compareIntegerTexts orders integer texts by their value", () => {
  const values = [5n, -5n, 0n, 10n, -10n, 9n, -9n, 2n ** 63n - 1n, -(2n ** 63n), 123456789n];
  const sorted = values.map(String).sort(compareIntegerTexts);
  assertEquals(sorted, [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String));
  assertEquals(compareIntegerTexts("7", "7"), 0);
});

Deno.test("a set of integers is an intset iterated in ascending numeric order", () => {
  const set = new SetValue();
  for (const m of ["10", "-3", "2", "0", "-20", "2"]) set.add(m, MAX);
  assertEquals(set.encoding, "intset");
  assertEquals(set.intset, true);
  assertEquals(set.size, 5);
  assertEquals([...set], ["-20", "-3", "0", "2", "10"]);
  assert(set.has("2") && set.has("-20") && !set.has("3") && !set.has("02"));
  assert(set.delete("0") && !set.delete("0") && !set.delete("abc"));
  assertEquals([...set], ["-20", "-3", "2", "10"]);
});

Deno.test("add reports whether a member is new, in both encodings", () => {
  const set = new SetValue();
  assertEquals(set.add("1", MAX), true);
  assertEquals(set.add("1", MAX), false);
  assertEquals(set.add("a", MAX), true);
  assertEquals(set.add("a", MAX), false);
  assertEquals(set.add("1", MAX), false);
  assertEquals(set.size, 2);
});

Deno.test("a non-integer member turns an intset into a hashtable for good", () => {
  const set = new SetValue();
  set.add("1", MAX);
  set.add("01", MAX);
  assertEquals(set.encoding, "hashtable");
  set.delete("01");
  assertEquals(set.encoding, "hashtable");
  assert(set.has("1") && !set.has("01"));
});

Deno.test("more than set-max-intset-entries integers make a hashtable", () => {
  const set = new SetValue();
  for (let i = 0; i < 4; i++) set.add(String(i), 4);
  assertEquals(set.encoding, "intset");
  set.add("4", 4);
  assertEquals(set.encoding, "hashtable");
  set.delete("4");
  assertEquals(set.encoding, "hashtable");
  const none = new SetValue();
  none.add("1", 0);
  assertEquals(none.encoding, "hashtable");
});

Deno.test("delete keeps membership right after members move to fill the gap", () => {
  const set = new SetValue();
  for (let i = 0; i < 100; i++) set.add(`m${i}`, MAX);
  for (let i = 0; i < 100; i += 3) assert(set.delete(`m${i}`));
  for (let i = 0; i < 100; i++) assertEquals(set.has(`m${i}`), i % 3 !== 0, `m${i}`);
  assertEquals(set.size, 66);
  assertEquals(new Set(set).size, 66);
});

Deno.test("popRandom removes distinct members until the set is empty", () => {
  for (const prefix of ["", "m"]) {
    const set = new SetValue();
    for (let i = 0; i < 300; i++) set.add(`${prefix}${i}`, MAX);
    const popped = new Set<string>();
    while (set.size > 0) {
      const m = set.popRandom();
      assert(!set.has(m) && !popped.has(m), m);
      popped.add(m);
    }
    assertEquals(popped.size, 300);
  }
});

Deno.test("randomMember picks every member about equally often", () => {
  const set = new SetValue();
  for (let i = 0; i < 10; i++) set.add(`m${i}`, MAX);
  const counts = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const m = set.randomMember();
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  assertEquals(counts.size, 10);
  // Expected 2000 each, standard deviation ~42: 1700..2300 is over 7 deviations wide.
  for (const [m, n] of counts) assert(n > 1700 && n < 2300, `${m} drawn ${n} times`);
});

Deno.test("retainOnly returns the others in order and re-encodes what it keeps as Redis", () => {
  const set = new SetValue();
  for (let i = 0; i < 20; i++) set.add(String(i), 10);
  assertEquals(set.encoding, "hashtable");
  const removed = set.retainOnly(new Set(["3", "1", "2"]), 10);
  assertEquals(removed.length, 17);
  assertEquals(set.encoding, "intset");
  assertEquals([...set], ["1", "2", "3"]);
  const mixed = new SetValue();
  for (const m of ["a", "1", "b"]) mixed.add(m, MAX);
  mixed.retainOnly(new Set(["a", "1"]), MAX);
  assertEquals(mixed.encoding, "hashtable");
  assert(mixed.has("a") && mixed.has("1") && !mixed.has("b"));
  const intset = new SetValue();
  for (const m of ["5", "4", "3", "2"]) intset.add(m, MAX);
  assertEquals(intset.retainOnly(new Set(["4"]), MAX), ["2", "3", "5"]);
});

Deno.test("scanIterator visits every member present throughout, despite deletes", () => {
  const set = new SetValue();
  for (let i = 0; i < 50; i++) set.add(`m${i}`, MAX);
  const it = set.scanIterator();
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add(it.next().value!);
  // Deleting early members moves late ones in the array; the scan must still reach them.
  for (let i = 0; i < 10; i++) set.delete(`m${i}`);
  set.add("new", MAX);
  for (let r = it.next(); !r.done; r = it.next()) seen.add(r.value);
  for (let i = 10; i < 50; i++) assert(seen.has(`m${i}`), `m${i} missed`);
});

Deno.test("copy is independent and keeps the encoding", () => {
  const set = SetValue.from(["3", "1", "2"], MAX);
  const c = set.copy();
  c.add("0", MAX);
  assertEquals([...set], ["1", "2", "3"]);
  assertEquals([...c], ["0", "1", "2", "3"]);
  const h = SetValue.from(["a", "b"], MAX);
  const hc = h.copy();
  hc.delete("a");
  assert(h.has("a") && !hc.has("a") && hc.has("b"));
  assertEquals(hc.encoding, "hashtable");
});

Deno.test("a set of 200,000 members answers membership and random pops", () => {
  const set = new SetValue();
  for (let i = 0; i < 200_000; i++) set.add(`element:${i}`, MAX);
  assertEquals(set.size, 200_000);
  const popped = new Set<string>();
  for (let i = 0; i < 10_000; i++) popped.add(set.popRandom());
  assertEquals(popped.size, 10_000);
  assertEquals(set.size, 190_000);
  let present = 0;
  for (let i = 0; i < 200_000; i++) if (set.has(`element:${i}`)) present++;
  assertEquals(present, 190_000);
});
