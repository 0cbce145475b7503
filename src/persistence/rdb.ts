/**
 * The RDB format of Redis 7.0 (version 10): whole files (dump.rdb, and the RDB preamble of an
 * AOF base file) written by `RdbWriter` and read by `parseRdb`, and single values (DUMP's
 * payload) by `dumpPayload` and `restorePayload`. The bytes are Redis's own, so a file we save
 * loads in Redis and the reverse, and DUMP answers what Redis answers.
 *
 * A file is `REDIS0010`, aux fields (opcode 250, two strings), then per database a SELECTDB
 * (254) and RESIZEDB (251) opcode and its keys, each maybe preceded by EXPIRETIME_MS (252), IDLE
 * (248) and FREQ (249), then a type byte, the key and the value; EOF (255) and a CRC-64 of all
 * that (zero when checksums are off). A DUMP payload is the type byte and value, the version
 * as two bytes and the CRC-64, little endian.
 *
 * Values are written with the RDB type of the encoding Redis would hold them in (the value
 * classes track it): a string with Redis's integer encodings or LZF (`rdbSaveRawString`); a
 * list as a quicklist (18) of listpack nodes split where Redis's pushes would split them; a
 * hash as one listpack (16) or field/value pairs (4); a set as an intset (11) or members (2); a
 * sorted set as one listpack (17) or members and binary scores from the highest (5). Reading
 * takes every type Redis 7.0 loads, older RDB versions' ziplists, zipmaps and quicklists
 * included, and gives the value the encoding Redis's `rdbLoadObject` would, from the current
 * thresholds. Streams and module values have no counterpart here and are refused.
 *
 * A `TypedValue` (a value stored with its RESP types) has no RDB type. In a file it is saved as
 * a string preceded by an aux field `mr-typed`, which Redis ignores (so it loads a string) and
 * our reader turns back into the typed value: a scalar's string is its text (what GET answers)
 * and the aux field holds its RESP3 encoding; an aggregate's string is its RESP3 encoding and
 * the aux field is empty. DUMP has no room for aux fields: a typed scalar dumps as its text, an
 * aggregate as its RESP3 encoding, and RESTORE makes a plain string of either.
 *
 * @example
 * ```ts
 * import { dumpPayload, parseRdb, RdbWriter, restorePayload } from "./rdb.ts";
 * const limits = {
 *   hashMaxListpackEntries: 128, hashMaxListpackValue: 64, setMaxIntsetEntries: 512,
 *   zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64,
 * };
 * const writer = new RdbWriter({ compression: true, checksum: true });
 * writer.header([["redis-ver", "7.0.15"], ["redis-bits", 64]]);
 * writer.selectDb(0, 1, 0);
 * writer.entry("greeting", "hello");
 * writer.end();
 * const file = writer.take();
 * parseRdb(file, { selectDb() {}, entry(key, value) { console.log(key, value); } }, limits);
 * restorePayload(dumpPayload("hello", true), limits); // "hello"
 * ```
 * @module
 */
import { CommandError } from "../commands/spec.ts";
import {
  type EncodingLimits,
  HashValue,
  ListValue,
  SetValue,
  SortedSetValue,
  TypedValue,
  type Value,
} from "../keyspace/values.ts";
import { formatDoubleG17, parseDoubleLoose } from "../resp/double.ts";
import { Latin1Decoder, latin1WriteInto } from "../resp/latin1.ts";
import { DEFAULT_VALUE_LIMITS, INCOMPLETE, ValueParser } from "../resp/parse_value.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import { type RespValue, scalarText } from "../resp/types.ts";
import { Crc64 } from "./crc64.ts";
import { encodeIntset, readIntset } from "./intset.ts";
import { entrySize, int64Of, ListpackWriter, LP_HDR_SIZE, readListpack } from "./listpack.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";
import { readZiplist, readZipmap } from "./ziplist.ts";

/** The RDB version Redis 7.0 writes. */
export const RDB_VERSION = 10;

// Object types (rdb.h).
const RDB_TYPE_STRING = 0;
const RDB_TYPE_LIST = 1;
const RDB_TYPE_SET = 2;
const RDB_TYPE_ZSET = 3;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_ZSET_2 = 5;
const RDB_TYPE_MODULE = 6;
const RDB_TYPE_MODULE_2 = 7;
const RDB_TYPE_HASH_ZIPMAP = 9;
const RDB_TYPE_LIST_ZIPLIST = 10;
const RDB_TYPE_SET_INTSET = 11;
const RDB_TYPE_ZSET_ZIPLIST = 12;
const RDB_TYPE_HASH_ZIPLIST = 13;
const RDB_TYPE_LIST_QUICKLIST = 14;
const RDB_TYPE_STREAM_LISTPACKS = 15;
const RDB_TYPE_HASH_LISTPACK = 16;
const RDB_TYPE_ZSET_LISTPACK = 17;
const RDB_TYPE_LIST_QUICKLIST_2 = 18;
const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

// Opcodes.
const RDB_OPCODE_FUNCTION2 = 245;
const RDB_OPCODE_FUNCTION = 246;
const RDB_OPCODE_MODULE_AUX = 247;
const RDB_OPCODE_IDLE = 248;
const RDB_OPCODE_FREQ = 249;
const RDB_OPCODE_AUX = 250;
const RDB_OPCODE_RESIZEDB = 251;
const RDB_OPCODE_EXPIRETIME_MS = 252;
const RDB_OPCODE_EXPIRETIME = 253;
const RDB_OPCODE_SELECTDB = 254;
const RDB_OPCODE_EOF = 255;

// Length and string encodings.
const RDB_ENCVAL = 3;
const RDB_32BITLEN = 0x80;
const RDB_64BITLEN = 0x81;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

/** Quicklist node containers (RDB type 18 writes one before each node). */
const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** The aux field that marks the next key's string as a `TypedValue` (see the module doc). */
const TYPED_AUX = "mr-typed";

