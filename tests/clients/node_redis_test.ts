/**
 * node-redis (the `redis` package, v4), used as a new user would: the same scenario of string,
 * key, expiry, SELECT, SCAN, INFO, pipelining and error-case calls, then lists (a job queue,
 * workers blocked until a push, on a second client and on an `isolated` pool connection),
 * hashes, sets, sorted sets, SORT, OBJECT and WRONGTYPE errors, transactions, and Pub/Sub (a
 * duplicate() subscriber with listeners on channels and patterns, keyspace notifications),
 * runs against our server and against a real redis-server, and the two transcripts must be
 * equal. Unordered replies are sorted, random picks recorded by their properties.
 *
 * node-redis 4.7 sends `CLIENT SETINFO LIB-NAME/LIB-VER` on connect and ignores an error reply
 * to it; Redis 7.0 has no SETINFO (7.2 added it) and we answer OK, so nothing in the scenario
 * reads what it set.
 */
import { Buffer } from "node:buffer";
// Pinned here rather than in deno.json: only this test uses it.
import { commandOptions, createClient } from "redis";
import { needsRedis, startMiniredis, startRealRedis } from "../_util.ts";
import {
  assertSameTranscript,
  type Entry,
  Inbox,
  keyspaceLine,
  parseInfo,
  PUBSUB_MESSAGES,
  sorted,
  tookWithin,
  Transcript,
  untilBlocked,
  withDeadline,
  within,
} from "./_transcript.ts";

type Client = ReturnType<typeof createClient>;

/** A client on `port` that does not reconnect, so a failure shows at once. */
function client(port: number, database?: number): Client {
  const socket = { host: "127.0.0.1", port, reconnectStrategy: false as const };
  return createClient(
    database === undefined ? { socket } : { socket, database, name: `scenario-db${database}` },
  );
}

const buffers = commandOptions({ returnBuffers: true });

/** Runs the scenario against `port`, giving up (and closing its clients) after 10 seconds. */
function scenario(port: number): Promise<Entry[]> {
  const clients: Client[] = [];
  const errors: string[] = [];
  // Every client the scenario makes (duplicate() ones too), so that abort can close them.
  const adopt = (c: Client) => {
    // Without an error listener a failed connection would be an uncaught error event.
    c.on("error", (e: Error) => errors.push(e.message));
    clients.push(c);
    return c;
  };
  const open = (database?: number) => adopt(client(port, database));
  const abort = () => {
    for (const c of clients) if (c.isOpen) c.disconnect().catch(() => {});
  };
  return withDeadline(10_000, abort, () => steps(open, adopt, errors));
}

