/**
 * HSCAN, SSCAN and ZSCAN share Redis's `scanGenericCommand`: the same options, errors and
 * paging. A collection Redis keeps compact (listpack, intset) is answered whole with cursor 0,
 * whatever COUNT says, as Redis does; a large one pages through a live iterator
 * (keyspace/scan_cursors.ts), so every element present for the whole scan is returned.
 *
 * @module
 */
import { globMatch } from "../keyspace/glob.ts";
import { ScanCursors } from "../keyspace/scan_cursors.ts";
import { integerArg } from "./args.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, Errors } from "./spec.ts";

/** How many live cursors one collection keeps before forgetting the oldest. */
const MAX_CURSORS_PER_COLLECTION = 256;

/** The cursors of each scanned collection, dropped with the collection. */
const cursorsByOwner = new WeakMap<object, ScanCursors<unknown>>();

/** Parses a SCAN cursor as Redis's strtoul-based check does: an unsigned 64-bit number. */
export function parseCursor(text: string): string {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (text === "") return "0";
  if (m === null) throw new CommandError("ERR invalid cursor");
  const v = BigInt(m[2]!);
  if (v > 2n ** 64n - 1n) throw new CommandError("ERR invalid cursor");
  const wrapped = m[1] === "-" && v !== 0n ? 2n ** 64n - v : v;
  return wrapped.toString();
}

/** The options of a SCAN-family command: COUNT, MATCH (null for all), and SCAN's TYPE. */
export interface ScanOptions {
  count: number;
  match: string | null;
  type: string | null;
}

/**
 * Parses `[MATCH pattern] [COUNT count]` (and `[TYPE type]` for SCAN) from `argv[start..]` as
 * Redis's scanGenericCommand does, its errors included.
 */
export function parseScanOptions(argv: string[], start: number, allowType: boolean): ScanOptions {
  const o: ScanOptions = { count: 10, match: null, type: null };
  for (let i = start; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const more = argv.length - i - 1;
    if (opt === "count" && more >= 1) {
      o.count = integerArg(argv[++i]!);
      if (o.count < 1) throw new CommandError(Errors.syntax);
    } else if (opt === "match" && more >= 1) {
      o.match = argv[++i]!;
      if (o.match === "*") o.match = null;
    } else if (allowType && opt === "type" && more >= 1) {
      o.type = argv[++i]!.toLowerCase();
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  return o;
}

/** Replies an empty scan (`["0", []]`): what HSCAN/SSCAN/ZSCAN answer for a missing key. */
export function replyEmptyScan(ctx: ClientContext): void {
  ctx.out.arrayLength(2);
  ctx.out.bulk("0");
  ctx.out.arrayLength(0);
}

/**
 * Replies one page of HSCAN/SSCAN/ZSCAN over `owner`'s elements, parsing `[MATCH pattern]
 * [COUNT count]` from argv[3..] as Redis's scanGenericCommand does (its errors included).
 * `entries()` iterates the elements (a Map or Set iterator, stable under inserts and deletes),
 * `name(e)` is the text MATCH applies to, `flatten(e, out)` pushes the reply strings of one
 * element (member; field, value; member, score).
 */
export function scanElements<T>(
  ctx: ClientContext,
  argv: string[],
  cursor: string,
  owner: object,
  compact: boolean,
  entries: () => Iterator<T>,
  name: (e: T) => string,
  flatten: (e: T, out: string[]) => void,
): void {
  const { count, match } = parseScanOptions(argv, 3, false);
  const accept = (e: T) => match === null || globMatch(match, name(e));
  const out: string[] = [];
  let next = "0";
  if (compact) {
    for (let it = entries(), r = it.next(); !r.done; r = it.next()) {
      if (accept(r.value)) flatten(r.value, out);
    }
  } else {
    let cursors = cursorsByOwner.get(owner) as ScanCursors<T> | undefined;
    if (cursors === undefined) {
      cursors = new ScanCursors<T>(MAX_CURSORS_PER_COLLECTION);
      cursorsByOwner.set(owner, cursors as ScanCursors<unknown>);
    }
    const page = cursors.page(cursor, count, `${count}\0${match ?? ""}`, entries, accept);
    next = page.cursor;
    for (const e of page.items) flatten(e, out);
  }
  ctx.out.arrayLength(2);
  ctx.out.bulk(next);
  ctx.out.bulkArray(out);
}
