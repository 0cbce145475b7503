/**
 * Tests of Redis's glob matching. The tables were produced by running `KEYS <pattern>` against a
 * real redis-server 7.0.15 (x86-64) holding exactly the keys in `KEYS` below; each row lists the
 * keys Redis returned.
 */
import { assert, assertEquals } from "../_util.ts";
import { globMatch } from "../../src/keyspace/glob.ts";

const KEYS = [
  "",
  "a",
  "b",
  "z",
  "A",
  "Z",
  "-",
  "]",
  "[",
  "^",
  "\\",
  "*",
  "?",
  "ab",
  "abc",
  "aXc",
  "a*c",
  "a?c",
  "hello",
  "hallo",
  "hxllo",
  "hllo",
  "heeeello",
  "h[a]llo",
  "x\\",
  "\x00",
  "\x7f",
  "\x80",
  "\xff",
  "a\xffc",
  "foo:bar",
  "foo:",
  ":bar",
  "aaa",
  "aab",
  "abab",
];

/** The one-byte keys. */
const ONE_BYTE = KEYS.filter((key) => key.length === 1);

function except(keys: readonly string[], ...left: string[]): string[] {
  return keys.filter((key) => !left.includes(key));
}

/** Asserts that, of `KEYS`, `pattern` matches exactly `expected` (in KEYS order). */
function checkTable(rows: readonly [string, readonly string[]][]): void {
  for (const [pattern, expected] of rows) {
    assertEquals(
      KEYS.filter((key) => globMatch(pattern, key)),
      [...expected],
      `pattern ${JSON.stringify(pattern)}`,
    );
  }
}

Deno.test("globMatch treats * as any run and ? as exactly one byte, as Redis KEYS does", () => {
  checkTable([
    ["**", except(KEYS, "")],
    ["?", ONE_BYTE],
    ["??", ["ab", "x\\"]],
    ["a*", ["a", "ab", "abc", "aXc", "a*c", "a?c", "a\xffc", "aaa", "aab", "abab"]],
    ["*c", ["abc", "aXc", "a*c", "a?c", "a\xffc"]],
    ["a?c", ["abc", "aXc", "a*c", "a?c", "a\xffc"]],
    ["h?llo", ["hello", "hallo", "hxllo"]],
    ["h*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello", "h[a]llo"]],
    ["*:*", ["foo:bar", "foo:", ":bar"]],
    ["foo:*", ["foo:bar", "foo:"]],
    ["*:bar", ["foo:bar", ":bar"]],
    ["*b", ["b", "ab", "aab", "abab"]],
    ["a*b*", ["ab", "abc", "aab", "abab"]],
    ["*a*a*", ["aaa", "aab", "abab"]],
    ["a**c", ["abc", "aXc", "a*c", "a?c", "a\xffc"]],
  ]);
});

Deno.test("globMatch matches sets, negated sets and ranges (reversed ones too) like Redis", () => {
  checkTable([
    ["[abc]", ["a", "b"]],
    ["[^a]", except(ONE_BYTE, "a")],
    ["[!a]", ["a"]],
    ["[a-c]", ["a", "b"]],
    ["[z-a]", ["a", "b", "z"]],
    ["[A-Z]", ["A", "Z"]],
    ["[-a]", ["a", "-"]],
    ["h[ae]llo", ["hello", "hallo"]],
    ["h[^e]llo", ["hallo", "hxllo"]],
    ["h[a-b]llo", ["hallo"]],
    ["[a-b-c]", ["a", "b", "-"]],
    ["[[]", ["["]],
    ["[^-]", except(ONE_BYTE, "-")],
  ]);
});