async function steps(
  open: (database?: number) => Client,
  adopt: (c: Client) => Client,
  errors: string[],
): Promise<Entry[]> {
  const t = new Transcript();
  const redis = open();
  const db3 = open(3);
  try {
    t.note("isOpen before connect", redis.isOpen);
    await t.step("connect", async () => {
      await redis.connect();
      return [redis.isOpen, redis.isReady];
    });
    await t.step("connect database 3", async () => {
      await db3.connect();
      return db3.isReady;
    });
    await t.step("ping", () => redis.ping());
    await t.step("name option: clientGetName", () => db3.clientGetName());
    await t.step("hello RESP2 default: proto", async () => {
      const reply = await redis.sendCommand(["HELLO"]) as unknown[];
      return reply.slice(0, 6);
    });

    // Strings.
    await t.step("set", () => redis.set("greeting", "hello"));
    await t.step("get", () => redis.get("greeting"));
    await t.step("get missing", () => redis.get("nosuchkey"));
    await t.step("set EX", () => redis.set("session", "s1", { EX: 100 }));
    await t.step("ttl after set EX", async () => within(await redis.ttl("session"), 99, 100));
    await t.step("set PX", () => redis.set("flash", "f1", { PX: 100000 }));
    await t.step("pTTL after set PX", async () => within(await redis.pTTL("flash"), 99000, 100000));
    await t.step("set NX on existing", () => redis.set("greeting", "x", { NX: true }));
    await t.step("set NX on new", () => redis.set("fresh", "x", { NX: true }));
    await t.step("set XX on missing", () => redis.set("nosuchkey", "x", { XX: true }));
    await t.step("set XX on existing", () => redis.set("fresh", "y", { XX: true }));
    await t.step("set KEEPTTL", () => redis.set("session", "s2", { KEEPTTL: true }));
    await t.step("ttl after KEEPTTL", async () => within(await redis.ttl("session"), 99, 100));
    await t.step("set without KEEPTTL clears ttl", async () => {
      await redis.set("flash", "f2");
      return await redis.ttl("flash");
    });
    await t.step("set GET", () => redis.set("greeting", "hi", { GET: true }));
    await t.step("set GET on missing", () => redis.set("newkey", "v", { GET: true }));
    await t.step("set EX NX GET", () => redis.set("greeting", "z", { EX: 5, NX: true, GET: true }));
    await t.step("set EXAT", () => {
      return redis.set("atkey", "v", { EXAT: Math.floor(Date.now() / 1000) + 100 });
    });
    await t.step("ttl after EXAT", async () => within(await redis.ttl("atkey"), 98, 100));
    await t.step("set number value", () => redis.set("num", 42));
    await t.step("mSet", () => redis.mSet(["k1", "v1", "k2", "v2", "k3", "v3"]));
    await t.step("mSet object", () => redis.mSet({ o1: "a", o2: "b" }));
    await t.step("mGet", () => redis.mGet(["k1", "nosuchkey", "k3", "o2"]));
    await t.step("mSetNX", () => redis.mSetNX(["k1", "x", "k9", "y"]));
    await t.step("setNX", () => redis.setNX("k9", "y"));
    await t.step("setEx", () => redis.setEx("sx", 50, "v"));
    await t.step("pSetEx", () => redis.pSetEx("psx", 50000, "v"));
    await t.step("getSet", () => redis.getSet("k1", "v1b"));
    await t.step("incr new", () => redis.incr("counter"));
    await t.step("incrBy", () => redis.incrBy("counter", 41));
    await t.step("decr", () => redis.decr("counter"));
    await t.step("decrBy", () => redis.decrBy("counter", -10));
    await t.step("incrByFloat", () => redis.incrByFloat("float", 0.1));
    await t.step("incrByFloat again", () => redis.incrByFloat("float", 0.2));
    await t.step("incrByFloat negative", () => redis.incrByFloat("float", -1.5));
    await t.step("append new", () => redis.append("text", "Hello"));
    await t.step("append", () => redis.append("text", " World"));
    await t.step("strLen", () => redis.strLen("text"));
    await t.step("strLen missing", () => redis.strLen("nosuchkey"));
    await t.step("getRange", () => redis.getRange("text", 0, 4));
    await t.step("getRange negative", () => redis.getRange("text", -5, -1));
    await t.step("getRange out of range", () => redis.getRange("text", 100, 200));
    await t.step("setRange", () => redis.setRange("text", 6, "Redis"));
    await t.step("setRange pads", () => redis.setRange("padded", 3, "x"));
    await t.step("get padded as buffer", () => redis.get(buffers, "padded"));
    await t.step("get after setRange", () => redis.get("text"));
    await t.step("getDel", () => redis.getDel("k2"));
    await t.step("getDel again", () => redis.getDel("k2"));
    await t.step("getEx EX", () => redis.getEx("k3", { EX: 200 }));
    await t.step("ttl after getEx", async () => within(await redis.ttl("k3"), 199, 200));
    await t.step("getEx PERSIST", () => redis.getEx("k3", { PERSIST: true }));
    await t.step("ttl after PERSIST", () => redis.ttl("k3"));
    await t.step("getEx missing", () => redis.getEx("nosuchkey", { PX: 100 }));
    await t.step("LCS", async () => {
      await redis.mSet(["lcs1", "ohmytext", "lcs2", "mynewtext"]);
      return await redis.LCS("lcs1", "lcs2");
    });
    await t.step("LCS_LEN", () => redis.LCS_LEN("lcs1", "lcs2"));
    await t.step("LCS_IDX_WITHMATCHLEN", () => redis.LCS_IDX_WITHMATCHLEN("lcs1", "lcs2"));

    // Keys.
    await t.step("exists", () => redis.exists(["k1", "k3", "nosuchkey", "k1"]));
    await t.step("exists one", () => redis.exists("k1"));
    await t.step("type string", () => redis.type("k1"));
    await t.step("type none", () => redis.type("nosuchkey"));
    await t.step("del", () => redis.del(["o1", "nosuchkey"]));
    await t.step("unlink", () => redis.unlink(["o2", "k9"]));
    await t.step("expire", () => redis.expire("k1", 100));
    await t.step("ttl", async () => within(await redis.ttl("k1"), 99, 100));
    await t.step("expire NX on key with ttl", () => redis.expire("k1", 10, "NX"));
    await t.step("expire GT", () => redis.expire("k1", 300, "GT"));
    await t.step("expire LT on key without ttl", () => redis.expire("num", 300, "LT"));
    await t.step("ttl after GT", async () => within(await redis.ttl("k1"), 299, 300));
    await t.step("expireTime", async () => {
      return within((await redis.expireTime("k1")) - Math.floor(Date.now() / 1000), 298, 301);
    });
    await t.step("pExpireTime no expiry", () => redis.pExpireTime("counter"));
    await t.step("touch", () => redis.touch(["k1", "k3", "nosuchkey"]));
    await t.step("pExpire", () => redis.pExpire("k3", 100000));
    await t.step("pTTL", async () => within(await redis.pTTL("k3"), 99000, 100000));
    await t.step("ttl missing", () => redis.ttl("nosuchkey"));
    await t.step("ttl no expiry", () => redis.ttl("counter"));
    await t.step("persist", () => redis.persist("k1"));
    await t.step("persist again", () => redis.persist("k1"));
    await t.step("expireAt Date", () => redis.expireAt("k1", new Date(Date.now() + 1000_000)));
    await t.step("ttl after expireAt", async () => within(await redis.ttl("k1"), 998, 1000));
    await t.step("expireAt past deletes", () => redis.expireAt("k1", 1000));
    await t.step("exists after expireAt past", () => redis.exists("k1"));
    await t.step("pExpireAt", () => redis.pExpireAt("k3", Date.now() + 100_000));
    await t.step("pExpire 1ms", () => redis.pExpire("fresh", 1));
    await t.step("get after expiry", async () => {
      await new Promise((r) => setTimeout(r, 20));
      return await redis.get("fresh");
    });
    await t.step("rename", () => redis.rename("text", "text2"));
    await t.step("rename missing", () => redis.rename("nosuchkey", "x"));
    await t.step("renameNX onto existing", () => redis.renameNX("text2", "counter"));
    await t.step("renameNX", () => redis.renameNX("text2", "text3"));
    await t.step("copy", () => redis.copy("text3", "text4"));
    await t.step("copy onto existing", () => redis.copy("text3", "text4"));
    await t.step("copy replace", () => redis.copy("counter", "text4", { replace: true }));
    await t.step("copy destinationDb", () => redis.copy("text3", "copied", { destinationDb: 3 }));
    await t.step("move", () => redis.move("float", 3));
    await t.step("move onto existing", async () => {
      await redis.set("float", "again");
      return await redis.move("float", 3);
    });
    await t.step("keys pattern", async () => (await redis.keys("k*")).sort());
    await t.step("keys all", async () => (await redis.keys("*")).sort());
    await t.step("keys question mark", async () => (await redis.keys("text?")).sort());
    await t.step("dbSize", () => redis.dbSize());
    await t.step("randomKey on empty db 7", async () => {
      const other = open(7);
      await other.connect();
      try {
        return await other.randomKey();
      } finally {
        await other.quit();
      }
    });

    // SCAN.
    await t.step("scan: fill with Promise.all", async () => {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 120; i++) writes.push(redis.set(`scan:${i}`, String(i)));
      for (let i = 0; i < 30; i++) writes.push(redis.set(`other:${i}`, String(i)));
      return (await Promise.all(writes)).length;
    });
    await t.step("scanIterator MATCH COUNT", async () => {
      const seen = new Set<string>();
      for await (const key of redis.scanIterator({ MATCH: "scan:*", COUNT: 7 })) seen.add(key);
      return [...seen].sort();
    });
    await t.step("scanIterator all", async () => {
      const seen = new Set<string>();
      for await (const key of redis.scanIterator({ COUNT: 1000 })) seen.add(key);
      return seen.size;
    });
    await t.step("scan with TYPE", async () => {
      let cursor = 0;
      const seen = new Set<string>();
      do {
        const reply = await redis.scan(cursor, { MATCH: "other:*", TYPE: "string" });
        cursor = reply.cursor;
        for (const key of reply.keys) seen.add(String(key));
      } while (cursor !== 0);
      return seen.size;
    });

    // SELECT and the database option.
    await t.step("db 3: get copied", () => db3.get("copied"));
    await t.step("db 3: get moved", () => db3.get("float"));
    await t.step("db 3: dbSize", () => db3.dbSize());
    await t.step("select 5", () => redis.select(5));
    await t.step("db 5: dbSize", () => redis.dbSize());
    await t.step("db 5: set", () => redis.set("in5", "yes"));
    await t.step("select 16", () => redis.select(16));
    await t.step("select -1", () => redis.select(-1));
    await t.step("select 0", () => redis.select(0));
    await t.step("db 0: get in5", () => redis.get("in5"));

    // INFO.
    await t.step("info", async () => {
      const info = parseInfo(await redis.info());
      return {
        redis_version: info.get("redis_version") ?? null,
        redis_mode: info.get("redis_mode") ?? null,
        loading: info.get("loading") ?? null,
        db0: keyspaceLine(info.get("db0")),
        db3: keyspaceLine(info.get("db3")),
        db5: keyspaceLine(info.get("db5")),
      };
    });
    await t.step("info keyspace", async () => {
      const text = await redis.info("keyspace");
      return text.split("\r\n").map((line: string) => keyspaceLine(line));
    });

    // Batches without a transaction.
    await t.step("Promise.all batch", () =>
      Promise.all([
        redis.set("c1", "a"),
        redis.append("c1", "b"),
        redis.get("c1"),
        redis.incr("c1").catch((e: Error) => ({ error: e.message })),
        redis.exists("c1"),
        redis.del("c1"),
      ]));
    await t.step("multi execAsPipeline", () => {
      return redis.multi()
        .set("p1", "1")
        .incr("p1")
        .get("p1")
        .expire("p1", 100)
        .execAsPipeline();
    });
    await t.step("execAsPipeline with a failing command", () => {
      return redis.multi().set("p2", "x").incr("p2").get("p2").execAsPipeline();
    });

    // Errors.
    await t.step("incr non-integer", () => redis.incr("greeting"));
    await t.step("incrByFloat non-float", () => redis.incrByFloat("greeting", 1));
    await t.step("incrBy bad arg", () => redis.sendCommand(["INCRBY", "counter", "abc"]));
    await t.step("expire bad arg", () => redis.sendCommand(["EXPIRE", "counter", "soon"]));
    await t.step("set EX 0", () => redis.set("bad", "v", { EX: 0 }));
    await t.step("set EX -5", () => redis.set("bad", "v", { EX: -5 }));
    await t.step("set NX XX", () => redis.sendCommand(["SET", "bad", "v", "NX", "XX"]));
    await t.step("set EX PX", () => redis.sendCommand(["SET", "bad", "v", "EX", "1", "PX", "1"]));
    await t.step("setRange negative", () => redis.setRange("text3", -1, "x"));
    await t.step("incr overflow", async () => {
      await redis.set("big", "9223372036854775807");
      return await redis.incr("big");
    });
    await t.step("select abc", () => redis.sendCommand(["SELECT", "abc"]));
    await t.step("unknown command", () => redis.sendCommand(["NOSUCHCOMMAND", "a", "b"]));
    await t.step("unknown command lower case", () => redis.sendCommand(["frobnicate"]));
    await t.step("wrong arity get", () => redis.sendCommand(["GET"]));
    await t.step("wrong arity set", () => redis.sendCommand(["SET", "k"]));
    await t.step("wrong arity expire", () => redis.sendCommand(["EXPIRE", "k"]));
    await t.step("copy same key", () => redis.copy("counter", "counter"));
    await t.step("error class", async () => {
      try {
        await redis.incr("greeting");
        return null;
      } catch (e) {
        return (e as Error).constructor.name;
      }
    });
    await t.step("connection goes on after errors", () => redis.ping());

    // Raw commands.
    await t.step("sendCommand SET", () => redis.sendCommand(["SET", "raw", "1", "EX", "100"]));
    await t.step("sendCommand GET", () => redis.sendCommand(["GET", "raw"]));
    await t.step("sendCommand MGET", () => redis.sendCommand(["MGET", "raw", "nosuchkey"]));
    await t.step("sendCommand INCR", () => redis.sendCommand(["INCR", "raw"]));
    await t.step("sendCommand ECHO", () => redis.sendCommand(["ECHO", "hi"]));
    await t.step("sendCommand TTL range", async () => {
      return within(await redis.sendCommand(["TTL", "raw"]), 99, 100);
    });

    // Binary values.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const binKey = Buffer.from([0, 13, 10, 255, 32]);
    await t.step("binary set", () => redis.set(binKey, bytes));
    await t.step("binary get", () => redis.get(buffers, binKey));
    await t.step("binary strLen", () => redis.strLen(binKey));
    await t.step("binary append", () => redis.append(binKey, Buffer.from([0, 0])));
    await t.step("binary getRange", () => redis.getRange(buffers, binKey, 250, -1));
    await t.step("binary mGet", () => redis.mGet(buffers, [binKey, "nosuchkey"]));
    await t.step("binary keys", () => redis.keys(buffers, Buffer.from([0, 42])));
    await t.step("utf-8 value", async () => {
      await redis.set("unicode", "héllo wörld ✓");
      return [await redis.get("unicode"), await redis.strLen("unicode")];
    });

    // Lists, hashes, sets, sorted sets, SORT and OBJECT.
    await queueSteps(t, redis);
    await blockingSteps(t, redis, () => open());
    await hashSteps(t, redis);
    await setSteps(t, redis);
    await sortedSetSteps(t, redis);
    await sortAndKeySteps(t, redis);
    await binaryCollectionSteps(t, redis);
    await transactionSteps(t, redis, () => open());
    await pubSubSteps(t, redis, adopt);

    // Flushing.
    await t.step("flushDb", () => redis.flushDb());
    await t.step("dbSize after flushDb", () => redis.dbSize());
    await t.step("db 3 untouched by flushDb", () => db3.dbSize());
    await t.step("flushAll", () => redis.flushAll());
    await t.step("db 3 after flushAll", () => db3.dbSize());

    await t.step("quit", () => redis.quit());
    t.note("isOpen after quit", redis.isOpen);
    await t.step("quit database 3", () => db3.quit());
    t.note("connection errors", errors);
  } finally {
    for (const c of [redis, db3]) if (c.isOpen) await c.disconnect();
  }
  return t.entries;
}

