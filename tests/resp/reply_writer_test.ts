/**
 * Tests of the version-aware reply encoder: every helper in RESP2 and RESP3, `structured()`
 * (follows the connection's version) versus `value()` (writes typed values as they arrived).
 */
import { assert, assertEquals } from "../_util.ts";
import { ReplyWriter } from "../../src/resp/reply_writer.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import type { RespValue, RespVersion } from "../../src/resp/types.ts";

function writer(version: RespVersion): ReplyWriter {
  const out = new ReplyWriter();
  out.version = version;
  return out;
}

/** What `write` produces on a fresh writer of each version, as latin1 text. */
function both(write: (out: ReplyWriter) => void): [string, string] {
  return [2, 3].map((version) => {
    const out = writer(version as RespVersion);
    write(out);
    const bytes = out.take();
    return latin1Decode(bytes, 0, bytes.length);
  }) as [string, string];
}

Deno.test("ReplyWriter writes simple strings, OK and errors the same in both versions", () => {
  assertEquals(both((o) => o.ok()), ["+OK\r\n", "+OK\r\n"]);
  assertEquals(both((o) => o.simple("PONG")), ["+PONG\r\n", "+PONG\r\n"]);
  assertEquals(both((o) => o.simple("")), ["+\r\n", "+\r\n"]);
  assertEquals(both((o) => o.error("ERR syntax error")), [
    "-ERR syntax error\r\n",
    "-ERR syntax error\r\n",
  ]);
});

Deno.test("ReplyWriter turns CR and LF inside an error text into spaces", () => {
  assertEquals(both((o) => o.error("ERR bad\r\nthing\n")), [
    "-ERR bad  thing \r\n",
    "-ERR bad  thing \r\n",
  ]);
});

Deno.test("ReplyWriter writes integers, negative ones and bigints", () => {
  const cases: [number | bigint, string][] = [
    [0, ":0\r\n"],
    [7, ":7\r\n"],
    [9, ":9\r\n"],
    [10, ":10\r\n"],
    [-1, ":-1\r\n"],
    [-42, ":-42\r\n"],
    [Number.MAX_SAFE_INTEGER, ":9007199254740991\r\n"],
    [9223372036854775807n, ":9223372036854775807\r\n"],
    [-9223372036854775808n, ":-9223372036854775808\r\n"],
    [0n, ":0\r\n"],
  ];
  for (const [n, expected] of cases) {
    assertEquals(both((o) => o.integer(n)), [expected, expected], String(n));
  }
});

Deno.test("ReplyWriter writes bulk strings with any bytes inside", () => {
  const value = "a\r\nb\x00\xff\x80";
  const expected = `$7\r\n${value}\r\n`;
  assertEquals(both((o) => o.bulk(value)), [expected, expected]);
  assertEquals(both((o) => o.bulk("")), ["$0\r\n\r\n", "$0\r\n\r\n"]);
});

Deno.test("ReplyWriter writes a bulk string longer than 512 bytes through the native path", () => {
  let value = "";
  for (let i = 0; i < 3000; i++) value += String.fromCharCode((i * 31) & 0xff);
  const expected = `$3000\r\n${value}\r\n`;
  assertEquals(both((o) => o.bulk(value)), [expected, expected]);
  // After a short reply, so the long one starts at an unaligned offset.
  assertEquals(both((o) => (o.integer(1), o.bulk(value))), [
    `:1\r\n${expected}`,
    `:1\r\n${expected}`,
  ]);
});

Deno.test("ReplyWriter writes null as $-1 or *-1 in RESP2 and _ in RESP3", () => {
  assertEquals(both((o) => o.null()), ["$-1\r\n", "_\r\n"]);
  assertEquals(both((o) => o.bulk(null)), ["$-1\r\n", "_\r\n"]);
  assertEquals(both((o) => o.nullArray()), ["*-1\r\n", "_\r\n"]);
});

Deno.test("ReplyWriter writes a map as *2N in RESP2 and %N in RESP3", () => {
  const write = (o: ReplyWriter) => {
    o.mapLength(2);
    o.bulk("a");
    o.integer(1);
    o.bulk("b");
    o.integer(2);
  };
  assertEquals(both(write), [
    "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n",
    "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n",
  ]);
  assertEquals(both((o) => o.mapLength(0)), ["*0\r\n", "%0\r\n"]);
});

