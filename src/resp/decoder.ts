/**
 * `RespDecoderStream` turns the bytes a client sends into batches of commands: one batch per
 * input chunk, so the server runs a whole pipeline and answers it with a single write.
 *
 * Requests are RESP arrays (`*N`) whose elements are usually bulk strings (decoded on a fast
 * path to latin1 strings), but may be any RESP2/RESP3 value: the tutorial's clients send
 * integers, arrays and dictionaries as arguments. Those arrive in `Request.typed`, with their
 * text (where they have one) in `argv`. A line that does not start with `*` is an inline
 * command, split with redis-cli's quoting rules.
 *
 * Buffering is linear in the input: a chunk is parsed in place, and only the unfinished tail is
 * copied into an owned buffer, which is grown once to the announced size of a large bulk string
 * and not re-parsed until enough bytes have arrived. Every buffer a client can grow is bounded
 * (`DecoderLimits`). A malformed request ends the stream's useful life: the batch carries the
 * commands parsed before it plus `protocolError`, and later input is ignored, as Redis replies
 * `-ERR Protocol error: ...` and closes the connection.
 *
 * @example
 * ```ts
 * import { RespDecoderStream } from "./decoder.ts";
 * const stream = new RespDecoderStream();
 * const writer = stream.writable.getWriter();
 * writer.write(new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n"));
 * const { value } = await stream.readable.getReader().read();
 * // value.requests: [{ argv: ["GET", "k"], typed: null }, { argv: ["PING"], typed: null }]
 * ```
 * @module
 */
import { latin1Decode } from "./latin1.ts";
import {
  findLineEnd,
  INCOMPLETE,
  type ParseCursor,
  parseDecimal,
  parseValue,
  RespProtocolError,
  type ValueLimits,
} from "./parse_value.ts";
import { splitArgs } from "./split_args.ts";
import { type RespValue, scalarText } from "./types.ts";

/** One command: its arguments as latin1 strings, and typed values where they were not bulk. */
export interface Request {
  readonly argv: string[];
  /** `null` when every argument was a bulk string; else `typed[i]` is argument i's value. */
  readonly typed: (RespValue | undefined)[] | null;
}

/** The commands decoded from one chunk of input. */
export interface RequestBatch {
  readonly requests: Request[];
  /** Set when the input turned malformed after `requests`; the connection must be closed. */
  readonly protocolError: string | null;
}

/** Bounds on a request. The server shares one mutable object so CONFIG SET applies at once. */
export interface DecoderLimits extends ValueLimits {
  /** Longest inline command line (Redis: 64 KiB). */
  maxInlineLength: number;
}

/** Redis's defaults. */
export function defaultDecoderLimits(): DecoderLimits {
  return {
    maxBulkLength: 512 * 1024 * 1024,
    maxAggregateLength: 1024 * 1024 * 1024,
    maxNestingDepth: 32,
    maxInlineLength: 64 * 1024,
  };
}

const STAR = 42;
const DOLLAR = 36;
const LF = 10;
const EMPTY = new Uint8Array(0);

/** The incremental decoder behind `RespDecoderStream`; usable on its own. */
export class RequestDecoder {
  readonly #limits: DecoderLimits;
  /** Bytes of unfinished input carried over between chunks. */
  #held: Uint8Array = EMPTY;
  #heldLength = 0;
  /** Total bytes that must be held before parsing can progress (0: any byte helps). */
  #need = 0;
  /** A multibulk request in progress: its arguments so far and how many remain. */
  #argv: string[] | null = null;
  #typed: (RespValue | undefined)[] | null = null;
  #remaining = 0;
  #failed = false;
  readonly #cursor: ParseCursor = { pos: 0, need: 0 };

  constructor(limits: DecoderLimits = defaultDecoderLimits()) {
    this.#limits = limits;
  }

  /** Bytes held back waiting for the rest of a request (the query buffer's size). */
  get bufferedBytes(): number {
    return this.#heldLength;
  }

