/**
 * The string commands (Redis's t_string.c): GET, SET and its options, the multi-key forms,
 * counters, ranges and LCS. Values are latin1 strings (one char per byte); typed values from
 * the tutorial's clients are stored and returned as they came (see keyspace/values.ts).
 *
 * Each write reports what it changed as t_string.c does: the modification signal, the keyspace
 * event (`set`, `append`, `incrby`, ..., `new` for a created key, `expire`, `persist` and `del`
 * for GETEX and GETDEL) and the dirty count; a write that changes nothing reports nothing.
 *
 * What a write logs (the AOF) is its effect, as t_string.c rewrites it: an expiry becomes an
 * absolute time (SET, SETEX and PSETEX as `SET key value PXAT ms`, GETEX as PEXPIREAT, PERSIST,
 * or DEL for a time already past), SET's GET option is dropped, GETSET is logged as SET, GETDEL
 * as DEL, and INCRBYFLOAT as `SET key value KEEPTTL` so that replay does not redo the float
 * arithmetic.
 *
 * @module
 */
import { keyChanged, keyCreated, NotifyType, setKey } from "../keyspace/notify.ts";
import { isStringType, stringOf, type TypedValue, type Value } from "../keyspace/values.ts";
import {
  checkStringLength,
  expiryAt,
  int64Arg,
  integerArg,
  lookupRead,
  outOfInt64,
  parseInt64,
  parseSmallInteger,
  readString,
  replyValue,
  valueArg,
  writableString,
} from "./args.ts";
import type { ClientContext } from "./context.ts";
import { loggedDeletion } from "./keys.ts";
import { addLongDouble, formatLongDouble, isInfinite, parseLongDouble } from "./long_double.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";
import type { RespValue } from "../resp/types.ts";

/**
 * The value at `key` for GET-like commands: strings and typed values (the tutorial's
 * structures are read back with GET: that is their point); WRONGTYPE for other types.
 */
function readForGet(ctx: ClientContext, key: string): string | TypedValue | undefined {
  const value = lookupRead(ctx, key);
  if (value === undefined) return undefined;
  if (!isStringType(value)) throw new CommandError(Errors.wrongType);
  return value;
}

function get(ctx: ClientContext, argv: string[]): void {
  replyValue(ctx, readForGet(ctx, argv[1]!));
}

/** The group's spec builder: one command per line in the table below. */
const spec = groupSpec("string");

/** The options of SET and GETEX, parsed as Redis's `parseExtendedStringArgumentsOrReply`. */
interface ExtendedOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  /** `ex`, `px`, `exat` or `pxat`, or null when no expiry was given. */
  expiryKind: string | null;
  /** The expiry amount as typed; validated later, where Redis validates it. */
  expiryAmount: string;
}

/**
 * Parses SET's options (`forSet`) or GETEX's from `argv[start..]` with Redis's conflict rules:
 * each option refuses the ones it conflicts with but not itself, so a repeated option is
 * accepted and the last expiry given wins (`SET k v EX 0 EX 10` sets a 10 s TTL).
 */
function parseExtendedOptions(argv: string[], start: number, forSet: boolean): ExtendedOptions {
  const o: ExtendedOptions = {
    nx: false,
    xx: false,
    get: false,
    keepTtl: false,
    persist: false,
    expiryKind: null,
    expiryAmount: "",
  };
  for (let i = start; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const hasNext = i + 1 < argv.length;
    const kind = o.expiryKind;
    if (forSet && opt === "nx" && !o.xx) o.nx = true;
    else if (forSet && opt === "xx" && !o.nx) o.xx = true;
    else if (forSet && opt === "get") o.get = true;
    else if (forSet && opt === "keepttl" && kind === null) o.keepTtl = true;
    else if (!forSet && opt === "persist" && kind === null) o.persist = true;
    else if (
      (opt === "ex" || opt === "px" || opt === "exat" || opt === "pxat") &&
      (kind === null || kind === opt) && !o.keepTtl && !o.persist && hasNext
    ) {
      o.expiryKind = opt;
      o.expiryAmount = argv[++i]!;
    } else {
      throw new CommandError(Errors.syntax);
    }
  }
  return o;
}

