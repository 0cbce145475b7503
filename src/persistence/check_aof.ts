/**
 * `miniredis check-aof [--fix|--truncate-to-timestamp <unix time>] <file>`: redis-check-aof of
 * Redis 7.0, line for line. The file is a manifest (a multi-part AOF: its base file, then its
 * incr files, are checked in order), an old single-file AOF, or one base or incr file; a file
 * that starts with an RDB preamble ("REDIS") has the preamble checked first, with
 * redis-check-rdb's report. It prints what redis-check-aof prints, exits with its status, and
 * repairs as it does: `--fix` cuts the last file back to its last whole record (or to before an
 * unclosed MULTI) after asking "Continue? [y/N]: "; `--truncate-to-timestamp` cuts the last
 * file at the first `#TS:` annotation later than the time, without asking.
 *
 * Redis's quirks are kept on purpose, so that scripts written against redis-check-aof work:
 * the line counter runs on across the files of a manifest, a file is taken for a manifest when
 * any of its lines starts with "file", and an incr file that begins with a later timestamp
 * cannot be cut ("has nothing before timestamp"). One difference cannot be avoided: where a
 * line ends at the end of the file, Redis prints a byte of uninitialised memory as the second
 * byte of "Expected \r\n, got: 00xx"; we print 00.
 *
 * @example
 * ```ts
 * import { checkAof } from "./check_aof.ts";
 * const status = await checkAof(["appendonlydir/appendonly.aof.manifest"]);
 * // prints "Start checking Multi Part AOF" ... "All AOF files and manifest are valid"; 0
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { latin1Decode, Latin1Decoder, latin1Encode } from "../resp/latin1.ts";
import { makePath, ManifestError, parseManifest, strerror } from "./aof_manifest.ts";
import { scanAof } from "./aof_scan.ts";
import { Crc64 } from "./crc64.ts";
import { readIntset } from "./intset.ts";
import { int64Of } from "./listpack.ts";
import { lzfDecompress } from "./lzf.ts";
import { moduleTypeName } from "./rdb.ts";
import { readZiplist, readZipmap } from "./ziplist.ts";

/** Where check-aof talks: standard output and input, the clock and pid of its log lines. */
export interface CheckAofIo {
  /** Writes text to standard output, one char per byte. */
  write(text: string): void;
  /** Reads one byte of standard input for the --fix confirmation; null at its end. */
  readChar(): Promise<string | null>;
  /** The pid shown in log lines. */
  readonly pid: number;
  /** The time shown in log lines. */
  now(): Date;
  /** The program name in the usage line. */
  readonly programName: string;
}

/** Standard output, input, Deno.pid and the wall clock. */
export function defaultCheckAofIo(programName = "miniredis check-aof"): CheckAofIo {
  return {
    write(text: string): void {
      const bytes = latin1Encode(text);
      let offset = 0;
      while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
    },
    async readChar(): Promise<string | null> {
      const buf = new Uint8Array(1);
      const n = await Deno.stdin.read(buf);
      return n === null || n === 0 ? null : String.fromCharCode(buf[0]!);
    },
    pid: Deno.pid,
    now: () => new Date(),
    programName,
  };
}

/** Redis's `exit(status)` from deep inside the check, carried up to `checkAof`. */
class Exit {
  constructor(readonly status: number) {}
}

const AOF_CHECK_OK = 0;
const AOF_CHECK_EMPTY = 1;
const AOF_CHECK_TRUNCATED = 2;
const AOF_CHECK_TIMESTAMP_TRUNCATED = 3;

const PATH_MAX = 4096;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** glibc's dirname. */
export function dirname(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  const slash = path.lastIndexOf("/", end - 1);
  if (slash < 0) return ".";
  let cut = slash;
  while (cut > 0 && path[cut - 1] === "/") cut--;
  return cut === 0 ? "/" : path.slice(0, cut);
}

/**
 * C's `strtol(s, &end, 10)` with redis-check-aof's checks (`errno == 0 && *end == '\0'`): the
 * value, or null when the text is not wholly a number or overflows a long.
 */
function parseTimestampArg(s: string): bigint | null {
  if (s === "") return 0n; // no digits: endptr stays at the start, which is the terminator
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[1]!);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/**
 * True when redis-check-aof takes the file for a manifest (its fileIsManifest): some line, read
 * in 1024-byte pieces that are not `#` comments, starts with "file".
 */
export function looksLikeManifest(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let from = 0;
  for (;;) {
    const at = buf.indexOf("file", from, "latin1");
    if (at < 0) return false;
    const lineStart = at === 0 ? 0 : buf.lastIndexOf(10, at - 1) + 1;
    if ((at - lineStart) % 1024 === 0) return true;
    from = at + 1;
  }
}

/** True when the file starts with an RDB header (its fileIsRDB). */
export function looksLikeRdb(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x52 && bytes[1] === 0x45 && bytes[2] === 0x44 &&
    bytes[3] === 0x49 && bytes[4] === 0x53;
}

/** Reads a whole open file. */
async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const size = (await file.stat()).size;
  const out = new Uint8Array(size);
  let n = 0;
  while (n < size) {
    const got = await file.read(out.subarray(n));
    if (got === null) return out.subarray(0, n);
    n += got;
  }
  return out;
}

/** One run of the checker: Redis's globals (`line`, `to_timestamp`) live here. */
class Checker {
  readonly #io: CheckAofIo;
  #line = 1;
  #toTimestamp = 0n;
  #fix = false;

  constructor(io: CheckAofIo) {
    this.#io = io;
  }