/** Whether `t` is a value type byte (`rdbIsObjectType`). */
function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/** A bad RDB image: `offset` is where reading stopped, the message is Redis's where it has one. */
export class RdbError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "RdbError";
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Scratch of LZF compression: the input's bytes and the output, grown as needed. */
let lzfIn = new Uint8Array(1024);
let lzfOut = new Uint8Array(1024);
/** Scratch above this size is dropped after use rather than kept. */
const KEEP_SCRATCH = 1 << 20;

/**
 * d2string of Redis 7.0, which stores a score in a listpack: an integral value below 2^52 as
 * an integer (so -0 as 0), others as `%.17g`.
 */
function d2string(value: number): string {
  if (Number.isInteger(value) && value > -4503599627370495 && value < 4503599627370496) {
    return String(value);
  }
  return formatDoubleG17(value);
}

/** list-max-listpack-size by default: nodes of up to 8 KiB. */
const DEFAULT_LIST_FILL = -2;
/** Node sizes of list-max-listpack-size -1 .. -5 (quicklist.c's optimization_level). */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** The largest multi-element node when the fill is a count (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/** What an entry is assumed to add beyond its length (SIZE_ESTIMATE_OVERHEAD). */
const SIZE_ESTIMATE_OVERHEAD = 8;

/**
 * Whether a quicklist node of `nodeBytes` listpack bytes and `count` elements takes one more
 * element of `sz` bytes: quicklist.c's `_quicklistNodeAllowInsert` and
 * `quicklistNodeExceedsLimit` of Redis 7.0.15 (a negative fill limits the bytes, a positive
 * one the count, with at most 8 KiB then).
 */
function nodeAllowsInsert(nodeBytes: number, count: number, sz: number, fill: number): boolean {
  const newSize = nodeBytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    return newSize <= OPTIMIZATION_LEVEL[Math.min(-fill - 1, OPTIMIZATION_LEVEL.length - 1)]!;
  }
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

/**
 * The node boundaries Redis's quicklist has for `list` when built by pushes: RPUSH fills nodes
 * from the head (the last node partly full), LPUSH from the tail (`fromTail`: the first node
 * partly full). Returns the index where each node starts, and the length at the end.
 */
export function quicklistNodeStarts(
  list: ListValue,
  fromTail = false,
  fill = DEFAULT_LIST_FILL,
): number[] {
  const n = list.length;
  const bounds: number[] = [];
  let count = 0;
  let bytes = 0; // the node's listpack size (lpBytes)
  for (let k = 0; k < n; k++) {
    const i = fromTail ? n - 1 - k : k;
    const element = list.at(i);
    if (count === 0 || !nodeAllowsInsert(bytes, count, element.length, fill)) {
      if (count !== 0) bounds.push(i + (fromTail ? 1 : 0));
      bytes = LP_HDR_SIZE + 1;
      count = 0;
    }
    bytes += entrySize(element);
    count++;
  }
  if (fromTail) bounds.reverse();
  return [0, ...bounds, n];
}

/** The RESP3 encoding of a typed value, as a latin1 string. */
function resp3Text(value: RespValue): string {
  const out = new ReplyWriter();
  out.version = 3;
  out.value(value);
  const bytes = out.take();
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return text;
}

/** The typed value a RESP3 encoding stands for, or null when it is not one whole value. */
function parseResp3(text: string): RespValue | typeof INCOMPLETE {
  const bytes = new Uint8Array(text.length);
  latin1WriteInto(bytes, 0, text);
  const cursor = { pos: 0, need: 0 };
  try {
    const value = new ValueParser(DEFAULT_VALUE_LIMITS).parse(bytes, bytes.length, cursor);
    return cursor.pos === bytes.length ? value : INCOMPLETE;
  } catch {
    return INCOMPLETE;
  }
}

/**
 * Appends RDB encodings of lengths, strings and values to a growable buffer: the part of
 * rdb.c's saving shared by files and DUMP payloads.
 */
class Encoder {
  buf: Uint8Array;
  len = 0;
  readonly #compression: boolean;
  readonly #listFill: number;
  readonly #lp = new ListpackWriter();
  readonly #f64 = new Float64Array(1);
  readonly #f64Bytes = new Uint8Array(this.#f64.buffer);

  constructor(compression: boolean, size: number, listFill = DEFAULT_LIST_FILL) {
    this.#compression = compression;
    this.#listFill = listFill;
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** rdbSaveLen. */
  length(n: number): void {
    this.reserve(9);
    const buf = this.buf;
    let p = this.len;
    if (n < 64) {
      buf[p++] = n;
    } else if (n < 16384) {
      buf[p++] = (n >> 8) | 0x40;
      buf[p++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      buf[p++] = RDB_32BITLEN;
      buf[p++] = n >>> 24;
      buf[p++] = n >>> 16;
      buf[p++] = n >>> 8;
      buf[p++] = n;
    } else {
      const hi = Math.floor(n / 4294967296);
      buf[p++] = RDB_64BITLEN;
      buf[p++] = hi >>> 24;
      buf[p++] = hi >>> 16;
      buf[p++] = hi >>> 8;
      buf[p++] = hi;
      buf[p++] = n >>> 24;
      buf[p++] = n >>> 16;
      buf[p++] = n >>> 8;
      buf[p++] = n;
    }
    this.len = p;
  }

  /** rdbEncodeInteger of a value known to fit in 32 bits. */
  #integer(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    let p = this.len;
    if (v >= -128 && v <= 127) {
      buf[p++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      buf[p++] = v;
    } else if (v >= -32768 && v <= 32767) {
      buf[p++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      buf[p++] = v;
      buf[p++] = v >> 8;
    } else {
      buf[p++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      buf[p++] = v;
      buf[p++] = v >> 8;
      buf[p++] = v >> 16;
      buf[p++] = v >> 24;
    }
    this.len = p;
  }

  /**
   * rdbSaveRawString of a latin1 string: an integer encoding when it is a canonical integer of
   * at most 11 chars that fits in 32 bits, else LZF when compression is on, the string is over
   * 20 bytes and it shrinks by at least 4 bytes, else the length and the bytes.
   */
  string(s: string): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = int64Of(s);
        if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) {
          return this.#integer(v);
        }
      }
    }
    if (this.#compression && n > 20) {
      if (lzfIn.length < n) lzfIn = new Uint8Array(Math.max(n, 2 * lzfIn.length));
      latin1WriteInto(lzfIn, 0, s);
      if (this.#lzf(lzfIn, 0, n)) return;
    }
    this.length(n);
    this.reserve(n);
    this.len = latin1WriteInto(this.buf, this.len, s);
  }

  /** rdbSaveRawString of bytes (a listpack, an intset): LZF when it pays, else as they are. */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.#compression && n > 20 && this.#lzf(bytes, 0, n)) return;
    this.length(n);
    this.reserve(n);
    this.buf.set(bytes, this.len);
    this.len += n;
  }

  /** rdbSaveLzfStringObject: writes the LZF blob and returns true, or false if it won't fit. */
  #lzf(input: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    const outLen = n - 4;
    if (lzfOut.length < outLen + 1) {
      lzfOut = new Uint8Array(Math.max(outLen + 1, 2 * lzfOut.length));
    }
    const c = lzfCompress(input, start, end, lzfOut, 0, outLen);
    if (c !== 0) {
      this.byte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
      this.length(c);
      this.length(n);
      this.reserve(c);
      this.buf.set(lzfOut.subarray(0, c), this.len);
      this.len += c;
    }
    if (lzfOut.length > KEEP_SCRATCH) lzfOut = new Uint8Array(1024);
    if (lzfIn.length > KEEP_SCRATCH) lzfIn = new Uint8Array(1024);
    return c !== 0;
  }

  /** rdbSaveMillisecondTime: a signed 64-bit integer, little endian. */
  millis(at: number | bigint): void {
    let lo: number;
    let hi: number;
    if (typeof at === "number" && Number.isSafeInteger(at)) {
      hi = Math.floor(at / 4294967296);
      lo = at - hi * 4294967296;
    } else {
      const big = BigInt.asUintN(64, BigInt(at));
      lo = Number(big & 0xffffffffn);
      hi = Number(big >> 32n);
    }
    this.reserve(8);
    const buf = this.buf;
    const p = this.len;
    buf[p] = lo;
    buf[p + 1] = lo >>> 8;
    buf[p + 2] = lo >>> 16;
    buf[p + 3] = lo >>> 24;
    buf[p + 4] = hi;
    buf[p + 5] = hi >>> 8;
    buf[p + 6] = hi >>> 16;
    buf[p + 7] = hi >>> 24;
    this.len = p + 8;
  }

  /** rdbSaveBinaryDoubleValue: IEEE 754, little endian. */
  binaryDouble(value: number): void {
    this.#f64[0] = value;
    this.reserve(8);
    // Byte by byte: a native `set` of 8 bytes costs more than the copy.
    const b = this.#f64Bytes;
    const buf = this.buf;
    const p = this.len;
    buf[p] = b[0]!;
    buf[p + 1] = b[1]!;
    buf[p + 2] = b[2]!;
    buf[p + 3] = b[3]!;
    buf[p + 4] = b[4]!;
    buf[p + 5] = b[5]!;
    buf[p + 6] = b[6]!;
    buf[p + 7] = b[7]!;
    this.len = p + 8;
  }

  /** The RDB type byte of a value (`rdbSaveObjectType`); typed values are strings. */
  static typeOf(value: Value): number {
    if (typeof value === "string" || value instanceof TypedValue) return RDB_TYPE_STRING;
    if (value instanceof ListValue) return RDB_TYPE_LIST_QUICKLIST_2;
    if (value instanceof HashValue) return value.listpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    if (value instanceof SetValue) return value.intset ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    return value.listpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
  }

  /** rdbSaveObject: the value's body (its type byte is written before). */
  object(value: Value): void {
    if (typeof value === "string") return this.string(value);
    if (value instanceof TypedValue) {
      const text = scalarText(value.value);
      return this.string(text ?? resp3Text(value.value));
    }
    if (value instanceof ListValue) return this.#list(value);
    if (value instanceof HashValue) return this.#hash(value);
    if (value instanceof SetValue) return this.#set(value);
    return this.#zset(value);
  }

  #list(list: ListValue): void {
    const starts = quicklistNodeStarts(list, false, this.#listFill);
    const nodes = starts.length - 1;
    this.length(nodes);
    const lp = this.#lp;
    for (let k = 0; k < nodes; k++) {
      this.length(QUICKLIST_NODE_CONTAINER_PACKED);
      lp.reset();
      for (let i = starts[k]!, end = starts[k + 1]!; i < end; i++) lp.append(list.at(i));
      this.bytes(lp.finish());
    }
  }

  #hash(hash: HashValue): void {
    if (hash.listpack) {
      const lp = this.#lp;
      lp.reset();
      for (const [field, value] of hash.fields) {
        lp.append(field);
        lp.append(value);
      }
      return this.bytes(lp.finish());
    }
    this.length(hash.size);
    for (const [field, value] of hash.fields) {
      this.string(field);
      this.string(value);
    }
  }

  #set(set: SetValue): void {
    if (set.intset) return this.bytes(encodeIntset(set.toArray()));
    this.length(set.size);
    for (const member of set) this.string(member);
  }

  #zset(zset: SortedSetValue): void {
    if (zset.listpack) {
      const lp = this.#lp;
      lp.reset();
      for (let n = zset.first(); n !== 0; n = zset.next(n)) {
        lp.append(zset.member(n));
        const score = zset.scoreOf(n);
        if (Number.isInteger(score) && score > -4503599627370495 && score < 4503599627370496) {
          lp.appendInteger(score === 0 ? 0 : score);
        } else {
          lp.append(d2string(score));
        }
      }
      return this.bytes(lp.finish());
    }
    // From the highest score down, so that loading inserts at the head of the skip list.
    this.length(zset.size);
    for (let n = zset.last(); n !== 0; n = zset.prev(n)) {
      this.string(zset.member(n));
      this.binaryDouble(zset.scoreOf(n));
    }
  }
}

