/**
 * Tests of the long double arithmetic behind INCRBYFLOAT. Every expected text below was observed
 * from a real redis-server 7.0.15 (x86-64) running `SET f <stored>` then
 * `INCRBYFLOAT f <increment>`.
 */
import { assert, assertEquals } from "../_util.ts";
import {
  addLongDouble,
  formatLongDouble,
  isInfinite,
  type LongDouble,
  parseLongDouble,
} from "../../src/commands/long_double.ts";

const NOT_FLOAT = "ERR value is not a valid float";
const NAN_OR_INF = "ERR increment would produce NaN or Infinity";

/** What INCRBYFLOAT answers for `stored` (null: no key) plus `increment`, as Redis words it. */
function incrbyfloat(stored: string | null, increment: string): string {
  const current: LongDouble | null = stored === null ? { m: 0n, e: 0 } : parseLongDouble(stored);
  const by = parseLongDouble(increment);
  if (current === null || by === null) return NOT_FLOAT;
  const sum = addLongDouble(current, by);
  if (isInfinite(sum) || isInfinite(current) || isInfinite(by)) return NAN_OR_INF;
  return formatLongDouble(sum);
}

/** [stored, increment, Redis's reply] */
type Case = [string | null, string, string];

function check(cases: readonly Case[]): void {
  for (const [stored, increment, expected] of cases) {
    assertEquals(
      incrbyfloat(stored, increment),
      expected,
      `${JSON.stringify(stored)} + ${JSON.stringify(increment)}`,
    );
  }
}

Deno.test("long double arithmetic adds small decimals without binary noise, as Redis does", () => {
  check([
    ["0.1", "0.2", "0.3"],
    [null, "0.1", "0.1"],
    ["0.1", "0.7", "0.8"],
    ["1.5", "2.25", "3.75"],
    ["10.5", "-0.5", "10"],
    ["-5", "0.0001", "-4.9999"],
    ["-0.5", "0.25", "-0.25"],
    ["0.30000000000000004", "0", "0.30000000000000004"],
    ["1.23456789012345678901234", "0", "1.23456789012345679"],
    [null, "3.14159265358979323846", "3.14159265358979324"],
    [null, "-1e-10", "-0.0000000001"],
  ]);
});

Deno.test("long double arithmetic accepts exponents, signs and bare dots like strtold", () => {
  check([
    ["5.0e3", "2.0e2", "5200"],
    [null, "1E2", "100"],
    [null, "1e+5", "100000"],
    [null, "1.", "1"],
    [null, ".5", "0.5"],
    [null, "+.5", "0.5"],
    [null, "00001.5", "1.5"],
    ["5", "-0", "5"],
    [null, "-0", "0"],
    ["7", "0e99999999999", "7"],
    [null, "0e5000", "0"],
  ]);
});

Deno.test("long double arithmetic cancels to a plain 0, never -0", () => {
  check([
    ["3.0", "-3.0", "0"],
    ["0.1", "-0.1", "0"],
    ["1e-17", "-1e-17", "0"],
    ["1.18973149535723176502e4932", "-1.18973149535723176502e4932", "0"],
  ]);
});

Deno.test("long double arithmetic keeps 64 bits of mantissa, not a double's 53", () => {
  check([
    ["1", "1e-17", "1.00000000000000001"],
    ["1", "1e-18", "1"],
    ["9007199254740993", "1", "9007199254740994"],
    ["1e18", "0.5", "1000000000000000000.5"],
    ["1e19", "1", "10000000000000000001"],
    ["18446744073709551615", "1", "18446744073709551616"],
    ["18446744073709551616", "1", "18446744073709551616"],
    ["36893488147419103233", "0", "36893488147419103232"],
    ["123456789012345678901234567890", "1", "123456789012345678899921813504"],
    ["0.999999999999999999", "0", "1"],
    ["0.9999999999999999999", "0", "1"],
  ]);
});

Deno.test("long double formatting rounds the 17th decimal half to even on the exact value", () => {
  check([
    ["0", "5e-18", "0"],
    ["0", "1.5e-17", "0.00000000000000002"],
    ["0", "2.5e-17", "0.00000000000000002"],
    ["0", "3.5e-17", "0.00000000000000004"],
    [null, "0.000000000000000015", "0.00000000000000002"],
    [null, "0.000000000000000025", "0.00000000000000002"],
    ["-1.5e-17", "0", "-0.00000000000000002"],
    ["-2.5e-17", "0", "-0.00000000000000002"],
    [null, "1e-20", "0"],
    ["1e-300", "1", "1"],
  ]);
});

Deno.test("long double arithmetic prints huge sums with every integer digit", () => {
  check([
    [
      "1e300",
      "1e300",
      "2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698" +
      "3041675009943807007450172285496718071851123693459678261925210414972925746542712836873065" +
      "8816851021521203357945330586474006110276589524198908058954556377924121235853522325419482" +
      "1301134374772211380178849830208012288",
    ],
    [
      "1.7976931348623157e308",
      "1.7976931348623157e308",
      "3595386269724631399918420935482088680967728938886583569706288415303532570462487927094037" +
      "3721677417112885758683885104137861741672690227211071579455605295523414699795537257678967" +
      "1236326588091188869859074894581254961338834769297758245552436667197907705664206565009503" +
      "223382416235440319971852753604933726679072768",
    ],
  ]);
});

