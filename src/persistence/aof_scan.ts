/**
 * Walks the RESP records of an append-only file without running them, the way Redis reads them,
 * to say where the file is whole: how many records, where the last whole one ends, whether the
 * end is clean, a record cut short (a crash mid-write), or damage at some offset, and where a
 * MULTI left open at the end began (Redis reverts a transaction without its EXEC).
 *
 * Two readers, because Redis has two and they disagree on the details:
 * - `"load"` follows loadSingleAppendOnlyFile: lines read with `fgets` into 1024 bytes, counts
 *   with `atoi` (a count below 1 is a format error), lengths with `strtol`, and the two bytes
 *   after a payload skipped unchecked. This is what the server's start-up accepts, and
 *   `validUpTo` is where it cuts a truncated file with aof-load-truncated yes.
 * - `"check"` follows redis-check-aof: 128-byte lines, every `\r\n` checked, counts of 0 or less
 *   accepted, MULTI/EXEC nesting checked, and its error text, offset and line number, for
 *   `miniredis check-aof` to print.
 *
 * `#` lines (`#TS:<unix>` annotations of aof-timestamp-enabled) are skipped as both do, and can
 * be seen through `onAnnotation`. The walk is one pass over the bytes with no copies: payloads
 * are skipped by their length, only a record's first argument is looked at.
 *
 * @example
 * ```ts
 * import { scanAof } from "./aof_scan.ts";
 * const bytes = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\n");
 * const scan = scanAof(bytes);
 * scan.end; // "truncated"
 * scan.records; // 1
 * scan.validUpTo; // 14: cut here to keep the whole records
 * ```
 * @module
 */

/** Which of Redis's two readers to follow. */
export type AofScanMode = "load" | "check";

/** Options of `scanAof`. */
export interface AofScanOptions {
  /** `"load"` (the server's loader, the default) or `"check"` (redis-check-aof). */
  readonly mode?: AofScanMode;
  /**
   * Called for each `#` line with its offset and the offset just past it (the line as the
   * reader sees it: up to a newline, at most 1023 bytes). Returning false stops the walk there
   * (`end` is `"stopped"`, `errorOffset` the line's offset): check-aof's
   * --truncate-to-timestamp cuts the file at the first `#TS:` beyond the time.
   */
  readonly onAnnotation?: ((offset: number, end: number) => boolean) | undefined;
  /** Check mode: the line counter to start from (redis-check-aof carries it across files). */
  readonly line?: number;
  /** Check mode: the file name in "Unexpected MULTI/EXEC in AOF <file>". */
  readonly fileName?: string;
}

/** What `scanAof` found. Offsets are into the bytes given, not relative to `start`. */
export interface AofScanResult {
  /**
   * `"clean"`: the bytes end between records (possibly inside an open MULTI, see
   * `multiStart`). `"truncated"`: they end inside a record. `"damaged"`: a record is malformed
   * before the end (`errorOffset`). `"stopped"`: `onAnnotation` returned false.
   */
  readonly end: "clean" | "truncated" | "damaged" | "stopped";
  /** Whole records read (annotations not counted). */
  readonly records: number;
  /**
   * Where to cut to keep only what loads, as Redis's loader does with aof-load-truncated yes
   * (its valid_up_to): the end of the last whole command (annotations after it are not kept),
   * even inside a MULTI when a record is cut short; when the bytes end cleanly inside a MULTI,
   * the end of the last command before the MULTI. Never below `start` (Redis's is 0 before the
   * first command, which would cut an RDB preamble off).
   */
  readonly validUpTo: number;
  /**
   * redis-check-aof's `ok_up_to`: the start of the record (or of the open MULTI) where reading
   * stopped; the length of the bytes when they are whole. `--fix` cuts here.
   */
  readonly okUpTo: number;
  /** The offset of the MULTI record left open at the end, or -1. */
  readonly multiStart: number;
  /**
   * Where the problem is: in check mode the offset redis-check-aof prints (its `epos`); in
   * load mode the start of the malformed line. -1 when there is none.
   */
  readonly errorOffset: number;
  /**
   * Check mode: redis-check-aof's error text (printed after `0x<offset>: `), "" when none. A
   * record starting with another byte than `*` or `#` leaves this empty and sets
   * `formatError` (redis-check-aof then prints "AOF <file> format error").
   */
  readonly error: string;
  /** Check mode: reading stopped at a line that starts with neither `*` nor `#`. */
  readonly formatError: boolean;
  /** Check mode: redis-check-aof's line counter after the walk (its `ok_up_to_line`). */
  readonly line: number;
}

