/**
 * Tests of the shared RESP2/RESP3 value parser: every type, attributes, incomplete input at every
 * split point with a usable retry hint, big integers, limits, and strict decimal parsing.
 */
import { assert, assertEquals } from "../_util.ts";
import {
  DEFAULT_VALUE_LIMITS,
  findLineEnd,
  INCOMPLETE,
  MAX_LINE_LENGTH,
  type ParseCursor,
  parseDecimal,
  parseValue,
  RespProtocolError,
  type ValueLimits,
} from "../../src/resp/parse_value.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** Parses one value from `text` starting at `offset`; returns it and where parsing stopped. */
function parse(
  text: string,
  offset = 0,
  limits: ValueLimits = DEFAULT_VALUE_LIMITS,
  depth = 0,
): [RespValue | typeof INCOMPLETE, ParseCursor] {
  const bytes = latin1Encode(text);
  const cursor: ParseCursor = { pos: offset, need: 0 };
  const value = parseValue(bytes, bytes.length, cursor, depth, limits);
  return [value, cursor];
}

/** Every type with its encoding and value. */
const SAMPLES: readonly [string, RespValue][] = [
  ["+OK\r\n", { kind: "simple", value: "OK" }],
  ["+\r\n", { kind: "simple", value: "" }],
  ["-ERR unknown command\r\n", { kind: "error", value: "ERR unknown command" }],
  [":0\r\n", 0],
  [":42\r\n", 42],
  [":-7\r\n", -7],
  [":9007199254740991\r\n", 9007199254740991],
  [":9007199254740992\r\n", 9007199254740992n],
  [":9223372036854775807\r\n", 9223372036854775807n],
  [":-9223372036854775808\r\n", -9223372036854775808n],
  ["$5\r\nhello\r\n", "hello"],
  ["$0\r\n\r\n", ""],
  ["$6\r\na\r\n\x00\xff\x80\r\n", "a\r\n\x00\xff\x80"],
  ["$-1\r\n", null],
  ["*-1\r\n", null],
  ["*0\r\n", []],
  ["*3\r\n:1\r\n$1\r\na\r\n*1\r\n_\r\n", [1, "a", [null]]],
  ["_\r\n", null],
  [",1.5\r\n", { kind: "double", value: 1.5 }],
  [",-0.25\r\n", { kind: "double", value: -0.25 }],
  [",1e300\r\n", { kind: "double", value: 1e300 }],
  [",10\r\n", { kind: "double", value: 10 }],
  [",inf\r\n", { kind: "double", value: Infinity }],
  [",-inf\r\n", { kind: "double", value: -Infinity }],
  ["#t\r\n", true],
  ["#f\r\n", false],
  ["(3492890328409238509324850943850943825024385\r\n", {
    kind: "bignum",
    value: "3492890328409238509324850943850943825024385",
  }],
  ["!21\r\nSYNTAX invalid syntax\r\n", { kind: "error", value: "SYNTAX invalid syntax" }],
  ["=15\r\ntxt:Some string\r\n", { kind: "verbatim", format: "txt", value: "Some string" }],
  ["%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n", {
    kind: "map",
    entries: [[{ kind: "simple", value: "first" }, 1], ["second", false]],
  }],
  ["%0\r\n", { kind: "map", entries: [] }],
  ["~3\r\n+a\r\n:1\r\n_\r\n", { kind: "set", items: [{ kind: "simple", value: "a" }, 1, null] }],
  [">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", {
    kind: "push",
    items: ["message", "ch", "hi"],
  }],
  ["|1\r\n+ttl\r\n:3600\r\n$5\r\nvalue\r\n", "value"],
  ["*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|2\r\n+c\r\n:1\r\n+d\r\n:2\r\n:2\r\n", [1, 2]],
  ["%1\r\n|1\r\n+k\r\n+v\r\n+key\r\n~1\r\n,2.5\r\n", {
    kind: "map",
    entries: [[{ kind: "simple", value: "key" }, {
      kind: "set",
      items: [{ kind: "double", value: 2.5 }],
    }]],
  }],
];

