/**
 * Tests of the compact encodings RDB embeds: the listpack writer and reader (every integer and
 * string encoding at its boundaries, strings that only look like integers, and the integrity
 * checks), the intset, and the readers of the older ziplist and zipmap. Byte-for-byte
 * agreement with Redis's own listpacks and intsets is checked through DUMP in
 * tests/commands/dump_test.ts.
 *
 * @module
 */
import { encodeIntset, readIntset } from "../../src/persistence/intset.ts";
import {
  entrySize,
  int64Of,
  ListpackWriter,
  readListpack,
} from "../../src/persistence/listpack.ts";
import { readZiplist, readZipmap } from "../../src/persistence/ziplist.ts";
import { Latin1Decoder } from "../../src/resp/latin1.ts";
import { assertEquals } from "../_util.ts";
import { ziplist, zipmap } from "./_encodings.ts";

const latin1 = new Latin1Decoder();

function listpackOf(values: readonly string[]): Uint8Array {
  const lp = new ListpackWriter();
  for (const v of values) lp.append(v);
  return lp.finish().slice();
}

function readBack(bytes: Uint8Array): string[] | null {
  const out: string[] = [];
  return readListpack(bytes, 0, bytes.length, out, latin1) ? out : null;
}

Deno.test("int64Of reads canonical 64-bit integers only, as string2ll does", () => {
  assertEquals(int64Of("0"), 0);
  assertEquals(int64Of("-7"), -7);
  assertEquals(int64Of("123456789012345"), 123456789012345);
  assertEquals(int64Of("9007199254740993"), 9007199254740993n);
  assertEquals(int64Of("9223372036854775807"), 9223372036854775807n);
  assertEquals(int64Of("-9223372036854775808"), -9223372036854775808n);
  assertEquals(int64Of("1000000000000000"), 1000000000000000);
  for (
    const text of ["", "-", "-0", "007", "+1", " 1", "1 ", "1.0", "9223372036854775808", "1e3"]
  ) {
    assertEquals(int64Of(text), null, JSON.stringify(text));
  }
});

Deno.test("ListpackWriter encodes integers in the narrowest of Redis's encodings", () => {
  const cases: [string, number[]][] = [
    ["0", [0x00, 1]],
    ["127", [0x7f, 1]],
    ["128", [0xc0, 0x80, 2]],
    ["-1", [0xdf, 0xff, 2]],
    ["4095", [0xcf, 0xff, 2]],
    ["-4096", [0xd0, 0x00, 2]],
    ["4096", [0xf1, 0x00, 0x10, 3]],
    ["-32768", [0xf1, 0x00, 0x80, 3]],
    ["32768", [0xf2, 0x00, 0x80, 0x00, 4]],
    ["-8388608", [0xf2, 0x00, 0x00, 0x80, 4]],
    ["8388608", [0xf3, 0x00, 0x00, 0x80, 0x00, 5]],
    ["-2147483648", [0xf3, 0x00, 0x00, 0x00, 0x80, 5]],
    ["2147483648", [0xf4, 0, 0, 0, 0x80, 0, 0, 0, 0, 9]],
    ["-9223372036854775808", [0xf4, 0, 0, 0, 0, 0, 0, 0, 0x80, 9]],
  ];
  for (const [text, entry] of cases) {
    const bytes = listpackOf([text]);
    const total = 6 + entry.length + 1;
    assertEquals([...bytes], [total, 0, 0, 0, 1, 0, ...entry, 0xff], text);
    assertEquals(readBack(bytes), [text]);
  }
});

Deno.test("ListpackWriter stores strings with 6, 12 and 32-bit lengths and long backlens", () => {
  for (const n of [0, 1, 63, 64, 126, 127, 128, 4095, 4096, 16381, 16382, 16383, 70000]) {
    const text = "x".repeat(n);
    const bytes = listpackOf(["a", text, "b"]);
    assertEquals(readBack(bytes), ["a", text, "b"], `length ${n}`);
  }
  assertEquals([...listpackOf(["ab"])], [11, 0, 0, 0, 1, 0, 0x82, 97, 98, 3, 0xff]);
  const binary = "\x00\xff\r\n-1\x80";
  assertEquals(readBack(listpackOf([binary, "-0", "007", "1.5", "+5"])), [
    binary,
    "-0",
    "007",
    "1.5",
    "+5",
  ]);
});

Deno.test("entrySize is what each value adds to a listpack", () => {
  const values = ["0", "127", "128", "-4097", "70000", "-8388609", "2147483648", "", "-0", "ab"];
  values.push("x".repeat(63), "x".repeat(64), "x".repeat(125), "x".repeat(4096), "x".repeat(17000));
  for (const v of values) {
    const lp = new ListpackWriter();
    lp.append(v);
    assertEquals(entrySize(v), lp.totalBytes - 7, JSON.stringify(v.slice(0, 10)));
  }
});