  #print(text: string): void {
    this.#io.write(text);
  }

  /** serverLog(LL_WARNING, ...) as redis-check-aof's process logs: to stdout, role C. */
  #log(message: string): void {
    const d = this.#io.now();
    const two = (n: number) => String(n).padStart(2, "0");
    const time = `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
      `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
      String(d.getMilliseconds()).padStart(3, "0");
    this.#print(`${this.#io.pid}:C ${time} # ${message}\n`);
  }

  #exit(status: number): never {
    throw new Exit(status);
  }

  /** Opens and reads a file for the type checks ("r"), with their error texts. */
  async #readForType(filePath: string): Promise<Uint8Array> {
    const path = bytesText(filePath);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(filePath, { read: true });
    } catch (error) {
      this.#print(`Cannot open file ${path}: ${strerror(error)}\n`);
      this.#exit(1);
    }
    try {
      return await readAll(file);
    } catch {
      this.#print(`Cannot read file: ${path}\n`);
      this.#exit(1);
    } finally {
      file.close();
    }
  }

  async run(args: string[]): Promise<number> {
    let filepath: string;
    if (args.length === 1) {
      filepath = args[0]!;
    } else if (args.length === 2 && args[0] === "--fix") {
      filepath = args[1]!;
      this.#fix = true;
    } else if (args.length === 3 && args[0] === "--truncate-to-timestamp") {
      const ts = parseTimestampArg(args[1]!);
      if (ts === null) {
        this.#print("Invalid timestamp, aborting...\n");
        return 1;
      }
      this.#toTimestamp = ts;
      filepath = args[2]!;
    } else {
      return this.#usage();
    }
    if (new TextEncoder().encode(filepath).length > PATH_MAX) {
      this.#print("Error: filepath is too long (exceeds PATH_MAX)\n");
      return this.#usage();
    }
    const dirpath = dirname(filepath);
    const type = await this.#fileType(filepath);
    if (type === "manifest") {
      await this.#checkMultiPart(dirpath, filepath);
    } else {
      this.#print("Start checking Old-Style AOF\n");
      const ret = await this.#checkSingle(filepath, filepath, true, type === "rdb");
      this.#printStyle(ret, filepath, "AOF");
    }
    return 0;
  }

  /** getInputFileType: a manifest, an AOF with an RDB preamble, or a plain AOF. */
  async #fileType(filePath: string): Promise<"manifest" | "rdb" | "aof"> {
    const bytes = await this.#readForType(filePath);
    if (bytes.length > 0 && looksLikeManifest(bytes)) return "manifest";
    return looksLikeRdb(bytes) ? "rdb" : "aof";
  }

  /** fileIsRDB: reads only the signature. */
  async #isRdbFile(filePath: string): Promise<boolean> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(filePath, { read: true });
    } catch (error) {
      this.#print(`Cannot open file ${bytesText(filePath)}: ${strerror(error)}\n`);
      this.#exit(1);
    }
    try {
      const head = new Uint8Array(8);
      let n = 0;
      while (n < 8) {
        const got = await file.read(head.subarray(n));
        if (got === null) break;
        n += got;
      }
      return looksLikeRdb(head.subarray(0, n));
    } catch {
      return false;
    } finally {
      file.close();
    }
  }

  #usage(): number {
    this.#print(
      `Usage: ${this.#io.programName} [--fix|--truncate-to-timestamp $timestamp] ` +
        `<file.manifest|file.aof>\n`,
    );
    return 1;
  }

  #printStyle(ret: number, fileName: string, kind: string): void {
    const name = bytesText(fileName);
    if (ret === AOF_CHECK_OK) this.#print(`${kind} ${name} is valid\n`);
    else if (ret === AOF_CHECK_EMPTY) this.#print(`${kind} ${name} is empty\n`);
    else if (ret === AOF_CHECK_TIMESTAMP_TRUNCATED) {
      this.#print(`Successfully truncated AOF ${name} to timestamp ${this.#toTimestamp}\n`);
    } else if (ret === AOF_CHECK_TRUNCATED) this.#print(`Successfully truncated AOF ${name}\n`);
  }

  async #checkMultiPart(dirpath: string, manifestPath: string): Promise<void> {
    this.#print("Start checking Multi Part AOF\n");
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(manifestPath);
    } catch (error) {
      this.#log(
        `Fatal error: can't open the AOF manifest file ${bytesText(manifestPath)} for reading: ${
          strerror(error)
        }`,
      );
      this.#exit(1);
    }
    let manifest;
    try {
      manifest = parseManifest(bytes);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      for (const message of error.logMessages()) this.#log(message);
      this.#exit(1);
    }
    const total = (manifest.base === null ? 0 : 1) + manifest.incr.length;
    let count = 0;
    if (manifest.base !== null) {
      const name = manifest.base.fileName;
      const path = makePath(dirpath, name);
      const last = ++count === total;
      const preamble = await this.#isRdbFile(path);
      this.#print(`Start to check BASE AOF (${preamble ? "RDB" : "RESP"} format).\n`);
      const ret = await this.#checkSingle(name, path, last, preamble);
      this.#printStyle(ret, name, "BASE AOF");
    }
    if (manifest.incr.length > 0) {
      this.#print("Start to check INCR files.\n");
      for (const info of manifest.incr) {
        const path = makePath(dirpath, info.fileName);
        const last = ++count === total;
        const ret = await this.#checkSingle(info.fileName, path, last, false);
        this.#printStyle(ret, info.fileName, "INCR AOF");
      }
    }
    this.#print("All AOF files and manifest are valid\n");
  }

  /** checkSingleAof: one base, incr or old-style file. */
  async #checkSingle(
    fileName: string,
    filePath: string,
    last: boolean,
    preamble: boolean,
  ): Promise<number> {
    // Names are printed as their bytes, like everything else (one char per byte).
    const name = bytesText(fileName);
    const path = bytesText(filePath);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(filePath, { read: true, write: true });
    } catch (error) {
      this.#print(`Cannot open file ${path}: ${strerror(error)}, aborting...\n`);
      this.#exit(1);
    }
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readAll(file);
      } catch {
        this.#print(`Failed to read from AOF ${name}, aborting...\n`);
        this.#exit(1);
      }
      const size = bytes.length;
      if (size === 0) return AOF_CHECK_EMPTY;

      let start = 0;
      if (preamble) {
        const end = checkRdbPreamble(
          bytes,
          name,
          (text) => this.#print(text),
          (message) => this.#log(message),
        );
        if (end === null) {
          this.#print("RDB preamble of AOF file is not sane, aborting.\n");
          this.#exit(1);
        }
        this.#print("RDB preamble is OK, proceeding with AOF tail...\n");
        start = end;
      }

      const toTimestamp = this.#toTimestamp;
      const scan = scanAof(bytes, start, {
        mode: "check",
        line: this.#line,
        fileName: path,
        onAnnotation: toTimestamp === 0n
          ? undefined
          : (offset, end) => this.#annotation(bytes, offset, end, path, last, toTimestamp),
      });
      this.#line = scan.line;
      if (scan.end === "stopped") {
        try {
          await file.truncate(scan.errorOffset);
        } catch {
          this.#print(`Failed to truncate AOF ${path} to timestamp ${toTimestamp}\n`);
          this.#exit(1);
        }
        return AOF_CHECK_TIMESTAMP_TRUNCATED;
      }
      if (scan.formatError) this.#print(`AOF ${name} format error\n`);
      if (scan.error !== "") {
        this.#print(`0x${scan.errorOffset.toString(16).padStart(16, " ")}: ${scan.error}\n`);
      }
      const pos = scan.okUpTo;
      const diff = size - pos;
      if (diff === 0 && toTimestamp !== 0n) {
        this.#print(`Truncate nothing in AOF ${name} to timestamp ${toTimestamp}\n`);
        return AOF_CHECK_OK;
      }
      this.#print(
        `AOF analyzed: filename=${name}, size=${size}, ok_up_to=${pos}, ` +
          `ok_up_to_line=${scan.line}, diff=${diff}\n`,
      );
      if (diff > 0) {
        if (!this.#fix) {
          this.#print(`AOF ${name} is not valid. Use the --fix option to try fixing it.\n`);
          this.#exit(1);
        }
        if (!last) {
          this.#print(`Failed to truncate AOF ${name} because it is not the last file\n`);
          this.#exit(1);
        }
        this.#print(
          `This will shrink the AOF ${name} from ${size} bytes, with ${diff} bytes, ` +
            `to ${pos} bytes\n`,
        );
        this.#print("Continue? [y/N]: ");
        const answer = await this.#io.readChar();
        if (answer === null || (answer !== "y" && answer !== "Y")) {
          this.#print("Aborting...\n");
          this.#exit(1);
        }
        try {
          await file.truncate(pos);
        } catch {
          this.#print(`Failed to truncate AOF ${name}\n`);
          this.#exit(1);
        }
        return AOF_CHECK_TRUNCATED;
      }
      return AOF_CHECK_OK;
    } finally {
      file.close();
    }
  }

  /**
   * processAnnotations with --truncate-to-timestamp: true to read on, false to cut the file
   * here. Throws Exit where Redis exits.
   */
  #annotation(
    bytes: Uint8Array,
    offset: number,
    end: number,
    path: string,
    last: boolean,
    toTimestamp: bigint,
  ): boolean {
    if (
      end - offset < 4 || bytes[offset + 1] !== 0x54 || bytes[offset + 2] !== 0x53 ||
      bytes[offset + 3] !== 0x3a
    ) {
      return true; // not "#TS:"
    }
    // strtol(buf + 4, &endptr, 10) must stop at '\r' without overflowing.
    const text = latin1Decode(bytes, offset + 4, end);
    const m = /^[ \t\n\v\f\r]*([+-]?\d*)/.exec(text)!;
    let ts = 0n;
    let endptr: number;
    if (/\d/.test(m[1]!)) {
      ts = BigInt(m[1]!);
      endptr = m[0].length;
    } else {
      endptr = 0;
    }
    if (ts > 9223372036854775807n || ts < -9223372036854775808n || text[endptr] !== "\r") {
      this.#print("Invalid timestamp annotation\n");
      this.#exit(1);
    }
    if (ts <= toTimestamp) return true;
    if (offset === 0) {
      this.#print(`AOF ${path} has nothing before timestamp ${toTimestamp}, aborting...\n`);
      this.#exit(1);
    }
    if (!last) {
      this.#print(
        `Failed to truncate AOF ${path} to timestamp ${toTimestamp} to offset ${offset} ` +
          `because it is not the last file.\n`,
      );
      this.#print(
        "If you insist, please delete all files after this file according to the manifest " +
          "file and delete the corresponding records in manifest file manually. " +
          "Then re-run redis-check-aof.\n",
      );
      this.#exit(1);
    }
    return false;
  }
}