/** The absolute expiry time the options ask for, or null; throws Redis's errors. */
function optionExpiry(ctx: ClientContext, o: ExtendedOptions, command: string): bigint | null {
  if (o.expiryKind === null) return null;
  return expiryAt(o.expiryKind, o.expiryAmount, ctx.server.clock.now(), command);
}

/** The string-class event `event` on `key`, with its signal and one dirty change. */
function changed(ctx: ClientContext, event: string, key: string): void {
  keyChanged(ctx.server, ctx.db, NotifyType.string, event, key);
}

/** The generic-class event `event` on `key` (GETEX, GETDEL), with signal and dirty change. */
function changedGeneric(ctx: ClientContext, event: string, key: string): void {
  keyChanged(ctx.server, ctx.db, NotifyType.generic, event, key);
}

/** Stores `value` at `key` as SET does (TTL cleared), with the `set` event. */
function setString(ctx: ClientContext, key: string, value: Value): void {
  setKey(ctx.server, ctx.db, key, value);
  ctx.server.notifyKeyspaceEvent(NotifyType.string, "set", key, ctx.db.index);
  ctx.server.dirty++;
}

/**
 * Logs the running command as `argv` (Redis's rewriteClientCommandVector), the value argument
 * `from` of the command going to position `to` as it arrived: a typed RESP value (as the
 * tutorial's clients send) stays typed.
 */
function logAs(ctx: ClientContext, argv: string[], from: number, to: number): void {
  ctx.propagateAs = argv;
  const typed = ctx.typed?.[from];
  if (typed === undefined) return;
  const types: (RespValue | undefined)[] = new Array(argv.length);
  types[to] = typed;
  ctx.propagateTyped = types;
}

/** `SET key value PXAT at`: how SET, SETEX and PSETEX with an expiry are logged. */
function logSetWithExpiry(ctx: ClientContext, argv: string[], valueIndex: number, at: bigint) {
  logAs(ctx, ["SET", argv[1]!, argv[valueIndex]!, "PXAT", String(at)], valueIndex, 2);
}

/** The `expire` event SET and SETEX send after `set` when they give the key a TTL. */
function notifyExpire(ctx: ClientContext, key: string): void {
  ctx.server.notifyKeyspaceEvent(NotifyType.generic, "expire", key, ctx.db.index);
}

function set(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const db = ctx.db;
  if (argv.length === 3) {
    // The common case, without option parsing.
    setString(ctx, key, valueArg(ctx, argv, 2));
    if (ctx.server.tutorial) ctx.out.integer(1);
    else ctx.out.ok();
    return;
  }
  const o = parseExtendedOptions(argv, 3, true);
  const at = optionExpiry(ctx, o, "set");
  // SET ... GET reads the old value as GET does, counting a keyspace hit or miss.
  const old = o.get ? lookupRead(ctx, key) : db.lookup(key);
  if (o.get) {
    if (old !== undefined && !isStringType(old)) throw new CommandError(Errors.wrongType);
    replyValue(ctx, old);
  }
  if ((o.nx && old !== undefined) || (o.xx && old === undefined)) {
    if (!o.get) ctx.out.null();
    return;
  }
  const value = valueArg(ctx, argv, 2);
  if (o.keepTtl && old !== undefined) db.update(key, value);
  else db.set(key, value);
  if (old === undefined) keyCreated(ctx.server, db, key);
  changed(ctx, "set", key);
  if (at !== null) {
    db.setExpire(key, at);
    notifyExpire(ctx, key);
    // Whatever the options, as `SET key value PXAT ms` (Redis 7.0 rewrites PXAT too).
    logSetWithExpiry(ctx, argv, 2, at);
  } else if (o.get) {
    // Without GET (every one of them), which replay has no use for.
    logAs(ctx, argv.filter((a, i) => i < 3 || a.toLowerCase() !== "get"), 2, 2);
  }
  if (!o.get) {
    if (ctx.server.tutorial) ctx.out.integer(1);
    else ctx.out.ok();
  }
}

function setnx(ctx: ClientContext, argv: string[]): void {
  if (ctx.db.has(argv[1]!)) return ctx.out.integer(0);
  setString(ctx, argv[1]!, valueArg(ctx, argv, 2));
  ctx.out.integer(1);
}

