/**
 * Tests of the LZF codec (lzf.ts): round trips of compressible and random data of many sizes,
 * the "does not fit" answer Redis relies on to store a string uncompressed, long matches and
 * long literal runs, and refusal of corrupt streams. That the compressed bytes are Redis's own
 * is checked against a real server in tests/commands/dump_test.ts.
 *
 * @module
 */
import { lzfCompress, lzfDecompress } from "../../src/persistence/lzf.ts";
import { assertEquals, seededRandom } from "../_util.ts";

/** Compresses with Redis's budget (the input's length less 4); null when it does not fit. */
function compress(input: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(input.length + 1);
  const n = lzfCompress(input, 0, input.length, out, 0, input.length - 4);
  return n === 0 ? null : out.slice(0, n);
}

function decompress(packed: Uint8Array, size: number): Uint8Array | null {
  const out = new Uint8Array(size);
  const n = lzfDecompress(packed, 0, packed.length, out, 0, size);
  return n === size ? out : null;
}

Deno.test("lzfDecompress inverts lzfCompress on text, repeats and mixed data", () => {
  const random = seededRandom(7);
  const words = ["redis", "listpack", "quicklist", " ", "\n", "0", "1", "\xff"];
  for (let size = 21; size < 20000; size = Math.ceil(size * 1.3)) {
    const input = new Uint8Array(size);
    for (let i = 0; i < size;) {
      const word = words[Math.floor(random() * words.length)]!;
      for (let k = 0; k < word.length && i < size; k++) input[i++] = word.charCodeAt(k);
    }
    // With room for the worst case (a literal-run byte per 32 bytes) it always fits.
    const roomy = new Uint8Array(size + Math.ceil(size / 32) + 2);
    const n = lzfCompress(input, 0, size, roomy, 0, roomy.length - 1);
    assertEquals(decompress(roomy.slice(0, n), size), input, `size ${size}`);
    // Long text shrinks by more than the 4 bytes Redis asks for.
    if (size >= 200) assertEquals(decompress(compress(input)!, size), input, `size ${size}`);
  }
  const repeated = new Uint8Array(100_000).fill(97);
  const packed = compress(repeated)!;
  assertEquals(packed.length < 1300, true, `a run compresses to ${packed.length} bytes`);
  assertEquals(decompress(packed, repeated.length), repeated);
});

Deno.test("lzfCompress answers 0 when the output would not fit, as lzf_compress does", () => {
  const random = seededRandom(11);
  for (const size of [21, 100, 5000]) {
    const input = new Uint8Array(size).map(() => Math.floor(random() * 256));
    assertEquals(compress(input), null, `random ${size} bytes`);
    const out = new Uint8Array(size + Math.ceil(size / 32) + 2);
    const n = lzfCompress(input, 0, size, out, 0, out.length - 1);
    assertEquals(decompress(out.slice(0, n), size), input);
  }
  assertEquals(lzfCompress(new Uint8Array(0), 0, 0, new Uint8Array(8), 0, 7), 0);
});

Deno.test("lzfCompress works on a range of a larger buffer, into an offset of another", () => {
  const text = new TextEncoder().encode("xx" + "abcabcabcabcabcabcabcabcabcabc".repeat(4) + "yy");
  const out = new Uint8Array(200).fill(0xee);
  const n = lzfCompress(text, 2, text.length - 2, out, 10, 100);
  assertEquals(out[9], 0xee);
  const back = new Uint8Array(130);
  assertEquals(lzfDecompress(out, 10, 10 + n, back, 5, 120), 120);
  assertEquals(back.subarray(5, 125), text.subarray(2, text.length - 2));
});

Deno.test("lzfDecompress refuses streams that are truncated, overrun or point before the start", () => {
  const input = new TextEncoder().encode("abcdefabcdefabcdefabcdefabcdef");
  const packed = compress(input)!;
  // The declared size must be the real one.
  assertEquals(decompress(packed, input.length - 1), null);
  // A literal run longer than what follows.
  assertEquals(lzfDecompress(new Uint8Array([5, 1, 2]), 0, 3, new Uint8Array(10), 0, 10), 0);
  // A back reference before the first byte.
  assertEquals(lzfDecompress(new Uint8Array([0, 65, 0x20, 5]), 0, 4, new Uint8Array(10), 0, 10), 0);
  // A back reference cut short.
  assertEquals(lzfDecompress(new Uint8Array([0, 65, 0xe0]), 0, 3, new Uint8Array(20), 0, 20), 0);
  // An empty stream decompresses to nothing.
  assertEquals(lzfDecompress(new Uint8Array(0), 0, 0, new Uint8Array(4), 0, 4), 0);
});