Deno.test("readListpack refuses a wrong size, terminator, count, backlen or encoding", () => {
  const good = listpackOf(["hello", "42", "world"]);
  assertEquals(readBack(good), ["hello", "42", "world"]);
  const broken = (change: (b: Uint8Array) => void) => {
    const b = good.slice();
    change(b);
    return readBack(b);
  };
  assertEquals(broken((b) => b[0]!++), null); // total bytes
  assertEquals(broken((b) => b[b.length - 1] = 0), null); // terminator
  assertEquals(broken((b) => b[4] = 2), null); // element count
  assertEquals(broken((b) => b[12] = 9), null); // backlen of "hello"
  assertEquals(broken((b) => b[6] = 0x8f), null); // a string running past the end
  assertEquals(broken((b) => b[6] = 0xf5), null); // no such encoding
  assertEquals(readBack(good.subarray(0, 6)), null);
  // An unknown count (65535) is not checked.
  assertEquals(broken((b) => (b[4] = 0xff, b[5] = 0xff)), ["hello", "42", "world"]);
});

Deno.test("ListpackWriter's count saturates at 65535 as lpLength's header does", () => {
  const lp = new ListpackWriter();
  for (let i = 0; i < 70000; i++) lp.append("v");
  const bytes = lp.finish();
  assertEquals([bytes[4], bytes[5]], [0xff, 0xff]);
  assertEquals(readBack(bytes)!.length, 70000);
});

Deno.test("encodeIntset picks the narrowest width and readIntset reads it back", () => {
  const cases: [string[], number][] = [
    [["-32768", "0", "32767"], 2],
    [["-32769", "5"], 4],
    [["1", "2147483647"], 4],
    [["-2147483649"], 8],
    [["-9223372036854775808", "9223372036854775807"], 8],
  ];
  for (const [members, width] of cases) {
    const bytes = encodeIntset(members);
    assertEquals(bytes[0], width);
    assertEquals(bytes.length, 8 + width * members.length);
    const out: string[] = [];
    assertEquals(readIntset(bytes, 0, bytes.length, out), true);
    assertEquals(out, members);
  }
});

Deno.test("readIntset refuses unsorted, duplicate, empty, odd-width and short intsets", () => {
  const bad = (bytes: number[]) => readIntset(new Uint8Array(bytes), 0, bytes.length, []);
  assertEquals(bad([2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 3, 0]), false); // 5 then 3
  assertEquals(bad([2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0]), false); // duplicate
  assertEquals(bad([2, 0, 0, 0, 0, 0, 0, 0]), false); // empty
  assertEquals(bad([3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0]), false); // width 3
  assertEquals(bad([2, 0, 0, 0, 2, 0, 0, 0, 5, 0]), false); // short
  assertEquals(bad([2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 5, 0]), true);
});

Deno.test("readZiplist reads every string and integer encoding of a ziplist", () => {
  const long = "L".repeat(300);
  const huge = "H".repeat(20000);
  const bytes = ziplist([
    "a",
    { int: 0, enc: "imm" },
    { int: 12, enc: "imm" },
    { int: -128, enc: "8" },
    { int: -32768, enc: "16" },
    { int: -8388608, enc: "24" },
    { int: 2147483647, enc: "32" },
    { int: -9223372036854775808n, enc: "64" },
    long,
    "after a long entry",
    huge,
    "",
  ]);
  const out: string[] = [];
  assertEquals(readZiplist(bytes, 0, bytes.length, out, latin1), true);
  assertEquals(out, [
    "a",
    "0",
    "12",
    "-128",
    "-32768",
    "-8388608",
    "2147483647",
    "-9223372036854775808",
    long,
    "after a long entry",
    huge,
    "",
  ]);
});

Deno.test("readZiplist refuses a wrong size, tail, count or previous-entry length", () => {
  const good = ziplist(["one", "two", { int: 3, enc: "imm" }]);
  const read = (b: Uint8Array) => readZiplist(b, 0, b.length, [], latin1);
  assertEquals(read(good), true);
  const broken = (change: (b: Uint8Array) => void) => {
    const b = good.slice();
    change(b);
    return read(b);
  };
  assertEquals(broken((b) => b[0]!++), false); // zlbytes
  assertEquals(broken((b) => b[4]!++), false); // zltail
  assertEquals(broken((b) => b[8] = 5), false); // zllen
  assertEquals(broken((b) => b[15] = 7), false); // "two"'s prevlen
  assertEquals(broken((b) => b[b.length - 2] = 0xf0), false); // an int running past the end
  assertEquals(broken((b) => b[b.length - 1] = 0), false); // terminator
  assertEquals(broken((b) => (b[8] = 0xff, b[9] = 0xff)), true); // count unknown
});

Deno.test("readZipmap reads keys and values and skips free space", () => {
  const long = "v".repeat(300);
  const bytes = zipmap([["name", "redis"], ["empty", ""], ["long", long]], 3);
  const out: string[] = [];
  assertEquals(readZipmap(bytes, 0, bytes.length, out, latin1), true);
  assertEquals(out, ["name", "redis", "empty", "", "long", long]);
  const bad = bytes.slice();
  bad[0] = 2; // the count says 2 of 3
  assertEquals(readZipmap(bad, 0, bad.length, [], latin1), false);
  assertEquals(readZipmap(new Uint8Array([0, 0xff]), 0, 2, [], latin1), false); // empty
  const cut = bytes.slice(0, 12);
  cut[11] = 0xff;
  assertEquals(readZipmap(cut, 0, cut.length, [], latin1), false);
});
