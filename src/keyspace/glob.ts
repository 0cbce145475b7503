/**
 * Redis's glob matching (`stringmatchlen` in util.c), used by KEYS, SCAN MATCH and CONFIG GET:
 * `*` any run, `?` one char, `[abc]` a set, `[^a]` negated, `[a-z]` ranges, `\x` a literal x.
 * Ported branch for branch so odd patterns (an unclosed `[`, a trailing `\`) match exactly as in
 * Redis, including its guard that fails patterns nesting `*` more than 1000 deep, and its range
 * bounds compared as signed chars (as on x86-64: `[a-\xff]` spans `\xff` and `\x00`-`a`).
 *
 * @example
 * ```ts
 * import { globMatch } from "./glob.ts";
 * globMatch("user:[0-9]*", "user:42"); // true
 * globMatch("h?llo", "HELLO", true); // true (case-insensitive)
 * ```
 * @module
 */

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as C's signed `char` (x86-64, where Redis compares range bounds as signed). */
function signedChar(c: number): number {
  return c >= 128 && c <= 255 ? c - 256 : c;
}

interface MatchState {
  skipLonger: boolean;
}

function matchAt(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  state: MatchState,
  nesting: number,
): boolean {
  if (nesting > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42) { // *
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      while (si < slen) {
        if (matchAt(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
        si++;
      }
      state.skipLonger = true;
      return false;
    } else if (pc === 63) { // ?
      si++;
    } else if (pc === 91) { // [
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === 94;
      if (not) pi++;
      let match = false;
      const c = s.charCodeAt(si);
      for (;;) {
        if (pi < plen && p.charCodeAt(pi) === 92 && plen - pi >= 2) {
          pi++;
          if (p.charCodeAt(pi) === c) match = true;
        } else if (pi < plen && p.charCodeAt(pi) === 93) {
          break;
        } else if (pi >= plen) {
          pi--;
          break;
        } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === 45) {
          let start = signedChar(p.charCodeAt(pi));
          let end = signedChar(p.charCodeAt(pi + 2));
          let ch = signedChar(c);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          pi += 2;
          if (ch >= start && ch <= end) match = true;
        } else if (nocase ? lower(p.charCodeAt(pi)) === lower(c) : p.charCodeAt(pi) === c) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
    } else {
      if (pc === 92 && plen - pi >= 2) pi++; // backslash escapes the next char
      const a = p.charCodeAt(pi);
      const b = s.charCodeAt(si);
      if (nocase ? lower(a) !== lower(b) : a !== b) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi >= plen && si === slen;
}

/** Whether `text` matches the Redis glob `pattern`. */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  return matchAt(pattern, 0, text, 0, nocase, { skipLonger: false }, 0);
}
