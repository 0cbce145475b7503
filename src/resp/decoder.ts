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
 * Decoding is linear in the input however it is cut into chunks. A chunk is parsed in place;
 * each finished argument is consumed (a typed argument's finished elements are kept as values
 * by a resumable `ValueParser`), and only the bytes of the unfinished argument or element are
 * copied into an owned buffer. For a large bulk string that buffer grows by doubling towards
 * the announced size, never past what is announced or has arrived, and is not parsed again
 * until the whole body is there.
 * Every buffer a client can grow is bounded (`DecoderLimits`). A malformed request ends the
 * stream's useful life: the batch carries the commands parsed before it plus `protocolError`,
 * and later input is ignored, as Redis replies `-ERR Protocol error: ...` and closes the
 * connection.
 *
 * A client that has not authenticated while a password is required gets Redis's smaller limits
 * (`RequestDecoderOptions.authenticated`). Since a pipeline may authenticate before a large
 * request, a header over those limits that follows requests of the same batch ends the batch
 * (`deferred`); the consumer runs its requests, then calls `resume()` for the rest.
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
import { Latin1Decoder, MAX_LATIN1_LENGTH } from "./latin1.ts";
import {
  findLineEnd,
  INCOMPLETE,
  type ParseCursor,
  parseDecimal,
  RespProtocolError,
  type ValueLimits,
  ValueParser,
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
  /**
   * Present when decoding stopped early: the input held back may be read only once `requests`
   * have run (they may authenticate the client). Run them, then call `resume()`.
   */
  readonly deferred?: true;
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
    maxAggregateLength: 2 ** 31 - 1,
    maxNestingDepth: 32,
    maxInlineLength: 64 * 1024,
  };
}

/** Per-connection options of a decoder. */
export interface RequestDecoderOptions {
  /**
   * Whether the client may send large requests: false while a password is required and the
   * client has not authenticated. Consulted only for a header over Redis's limits for such
   * clients, each time one is read: an array of more than 10 elements (`*11`) gets
   * `Protocol error: unauthenticated multibulk length`, a bulk string longer than 16384 bytes
   * `Protocol error: unauthenticated bulk length` (typed arguments' elements too). Default:
   * always authenticated.
   */
  authenticated?: () => boolean;
  /**
   * Read an append-only file rather than a client: every record is a multibulk (no inline
   * commands), and `#` annotation lines (`#TS:...`, aof-timestamp-enabled) are skipped, as
   * Redis's AOF loader reads. Default false.
   */
  aof?: boolean;
}

/** Redis 7.0's limits for a client that has not authenticated (`authRequired`). */
const UNAUTHENTICATED_MULTIBULK = 10;
const UNAUTHENTICATED_BULK = 16384;

const STAR = 42;
const DOLLAR = 36;
const LF = 10;
const HASH = 35;
const EMPTY = new Uint8Array(0);
/** Keeps held buffers up to this size for the next request; larger ones are dropped. */
const KEEP_HELD = 64 * 1024;

/** The incremental decoder behind `RespDecoderStream`; usable on its own. */
export class RequestDecoder {
  readonly #limits: DecoderLimits;
  readonly #authenticated: (() => boolean) | null;
  readonly #aof: boolean;
  readonly #latin1 = new Latin1Decoder();
  /** Parses typed arguments, resuming an unfinished one where it stopped. */
  readonly #values: ValueParser;
  /** Bytes of unfinished input carried over between chunks. */
  #held: Uint8Array = EMPTY;
  #heldLength = 0;
  /** Total bytes that must be held before parsing can progress (0: any byte helps). */
  #need = 0;
  /** Whether `#values` is in the middle of a typed argument (its next byte is its own). */
  #typedPending = false;
  /** Bytes of the unfinished typed argument already parsed into values. */
  #typedBytes = 0;
  /** A multibulk request in progress: its arguments so far and how many remain. */
  #argv: string[] | null = null;
  #typed: (RespValue | undefined)[] | null = null;
  #remaining = 0;
  /** The batch being decoded, and whether it stopped for `resume`. */
  #out: Request[] = [];
  #deferred = false;
  #failed = false;
  readonly #cursor: ParseCursor = { pos: 0, need: 0 };

