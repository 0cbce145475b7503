/**
 * Unit tests of HashValue: the encoding it reports, and its random picks (always live fields,
 * distinct when asked, in the hash's order when asked) through inserts and deletes.
 *
 * @module
 */
import { HashValue } from "../../src/keyspace/hash.ts";
import { assert, assertEquals } from "../_util.ts";

const limits = { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 };

/** A hash of fields `f0..f<n-1>` with values `v0..`. */
function hashOf(n: number): HashValue {
  const hash = new HashValue();
  for (let i = 0; i < n; i++) hash.set(`f${i}`, `v${i}`, limits);
  return hash;
}

Deno.test("HashValue reports listpack until a limit is passed, then hashtable for good", () => {
  const hash = hashOf(128);
  assertEquals(hash.encoding, "listpack");
  assertEquals(hash.set("f0", "updated", limits), false);
  assertEquals(hash.set("new", "v", limits), true);
  assertEquals(hash.encoding, "hashtable");
  hash.delete("new");
  hash.delete("f1");
  assertEquals(hash.encoding, "hashtable");
  const long = new HashValue();
  long.set("f", "x".repeat(65), limits);
  assertEquals(long.encoding, "hashtable");
  const exact = new HashValue();
  exact.set("x".repeat(64), "x".repeat(64), limits);
  assertEquals(exact.encoding, "listpack");
});

Deno.test("HashValue.delete removes a field once and says whether it was there", () => {
  const hash = hashOf(3);
  assertEquals(hash.delete("f1"), true);
  assertEquals(hash.delete("f1"), false);
  assertEquals([...hash.fields.keys()], ["f0", "f2"]);
  assertEquals(hash.size, 2);
});

Deno.test("HashValue's random picks stay among live fields through inserts and deletes", () => {
  const hash = hashOf(500);
  const live = new Set(hash.fields.keys());
  let next = 500;
  for (let round = 0; round < 200; round++) {
    // Replace a few fields, keeping the size, then sample every way.
    for (let k = 0; k < 3; k++) {
      const victim = hash.randomField();
      assert(hash.delete(victim));
      live.delete(victim);
      hash.set(`f${next}`, "v", limits);
      live.add(`f${next++}`);
    }
    assertEquals(hash.size, live.size);
    assert(live.has(hash.randomField()));
    const pick = hash.randomPicker(10);
    for (let i = 0; i < 10; i++) assert(live.has(pick()));
    const sample = hash.sampleDistinct(7, false);
    assertEquals(sample.length, 7);
    assertEquals(new Set(sample).size, 7);
    for (const f of sample) assert(live.has(f), `${f} is not a live field`);
  }
});

Deno.test("HashValue.sampleDistinct in order keeps the hash's order", () => {
  const hash = hashOf(100);
  const position = new Map([...hash.fields.keys()].map((f, i) => [f, i]));
  for (const count of [1, 5, 50, 99]) {
    const sample = hash.sampleDistinct(count, true);
    assertEquals(sample.length, count);
    const places = sample.map((f) => position.get(f)!);
    assertEquals(places, [...places].sort((a, b) => a - b));
  }
});

Deno.test("HashValue.randomField reaches every field of small and large hashes", () => {
  for (const n of [1, 10, 64, 65, 300]) {
    const hash = hashOf(n);
    const seen = new Set<string>();
    for (let i = 0; i < n * 40; i++) seen.add(hash.randomField());
    assertEquals(seen.size, n, `${n} fields`);
  }
});

Deno.test("HashValue.copy is independent of the original", () => {
  const hash = hashOf(200);
  hash.randomField();
  const copy = hash.copy();
  copy.delete("f0");
  copy.set("new", "v", limits);
  assertEquals(hash.fields.get("f0"), "v0");
  assert(!hash.fields.has("new"));
  assertEquals(copy.encoding, "hashtable");
  for (let i = 0; i < 1000; i++) assert(copy.fields.has(copy.randomField()));
});
