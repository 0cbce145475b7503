/**
 * Tests of the client's incremental reply parser: replies come out whole and in order however
 * the bytes are cut, attributes are skipped, and large replies buffer in linear time.
 */
import { assert, assertEquals } from "../_util.ts";
import { ReplyParser } from "../../src/resp/reply_parser.ts";
import { RespProtocolError } from "../../src/resp/parse_value.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import type { RespValue } from "../../src/resp/types.ts";

const STREAM = "+OK\r\n" +
  "-ERR bad\r\n" +
  ":9007199254740993\r\n" +
  "$4\r\na\r\n\xff\r\n" +
  "$-1\r\n" +
  "*2\r\n$1\r\nx\r\n%1\r\n#t\r\n,2.5\r\n" +
  "|1\r\n+ttl\r\n:1\r\n_\r\n" +
  ">2\r\n+message\r\n=7\r\ntxt:abc\r\n" +
  "~1\r\n(12345678901234567890123\r\n" +
  "!5\r\nOOPS!\r\n";

const REPLIES: RespValue[] = [
  { kind: "simple", value: "OK" },
  { kind: "error", value: "ERR bad" },
  9007199254740993n,
  "a\r\n\xff",
  null,
  ["x", { kind: "map", entries: [[true, { kind: "double", value: 2.5 }]] }],
  null,
  {
    kind: "push",
    items: [{ kind: "simple", value: "message" }, {
      kind: "verbatim",
      format: "txt",
      value: "abc",
    }],
  },
  { kind: "set", items: [{ kind: "bignum", value: "12345678901234567890123" }] },
  { kind: "error", value: "OOPS!" },
];

function drain(parser: ReplyParser, out: RespValue[]): void {
  for (let v = parser.next(); v !== undefined; v = parser.next()) out.push(v);
}

Deno.test("ReplyParser hands out every reply of a stream in order", () => {
  const parser = new ReplyParser();
  parser.push(latin1Encode(STREAM));
  const out: RespValue[] = [];
  drain(parser, out);
  assertEquals(out, REPLIES);
  assertEquals(parser.next(), undefined);
});

Deno.test("ReplyParser gives the same replies when the stream is split at any byte", () => {
  const bytes = latin1Encode(STREAM);
  for (let i = 0; i <= bytes.length; i++) {
    const parser = new ReplyParser();
    const out: RespValue[] = [];
    parser.push(bytes.slice(0, i));
    drain(parser, out);
    parser.push(bytes.slice(i));
    drain(parser, out);
    assertEquals(out, REPLIES, `split at ${i}`);
  }
});

Deno.test("ReplyParser gives the same replies when fed one byte at a time", () => {
  const bytes = latin1Encode(STREAM);
  const parser = new ReplyParser();
  const out: RespValue[] = [];
  for (let i = 0; i < bytes.length; i++) {
    parser.push(bytes.subarray(i, i + 1));
    drain(parser, out);
  }
  assertEquals(out, REPLIES);
});

Deno.test("ReplyParser copies pushed bytes, so the caller may reuse its buffer", () => {
  const parser = new ReplyParser();
  const scratch = latin1Encode("$5\r\nhel");
  parser.push(scratch);
  scratch.fill(0x21);
  parser.push(latin1Encode("lo\r\n"));
  assertEquals(parser.next(), "hello");
});

Deno.test("ReplyParser returns undefined until a reply is complete", () => {
  const parser = new ReplyParser();
  parser.push(latin1Encode("+OK\r\n:1"));
  assertEquals(parser.next(), { kind: "simple", value: "OK" });
  assertEquals(parser.next(), undefined);
  parser.push(latin1Encode("2\r"));
  assertEquals(parser.next(), undefined);
  parser.push(latin1Encode("\n"));
  assertEquals(parser.next(), 12);
});

Deno.test("ReplyParser throws RespProtocolError on a reply it cannot parse", () => {
  const parser = new ReplyParser();
  parser.push(latin1Encode("+OK\r\n@what\r\n"));
  assertEquals(parser.next(), { kind: "simple", value: "OK" });
  let error: unknown = null;
  try {
    parser.next();
  } catch (e) {
    error = e;
  }
  assert(error instanceof RespProtocolError);
  assertEquals(error.message, "Protocol error: expected '$', got '@'");
});

