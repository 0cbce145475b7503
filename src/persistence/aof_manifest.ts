/**
 * The on-disk layout of Redis 7.0's multi-part append-only file: the manifest
 * (`appendonly.aof.manifest`, one line per file: `file <name> seq <n> type <b|h|i>`), the names
 * of base, incr and temporary files, the manifest changes a rewrite makes, and which files a
 * start-up loads in which order, all as Redis's aof.c does them. The manifest is parsed byte
 * for byte as `aofLoadManifestFromFile` reads it (1024-byte lines, `#` comments, `sdssplitargs`
 * quoting, `atoll` sequence numbers), with its error texts, so a manifest Redis accepts loads
 * here and one it rejects fails with the same message.
 *
 * Everything here is pure except the small async helpers at the end (`readManifest`,
 * `persistManifest`). A manifest is treated as a value: every change returns a new one, so a
 * caller can keep the current manifest until the new one is safely on disk (Redis's
 * dup-modify-swap in `backgroundRewriteDoneHandler` and `openNewIncrAofForAppend`).
 *
 * @example
 * ```ts
 * import { filesToLoad, formatManifest, parseManifest, withNewIncr } from "./aof_manifest.ts";
 * const m = parseManifest("file appendonly.aof.1.base.rdb seq 1 type b\n");
 * const { manifest, fileName } = withNewIncr(m, "appendonly.aof");
 * fileName; // "appendonly.aof.1.incr.aof"
 * formatManifest(manifest); // "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
 * filesToLoad(manifest).map((f) => f.fileName); // base first, then the incr files
 * ```
 * @module
 */
import { latin1Decode, latin1Encode } from "../resp/latin1.ts";
import { quoteRepr } from "../resp/repr.ts";
import { splitArgs } from "../resp/split_args.ts";

/** `b` base, `h` history (left over from a rewrite, to be deleted), `i` incr. */
export type AofFileType = "b" | "h" | "i";

/** One line of the manifest. */
export interface AofInfo {
  /** The file's name inside the AOF directory (never a path). */
  readonly fileName: string;
  readonly seq: number;
  readonly type: AofFileType;
}

/** The manifest: at most one base file, history files, and incr files in increasing seq. */
export interface AofManifest {
  readonly base: AofInfo | null;
  readonly history: readonly AofInfo[];
  readonly incr: readonly AofInfo[];
  /** The seq of the current base file (the next one gets this + 1); 0 before any. */
  readonly baseSeq: number;
  /** The seq of the last incr file (the next one gets this + 1); 0 before any. */
  readonly incrSeq: number;
}

/** A manifest with no files: what Redis starts from when there is no AOF directory. */
export const EMPTY_MANIFEST: AofManifest = Object.freeze({
  base: null,
  history: Object.freeze([]) as readonly AofInfo[],
  incr: Object.freeze([]) as readonly AofInfo[],
  baseSeq: 0,
  incrSeq: 0,
});

/**
 * A manifest Redis would refuse to load. `reason` is Redis's text ("Invalid AOF manifest file
 * format", ...); `line` is the offending line as Redis shows it (trimmed, one char per byte),
 * or null when Redis shows none (an empty manifest, a line too long).
 */
export class ManifestError extends Error {
  readonly reason: string;
  readonly lineNumber: number;
  readonly line: string | null;

  constructor(reason: string, lineNumber: number, line: string | null) {
    super(
      line === null ? reason : `${reason} (manifest line ${lineNumber}: '${line}')`,
    );
    this.name = "ManifestError";
    this.reason = reason;
    this.lineNumber = lineNumber;
    this.line = line;
  }