const LF = 10;
const CR = 13;
const STAR = 42;
const DOLLAR = 36;
const HASH = 35;

/** C's isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The end of the line an `fgets(buf, limit + 1)` reads from `pos`: through `\n`, at most `limit`. */
function lineEnd(bytes: Uint8Array, pos: number, limit: number): number {
  const stop = Math.min(bytes.length, pos + limit);
  for (let i = pos; i < stop; i++) if (bytes[i] === LF) return i + 1;
  return stop;
}

// strtol's results, kept in module variables so the hot path allocates nothing.
let numValue = 0;
let numEnd = 0;
/** The exact value when it does not fit a double exactly (more than 15 digits), else null. */
let numBig: bigint | null = null;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/**
 * C's strtol(base 10) over the C string at bytes[pos..stop) (it ends at a NUL byte): leading
 * spaces, a sign, digits; clamped to the range of a long. No digits: value 0 and `numEnd` is
 * `pos`, as strtol leaves endptr at the start.
 */
function strtol(bytes: Uint8Array, pos: number, stop: number): void {
  let i = pos;
  while (i < stop && isSpace(bytes[i]!)) i++;
  let negative = false;
  if (i < stop && (bytes[i] === 43 || bytes[i] === 45)) {
    negative = bytes[i] === 45;
    i++;
  }
  const digits = i;
  let value = 0;
  while (i < stop) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  numBig = null;
  if (i === digits) {
    numValue = 0;
    numEnd = pos;
    return;
  }
  numEnd = i;
  if (i - digits > 15) {
    let big = 0n;
    for (let k = digits; k < i; k++) big = big * 10n + BigInt(bytes[k]! - 48);
    if (negative) big = -big;
    if (big > LONG_MAX) big = LONG_MAX;
    if (big < LONG_MIN) big = LONG_MIN;
    numBig = big;
    numValue = Number(big);
    return;
  }
  numValue = negative ? -value : value;
}