/** Size of a writer's buffer, and what a taken buffer is replaced with at most. */
const WRITER_INITIAL = 64 * 1024;
const WRITER_KEEP = 8 * 1024 * 1024;

/**
 * Writes an RDB file incrementally into a growable buffer that the caller empties with `take`
 * (to write it to a file) whenever it likes; the CRC-64 of everything written follows along.
 */
export class RdbWriter {
  #enc: Encoder;
  #crc: Crc64 | null;
  /** How much of the buffer the CRC has covered. */
  #summed = 0;

  constructor(
    options: { compression: boolean; checksum: boolean; listMaxListpackSize?: number },
  ) {
    this.#enc = new Encoder(options.compression, WRITER_INITIAL, options.listMaxListpackSize);
    this.#crc = options.checksum ? new Crc64() : null;
  }

  /** `REDIS0010` and the aux fields (redis-ver, redis-bits, ctime, used-mem, aof-base...). */
  header(aux: readonly (readonly [string, string | number])[]): void {
    const enc = this.#enc;
    enc.reserve(9);
    enc.len = latin1WriteInto(enc.buf, enc.len, `REDIS${String(RDB_VERSION).padStart(4, "0")}`);
    for (const [key, value] of aux) {
      this.aux(key, typeof value === "number" ? String(value) : value);
    }
  }

