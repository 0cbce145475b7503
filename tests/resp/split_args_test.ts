/**
 * Tests of redis-cli's `sdssplitargs` rules. The cases marked "Redis:" were checked by sending
 * the line as an inline `ECHO` command to a real redis-server 7.0.15.
 */
import { assertEquals } from "../_util.ts";
import { splitArgs } from "../../src/resp/split_args.ts";

Deno.test("splitArgs splits plain words on runs of spaces, tabs and line breaks", () => {
  assertEquals(splitArgs("set key value"), ["set", "key", "value"]);
  assertEquals(splitArgs("  set   key\t\tvalue  "), ["set", "key", "value"]);
  assertEquals(splitArgs("a\r\nb\nc\rd"), ["a", "b", "c", "d"]);
  assertEquals(splitArgs("\t a  \t"), ["a"]); // Redis: ECHO <that> is "a"
});

Deno.test("splitArgs returns no words for empty or blank input", () => {
  assertEquals(splitArgs(""), []);
  assertEquals(splitArgs("   "), []);
  assertEquals(splitArgs(" \t\r\n\v\f "), []);
});

Deno.test("splitArgs skips \\v and \\f between words but keeps them inside a word", () => {
  // Redis: "ECHO a\vb" echoes "a\vb"; "ECHO \va" echoes "a".
  assertEquals(splitArgs("a\vb"), ["a\vb"]);
  assertEquals(splitArgs("a\fb c"), ["a\fb", "c"]);
  assertEquals(splitArgs("\v\fa"), ["a"]);
});

Deno.test("splitArgs keeps every other byte, NUL and high bytes included, in a plain word", () => {
  assertEquals(splitArgs("k\x00\xff\x80 v"), ["k\x00\xff\x80", "v"]);
  assertEquals(splitArgs("a\\nb"), ["a\\nb"]); // no escapes outside quotes
});

Deno.test("splitArgs reads double-quoted words with C escapes", () => {
  assertEquals(splitArgs('set "a b" c'), ["set", "a b", "c"]);
  assertEquals(splitArgs('""'), [""]);
  assertEquals(splitArgs('"" ""'), ["", ""]);
  // Redis: "\n\r\t\b\a\z" is six bytes, an unknown escape standing for itself.
  assertEquals(splitArgs('"\\n\\r\\t\\b\\a\\z"'), ["\n\r\t\b\x07z"]);
  assertEquals(splitArgs('"a\\"b"'), ['a"b']);
  assertEquals(splitArgs('"a\\\\b"'), ["a\\b"]);
  assertEquals(splitArgs('"it\'s"'), ["it's"]);
});

Deno.test("splitArgs reads \\xHH in double quotes as a byte, any case of hex digit", () => {
  assertEquals(splitArgs('"\\x41\\x00\\xff\\xFf\\x7e"'), ["A\x00\xff\xff~"]);
  // Redis: not two hex digits, so \x is just "x".
  assertEquals(splitArgs('"\\x"'), ["x"]);
  assertEquals(splitArgs('"\\x4g"'), ["x4g"]);
  assertEquals(splitArgs('"\\xg1"'), ["xg1"]);
  // Redis: \X is not the hex escape.
  assertEquals(splitArgs('"\\X41"'), ["X41"]);
});

Deno.test("splitArgs reads single-quoted words with only \\' as an escape", () => {
  assertEquals(splitArgs("'a b'"), ["a b"]);
  assertEquals(splitArgs("'it\\'s'"), ["it's"]);
  assertEquals(splitArgs("'a\\nb'"), ["a\\nb"]);
  assertEquals(splitArgs("'a\\b'"), ["a\\b"]);
  assertEquals(splitArgs("'a\"b'"), ['a"b']);
  assertEquals(splitArgs("''"), [""]);
});

Deno.test("splitArgs joins a quoted part to the plain text before it", () => {
  // Redis: ECHO a"b c" echoes "ab c".
  assertEquals(splitArgs('a"b c"'), ["ab c"]);
  assertEquals(splitArgs("x'y z' w"), ["xy z", "w"]);
});

Deno.test("splitArgs accepts a closing quote followed by any blank", () => {
  assertEquals(splitArgs('"a"\tb'), ["a", "b"]);
  assertEquals(splitArgs('"a"\vb'), ["a", "b"]); // Redis: ECHO "a"\vx has two arguments
  assertEquals(splitArgs("'a'\fb"), ["a", "b"]);
  assertEquals(splitArgs('"a"\n'), ["a"]);
});

Deno.test("splitArgs returns null for a closing quote followed by a non-blank", () => {
  assertEquals(splitArgs('"a"b'), null);
  assertEquals(splitArgs("'a'b"), null);
  assertEquals(splitArgs('"a""b"'), null);
  assertEquals(splitArgs("set k 'v'x"), null);
});

Deno.test("splitArgs returns null for unbalanced quotes", () => {
  assertEquals(splitArgs('"abc'), null);
  assertEquals(splitArgs("'abc"), null);
  assertEquals(splitArgs('set k "v'), null);
  assertEquals(splitArgs("'it\\'"), null);
  assertEquals(splitArgs('"a\\"'), null);
  assertEquals(splitArgs('"\\'), null); // Redis: a lone backslash does not close the quote
  assertEquals(splitArgs('"'), null);
});

Deno.test("splitArgs returns null for an escape cut off by the end of the line", () => {
  // Redis: ECHO "\x4 is "unbalanced quotes in request".
  assertEquals(splitArgs('"\\x'), null);
  assertEquals(splitArgs('"\\x4'), null);
  assertEquals(splitArgs('set k "\\x41'), null);
});