function setexGeneric(ctx: ClientContext, argv: string[], kind: "ex" | "px"): void {
  const at = expiryAt(kind, argv[2]!, ctx.server.clock.now(), argv[0]!.toLowerCase());
  setString(ctx, argv[1]!, valueArg(ctx, argv, 3));
  ctx.db.setExpire(argv[1]!, at);
  notifyExpire(ctx, argv[1]!);
  logSetWithExpiry(ctx, argv, 3, at);
  ctx.out.ok();
}

function mget(ctx: ClientContext, argv: string[]): void {
  ctx.out.arrayLength(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = lookupRead(ctx, argv[i]!);
    replyValue(ctx, value !== undefined && isStringType(value) ? value : undefined);
  }
}

function checkPairs(argv: string[]): void {
  if (argv.length % 2 === 0) throw new CommandError(Errors.wrongArity(argv[0]!.toLowerCase()));
}

function mset(ctx: ClientContext, argv: string[]): void {
  checkPairs(argv);
  for (let i = 1; i < argv.length; i += 2) setString(ctx, argv[i]!, valueArg(ctx, argv, i + 1));
  if (ctx.server.tutorial) ctx.out.integer((argv.length - 1) / 2);
  else ctx.out.ok();
}

function msetnx(ctx: ClientContext, argv: string[]): void {
  checkPairs(argv);
  for (let i = 1; i < argv.length; i += 2) {
    if (ctx.db.has(argv[i]!)) return ctx.out.integer(0);
  }
  for (let i = 1; i < argv.length; i += 2) setString(ctx, argv[i]!, valueArg(ctx, argv, i + 1));
  ctx.out.integer(1);
}

function getset(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const old = readForGet(ctx, key);
  ctx.db.set(key, valueArg(ctx, argv, 2));
  if (old === undefined) keyCreated(ctx.server, ctx.db, key);
  changed(ctx, "set", key);
  logAs(ctx, ["SET", key, argv[2]!], 2, 2);
  replyValue(ctx, old);
}

function getdel(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const old = readForGet(ctx, key);
  if (old !== undefined) {
    ctx.db.delete(key);
    changedGeneric(ctx, "del", key);
    ctx.propagateAs = loggedDeletion(ctx, "lazyfree-lazy-user-del", key);
  }
  replyValue(ctx, old);
}

function getex(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const o = parseExtendedOptions(argv, 2, false);
  const value = readForGet(ctx, key);
  if (value === undefined) return ctx.out.null();
  // As in Redis, the expiry is validated only once the key is known to exist.
  const at = optionExpiry(ctx, o, "getex");
  if (at !== null) {
    // Only EXAT and PXAT can name a time already past: the key goes, as a DEL.
    if (at <= ctx.server.clock.now()) {
      ctx.db.delete(key);
      changedGeneric(ctx, "del", key);
      ctx.propagateAs = loggedDeletion(ctx, "lazyfree-lazy-expire", key);
    } else {
      ctx.db.setExpire(key, at);
      changedGeneric(ctx, "expire", key);
      ctx.propagateAs = ["PEXPIREAT", key, String(at)];
    }
  } else if (o.persist && ctx.db.persist(key)) {
    changedGeneric(ctx, "persist", key);
    ctx.propagateAs = ["PERSIST", key];
  }
  replyValue(ctx, value);
}

function append(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const old = writableString(ctx.db, key);
  const addition = argv[2]!;
  if (old === null) {
    ctx.db.set(key, addition);
    keyCreated(ctx.server, ctx.db, key);
    changed(ctx, "append", key);
    return ctx.out.integer(addition.length);
  }
  checkStringLength(ctx, old.length + addition.length);
  const next = old + addition;
  ctx.db.update(key, next);
  // Redis appends in place to a private sds: the string is `raw` whatever its text.
  ctx.db.setStringEncoding(key, "raw");
  changed(ctx, "append", key);
  ctx.out.integer(next.length);
}

function strlen(ctx: ClientContext, argv: string[]): void {
  ctx.out.integer(readString(ctx, argv[1]!)?.length ?? 0);
}

