/**
 * Tests of the shared RESP2/RESP3 value parser: every type, attributes, input cut at every
 * split point and resumed without the bytes already consumed, usable retry hints, big
 * integers, limits, no recursion on deep or chained input, and strict decimal parsing.
 */
import { assert, assertEquals } from "../_util.ts";
import {
  DEFAULT_VALUE_LIMITS,
  findLineEnd,
  INCOMPLETE,
  MAX_LINE_LENGTH,
  type ParseCursor,
  parseDecimal,
  RespProtocolError,
  type ValueLimits,
  ValueParser,
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
  const value = new ValueParser(limits, { depth }).parse(bytes, bytes.length, cursor);
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
  [",1e300\r\n", { kind: "double", value: 1e300, text: "1e300" }],
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

Deno.test("ValueParser decodes every RESP2 and RESP3 type", () => {
  for (const [text, expected] of SAMPLES) {
    const [value, cursor] = parse(text);
    assertEquals(value, expected, JSON.stringify(text));
    assertEquals(cursor.pos, text.length, `end of ${JSON.stringify(text)}`);
  }
});

Deno.test("ValueParser reads nan as a NaN double", () => {
  const [value] = parse(",nan\r\n");
  assert(typeof value === "object" && value !== null && "kind" in value);
  assert(value.kind === "double" && Number.isNaN(value.value));
});

Deno.test("ValueParser keeps integers beyond 2^53 exact as bigints", () => {
  assertEquals(parse(":9007199254740993\r\n")[0], 9007199254740993n);
  assertEquals(parse(":-9007199254740993\r\n")[0], -9007199254740993n);
  assertEquals(parse(":123456789012345678901234567890\r\n")[0], 123456789012345678901234567890n);
  assertEquals(parse(":-9007199254740991\r\n")[0], -9007199254740991);
});

Deno.test("ValueParser reads integers with a plus sign or leading zeros", () => {
  assertEquals(parse(":+5\r\n")[0], 5);
  assertEquals(parse(":007\r\n")[0], 7);
  assertEquals(parse(":-0\r\n")[0], -0);
  assertEquals(parse(":+9007199254740993\r\n")[0], 9007199254740993n);
});

Deno.test("ValueParser starts at the cursor and stops right after the value", () => {
  const text = "garbage:12\r\n+next\r\n";
  const [value, cursor] = parse(text, 7);
  assertEquals(value, 12);
  assertEquals(cursor.pos, 12);
});

/**
 * Parses `text` (placed at offset 2 of a buffer, before other bytes) fed up to each of `cuts`
 * in turn, then whole. Before each call the bytes the parser has consumed are overwritten
 * with garbage: a resumable parser never reads them again. Checks the hints on the way.
 */
function parseInSteps(text: string, cuts: readonly number[]): RespValue | typeof INCOMPLETE {
  const full = latin1Encode("xx" + text + "+trailing\r\n");
  const end = 2 + text.length;
  const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
  const cursor: ParseCursor = { pos: 2, need: 0 };
  const label = `${JSON.stringify(text)} cut at ${cuts.join(", ")}`;
  for (const cut of cuts) {
    const from = cursor.pos;
    assertEquals(parser.parse(full, 2 + cut, cursor), INCOMPLETE, label);
    assert(cursor.pos >= from && cursor.pos <= 2 + cut, `${label}: pos ${cursor.pos}`);
    // More bytes are needed, but never more than the value has: waiting for `need` is safe.
    assert(cursor.need > 2 + cut && cursor.need <= end, `${label}: need ${cursor.need}`);
    full.fill(0x3f, 0, cursor.pos); // "?": an unknown type byte if it were read again
  }
  const value = parser.parse(full, full.length, cursor);
  assertEquals(cursor.pos, end, label);
  assertEquals(parser.pending, false, label);
  return value;
}

Deno.test("ValueParser gives the same value when the input is cut at any byte", () => {
  for (const [text, expected] of SAMPLES) {
    for (let cut = 0; cut < text.length; cut++) {
      assertEquals(parseInSteps(text, [cut]), expected, `${JSON.stringify(text)} cut at ${cut}`);
    }
  }
});

Deno.test("ValueParser gives the same value when the input is cut at any two bytes", () => {
  for (const [text, expected] of SAMPLES) {
    for (let i = 0; i < text.length; i++) {
      for (let j = i; j < text.length; j++) {
        assertEquals(parseInSteps(text, [i, j]), expected, `${JSON.stringify(text)} at ${i}, ${j}`);
      }
    }
  }
});

Deno.test("ValueParser gives the same value when fed one byte at a time", () => {
  for (const [text, expected] of SAMPLES) {
    const cuts = Array.from({ length: text.length }, (_, i) => i);
    assertEquals(parseInSteps(text, cuts), expected, JSON.stringify(text));
  }
});

Deno.test("ValueParser consumes the finished elements of an unfinished aggregate", () => {
  const bytes = latin1Encode("*3\r\n:1\r\n$5\r\nhello\r\n$3\r\nab");
  const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
  const cursor: ParseCursor = { pos: 0, need: 0 };
  assertEquals(parser.parse(bytes, bytes.length, cursor), INCOMPLETE);
  // Consumed up to the unfinished bulk string, which is wanted whole.
  assertEquals(cursor.pos, "*3\r\n:1\r\n$5\r\nhello\r\n".length);
  assertEquals(cursor.need, cursor.pos + "$3\r\nabc\r\n".length);
  assertEquals(parser.pending, true);
  const rest = latin1Encode("$3\r\nabc\r\n");
  assertEquals(parser.parse(rest, rest.length, { pos: 0, need: 0 }), [1, "hello", "abc"]);
  assertEquals(parser.pending, false);
});

Deno.test("ValueParser asks for a bulk string's whole body at once", () => {
  const [value, cursor] = parse("$1000\r\nabc");
  assertEquals(value, INCOMPLETE);
  assertEquals(cursor.pos, 0);
  assertEquals(cursor.need, "$1000\r\n".length + 1000 + 2);
});

Deno.test("ValueParser reset forgets a partly parsed value", () => {
  const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
  const first = latin1Encode("*2\r\n:1\r\n");
  assertEquals(parser.parse(first, first.length, { pos: 0, need: 0 }), INCOMPLETE);
  parser.reset();
  assertEquals(parser.pending, false);
  const second = latin1Encode(":2\r\n");
  assertEquals(parser.parse(second, second.length, { pos: 0, need: 0 }), 2);
});

Deno.test("ValueParser skips a chain of 100000 attributes without recursing", () => {
  const text = "|0\r\n".repeat(100_000) + "|1\r\n+ttl\r\n:1\r\n" + ":7\r\n";
  assertEquals(parse(text)[0], 7);
  assertEquals(parse(`*2\r\n${text}${text}`)[0], [7, 7]);
  // Cut into 16 KiB pieces, the chain resumes where it stopped.
  const bytes = latin1Encode(text);
  const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
  const cursor: ParseCursor = { pos: 0, need: 0 };
  let value: RespValue | typeof INCOMPLETE = INCOMPLETE;
  for (let end = 16384; value === INCOMPLETE; end = Math.min(end + 16384, bytes.length)) {
    value = parser.parse(bytes, end, cursor);
  }
  assertEquals(value, 7);
});

Deno.test("ValueParser counts attributes being read toward the nesting depth", () => {
  // Each attribute's key is another attribute: they nest.
  assertEquals(
    protocolError("|1\r\n".repeat(100_000) + ":1\r\n"),
    "Protocol error: too deeply nested request",
  );
  const two: ValueLimits = { ...DEFAULT_VALUE_LIMITS, maxNestingDepth: 2 };
  assertEquals(parse("*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", 0, two)[0], [1]);
  assertEquals(
    protocolError("*1\r\n|1\r\n*0\r\n+b\r\n:1\r\n", two),
    "Protocol error: too deeply nested request",
  );
});

Deno.test("ValueParser parses 100000 nested arrays without recursing when the limit allows", () => {
  const levels = 100_000;
  const limits: ValueLimits = { ...DEFAULT_VALUE_LIMITS, maxNestingDepth: levels };
  let value = parse("*1\r\n".repeat(levels) + ":1\r\n", 0, limits)[0];
  let depth = 0;
  while (Array.isArray(value)) {
    value = (value as RespValue[])[0]!;
    depth++;
  }
  assertEquals([depth, value], [levels, 1]);
});

Deno.test("ValueParser pauses before a header its check declines, and resumes there", () => {
  const seen: string[] = [];
  let allow = false;
  const parser = new ValueParser(DEFAULT_VALUE_LIMITS, {
    checkHeader: (kind, length) => {
      seen.push(`${kind} ${length}`);
      return allow || length < 3;
    },
  });
  const bytes = latin1Encode("*2\r\n$1\r\na\r\n*3\r\n:1\r\n:2\r\n:3\r\n");
  const cursor: ParseCursor = { pos: 0, need: 0 };
  assertEquals(parser.parse(bytes, bytes.length, cursor), INCOMPLETE);
  const header = "*2\r\n$1\r\na\r\n".length;
  assertEquals([cursor.pos, cursor.need], [header, header]);
  allow = true;
  assertEquals(parser.parse(bytes, bytes.length, cursor), ["a", [1, 2, 3]]);
  assertEquals(seen, ["multibulk 2", "bulk 1", "multibulk 3", "multibulk 3"]);
  // A check may also refuse outright.
  const strict = new ValueParser(DEFAULT_VALUE_LIMITS, {
    checkHeader: () => {
      throw new RespProtocolError("Protocol error: refused");
    },
  });
  let message = "";
  try {
    strict.parse(bytes, bytes.length, { pos: 0, need: 0 });
  } catch (error) {
    message = error instanceof RespProtocolError ? error.message : String(error);
  }
  assertEquals(message, "Protocol error: refused");
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

Deno.test("ValueParser throws RespProtocolError on malformed values", () => {
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
    // V8 strings hold at most 2^29 - 24 chars, below Redis's 512 MB proto-max-bulk-len.
    ["$536870889\r\n", "Protocol error: invalid bulk length"],
  ];
  for (const [text, expected] of cases) {
    assertEquals(protocolError(text), expected, JSON.stringify(text.slice(0, 20)));
  }
});

Deno.test("ValueParser enforces bulk, aggregate and nesting limits", () => {
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

Deno.test("ValueParser keeps a double's text when the number would print differently", () => {
  assertEquals(parse(",0.10000000000000001\r\n")[0], {
    kind: "double",
    value: 0.1,
    text: "0.10000000000000001",
  });
  assertEquals(parse(",1.5\r\n")[0], { kind: "double", value: 1.5 });
});
