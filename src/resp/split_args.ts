/**
 * Splits a line the way redis-cli and Redis's inline protocol do (`sdssplitargs`): words are
 * separated by spaces; `"..."` takes the escapes `\n \r \t \b \a \\ \" \xHH`; `'...'` takes
 * only `\'`; a closing quote must be followed by a space or the end of the line.
 *
 * @example
 * ```ts
 * import { splitArgs } from "./split_args.ts";
 * splitArgs(`set "a b" 'c\\'d'`); // ["set", "a b", "c'd"]
 * splitArgs(`set "unclosed`); // null
 * ```
 * @module
 */

function isSpace(c: string): boolean {
  return c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
}

function hexValue(c: string): number {
  // "".indexOf("") is 0: a missing char (end of line) must not count as the digit 0.
  return c.length === 1 ? "0123456789abcdef".indexOf(c.toLowerCase()) : -1;
}

/** Returns the words of `line`, or `null` when its quotes are unbalanced. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    let inDouble = false;
    let inSingle = false;
    let current = "";
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return null;
        if (
          c === "\\" && line[i + 1] === "x" && hexValue(line[i + 2] ?? "") >= 0 &&
          hexValue(line[i + 3] ?? "") >= 0
        ) {
          current += String.fromCharCode(hexValue(line[i + 2]!) * 16 + hexValue(line[i + 3]!));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          const e = line[i]!;
          current += e === "n"
            ? "\n"
            : e === "r"
            ? "\r"
            : e === "t"
            ? "\t"
            : e === "b"
            ? "\b"
            : e === "a"
            ? "\x07"
            : e;
        } else if (c === '"') {
          const next = line[i + 1];
          if (next !== undefined && !isSpace(next)) return null;
          inDouble = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "'") {
          current += "'";
          i++;
        } else if (c === "'") {
          const next = line[i + 1];
          if (next !== undefined && !isSpace(next)) return null;
          inSingle = false;
          i++;
          break;
        } else {
          current += c;
        }
      } else {
        // Unlike the blanks skipped between words, a word ends only at these (not at \v or \f).
        if (c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t") break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      i++;
    }
    out.push(current);
  }
}