  constructor(
    limits: DecoderLimits = defaultDecoderLimits(),
    options: RequestDecoderOptions = {},
  ) {
    this.#limits = limits;
    this.#authenticated = options.authenticated ?? null;
    this.#aof = options.aof ?? false;
    this.#values = new ValueParser(limits, {
      depth: 1,
      checkHeader: (kind, length) => this.#admit(kind, length),
      latin1: this.#latin1,
    });
  }

  /**
   * Bytes held for the unfinished request (the query buffer's size): its unfinished argument,
   * and what its unfinished typed argument has consumed so far.
   */
  get bufferedBytes(): number {
    return this.#heldLength + this.#typedBytes;
  }

  /** Bytes allocated to hold unfinished input (Redis's qbuf plus qbuf-free). */
  get bufferCapacity(): number {
    return this.#held.length;
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
    this.#out = requests;
    this.#deferred = false;
    try {
      pos = this.#parse(buf, end, requests);
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      this.#failed = true;
      this.#held = EMPTY;
      this.#heldLength = 0;
      this.#typedBytes = 0;
      this.#typedPending = false;
      this.#values.reset();
      this.#latin1.release();
      return { requests, protocolError: error.message };
    } finally {
      this.#out = NO_REQUESTS;
    }
    this.#keep(buf, pos, end);
    if (this.#deferred) return { requests, protocolError: null, deferred: true };
    return { requests, protocolError: null };
  }

  /** Decodes the input a `deferred` batch held back, once that batch's requests have run. */
  resume(): RequestBatch {
    return this.decode(EMPTY);
  }

  /**
   * Whether a bulk string or array of `length` may be read now. Over the limits for clients
   * that have not authenticated, it may not: if requests of this batch came before it (AUTH
   * may be among them), the batch ends there, to be resumed once they have run; otherwise the
   * request is refused with Redis's text.
   */
  #admit(kind: "bulk" | "multibulk", length: number): boolean {
    if (length <= (kind === "bulk" ? UNAUTHENTICATED_BULK : UNAUTHENTICATED_MULTIBULK)) {
      return true;
    }
    if (this.#authenticated === null || this.#authenticated()) return true;
    if (this.#out.length > 0) {
      this.#deferred = true;
      return false;
    }
    throw new RespProtocolError(`Protocol error: unauthenticated ${kind} length`);
  }

  /**
   * Parses complete requests from `buf[0, end)`; returns where the unfinished rest starts
   * (the first byte not consumed).
   */
  #parse(buf: Uint8Array, end: number, out: Request[]): number {
    const limits = this.#limits;
    let pos = 0;
    this.#need = 0;
    while (pos < end) {
      if (this.#argv === null) {
        if (buf[pos] !== STAR) {
          const next = this.#aof
            ? this.#skipAnnotation(buf, pos, end)
            : this.#parseInline(buf, pos, end, out);
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
        if (count > UNAUTHENTICATED_MULTIBULK && !this.#admit("multibulk", count)) return pos;
        pos = cr + 2;
        if (count <= 0) continue;
        this.#argv = [];
        this.#typed = null;
        this.#remaining = count;
      }
      const argv = this.#argv;
      while (this.#remaining > 0) {
        if (pos >= end) return pos;
        if (buf[pos] === DOLLAR && !this.#typedPending) {
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
          // V8 cannot make a string longer than MAX_LATIN1_LENGTH: refuse it before buffering.
          if (!(len >= 0 && len <= limits.maxBulkLength && len <= MAX_LATIN1_LENGTH)) {
            throw new RespProtocolError("Protocol error: invalid bulk length");
          }
          if (len > UNAUTHENTICATED_BULK && !this.#admit("bulk", len)) return pos;
          const bodyEnd = cr + 2 + len;
          if (bodyEnd + 2 > end) {
            this.#need = bodyEnd + 2 - pos;
            return pos;
          }
          argv.push(this.#latin1.decode(buf, cr + 2, bodyEnd));
          pos = bodyEnd + 2;
        } else {
          const values = this.#values;
          if (!this.#typedPending) {
            // Redis reads an argument's header line before looking at its type byte.
            const cr = findLineEnd(buf, pos + 1, end, "Protocol error: too big bulk count string");
            if (cr === -1) {
              this.#need = end - pos + 1;
              return pos;
            }
          }
          const cursor = this.#cursor;
          cursor.pos = pos;
          const value = values.parse(buf, end, cursor);
          if (value === INCOMPLETE) {
            // The elements parsed so far are kept by the parser; only the rest is held.
            this.#typedBytes += cursor.pos - pos;
            this.#typedPending = values.pending;
            this.#need = cursor.need - cursor.pos;
            return cursor.pos;
          }
          this.#typedBytes = 0;
          this.#typedPending = false;
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
  /** An AOF's `#` line skipped (-1: not whole yet); anything else where `*` belongs is damage. */
  #skipAnnotation(buf: Uint8Array, pos: number, end: number): number {
    if (buf[pos] !== HASH) {
      throw new RespProtocolError(
        `Protocol error: expected '*', got '${String.fromCharCode(buf[pos]!)}'`,
      );
    }
    const lf = buf.indexOf(LF, pos);
    if (lf === -1 || lf >= end) {
      this.#need = end - pos + 1;
      return -1;
    }
    return lf + 1;
  }

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
    const argv = splitArgs(this.#latin1.decode(buf, pos, lineEnd));
    if (argv === null) throw new RespProtocolError("Protocol error: unbalanced quotes in request");
    if (argv.length > 0) out.push({ argv, typed: null });
    return lf + 1;
  }

  /** Holds `buf[pos, end)` for the next chunk, compacting in place when `buf` is ours. */
  #keep(buf: Uint8Array, pos: number, end: number): void {
    const rest = end - pos;
    if (rest === 0) {
      this.#heldLength = 0;
      if (this.#held.length > KEEP_HELD) {
        this.#held = EMPTY;
        this.#latin1.release();
      }
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

  /**
   * Appends a chunk to the held bytes. The buffer grows to what the unfinished argument needs
   * (a bulk string's announced size), but at most about twice its current size per step, so a
   * client announcing a huge bulk string and sending nothing does not make us allocate it.
   */
  #append(chunk: Uint8Array): void {
    const total = this.#heldLength + chunk.length;
    if (total > this.#held.length) {
      const step = Math.min(this.#need, this.#held.length * 2 + 65536);
      const grown = new Uint8Array(Math.max(total, step));
      grown.set(this.#held.subarray(0, this.#heldLength), 0);
      this.#held = grown;
    }
    this.#held.set(chunk, this.#heldLength);
    this.#heldLength = total;
  }
}

/** Shared by decoders between batches; never written to. */
const NO_REQUESTS: Request[] = [];

/**
 * A `TransformStream` from raw bytes to `RequestBatch`es (one per chunk that completes at least
 * one request, or ends in a protocol error).
 */
export class RespDecoderStream extends TransformStream<Uint8Array, RequestBatch> {
  readonly #decoder: RequestDecoder;

  constructor(
    limits: DecoderLimits = defaultDecoderLimits(),
    options: RequestDecoderOptions = {},
  ) {
    const decoder = new RequestDecoder(limits, options);
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

  /**
   * Decodes the input a `deferred` batch held back; call it once that batch's requests have
   * run, before reading the next batch. The result may be deferred again.
   */
  resume(): RequestBatch {
    return this.#decoder.resume();
  }
}
