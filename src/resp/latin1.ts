/**
 * Byte <-> string conversion for binary-safe keys and values: one char per byte (latin1).
 *
 * `TextDecoder` is lossy for binary data (0xFF and 0xFE both become U+FFFD) and about four
 * times slower, so the server keeps keys and values as latin1 strings. Reading goes through
 * Node's `Buffer.latin1Slice`, the fastest native slice, which needs a Buffer view of the
 * bytes: a `Latin1Decoder` keeps the view of the buffer its owner (a request decoder, a reply
 * parser) reads, so it is made once per buffer and dropped with its owner, not shared by the
 * whole process. Writing needs no view: `TextEncoder.encodeInto` copies an ASCII string eight
 * to sixty times faster than a loop, and a plain `charCodeAt` loop handles the rest (Deno's
 * `latin1Write` is twice as slow as that loop).
 *
 * @example
 * ```ts
 * import { Latin1Decoder, latin1Decode, latin1Encode } from "./latin1.ts";
 * const bytes = latin1Encode("\xff\x00a");
 * console.log(latin1Decode(bytes, 0, bytes.length) === "\xff\x00a"); // true
 * const reader = new Latin1Decoder(); // one per owner of a buffer that is read repeatedly
 * console.log(reader.decode(bytes, 1, 3) === "\x00a"); // true
 * ```
 * @module
 */
import { Buffer } from "node:buffer";

/** The longest string V8 can make (2^29 - 24 chars), so the longest range we can decode. */
export const MAX_LATIN1_LENGTH = 2 ** 29 - 24;

interface Latin1Buffer extends Uint8Array {
  latin1Slice(start: number, end: number): string;
}

/** A Buffer view from `bytes`' first byte to the end of its memory. */
function viewFrom(bytes: Uint8Array): Latin1Buffer {
  const { buffer, byteOffset } = bytes;
  return Buffer.from(buffer, byteOffset, buffer.byteLength - byteOffset) as unknown as Latin1Buffer;
}

/** Up to 4 bytes (command names, small values) a JS call beats crossing into C++. */
function decodeShort(bytes: Uint8Array, start: number, length: number): string {
  switch (length) {
    case 1:
      return String.fromCharCode(bytes[start]!);
    case 2:
      return String.fromCharCode(bytes[start]!, bytes[start + 1]!);
    case 3:
      return String.fromCharCode(bytes[start]!, bytes[start + 1]!, bytes[start + 2]!);
    case 4:
      return String.fromCharCode(
        bytes[start]!,
        bytes[start + 1]!,
        bytes[start + 2]!,
        bytes[start + 3]!,
      );
  }
  return "";
}

function tooLong(length: number): RangeError {
  return new RangeError(
    `Cannot decode ${length} bytes: a string holds at most ${MAX_LATIN1_LENGTH} chars`,
  );
}

/**
 * Decodes byte ranges to latin1 strings, keeping the Buffer view of the last memory it read.
 * Views of one memory at one offset share it, so the chunks a connection reads into one reused
 * buffer (a new `subarray` each time) do not make a new view each.
 *
 * @example
 * ```ts
 * import { Latin1Decoder } from "./latin1.ts";
 * const reader = new Latin1Decoder();
 * const buffer = new TextEncoder().encode("GET hello");
 * reader.decode(buffer.subarray(0, 9), 4, 9); // "hello"
 * reader.release(); // drop the view once the owner drops its buffer
 * ```
 */
export class Latin1Decoder {
  #bytes: Uint8Array | null = null;
  #buffer: ArrayBufferLike | null = null;
  #offset = 0;
  #view: Latin1Buffer | null = null;

  /**
   * Decodes `bytes[start, end)` (a range inside `bytes`); an empty string when `end <= start`.
   * Throws a RangeError for a range longer than `MAX_LATIN1_LENGTH`.
   */
  decode(bytes: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length <= 4) return decodeShort(bytes, start, length);
    if (length > MAX_LATIN1_LENGTH) throw tooLong(length);
    let view = this.#view;
    if (bytes !== this.#bytes || view === null) {
      // Reading the underlying buffer and offset is cheaper than making a Buffer view.
      const { buffer, byteOffset } = bytes;
      if (buffer !== this.#buffer || byteOffset !== this.#offset || view === null) {
        view = viewFrom(bytes);
        this.#view = view;
        this.#buffer = buffer;
        this.#offset = byteOffset;
      }
      this.#bytes = bytes;
    }
    return view.latin1Slice(start, end);
  }

  /** Forgets the view, so the memory it covers can be freed once its owner drops it. */
  release(): void {
    this.#bytes = null;
    this.#buffer = null;
    this.#view = null;
  }
}

/**
 * Decodes `bytes[start, end)` to a string with one char per byte; an empty string when
 * `end <= start`. For one-off use: a reader of one buffer over and over keeps a
 * `Latin1Decoder`. Throws a RangeError for a range longer than `MAX_LATIN1_LENGTH`.
 */
export function latin1Decode(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 4) return decodeShort(bytes, start, length);
  if (length > MAX_LATIN1_LENGTH) throw tooLong(length);
  return viewFrom(bytes).latin1Slice(start, end);
}

const asciiEncoder = new TextEncoder();

/**
 * Writes the latin1 string `value` into `target` at `offset` (the caller makes room) and
 * returns the offset after it. Chars above 0xFF are truncated to their low byte.
 */
export function latin1WriteInto(target: Uint8Array, offset: number, value: string): number {
  const n = value.length;
  if (n >= 512) {
    // UTF-8 is latin1 for ASCII: all chars read and as many bytes written means all were.
    const done = asciiEncoder.encodeInto(value, target.subarray(offset, offset + n));
    if (done.read === n && done.written === n) return offset + n;
  }
  for (let i = 0; i < n; i++) target[offset + i] = value.charCodeAt(i);
  return offset + n;
}

/** Encodes a latin1 string to a fresh byte array. */
export function latin1Encode(value: string): Uint8Array {
  const out = new Uint8Array(value.length);
  latin1WriteInto(out, 0, value);
  return out;
}

/** Converts text (UTF-8) to the server's byte-per-char form, e.g. for CLI arguments. */
export function utf8ToLatin1(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const bytes = new TextEncoder().encode(text);
  return latin1Decode(bytes, 0, bytes.length);
}

/** Converts the server's byte-per-char form back to text, for display. */
export function latin1ToUtf8(value: string): string {
  return new TextDecoder().decode(latin1Encode(value));
}