function incrBy(ctx: ClientContext, key: string, by: bigint | number): void {
  const old = writableString(ctx.db, key);
  // Fast path: both sides fit in 15 digits, so the sum is exact in a double.
  const small = old === null ? 0 : parseSmallInteger(old);
  if (typeof by === "number" && !Number.isNaN(small)) {
    const next = small + by;
    storeCounter(ctx, key, old, String(next), "incrby");
    return ctx.out.integer(next);
  }
  let current = 0n;
  if (old !== null) {
    const parsed = parseInt64(old);
    if (parsed === null) throw new CommandError(Errors.notInteger);
    current = parsed;
  }
  const next = current + BigInt(by);
  if (outOfInt64(next)) throw new CommandError(Errors.overflow);
  storeCounter(ctx, key, old, next.toString(), "incrby");
  ctx.out.integer(Number.isSafeInteger(Number(next)) ? Number(next) : next);
}

/** Stores a counter's new text (keeping the TTL of an existing key) with its event. */
function storeCounter(
  ctx: ClientContext,
  key: string,
  old: string | null,
  text: string,
  event: string,
): void {
  if (old === null) {
    ctx.db.set(key, text);
    keyCreated(ctx.server, ctx.db, key);
  } else {
    ctx.db.update(key, text);
  }
  changed(ctx, event, key);
}

/** An INCRBY/DECRBY amount: a small number when it is one, else an exact bigint. */
function amountArg(text: string): bigint | number {
  const small = parseSmallInteger(text);
  return Number.isNaN(small) ? int64Arg(text) : small;
}

function incrbyfloat(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const old = writableString(ctx.db, key);
  const current = old === null ? { m: 0n, e: 0 } : parseLongDouble(old);
  if (current === null) throw new CommandError(Errors.notFloat);
  const by = parseLongDouble(argv[2]!);
  if (by === null) throw new CommandError(Errors.notFloat);
  const sum = addLongDouble(current, by);
  if (isInfinite(sum) || isInfinite(current) || isInfinite(by)) {
    throw new CommandError("ERR increment would produce NaN or Infinity");
  }
  const text = formatLongDouble(sum);
  storeCounter(ctx, key, old, text, "incrbyfloat");
  // The result, not the increment: float formatting must not differ on replay.
  ctx.propagateAs = ["SET", key, text, "KEEPTTL"];
  // Redis stores the formatted text as it is, never as an `int`, even when it reads as one.
  if (text.length <= 20 && parseInt64(text) !== null) ctx.db.setStringEncoding(key, "embstr");
  ctx.out.bulk(text);
}

function getrange(ctx: ClientContext, argv: string[]): void {
  let start = integerArg(argv[2]!);
  let end = integerArg(argv[3]!);
  const s = readString(ctx, argv[1]!);
  if (s === null) return ctx.out.bulk("");
  const n = s.length;
  if (start < 0 && end < 0 && start > end) return ctx.out.bulk("");
  if (start < 0) start = n + start;
  if (end < 0) end = n + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end || n === 0) return ctx.out.bulk("");
  ctx.out.bulk(s.slice(start, end + 1));
}

function setrange(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  const offset = integerArg(argv[2]!);
  const value = argv[3]!;
  if (offset < 0) throw new CommandError("ERR offset is out of range");
  const old = writableString(ctx.db, key);
  if (old === null) {
    if (value.length === 0) return ctx.out.integer(0);
    checkStringLength(ctx, offset + value.length);
    ctx.db.set(key, "\0".repeat(offset) + value);
    ctx.db.setStringEncoding(key, "raw"); // Redis writes into a new `raw` string
    keyCreated(ctx.server, ctx.db, key);
    changed(ctx, "setrange", key);
    return ctx.out.integer(offset + value.length);
  }
  if (value.length === 0) return ctx.out.integer(old.length);
  checkStringLength(ctx, offset + value.length);
  const padded = old.length < offset ? old + "\0".repeat(offset - old.length) : old;
  const next = padded.slice(0, offset) + value + padded.slice(offset + value.length);
  ctx.db.update(key, next);
  ctx.db.setStringEncoding(key, "raw"); // Redis writes in place into a private `raw` string
  changed(ctx, "setrange", key);
  ctx.out.integer(next.length);
}

