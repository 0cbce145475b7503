/**
 * DUMP and RESTORE (Redis's cluster.c): a value serialized as Redis 7.0 serializes it (its RDB
 * encoding, the RDB version and a CRC-64; see persistence/rdb.ts), so payloads move between
 * this server and a real Redis in both directions.
 *
 * RESTORE checks in Redis's order: the options (REPLACE, ABSTTL, IDLETIME or FREQ, one of the
 * last two), the target key (BUSYKEY unless REPLACE), the TTL, the payload's version and
 * checksum, then its data. A TTL already in the past creates nothing (it only deletes the key
 * REPLACE named, as a DEL). IDLETIME sets the key's idle time under an LRU policy and FREQ its
 * access counter under LFU, each ignored under the other, as `objectSetLRUOrLFU` does. A new key
 * is reported as Redis's dbAdd and RESTORE report it: `new`, then `restore`, with the
 * modification signal and one change counted. Like Redis, RESTORE is logged (the AOF) with a
 * relative TTL turned into an absolute one (`... ABSTTL`), and as DEL when it only deleted.
 *
 * @module
 */
import { keyChanged, keyCreated, NotifyType } from "../keyspace/notify.ts";
import { dumpPayload, restorePayload } from "../persistence/rdb.ts";
import { latin1Decode, latin1Encode } from "../resp/latin1.ts";
import { int64Arg, lookupRead } from "./args.ts";
import type { ClientContext } from "./context.ts";
import { syncAccessPolicy } from "./keys.ts";
import { CommandError, type CommandSpec, Errors, groupSpec } from "./spec.ts";

function dump(ctx: ClientContext, argv: string[]): void {
  const value = lookupRead(ctx, argv[1]!);
  if (value === undefined) return ctx.out.null();
  const compression = ctx.server.config.get("rdbcompression") !== "no";
  const payload = dumpPayload(value, compression);
  ctx.out.bulk(latin1Decode(payload, 0, payload.length));
}

function restore(ctx: ClientContext, argv: string[]): void {
  const key = argv[1]!;
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const option = argv[j]!.toLowerCase();
    const additional = argv.length - j - 1;
    if (option === "replace") {
      replace = true;
    } else if (option === "absttl") {
      absttl = true;
    } else if (option === "idletime" && additional >= 1 && freq === -1n) {
      idle = int64Arg(argv[++j]!);
      if (idle < 0n) throw new CommandError("ERR Invalid IDLETIME value, must be >= 0");
    } else if (option === "freq" && additional >= 1 && idle === -1n) {
      freq = int64Arg(argv[++j]!);
      if (freq < 0n || freq > 255n) {
        throw new CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255");
      }
    } else {
      throw new CommandError(Errors.syntax);
    }
  }

  const db = ctx.db;
  if (!replace && db.lookup(key) !== undefined) {
    throw new CommandError("BUSYKEY Target key name already exists.");
  }
  const ttl = int64Arg(argv[2]!);
  if (ttl < 0n) throw new CommandError("ERR Invalid TTL value, must be >= 0");

  const value = restorePayload(latin1Encode(argv[3]!), ctx.server.encodingLimits);

  const server = ctx.server;
  const deleted = replace && db.delete(key);
  const now = server.clock.now();
  // A relative TTL past 2^63 wraps negative in Redis's C arithmetic: already expired.
  const at = ttl === 0n ? 0n : absttl ? ttl : BigInt.asIntN(64, ttl + BigInt(now));
  if (ttl !== 0n && at <= BigInt(now)) {
    // Already expired: nothing is created; a replaced key is gone, which is logged as DEL.
    if (deleted) {
      keyChanged(server, db, NotifyType.generic, "del", key);
      ctx.propagateAs = ["DEL", key];
    }
    return ctx.out.ok();
  }

  db.set(key, value);
  keyCreated(server, db, key);
  if (ttl !== 0n) {
    db.setExpire(key, Number.isSafeInteger(Number(at)) ? Number(at) : at);
    // A relative TTL is logged as the absolute time it came to.
    if (!absttl) ctx.propagateAs = [argv[0]!, key, String(at), ...argv.slice(3), "ABSTTL"];
  }
  if (idle >= 0n || freq >= 0n) setAccess(ctx, key, idle, freq);
  keyChanged(server, db, NotifyType.generic, "restore", key);
  ctx.out.ok();
}

/** IDLETIME/FREQ for the key just stored, under the policy in force (Database.setAccess). */
function setAccess(ctx: ClientContext, key: string, idle: bigint, freq: bigint): void {
  syncAccessPolicy(ctx.server);
  ctx.db.setAccess(key, idle, freq);
}

const spec = groupSpec("generic");

/** DUMP and RESTORE. */
export const dumpCommands: CommandSpec[] = [
  spec("dump", 2, ["readonly"], [1, 1, 1], dump),
  spec("restore", -4, ["write", "denyoom"], [1, 1, 1], restore),
];