Deno.test("ReplyWriter writes arrays, sets and pushes with the version's type byte", () => {
  assertEquals(both((o) => o.arrayLength(12)), ["*12\r\n", "*12\r\n"]);
  assertEquals(both((o) => o.setLength(3)), ["*3\r\n", "~3\r\n"]);
  assertEquals(both((o) => o.pushLength(3)), ["*3\r\n", ">3\r\n"]);
  assertEquals(both((o) => o.bulkArray(["a", null, ""])), [
    "*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n",
    "*3\r\n$1\r\na\r\n_\r\n$0\r\n\r\n",
  ]);
});

Deno.test("ReplyWriter writes doubles as bulk strings in RESP2 and , in RESP3", () => {
  assertEquals(both((o) => o.doubleText("1.5")), ["$3\r\n1.5\r\n", ",1.5\r\n"]);
  assertEquals(both((o) => o.doubleText("-inf")), ["$4\r\n-inf\r\n", ",-inf\r\n"]);
});

Deno.test("ReplyWriter writes booleans as :1/:0 in RESP2 and #t/#f in RESP3", () => {
  assertEquals(both((o) => o.boolean(true)), [":1\r\n", "#t\r\n"]);
  assertEquals(both((o) => o.boolean(false)), [":0\r\n", "#f\r\n"]);
});

Deno.test("ReplyWriter writes verbatim strings as = with a format in RESP3 only", () => {
  assertEquals(both((o) => o.verbatim("hello\r\nworld")), [
    "$12\r\nhello\r\nworld\r\n",
    "=16\r\ntxt:hello\r\nworld\r\n",
  ]);
  assertEquals(both((o) => o.verbatim("# x", "mkd")), ["$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n"]);
});

const NESTED: RespValue = {
  kind: "map",
  entries: [
    ["proto", 3],
    [{ kind: "simple", value: "flags" }, { kind: "set", items: ["a", "b"] }],
    ["score", { kind: "double", value: 1.5 }],
    ["ok", true],
    ["none", null],
    ["big", { kind: "bignum", value: "123456789012345678901234567890" }],
    ["info", { kind: "verbatim", format: "txt", value: "hi" }],
    ["list", [1n << 70n, -3, "x"]],
  ],
};

Deno.test("ReplyWriter.structured writes maps, sets and scalars in the connection's version", () => {
  assertEquals(both((o) => o.structured(NESTED)), [
    "*16\r\n" +
    "$5\r\nproto\r\n:3\r\n" +
    "+flags\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n" +
    "$5\r\nscore\r\n$3\r\n1.5\r\n" +
    "$2\r\nok\r\n:1\r\n" +
    "$4\r\nnone\r\n$-1\r\n" +
    "$3\r\nbig\r\n$30\r\n123456789012345678901234567890\r\n" +
    "$4\r\ninfo\r\n$2\r\nhi\r\n" +
    "$4\r\nlist\r\n*3\r\n:1180591620717411303424\r\n:-3\r\n$1\r\nx\r\n",
    "%8\r\n" +
    "$5\r\nproto\r\n:3\r\n" +
    "+flags\r\n~2\r\n$1\r\na\r\n$1\r\nb\r\n" +
    "$5\r\nscore\r\n,1.5\r\n" +
    "$2\r\nok\r\n#t\r\n" +
    "$4\r\nnone\r\n_\r\n" +
    "$3\r\nbig\r\n(123456789012345678901234567890\r\n" +
    "$4\r\ninfo\r\n=6\r\ntxt:hi\r\n" +
    "$4\r\nlist\r\n*3\r\n:1180591620717411303424\r\n:-3\r\n$1\r\nx\r\n",
  ]);
});

Deno.test("ReplyWriter.structured writes a push as an array in RESP2", () => {
  const push: RespValue = {
    kind: "push",
    items: ["message", { kind: "map", entries: [["k", true]] }],
  };
  assertEquals(both((o) => o.structured(push)), [
    "*2\r\n$7\r\nmessage\r\n*2\r\n$1\r\nk\r\n:1\r\n",
    ">2\r\n$7\r\nmessage\r\n%1\r\n$1\r\nk\r\n#t\r\n",
  ]);
});