  /** One aux field (opcode 250 and two strings). */
  aux(key: string, value: string): void {
    const enc = this.#enc;
    enc.byte(RDB_OPCODE_AUX);
    enc.string(key);
    enc.string(value);
  }

  /**
   * SELECTDB and RESIZEDB. May be called again later for another (or the same) database: a
   * snapshot writes keys changed during the save in the middle of another database.
   */
  selectDb(index: number, dbSize: number, expiresSize: number): void {
    const enc = this.#enc;
    enc.byte(RDB_OPCODE_SELECTDB);
    enc.length(index);
    enc.byte(RDB_OPCODE_RESIZEDB);
    enc.length(dbSize);
    enc.length(expiresSize);
  }

  /**
   * One key: its expiry time (absolute ms, EXPIRETIME_MS), IDLE seconds and FREQ counter when
   * given (Redis writes them under an LRU or LFU maxmemory-policy), the type, key and value.
   */
  entry(
    key: string,
    value: Value,
    expireAt?: number | bigint,
    idle?: number,
    freq?: number,
  ): void {
    const enc = this.#enc;
    if (value instanceof TypedValue) {
      const text = scalarText(value.value);
      this.aux(TYPED_AUX, text === null ? "" : resp3Text(value.value));
    }
    if (expireAt !== undefined) {
      enc.byte(RDB_OPCODE_EXPIRETIME_MS);
      enc.millis(expireAt);
    }
    if (idle !== undefined) {
      enc.byte(RDB_OPCODE_IDLE);
      enc.length(idle);
    }
    if (freq !== undefined) {
      enc.byte(RDB_OPCODE_FREQ);
      enc.byte(freq);
    }
    enc.byte(Encoder.typeOf(value));
    enc.string(key);
    enc.object(value);
  }

  /** The EOF opcode and the checksum (zero when checksums are off). */
  end(): void {
    const enc = this.#enc;
    enc.byte(RDB_OPCODE_EOF);
    this.#sum();
    enc.reserve(8);
    if (this.#crc !== null) this.#crc.writeTo(enc.buf, enc.len);
    else enc.buf.fill(0, enc.len, enc.len + 8);
    enc.len += 8;
    this.#summed = enc.len;
  }

  /** Bytes buffered and not yet taken. */
  get length(): number {
    return this.#enc.len;
  }

  /** Hands over the buffered bytes (the caller writes them out) and empties the buffer. */
  take(): Uint8Array {
    this.#sum();
    const enc = this.#enc;
    const out = enc.buf.subarray(0, enc.len);
    enc.buf = new Uint8Array(Math.min(Math.max(enc.buf.length, WRITER_INITIAL), WRITER_KEEP));
    enc.len = 0;
    this.#summed = 0;
    return out;
  }

  /** Brings the CRC up to the end of the buffer. */
  #sum(): void {
    const enc = this.#enc;
    if (this.#crc !== null && this.#summed < enc.len) {
      this.#crc.update(enc.buf, this.#summed, enc.len);
    }
    this.#summed = enc.len;
  }
}

