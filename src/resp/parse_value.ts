/**
 * Incremental parsing of RESP2/RESP3 values from a byte buffer, shared by the request decoder
 * (for typed arguments such as the tutorial's integers, arrays and dictionaries) and the
 * client's reply parser. Incomplete input is normal: `ValueParser.parse` answers `INCOMPLETE`
 * with a hint of how many bytes it needs, and the caller calls again once they have arrived.
 *
 * Parsing resumes where it stopped, so its cost is linear in the input however it is cut.
 * The open aggregates are an explicit stack of frames kept between calls, holding the elements
 * parsed so far; the bytes of those elements are consumed and never read again. Only an
 * unfinished scalar (a header line, or a bulk string whose body has not fully arrived) is read
 * again from its first byte, and a bulk string's header tells how many bytes to wait for.
 * Nothing recurses, so no input can overflow the JS stack.
 *
 * @example
 * ```ts
 * import {
 *   DEFAULT_VALUE_LIMITS,
 *   INCOMPLETE,
 *   type ParseCursor,
 *   ValueParser,
 * } from "./parse_value.ts";
 * const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
 * const bytes = new TextEncoder().encode("*2\r\n:1\r\n:2\r\n");
 * const cursor: ParseCursor = { pos: 0, need: 0 };
 * parser.parse(bytes, 9, cursor) === INCOMPLETE; // true: cursor.pos is 8, past "*2" and ":1"
 * parser.parse(bytes, bytes.length, cursor); // [1, 2]
 * ```
 * @module
 */
import { Latin1Decoder, MAX_LATIN1_LENGTH } from "./latin1.ts";
import { formatDouble, type RespDouble, type RespValue } from "./types.ts";

/** Returned when the buffer ends before the value does. */
export const INCOMPLETE: unique symbol = Symbol("incomplete");

/** A malformed or over-limit input; the text follows Redis's `Protocol error: ...` wording. */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RespProtocolError";
  }
}

/** Where parsing stands: `pos` advances past what was consumed; `need` is a retry hint. */
export interface ParseCursor {
  pos: number;
  /** Absolute buffer offset that must be available before parsing can make progress. */
  need: number;
}

/** Limits on what a peer may make us buffer. */
export interface ValueLimits {
  /** Largest bulk string, in bytes (Redis: proto-max-bulk-len). */
  maxBulkLength: number;
  /** Largest element count of one aggregate. */
  maxAggregateLength: number;
  /** Deepest nesting of aggregates (an attribute counts while its own elements are read). */
  maxNestingDepth: number;
}

/** Generous limits for replies read by a client. */
export const DEFAULT_VALUE_LIMITS: ValueLimits = {
  maxBulkLength: 512 * 1024 * 1024,
  maxAggregateLength: 2 ** 31 - 1,
  maxNestingDepth: 128,
};

/** Longest header line (`*123\r\n`, `$45\r\n`, `+OK\r\n`) we wait for before giving up. */
export const MAX_LINE_LENGTH = 64 * 1024;

const CR = 13;

/**
 * Finds the `\r` ending the line that starts at `start`, returning its offset, or -1 when the
 * line (with its `\n`) is not complete yet. Throws when the line is longer than allowed.
 */
export function findLineEnd(
  buf: Uint8Array,
  start: number,
  end: number,
  tooLong: string,
): number {
  // Header lines are short: a plain loop beats the native indexOf call by 3x on them, and
  // indexOf takes over for long lines.
  const scanEnd = start + 32 < end ? start + 32 : end;
  let cr = -1;
  for (let i = start; i < scanEnd; i++) {
    if (buf[i] === CR) {
      cr = i;
      break;
    }
  }
  if (cr === -1 && scanEnd < end) cr = buf.indexOf(CR, scanEnd);
  if (cr === -1 || cr >= end) {
    // `start` is just past the type byte; Redis counts the line from the type byte.
    if (end - start + 1 > MAX_LINE_LENGTH) throw new RespProtocolError(tooLong);
    return -1;
  }
  if (cr + 1 >= end) return -1;
  return cr;
}