Deno.test("ReplyParser reads many replies past its initial buffer size", () => {
  const parser = new ReplyParser();
  const out: RespValue[] = [];
  const expected: RespValue[] = [];
  let pending = "";
  for (let i = 0; i < 4000; i++) {
    const value = `value-${i}-` + "z".repeat(i % 50);
    expected.push(value, i);
    pending += `$${value.length}\r\n${value}\r\n:${i}\r\n`;
    if (pending.length > 3000) {
      parser.push(latin1Encode(pending.slice(0, 1777)));
      drain(parser, out);
      pending = pending.slice(1777);
    }
  }
  parser.push(latin1Encode(pending));
  drain(parser, out);
  assertEquals(out, expected);
});

Deno.test("ReplyParser reads a 5 MB bulk reply fed in 16 KiB chunks in linear time", () => {
  const size = 5 * 1024 * 1024;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 13) & 0xff;
  const head = latin1Encode(`$${size}\r\n`);
  const input = new Uint8Array(head.length + size + 2 + 4);
  input.set(head, 0);
  input.set(body, head.length);
  input.set(latin1Encode("\r\n:7\r\n"), head.length + size);
  const parser = new ReplyParser();
  const out: RespValue[] = [];
  const started = performance.now();
  for (let offset = 0; offset < input.length; offset += 16 * 1024) {
    parser.push(input.subarray(offset, offset + 16 * 1024));
    drain(parser, out);
  }
  const elapsed = performance.now() - started;
  assertEquals(out.length, 2);
  const value = out[0];
  assert(typeof value === "string" && value.length === size, "wrong bulk length");
  let same = true;
  for (let i = 0; i < size; i += 997) same &&= value.charCodeAt(i) === body[i];
  assert(same, "the bulk reply differs");
  assertEquals(out[1], 7);
  assert(elapsed < 2000, `parsing took ${elapsed.toFixed(0)} ms`);
});

Deno.test("ReplyParser reads a 1M-element reply fed in 16 KiB chunks in linear time", () => {
  const count = 1_000_000;
  const parts = [`*${count}\r\n`];
  for (let i = 0; i < count; i++) {
    const key = `key:${i}`;
    parts.push(`$${key.length}\r\n${key}\r\n`);
  }
  parts.push("+OK\r\n");
  const input = latin1Encode(parts.join(""));
  const parser = new ReplyParser();
  const out: RespValue[] = [];
  const started = performance.now();
  for (let offset = 0; offset < input.length; offset += 16 * 1024) {
    parser.push(input.subarray(offset, offset + 16 * 1024));
    drain(parser, out);
  }
  const elapsed = performance.now() - started;
  assertEquals(out.length, 2);
  const keys = out[0];
  assert(Array.isArray(keys) && keys.length === count, "wrong element count");
  assertEquals([keys[0], keys[123456], keys[count - 1]], ["key:0", "key:123456", "key:999999"]);
  assertEquals(out[1], { kind: "simple", value: "OK" });
  // Re-parsing the reply from its first byte on every chunk took 34 s here.
  assert(elapsed < 1000, `parsing took ${elapsed.toFixed(0)} ms`);
});

Deno.test("ReplyParser skips a chain of 100000 attributes", () => {
  const parser = new ReplyParser();
  const input = latin1Encode("|0\r\n".repeat(100_000) + ":5\r\n+next\r\n");
  const out: RespValue[] = [];
  for (let offset = 0; offset < input.length; offset += 16 * 1024) {
    parser.push(input.subarray(offset, offset + 16 * 1024));
    drain(parser, out);
  }
  assertEquals(out, [5, { kind: "simple", value: "next" }]);
});

Deno.test("ReplyParser refuses deeply nested replies with a RespProtocolError", () => {
  const parser = new ReplyParser();
  parser.push(latin1Encode("*1\r\n".repeat(100_000)));
  let error: unknown = null;
  try {
    parser.next();
  } catch (e) {
    error = e;
  }
  assert(error instanceof RespProtocolError);
  assertEquals(error.message, "Protocol error: too deeply nested request");
});