/** A queue of jobs: producers push, a worker pops (blocking, with a timeout) and acknowledges. */
async function queueSteps(t: Transcript, redis: Client): Promise<void> {
  await t.step("queue: lPush one", () => redis.lPush("jobs", "job:1"));
  await t.step("queue: lPush many", () => redis.lPush("jobs", ["job:2", "job:3", "job:4"]));
  await t.step("queue: lLen", () => redis.lLen("jobs"));
  await t.step("queue: lRange", () => redis.lRange("jobs", 0, -1));
  await t.step("queue: brPop ready", () => redis.brPop("jobs", 1));
  await t.step("queue: lMove to processing", () => {
    return redis.lMove("jobs", "processing", "RIGHT", "LEFT");
  });
  await t.step("queue: rPopLPush to processing", () => redis.rPopLPush("jobs", "processing"));
  await t.step("queue: lRange processing", () => redis.lRange("processing", 0, -1));
  await t.step("queue: lRem ack", () => redis.lRem("processing", 1, "job:2"));
  await t.step("queue: lRem ack again", () => redis.lRem("processing", 1, "job:2"));
  await t.step("queue: last job", () => redis.rPop("jobs"));
  await t.step("queue: blPop several keys", async () => {
    await redis.rPush("urgent", "fire");
    return await redis.blPop(["jobs", "urgent"], 1);
  });
  await t.step("queue: emptied list is gone", async () => {
    return [
      await redis.lLen("jobs"),
      await redis.exists(["jobs", "urgent"]),
      await redis.type("jobs"),
    ];
  });
  await t.step("queue: brPop times out", async () => {
    const start = performance.now();
    return [await redis.brPop("jobs", 0.2), tookWithin(start, 180, 3000)];
  });
  await t.step("queue: brPop isolated times out", async () => {
    const start = performance.now();
    const popped = await redis.brPop(commandOptions({ isolated: true }), "jobs", 0.2);
    return [popped, tookWithin(start, 180, 3000)];
  });
  await t.step("queue: blMove times out", async () => {
    const start = performance.now();
    const moved = await redis.blMove("jobs", "processing", "LEFT", "RIGHT", 0.2);
    return [moved, tookWithin(start, 180, 3000)];
  });
  await t.step("queue: blmPop ready", async () => {
    await redis.rPush("batch", ["a", "b", "c"]);
    return await redis.blmPop(1, ["jobs", "batch"], "LEFT", { COUNT: 2 });
  });
  await t.step("queue: lmPop", () => redis.lmPop(["jobs", "batch"], "RIGHT"));
  await t.step("queue: lmPop empty", () => redis.lmPop("batch", "LEFT"));
  await t.step("queue: brPop negative timeout", () => redis.brPop("jobs", -1));

  // A capped "recent activity" list, and edits in place.
  await t.step("recent: lPush + lTrim", async () => {
    for (const event of ["login", "view", "click", "logout", "login"]) {
      await redis.lPush("recent", event);
      await redis.lTrim("recent", 0, 3);
    }
    return await redis.lRange("recent", 0, -1);
  });
  await t.step("recent: lIndex", () => redis.lIndex("recent", -1));
  await t.step("recent: lPos", () => redis.lPos("recent", "login"));
  await t.step("recent: lPos RANK", () => redis.lPos("recent", "login", { RANK: -1 }));
  await t.step("recent: lPosCount", () => redis.lPosCount("recent", "login", 0));
  await t.step("recent: lInsert", () => redis.lInsert("recent", "BEFORE", "click", "scroll"));
  await t.step("recent: lSet", () => redis.lSet("recent", 0, "login!"));
  await t.step("recent: lSet out of range", () => redis.lSet("recent", 99, "x"));
  await t.step("recent: lSet missing", () => redis.lSet("nosuchlist", 0, "x"));
  await t.step("recent: lRange after edits", () => redis.lRange("recent", 0, -1));
  await t.step("recent: lPopCount", () => redis.lPopCount("recent", 2));
  await t.step("recent: rPushX missing", () => redis.rPushX("nosuchlist", "x"));
  await t.step("recent: lRange out of range", () => redis.lRange("recent", 10, 20));
}