  /**
   * The messages Redis logs (at warning level, each its own log entry) before exiting, in
   * order: the banner, the line number and the line when there is one, and the reason.
   */
  logMessages(): string[] {
    const out = ["\n*** FATAL AOF MANIFEST FILE ERROR ***\n"];
    if (this.line !== null) {
      out.push(`Reading the manifest file, at line ${this.lineNumber}\n`);
      out.push(`>>> '${this.line}'\n`);
    }
    out.push(`${this.reason}\n`);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// File names.

/** `appendonly.aof.manifest` for appendfilename `appendonly.aof`. */
export function manifestFileName(aofFilename: string): string {
  return `${aofFilename}.manifest`;
}

/** The name the manifest is written under before being renamed into place. */
export function tempManifestFileName(aofFilename: string): string {
  return `temp-${aofFilename}.manifest`;
}

/** `appendonly.aof.<seq>.base.rdb` (RDB preamble) or `appendonly.aof.<seq>.base.aof`. */
export function baseFileName(aofFilename: string, seq: number, rdbPreamble: boolean): string {
  return `${aofFilename}.${seq}.base.${rdbPreamble ? "rdb" : "aof"}`;
}

/** `appendonly.aof.<seq>.incr.aof`. */
export function incrFileName(aofFilename: string, seq: number): string {
  return `${aofFilename}.${seq}.incr.aof`;
}

/**
 * `temp-appendonly.aof.incr`: where writes go while AOF is being turned on at run time (Redis's
 * AOF_WAIT_REWRITE), renamed to a real incr file when the first rewrite succeeds.
 */
export function tempIncrFileName(aofFilename: string): string {
  return `temp-${aofFilename}.incr`;
}

/** True when `name` has no `/` or `\` (Redis's pathIsBaseName): a manifest entry must not. */
export function isBaseName(name: string): boolean {
  return !name.includes("/") && !name.includes("\\");
}

/** Redis's makePath: `dir/name`. */
export function makePath(dir: string, name: string): string {
  return `${dir}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

const MANIFEST_MAX_LINE = 1024;
const NL = 10;

/** Trims the bytes sdstrim(" \t\r\n") trims, on a latin1 string. */
function trimManifestLine(s: string): string {
  let a = 0;
  let b = s.length;
  const trim = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
  while (a < b && trim(s[a]!)) a++;
  while (b > a && trim(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** A C string's view of a latin1 string: everything before the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** C's atoll (glibc: strtoll base 10, clamped), for manifest sequence numbers. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (m === null) return 0;
  const v = BigInt(m[1] === "-" ? `-${m[2]}` : m[2]!);
  const max = 9223372036854775807n;
  const min = -9223372036854775808n;
  return Number(v > max ? max : v < min ? min : v);
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/**
 * Parses a manifest as Redis's aofLoadManifestFromFile does, throwing a `ManifestError` with
 * Redis's text where it would refuse the file. A string argument is taken as UTF-8 text. File
 * names come back as UTF-8 strings, ready to use as paths.
 */
export function parseManifest(data: Uint8Array | string): AofManifest {
  const bytes = typeof data === "string" ? utf8Encoder.encode(data) : data;
  const n = bytes.length;
  let base: AofInfo | null = null;
  const history: AofInfo[] = [];
  const incr: AofInfo[] = [];
  let baseSeq = 0;
  let incrSeq = 0;
  let maxSeq = 0;
  let lineNumber = 0;
  let pos = 0;
  for (;;) {
    if (pos >= n) {
      if (lineNumber === 0) throw new ManifestError("Found an empty AOF manifest", 0, null);
      break;
    }
    // fgets(buf, MANIFEST_MAX_LINE + 1): at most 1024 bytes, up to and including a newline.
    const limit = Math.min(n, pos + MANIFEST_MAX_LINE);
    let end = pos;
    while (end < limit && bytes[end] !== NL) end++;
    if (end < limit) end++; // include the newline
    const chunk = latin1Decode(bytes, pos, end);
    pos = end;
    lineNumber++;
    if (chunk[0] === "#") continue;
    // strchr and sdsnew stop at a NUL byte.
    const text = cString(chunk);
    if (!text.includes("\n")) {
      throw new ManifestError("The AOF manifest file contains too long line", lineNumber, null);
    }
    const line = trimManifestLine(text);
    const invalid = () => new ManifestError("Invalid AOF manifest file format", lineNumber, line);
    if (line.length === 0) throw invalid();
    const argv = splitArgs(line);
    // 'argc < 6' is Redis's allowance for keys added by later versions.
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw invalid();
    let fileName: string | null = null;
    let seq = 0;
    let typeCode = 0;
    for (let i = 0; i < argv.length; i += 2) {
      const key = cString(argv[i]!).toLowerCase();
      const value = cString(argv[i + 1]!);
      if (key === "file") {
        fileName = value;
        if (!isBaseName(value)) {
          throw new ManifestError("File can't be a path, just a filename", lineNumber, line);
        }
      } else if (key === "seq") {
        seq = atoll(value);
      } else if (key === "type") {
        typeCode = value.length > 0 ? value.charCodeAt(0) : 0;
      }
    }
    if (fileName === null || seq === 0 || typeCode === 0) throw invalid();
    const name = utf8Decoder.decode(latin1Encode(fileName));
    if (typeCode === 0x62 /* b */) {
      if (base !== null) {
        throw new ManifestError("Found duplicate base file information", lineNumber, line);
      }
      base = { fileName: name, seq, type: "b" };
      baseSeq = seq;
    } else if (typeCode === 0x68 /* h */) {
      history.push({ fileName: name, seq, type: "h" });
    } else if (typeCode === 0x69 /* i */) {
      if (seq <= maxSeq) {
        throw new ManifestError("Found a non-monotonic sequence number", lineNumber, line);
      }
      incr.push({ fileName: name, seq, type: "i" });
      incrSeq = seq;
      maxSeq = seq;
    } else {
      throw new ManifestError("Unknown AOF file type", lineNumber, line);
    }
  }
  return { base, history, incr, baseSeq, incrSeq };
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/** C isprint in the C locale. */
function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** Redis's sdsneedsrepr: quoting is needed for escapes, non-printables and spaces. */
function needsRepr(bytes: Uint8Array): boolean {
  for (const c of bytes) {
    if (c === 0x5c || c === 0x22 || !isPrint(c) || c === 0x20) return true;
  }
  return false;
}

/** One manifest line, as Redis's aofInfoFormat writes it (newline included). */
export function formatAofInfo(info: AofInfo): string {
  const bytes = utf8Encoder.encode(info.fileName);
  const name = needsRepr(bytes) ? quoteRepr(latin1Decode(bytes, 0, bytes.length)) : info.fileName;
  return `file ${name} seq ${info.seq} type ${info.type}\n`;
}

/**
 * The manifest's text as Redis writes it: the base file first, then history files, then incr
 * files. Always ASCII (names that need it are quoted and escaped).
 */
export function formatManifest(m: AofManifest): string {
  let out = m.base === null ? "" : formatAofInfo(m.base);
  for (const info of m.history) out += formatAofInfo(info);
  for (const info of m.incr) out += formatAofInfo(info);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Changes (each returns a new manifest).

/** A manifest change and the file name it is about. */
export interface ManifestChange {
  readonly manifest: AofManifest;
  readonly fileName: string;
}

/**
 * A new base file (seq + 1) for a finished rewrite; the previous base becomes the first history
 * file (Redis's getNewBaseFileNameAndMarkPreAsHistory).
 */
export function withNewBase(
  m: AofManifest,
  aofFilename: string,
  rdbPreamble: boolean,
): ManifestChange {
  const history = m.base === null
    ? [...m.history]
    : [{ fileName: m.base.fileName, seq: m.base.seq, type: "h" as const }, ...m.history];
  const seq = m.baseSeq + 1;
  const fileName = baseFileName(aofFilename, seq, rdbPreamble);
  return {
    manifest: { ...m, base: { fileName, seq, type: "b" }, history, baseSeq: seq },
    fileName,
  };
}

/** A new incr file (seq + 1) appended to the incr list (Redis's getNewIncrAofName). */
export function withNewIncr(m: AofManifest, aofFilename: string): ManifestChange {
  const seq = m.incrSeq + 1;
  const fileName = incrFileName(aofFilename, seq);
  return {
    manifest: { ...m, incr: [...m.incr, { fileName, seq, type: "i" }], incrSeq: seq },
    fileName,
  };
}

/**
 * The incr file writes go to at start-up: the last one, or a new one when there is none
 * (Redis's getLastIncrAofName). `created` says which, for Redis's "Opening"/"Creating" log.
 */
export function lastIncr(
  m: AofManifest,
  aofFilename: string,
): ManifestChange & { readonly created: boolean } {
  const last = m.incr[m.incr.length - 1];
  if (last !== undefined) return { manifest: m, fileName: last.fileName, created: false };
  return { ...withNewIncr(m, aofFilename), created: true };
}

/**
 * After a successful rewrite, the incr files the new base covers become history files, ahead of
 * older history (Redis's markRewrittenIncrAofAsHistory). While AOF is on, the last incr file
 * is the one being written and stays.
 */
export function withRewrittenIncrAsHistory(m: AofManifest, aofEnabled: boolean): AofManifest {
  if (m.incr.length === 0) return m;
  const keep = aofEnabled ? m.incr.slice(-1) : [];
  const moved = m.incr.slice(0, m.incr.length - keep.length)
    .map((info) => ({ fileName: info.fileName, seq: info.seq, type: "h" as const }));
  return { ...m, incr: keep, history: [...moved, ...m.history] };
}

/** The manifest without its history files, once they are deleted (Redis's aofDelHistoryFiles). */
export function withoutHistory(m: AofManifest): AofManifest {
  return m.history.length === 0 ? m : { ...m, history: [] };
}

/**
 * The manifest that adopts an old single-file `appendonly.aof` (moved into the AOF directory
 * under its own name) as base file seq 1 (Redis's aofUpgradePrepare).
 */
export function withUpgradedBase(m: AofManifest, aofFilename: string): AofManifest {
  return { ...m, base: { fileName: aofFilename, seq: 1, type: "b" }, baseSeq: 1 };
}

// ---------------------------------------------------------------------------------------------
// Loading rules.

/** What loadAppendOnlyFiles needs to know about the disk to decide on an upgrade. */
export interface UpgradeFacts {
  /** `<dir>/<appendfilename>` exists as a regular file (an old single-file AOF). */
  readonly oldFileExists: boolean;
  /** `<dir>/<appenddirname>` exists as a directory. */
  readonly aofDirExists: boolean;
  /** `<dir>/<appenddirname>/<appendfilename>` exists as a regular file. */
  readonly oldNameInAofDirExists: boolean;
}

/**
 * True when start-up must adopt an old single-file AOF (then: create the directory, persist
 * `withUpgradedBase`, move the file in, log "Successfully migrated an old-style AOF file (%s)
 * into the AOF directory (%s)."). Redis does it when the old file exists and either there is
 * no AOF directory, or its manifest lists no base and no incr file, or it lists only a base
 * named like the old file that is not in the directory yet (an upgrade interrupted by a crash).
 */
export function needsUpgrade(m: AofManifest, aofFilename: string, facts: UpgradeFacts): boolean {
  if (!facts.oldFileExists) return false;
  if (!facts.aofDirExists) return true;
  if (m.base === null && m.incr.length === 0) return true;
  return m.base !== null && m.incr.length === 0 && m.base.fileName === aofFilename &&
    !facts.oldNameInAofDirExists;
}

/** One file to replay at start-up. */
export interface AofLoadEntry {
  readonly fileName: string;
  readonly kind: "base" | "incr";
  /** The last file: only it may be truncated (aof-load-truncated); elsewhere that is fatal. */
  readonly last: boolean;
}

/**
 * The files loadAppendOnlyFiles replays, in order: the base file, then the incr files. History
 * files are never loaded. Redis's rules around it: no files means AOF_NOT_EXIST; a listed file
 * missing on disk is fatal; all files empty means AOF_EMPTY; an empty incr file is fine; a
 * truncated file that is not `last` is fatal ("Fatal error: the truncated file is not the last
 * file"); after each file it logs "DB loaded from base file %s: %.3f seconds" (or "incr file").
 */
export function filesToLoad(m: AofManifest): AofLoadEntry[] {
  const total = (m.base === null ? 0 : 1) + m.incr.length;
  const out: AofLoadEntry[] = [];
  if (m.base !== null) {
    out.push({ fileName: m.base.fileName, kind: "base", last: out.length + 1 === total });
  }
  for (const info of m.incr) {
    out.push({ fileName: info.fileName, kind: "incr", last: out.length + 1 === total });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// I/O helpers.

/** True when `path` is a directory. */
async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** True when `path` is a regular file (Redis's fileExist). */
export async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The text of an OS error as strerror gives it (Deno's messages start with it). */
export function strerror(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.indexOf(" (os error");
  return cut >= 0 ? message.slice(0, cut) : message;
}

/**
 * Reads the manifest of the AOF directory `aofDir` as Redis's aofLoadManifestFromDisk does:
 * an empty manifest when the directory or the manifest file does not exist, else the parsed
 * manifest. Throws `ManifestError` for a bad manifest, and an Error with Redis's message when
 * the file cannot be read.
 */
export async function readManifest(aofDir: string, aofFilename: string): Promise<AofManifest> {
  if (!(await isDirectory(aofDir))) return EMPTY_MANIFEST;
  const path = makePath(aofDir, manifestFileName(aofFilename));
  if (!(await isRegularFile(path))) return EMPTY_MANIFEST;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(
      `Fatal error: can't open the AOF manifest file ${path} for reading: ${strerror(error)}`,
    );
  }
  return parseManifest(bytes);
}

