/**
 * Tests of the per-key word table behind OBJECT IDLETIME, FREQ and ENCODING: random puts,
 * merges and deletes checked against a Map, with hashes chosen to crowd the same cells so that
 * probe runs wrap around the table's end and deletions must shift their neighbours back.
 *
 * @module
 */
import { hashKey, KeyMeta } from "../../src/keyspace/key_meta.ts";
import { assert, assertEquals } from "../_util.ts";

/** A deterministic pseudo-random generator (xorshift32). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

Deno.test("KeyMeta agrees with a Map through random puts, merges and deletes", () => {
  const next = random(12345);
  for (const spread of [4, 64, 1 << 20]) {
    const meta = new KeyMeta();
    const model = new Map<number, number>();
    // Few distinct low bits: many hashes share a home cell, and runs cross the table's end.
    const hashes = Array.from(
      { length: 300 },
      (_, i) => ((i + 1) << 12) | (i % 2 === 0 ? next() % spread : 0xfff - (next() % spread)),
    );
    for (let step = 0; step < 20_000; step++) {
      const h = hashes[next() % hashes.length]! | 0 || 1;
      const op = next() % 4;
      const word = next() & 0x3ffffff;
      if (op === 0) {
        meta.put(h, word);
        model.set(h, word);
      } else if (op === 1) {
        meta.merge(h, 0xff, word);
        const old = model.get(h);
        model.set(h, old === undefined ? word : (old & 0xff) | word);
      } else if (op === 2) {
        meta.mask(h, 0xffff);
        const old = model.get(h);
        if (old !== undefined) model.set(h, old & 0xffff);
      } else {
        meta.delete(h);
        model.delete(h);
      }
      if (step % 97 === 0) {
        assertEquals(meta.size, model.size);
        for (const x of hashes) assertEquals(meta.word(x | 0 || 1), model.get(x | 0 || 1) ?? -1);
      }
    }
    // Emptying it shrinks it back, and it still works.
    for (const h of hashes) meta.delete(h | 0 || 1);
    assertEquals(meta.size, 0);
    meta.put(7, 1);
    assertEquals(meta.word(7), 1);
    meta.clear();
    assertEquals([meta.size, meta.word(7)], [0, -1]);
  }
});

Deno.test("hashKey tells apart keys that differ in one byte anywhere, and is never 0", () => {
  const seen = new Set<number>();
  const base = "user:000000:name:suffix";
  for (let i = 0; i < base.length; i++) {
    for (const c of ["\x00", "7", "\xff"]) {
      const key = base.slice(0, i) + c + base.slice(i + 1);
      if (key !== base) seen.add(hashKey(key));
    }
  }
  seen.add(hashKey(base));
  assert(seen.size >= base.length * 3 - 2, `only ${seen.size} distinct hashes`);
  for (const key of ["", "a", "ab", "abc", "abcd", "abcde"]) assert(hashKey(key) !== 0);
});