/**
 * Parses a signed decimal integer the strict way Redis's `string2ll` does (no `+`, no leading
 * zeros, no spaces). Returns NaN when the text is not such an integer.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 45) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 19) return NaN;
  const first = buf[i]!;
  if (first === 48) return end - i === 1 && !negative ? 0 : NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function parseInteger(buf: Uint8Array, start: number, cr: number, latin1: Latin1Decoder) {
  const n = parseDecimal(buf, start, cr);
  if (Number.isSafeInteger(n)) return n;
  // Beyond 2^53, or a form string2ll refuses but RESP integers allow (`+5`, `007`, `-0`).
  const text = latin1.decode(buf, start, cr);
  if (!/^[+-]?\d+$/.test(text)) throw new RespProtocolError("Protocol error: invalid integer");
  const m = Number(text);
  return Number.isSafeInteger(m) ? m : BigInt(text);
}

/** A `,` double, keeping its text when our formatting of the number would not give it back. */
function doubleValue(text: string): RespDouble {
  const value = parseDouble(text);
  return formatDouble(value) === text ? { kind: "double", value } : { kind: "double", value, text };
}

function parseDouble(text: string): number {
  const t = text.toLowerCase();
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  if (t === "nan") return NaN;
  const n = Number(text);
  if (text.trim() === "" || Number.isNaN(n)) {
    throw new RespProtocolError("Protocol error: invalid double");
  }
  return n;
}

function readLength(buf: Uint8Array, start: number, cr: number, what: string): number {
  const n = parseDecimal(buf, start, cr);
  if (Number.isNaN(n)) throw new RespProtocolError(`Protocol error: invalid ${what} length`);
  return n;
}

/**
 * Consulted with the length of each bulk string and aggregate header that passed the limits,
 * before the header is consumed. It may throw (a `RespProtocolError`), or return `false` to
 * pause: `parse` then answers `INCOMPLETE` with `cursor.pos` at that header and `cursor.need`
 * equal to it (no more bytes are needed), and the next call starts with that header again.
 */
export type HeaderCheck = (kind: "bulk" | "multibulk", length: number) => boolean;

/** Options of a `ValueParser`. */
export interface ValueParserOptions {
  /** How deep the values sit: 1 for a request's arguments (default 0). */
  depth?: number;
  /** Extra limits applied to each bulk string and aggregate header. */
  checkHeader?: HeaderCheck;
  /** The owner's decoder of byte ranges to strings, to share its Buffer view. */
  latin1?: Latin1Decoder;
}

/** An aggregate being parsed: its type byte, the elements so far and how many remain. */
interface Frame {
  readonly type: number;
  readonly items: RespValue[];
  remaining: number;
}

const MAP = 37; // %
const ATTRIBUTE = 124; // |

/** The value of a finished aggregate (not an attribute) of `type` from its elements. */
function aggregate(type: number, items: RespValue[]): RespValue {
  switch (type) {
    case 126: // ~
      return { kind: "set", items };
    case 62: // >
      return { kind: "push", items };
    case MAP: {
      const entries: [RespValue, RespValue][] = [];
      for (let i = 0; i < items.length; i += 2) entries.push([items[i]!, items[i + 1]!]);
      return { kind: "map", entries };
    }
  }
  return items;
}

/**
 * A resumable parser of one value at a time. Attributes (`|`) are read and dropped: the value
 * they annotate takes their place. After a `RespProtocolError` the parser's state is
 * undefined; the connection is over anyway, or `reset` starts afresh.
 *
 * @example
 * ```ts
 * import { DEFAULT_VALUE_LIMITS, type ParseCursor, ValueParser } from "./parse_value.ts";
 * const parser = new ValueParser(DEFAULT_VALUE_LIMITS);
 * const bytes = new TextEncoder().encode("%1\r\n+key\r\n$5\r\nvalue\r\n");
 * parser.parse(bytes, bytes.length, { pos: 0, need: 0 } satisfies ParseCursor);
 * // { kind: "map", entries: [[{ kind: "simple", value: "key" }, "value"]] }
 * ```
 */
export class ValueParser {
  readonly #limits: ValueLimits;
  readonly #depth: number;
  readonly #checkHeader: HeaderCheck | null;
  readonly #latin1: Latin1Decoder;
  readonly #stack: Frame[] = [];
  /** Whether bytes of the value being parsed were consumed (its aggregates or attributes). */
  #pending = false;

  /** `limits` is read at each header, so changes to a shared object apply at once. */
  constructor(limits: ValueLimits, options: ValueParserOptions = {}) {
    this.#limits = limits;
    this.#depth = options.depth ?? 0;
    this.#checkHeader = options.checkHeader ?? null;
    this.#latin1 = options.latin1 ?? new Latin1Decoder();
  }

  /** True when a value is partly parsed: the next call continues it, whatever byte comes. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Forgets a partly parsed value. */
  reset(): void {
    this.#stack.length = 0;
    this.#pending = false;
  }