/** Workers on other connections, blocked until this one pushes. */
async function blockingSteps(
  t: Transcript,
  redis: Client,
  open: () => Client,
): Promise<void> {
  const waitBlocked = (n: number) => untilBlocked(() => redis.info("clients"), n);
  const worker = open();
  try {
    await t.step("worker: connect", async () => {
      await worker.connect();
      return worker.isReady;
    });
    await t.step("worker: blPop woken by rPush", async () => {
      const popped = worker.blPop("inbox", 3);
      const blocked = await waitBlocked(1);
      const pushed = await redis.rPush("inbox", "hello");
      return [blocked, pushed, await popped, await redis.exists("inbox")];
    });
    await t.step("workers: served in order (second one isolated)", async () => {
      const first = worker.blPop("inbox", 3);
      await waitBlocked(1);
      const second = redis.brPop(commandOptions({ isolated: true }), "inbox", 3);
      const blocked = await waitBlocked(2);
      const pushed = await redis.rPush("inbox", ["a", "b", "c"]);
      return [blocked, pushed, await first, await second, await redis.lRange("inbox", 0, -1)];
    });
    await t.step("worker: blMove woken by lPush", async () => {
      const moved = worker.blMove("inbox2", "done", "LEFT", "RIGHT", 3);
      await waitBlocked(1);
      await redis.lPush("inbox2", "task");
      return [await moved, await redis.lRange("done", 0, -1)];
    });
    await t.step("worker: blmPop woken by rPush", async () => {
      const popped = worker.blmPop(3, "inbox3", "RIGHT", { COUNT: 10 });
      await waitBlocked(1);
      await redis.rPush("inbox3", ["1", "2", "3"]);
      return await popped;
    });
    await t.step("worker: bzPopMin woken by zAdd", async () => {
      const popped = worker.bzPopMin("deadlines", 3);
      await waitBlocked(1);
      await redis.zAdd("deadlines", [{ score: 20, value: "later" }, {
        score: 10,
        value: "sooner",
      }]);
      return [await popped, await redis.zRangeWithScores("deadlines", 0, -1)];
    });
    await t.step("workers: nobody blocked at the end", () => waitBlocked(0));
    await t.step("worker: quit", () => worker.quit());
  } finally {
    if (worker.isOpen) await worker.disconnect();
  }
}

/** A user record as a hash. */
async function hashSteps(t: Transcript, redis: Client): Promise<void> {
  await t.step("hash: hSet object", () => {
    return redis.hSet("user:1", { name: "Ada", email: "ada@example.com", visits: 0 });
  });
  await t.step("hash: hSet Map", () => {
    return redis.hSet("user:1", new Map([["name", "Ada L."], ["city", "London"]]));
  });
  await t.step("hash: hSet one field", () => redis.hSet("user:1", "city", "Paris"));
  await t.step("hash: hGet", () => redis.hGet("user:1", "name"));
  await t.step("hash: hGet missing field", () => redis.hGet("user:1", "phone"));
  await t.step("hash: hmGet", () => redis.hmGet("user:1", ["name", "phone", "city"]));
  await t.step("hash: hGetAll (small hash keeps insertion order)", () => redis.hGetAll("user:1"));
  await t.step("hash: hGetAll missing", () => redis.hGetAll("nosuchhash"));
  await t.step("hash: hIncrBy", () => redis.hIncrBy("user:1", "visits", 1));
  await t.step("hash: hIncrBy again", () => redis.hIncrBy("user:1", "visits", 5));
  await t.step("hash: hIncrByFloat", () => redis.hIncrByFloat("user:1", "balance", 10.5));
  await t.step("hash: hIncrByFloat 0.1", () => redis.hIncrByFloat("user:1", "balance", 0.1));
  await t.step("hash: hIncrByFloat -10.6", () => redis.hIncrByFloat("user:1", "balance", -10.6));
  await t.step("hash: hExists", () => redis.hExists("user:1", "email"));
  await t.step("hash: hDel", () => redis.hDel("user:1", ["email", "phone"]));
  await t.step("hash: hExists after hDel", () => redis.hExists("user:1", "email"));
  await t.step("hash: hSetNX existing", () => redis.hSetNX("user:1", "name", "x"));
  await t.step("hash: hSetNX new", () => redis.hSetNX("user:1", "lang", "en"));
  await t.step("hash: hLen", () => redis.hLen("user:1"));
  await t.step("hash: hKeys", () => redis.hKeys("user:1"));
  await t.step("hash: hVals", () => redis.hVals("user:1"));
  await t.step("hash: hStrLen", () => redis.hStrLen("user:1", "city"));
  await t.step("hash: hRandField", async () => {
    const field = await redis.hRandField("user:1");
    return (await redis.hKeys("user:1")).includes(field ?? "");
  });
  await t.step("hash: hRandFieldCount", async () => {
    const fields = await redis.hKeys("user:1");
    const picked = await redis.hRandFieldCount("user:1", 3);
    return [picked.length, new Set(picked).size, picked.every((f) => fields.includes(f))];
  });
  await t.step("hash: hRandFieldCountWithValues", async () => {
    const all = await redis.hGetAll("user:1");
    // An object: a negative count's repeated fields would collapse, so a positive one.
    const picked = await redis.hRandFieldCountWithValues("user:1", 3);
    const entries = Object.entries(picked);
    return [entries.length, entries.every(([field, value]) => all[field] === value)];
  });
  await t.step("hash: hIncrBy non-integer", () => redis.hIncrBy("user:1", "name", 1));
  await t.step("hash: hIncrByFloat non-float", () => redis.hIncrByFloat("user:1", "name", 1));
  await t.step("hash: objectEncoding small", () => redis.objectEncoding("user:1"));
  await t.step("hash: big hash", async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 600; i++) fields[`f${i}`] = String(i);
    return [await redis.hSet("big:hash", fields), await redis.objectEncoding("big:hash")];
  });
  await t.step("hash: hScanIterator", async () => {
    const pairs = new Set<string>();
    for await (const { field, value } of redis.hScanIterator("big:hash", { COUNT: 50 })) {
      pairs.add(`${field}=${value}`);
    }
    return [pairs.size, sorted(pairs).slice(0, 3)];
  });
  await t.step("hash: hScanIterator MATCH", async () => {
    const fields = new Set<string>();
    for await (const { field } of redis.hScanIterator("user:1", { MATCH: "c*" })) fields.add(field);
    return sorted(fields);
  });
  await t.step("hash: hScan one page", async () => {
    const { cursor, tuples } = await redis.hScan("user:1", 0);
    return [cursor, tuples.length];
  });
  await t.step("hash: long value converts encoding", async () => {
    await redis.hSet("user:2", "bio", "x".repeat(100));
    return await redis.objectEncoding("user:2");
  });
}

