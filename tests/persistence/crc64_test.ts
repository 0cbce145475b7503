/**
 * Tests of Redis's CRC-64 (crc64.ts): the check value Redis's own test asserts, and agreement
 * with a bit-by-bit reference over random data however it is split into updates and wherever
 * it sits in its buffer (the word-at-a-time path needs alignment and long ranges).
 *
 * @module
 */
import { Crc64, crc64 } from "../../src/persistence/crc64.ts";
import { assertEquals, seededRandom } from "../_util.ts";

/** The reflected Jones polynomial, bit by bit: slow and obviously right. */
function reference(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = 0n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

Deno.test("crc64 of 123456789 is Redis's check value 0xe9c6d914c4b8d9ca", () => {
  assertEquals(crc64(new TextEncoder().encode("123456789")), 0xe9c6d914c4b8d9can);
  assertEquals(crc64(new Uint8Array(0)), 0n);
});

Deno.test("Crc64 agrees with a bitwise reference however the input is split and aligned", () => {
  const random = seededRandom(64);
  for (const size of [1, 7, 8, 9, 63, 255, 256, 257, 1000, 4099]) {
    const backing = new Uint8Array(size + 16);
    for (let i = 0; i < backing.length; i++) backing[i] = Math.floor(random() * 256);
    for (const offset of [0, 1, 3, 5]) {
      const bytes = backing.subarray(offset, offset + size);
      const expected = reference(bytes);
      assertEquals(crc64(bytes), expected, `size ${size} offset ${offset}`);
      for (const cut of [0, 1, Math.floor(size / 3), size - 1, size]) {
        if (cut < 0 || cut > size) continue;
        const crc = new Crc64();
        crc.update(bytes, 0, cut);
        crc.update(bytes, cut, size);
        assertEquals(crc.value(), expected, `size ${size} offset ${offset} cut ${cut}`);
      }
    }
  }
});

Deno.test("Crc64 writes its digest little endian and matches it back", () => {
  const crc = new Crc64();
  crc.update(new TextEncoder().encode("123456789"));
  const out = new Uint8Array(10);
  crc.writeTo(out, 1);
  assertEquals([...out], [0, 0xca, 0xd9, 0xb8, 0xc4, 0x14, 0xd9, 0xc6, 0xe9, 0]);
  assertEquals(crc.matches(out, 1), true);
  out[8]! ^= 1;
  assertEquals(crc.matches(out, 1), false);
});