/** DUMP's payload: the value's type and body, RDB_VERSION (2 bytes LE), CRC-64 (8 bytes LE). */
export function dumpPayload(value: Value, compression: boolean): Uint8Array {
  const enc = new Encoder(compression, 256);
  enc.byte(Encoder.typeOf(value));
  enc.object(value);
  enc.reserve(10);
  enc.buf[enc.len++] = RDB_VERSION & 0xff;
  enc.buf[enc.len++] = RDB_VERSION >> 8;
  const crc = new Crc64();
  crc.update(enc.buf, 0, enc.len);
  crc.writeTo(enc.buf, enc.len);
  enc.len += 8;
  return enc.buf.subarray(0, enc.len);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Where `parseRdb` delivers what it reads. */
export interface RdbSink {
  /** An aux field (other than our own `mr-typed`). */
  aux?(key: string, value: string): void;
  /** SELECTDB: the keys that follow belong to database `index`. */
  selectDb(index: number): void;
  /** RESIZEDB: the sizes announced for the selected database. */
  resizeDb?(dbSize: number, expiresSize: number): void;
  /**
   * One key of the selected database. `expireAt` is absolute ms (a bigint beyond 2^53) and may
   * be in the past: dropping expired keys is the caller's business, as Redis drops them when
   * loading a dump.rdb but not an AOF preamble. An empty collection is skipped, as Redis does.
   */
  entry(
    key: string,
    value: Value,
    expireAt: number | bigint | undefined,
    idle?: number,
    freq?: number,
  ): void;
  /** A function library's code (FUNCTION opcodes); skipped when absent. */
  function?(code: string): void;
}

/** How often (bytes) `parseRdb` reports progress. */
const PROGRESS_STEP = 1 << 20;

const MODULE_NAME_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A module type's name from its 64-bit id (`moduleTypeNameByID`). */
export function moduleTypeName(id: bigint): string {
  let rest = id >> 10n;
  let name = "";
  for (let j = 0; j < 9; j++) {
    name = MODULE_NAME_CHARSET[Number(rest & 63n)]! + name;
    rest >>= 6n;
  }
  return name;
}

/** What `Reader.object` answers for a collection that turned out empty. */
const EMPTY: unique symbol = Symbol("empty");

/** The cursor over an RDB image (or a DUMP payload) and the readers of its encodings. */
class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  readonly #limits: EncodingLimits;
  readonly #latin1 = new Latin1Decoder();
  /** LZF-compressed strings are inflated here; their own decoder keeps its view. */
  #scratch = new Uint8Array(1024);
  readonly #scratchLatin1 = new Latin1Decoder();
  readonly #items: string[] = [];
  readonly #f64 = new Float64Array(1);
  readonly #f64Bytes = new Uint8Array(this.#f64.buffer);

  constructor(bytes: Uint8Array, start: number, end: number, limits: EncodingLimits) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.#limits = limits;
  }

  fail(message: string, at = this.pos): never {
    throw new RdbError(message, at);
  }

  eof(): never {
    return this.fail("Unexpected EOF reading RDB file");
  }

  u8(): number {
    if (this.pos >= this.end) this.eof();
    return this.bytes[this.pos++]!;
  }

  /** Reads `n` bytes; returns where they start. */
  take(n: number): number {
    const at = this.pos;
    if (n > this.end - at) this.eof();
    this.pos = at + n;
    return at;
  }

  /** Set by `length` when the length byte announced a special string encoding instead. */
  encoded = false;

  /** rdbLoadLenByRef: a length, or (with `encoded` set) a string encoding type. */
  length(): number {
    const b = this.u8();
    const type = b >> 6;
    this.encoded = false;
    if (type === 0) return b & 0x3f;
    if (type === 1) return ((b & 0x3f) << 8) | this.u8();
    if (type === RDB_ENCVAL) {
      this.encoded = true;
      return b & 0x3f;
    }
    const bytes = this.bytes;
    if (b === RDB_32BITLEN) {
      const p = this.take(4);
      return ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>>
        0;
    }
    if (b === RDB_64BITLEN) {
      const p = this.take(8);
      const hi = ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) |
        bytes[p + 3]!) >>> 0;
      const lo = ((bytes[p + 4]! << 24) | (bytes[p + 5]! << 16) | (bytes[p + 6]! << 8) |
        bytes[p + 7]!) >>> 0;
      return hi * 4294967296 + lo;
    }
    return this.fail(`Unknown length encoding ${type} in rdbLoadLen()`, this.pos - 1);
  }

  /** A plain length (a string encoding here is corrupt). */
  count(): number {
    const n = this.length();
    if (this.encoded) this.fail(`Unknown length encoding ${RDB_ENCVAL} in rdbLoadLen()`);
    return n;
  }

  /** rdbGenericLoadStringObject as a latin1 string. */
  string(): string {
    const n = this.length();
    if (!this.encoded) {
      const p = this.take(n);
      return this.#latin1.decode(this.bytes, p, p + n);
    }
    switch (n) {
      case RDB_ENC_INT8:
        return String((this.u8() << 24) >> 24);
      case RDB_ENC_INT16: {
        const p = this.take(2);
        return String(((this.bytes[p]! | (this.bytes[p + 1]! << 8)) << 16) >> 16);
      }
      case RDB_ENC_INT32: {
        const p = this.take(4);
        const b = this.bytes;
        return String(b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
      }
      case RDB_ENC_LZF: {
        const len = this.#inflate();
        return this.#scratchLatin1.decode(this.#scratch, 0, len);
      }
    }
    return this.fail(`Unknown RDB string encoding type ${n}`);
  }

  /**
   * A string as bytes (a listpack, an intset...): sets `blobBytes`, `blobStart` and `blobEnd`
   * to where it lies, in the image or, when compressed, in the scratch buffer (valid until the
   * next compressed string).
   */
  blob(): void {
    const n = this.length();
    if (!this.encoded) {
      const p = this.take(n);
      this.blobBytes = this.bytes;
      this.blobStart = p;
      this.blobEnd = p + n;
      return;
    }
    if (n === RDB_ENC_LZF) {
      const len = this.#inflate();
      this.blobBytes = this.#scratch;
      this.blobStart = 0;
      this.blobEnd = len;
      return;
    }
    // An integer-encoded blob is its decimal text (never a valid encoding, but it loads).
    this.pos--;
    const text = this.string();
    const bytes = new Uint8Array(text.length);
    latin1WriteInto(bytes, 0, text);
    this.blobBytes = bytes;
    this.blobStart = 0;
    this.blobEnd = bytes.length;
  }
  blobBytes: Uint8Array = new Uint8Array(0);
  blobStart = 0;
  blobEnd = 0;

  /** Reads an LZF blob (`rdbLoadLzfStringObject`) into the scratch buffer; returns its length. */
  #inflate(): number {
    const clen = this.count();
    const len = this.count();
    const p = this.take(clen);
    if (len > 0x7fffffff) this.fail("Invalid LZF compressed string");
    if (this.#scratch.length < len) {
      this.#scratch = new Uint8Array(Math.max(len, 2 * this.#scratch.length));
    }
    if (lzfDecompress(this.bytes, p, p + clen, this.#scratch, 0, len) !== len) {
      this.fail("Invalid LZF compressed string", p);
    }
    return len;
  }

  /** rdbLoadBinaryDoubleValue. */
  binaryDouble(): number {
    const p = this.take(8);
    const b = this.#f64Bytes;
    const bytes = this.bytes;
    b[0] = bytes[p]!;
    b[1] = bytes[p + 1]!;
    b[2] = bytes[p + 2]!;
    b[3] = bytes[p + 3]!;
    b[4] = bytes[p + 4]!;
    b[5] = bytes[p + 5]!;
    b[6] = bytes[p + 6]!;
    b[7] = bytes[p + 7]!;
    return this.#f64[0]!;
  }

  /** rdbLoadDoubleValue (RDB type 3): a length byte (253 NaN, 254 inf, 255 -inf) and text. */
  textDouble(): number {
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const p = this.take(n);
    const value = scoreOf(this.#latin1.decode(this.bytes, p, p + n));
    if (value === null) this.fail("Unexpected EOF reading RDB file", p);
    return value;
  }

  /** The 8-byte little-endian signed time at the cursor (EXPIRETIME_MS). */
  millis(): number | bigint {
    const p = this.take(8);
    const b = this.bytes;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
    const ms = hi * 4294967296 + lo;
    return Number.isSafeInteger(ms) ? ms : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * rdbLoadObject: the value of RDB type `type` with the encoding Redis would give it, or
   * EMPTY for a collection without elements (which Redis skips).
   */
  object(type: number): Value | typeof EMPTY {
    const limits = this.#limits;
    const items = this.#items;
    const start = this.pos;
    switch (type) {
      case RDB_TYPE_STRING:
        return this.string();

      case RDB_TYPE_LIST: {
        const n = this.count();
        const list = new ListValue();
        for (let i = 0; i < n; i++) list.pushBack(this.string());
        return n === 0 ? EMPTY : list;
      }

      case RDB_TYPE_LIST_QUICKLIST:
      case RDB_TYPE_LIST_QUICKLIST_2: {
        const nodes = this.count();
        const list = new ListValue();
        for (let k = 0; k < nodes; k++) {
          let container = QUICKLIST_NODE_CONTAINER_PACKED;
          if (type === RDB_TYPE_LIST_QUICKLIST_2) {
            container = this.count();
            if (
              container !== QUICKLIST_NODE_CONTAINER_PACKED &&
              container !== QUICKLIST_NODE_CONTAINER_PLAIN
            ) {
              this.fail("Quicklist integrity check failed.");
            }
          }
          if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
            list.pushBack(this.string());
            continue;
          }
          const at = this.pos;
          this.blob();
          if (this.blobEnd === this.blobStart) this.fail("Unexpected EOF reading RDB file", at);
          items.length = 0;
          const ok = type === RDB_TYPE_LIST_QUICKLIST_2
            ? readListpack(this.blobBytes, this.blobStart, this.blobEnd, items, this.#blobLatin1())
            : readZiplist(this.blobBytes, this.blobStart, this.blobEnd, items, this.#blobLatin1());
          if (!ok) {
            this.fail(
              type === RDB_TYPE_LIST_QUICKLIST_2
                ? "Listpack integrity check failed."
                : "Ziplist integrity check failed.",
              at,
            );
          }
          for (const item of items) list.pushBack(item);
        }
        items.length = 0;
        return list.length === 0 ? EMPTY : list;
      }

      case RDB_TYPE_LIST_ZIPLIST: {
        this.#readBlob(readZiplist, "List ziplist integrity check failed.");
        const list = ListValue.from(items);
        items.length = 0;
        return list.length === 0 ? EMPTY : list;
      }

      case RDB_TYPE_SET: {
        const n = this.count();
        if (n === 0) return EMPTY;
        const max = Math.min(limits.setMaxIntsetEntries, 2 ** 30);
        const set = new SetValue();
        // Too many members for an intset: a hash table from the start, as Redis does.
        const limit = n > max ? 0 : limits.setMaxIntsetEntries;
        for (let i = 0; i < n; i++) {
          if (!set.add(this.string(), limit)) this.fail("Duplicate set members detected");
        }
        return set;
      }

      case RDB_TYPE_SET_INTSET: {
        this.#readBlob(
          (b, s, e, out) => readIntset(b, s, e, out),
          "Intset integrity check failed.",
        );
        const set = SetValue.from(items, limits.setMaxIntsetEntries);
        items.length = 0;
        return set;
      }

      case RDB_TYPE_ZSET:
      case RDB_TYPE_ZSET_2: {
        const n = this.count();
        if (n === 0) return EMPTY;
        const zset = new SortedSetValue();
        for (let i = 0; i < n; i++) {
          const member = this.string();
          const score = type === RDB_TYPE_ZSET_2 ? this.binaryDouble() : this.textDouble();
          if (Number.isNaN(score)) this.fail("Zset with NAN score detected");
          if (zset.has(member)) this.fail("Duplicate zset fields detected");
          zset.insert(member, score);
        }
        zset.setEncodingFor(limits);
        return zset;
      }

      case RDB_TYPE_ZSET_ZIPLIST:
      case RDB_TYPE_ZSET_LISTPACK: {
        const message = type === RDB_TYPE_ZSET_LISTPACK
          ? "Zset listpack integrity check failed."
          : "Zset ziplist integrity check failed.";
        this.#readBlob(type === RDB_TYPE_ZSET_LISTPACK ? readListpack : readZiplist, message);
        if (items.length % 2 !== 0) this.fail(message, start);
        const zset = new SortedSetValue();
        for (let i = 0; i < items.length; i += 2) {
          const member = items[i]!;
          const score = scoreOf(items[i + 1]!);
          if (score === null || zset.has(member)) this.fail(message, start);
          zset.insert(member, score);
        }
        items.length = 0;
        if (zset.size === 0) return EMPTY;
        zset.listpack = zset.size <= limits.zsetMaxListpackEntries;
        return zset;
      }

      case RDB_TYPE_HASH: {
        const n = this.count();
        if (n === 0) return EMPTY;
        const hash = new HashValue();
        if (n > limits.hashMaxListpackEntries) hash.listpack = false;
        for (let i = 0; i < n; i++) {
          const field = this.string();
          const value = this.string();
          if (!hash.set(field, value, limits)) this.fail("Duplicate hash fields detected");
        }
        return hash;
      }

      case RDB_TYPE_HASH_ZIPMAP:
      case RDB_TYPE_HASH_ZIPLIST:
      case RDB_TYPE_HASH_LISTPACK: {
        const message = type === RDB_TYPE_HASH_ZIPMAP
          ? "Zipmap integrity check failed."
          : type === RDB_TYPE_HASH_ZIPLIST
          ? "Hash ziplist integrity check failed."
          : "Hash listpack integrity check failed.";
        this.#readBlob(
          type === RDB_TYPE_HASH_ZIPMAP
            ? readZipmap
            : type === RDB_TYPE_HASH_ZIPLIST
            ? readZiplist
            : readListpack,
          message,
        );
        if (items.length % 2 !== 0) this.fail(message, start);
        const hash = new HashValue();
        let longest = 0;
        for (let i = 0; i < items.length; i += 2) {
          const field = items[i]!;
          const value = items[i + 1]!;
          const size = hash.fields.size;
          hash.fields.set(field, value);
          if (hash.fields.size === size) {
            this.fail(
              type === RDB_TYPE_HASH_ZIPMAP
                ? `Hash zipmap with dup elements, or big length (${field.length})`
                : message,
              start,
            );
          }
          if (field.length > longest) longest = field.length;
          if (value.length > longest) longest = value.length;
        }
        items.length = 0;
        if (hash.size === 0) return EMPTY;
        // Redis converts on the count alone, except for a zipmap, where it also has the lengths.
        hash.listpack = hash.size <= limits.hashMaxListpackEntries &&
          (type !== RDB_TYPE_HASH_ZIPMAP || longest <= limits.hashMaxListpackValue);
        return hash;
      }

      case RDB_TYPE_MODULE:
      case RDB_TYPE_MODULE_2: {
        const id = this.#bigLength();
        return this.fail(
          `The RDB file contains module data I can't load: no matching module type '${
            moduleTypeName(id)
          }'`,
          start,
        );
      }

      case RDB_TYPE_STREAM_LISTPACKS:
      case RDB_TYPE_STREAM_LISTPACKS_2:
        return this.fail(
          `Can't load a stream (RDB type ${type}): streams are not supported`,
          start,
        );
    }
    return this.fail(`Unknown RDB encoding type ${type}`, start - 1);
  }

  /** The decoder for the bytes `blob` set. */
  #blobLatin1(): Latin1Decoder {
    return this.blobBytes === this.#scratch ? this.#scratchLatin1 : this.#latin1;
  }

  /** Reads a blob and decodes it into `#items` with `decode`, failing with `message`. */
  #readBlob(
    decode: (b: Uint8Array, s: number, e: number, out: string[], l: Latin1Decoder) => boolean,
    message: string,
  ): void {
    const at = this.pos;
    this.blob();
    this.#items.length = 0;
    if (!decode(this.blobBytes, this.blobStart, this.blobEnd, this.#items, this.#blobLatin1())) {
      this.#items.length = 0;
      this.fail(message, at);
    }
  }

  /** A length as a bigint (module ids use all 64 bits). */
  #bigLength(): bigint {
    const b = this.bytes[this.pos];
    if (b === RDB_64BITLEN) {
      this.pos++;
      const p = this.take(8);
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.bytes[p + i]!);
      return v;
    }
    return BigInt(this.count());
  }
}