/** Tags on posts as sets. */
async function setSteps(t: Transcript, redis: Client): Promise<void> {
  await t.step("set: sAdd", () => redis.sAdd("tags:post1", ["redis", "database", "fast"]));
  await t.step("set: sAdd existing", () => redis.sAdd("tags:post1", ["redis", "cache"]));
  await t.step("set: sAdd one", () => redis.sAdd("tags:post1", "redis"));
  await t.step("set: sMembers", async () => sorted(await redis.sMembers("tags:post1")));
  await t.step("set: sIsMember", () => redis.sIsMember("tags:post1", "redis"));
  await t.step("set: sIsMember missing", () => redis.sIsMember("tags:post1", "nope"));
  await t.step("set: smIsMember", () => redis.smIsMember("tags:post1", ["redis", "nope", "cache"]));
  await t.step("set: sCard", () => redis.sCard("tags:post1"));
  await t.step("set: sAdd second", () => redis.sAdd("tags:post2", ["redis", "deno", "typescript"]));
  await t.step("set: sInter", () => redis.sInter(["tags:post1", "tags:post2"]));
  await t.step("set: sUnion", async () => sorted(await redis.sUnion(["tags:post1", "tags:post2"])));
  await t.step("set: sDiff", async () => sorted(await redis.sDiff(["tags:post1", "tags:post2"])));
  await t.step("set: sUnionStore", () => {
    return redis.sUnionStore("tags:all", ["tags:post1", "tags:post2"]);
  });
  await t.step("set: sInterStore", () => {
    return redis.sInterStore("tags:common", ["tags:post1", "tags:post2"]);
  });
  await t.step(
    "set: sDiffStore",
    () => redis.sDiffStore("tags:only1", ["tags:post1", "tags:post2"]),
  );
  await t.step("set: sInterCard", () => redis.sInterCard(["tags:post1", "tags:post2"]));
  await t.step("set: sInterCard LIMIT", () => redis.sInterCard(["tags:all", "tags:post1"], 2));
  await t.step("set: sRem", () => redis.sRem("tags:post1", ["fast", "nope"]));
  await t.step("set: sMove", () => redis.sMove("tags:post1", "tags:post2", "cache"));
  await t.step("set: after sMove", async () => {
    return [sorted(await redis.sMembers("tags:post1")), sorted(await redis.sMembers("tags:post2"))];
  });
  await t.step("set: sPop count", async () => {
    const all = await redis.sMembers("tags:all");
    const popped = await redis.sPop("tags:all", 2);
    const left = await redis.sMembers("tags:all");
    return [
      popped.length,
      popped.every((m) => all.includes(m) && !left.includes(m)),
      left.length,
    ];
  });
  await t.step("set: sRandMemberCount negative", async () => {
    const all = await redis.sMembers("tags:all");
    const picked = await redis.sRandMemberCount("tags:all", -10);
    return [picked.length, picked.every((m) => all.includes(m))];
  });
  await t.step("set: sMembers missing", () => redis.sMembers("nosuchset"));
  await t.step("set: emptied set is gone", async () => {
    await redis.sRem("tags:common", "redis");
    return await redis.exists("tags:common");
  });
  await t.step("set: objectEncoding intset", async () => {
    await redis.sAdd("ids", ["1", "2", "3"]);
    return await redis.objectEncoding("ids");
  });
  await t.step("set: objectEncoding after a string member", async () => {
    await redis.sAdd("ids", "x");
    return await redis.objectEncoding("ids");
  });
  await t.step("set: sScanIterator", async () => {
    const members: string[] = [];
    for (let i = 0; i < 200; i++) members.push(`m${i}`);
    await redis.sAdd("big:set", members);
    const seen = new Set<string>();
    for await (const m of redis.sScanIterator("big:set", { COUNT: 20 })) seen.add(m);
    return [seen.size, sorted(seen).slice(0, 3)];
  });
}

/** A leaderboard and a schedule as sorted sets. */
async function sortedSetSteps(t: Transcript, redis: Client): Promise<void> {
  await t.step("zset: zAdd", () => {
    return redis.zAdd("board", [
      { score: 100, value: "alice" },
      { score: 85, value: "bob" },
      { score: 92, value: "carol" },
    ]);
  });
  await t.step("zset: zAdd NX", () => {
    return redis.zAdd("board", [{ score: 50, value: "alice" }, { score: 70, value: "dave" }], {
      NX: true,
    });
  });
  await t.step("zset: zAdd GT lower", () => {
    return redis.zAdd("board", { score: 90, value: "alice" }, { GT: true });
  });
  await t.step("zset: zAdd GT CH higher", () => {
    return redis.zAdd("board", { score: 120, value: "alice" }, { GT: true, CH: true });
  });
  await t.step("zset: zAdd XX missing", () => {
    return redis.zAdd("board", { score: 1, value: "nobody" }, { XX: true });
  });
  await t.step("zset: zAdd INCR", () => {
    return redis.zAdd("board", { score: 5, value: "bob" }, { INCR: true });
  });
  await t.step("zset: zIncrBy", () => redis.zIncrBy("board", 10, "bob"));
  await t.step("zset: zRangeWithScores", () => redis.zRangeWithScores("board", 0, -1));
  await t.step("zset: zRangeWithScores REV top 3", () => {
    return redis.zRangeWithScores("board", 0, 2, { REV: true });
  });
  await t.step("zset: zRange", () => redis.zRange("board", 0, -1));
  await t.step("zset: zRevRank", () => redis.zRevRank("board", "bob"));
  await t.step("zset: zRank", () => redis.zRank("board", "dave"));
  await t.step("zset: zRank missing", () => redis.zRank("board", "nobody"));
  await t.step("zset: zScore", () => redis.zScore("board", "alice"));
  await t.step("zset: zScore missing", () => redis.zScore("board", "nobody"));
  await t.step("zset: zmScore", () => redis.zmScore("board", ["alice", "nobody"]));
  await t.step("zset: zCount", () => redis.zCount("board", 90, 100));
  await t.step("zset: zRangeByScore LIMIT", () => {
    return redis.zRangeByScore("board", 80, "+inf", { LIMIT: { offset: 0, count: 2 } });
  });
  await t.step("zset: zRangeByScoreWithScores exclusive", () => {
    return redis.zRangeByScoreWithScores("board", "(92", "+inf");
  });
  await t.step("zset: zRange BYSCORE REV LIMIT", () => {
    return redis.zRange("board", "+inf", "-inf", {
      BY: "SCORE",
      REV: true,
      LIMIT: { offset: 1, count: 2 },
    });
  });
  await t.step("zset: zCard", () => redis.zCard("board"));
  await t.step("zset: objectEncoding", () => redis.objectEncoding("board"));

  await t.step("zset: float scores", () => {
    return redis.zAdd("floats", [
      { score: 0.1, value: "tenth" },
      { score: Infinity, value: "top" },
      { score: -Infinity, value: "bottom" },
      { score: 1e300, value: "huge" },
    ]);
  });
  await t.step("zset: zScore 0.1", () => redis.zScore("floats", "tenth"));
  // node-redis 4.7 maps "+inf" to Infinity but Redis sends "inf", which it reads as NaN.
  await t.step("zset: zScore inf (NaN in node-redis)", () => redis.zScore("floats", "top"));
  await t.step("zset: zScore -inf", () => redis.zScore("floats", "bottom"));
  await t.step("zset: zScore 1e300", () => redis.zScore("floats", "huge"));
  await t.step("zset: zIncrBy 0.2", () => redis.zIncrBy("floats", 0.2, "tenth"));
  await t.step("zset: zRangeWithScores floats", () => redis.zRangeWithScores("floats", 0, -1));
  await t.step("zset: zIncrBy to NaN", () => redis.zIncrBy("floats", -Infinity, "top"));
  await t.step("zset: zAdd NaN", () => redis.zAdd("floats", { score: NaN, value: "x" }));

  await t.step("zset: zPopMin", () => redis.zPopMin("board"));
  await t.step("zset: zPopMinCount", () => redis.zPopMinCount("board", 2));
  await t.step("zset: bzPopMin ready", () => redis.bzPopMin("board", 1));
  await t.step("zset: emptied zset is gone", () => redis.exists("board"));
  await t.step("zset: bzPopMin times out", async () => {
    const start = performance.now();
    return [await redis.bzPopMin("board", 0.2), tookWithin(start, 180, 3000)];
  });
  await t.step("zset: zPopMax missing", () => redis.zPopMax("board"));

  await t.step("zset: weekly scores", async () => {
    return [
      await redis.zAdd("week1", [
        { score: 10, value: "alice" },
        { score: 20, value: "bob" },
        { score: 5, value: "carol" },
      ]),
      await redis.zAdd("week2", [{ score: 7, value: "alice" }, { score: 1, value: "dave" }]),
    ];
  });
  await t.step("zset: zUnionStore WEIGHTS", () => {
    return redis.zUnionStore("total", ["week1", "week2"], { WEIGHTS: [1, 2] });
  });
  await t.step("zset: union result", () => redis.zRangeWithScores("total", 0, -1));
  await t.step("zset: zInterStore AGGREGATE MAX", () => {
    return redis.zInterStore("both", ["week1", "week2"], { AGGREGATE: "MAX" });
  });
  await t.step("zset: inter result", () => redis.zRangeWithScores("both", 0, -1));
  await t.step("zset: zUnionWithScores MIN", () => {
    return redis.zUnionWithScores(["week1", "week2"], { AGGREGATE: "MIN" });
  });
  await t.step("zset: zRangeStore", () => redis.zRangeStore("top2", "total", 0, 1, { REV: true }));
  await t.step("zset: zRemRangeByScore", () => redis.zRemRangeByScore("total", "-inf", 10));
  await t.step("zset: zRandMemberCount", async () => {
    const picked = await redis.zRandMemberCount("total", -5);
    return [picked.length, picked.every((m) => ["alice", "bob", "carol", "dave"].includes(m))];
  });
  await t.step("zset: big zset", async () => {
    const members = Array.from({ length: 200 }, (_, i) => ({ score: i / 4, value: `p${i}` }));
    return [await redis.zAdd("big:zset", members), await redis.objectEncoding("big:zset")];
  });
  await t.step("zset: zScanIterator", async () => {
    const pairs = new Set<string>();
    for await (const { value, score } of redis.zScanIterator("big:zset", { COUNT: 30 })) {
      pairs.add(`${value}=${score}`);
    }
    return [pairs.size, sorted(pairs).slice(0, 3)];
  });
}

