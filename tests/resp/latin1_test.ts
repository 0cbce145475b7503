/**
 * Tests of byte <-> latin1 string conversion: every byte value round-trips, on both the short
 * (JS) and long (native, ASCII) paths, at any offset of any view, through the one-off functions
 * and through a `Latin1Decoder` reading one buffer over and over.
 */
import { assert, assertEquals } from "../_util.ts";
import {
  latin1Decode,
  Latin1Decoder,
  latin1Encode,
  latin1ToUtf8,
  latin1WriteInto,
  MAX_LATIN1_LENGTH,
  utf8ToLatin1,
} from "../../src/resp/latin1.ts";

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_CHARS = String.fromCharCode(...ALL_BYTES);

Deno.test("latin1 round-trips all 256 byte values", () => {
  assertEquals(latin1Encode(ALL_CHARS), ALL_BYTES);
  assertEquals(latin1Decode(ALL_BYTES, 0, 256), ALL_CHARS);
  for (let b = 0; b < 256; b++) {
    const one = String.fromCharCode(b);
    assertEquals(latin1Encode(one), Uint8Array.of(b), `byte ${b}`);
    assertEquals(latin1Decode(Uint8Array.of(b), 0, 1), one, `byte ${b}`);
    assertEquals(latin1Decode(Uint8Array.of(b, b), 0, 2), one + one, `byte ${b} twice`);
  }
});

Deno.test("latin1 round-trips long strings written through the native path", () => {
  for (const length of [511, 512, 513, 4096, 100_000]) {
    const text = Array.from({ length }, (_, i) => String.fromCharCode((i * 37 + 11) & 0xff))
      .join("");
    const bytes = latin1Encode(text);
    assertEquals(bytes.length, length);
    let same = true;
    for (let i = 0; i < length; i++) same &&= bytes[i] === text.charCodeAt(i);
    assert(same, `bytes differ at length ${length}`);
    assert(latin1Decode(bytes, 0, length) === text, `round trip differs at length ${length}`);
  }
});

Deno.test("latin1WriteInto writes at an offset of a view and returns the offset after", () => {
  const long = ALL_CHARS.repeat(3); // 768 chars: the native path
  for (const value of [ALL_CHARS, long]) {
    const backing = new Uint8Array(2000).fill(0xee);
    const target = backing.subarray(100, 1900);
    const end = latin1WriteInto(target, 7, value);
    assertEquals(end, 7 + value.length);
    assertEquals(backing[106], 0xee, "byte before the write touched");
    assertEquals(backing[107 + value.length], 0xee, "byte after the write touched");
    assertEquals(latin1Decode(target, 7, end), value);
    assertEquals(latin1Decode(backing, 107, 107 + value.length), value);
  }
});

Deno.test("latin1Decode reads a range of a view with a byte offset", () => {
  const backing = new Uint8Array(1200);
  backing.set(ALL_BYTES, 300);
  backing.set(ALL_BYTES, 556);
  const view = backing.subarray(290);
  assertEquals(latin1Decode(view, 10, 266), ALL_CHARS);
  assertEquals(latin1Decode(view, 10 + 65, 10 + 68), "ABC");
  assertEquals(latin1Decode(view, 10, 10 + 512), ALL_CHARS + ALL_CHARS);
  assertEquals(latin1Decode(view, 5, 5), "");
  assertEquals(latin1Decode(view, 9, 5), "");
});

Deno.test("latin1Decode reads the current bytes when buffers alternate and change", () => {
  const a = latin1Encode("first buffer");
  const b = latin1Encode("second one");
  assertEquals(latin1Decode(a, 0, 5), "first");
  assertEquals(latin1Decode(b, 0, 6), "second");
  a.set(latin1Encode("FIRST"), 0);
  assertEquals(latin1Decode(a, 0, 5), "FIRST");
  assertEquals(latin1Decode(b, 7, 10), "one");
  // A different view over the same memory is read at its own offset.
  assertEquals(latin1Decode(a.subarray(6), 0, 6), "buffer");
});