Deno.test("long double arithmetic reaches the largest finite long double and no further", () => {
  // (2^64 - 1) * 2^16320, printed by Redis as these 4933 digits.
  const max = (((1n << 64n) - 1n) << 16320n).toString();
  assertEquals(max.length, 4933);
  check([
    [null, "1.18973149535723176502e4932", max],
    [null, "0x1.fffffffffffffffep16383", max],
    [null, "1.18973149535723176509e4932", NOT_FLOAT],
    [null, "0x1p16384", NOT_FLOAT],
    [null, "1e5000", NOT_FLOAT],
    ["7", "0x1p99999999999999", NOT_FLOAT],
    ["1e4932", "1e4932", NAN_OR_INF],
    ["-1e4932", "-1e4932", NAN_OR_INF],
  ]);
  const nearMax = incrbyfloat("1.1e4932", "0");
  assertEquals(nearMax.length, 4933);
  assert(nearMax.startsWith("109999999999999999997437310752824181765903086927904340773498"));
});

Deno.test("long double parsing keeps subnormals and refuses values that underflow to zero", () => {
  check([
    [null, "1e-4940", "0"],
    [null, "2e-4951", "0"], // rounds up to the smallest subnormal, 2^-16445
    [null, "0x1p-16445", "0"],
    [null, "1e-4951", NOT_FLOAT], // below half of 2^-16445: strtold gives 0 with ERANGE
    [null, "-1e-4951", NOT_FLOAT],
    [null, "0x1p-16446", NOT_FLOAT], // exactly half: ties to even, 0
    [null, "1e-5000", NOT_FLOAT],
    ["7", "1e-99999999999999999999", NOT_FLOAT],
    ["1e-4940", "-1e-4940", "0"],
    ["4e-4951", "-2e-4951", "0"],
    ["0x1p-16400", "0x1p-16400", "0"],
  ]);
  // The subnormal is really kept: adding it to itself doubles it.
  const tiny = parseLongDouble("0x1p-16445");
  assert(tiny !== null && !("inf" in tiny));
  const twice = addLongDouble(tiny, tiny);
  assert(!("inf" in twice));
  assertEquals(twice.m * 2n ** BigInt(twice.e + 16446), 4n);
});

Deno.test("long double parsing reads hexadecimal floats as strtold does", () => {
  check([
    [null, "0x10", "16"],
    [null, "-0x10", "-16"],
    [null, "0x1.8p1", "3"],
    [null, "0X1P3", "8"],
    [null, "0x.8", "0.5"],
    [null, "0x1.", "1"],
    [null, "0x1e3", "483"],
    [null, "0x1.0000000000000001p0", "1"],
    [null, "0x", NOT_FLOAT],
    [null, "0x.", NOT_FLOAT],
    [null, "0x1p", NOT_FLOAT],
    [null, "0xg", NOT_FLOAT],
  ]);
});

Deno.test("long double parsing refuses what Redis's string2ld refuses", () => {
  check([
    [null, "abc", NOT_FLOAT],
    [null, "", NOT_FLOAT],
    [null, " 1", NOT_FLOAT],
    [null, "1 ", NOT_FLOAT],
    [null, "\t1", NOT_FLOAT],
    [null, "nan", NOT_FLOAT],
    ["7", "NaN", NOT_FLOAT],
    ["7", "-nan", NOT_FLOAT],
    [null, "infinit", NOT_FLOAT],
    [null, "1e", NOT_FLOAT],
    [null, "1_000", NOT_FLOAT],
    [null, "1,5", NOT_FLOAT],
    ["7", ".", NOT_FLOAT],
    ["7", "-", NOT_FLOAT],
    ["7", "+", NOT_FLOAT],
    ["7", "e5", NOT_FLOAT],
    ["7", "1e5.5", NOT_FLOAT],
    ["7", "1.2.3", NOT_FLOAT],
    ["7", "--1", NOT_FLOAT],
    ["abc", "1", NOT_FLOAT],
    ["1.5", " 1", NOT_FLOAT],
  ]);
});

Deno.test("long double parsing accepts infinities, which INCRBYFLOAT then refuses to store", () => {
  for (const text of ["inf", "INF", "+inf", "-Infinity", "infinity"]) {
    const value = parseLongDouble(text);
    assert(value !== null && isInfinite(value), text);
    assertEquals(incrbyfloat(null, text), NAN_OR_INF, text);
  }
  assertEquals(formatLongDouble({ inf: -1 }), "-inf");
});

Deno.test("long double parsing refuses text of 5120 chars or more, as Redis's buffer does", () => {
  const ones = (length: number) => "0".repeat(length - 1) + "1";
  check([
    [null, ones(5119), "1"],
    [ones(5119), "1", "2"],
    [null, ones(5120), NOT_FLOAT],
    [ones(5120), "1", NOT_FLOAT],
  ]);
});