/**
 * A score as Redis reads one from a listpack or an old RDB (`strtod`): the common forms fast,
 * `inf`, `-inf` and the rest through the C-like reader; null when it is no number at all.
 */
function scoreOf(text: string): number | null {
  const n = Number(text);
  if (!Number.isNaN(n) && text.length !== 0) return n;
  return parseDoubleLoose(text);
}

/** `atoi` of the version digits after `REDIS`. */
function atoi(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Parses a whole RDB image: a dump.rdb, or the preamble of an AOF, in which case the returned
 * `end` is where the RDB part ended and the AOF commands begin. Values get the encoding Redis
 * would give them under `limits`. Throws an `RdbError` (with the byte offset, and Redis's
 * message where it has one) for a bad image, including a wrong checksum (a zero checksum is
 * not checked, as Redis does). `onProgress` is called with the offset about every megabyte.
 */
export function parseRdb(
  bytes: Uint8Array,
  sink: RdbSink,
  limits: EncodingLimits,
  onProgress?: (offset: number) => void,
): { end: number } {
  const steps = parseRdbSteps(bytes, sink, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value);
  }
}

/**
 * `parseRdb` a step at a time: yields the offset reached about every PROGRESS_STEP bytes (and
 * at the end), so that a caller loading a large file can let other work run in between, and
 * returns where the image ended.
 */