  /** Decodes what `chunk` completes. The chunk may be reused by the caller afterwards. */
  decode(chunk: Uint8Array): RequestBatch {
    const requests: Request[] = [];
    if (this.#failed) return { requests, protocolError: null };
    let buf: Uint8Array;
    let end: number;
    if (this.#heldLength === 0) {
      buf = chunk;
      end = chunk.length;
    } else {
      this.#append(chunk);
      if (this.#heldLength < this.#need) return { requests, protocolError: null };
      buf = this.#held;
      end = this.#heldLength;
    }
    let pos = 0;
    try {
      pos = this.#parse(buf, end, requests);
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      this.#failed = true;
      this.#held = EMPTY;
      this.#heldLength = 0;
      return { requests, protocolError: error.message };
    }
    this.#keep(buf, pos, end);
    return { requests, protocolError: null };
  }

  /** Parses complete requests from `buf[0, end)`; returns where the unfinished rest starts. */
  #parse(buf: Uint8Array, end: number, out: Request[]): number {
    const cursor = this.#cursor;
    const limits = this.#limits;
    let pos = 0;
    this.#need = 0;
    while (pos < end) {
      if (this.#argv === null) {
        if (buf[pos] !== STAR) {
          const next = this.#parseInline(buf, pos, end, out);
          if (next === -1) return pos;
          pos = next;
          continue;
        }
        const cr = findLineEnd(buf, pos + 1, end, "Protocol error: too big mbulk count string");
        if (cr === -1) {
          this.#need = end - pos + 1;
          return pos;
        }
        const count = parseDecimal(buf, pos + 1, cr);
        if (Number.isNaN(count) || count > limits.maxAggregateLength) {
          throw new RespProtocolError("Protocol error: invalid multibulk length");
        }
        pos = cr + 2;
        if (count <= 0) continue;
        this.#argv = [];
        this.#typed = null;
        this.#remaining = count;
      }
      const argv = this.#argv;
      while (this.#remaining > 0) {
        if (pos >= end) return pos;
        if (buf[pos] === DOLLAR) {
          const cr = findLineEnd(buf, pos + 1, end, "Protocol error: too big bulk count string");
          if (cr === -1) {
            this.#need = end - pos + 1;
            return pos;
          }
          const len = parseDecimal(buf, pos + 1, cr);
          if (len === -1) {
            // A null bulk string: the tutorial's clients send Python's None this way.
            pos = cr + 2;
            this.#typed ??= [];
            this.#typed[argv.length] = null;
            argv.push("");
            this.#remaining--;
            continue;
          }
          if (!(len >= 0 && len <= limits.maxBulkLength)) {
            throw new RespProtocolError("Protocol error: invalid bulk length");
          }
          const bodyEnd = cr + 2 + len;
          if (bodyEnd + 2 > end) {
            this.#need = bodyEnd + 2 - pos;
            return pos;
          }
          argv.push(latin1Decode(buf, cr + 2, bodyEnd));
          pos = bodyEnd + 2;
        } else {
          // Redis reads an argument's header line before looking at its type byte.
          const cr = findLineEnd(buf, pos + 1, end, "Protocol error: too big bulk count string");
          if (cr === -1) {
            this.#need = end - pos + 1;
            return pos;
          }
          cursor.pos = pos;
          const value = parseValue(buf, end, cursor, 1, limits);
          if (value === INCOMPLETE) {
            this.#need = cursor.need - pos;
            return pos;
          }
          pos = cursor.pos;
          this.#typed ??= [];
          this.#typed[argv.length] = value;
          argv.push(scalarText(value) ?? "");
        }
        this.#remaining--;
      }
      out.push({ argv, typed: this.#typed });
      this.#argv = null;
      this.#typed = null;
    }
    return pos;
  }

  /** Parses one inline command line; returns the offset after it, or -1 if incomplete. */
  #parseInline(buf: Uint8Array, pos: number, end: number, out: Request[]): number {
    const lf = buf.indexOf(LF, pos);
    if (lf === -1 || lf >= end) {
      if (end - pos > this.#limits.maxInlineLength) {
        throw new RespProtocolError("Protocol error: too big inline request");
      }
      this.#need = end - pos + 1;
      return -1;
    }
    let lineEnd = lf;
    if (lineEnd > pos && buf[lineEnd - 1] === 13) lineEnd--;
    const argv = splitArgs(latin1Decode(buf, pos, lineEnd));
    if (argv === null) throw new RespProtocolError("Protocol error: unbalanced quotes in request");
    if (argv.length > 0) out.push({ argv, typed: null });
    return lf + 1;
  }

  /** Holds `buf[pos, end)` for the next chunk, compacting in place when `buf` is ours. */
  #keep(buf: Uint8Array, pos: number, end: number): void {
    const rest = end - pos;
    if (rest === 0) {
      this.#heldLength = 0;
      if (this.#held.length > 64 * 1024) this.#held = EMPTY;
      return;
    }
    if (buf === this.#held) {
      buf.copyWithin(0, pos, end);
    } else {
      if (this.#held.length < rest) {
        this.#held = new Uint8Array(Math.max(rest, 4096, Math.min(this.#need, rest * 2 + 65536)));
      }
      this.#held.set(buf.subarray(pos, end), 0);
    }
    this.#heldLength = rest;
  }

  /** Appends a chunk to the held bytes, growing once to what the pending request needs. */
  #append(chunk: Uint8Array): void {
    const total = this.#heldLength + chunk.length;
    if (total > this.#held.length) {
      // Grow towards the announced size by doubling, so a client announcing a huge bulk string
      // and sending nothing does not make us allocate it up front.
      const target = Math.min(this.#need, this.#held.length * 2 + 65536);
      const grown = new Uint8Array(Math.max(total, target, this.#held.length * 2));
      grown.set(this.#held.subarray(0, this.#heldLength), 0);
      this.#held = grown;
    }
    this.#held.set(chunk, this.#heldLength);
    this.#heldLength = total;
  }
}

/**
 * A `TransformStream` from raw bytes to `RequestBatch`es (one per chunk that completes at least
 * one request, or ends in a protocol error).
 */
export class RespDecoderStream extends TransformStream<Uint8Array, RequestBatch> {
  readonly #decoder: RequestDecoder;

  constructor(limits: DecoderLimits = defaultDecoderLimits()) {
    const decoder = new RequestDecoder(limits);
    super({
      transform(chunk, controller) {
        const batch = decoder.decode(chunk);
        if (batch.requests.length > 0 || batch.protocolError !== null) controller.enqueue(batch);
      },
    });
    this.#decoder = decoder;
  }

  /** Bytes held back waiting for the rest of a request. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }
}
