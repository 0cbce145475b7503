/**
 * Doubles as Redis reads and writes them. Redis replies scores with C's `%.17g` (17 significant
 * digits, trailing zeros dropped, exponent form below 1e-4 and from 1e17) and infinities as
 * `inf`/`-inf`. It reads them with `strtod`, which also takes `inf`, `infinity` and hexadecimal
 * (`0x1p3`), in two strictnesses: `getDoubleFromObject` (scores, increments) refuses leading
 * space, NaN and out-of-range values (`1e400`), while range bounds (`ZRANGEBYSCORE`) only need
 * `strtod` to consume the whole text and give a number.
 *
 * @example
 * ```ts
 * import { formatDoubleG17, parseDouble } from "./double.ts";
 * formatDoubleG17(0.1); // "0.10000000000000001"
 * formatDoubleG17(1e20); // "1e+20"
 * parseDouble("inf"); // Infinity
 * parseDouble("1e400"); // null: out of range
 * ```
 * @module
 */

/** C's `%.17g`, with Redis's `inf`/`-inf`. */
export function formatDoubleG17(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e17) {
    return d === 0 && Object.is(d, -0) ? "-0" : String(d);
  }
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  const exp = d.toExponential(16); // "-d.dddddddddddddddde+X"
  const negative = exp.charCodeAt(0) === 45;
  const ePos = exp.indexOf("e");
  const digits = exp.slice(negative ? 1 : 0, ePos).replace(".", "");
  const x = Number(exp.slice(ePos + 1));
  let out: string;
  if (x < -4 || x >= 17) {
    const frac = digits.slice(1).replace(/0+$/, "");
    const ax = Math.abs(x);
    out = `${digits[0]}${frac === "" ? "" : "." + frac}e${x < 0 ? "-" : "+"}${
      ax < 10 ? "0" + ax : ax
    }`;
  } else if (x >= 0) {
    const frac = digits.slice(x + 1).replace(/0+$/, "");
    out = digits.slice(0, x + 1) + (frac === "" ? "" : "." + frac);
  } else {
    const frac = ("0".repeat(-x - 1) + digits).replace(/0+$/, "");
    out = "0." + frac;
  }
  return negative ? "-" + out : out;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NAN = /^[+-]?nan(?:\([0-9a-z_]*\))?$/i;
const HEX = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i;

/** What `strtod` makes of the whole of `text`, or null when it would leave some unread. */
function strtod(text: string): { value: number; overflow: boolean; underflow: boolean } | null {
  if (DECIMAL.test(text)) {
    const value = Number(text);
    const mantissa = text.replace(/[eE].*$/, "");
    return {
      value,
      overflow: !Number.isFinite(value),
      underflow: value === 0 && /[1-9]/.test(mantissa),
    };
  }
  const inf = INFINITY.exec(text);
  if (inf !== null) {
    return { value: inf[1] === "-" ? -Infinity : Infinity, overflow: false, underflow: false };
  }
  if (NAN.test(text)) return { value: NaN, overflow: false, underflow: false };
  const hex = HEX.exec(text);
  if (hex !== null) {
    const intPart = hex[2] ?? "";
    const fracPart = hex[3] ?? "";
    // strtod reads "0x" alone as 0 followed by an unread "x".
    if (intPart === "" && fracPart === "") return null;
    const mantissa = Number.parseInt(intPart + fracPart || "0", 16);
    const exp = Number(hex[4] ?? "0") - 4 * fracPart.length;
    // In two steps, so that a huge mantissa with a tiny exponent (or the reverse) is exact.
    const half = Math.trunc(exp / 2);
    let value = mantissa * 2 ** half * 2 ** (exp - half);
    if (hex[1] === "-") value = -value;
    return {
      value,
      overflow: !Number.isFinite(value),
      underflow: value === 0 && /[1-9a-f]/i.test(intPart + fracPart),
    };
  }
  return null;
}

/**
 * A double as Redis's `getDoubleFromObject` reads it (scores, increments): all of the text,
 * no leading space, no NaN, no overflow or underflow. Null when Redis would refuse it.
 */
export function parseDouble(text: string): number | null {
  if (text.length === 0) return null;
  // The common case: a plain integer or decimal.
  const first = text.charCodeAt(0);
  if (first === 32 || (first >= 9 && first <= 13)) return null;
  const r = strtod(text);
  if (r === null || r.overflow || r.underflow || Number.isNaN(r.value)) return null;
  return r.value;
}

/**
 * A double as plain `strtod` reads a range bound: leading space allowed, an empty text is 0,
 * anything but NaN and unread characters goes (`1e400` is infinity).
 */
export function parseDoubleLoose(text: string): number | null {
  if (text === "") return 0; // strtod reads nothing, and nothing is left unread
  const trimmed = text.replace(/^[ \t\n\v\f\r]+/, "");
  const r = strtod(trimmed);
  if (r === null || Number.isNaN(r.value)) return null;
  return r.value;
}
