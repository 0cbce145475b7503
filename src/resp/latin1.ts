/**
 * Byte <-> string conversion for binary-safe keys and values: one char per byte (latin1).
 *
 * `TextDecoder` is lossy for binary data (0xFF and 0xFE both become U+FFFD) and about four
 * times slower, so the server keeps keys and values as latin1 strings. Node's Buffer has the
 * fastest native slice; for writing, a plain `charCodeAt` loop beats `latin1Write` on the
 * small strings that dominate replies, so the native write is used only for long strings.
 *
 * @example
 * ```ts
 * import { latin1Decode, latin1Encode } from "./latin1.ts";
 * const bytes = latin1Encode("\xff\x00a");
 * console.log(latin1Decode(bytes, 0, bytes.length) === "\xff\x00a"); // true
 * ```
 * @module
 */
import { Buffer } from "node:buffer";

interface Latin1Buffer extends Uint8Array {
  latin1Slice(start: number, end: number): string;
  latin1Write(value: string, offset: number): number;
}

let cachedBytes: Uint8Array | null = null;
let cachedView: Latin1Buffer | null = null;

function viewOf(bytes: Uint8Array): Latin1Buffer {
  if (cachedBytes !== bytes || cachedView === null) {
    cachedView = Buffer.from(
      bytes.buffer,
      bytes.byteOffset,
      bytes.byteLength,
    ) as unknown as Latin1Buffer;
    cachedBytes = bytes;
  }
  return cachedView;
}

/** Decodes `bytes[start, end)` to a string with one char per byte. */
export function latin1Decode(bytes: Uint8Array, start: number, end: number): string {
  // Up to 4 bytes (command names, small values) a JS call beats crossing into C++.
  switch (end - start) {
    case 0:
      return "";
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
  if (end < start) return "";
  return viewOf(bytes).latin1Slice(start, end);
}

/**
 * Writes the latin1 string `value` into `target` at `offset` (the caller makes room) and
 * returns the offset after it. Chars above 0xFF are truncated to their low byte.
 */
export function latin1WriteInto(target: Uint8Array, offset: number, value: string): number {
  const n = value.length;
  if (n < 512) {
    for (let i = 0; i < n; i++) target[offset + i] = value.charCodeAt(i);
    return offset + n;
  }
  return offset + viewOf(target).latin1Write(value, offset);
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