/**
 * Runs check-aof with its arguments (without the program name) and returns the exit status:
 * 0 when the files are valid or were repaired, 1 otherwise.
 */
export async function checkAof(
  args: string[],
  io: CheckAofIo = defaultCheckAofIo(),
): Promise<number> {
  try {
    return await new Checker(io).run(args);
  } catch (error) {
    if (error instanceof Exit) return error.status;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The RDB preamble: redis-check-rdb's report.
//
// redis-check-rdb prints a line per aux field and SELECTDB with the offset reached, counts keys
// and expiries, and on failure says what it was doing, at which offset, on which key, in words
// that depend on where in rdb.c the failure was seen. `parseRdb` loads values but reports none
// of that, and refuses some images Redis's checker accepts (an encoded-value byte read as a
// length, streams), so the image is walked here read by read as Redis 7.0.15 reads it in check
// mode (an offset in its report counts the bytes read before the failing read), with the same
// deep checks of listpacks, ziplists, intsets and zipmaps (the readers of listpack.ts and co.).

/** What redis_check_rdb was doing (rdb_check_doing_string). */
const DOING = [
  "start",
  "read-type",
  "read-expire",
  "read-key",
  "read-object-value",
  "check-sum",
  "read-len",
  "read-aux",
  "read-module-aux",
  "read-functions",
];
const READ_TYPE = 1;
const READ_EXPIRE = 2;
const READ_KEY = 3;
const READ_OBJECT_VALUE = 4;
const CHECK_SUM = 5;
const READ_LEN = 6;
const READ_AUX = 7;
const READ_MODULE_AUX = 8;
const READ_FUNCTIONS = 9;

/** rdb_type_string of Redis 7.0 (types from 19 on are "unknown"). */
const RDB_TYPE_NAMES = [
  "string",
  "list-linked",
  "set-hashtable",
  "zset-v1",
  "hash-hashtable",
  "zset-v2",
  "module-value",
  "",
  "",
  "hash-zipmap",
  "list-ziplist",
  "set-intset",
  "zset-ziplist",
  "hash-ziplist",
  "quicklist",
  "stream",
  "hash-listpack",
  "zset-listpack",
  "quicklist-v2",
];

/**
 * The encoding thresholds Redis 7.0.15's checker was measured to load with: a hash of more
 * than 512 fields, or a set of more than 512 members, is a dict from the start; a field or
 * value longer than 64 bytes turns a hash into a dict.
 */
const HASH_MAX_LISTPACK_ENTRIES = 512;
const HASH_MAX_LISTPACK_VALUE = 64;
const SET_MAX_INTSET_ENTRIES = 512;

/** The read ran past the end of the bytes, or a loader gave NULL without saying why. */
class RdbEof {}
/** rdbReportCorruptRDB at `line` of rdb.c 7.0.15: reported at once, then Redis exits. */
class RdbCorrupt {
  constructor(readonly line: number, readonly reason: string) {}
}
/** rdbCheckError then `goto err`: reported, and the check fails. */
class RdbFailure {
  constructor(readonly message: string) {}
}

/** Blob types: the reader that validates them, the message and rdb.c line of a failure. */
const BLOBS: Record<
  number,
  [
    (b: Uint8Array, s: number, e: number, out: string[], l: Latin1Decoder) => boolean,
    string,
    number,
    boolean,
  ]
> = {
  9: [readZipmap, "Zipmap integrity check failed.", 2130, true],
  10: [readZiplist, "List ziplist integrity check failed.", 2189, false],
  11: [(b, s, e, out) => readIntset(b, s, e, out), "Intset integrity check failed.", 2214, false],
  12: [readZiplist, "Zset ziplist integrity check failed.", 2229, true],
  13: [readZiplist, "Hash ziplist integrity check failed.", 2275, true],
  16: [walkListpack, "Hash listpack integrity check failed.", 2301, true],
  17: [walkListpack, "Zset listpack integrity check failed.", 2255, true],
};

/** The walk over an RDB image, with redis_check_rdb's state (rdbstate). */
class RdbWalk {
  readonly bytes: Uint8Array;
  pos = 0;
  doing = 0;
  key: string | null = null;
  /** Zero before the first key, as Redis's zeroed static struct; -1 between keys. */
  keyType = 0;
  keys = 0;
  expires = 0;
  alreadyExpired = 0;
  /** The bytes of the last string read: `blob` holds them from `blobStart` to `blobEnd`. */
  blob: Uint8Array;
  blobStart = 0;
  blobEnd = 0;
  readonly latin1 = new Latin1Decoder();
  readonly items: string[] = [];
  /** The last length read, exactly, when it is beyond 2^53 (for printing); else null. */
  exactLength: bigint | null = null;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.blob = bytes;
  }

  need(n: number): number {
    if (this.pos + n > this.bytes.length) throw new RdbEof();
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }

  /**
   * rdbLoadLen; `encoded` receives whether it was a special string encoding. A 64-bit length
   * of 2^64-1 is Redis's RDB_LENERR: where Redis compares with it, it is a failed read (after
   * the bytes were read), unless `lenErrIsValue` (Redis checks the read error flag instead).
   */
  len(encoded?: { value: boolean }, lenErrIsValue = false): number {
    this.exactLength = null;
    const b = this.u8();
    const kind = b >> 6;
    if (kind === 3) {
      // Without `isencoded` Redis takes the low bits as the length.
      if (encoded !== undefined) encoded.value = true;
      return b & 0x3f;
    }
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.u8();
    const bytes = this.bytes;
    if (b === 0x80) {
      const p = this.need(4);
      return ((bytes[p]! << 24) >>> 0) + (bytes[p + 1]! << 16) + (bytes[p + 2]! << 8) +
        bytes[p + 3]!;
    }
    if (b === 0x81) {
      const p = this.need(8);
      let v = 0;
      let all = 0xff;
      for (let i = 0; i < 8; i++) {
        v = v * 256 + bytes[p + i]!;
        all &= bytes[p + i]!;
      }
      if (all === 0xff && !lenErrIsValue) throw new RdbEof();
      if (v > Number.MAX_SAFE_INTEGER) {
        this.exactLength = new DataView(bytes.buffer, bytes.byteOffset + p, 8).getBigUint64(0);
      }
      return v;
    }
    throw new RdbCorrupt(236, `Unknown length encoding ${kind} in rdbLoadLen()`);
  }

  /** rdbGenericLoadStringObject: sets `blob`/`blobStart`/`blobEnd` to the string's bytes. */
  read(): void {
    const encoded = { value: false };
    const len = this.len(encoded);
    const bytes = this.bytes;
    if (!encoded.value) {
      const p = this.need(len);
      this.blob = bytes;
      this.blobStart = p;
      this.blobEnd = p + len;
      return;
    }
    let text: string;
    if (len === 0) {
      text = String(bytes[this.need(1)]! << 24 >> 24);
    } else if (len === 1) {
      const p = this.need(2);
      text = String((bytes[p]! | (bytes[p + 1]! << 8)) << 16 >> 16);
    } else if (len === 2) {
      const p = this.need(4);
      text = String(
        bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24),
      );
    } else if (len === 3) {
      const clen = this.len();
      const ulen = this.len();
      // Redis allocates the output first: 128 TB or more it cannot have (the user address
      // space), which is a NULL, so "Unexpected EOF" here, before the compressed bytes.
      if (ulen >= 2 ** 47) throw new RdbEof();
      const p = this.need(clen);
      if (ulen > 2 ** 31) throw new RdbCorrupt(413, "Invalid LZF compressed string");
      const out = new Uint8Array(ulen);
      // 7.0 takes a failed inflate into zero bytes for a good one (both are 0).
      if (lzfDecompress(bytes, p, p + clen, out, 0, ulen) !== ulen) {
        throw new RdbCorrupt(413, "Invalid LZF compressed string");
      }
      this.blob = out;
      this.blobStart = 0;
      this.blobEnd = ulen;
      return;
    } else {
      throw new RdbCorrupt(529, `Unknown RDB string encoding type ${len}`);
    }
    this.blob = latin1Encode(text);
    this.blobStart = 0;
    this.blobEnd = this.blob.length;
  }

  /** A string read as latin1 text. */
  string(): string {
    this.read();
    return latin1Decode(this.blob, this.blobStart, this.blobEnd);
  }

  /** rdbLoadObject in check mode: its reads and its checks. */
  value(type: number): void {
    switch (type) {
      case 0: // string
        this.read();
        return;
      case 1: { // list
        const n = this.nonEmptyLen();
        for (let i = 0; i < n; i++) this.read();
        return;
      }
      case 2: { // set: an intset while members are integers and few enough, else a dict
        const n = this.nonEmptyLen();
        let intset = n <= SET_MAX_INTSET_ENTRIES;
        if (!intset) this.dictExpand(n, 1785);
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const member = this.string();
          if (intset && int64Of(member) === null) intset = false;
          if (seen.has(member)) {
            throw new RdbCorrupt(intset ? 1809 : 1829, "Duplicate set members detected");
          }
          seen.add(member);
        }
        return;
      }
      case 3: // zset-v1
      case 5: { // zset-v2
        const n = this.nonEmptyLen();
        if (n > 4) this.dictExpand(n, 1851);
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const member = this.string();
          let nan: boolean;
          if (type === 5) {
            const p = this.need(8);
            nan = Number.isNaN(new DataView(this.bytes.buffer, this.bytes.byteOffset + p, 8)
              .getFloat64(0, true));
          } else {
            const b = this.u8();
            if (b < 253) {
              // rdbLoadDoubleValue: sscanf("%lg") must convert something, else NULL.
              const p = this.need(b);
              const text = cString(latin1Decode(this.bytes, p, p + b));
              if (!/^[ \t\n\v\f\r]*[+-]?(?:\d|\.\d|inf|nan)/i.test(text)) throw new RdbEof();
              nan = /^[ \t\n\v\f\r]*[+-]?nan/i.test(text);
            } else nan = b === 253;
          }
          if (nan) throw new RdbCorrupt(1882, "Zset with NAN score detected");
          if (seen.has(member)) throw new RdbCorrupt(1894, "Duplicate zset fields detected");
          seen.add(member);
        }
        return;
      }
      case 4: { // hash: a listpack (with a duplicate search) until a long field or value
        const n = this.nonEmptyLen();
        let listpack = n <= HASH_MAX_LISTPACK_ENTRIES;
        if (!listpack) this.dictExpand(n, 1996);
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const field = this.string();
          this.read();
          const valueLength = this.blobEnd - this.blobStart;
          if (seen.has(field)) {
            throw listpack
              ? new RdbCorrupt(1951, "Hash with dup elements")
              : new RdbCorrupt(2019, "Duplicate hash fields detected");
          }
          seen.add(field);
          if (field.length > HASH_MAX_LISTPACK_VALUE || valueLength > HASH_MAX_LISTPACK_VALUE) {
            listpack = false;
          }
        }
        return;
      }
      case 14: // quicklist of ziplists
      case 18: { // quicklist-v2: nodes of listpacks, or plain
        const n = this.nonEmptyLen();
        let elements = 0;
        for (let i = 0; i < n; i++) {
          const container = type === 18 ? this.len() : 2;
          if (container !== 1 && container !== 2) {
            throw new RdbCorrupt(2048, "Quicklist integrity check failed.");
          }
          this.read();
          // An empty node: Redis's loader gives NULL without an error.
          if (this.blobEnd === this.blobStart) throw new RdbEof();
          if (container === 1) {
            elements++;
            continue;
          }
          this.items.length = 0;
          const ok = type === 18
            ? walkListpack(this.blob, this.blobStart, this.blobEnd, this.items, this.latin1)
            : readZiplist(this.blob, this.blobStart, this.blobEnd, this.items, this.latin1);
          if (!ok) {
            throw type === 18
              ? new RdbCorrupt(2071, "Listpack integrity check failed.")
              : new RdbCorrupt(2081, "Ziplist integrity check failed.");
          }
          elements += this.items.length;
        }
        if (elements === 0) throw new RdbEof(); // emptykey
        return;
      }
      case 15:
      case 19:
        this.stream(type);
        return;
      case 6: { // a module value of before 4.0's release: needs the module
        const name = moduleTypeName(this.moduleId());
        throw new RdbCorrupt(
          2636,
          `The RDB file contains module data I can't load: no matching module type '${name}'`,
        );
      }
      case 7:
        this.moduleValue(moduleTypeName(this.moduleId()));
        return;
      default: {
        const blob = BLOBS[type]!;
        const [decode, message, line, pairs] = blob;
        this.read();
        const items = this.items;
        items.length = 0;
        if (!decode(this.blob, this.blobStart, this.blobEnd, items, this.latin1)) {
          throw new RdbCorrupt(line, message);
        }
        if (pairs) {
          if (items.length % 2 !== 0) throw new RdbCorrupt(line, message);
          const fields = new Set<string>();
          for (let i = 0; i < items.length; i += 2) {
            if (fields.has(items[i]!)) {
              throw type === 9
                ? new RdbCorrupt(
                  2154,
                  `Hash zipmap with dup elements, or big length (${items[i]!.length})`,
                )
                : new RdbCorrupt(line, message);
            }
            fields.add(items[i]!);
          }
        }
        if (items.length === 0) throw new RdbEof(); // emptykey
        return;
      }
    }
  }

  nonEmptyLen(): number {
    const n = this.len();
    if (n === 0) throw new RdbEof(); // Redis's emptykey: NULL without an error
    return n;
  }

  /**
   * dictTryExpand(len) for a collection loaded as a dict. Its table has the next power of two
   * of pointers; a table of 128 TB (the user address space) or more cannot be allocated and
   * Redis reports it, but when the size in bytes overflows 64 bits dictTryExpand gives up
   * without counting it as an allocation failure, and loading goes on.
   */
  dictExpand(n: number, line: number): void {
    const exact = this.exactLength ?? BigInt(n);
    let exp = 2; // DICT_HT_INITIAL_EXP
    if (exact >= LONG_MAX) exp = 63;
    else while (1n << BigInt(exp) < exact) exp++;
    if (exp >= 44 && exp <= 60) throw new RdbCorrupt(line, `OOM in dictTryExpand ${exact}`);
  }

  /**
   * Runs `read`; a short read becomes the corruption Redis reports for that step of a stream
   * (its rdbReportReadError: a message and an rdb.c line of its own).
   */
  step<T>(line: number, message: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof RdbEof) throw new RdbCorrupt(line, message);
      throw error;
    }
  }

  /** rdbLoadObject for RDB_TYPE_STREAM_LISTPACKS (15) and _2 (19), in check mode. */
  stream(type: number): void {
    const listpacks = this.step(2327, "Stream listpacks len loading failed.", () => this.len());
    const nodes = new Set<string>();
    for (let i = 0; i < listpacks; i++) {
      const key = this.step(
        2338,
        "Stream master ID loading failed: invalid encoding or I/O error.",
        () => this.string(),
      );
      if (key.length !== 16) {
        throw new RdbCorrupt(2343, "Stream node key entry is not the size of a stream ID");
      }
      this.step(2355, "Stream listpacks loading failed.", () => this.read());
      const items = this.items;
      items.length = 0;
      // Redis checks the listpack's header and each entry, not the header's count.
      const ok = walkListpack(this.blob, this.blobStart, this.blobEnd, items, this.latin1, false);
      if (!ok || !validStreamEntries(items)) {
        throw new RdbCorrupt(2362, "Stream listpack integrity check failed.");
      }
      if (nodes.has(key)) throw new RdbCorrupt(2386, "Listpack re-added with existing key");
      nodes.add(key);
    }
    // These reads are checked by the read error flag, not by comparing with RDB_LENERR.
    const length = this.step(2424, "Stream object metadata loading failed.", () => {
      const length = this.len(undefined, true);
      for (let k = 0; k < (type === 19 ? 7 : 2); k++) this.len(undefined, true);
      return length;
    });
    if (length !== 0 && nodes.size === 0) {
      throw new RdbCorrupt(2430, "Stream length inconsistent with rax entries");
    }
    const groups = this.step(2438, "Stream cgroup count loading failed.", () => this.len());
    const groupNames = new Set<string>();
    for (let g = 0; g < groups; g++) {
      const name = this.step(
        2449,
        "Error reading the consumer group name from Stream",
        () => this.string(),
      );
      this.step(2458, "Stream cgroup ID loading failed.", () => {
        this.len(undefined, true);
        this.len(undefined, true);
      });
      if (type === 19) {
        this.step(2469, "Stream cgroup offset loading failed.", () => this.len(undefined, true));
      }
      if (groupNames.has(name)) {
        throw new RdbCorrupt(2480, `Duplicated consumer group name ${cString(name)}`);
      }
      groupNames.add(name);
      const pelSize = this.step(2495, "Stream PEL size loading failed.", () => this.len());
      /** The group's PEL: raw id -> whether a consumer owns it. */
      const pel = new Map<string, boolean>();
      for (let k = 0; k < pelSize; k++) {
        const p = this.step(2502, "Stream PEL ID loading failed.", () => this.need(16));
        this.step(2510, "Stream PEL NACK loading failed.", () => {
          this.need(8);
          this.len(undefined, true);
        });
        const id = latin1Decode(this.bytes, p, p + 16);
        if (pel.has(id)) {
          throw new RdbCorrupt(
            2516,
            "Duplicated global PEL entry loading stream consumer group",
          );
        }
        pel.set(id, false);
      }
      const consumers = this.step(2527, "Stream consumers num loading failed.", () => this.len());
      const consumerNames = new Set<string>();
      for (let c = 0; c < consumers; c++) {
        const consumer = this.step(
          2534,
          "Error reading the consumer name from Stream group.",
          () => this.string(),
        );
        if (consumerNames.has(consumer)) {
          throw new RdbCorrupt(2543, "Duplicate stream consumer detected.");
        }
        consumerNames.add(consumer);
        this.step(2549, "Stream short read reading seen time.", () => this.need(8));
        const owned = this.step(2558, "Stream consumer PEL num loading failed.", () => this.len());
        for (let k = 0; k < owned; k++) {
          const p = this.step(2566, "Stream short read reading PEL streamID.", () => this.need(16));
          const id = latin1Decode(this.bytes, p, p + 16);
          const assigned = pel.get(id);
          if (assigned === undefined) {
            throw new RdbCorrupt(2573, "Consumer entry not found in group global PEL");
          }
          if (assigned) {
            throw new RdbCorrupt(
              2583,
              "Stream consumer PEL entry already has a consumer assigned",
            );
          }
          pel.set(id, true);
        }
      }
      for (const assigned of pel.values()) {
        if (!assigned) throw new RdbCorrupt(2611, "Stream CG PEL entry without consumer");
      }
    }
  }

  /** A module type id: a length of up to 64 bits. */
  moduleId(): bigint {
    const b = this.bytes[this.pos];
    if (b === 0x81) {
      this.need(1);
      const p = this.need(8);
      return new DataView(this.bytes.buffer, this.bytes.byteOffset + p, 8).getBigUint64(0);
    }
    return BigInt(this.len());
  }

  /**
   * rdbLoadCheckModuleValue: a module value read without its module, by the opcodes
   * RedisModule_Save* write, up to the EOF opcode.
   */
  moduleValue(name: string): void {
    const fail = (what: string, line: number, read: () => unknown) => {
      try {
        read();
      } catch (error) {
        if (!(error instanceof RdbEof)) throw error;
        throw new RdbCorrupt(line, `Error reading ${what} from module ${name} value`);
      }
    };
    for (;;) {
      const opcode = this.len();
      if (opcode === 0) return;
      if (opcode === 1 || opcode === 2) fail("integer", 1540, () => this.len());
      else if (opcode === 5) fail("string", 1546, () => this.read());
      else if (opcode === 3) fail("float", 1553, () => this.need(4));
      else if (opcode === 4) fail("double", 1559, () => this.need(8));
    }
  }

  /** rdbFunctionLoad's reads, failing with its messages. */
  functionLoad(type: number): void {
    const step = (message: string, read: () => unknown) => {
      try {
        read();
      } catch (error) {
        if (error instanceof RdbEof) throw new RdbFailure(`Failed loading library, ${message}`);
        throw error;
      }
    };
    if (type === 245) {
      step("Failed loading library payload", () => this.read());
      return;
    }
    step("Failed loading library name", () => this.read());
    step("Failed loading engine name", () => this.read());
    let described = 0;
    step("Failed loading library description indicator", () => (described = this.len()));
    if (described !== 0) step("Failed loading library description", () => this.read());
    step("Failed loading library blob", () => this.read());
  }
}