/** SORT, TYPE, OBJECT, COPY/RENAME of collections, and WRONGTYPE errors. */
async function sortAndKeySteps(t: Transcript, redis: Client): Promise<void> {
  await t.step("sort: setup", async () => {
    await redis.rPush("sort:ids", ["3", "1", "2", "10"]);
    await redis.mSet({ weight_1: "30", weight_2: "10", weight_3: "20", weight_10: "5" });
    for (const [id, name] of [["1", "ann"], ["2", "ben"], ["3", "cat"], ["10", "dan"]]) {
      await redis.hSet(`user_${id}`, { name: name! });
    }
    return await redis.rPush("sort:names", ["bob", "alice", "Carl"]);
  });
  await t.step("sort: numeric", () => redis.sort("sort:ids"));
  await t.step("sort: DESC LIMIT", () => {
    return redis.sort("sort:ids", { DIRECTION: "DESC", LIMIT: { offset: 0, count: 2 } });
  });
  await t.step("sort: ALPHA", () => redis.sort("sort:ids", { ALPHA: true }));
  await t.step("sort: BY GET", () => {
    return redis.sort("sort:ids", { BY: "weight_*", GET: ["#", "user_*->name"] });
  });
  await t.step("sort: BY nosort GET", () => {
    return redis.sort("sort:ids", { BY: "nosort", GET: "user_*->name" });
  });
  await t.step("sort: GET missing", () => redis.sort("sort:ids", { GET: "nosuch_*" }));
  await t.step("sort: strings without ALPHA", () => redis.sort("sort:names"));
  await t.step("sort: sortStore ALPHA", () => {
    return redis.sortStore("sort:names", "sorted", { ALPHA: true });
  });
  await t.step("sort: stored list", () => redis.lRange("sorted", 0, -1));
  await t.step("sort: a set", () => redis.sort("tags:post2", { ALPHA: true }));
  await t.step("sort: a zset", () => redis.sort("week1", { ALPHA: true, DIRECTION: "DESC" }));
  await t.step("sort: sortRo", () => redis.sortRo("sort:ids", { DIRECTION: "DESC" }));
  await t.step("sort: missing key", () => redis.sort("nosuchlist"));
  await t.step("sort: a string", () => redis.sort("greeting"));

  await t.step("type: each kind", async () => {
    const keys = ["recent", "user:1", "tags:post2", "week1", "greeting", "nosuchkey"];
    return await Promise.all(keys.map((k) => redis.type(k)));
  });
  await t.step("objectEncoding: each kind", async () => {
    await redis.set("intval", 12345);
    await redis.set("longval", "x".repeat(50));
    const keys = [
      "recent",
      "user:1",
      "tags:post2",
      "ids",
      "week1",
      "greeting",
      "intval",
      "longval",
    ];
    return await Promise.all(keys.map((k) => redis.objectEncoding(k)));
  });
  await t.step("objectEncoding missing", () => redis.objectEncoding("nosuchkey"));
  await t.step("objectRefCount", () => redis.objectRefCount("user:1"));
  await t.step("objectFreq without LFU", () => redis.objectFreq("user:1"));

  await t.step("copy hash", () => redis.copy("user:1", "user:copy"));
  await t.step("copy is independent", async () => {
    await redis.hSet("user:copy", "name", "Bob");
    return [await redis.hGet("user:1", "name"), await redis.hGet("user:copy", "name")];
  });
  await t.step("copy onto existing", () => redis.copy("user:1", "user:copy"));
  await t.step("copy replace", async () => {
    const copied = await redis.copy("user:1", "user:copy", { replace: true });
    return [copied, await redis.hGet("user:copy", "name")];
  });
  await t.step("copy set, list and zset", async () => {
    await redis.copy("tags:post2", "tags:copy");
    await redis.copy("recent", "recent:copy");
    await redis.copy("week1", "week1:copy");
    await redis.sAdd("tags:copy", "extra");
    await redis.rPush("recent:copy", "extra");
    await redis.zAdd("week1:copy", { score: 1, value: "extra" });
    return [
      await redis.sCard("tags:post2"),
      await redis.lLen("recent"),
      await redis.zCard("week1"),
      await redis.sCard("tags:copy"),
      await redis.lLen("recent:copy"),
      await redis.zCard("week1:copy"),
    ];
  });
  await t.step("copy to database 3", async () => {
    return [await redis.copy("user:1", "user:1", { destinationDb: 3 }), await redis.dbSize()];
  });
  await t.step("rename hash", () => redis.rename("user:copy", "user:renamed"));
  await t.step("after rename", async () => {
    return [await redis.exists("user:copy"), await redis.hGetAll("user:renamed")];
  });
  await t.step("rename over another type", async () => {
    await redis.rename("user:renamed", "week1:copy");
    return await redis.type("week1:copy");
  });

  await t.step("wrongtype: lPush on a hash", () => redis.lPush("user:1", "x"));
  await t.step("wrongtype: hGet on a list", () => redis.hGet("recent", "x"));
  await t.step("wrongtype: sAdd on a string", () => redis.sAdd("greeting", "x"));
  await t.step("wrongtype: zAdd on a set", () => {
    return redis.zAdd("tags:post2", { score: 1, value: "x" });
  });
  await t.step("wrongtype: get on a zset", () => redis.get("week1"));
  await t.step("wrongtype: blPop on a hash", () => redis.blPop("user:1", 1));
  await t.step("wrongtype: sInter with a list", () => redis.sInter(["tags:post2", "recent"]));
  await t.step("wrongtype: error class", async () => {
    try {
      await redis.hSet("recent", "f", "v");
      return null;
    } catch (e) {
      return [(e as Error).constructor.name, (e as Error).message];
    }
  });
  await t.step("wrong arity: hSet", () => redis.sendCommand(["HSET", "user:1", "name"]));

  await t.step("execAsPipeline of collection commands", () => {
    return redis.multi()
      .hSet("cart:1", { apples: 3, pears: 1 })
      .hIncrBy("cart:1", "apples", 2)
      .sAdd("carts", "cart:1")
      .zAdd("cart:prices", [{ score: 1.5, value: "apples" }, { score: 2.25, value: "pears" }])
      .rPush("cart:log", ["add apples", "add pears"])
      .hGetAll("cart:1")
      .zRangeWithScores("cart:prices", 0, -1)
      .execAsPipeline();
  });
  await t.step("Promise.all of collection commands", () => {
    return Promise.all([
      redis.hIncrBy("cart:1", "pears", 1),
      redis.sIsMember("carts", "cart:1"),
      redis.lPush("cart:1", "oops").catch((e: Error) => ({ error: e.message })),
      redis.lLen("cart:log"),
      redis.zScore("cart:prices", "pears"),
    ]);
  });
}

