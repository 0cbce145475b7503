/**
 * Test helpers: builders of the compact encodings Redis 7.0 no longer writes but still loads
 * (ziplists and zipmaps, as Redis 6.2 and 2.4 wrote them), and of DUMP payloads around any RDB
 * body, so tests can hand real Redis and our server the same old-format data.
 *
 * @module
 */
import { Crc64 } from "../../src/persistence/crc64.ts";

/** A ziplist entry: a string, or an integer in the encoding named. */
export type ZiplistEntry =
  | string
  | { int: number | bigint; enc: "imm" | "8" | "16" | "24" | "32" | "64" };

function bytesOf(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function le(value: number | bigint, width: number): number[] {
  let v = BigInt.asUintN(width * 8, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** A ziplist of `entries` (`<zlbytes><zltail><zllen> entries 0xFF`). */
export function ziplist(entries: readonly ZiplistEntry[]): Uint8Array {
  const body: number[] = [];
  let prevSize = 0;
  let tail = 10;
  for (const entry of entries) {
    const start = body.length;
    tail = 10 + start;
    if (prevSize < 254) body.push(prevSize);
    else body.push(0xfe, ...le(prevSize, 4));
    if (typeof entry === "string") {
      const n = entry.length;
      if (n < 64) body.push(n);
      else if (n < 16384) body.push(0x40 | (n >> 8), n & 0xff);
      else body.push(0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
      body.push(...bytesOf(entry));
    } else {
      switch (entry.enc) {
        case "imm":
          body.push(0xf1 + Number(entry.int));
          break;
        case "8":
          body.push(0xfe, ...le(entry.int, 1));
          break;
        case "16":
          body.push(0xc0, ...le(entry.int, 2));
          break;
        case "24":
          body.push(0xf0, ...le(entry.int, 3));
          break;
        case "32":
          body.push(0xd0, ...le(entry.int, 4));
          break;
        case "64":
          body.push(0xe0, ...le(entry.int, 8));
          break;
      }
    }
    prevSize = body.length - start;
  }
  const total = 10 + body.length + 1;
  return new Uint8Array([
    ...le(total, 4),
    ...le(entries.length === 0 ? 10 : tail, 4),
    ...le(entries.length, 2),
    ...body,
    0xff,
  ]);
}

/** A zipmap of key/value `pairs`, each value followed by `free` unused bytes. */
export function zipmap(pairs: readonly [string, string][], free = 0): Uint8Array {
  const out: number[] = [pairs.length < 254 ? pairs.length : 254];
  const len = (n: number) => n < 254 ? [n] : [254, ...le(n, 4)];
  for (const [key, value] of pairs) {
    out.push(...len(key.length), ...bytesOf(key), ...len(value.length), free, ...bytesOf(value));
    for (let i = 0; i < free; i++) out.push(0);
  }
  out.push(0xff);
  return new Uint8Array(out);
}

/** An RDB string of raw bytes: its length (as rdbSaveLen writes it) and the bytes. */
export function rdbString(bytes: Uint8Array | string): number[] {
  const data = typeof bytes === "string" ? bytesOf(bytes) : [...bytes];
  const n = data.length;
  let header: number[];
  if (n < 64) header = [n];
  else if (n < 16384) header = [0x40 | (n >> 8), n & 0xff];
  else header = [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return [...header, ...data];
}

/** A DUMP payload: `body` (type byte and value), `version` (2 bytes LE) and the CRC-64. */
export function payload(body: readonly number[], version = 9): Uint8Array {
  const out = new Uint8Array(body.length + 10);
  out.set(body);
  out[body.length] = version & 0xff;
  out[body.length + 1] = version >> 8;
  const crc = new Crc64();
  crc.update(out, 0, body.length + 2);
  crc.writeTo(out, body.length + 2);
  return out;
}
