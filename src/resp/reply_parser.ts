/**
 * `ReplyParser` collects bytes from a server and hands out complete replies in order, for the
 * client. It shares `ValueParser` with the server's decoder, so both sides agree on the wire.
 * Its cost is linear in the input: a reply that spans many reads (`KEYS *` over a million
 * keys) is parsed once, element by element as the bytes arrive, and only the unfinished
 * element's bytes are kept.
 *
 * @example
 * ```ts
 * import { ReplyParser } from "./reply_parser.ts";
 * const parser = new ReplyParser();
 * parser.push(new TextEncoder().encode("+OK\r\n:1"));
 * parser.next(); // { kind: "simple", value: "OK" }
 * parser.next(); // undefined: ":1" is not complete yet
 * ```
 * @module
 */
import { DEFAULT_VALUE_LIMITS, INCOMPLETE, type ParseCursor, ValueParser } from "./parse_value.ts";
import type { RespValue } from "./types.ts";

/** Incremental parser of replies. */
export class ReplyParser {
  #buf = new Uint8Array(16 * 1024);
  /** `#buf[#start, #end)` are the bytes received and not consumed yet. */
  #start = 0;
  #end = 0;
  /** Bytes from `#start` that must be there before parsing can progress. */
  #need = 0;
  readonly #parser = new ValueParser(DEFAULT_VALUE_LIMITS);
  readonly #cursor: ParseCursor = { pos: 0, need: 0 };

  /** Appends received bytes (copied). */
  push(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buf.length) {
      const live = this.#end - this.#start;
      if (live + chunk.length <= this.#buf.length / 2) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array((live + chunk.length) * 2);
        grown.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete reply, or undefined. Throws RespProtocolError on garbage. */
  next(): RespValue | undefined {
    if (this.#start === this.#end || this.#end - this.#start < this.#need) return undefined;
    const cursor = this.#cursor;
    cursor.pos = this.#start;
    const value = this.#parser.parse(this.#buf, this.#end, cursor);
    // Whatever was parsed is consumed, also when the reply is not complete yet.
    this.#start = cursor.pos;
    this.#need = value === INCOMPLETE ? cursor.need - cursor.pos : 0;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return value === INCOMPLETE ? undefined : value;
  }
}