export function* parseRdbSteps(
  bytes: Uint8Array,
  sink: RdbSink,
  limits: EncodingLimits,
): Generator<number, { end: number }, void> {
  const r = new Reader(bytes, 0, bytes.length, limits);
  if (bytes.length < 9) r.eof();
  if (
    bytes[0] !== 82 || bytes[1] !== 69 || bytes[2] !== 68 || bytes[3] !== 73 || bytes[4] !== 83
  ) {
    r.fail("Wrong signature trying to load DB from file", 0);
  }
  const version = atoi(bytes, 5, 9);
  if (version < 1 || version > RDB_VERSION) r.fail(`Can't handle RDB format version ${version}`, 5);
  r.pos = 9;

  let expireAt: number | bigint | undefined;
  let idle: number | undefined;
  let freq: number | undefined;
  /** Set by an `mr-typed` aux field for the next key: its RESP3 text, or "" (see the doc). */
  let typed: string | null = null;
  let nextProgress = PROGRESS_STEP;

  for (;;) {
    const type = r.u8();
    switch (type) {
      case RDB_OPCODE_EXPIRETIME: {
        const p = r.take(4);
        const seconds = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) |
          (bytes[p + 3]! << 24);
        expireAt = seconds * 1000;
        continue;
      }
      case RDB_OPCODE_EXPIRETIME_MS:
        expireAt = r.millis();
        continue;
      case RDB_OPCODE_FREQ:
        freq = r.u8();
        continue;
      case RDB_OPCODE_IDLE:
        idle = r.count();
        continue;
      case RDB_OPCODE_SELECTDB:
        sink.selectDb(r.count());
        continue;
      case RDB_OPCODE_RESIZEDB: {
        const dbSize = r.count();
        const expiresSize = r.count();
        sink.resizeDb?.(dbSize, expiresSize);
        continue;
      }
      case RDB_OPCODE_AUX: {
        const key = r.string();
        const value = r.string();
        if (key === TYPED_AUX) typed = value;
        else sink.aux?.(key, value);
        continue;
      }
      case RDB_OPCODE_MODULE_AUX: {
        const at = r.pos - 1;
        const id = BigInt(r.count());
        return r.fail(
          `The RDB file contains AUX module data I can't load: no matching module '${
            moduleTypeName(id)
          }'`,
          at,
        );
      }
      case RDB_OPCODE_FUNCTION:
      case RDB_OPCODE_FUNCTION2: {
        let code: string;
        if (type === RDB_OPCODE_FUNCTION) {
          // The format of 7.0's release candidates: name, engine, description, code.
          const name = r.string();
          const engine = r.string();
          if (r.count() !== 0) r.string();
          code = `#!${engine} name=${name}\n${r.string()}`;
        } else {
          code = r.string();
        }
        sink.function?.(code);
        continue;
      }
      case RDB_OPCODE_EOF:
        break;
      default: {
        if (!isObjectType(type)) r.fail(`Unknown RDB encoding type ${type}`, r.pos - 1);
        const key = r.string();
        let value = r.object(type);
        if (value !== EMPTY) {
          if (typed !== null && typeof value === "string") {
            const restored = parseResp3(typed === "" ? value : typed);
            if (restored !== INCOMPLETE) value = new TypedValue(restored);
          }
          sink.entry(key, value, expireAt, idle, freq);
        }
        expireAt = undefined;
        idle = undefined;
        freq = undefined;
        typed = null;
        if (r.pos >= nextProgress) {
          yield r.pos;
          nextProgress = r.pos + PROGRESS_STEP;
        }
        continue;
      }
    }
    break;
  }

  if (version >= 5) {
    const p = r.take(8);
    const stored = bytes.subarray(p, p + 8);
    if (stored.some((b) => b !== 0)) {
      const crc = new Crc64();
      crc.update(bytes, 0, p);
      if (!crc.matches(bytes, p)) {
        const got = new Crc64();
        got.lo = stored[0]! | (stored[1]! << 8) | (stored[2]! << 16) | (stored[3]! << 24);
        got.hi = stored[4]! | (stored[5]! << 8) | (stored[6]! << 16) | (stored[7]! << 24);
        r.fail(
          `Wrong RDB checksum expected: (${crc.value().toString(16)}) but got (${
            got.value().toString(16)
          }). Aborting now.`,
          p,
        );
      }
    }
  }
  yield r.pos;
  return { end: r.pos };
}

