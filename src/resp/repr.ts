/**
 * Redis's `sdscatrepr`: a string in double quotes with C escapes (`\n`, `\"`, `\\`...) and
 * `\xNN` for other unprintable bytes, as MONITOR, redis-cli and the AOF manifest write it, and
 * as `sdssplitargs` (src/resp/split_args.ts) reads it back. Strings are latin1 (one char per
 * byte).
 *
 * @example
 * ```ts
 * import { quoteRepr } from "./repr.ts";
 * quoteRepr('say "hi"\n'); // '"say \\"hi\\"\\n"'
 * ```
 * @module
 */

/** The quoted form of `text` (see the module doc). */
export function quoteRepr(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? text[i] : `\\x${c.toString(16).padStart(2, "0")}`;
    }
  }
  return out + '"';
}