Deno.test("parseValue decodes every RESP2 and RESP3 type", () => {
  for (const [text, expected] of SAMPLES) {
    const [value, cursor] = parse(text);
    assertEquals(value, expected, JSON.stringify(text));
    assertEquals(cursor.pos, text.length, `end of ${JSON.stringify(text)}`);
  }
});

Deno.test("parseValue reads nan as a NaN double", () => {
  const [value] = parse(",nan\r\n");
  assert(typeof value === "object" && value !== null && "kind" in value);
  assert(value.kind === "double" && Number.isNaN(value.value));
});

Deno.test("parseValue keeps integers beyond 2^53 exact as bigints", () => {
  assertEquals(parse(":9007199254740993\r\n")[0], 9007199254740993n);
  assertEquals(parse(":-9007199254740993\r\n")[0], -9007199254740993n);
  assertEquals(parse(":123456789012345678901234567890\r\n")[0], 123456789012345678901234567890n);
  assertEquals(parse(":-9007199254740991\r\n")[0], -9007199254740991);
});

Deno.test("parseValue starts at the cursor and stops right after the value", () => {
  const text = "garbage:12\r\n+next\r\n";
  const [value, cursor] = parse(text, 7);
  assertEquals(value, 12);
  assertEquals(cursor.pos, 12);
});

Deno.test("parseValue answers INCOMPLETE at every split point with a reachable retry hint", () => {
  for (const [text] of SAMPLES) {
    const full = latin1Encode("xx" + text + "+trailing\r\n");
    const end = 2 + text.length;
    for (let cut = 2; cut < end; cut++) {
      const cursor: ParseCursor = { pos: 2, need: 0 };
      const value = parseValue(full, cut, cursor, 0, DEFAULT_VALUE_LIMITS);
      const label = `${JSON.stringify(text)} cut at ${cut - 2}`;
      assertEquals(value, INCOMPLETE, label);
      assertEquals(cursor.pos, 2, label);
      // More bytes are needed, but never more than the value has: waiting for `need` is safe.
      assert(cursor.need > cut && cursor.need <= end, `${label}: need ${cursor.need}`);
    }
    const cursor: ParseCursor = { pos: 2, need: 0 };
    assert(parseValue(full, end, cursor, 0, DEFAULT_VALUE_LIMITS) !== INCOMPLETE);
    assertEquals(cursor.pos, end);
  }
});

Deno.test("parseValue asks for a bulk string's whole body at once", () => {
  const [value, cursor] = parse("$1000\r\nabc");
  assertEquals(value, INCOMPLETE);
  assertEquals(cursor.need, "$1000\r\n".length + 1000 + 2);
});