function lcs(ctx: ClientContext, argv: string[]): void {
  const va = lookupRead(ctx, argv[1]!);
  const vb = lookupRead(ctx, argv[2]!);
  const a = va === undefined ? "" : stringOf(va);
  const b = vb === undefined ? "" : stringOf(vb);
  if (a === null || b === null) {
    throw new CommandError("ERR The specified keys must contain string values");
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === "idx") getIdx = true;
    else if (opt === "len") getLen = true;
    else if (opt === "withmatchlen") withMatchLen = true;
    else if (opt === "minmatchlen" && more > 0) {
      minMatchLen = Math.max(0, integerArg(argv[++j]!));
    } else throw new CommandError(Errors.syntax);
  }
  if (getIdx && getLen) {
    throw new CommandError("ERR If you want both the length and indexes, please just use IDX.");
  }
  const alen = a.length;
  const blen = b.length;
  const size = (alen + 1) * (blen + 1);
  if (size * 4 > ctx.server.config.getNumber("proto-max-bulk-len")) {
    throw new CommandError(
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    );
  }
  const dp = new Uint32Array(size);
  const w = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) dp[i * w + j] = dp[(i - 1) * w + j - 1]! + 1;
      else {
        const l1 = dp[(i - 1) * w + j]!;
        const l2 = dp[i * w + j - 1]!;
        dp[i * w + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  let idx = dp[alen * w + blen]!;
  const total = idx;
  const computeLcs = getIdx || !getLen;
  const result: string[] = new Array(computeLcs ? idx : 0);
  const ranges: number[][] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j]! > dp[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0 || matchLen >= minMatchLen) {
        ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      }
      aStart = alen;
    }
  }
  const out = ctx.out;
  if (getIdx) {
    out.mapLength(2);
    out.bulk("matches");
    out.arrayLength(ranges.length);
    for (const [as, ae, bs, be, len] of ranges) {
      out.arrayLength(withMatchLen ? 3 : 2);
      out.arrayLength(2);
      out.integer(as!);
      out.integer(ae!);
      out.arrayLength(2);
      out.integer(bs!);
      out.integer(be!);
      if (withMatchLen) out.integer(len!);
    }
    out.bulk("len");
    out.integer(total);
  } else if (getLen) {
    out.integer(total);
  } else {
    out.bulk(result.join(""));
  }
}

/** The string group's commands. */
export const stringCommands: CommandSpec[] = [
  spec("get", 2, ["readonly", "fast"], [1, 1, 1], get),
  spec("set", -3, ["write", "denyoom"], [1, 1, 1], set),
  spec("setnx", 3, ["write", "denyoom", "fast"], [1, 1, 1], setnx),
  spec("setex", 4, ["write", "denyoom"], [1, 1, 1], (c, a) => setexGeneric(c, a, "ex")),
  spec("psetex", 4, ["write", "denyoom"], [1, 1, 1], (c, a) => setexGeneric(c, a, "px")),
  spec("mget", -2, ["readonly", "fast"], [1, -1, 1], mget),
  spec("mset", -3, ["write", "denyoom"], [1, -1, 2], mset),
  spec("msetnx", -3, ["write", "denyoom"], [1, -1, 2], msetnx),
  spec("getset", 3, ["write", "denyoom", "fast"], [1, 1, 1], getset),
  spec("getdel", 2, ["write", "fast"], [1, 1, 1], getdel),
  spec("getex", -2, ["write", "fast"], [1, 1, 1], getex),
  spec("append", 3, ["write", "denyoom", "fast"], [1, 1, 1], append),
  spec("strlen", 2, ["readonly", "fast"], [1, 1, 1], strlen),
  spec("incr", 2, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => incrBy(c, a[1]!, 1)),
  spec("decr", 2, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => incrBy(c, a[1]!, -1)),
  spec(
    "incrby",
    3,
    ["write", "denyoom", "fast"],
    [1, 1, 1],
    (c, a) => incrBy(c, a[1]!, amountArg(a[2]!)),
  ),
  spec("decrby", 3, ["write", "denyoom", "fast"], [1, 1, 1], (c, a) => {
    const by = amountArg(a[2]!);
    if (by === -(2n ** 63n)) throw new CommandError("ERR decrement would overflow");
    incrBy(c, a[1]!, -by);
  }),
  spec("incrbyfloat", 3, ["write", "denyoom", "fast"], [1, 1, 1], incrbyfloat),
  spec("getrange", 4, ["readonly"], [1, 1, 1], getrange),
  spec("substr", 4, ["readonly"], [1, 1, 1], getrange),
  spec("setrange", 4, ["write", "denyoom"], [1, 1, 1], setrange),
  spec("lcs", -3, ["readonly"], [1, 2, 1], lcs),
];