Deno.test("latin1 keeps only the low byte of chars above 0xFF on both write paths", () => {
  assertEquals(latin1Encode("\u0141\u20ac"), Uint8Array.of(0x41, 0xac));
  const long = "\u0141".repeat(600);
  assertEquals(latin1Encode(long), new Uint8Array(600).fill(0x41));
});

Deno.test("utf8ToLatin1 and latin1ToUtf8 convert text to bytes-as-chars and back", () => {
  assertEquals(utf8ToLatin1("plain ascii"), "plain ascii");
  assertEquals(utf8ToLatin1("é"), "\xc3\xa9");
  assertEquals(utf8ToLatin1("€x"), "\xe2\x82\xacx");
  assertEquals(latin1ToUtf8("\xc3\xa9"), "é");
  const text = "naïve 日本 🎉";
  assertEquals(latin1ToUtf8(utf8ToLatin1(text)), text);
});

Deno.test("Latin1Decoder reads every view of a reused buffer at its own offset", () => {
  const reader = new Latin1Decoder();
  const backing = new Uint8Array(1024);
  backing.set(ALL_BYTES, 0);
  backing.set(ALL_BYTES, 256);
  // A connection reads chunks of different lengths into one buffer: each is a new subarray.
  for (const length of [300, 512, 20, 1024]) {
    const chunk = backing.subarray(0, length);
    assertEquals(
      reader.decode(chunk, 0, Math.min(length, 256)),
      ALL_CHARS.slice(0, Math.min(length, 256)),
    );
    assertEquals(reader.decode(chunk, 10, 15), ALL_CHARS.slice(10, 15));
  }
  // A view at another offset of the same memory is read at that offset.
  for (const offset of [1, 7, 256]) {
    assertEquals(
      reader.decode(backing.subarray(offset), 0, 10),
      ALL_CHARS.slice(offset % 256, offset % 256 + 10),
    );
  }
  // Bytes changed in place are read as they are now; other memory is read after release.
  backing.set(latin1Encode("HELLO"), 100);
  assertEquals(reader.decode(backing.subarray(0, 200), 100, 105), "HELLO");
  reader.release();
  assertEquals(reader.decode(latin1Encode("another buffer"), 8, 14), "buffer");
  assertEquals(reader.decode(backing, 100, 105), "HELLO");
  assertEquals(reader.decode(backing, 9, 5), "");
});

Deno.test("Latin1Decoders of different buffers do not disturb each other", () => {
  const a = latin1Encode("first buffer, read by a");
  const b = latin1Encode("second buffer, read by b");
  const readA = new Latin1Decoder();
  const readB = new Latin1Decoder();
  for (let i = 0; i < 3; i++) {
    assertEquals(readA.decode(a, 0, 12), "first buffer");
    assertEquals(readB.decode(b, 0, 13), "second buffer");
  }
});

Deno.test("latin1 decoding refuses a range longer than a string can hold", () => {
  const bytes = new Uint8Array(16);
  const reader = new Latin1Decoder();
  const decoders = [latin1Decode, (b: Uint8Array, s: number, e: number) => reader.decode(b, s, e)];
  for (const decode of decoders) {
    let error: unknown = null;
    try {
      decode(bytes, 0, MAX_LATIN1_LENGTH + 1);
    } catch (e) {
      error = e;
    }
    assert(error instanceof RangeError, `not a RangeError: ${error}`);
    assertEquals(
      error.message,
      "Cannot decode 536870889 bytes: a string holds at most 536870888 chars",
    );
  }
});

Deno.test("latin1WriteInto writes long strings with and without chars beyond ASCII", () => {
  const ascii = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(20); // 720 chars
  const cases = [
    ascii,
    ascii + "\xff",
    "\x80" + ascii,
    ascii.slice(0, 300) + "\u0141" + ascii.slice(300),
  ];
  for (const value of cases) {
    const backing = new Uint8Array(value.length + 20).fill(0xee);
    const end = latin1WriteInto(backing, 10, value);
    assertEquals(end, 10 + value.length);
    const expected = Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff);
    assertEquals(backing.subarray(10, end), expected, JSON.stringify(value.slice(0, 10)));
    assertEquals([backing[9], backing[end]], [0xee, 0xee], "bytes around the write touched");
  }
});
