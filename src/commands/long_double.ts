/**
 * INCRBYFLOAT computes in C's `long double` (x87: 64-bit mantissa) and stores the result as
 * `%.17Lf` with trailing zeros removed. JS doubles give different text for common inputs
 * (0.1 + 0.2 is `0.30000000000000004` as a double, `0.3` in Redis), so this module does that
 * arithmetic exactly with BigInts: values are `m * 2^e` with |m| < 2^64, rounded half-to-even
 * after parsing and after each addition, as the hardware does.
 *
 * @example
 * ```ts
 * import { formatLongDouble, parseLongDouble, addLongDouble } from "./long_double.ts";
 * const sum = addLongDouble(parseLongDouble("0.1")!, parseLongDouble("0.2")!);
 * formatLongDouble(sum); // "0.3"
 * ```
 * @module
 */

/** A finite long double `m * 2^e`, or an infinity. */
export type LongDouble = { m: bigint; e: number } | { inf: 1 | -1 };

const MANTISSA_BITS = 64;
const MAX_EXPONENT = 16384; // values >= 2^16384 overflow to infinity
/** Exponent of the smallest normal (`2^63 * 2^-16445`); subnormals are multiples of `2^-16445`. */
const MIN_EXPONENT = -16445;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds `num / den * 2^e` (num, den > 0) to 64 bits (fewer when subnormal), half to even. */
function roundRational(negative: boolean, num: bigint, den: bigint, e: number): LongDouble {
  if (num === 0n) return { m: 0n, e: 0 };
  // Choose a shift so that the quotient has exactly 64 bits.
  let shift = MANTISSA_BITS - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  let d = den;
  for (;;) {
    const n = shift >= 0 ? num << BigInt(shift) : num;
    d = shift >= 0 ? den : den << BigInt(-shift);
    q = n / d;
    r = n % d;
    const bits = bitLength(q);
    if (bits === MANTISSA_BITS) break;
    shift += MANTISSA_BITS - bits;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  let exp = e - shift;
  if (bitLength(q) > MANTISSA_BITS) {
    q >>= 1n;
    exp += 1;
  }
  if (exp + MANTISSA_BITS > MAX_EXPONENT) return { inf: negative ? -1 : 1 };
  if (exp < MIN_EXPONENT) {
    // Subnormal: round the exact value again, to a multiple of 2^MIN_EXPONENT (0 if too small).
    const s = e - MIN_EXPONENT;
    const n = s >= 0 ? num << BigInt(s) : num;
    d = s >= 0 ? den : den << BigInt(-s);
    q = n / d;
    const twiceRest = (n % d) * 2n;
    if (twiceRest > d || (twiceRest === d && (q & 1n) === 1n)) q += 1n;
    if (q === 0n) return { m: 0n, e: 0 };
    exp = MIN_EXPONENT;
  }
  return { m: negative ? -q : q, e: exp };
}

/**
 * Parses text the way Redis's `string2ld` does (strtold on the whole string, shorter than 5120
 * chars, no leading space, no NaN, and no overflow to infinity or underflow to zero: strtold's
 * ERANGE), decimal or hexadecimal (`0x1.8p1`). Returns null when Redis would refuse it.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= 5 * 1024) return null;
  const lower = text.toLowerCase();
  const inf = /^([+-]?)inf(inity)?$/.exec(lower);
  if (inf !== null) return { inf: inf[1] === "-" ? -1 : 1 };
  const hex = /^[+-]?0x/.test(lower);
  const m = hex
    ? /^([+-]?)0x([\da-f]*)(?:\.([\da-f]*))?(?:p([+-]?\d+))?$/.exec(lower)
    : /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(lower);
  if (m === null) return null;
  const intPart = m[2] ?? "";
  const fracPart = m[3] ?? "";
  if (intPart === "" && fracPart === "") return null;
  const digits = BigInt(hex ? `0x${intPart}${fracPart}` : `${intPart}${fracPart}`);
  if (digits === 0n) return { m: 0n, e: 0 };
  const negative = m[1] === "-";
  // The value is digits * 2^exponent (hex) or digits * 10^exponent.
  const exponent = Number(m[4] ?? "0") - (hex ? 4 * fracPart.length : fracPart.length);
  // Beyond these the value overflows or underflows whatever its (at most 5119) digits.
  if (exponent > (hex ? 70000 : 20000)) return null;
  if (exponent < (hex ? -70000 : -20000)) return null;
  let value: LongDouble;
  if (hex) value = roundRational(negative, digits, 1n, exponent);
  else if (exponent >= 0) value = roundRational(negative, digits * 10n ** BigInt(exponent), 1n, 0);
  else value = roundRational(negative, digits, 10n ** BigInt(-exponent), 0);
  return "inf" in value || value.m === 0n ? null : value;
}

/** The correctly rounded sum. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if ("inf" in a || "inf" in b) {
    if ("inf" in a && "inf" in b && a.inf !== b.inf) return { inf: 1 }; // NaN: caller refuses
    return "inf" in a ? a : b;
  }
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  if (sum === 0n) return { m: 0n, e: 0 };
  const negative = sum < 0n;
  return roundRational(negative, negative ? -sum : sum, 1n, e);
}

/** Whether the value is an infinity (INCRBYFLOAT refuses to store one). */
export function isInfinite(value: LongDouble): boolean {
  return "inf" in value;
}

/** `%.17Lf` with trailing zeros (and a trailing dot) removed, as Redis stores the result. */
export function formatLongDouble(value: LongDouble): string {
  if ("inf" in value) return value.inf > 0 ? "inf" : "-inf";
  const negative = value.m < 0n;
  const m = negative ? -value.m : value.m;
  let scaled: bigint; // value * 10^17, rounded half to even
  if (value.e >= 0) {
    scaled = (m << BigInt(value.e)) * 10n ** 17n;
  } else {
    const den = 1n << BigInt(-value.e);
    const num = m * 10n ** 17n;
    scaled = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(18, "0");
  const intPart = digits.slice(0, -17);
  const fracPart = digits.slice(-17).replace(/0+$/, "");
  const text = fracPart === "" ? intPart : `${intPart}.${fracPart}`;
  return negative && text !== "0" ? `-${text}` : text;
}