/**
 * redis-check-rdb on the RDB at the start of `bytes` (its redis_check_rdb_main with an open
 * file): prints its report through `print` and returns where the RDB ends, or null when it is
 * broken. Throws Exit for corruption, after which Redis exits rather than returning.
 */
function checkRdbPreamble(
  bytes: Uint8Array,
  name: string,
  print: (text: string) => void,
  log: (message: string) => void,
): number | null {
  const w = new RdbWalk(bytes);
  const info = (text: string) => print(`[offset ${w.pos}] ${text}\n`);
  const stats = () => {
    print(`[info] ${w.keys} keys read\n`);
    print(`[info] ${w.expires} expires\n`);
    print(`[info] ${w.alreadyExpired} already expired\n`);
  };
  const report = (message: string) => {
    print("--- RDB ERROR DETECTED ---\n");
    print(`[offset ${w.pos}] ${message}\n`);
    print(`[additional info] While doing: ${DOING[w.doing]}\n`);
    if (w.key !== null) print(`[additional info] Reading key '${cString(w.key)}'\n`);
    if (w.keyType !== -1) {
      print(
        `[additional info] Reading type ${w.keyType} (${RDB_TYPE_NAMES[w.keyType] ?? "unknown"})\n`,
      );
    }
    stats();
  };

  print(`[offset 0] Checking RDB file ${name}\n`);
  const now = Date.now();
  try {
    if (bytes.length < 9) throw new RdbEof();
    w.pos = 9;
    if (latin1Decode(bytes, 0, 5) !== "REDIS") {
      throw new RdbFailure("Wrong signature trying to load DB from file");
    }
    let version = 0;
    for (let i = 5; i < 9 && bytes[i]! >= 48 && bytes[i]! <= 57; i++) {
      version = version * 10 + bytes[i]! - 48;
    }
    if (version < 1 || version > 10) {
      throw new RdbFailure(`Can't handle RDB format version ${version}`);
    }
    let expireAt = -1;
    for (;;) {
      w.doing = READ_TYPE;
      const type = w.u8();
      if (type === 253) { // EXPIRETIME
        w.doing = READ_EXPIRE;
        const p = w.need(4);
        expireAt = (bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) |
          (bytes[p + 3]! << 24)) * 1000;
        continue;
      }
      if (type === 252) { // EXPIRETIME_MS
        w.doing = READ_EXPIRE;
        const p = w.need(8);
        expireAt = Number(new DataView(bytes.buffer, bytes.byteOffset + p, 8).getBigInt64(0, true));
        continue;
      }
      if (type === 249) { // FREQ
        w.need(1);
        continue;
      }
      if (type === 248) { // IDLE
        w.len();
        continue;
      }
      if (type === 255) break; // EOF
      if (type === 254) { // SELECTDB
        w.doing = READ_LEN;
        const db = w.len();
        info(`Selecting DB ID ${w.exactLength ?? db}`);
        continue;
      }
      if (type === 251) { // RESIZEDB
        w.doing = READ_LEN;
        w.len();
        w.len();
        continue;
      }
      if (type === 250) { // AUX
        w.doing = READ_AUX;
        const key = w.string();
        const value = w.string();
        info(`AUX FIELD ${cString(key)} = '${cString(value)}'`);
        continue;
      }
      if (type === 247) { // MODULE_AUX
        w.doing = READ_MODULE_AUX;
        const id = w.moduleId();
        const whenOpcode = w.len();
        w.len();
        if (whenOpcode !== 2) throw new RdbFailure("bad when_opcode");
        const module = moduleTypeName(id);
        info(`MODULE AUX for: ${module}`);
        w.moduleValue(module);
        continue;
      }
      if (type === 245 || type === 246) { // FUNCTION2, FUNCTION_PRE_GA
        w.doing = READ_FUNCTIONS;
        w.functionLoad(type);
        continue;
      }
      if (!((type >= 0 && type <= 7) || (type >= 9 && type <= 19))) {
        throw new RdbFailure(`Invalid object type: ${type}`);
      }
      w.keyType = type;
      w.doing = READ_KEY;
      w.key = w.string();
      w.keys++;
      w.doing = READ_OBJECT_VALUE;
      w.value(type);
      if (expireAt !== -1 && expireAt < now) w.alreadyExpired++;
      if (expireAt !== -1) w.expires++;
      w.key = null;
      w.keyType = -1;
      expireAt = -1;
    }
    if (version >= 5) {
      w.doing = CHECK_SUM;
      const p = w.need(8);
      const stored = bytes.subarray(p, p + 8);
      if (stored.every((b) => b === 0)) {
        info("RDB file was saved with checksum disabled: no check performed.");
      } else {
        const crc = new Crc64();
        crc.update(bytes, 0, p);
        if (!crc.matches(bytes, p)) throw new RdbFailure("RDB CRC error");
        info("Checksum OK");
      }
    }
  } catch (error) {
    if (error instanceof RdbEof) {
      report("Unexpected EOF reading RDB file");
      return null;
    }
    if (error instanceof RdbFailure) {
      report(error.message);
      return null;
    }
    if (error instanceof RdbCorrupt) {
      report(
        `Internal error in RDB reading offset 0, function at rdb.c:${error.line} -> ${error.reason}`,
      );
      log("Terminating server after rdb file reading failure.");
      throw new Exit(1);
    }
    throw error;
  }
  info("\\o/ RDB looks OK! \\o/");
  stats();
  return w.pos;
}