/** Binary-safe members, fields and elements. */
async function binaryCollectionSteps(t: Transcript, redis: Client): Promise<void> {
  const a = Buffer.from([0, 255, 13, 10]);
  const b = Buffer.from([1, 0]);
  await t.step("binary: rPush + lRange as buffers", async () => {
    await redis.rPush("bin:list", [a, b]);
    return await redis.lRange(buffers, "bin:list", 0, -1);
  });
  await t.step("binary: hSet + hGet as buffer", async () => {
    await redis.hSet("bin:hash", a, b);
    return [await redis.hGet(buffers, "bin:hash", a), await redis.hExists("bin:hash", b)];
  });
  await t.step("binary: sAdd + sMembers as buffers", async () => {
    await redis.sAdd("bin:set", [a, b]);
    const members = await redis.sMembers(buffers, "bin:set");
    return sorted(members.map((m) => m.toString("hex")));
  });
  await t.step("binary: zAdd + zRange as buffers", async () => {
    await redis.zAdd("bin:zset", [{ score: 2, value: a }, { score: 1, value: b }]);
    return await redis.zRange(buffers, "bin:zset", 0, -1);
  });
}

/**
 * multi().exec() and WATCH as node-redis users write them: WATCH needs a connection of its own
 * (executeIsolated), and a transaction a watched key spoiled rejects with a WatchError.
 */
async function transactionSteps(t: Transcript, redis: Client, open: () => Client): Promise<void> {
  const other = open();
  await other.connect();
  try {
    await t.step(
      "multi: chained exec",
      () => redis.multi().set("tx:a", "1").incr("tx:a").get("tx:a").lPush("tx:l", "x").exec(),
    );
    await t.step("multi: a runtime error answered in place", async () => {
      const replies = await redis.multi().set("tx:s", "text").incr("tx:s").get("tx:s").exec();
      return replies.map((r) => r instanceof Error ? `error: ${r.message}` : r);
    });
    await t.step("multi: an unknown command aborts exec", async () => {
      const tx = redis.multi().set("tx:q", "1").addCommand(["NOSUCHCOMMAND", "x"]);
      return [
        await tx.exec().catch((e: Error) => `rejected: ${e.message}`),
        await redis.exists("tx:q"),
      ];
    });
    await t.step(
      "watch: a conflicting write makes exec reject",
      () =>
        redis.executeIsolated(async (isolated) => {
          await isolated.watch("tx:w");
          await other.set("tx:w", "theirs");
          const result = await isolated.multi().set("tx:w", "mine").exec()
            .catch((e: Error) => `rejected: ${e.name}: ${e.message}`);
          return [result, await isolated.get("tx:w")];
        }),
    );
    await t.step("watch: untouched, exec runs", () =>
      redis.executeIsolated(async (isolated) => {
        await isolated.watch("tx:w");
        return await isolated.multi().set("tx:w", "mine").exec();
      }));
    await t.step("optimistic increments from 4 isolated connections with retries", async () => {
      await Promise.all([0, 1, 2, 3].map(() =>
        redis.executeIsolated(async (isolated) => {
          for (let i = 0; i < 10; i++) {
            for (;;) {
              await isolated.watch("tx:counter");
              const value = Number(await isolated.get("tx:counter") ?? "0");
              const ok = await isolated.multi().set("tx:counter", String(value + 1)).exec()
                .then(
                  () => true,
                  (e: Error) => e.name === "WatchError" ? false : Promise.reject(e),
                );
              if (ok) break;
            }
          }
        })
      ));
      return await redis.get("tx:counter");
    });
  } finally {
    await other.quit();
  }
}

/**
 * Pub/Sub as node-redis users write it: a subscriber made with duplicate(), a listener per
 * channel and pattern (`listener(message, channel)`), buffer listeners, several listeners on
 * one channel, PUBSUB through pubSubChannels/pubSubNumSub/pubSubNumPat, shard channels, and
 * keyspace notifications for a key that expires. No publish matches two patterns of one
 * client: those copies would come in the order of Redis's pattern dict (random).
 */
