/**
 * `ReplyParser` collects bytes from a server and hands out complete replies in order, for the
 * client. It shares `parseValue` with the server's decoder, so both sides agree on the wire.
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
import { DEFAULT_VALUE_LIMITS, INCOMPLETE, type ParseCursor, parseValue } from "./parse_value.ts";
import type { RespValue } from "./types.ts";

/** Incremental parser of replies. */
export class ReplyParser {
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;
  #need = 0;
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
    // `#need` counts bytes from `#start`: parsing cannot progress before that many arrived.
    if (this.#start === this.#end || this.#end - this.#start < this.#need) return undefined;
    const cursor = this.#cursor;
    cursor.pos = this.#start;
    const value = parseValue(this.#buf, this.#end, cursor, 0, DEFAULT_VALUE_LIMITS);
    if (value === INCOMPLETE) {
      this.#need = cursor.need - this.#start;
      return undefined;
    }
    this.#need = 0;
    this.#start = cursor.pos;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return value;
  }
}