/** lpEncodeBacklen's size: the bytes of the back length of an entry of `l` bytes. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/**
 * lpValidateIntegrity (deep) of Redis 7.0, pushing each entry onto `out` as text (integers in
 * decimal). It is this and not listpack.ts's reader because check-aof must accept exactly what
 * Redis accepts, quirks included: lpDecodeBacklen reads a back length with the continuation
 * bit set into the entry's own bytes, and takes what it finds there.
 */
function walkListpack(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: string[],
  latin1: Latin1Decoder,
  checkCount = true,
): boolean {
  const size = end - start;
  if (size < 7) return false;
  const total = (bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) |
    (bytes[start + 3]! << 24)) >>> 0;
  if (total !== size || bytes[end - 1] !== 0xff) return false;
  const declared = bytes[start + 4]! | (bytes[start + 5]! << 8);
  const outOfRange = (q: number) => q < start + 6 || q > end - 1;
  let p = start + 6;
  let count = 0;
  while (bytes[p] !== 0xff) {
    // lpValidateNext
    if (outOfRange(p)) return false;
    const b = bytes[p]!;
    let headerBytes: number;
    let entry: number;
    if ((b & 0x80) === 0) [headerBytes, entry] = [1, 1];
    else if ((b & 0xc0) === 0x80) [headerBytes, entry] = [1, 1 + (b & 0x3f)];
    else if ((b & 0xe0) === 0xc0) [headerBytes, entry] = [1, 2];
    else if (b === 0xf1) [headerBytes, entry] = [1, 3];
    else if (b === 0xf2) [headerBytes, entry] = [1, 4];
    else if (b === 0xf3) [headerBytes, entry] = [1, 5];
    else if (b === 0xf4) [headerBytes, entry] = [1, 9];
    else if ((b & 0xf0) === 0xe0) {
      headerBytes = 2;
      if (outOfRange(p + headerBytes)) return false;
      entry = 2 + (((b & 0x0f) << 8) | bytes[p + 1]!);
    } else if (b === 0xf0) {
      headerBytes = 5;
      if (outOfRange(p + headerBytes)) return false;
      entry = 5 + ((bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16) |
        (bytes[p + 4]! << 24)) >>> 0);
    } else return false;
    if (outOfRange(p + headerBytes)) return false;
    const backlen = backlenSize(entry);
    if (outOfRange(p + entry + backlen)) return false;
    const next = p + entry + backlen;
    // lpDecodeBacklen from the last byte backwards while the continuation bit is set.
    let value = 0;
    for (let q = next - 1, shift = 0;; q--, shift += 7) {
      if (shift > 28) return false;
      value += (bytes[q]! & 127) * 2 ** shift;
      if ((bytes[q]! & 128) === 0) break;
    }
    if (value + backlen !== entry + backlen) return false;
    // lpGet
    if ((b & 0x80) === 0) out.push(String(b));
    else if ((b & 0xc0) === 0x80) out.push(latin1.decode(bytes, p + 1, p + entry));
    else if ((b & 0xe0) === 0xc0) {
      const v = ((b & 0x1f) << 8) | bytes[p + 1]!;
      out.push(String(v >= 4096 ? v - 8192 : v));
    } else if (b === 0xf1) out.push(String(((bytes[p + 1]! | (bytes[p + 2]! << 8)) << 16) >> 16));
    else if (b === 0xf2) {
      out.push(String(((bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16)) << 8) >> 8));
    } else if (b === 0xf3) {
      out.push(String(
        bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16) | (bytes[p + 4]! << 24),
      ));
    } else if (b === 0xf4) {
      out.push(
        String(new DataView(bytes.buffer, bytes.byteOffset + p + 1, 8).getBigInt64(0, true)),
      );
    } else out.push(latin1.decode(bytes, p + headerBytes, p + entry));
    count++;
    p = next;
  }
  if (p !== end - 1) return false;
  return !checkCount || declared === 65535 || declared === count;
}