Deno.test("ReplyWriter.structured writes errors, simple strings and infinities", () => {
  assertEquals(both((o) => o.structured({ kind: "error", value: "ERR x" })), [
    "-ERR x\r\n",
    "-ERR x\r\n",
  ]);
  assertEquals(both((o) => o.structured({ kind: "simple", value: "OK" })), ["+OK\r\n", "+OK\r\n"]);
  assertEquals(both((o) => o.structured({ kind: "double", value: Infinity })), [
    "$3\r\ninf\r\n",
    ",inf\r\n",
  ]);
  assertEquals(both((o) => o.structured([])), ["*0\r\n", "*0\r\n"]);
});

Deno.test("ReplyWriter.value writes typed values exactly as they arrived, in either version", () => {
  const push: RespValue = { kind: "push", items: ["a"] };
  const expected = "%8\r\n" +
    "$5\r\nproto\r\n:3\r\n" +
    "+flags\r\n~2\r\n$1\r\na\r\n$1\r\nb\r\n" +
    "$5\r\nscore\r\n,1.5\r\n" +
    "$2\r\nok\r\n#t\r\n" +
    "$4\r\nnone\r\n";
  const tail = "$3\r\nbig\r\n(123456789012345678901234567890\r\n" +
    "$4\r\ninfo\r\n=6\r\ntxt:hi\r\n" +
    "$4\r\nlist\r\n*3\r\n:1180591620717411303424\r\n:-3\r\n$1\r\nx\r\n";
  // Only null follows the connection's version.
  assertEquals(both((o) => o.value(NESTED)), [
    expected + "$-1\r\n" + tail,
    expected + "_\r\n" + tail,
  ]);
  assertEquals(both((o) => o.value(push)), [">1\r\n$1\r\na\r\n", ">1\r\n$1\r\na\r\n"]);
  assertEquals(both((o) => o.value(false)), ["#f\r\n", "#f\r\n"]);
  assertEquals(both((o) => o.value({ kind: "double", value: -0.25 })), [
    ",-0.25\r\n",
    ",-0.25\r\n",
  ]);
  assertEquals(both((o) => o.value({ kind: "error", value: "ERR a\nb" })), [
    "-ERR a b\r\n",
    "-ERR a b\r\n",
  ]);
});

Deno.test("ReplyWriter collects a pipeline of replies until take() and starts over after", () => {
  const out = new ReplyWriter();
  out.ok();
  out.integer(5);
  out.bulk("v");
  assertEquals(out.length, 16);
  const first = out.take();
  assertEquals(latin1Decode(first, 0, first.length), "+OK\r\n:5\r\n$1\r\nv\r\n");
  assertEquals(out.length, 0);
  assertEquals(out.take().length, 0);
  out.simple("again");
  const second = out.take();
  assertEquals(latin1Decode(second, 0, second.length), "+again\r\n");
});

Deno.test("ReplyWriter.discard drops the pending replies", () => {
  const out = new ReplyWriter();
  out.bulk("dropped");
  out.discard();
  assertEquals(out.length, 0);
  out.ok();
  const bytes = out.take();
  assertEquals(latin1Decode(bytes, 0, bytes.length), "+OK\r\n");
});

Deno.test("ReplyWriter grows for a reply larger than its buffer and shrinks after take()", () => {
  const out = new ReplyWriter();
  const big = "\xfe".repeat(3 * 1024 * 1024);
  out.integer(1);
  out.bulk(big);
  out.integer(2);
  const bytes = out.take();
  const expected = `:1\r\n$${big.length}\r\n${big}\r\n:2\r\n`;
  assertEquals(bytes.length, expected.length);
  assert(latin1Decode(bytes, 0, bytes.length) === expected, "the large reply differs");
  // The writer keeps working after dropping its grown buffer.
  out.bulk("after");
  const next = out.take();
  assertEquals(latin1Decode(next, 0, next.length), "$5\r\nafter\r\n");
});

Deno.test("ReplyWriter writes many small replies past its initial buffer size intact", () => {
  const out = writer(3);
  let expected = "";
  for (let i = 0; i < 5000; i++) {
    out.integer(i - 2500);
    out.bulk(`v${i}`);
    out.boolean(i % 2 === 0);
    expected += `:${i - 2500}\r\n$${`v${i}`.length}\r\nv${i}\r\n${i % 2 === 0 ? "#t" : "#f"}\r\n`;
  }
  const bytes = out.take();
  assert(latin1Decode(bytes, 0, bytes.length) === expected, "the pipelined replies differ");
});