const VERSION_OR_CHECKSUM = "ERR DUMP payload version or checksum are wrong";
const BAD_DATA_FORMAT = "ERR Bad data format";

/**
 * RESTORE's reading of a DUMP payload (of any RDB version up to ours): the value, with the
 * encoding Redis would give it under `limits`. Throws a `CommandError` with Redis's text for a
 * payload whose version or checksum is wrong, or whose data is not a value.
 */
export function restorePayload(payload: Uint8Array, limits: EncodingLimits): Value {
  const n = payload.length;
  if (n < 10) throw new CommandError(VERSION_OR_CHECKSUM);
  const version = payload[n - 10]! | (payload[n - 9]! << 8);
  if (version > RDB_VERSION) throw new CommandError(VERSION_OR_CHECKSUM);
  const crc = new Crc64();
  crc.update(payload, 0, n - 8);
  if (!crc.matches(payload, n - 8)) throw new CommandError(VERSION_OR_CHECKSUM);
  // As Redis's, the reader may run into the footer: a string whose length reaches into it loads.
  const r = new Reader(payload, 0, n, limits);
  try {
    const type = r.u8();
    if (!isObjectType(type)) throw new CommandError(BAD_DATA_FORMAT);
    const value = r.object(type);
    if (value === EMPTY) throw new CommandError(BAD_DATA_FORMAT);
    return value;
  } catch (e) {
    if (e instanceof RdbError) throw new CommandError(BAD_DATA_FORMAT);
    throw e;
  }
}