/**
 * Writes the manifest as Redis's writeAofManifestFile does: to the temp name, fsynced, renamed
 * over the manifest, and the directory fsynced, so a crash leaves the old or the new manifest
 * whole. Throws an Error carrying Redis's log message when a step fails.
 */
export async function persistManifest(
  aofDir: string,
  aofFilename: string,
  m: AofManifest,
): Promise<void> {
  const name = manifestFileName(aofFilename);
  const tempName = tempManifestFileName(aofFilename);
  const path = makePath(aofDir, name);
  const tempPath = makePath(aofDir, tempName);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(tempPath, { write: true, create: true, truncate: true, mode: 0o644 });
  } catch (error) {
    throw new Error(`Can't open the AOF manifest file ${tempName}: ${strerror(error)}`);
  }
  try {
    const bytes = utf8Encoder.encode(formatManifest(m));
    let written = 0;
    try {
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    } catch (error) {
      throw new Error(
        `Error trying to write the temporary AOF manifest file ${tempName}: ${strerror(error)}`,
      );
    }
    try {
      await file.sync();
    } catch (error) {
      throw new Error(`Fail to fsync the temp AOF file ${tempName}: ${strerror(error)}.`);
    }
  } finally {
    file.close();
  }
  try {
    await Deno.rename(tempPath, path);
  } catch (error) {
    throw new Error(
      `Error trying to rename the temporary AOF manifest file ${tempName} into ${name}: ${
        strerror(error)
      }`,
    );
  }
  await fsyncDir(aofDir).catch((error) => {
    throw new Error(`Fail to fsync AOF directory ${path}: ${strerror(error)}.`);
  });
}

/** fsyncs a directory so a rename in it is durable (a no-op where directories can't be opened). */
async function fsyncDir(dir: string): Promise<void> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(dir, { read: true });
  } catch {
    return; // Windows cannot open directories; Redis skips this there too.
  }
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
