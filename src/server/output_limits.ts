/**
 * `client-output-buffer-limit`: how much reply data a client may have pending before the server
 * closes it, per client class (normal, replica, pubsub), as a hard limit in bytes, and a soft
 * limit in bytes that may be exceeded for at most some seconds. The value is parsed as Redis
 * 7.0's setConfigClientOutputBufferLimitOption parses it: split on single spaces, groups of
 * `<class> <hard> <soft> <seconds>`, sizes through memtoull (units k, kb, m, mb, g, gb, b;
 * wrapping past 2^64 as C does), seconds through strtoll into an int; the classes given replace
 * theirs and the others keep their values. CONFIG GET writes all three classes back in bytes,
 * the replica class under its old name `slave`.
 *
 * @example
 * ```ts
 * import { DEFAULT_OUTPUT_LIMITS, normalizeOutputLimits, parseOutputLimits } from "./output_limits.ts";
 * const text = normalizeOutputLimits("pubsub 1mb 256kb 10", DEFAULT_OUTPUT_LIMITS);
 * // "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 262144 10"
 * parseOutputLimits(text as string).pubsub.hard; // 1048576
 * ```
 * @module
 */

/** The client classes that have limits of their own (Redis's CLIENT_TYPE_OBUF_COUNT). */
export type ClientClass = "normal" | "replica" | "pubsub";

/** One class's limits; 0 means no limit. */
export interface OutputLimit {
  /** Bytes at which the client is closed at once. */
  readonly hard: number;
  /** Bytes the client may stay over for `softSeconds` only. */
  readonly soft: number;
  /** How long the output may stay over `soft`, in seconds. */
  readonly softSeconds: number;
  /** The smallest non-zero of `hard` and `soft` (Infinity when both are 0): below it, all is well. */
  readonly floor: number;
}

/** Every class's limits. */
export type OutputLimits = Readonly<Record<ClientClass, OutputLimit>>;

/** Redis 7.0's default. */
export const DEFAULT_OUTPUT_LIMITS =
  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

const CLASSES: readonly ClientClass[] = ["normal", "replica", "pubsub"];
const CLASS_NAMES: Record<ClientClass, string> = {
  normal: "normal",
  replica: "slave",
  pubsub: "pubsub",
};

const U64 = 1n << 64n;
const U64_MAX = U64 - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

const UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/** A C string's view of `s`: up to its first NUL byte. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul === -1 ? s : s.slice(0, nul);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Redis's memtoull: digits then an optional unit, no sign. No digits reads as 0, a number past
 * 2^64 - 1 saturates (strtoull) and the product with the unit wraps (unchecked C arithmetic).
 */
function memtoull(text: string): bigint | null {
  const p = cString(text);
  if (p.startsWith("-")) return null;
  let i = 0;
  while (i < p.length && isDigit(p.charCodeAt(i))) i++;
  const mul = UNITS[p.slice(i).toLowerCase()];
  if (mul === undefined || i >= 128) return null;
  let value = i === 0 ? 0n : BigInt(p.slice(0, i));
  if (value > U64_MAX) value = U64_MAX;
  return (value * mul) % U64;
}

/** C's isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * `strtoll(text, &end, 10)` stored into a C int, as Redis reads the soft limit's seconds: null
 * when characters follow the number (what Redis checks through `end`).
 */
function strtollToInt(text: string): number | null {
  const s = cString(text);
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === "+" || s[i] === "-") negative = s[i++] === "-";
  const start = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  // Without digits, strtoll converts nothing and `end` is the start of the text.
  if (i === start) return s.length === 0 ? 0 : null;
  if (i !== s.length) return null;
  let value = BigInt(s.slice(start, i));
  if (negative) value = -value;
  if (value > I64_MAX) value = I64_MAX;
  if (value < I64_MIN) value = I64_MIN;
  return Number(BigInt.asIntN(32, value));
}

function classByName(name: string): ClientClass | null {
  switch (cString(name).toLowerCase()) {
    case "normal":
      return "normal";
    case "slave":
    case "replica":
      return "replica";
    case "pubsub":
      return "pubsub";
    default:
      return null; // `master` too: its clients are limited as normal ones
  }
}

interface RawLimit {
  hard: bigint;
  soft: bigint;
  softSeconds: number;
}

function parseCanonical(text: string): Map<ClientClass, RawLimit> {
  const limits = new Map<ClientClass, RawLimit>();
  const words = text.split(" ");
  for (let j = 0; j + 3 < words.length; j += 4) {
    const cls = classByName(words[j]!);
    if (cls === null) continue;
    limits.set(cls, {
      hard: BigInt(words[j + 1]!),
      soft: BigInt(words[j + 2]!),
      softSeconds: Number(words[j + 3]!),
    });
  }
  return limits;
}

/**
 * Checks `raw` as CONFIG SET does and applies it over `current` (a value this function
 * returned, or the default); returns the new CONFIG GET text, or Redis's reason for refusing.
 */
export function normalizeOutputLimits(raw: string, current: string): string | { error: string } {
  // sdssplitlen on " ": an empty value is no group at all, and doubled spaces make empty words.
  const words = raw === "" ? [] : raw.split(" ");
  if (words.length % 4 !== 0) {
    return { error: "Wrong number of arguments in buffer limit configuration." };
  }
  const given = new Map<ClientClass, RawLimit>();
  for (let j = 0; j < words.length; j += 4) {
    const cls = classByName(words[j]!);
    if (cls === null) {
      return { error: "Invalid client class specified in buffer limit configuration." };
    }
    const hard = memtoull(words[j + 1]!);
    const soft = memtoull(words[j + 2]!);
    const softSeconds = strtollToInt(words[j + 3]!);
    if (hard === null || soft === null || softSeconds === null || softSeconds < 0) {
      return {
        error: "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
      };
    }
    given.set(cls, { hard, soft, softSeconds });
  }
  const limits = parseCanonical(current);
  for (const [cls, limit] of given) limits.set(cls, limit);
  return CLASSES.map((cls) => {
    const l = limits.get(cls) ?? { hard: 0n, soft: 0n, softSeconds: 0 };
    return `${CLASS_NAMES[cls]} ${l.hard} ${l.soft} ${l.softSeconds}`;
  }).join(" ");
}

/** The limits of a CONFIG GET text (what `normalizeOutputLimits` returns), for the server. */
export function parseOutputLimits(text: string): OutputLimits {
  const raw = parseCanonical(text);
  const out = {} as Record<ClientClass, OutputLimit>;
  for (const cls of CLASSES) {
    const l = raw.get(cls) ?? { hard: 0n, soft: 0n, softSeconds: 0 };
    const hard = Number(l.hard);
    const soft = Number(l.soft);
    const floor = Math.min(hard === 0 ? Infinity : hard, soft === 0 ? Infinity : soft);
    out[cls] = { hard, soft, softSeconds: l.softSeconds, floor };
  }
  return out;
}