function protocolError(text: string, limits?: ValueLimits, depth?: number): string {
  try {
    parse(text, 0, limits, depth);
  } catch (error) {
    assert(error instanceof RespProtocolError, `not a RespProtocolError: ${error}`);
    return error.message;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

Deno.test("parseValue throws RespProtocolError on malformed values", () => {
  const cases: [string, string][] = [
    ["?x\r\n", "Protocol error: expected '$', got '?'"],
    ["*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"],
    [":abc\r\n", "Protocol error: invalid integer"],
    [":\r\n", "Protocol error: invalid integer"],
    [":1.5\r\n", "Protocol error: invalid integer"],
    [",abc\r\n", "Protocol error: invalid double"],
    [",\r\n", "Protocol error: invalid double"],
    ["#x\r\n", "Protocol error: invalid boolean"],
    ["#\r\n", "Protocol error: invalid boolean"],
    ["$abc\r\n", "Protocol error: invalid bulk length"],
    ["$-2\r\n", "Protocol error: invalid bulk length"],
    ["!-1\r\n", "Protocol error: invalid bulk length"],
    ["=-1\r\n", "Protocol error: invalid bulk length"],
    ["*x\r\n", "Protocol error: invalid multibulk length"],
    ["*-2\r\n", "Protocol error: invalid multibulk length"],
    ["~-1\r\n", "Protocol error: invalid multibulk length"],
    ["%-1\r\n", "Protocol error: invalid multibulk length"],
    [">-1\r\n", "Protocol error: invalid multibulk length"],
    ["+" + "x".repeat(MAX_LINE_LENGTH + 10), "Protocol error: too big count string"],
  ];
  for (const [text, expected] of cases) {
    assertEquals(protocolError(text), expected, JSON.stringify(text.slice(0, 20)));
  }
});

Deno.test("parseValue enforces bulk, aggregate and nesting limits", () => {
  const limits: ValueLimits = { maxBulkLength: 3, maxAggregateLength: 2, maxNestingDepth: 2 };
  assertEquals(parse("$3\r\nabc\r\n", 0, limits)[0], "abc");
  assertEquals(protocolError("$4\r\nabcd\r\n", limits), "Protocol error: invalid bulk length");
  assertEquals(protocolError("!4\r\nabcd\r\n", limits), "Protocol error: invalid bulk length");
  assertEquals(parse("*2\r\n:1\r\n:2\r\n", 0, limits)[0], [1, 2]);
  assertEquals(protocolError("*3\r\n", limits), "Protocol error: invalid multibulk length");
  assertEquals(protocolError("~3\r\n", limits), "Protocol error: invalid multibulk length");
  assertEquals(protocolError("%3\r\n", limits), "Protocol error: invalid multibulk length");
  assertEquals(parse("*1\r\n*1\r\n:1\r\n", 0, limits)[0], [[1]]);
  assertEquals(
    protocolError("*1\r\n*1\r\n*1\r\n:1\r\n", limits),
    "Protocol error: too deeply nested request",
  );
  // The depth argument says how deep the value already sits.
  assertEquals(
    protocolError("*1\r\n*1\r\n:1\r\n", limits, 1),
    "Protocol error: too deeply nested request",
  );
});

function decimal(text: string): number {
  const bytes = latin1Encode(`x${text}y`);
  return parseDecimal(bytes, 1, bytes.length - 1);
}

Deno.test("parseDecimal reads plain signed integers", () => {
  assertEquals(decimal("0"), 0);
  assertEquals(decimal("7"), 7);
  assertEquals(decimal("123"), 123);
  assertEquals(decimal("-1"), -1);
  assertEquals(decimal("-123"), -123);
  assertEquals(decimal("1000000000000000000"), 1e18);
});

Deno.test("parseDecimal refuses what Redis's string2ll refuses", () => {
  for (
    const text of ["", "-", "+1", "01", "00", "-0", "-01", " 1", "1 ", "1a", "a", "1.0", "1e3"]
  ) {
    assert(Number.isNaN(decimal(text)), JSON.stringify(text));
  }
  // More than 19 digits cannot be a 64-bit integer.
  assert(Number.isNaN(decimal("12345678901234567890")));
});

Deno.test("findLineEnd finds the CR of a complete line only", () => {
  const bytes = latin1Encode("$12\r\nrest");
  assertEquals(findLineEnd(bytes, 1, bytes.length, "too long"), 3);
  assertEquals(findLineEnd(bytes, 1, 4, "too long"), -1); // CR without its LF yet
  assertEquals(findLineEnd(bytes, 1, 3, "too long"), -1);
  // `start` is just past the type byte, which counts towards the limit, as in Redis: a
  // header of MAX_LINE_LENGTH bytes in all may still grow, one byte more is refused.
  const long = new Uint8Array(MAX_LINE_LENGTH + 2).fill(0x31);
  assertEquals(findLineEnd(long, 1, MAX_LINE_LENGTH, "too long"), -1);
  let message = "";
  try {
    findLineEnd(long, 1, MAX_LINE_LENGTH + 1, "Protocol error: too long");
  } catch (error) {
    assert(error instanceof RespProtocolError);
    message = error.message;
  }
  assertEquals(message, "Protocol error: too long");
});