Deno.test("globMatch honours backslash escapes, inside sets too, and a trailing backslash", () => {
  checkTable([
    ["a\\*c", ["a*c"]],
    ["a\\?c", ["a?c"]],
    ["\\", ["\\"]],
    ["x\\", ["x\\"]],
    ["x\\\\", ["x\\"]],
    ["a\\", []],
    ["[\\]]", ["]"]],
    ["[\\-]", ["-"]],
    ["[a\\-z]", ["a", "z", "-"]],
    ["[\\\\]", ["\\"]],
    ["h\\[a\\]llo", ["h[a]llo"]],
    ["*\\", ["\\", "x\\"]],
  ]);
});

Deno.test("globMatch treats unclosed and odd sets exactly as Redis does", () => {
  checkTable([
    ["[a", ["a"]],
    ["[", []],
    ["[^", ONE_BYTE],
    ["[]", []],
    ["[]]", []],
    ["[^]]", []],
    ["a[", []],
    ["[a-]", ["a", "]", "^"]],
    ["[a-]]", ["a", "]", "^"]],
    ["[[-]]", ["]", "[", "\\"]],
    ["*[", []],
  ]);
});

Deno.test("globMatch compares range bounds as signed chars, as Redis on x86-64 does", () => {
  checkTable([
    ["[\x7f-\x80]", ONE_BYTE],
    ["[a-\xff]", ["a", "A", "Z", "-", "]", "[", "^", "\\", "*", "?", "\x00", "\xff"]],
    ["[\x80-\xff]", ["\x80", "\xff"]],
    ["[\xff-\x80]", ["\x80", "\xff"]],
    ["a[\xff]c", ["a\xffc"]],
    ["?\xff?", ["a\xffc"]],
  ]);
});

Deno.test("globMatch matches an empty pattern only against an empty string", () => {
  assert(globMatch("", ""));
  assert(!globMatch("", "a"));
  assert(!globMatch("a", ""));
  assert(!globMatch("?", ""));
  // Redis's matcher fails "*" on an empty key too; KEYS * and SCAN skip matching altogether.
  assert(!globMatch("**", ""));
});

Deno.test("globMatch with nocase folds ASCII letters, as CONFIG GET does in Redis", () => {
  // Observed with CONFIG GET on redis-server 7.0.15, whose config names are lower case.
  assert(globMatch("MAXMEMORY-POLIC?", "maxmemory-policy", true));
  assert(globMatch("[L-N]AXMEMORY", "maxmemory", true));
  assert(globMatch("[l-n]AXMEMORY", "maxmemory", true));
  assert(globMatch("[N-L]AXMEMORY", "maxmemory", true));
  assert(globMatch("[M]AXMEMORY", "maxmemory", true));
  assert(!globMatch("[^M]axmemory", "maxmemory", true));
  // An escaped char inside a set is compared exactly, even with nocase.
  assert(!globMatch("[\\M]AXMEMORY", "maxmemory", true));
  // Range bounds are swapped before folding: [Z-a] is [z-a] after it, which matches nothing.
  assert(!globMatch("[Z-a]axmemory", "maxmemory", true));
  // Without nocase the same patterns are case-sensitive.
  assert(!globMatch("MAXMEMORY-POLIC?", "maxmemory-policy"));
  assert(!globMatch("[L-N]axmemory", "maxmemory"));
  // Folding is ASCII only.
  assert(!globMatch("\xc0", "\xe0", true));
});

Deno.test("globMatch fails patterns that nest * more than 1000 deep, as Redis does", () => {
  // Verified with KEYS against redis-server: 1000 nested stars match, 1001 do not.
  for (const [stars, expected] of [[1000, true], [1001, false], [1002, false]] as const) {
    const key = "a".repeat(stars + 1);
    assertEquals(globMatch("a*".repeat(stars) + "a", key), expected, `${stars} stars`);
  }
});

Deno.test("globMatch gives up early on hopeless star patterns instead of backtracking", () => {
  const key = "a".repeat(3000);
  const started = performance.now();
  assert(!globMatch("*a".repeat(50) + "b", key));
  assert(performance.now() - started < 1000, "matching took too long");
});