/**
 * streamValidateListpackIntegrity's deep check over a stream listpack's entries: the master
 * entry (count, deleted, fields, the fields' names, 0), then each entry (flags, id deltas,
 * fields unless it has the master's, values, and a count of what it took), and nothing more.
 */
function validStreamEntries(items: readonly string[]): boolean {
  const n = items.length;
  let i = 0;
  const int = (): number | null => {
    if (i >= n) return null;
    const v = int64Of(items[i++]!);
    return v === null ? null : Number(v);
  };
  const count = int();
  const deleted = int();
  const masterFields = int();
  if (count === null || deleted === null || masterFields === null || masterFields < 0) {
    return false;
  }
  i += masterFields;
  if (int() !== 0) return false;
  let entries = count + deleted;
  if (entries < 0) return false;
  while (entries-- > 0) {
    if (i >= n) return false;
    const flags = int();
    if (flags === null || int() === null || int() === null) return false;
    let fields = masterFields;
    let extra = 3;
    if ((flags & 2) === 0) { // not STREAM_ITEM_FLAG_SAMEFIELDS
      const own = int();
      if (own === null || own < 0) return false;
      fields = own;
      i += fields;
      extra += fields + 1;
    }
    i += fields;
    if (int() !== fields + extra) return false;
  }
  return i === n;
}

const LONG_MAX = 9223372036854775807n;

const utf8 = new TextEncoder();

/** A name or path (a UTF-8 string) as the latin1 text of its bytes, for printing. */
function bytesText(s: string): string {
  const bytes = utf8.encode(s);
  return latin1Decode(bytes, 0, bytes.length);
}

/** A C string's view of a latin1 string: up to the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}