/** Case-insensitive match of an ASCII lowercase word at bytes[pos..pos+len). */
function wordIs(bytes: Uint8Array, pos: number, len: number, word: string): boolean {
  if (len !== word.length) return false;
  for (let i = 0; i < len; i++) {
    if ((bytes[pos + i]! | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The length of the C string at bytes[pos..pos+len) (up to the first NUL), as far as telling
 * "multi" and "exec" apart needs: a NUL after the sixth byte does not matter.
 */
function cLength(bytes: Uint8Array, pos: number, len: number): number {
  const stop = Math.min(len, 6);
  for (let i = 0; i < stop; i++) if (bytes[pos + i] === 0) return i;
  return len;
}

/** printf("%02x") of a C `char` (signed): bytes from 0x80 print as ffffff80... */
function hexChar(c: number): string {
  return c >= 0x80 ? `ffffff${c.toString(16)}` : c.toString(16).padStart(2, "0");
}

/**
 * Walks the records from `start` (past an RDB preamble, say) to the end of `bytes`. See the
 * module documentation for the two modes.
 */
export function scanAof(
  bytes: Uint8Array,
  start = 0,
  options: AofScanOptions = {},
): AofScanResult {
  return options.mode === "check"
    ? scanCheck(bytes, start, options)
    : scanLoad(bytes, start, options);
}

/** The loader's reading (loadSingleAppendOnlyFile). */
function scanLoad(bytes: Uint8Array, start: number, options: AofScanOptions): AofScanResult {
  const n = bytes.length;
  const onAnnotation = options.onAnnotation;
  const line = options.line ?? 1;
  let p = start;
  let records = 0;
  let validUpTo = start;
  let validBeforeMulti = start;
  let inMulti = false;
  let multiStart = -1;
  let recordStart = start;
  let end: AofScanResult["end"] = "clean";
  let errorOffset = -1;
  const LINE_MAX = 1023; // fgets(buf, AOF_ANNOTATION_LINE_MAX_LEN)

  scan: while (p < n) {
    recordStart = p;
    let e = lineEnd(bytes, p, LINE_MAX);
    const first = bytes[p]!;
    if (first === HASH) {
      if (onAnnotation !== undefined && !onAnnotation(p, e)) {
        end = "stopped";
        errorOffset = p;
        break;
      }
      p = e;
      continue;
    }
    if (first !== STAR) {
      end = "damaged";
      errorOffset = p;
      break;
    }
    if (e - p === 1) { // "*" and the end of the file: buf[1] is the terminator
      end = "truncated";
      break;
    }
    if (bytes[p + 1] === 0) { // a read error in Redis, not a short read
      end = "damaged";
      errorOffset = p;
      break;
    }
    strtol(bytes, p + 1, e);
    // atoi: the long is cut to an int.
    const argc = numBig !== null
      ? Number(BigInt.asIntN(32, numBig))
      : numValue > 2147483647 || numValue < -2147483648
      ? Number(BigInt.asIntN(32, BigInt(numValue)))
      : numValue;
    if (argc < 1) {
      end = "damaged";
      errorOffset = p;
      break;
    }
    p = e;
    let isMulti = false;
    let isExec = false;
    for (let j = 0; j < argc; j++) {
      if (p >= n) {
        end = "truncated";
        break scan;
      }
      e = lineEnd(bytes, p, LINE_MAX);
      if (bytes[p] !== DOLLAR) {
        end = "damaged";
        errorOffset = p;
        break scan;
      }
      strtol(bytes, p + 1, e);
      // Redis reads the length into an unsigned long: a negative one asks for more memory than
      // there is, and Redis dies; that is damage, not a short read.
      if (numValue < 0) {
        end = "damaged";
        errorOffset = p;
        break scan;
      }
      const len = numValue;
      p = e;
      if (n - p < len + 2) {
        end = "truncated";
        break scan;
      }
      if (j === 0) {
        isMulti = wordIs(bytes, p, len, "multi");
        isExec = !isMulti && wordIs(bytes, p, len, "exec");
      }
      p += len + 2;
    }
    records++;
    if (isMulti) {
      validBeforeMulti = validUpTo;
      if (!inMulti) {
        inMulti = true;
        multiStart = recordStart;
      }
    } else if (isExec && inMulti) {
      inMulti = false;
      multiStart = -1;
    }
    validUpTo = p;
  }
  if (end === "clean" && inMulti) validUpTo = validBeforeMulti;
  const okUpTo = end === "clean" && !inMulti ? n : inMulti ? multiStart : recordStart;
  return {
    end,
    records,
    validUpTo,
    okUpTo,
    multiStart: inMulti ? multiStart : -1,
    errorOffset,
    error: "",
    formatError: false,
    line,
  };
}

/** redis-check-aof's reading (checkSingleAof, processRESP, readLong, readString). */
function scanCheck(bytes: Uint8Array, start: number, options: AofScanOptions): AofScanResult {
  const n = bytes.length;
  const onAnnotation = options.onAnnotation;
  const fileName = options.fileName ?? "";
  let line = options.line ?? 1;
  let p = start;
  let pos = start; // ok_up_to
  let epos = -1;
  let error = "";
  let feof = false;
  let eofFailure = false; // reading failed because the bytes ran out
  let multi = 0;
  let records = 0;
  let validUpTo = start;
  let end: AofScanResult["end"] = "clean";
  let formatError = false;

  // readLong: a line of at most 127 bytes that must be `prefix`, a number, `\r\n`. Returns the
  // number (in numValue/numBig), or null with the error set (or not, at the end of the bytes).
  const readLong = (prefix: number): boolean => {
    epos = p;
    if (p >= n) {
      feof = true;
      eofFailure = true;
      return false;
    }
    const e = lineEnd(bytes, p, 127);
    if (e === n && bytes[e - 1] !== LF && e - p < 127) feof = true;
    if (bytes[p] !== prefix) {
      // A NUL byte ends the message, as it ends the C string Redis prints.
      error = bytes[p] === 0
        ? `Expected prefix '${String.fromCharCode(prefix)}', got: '`
        : `Expected prefix '${String.fromCharCode(prefix)}', got: '${
          String.fromCharCode(bytes[p]!)
        }'`;
      p = e;
      return false;
    }
    // strtol stops at a NUL byte as at any other non-digit, so the whole line will do.
    strtol(bytes, p + 1, e);
    const eptr = numEnd;
    const c0 = eptr < e ? bytes[eptr]! : 0;
    const c1 = eptr + 1 < e ? bytes[eptr + 1]! : 0;
    p = e;
    if (c0 !== CR || c1 !== LF) {
      // Past the terminator is whatever was in Redis's stack buffer before; we say 00.
      error = `Expected \\r\\n, got: ${hexChar(c0)}${hexChar(c1)}`;
      // Cut by the end of the bytes after a valid start of "<number>\r\n": a short write.
      if (e === n && (eptr === e || (eptr === e - 1 && c0 === CR))) eofFailure = true;
      return false;
    }
    line++;
    return true;
  };

  for (;;) {
    if (multi === 0) pos = p;
    if (p >= n) {
      feof = true;
      break;
    }
    const first = bytes[p]!;
    if (first === HASH) {
      epos = p;
      const e = lineEnd(bytes, p, 1023);
      if (onAnnotation !== undefined && !onAnnotation(p, e)) {
        end = "stopped";
        break;
      }
      p = e;
      continue;
    }
    if (first !== STAR) {
      formatError = true;
      break;
    }
    // processRESP
    if (!readLong(STAR)) break;
    const argc = numValue;
    let ok = true;
    for (let i = 0; i < argc; i++) {
      if (!readLong(DOLLAR)) {
        ok = false;
        break;
      }
      if (numValue < 0 || (numBig !== null && numBig > LONG_MAX - 2n)) {
        error = `Expected to read string of ${
          numBig ?? numValue
        } bytes, which is not in the suitable range`;
        ok = false;
        break;
      }
      const len = numValue;
      // readBytes(len + 2)
      epos = p;
      if (n - p < len + 2) {
        const want = numBig !== null ? numBig + 2n : len + 2;
        error = `Expected to read ${want} bytes, got ${n - p} bytes`;
        p = n;
        feof = true;
        eofFailure = true;
        ok = false;
        break;
      }
      if (bytes[p + len] !== CR || bytes[p + len + 1] !== LF) {
        error = `Expected \\r\\n, got: ${hexChar(bytes[p + len]!)}${hexChar(bytes[p + len + 1]!)}`;
        p += len + 2;
        ok = false;
        break;
      }
      line++;
      if (i === 0) {
        // strcasecmp sees the argument as a C string.
        const clen = len >= 5 ? cLength(bytes, p, len) : len;
        if (wordIs(bytes, p, clen, "multi")) {
          if (multi++ !== 0) {
            error = `Unexpected MULTI in AOF ${fileName}`;
            p += len + 2;
            ok = false;
            break;
          }
        } else if (wordIs(bytes, p, clen, "exec")) {
          if (--multi !== 0) {
            error = `Unexpected EXEC in AOF ${fileName}`;
            p += len + 2;
            ok = false;
            break;
          }
        }
      }
      p += len + 2;
    }
    if (!ok) break;
    records++;
    validUpTo = p;
  }

  if (feof && multi > 0 && error === "") {
    error = "Reached EOF before reading EXEC for MULTI";
  }
  if (end !== "stopped") {
    if (formatError) end = "damaged";
    else if (eofFailure) end = "truncated";
    else if (error === "" || error === "Reached EOF before reading EXEC for MULTI") end = "clean";
    else end = "damaged";
  }
  let errorOffset = -1;
  if (end === "stopped") errorOffset = epos;
  else if (error !== "") errorOffset = epos;
  else if (formatError) errorOffset = p;
  return {
    end,
    records,
    validUpTo,
    okUpTo: pos,
    multiStart: multi > 0 ? pos : -1,
    errorOffset,
    error,
    formatError,
    line,
  };
}