async function pubSubSteps(
  t: Transcript,
  redis: Client,
  adopt: (c: Client) => Client,
): Promise<void> {
  const sub = adopt(redis.duplicate());
  const ks = adopt(redis.duplicate());
  const inbox = new Inbox();
  const ksInbox = new Inbox();
  const received = (count: number) => inbox.take(count, () => sub.ping());
  const onMessage = (message: string, channel: string) => inbox.push("message", channel, message);
  const onAgain = (message: string, channel: string) => inbox.push("again", channel, message);
  const onPattern = (pattern: string) => (message: string, channel: string) => {
    inbox.push("pmessage", pattern, channel, message);
  };
  const onBuffer = (message: Buffer, channel: Buffer) => inbox.push("buffer", channel, message);
  const publishAll = async (pairs: [string | Buffer, string | Buffer][]) => {
    const counts: number[] = [];
    for (const [channel, message] of pairs) counts.push(await redis.publish(channel, message));
    return counts;
  };
  try {
    await t.step("pubsub: duplicate and connect", async () => {
      await sub.connect();
      await ks.connect();
      return [sub.isReady, ks.isReady, sub.isPubSubActive];
    });
    await t.step("pubsub: subscribe to three channels", async () => {
      await sub.subscribe(["news", "weather", "news.tech"], onMessage);
      return sub.isPubSubActive;
    });
    await t.step("pubsub: pSubscribe to two patterns", async () => {
      for (const pattern of ["news.*", "h?llo"]) await sub.pSubscribe(pattern, onPattern(pattern));
      return await redis.pubSubNumPat();
    });
    await t.step("pubsub: a second listener on a channel", () => sub.subscribe("news", onAgain));
    await t.step("pubsub: publish in order", () => publishAll([...PUBSUB_MESSAGES]));
    await t.step("pubsub: messages in arrival order", () => received(11));
    await t.step("pubsub: publish inside multi", () => {
      return redis.multi().publish("news", "in tx").publish("hello", "tx").exec();
    });
    await t.step("pubsub: messages from multi", () => received(3));

    await t.step("pubsub: buffer listeners", async () => {
      await sub.subscribe("bin:chan", onBuffer, true);
      await sub.pSubscribe("bin:*", (message: Buffer, channel: Buffer) => {
        inbox.push("pbuffer", "bin:*", channel, message);
      }, true);
      return await redis.pubSubNumSub("bin:chan");
    });
    await t.step("pubsub: binary publish", () =>
      publishAll([
        ["bin:chan", Buffer.from([0, 255, 13, 10])],
        [Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0, 0xff]), Buffer.from([1, 0])],
        ["bin:chan", Buffer.alloc(0)],
      ]));
    await t.step("pubsub: binary messages as buffers", () => received(5));

    await t.step(
      "pubsub: pubSubChannels, sorted",
      async () => sorted(await redis.pubSubChannels()),
    );
    await t.step("pubsub: pubSubChannels matching news*", async () => {
      return sorted(await redis.pubSubChannels("news*"));
    });
    await t.step("pubsub: pubSubNumSub", () => redis.pubSubNumSub(["news", "bin:chan", "nobody"]));
    await t.step("pubsub: pubSubNumSub of nothing", () => redis.pubSubNumSub());
    await t.step("pubsub: pubSubNumPat", () => redis.pubSubNumPat());
    await t.step("pubsub: a subscribed client sends get", () => sub.get("greeting"));
    await t.step("pubsub: ping while subscribed", async () => {
      return [await sub.ping(), await sub.ping("hi")];
    });

    await t.step("pubsub: unsubscribe one listener of two", async () => {
      await sub.unsubscribe("news", onAgain);
      return [await redis.pubSubNumSub("news"), await publishAll([["news", "one"]])];
    });
    await t.step("pubsub: only the other listener hears", () => received(1));
    await t.step("pubsub: unsubscribe a channel", async () => {
      await sub.unsubscribe("news");
      return [await publishAll([["news", "gone"], ["news.tech", "still"]]), await received(2)];
    });
    await t.step("pubsub: pUnsubscribe one pattern", async () => {
      await sub.pUnsubscribe("h?llo");
      return [await redis.pubSubNumPat(), await publishAll([["hello", "x"]])];
    });
    // unsubscribe() (all channels) resolves when the server's count reaches 0, so patterns go
    // first: called while patterns remain, it would wait for a later reply (node-redis's way).
    await t.step(
      "pubsub: pUnsubscribe the patterns, then unsubscribe from all channels",
      async () => {
        await sub.pUnsubscribe(["news.*", "bin:*"]);
        await sub.unsubscribe();
        return [sub.isPubSubActive, await redis.pubSubChannels(), await redis.pubSubNumPat()];
      },
    );
    await t.step("pubsub: the client runs commands again", () => sub.get("greeting"));

    await t.step("pubsub: sSubscribe", async () => {
      await sub.sSubscribe(["shard:1", "shard:2"], (message: string, channel: string) => {
        inbox.push("smessage", channel, message);
      });
      return sub.isPubSubActive;
    });
    await t.step("pubsub: sPublish and publish to a shard channel", async () => {
      return [
        await redis.sPublish("shard:1", "s1"),
        await redis.publish("shard:1", "not for shard subscribers"),
        await redis.sPublish("shard:3", "nobody"),
        await received(1),
      ];
    });
    await t.step("pubsub: pubSubShardChannels and pubSubShardNumSub", async () => {
      return [
        sorted(await redis.pubSubShardChannels()),
        await redis.pubSubShardNumSub(["shard:1", "shard:3"]),
      ];
    });
    await t.step("pubsub: a shard-subscribed client sends get", () => sub.get("greeting"));
    await t.step("pubsub: sUnsubscribe", async () => {
      await sub.sUnsubscribe();
      return [sub.isPubSubActive, await sub.get("greeting"), await redis.pubSubShardChannels()];
    });

    // Keyspace notifications: the events of a key set with PX 50 until it expires.
    await t.step("keyspace: configSet notify-keyspace-events KEA", () => {
      return redis.configSet("notify-keyspace-events", "KEA");
    });
    await t.step("keyspace: configGet", () => redis.configGet("notify-keyspace-events"));
    await t.step("keyspace: pSubscribe", async () => {
      for (const pattern of ["__keyevent@0__:*", "__keyspace@0__:ks:*"]) {
        await ks.pSubscribe(pattern, (message: string, channel: string) => {
          ksInbox.push(pattern, channel, message);
        });
      }
      return await redis.pubSubNumPat();
    });
    await t.step("keyspace: set PX 50, events until expired", async () => {
      const reply = await redis.set("ks:temp", "v", { PX: 50 });
      return [reply, await ksInbox.take(6, () => ks.ping()), await redis.exists("ks:temp")];
    });
    await t.step("keyspace: a read after expiry, events until expired", async () => {
      await redis.set("ks:lazy", "v", { PX: 20 });
      await new Promise((r) => setTimeout(r, 40));
      return [await redis.get("ks:lazy"), await ksInbox.take(6, () => ks.ping())];
    });
    await t.step("keyspace: events of a few commands", async () => {
      await redis.multi()
        .set("ks:a", "1").incrBy("ks:a", 5).append("ks:a", "0").rename("ks:a", "ks:b")
        .rPush("ks:l", ["x", "y"]).lPop("ks:l").lPop("ks:l").hSet("ks:h", "f", "v")
        .expire("ks:h", 100).persist("ks:h").del(["ks:b", "ks:h", "ks:missing"])
        .execAsPipeline();
      return await ksInbox.take(28, () => ks.ping());
    });
    await t.step("keyspace: reset notify-keyspace-events", async () => {
      const reply = await redis.configSet("notify-keyspace-events", "");
      await redis.set("ks:quiet", "v", { PX: 1 });
      return [reply, await ksInbox.take(0, () => ks.ping())];
    });
    await t.step("keyspace: pUnsubscribe", async () => {
      await ks.pUnsubscribe();
      return ks.isPubSubActive;
    });
  } finally {
    for (const c of [sub, ks]) if (c.isOpen) await c.disconnect();
  }
}

Deno.test({
  name: "node-redis gets the same results from miniredis as from Redis",
  ignore: needsRedis(),
  async fn() {
    let ours: Entry[];
    {
      await using server = await startMiniredis();
      ours = await scenario(server.port);
    }
    await using real = await startRealRedis();
    const redis = await scenario(real.port);
    assertSameTranscript(ours, redis);
  },
});