  /**
   * Parses from `buf[cursor.pos, end)`, continuing the value of the previous call if it was
   * `INCOMPLETE`. On success returns the value with `cursor.pos` just past it. On `INCOMPLETE`
   * moves `cursor.pos` to the first byte not yet consumed (the start of an unfinished scalar,
   * or `end`), which is where the next call must start, with the same bytes from there on
   * (earlier bytes are no longer needed), and sets `cursor.need` to the offset that must be
   * available before parsing can progress.
   */
  parse(buf: Uint8Array, end: number, cursor: ParseCursor): RespValue | typeof INCOMPLETE {
    const limits = this.#limits;
    const stack = this.#stack;
    const latin1 = this.#latin1;
    const start = cursor.pos;
    let pos = start;
    for (;;) {
      if (pos >= end) return this.#incomplete(cursor, start, pos, pos + 1);
      const type = buf[pos]!;
      const cr = findLineEnd(buf, pos + 1, end, "Protocol error: too big count string");
      if (cr === -1) return this.#incomplete(cursor, start, pos, end + 1);
      let next = cr + 2;
      let value: RespValue;
      switch (type) {
        case 43: // +
          value = { kind: "simple", value: latin1.decode(buf, pos + 1, cr) };
          break;
        case 45: // -
          value = { kind: "error", value: latin1.decode(buf, pos + 1, cr) };
          break;
        case 58: // :
          value = parseInteger(buf, pos + 1, cr, latin1);
          break;
        case 44: // ,
          value = doubleValue(latin1.decode(buf, pos + 1, cr));
          break;
        case 40: // (
          value = { kind: "bignum", value: latin1.decode(buf, pos + 1, cr) };
          break;
        case 35: { // #
          const t = latin1.decode(buf, pos + 1, cr);
          if (t !== "t" && t !== "f") {
            throw new RespProtocolError("Protocol error: invalid boolean");
          }
          value = t === "t";
          break;
        }
        case 95: // _
          value = null;
          break;
        case 36: // $
        case 33: // !
        case 61: { // =
          const len = readLength(buf, pos + 1, cr, "bulk");
          if (len === -1 && type === 36) {
            value = null;
            break;
          }
          if (len < 0 || len > limits.maxBulkLength || len > MAX_LATIN1_LENGTH) {
            throw new RespProtocolError("Protocol error: invalid bulk length");
          }
          if (this.#checkHeader !== null && !this.#checkHeader("bulk", len)) {
            return this.#incomplete(cursor, start, pos, pos);
          }
          const bodyStart = next;
          next = bodyStart + len + 2;
          if (next > end) return this.#incomplete(cursor, start, pos, next);
          const body = latin1.decode(buf, bodyStart, bodyStart + len);
          if (type === 36) value = body;
          else if (type === 33) value = { kind: "error", value: body };
          else value = { kind: "verbatim", format: body.slice(0, 3), value: body.slice(4) };
          break;
        }
        case 42: // *
        case 126: // ~
        case 62: // >
        case MAP:
        case ATTRIBUTE: {
          const count = readLength(buf, pos + 1, cr, "multibulk");
          if (count === -1 && type === 42) {
            value = null;
            break;
          }
          if (count < 0 || count > limits.maxAggregateLength) {
            throw new RespProtocolError("Protocol error: invalid multibulk length");
          }
          if (this.#depth + stack.length + 1 > limits.maxNestingDepth) {
            throw new RespProtocolError("Protocol error: too deeply nested request");
          }
          if (this.#checkHeader !== null && !this.#checkHeader("multibulk", count)) {
            return this.#incomplete(cursor, start, pos, pos);
          }
          pos = next;
          const total = type === MAP || type === ATTRIBUTE ? count * 2 : count;
          if (total > 0) {
            stack.push({ type, items: [], remaining: total });
            continue;
          }
          // An empty attribute annotates the value that follows, which is read next.
          if (type === ATTRIBUTE) continue;
          value = aggregate(type, []);
          break;
        }
        default:
          throw new RespProtocolError(
            `Protocol error: expected '$', got '${String.fromCharCode(type)}'`,
          );
      }
      pos = next;
      // Hand the value to the aggregate it belongs to, and on up through those it completes.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) {
          cursor.pos = pos;
          this.#pending = false;
          return value;
        }
        top.items.push(value);
        if (--top.remaining > 0) break;
        stack.pop();
        // A complete attribute is dropped: the value it annotates comes next, in its place.
        if (top.type === ATTRIBUTE) break;
        value = aggregate(top.type, top.items);
      }
    }
  }

  #incomplete(cursor: ParseCursor, start: number, pos: number, need: number): typeof INCOMPLETE {
    if (pos !== start) this.#pending = true;
    cursor.pos = pos;
    cursor.need = need;
    return INCOMPLETE;
  }
}
