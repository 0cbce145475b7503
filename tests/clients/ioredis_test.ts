/**
 * ioredis, used as a new user would: the same scenario of string, key, expiry, SELECT, SCAN,
 * INFO, pipelining and error-case calls, then lists (a job queue, workers on other connections
 * blocked until a push), hashes, sets, sorted sets, SORT, OBJECT and WRONGTYPE errors,
 * transactions, and Pub/Sub (subscribers on channels and patterns, keyspace notifications,
 * tracking invalidations), runs against our server and against a real redis-server, and the two
 * transcripts must be equal.
 *
 * Set members, hash fields of big hashes and random picks come in no fixed order: the scenario
 * sorts them, or records properties (sizes, membership) instead. Small hashes keep insertion
 * order in Redis (listpack), so their replies are recorded as they come.
 */
import { Buffer } from "node:buffer";
// Pinned here rather than in deno.json: only this test uses it. The named export, because
// under Deno the default export does not type-check as a class.
import { Redis } from "ioredis";
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

/** Options every client in the scenario gets: no retries, so a failure shows at once. */
function options(port: number) {
  return { port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null };
}

/** Waits for `client` to be ready (or fail), recording its status. */
async function ready(client: Redis): Promise<string> {
  if (client.status !== "ready") {
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("error", reject);
    });
  }
  return client.status;
}

/** Runs the scenario against `port`, giving up (and closing its clients) after 10 seconds. */
function scenario(port: number): Promise<Entry[]> {
  const clients: Redis[] = [];
  const open = (extra: Record<string, unknown> = {}) => {
    const client = new Redis({ ...options(port), ...extra });
    clients.push(client);
    return client;
  };
  return withDeadline(10_000, () => clients.forEach((c) => c.disconnect()), () => steps(open));
}

async function steps(open: (extra?: Record<string, unknown>) => Redis): Promise<Entry[]> {
  const t = new Transcript();
  const redis = open();
  const db3 = open({ db: 3, connectionName: "scenario-db3" });
  const lazy = open({ lazyConnect: true, enableReadyCheck: true });
  try {
    await t.step("connect: status", () => ready(redis));
    await t.step("connect db 3: status", () => ready(db3));
    t.note("lazyConnect: status before connect", lazy.status);
    await t.step("lazyConnect: connect()", () => lazy.connect());
    t.note("lazyConnect: status after connect", lazy.status);
    await t.step("lazyConnect: ping", () => lazy.ping());
    await t.step("connectionName: client getname", () => db3.client("GETNAME"));

    // Strings.
    await t.step("set", () => redis.set("greeting", "hello"));
    await t.step("get", () => redis.get("greeting"));
    await t.step("get missing", () => redis.get("nosuchkey"));
    await t.step("set EX", () => redis.set("session", "s1", "EX", 100));
    await t.step("ttl after set EX", async () => within(await redis.ttl("session"), 99, 100));
    await t.step("set PX", () => redis.set("flash", "f1", "PX", 100000));
    await t.step("pttl after set PX", async () => within(await redis.pttl("flash"), 99000, 100000));
    await t.step("set NX on existing", () => redis.set("greeting", "x", "NX"));
    await t.step("set NX on new", () => redis.set("fresh", "x", "NX"));
    await t.step("set XX on missing", () => redis.set("nosuchkey", "x", "XX"));
    await t.step("set XX on existing", () => redis.set("fresh", "y", "XX"));
    await t.step("set KEEPTTL", () => redis.set("session", "s2", "KEEPTTL"));
    await t.step("ttl after KEEPTTL", async () => within(await redis.ttl("session"), 99, 100));
    await t.step("set without KEEPTTL clears ttl", async () => {
      await redis.set("flash", "f2");
      return await redis.ttl("flash");
    });
    await t.step("set GET", () => redis.set("greeting", "hi", "GET"));
    await t.step("set GET on missing", () => redis.set("newkey", "v", "GET"));
    await t.step("set EX NX GET", () => redis.set("greeting", "z", "EX", 5, "NX", "GET"));
    await t.step("mset", () => redis.mset("k1", "v1", "k2", "v2", "k3", "v3"));
    await t.step("mset object", () => redis.mset({ o1: "a", o2: "b" }));
    await t.step("mget", () => redis.mget("k1", "nosuchkey", "k3", "o2"));
    await t.step("msetnx", () => redis.msetnx("k1", "x", "k9", "y"));
    await t.step("setnx", () => redis.setnx("k9", "y"));
    await t.step("setex", () => redis.setex("sx", 50, "v"));
    await t.step("psetex", () => redis.psetex("psx", 50000, "v"));
    await t.step("getset", () => redis.getset("k1", "v1b"));
    await t.step("incr new", () => redis.incr("counter"));
    await t.step("incrby", () => redis.incrby("counter", 41));
    await t.step("decr", () => redis.decr("counter"));
    await t.step("decrby", () => redis.decrby("counter", -10));
    await t.step("incrbyfloat", () => redis.incrbyfloat("float", 0.1));
    await t.step("incrbyfloat again", () => redis.incrbyfloat("float", 0.2));
    await t.step("incrbyfloat exponent", () => redis.incrbyfloat("float", "5.0e3"));
    await t.step("append new", () => redis.append("text", "Hello"));
    await t.step("append", () => redis.append("text", " World"));
    await t.step("strlen", () => redis.strlen("text"));
    await t.step("strlen missing", () => redis.strlen("nosuchkey"));
    await t.step("getrange", () => redis.getrange("text", 0, 4));
    await t.step("getrange negative", () => redis.getrange("text", -5, -1));
    await t.step("getrange out of range", () => redis.getrange("text", 100, 200));
    await t.step("setrange", () => redis.setrange("text", 6, "Redis"));
    await t.step("setrange pads", () => redis.setrange("padded", 3, "x"));
    await t.step("get padded", () => redis.getBuffer("padded"));
    await t.step("get after setrange", () => redis.get("text"));
    await t.step("getdel", () => redis.getdel("k2"));
    await t.step("getdel again", () => redis.getdel("k2"));
    await t.step("getex EX", () => redis.getex("k3", "EX", 200));
    await t.step("ttl after getex", async () => within(await redis.ttl("k3"), 199, 200));
    await t.step("getex PERSIST", () => redis.getex("k3", "PERSIST"));
    await t.step("ttl after PERSIST", () => redis.ttl("k3"));
    await t.step("getex missing", () => redis.getex("nosuchkey"));
    await t.step("getex PX", async () => {
      await redis.getex("k3", "PX", 50000);
      return within(await redis.pttl("k3"), 49000, 50000);
    });
    await t.step("lcs", async () => {
      await redis.mset("lcs1", "ohmytext", "lcs2", "mynewtext");
      return await redis.lcs("lcs1", "lcs2");
    });
    await t.step("lcs LEN", () => redis.lcs("lcs1", "lcs2", "LEN"));
    await t.step(
      "lcs IDX",
      () => redis.lcs("lcs1", "lcs2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN"),
    );

    // Keys.
    await t.step("exists", () => redis.exists("k1", "k3", "nosuchkey", "k1"));
    await t.step("type string", () => redis.type("k1"));
    await t.step("type none", () => redis.type("nosuchkey"));
    await t.step("del", () => redis.del("o1", "nosuchkey"));
    await t.step("unlink", () => redis.unlink("o2", "k9"));
    await t.step("expire", () => redis.expire("k1", 100));
    await t.step("ttl", async () => within(await redis.ttl("k1"), 99, 100));
    await t.step("expire NX on key with ttl", () => redis.expire("k1", 10, "NX"));
    await t.step("expire GT", () => redis.expire("k1", 300, "GT"));
    await t.step("ttl after GT", async () => within(await redis.ttl("k1"), 299, 300));
    await t.step("expiretime", async () => {
      return within((await redis.expiretime("k1")) - Math.floor(Date.now() / 1000), 298, 301);
    });
    await t.step("pexpiretime no expiry", () => redis.pexpiretime("counter"));
    await t.step("expiretime missing", () => redis.expiretime("nosuchkey"));
    await t.step("touch", () => redis.touch("k1", "k3", "nosuchkey"));
    await t.step("pexpire", () => redis.pexpire("k3", 100000));
    await t.step("pttl", async () => within(await redis.pttl("k3"), 99000, 100000));
    await t.step("ttl missing", () => redis.ttl("nosuchkey"));
    await t.step("ttl no expiry", () => redis.ttl("counter"));
    await t.step("persist", () => redis.persist("k1"));
    await t.step("persist again", () => redis.persist("k1"));
    await t.step("expireat future", async () => {
      return await redis.expireat("k1", Math.floor(Date.now() / 1000) + 1000);
    });
    await t.step("ttl after expireat", async () => within(await redis.ttl("k1"), 998, 1000));
    await t.step("expireat past deletes", () => redis.expireat("k1", 1000));
    await t.step("exists after expireat past", () => redis.exists("k1"));
    await t.step("pexpire 1ms", () => redis.pexpire("fresh", 1));
    await t.step("get after expiry", async () => {
      await new Promise((r) => setTimeout(r, 20));
      return await redis.get("fresh");
    });
    await t.step("rename", () => redis.rename("text", "text2"));
    await t.step("rename missing", () => redis.rename("nosuchkey", "x"));
    await t.step("renamenx onto existing", () => redis.renamenx("text2", "counter"));
    await t.step("renamenx", () => redis.renamenx("text2", "text3"));
    await t.step("copy", () => redis.copy("text3", "text4"));
    await t.step("copy onto existing", () => redis.copy("text3", "text4"));
    await t.step("copy REPLACE", () => redis.copy("counter", "text4", "REPLACE"));
    await t.step("copy DB", () => redis.copy("text3", "copied", "DB", 3));
    await t.step("move", () => redis.move("float", 3));
    await t.step("move onto existing", async () => {
      await redis.set("float", "again");
      return await redis.move("float", 3);
    });
    await t.step("keys pattern", async () => (await redis.keys("k*")).sort());
    await t.step("keys all", async () => (await redis.keys("*")).sort());
    await t.step("keys char class", async () => (await redis.keys("text[0-9]")).sort());
    await t.step("dbsize", () => redis.dbsize());

    // SCAN.
    await t.step("scan: fill", () => {
      const pipe = redis.pipeline();
      for (let i = 0; i < 120; i++) pipe.set(`scan:${i}`, String(i));
      for (let i = 0; i < 30; i++) pipe.set(`other:${i}`, String(i));
      return pipe.exec().then((r) => r?.length);
    });
    await t.step("scanStream match count", async () => {
      const seen = new Set<string>();
      const stream = redis.scanStream({ match: "scan:*", count: 7 });
      for await (const batch of stream) for (const key of batch as string[]) seen.add(key);
      return [...seen].sort();
    });
    await t.step("scanStream all", async () => {
      const seen = new Set<string>();
      for await (const batch of redis.scanStream({ count: 1000 })) {
        for (const key of batch as string[]) seen.add(key);
      }
      return seen.size;
    });
    await t.step("scan with TYPE", async () => {
      let cursor = "0";
      const seen = new Set<string>();
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", "other:*", "TYPE", "string");
        cursor = next;
        for (const key of keys) seen.add(key);
      } while (cursor !== "0");
      return seen.size;
    });

    // SELECT and the db option.
    await t.step("db 3: get copied", () => db3.get("copied"));
    await t.step("db 3: get moved", () => db3.get("float"));
    await t.step("db 3: dbsize", () => db3.dbsize());
    await t.step("select 5", () => redis.select(5));
    await t.step("db 5: dbsize", () => redis.dbsize());
    await t.step("db 5: set", () => redis.set("in5", "yes"));
    await t.step("select 16", () => redis.select(16));
    await t.step("select -1", () => redis.select(-1));
    await t.step("select abc", () => redis.select("abc"));
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
      return text.split("\r\n").map((line) => keyspaceLine(line));
    });
    await t.step("info server has redis_version", async () => {
      return parseInfo(await redis.info("server")).get("redis_version") ?? null;
    });
    await t.step("info sections", async () => {
      const sections = (text: string) => text.split("\r\n").filter((l) => l.startsWith("# "));
      return {
        default: sections(await redis.info()),
        two: sections(await redis.info("server", "keyspace")),
        unknown: await redis.info("nosuchsection"),
      };
    });

    // Pipelines and batches without MULTI.
    await t.step("pipeline", async () => {
      return await redis.pipeline()
        .set("p1", "1")
        .incr("p1")
        .incr("greeting")
        .get("p1")
        .call("nosuchcommand", "a")
        .expire("p1", 100)
        .exec();
    });
    await t.step("concurrent calls", () =>
      Promise.all([
        redis.set("c1", "a"),
        redis.append("c1", "b"),
        redis.get("c1"),
        redis.exists("c1"),
        redis.del("c1"),
      ]));
    await t.step("auto-pipelining client", async () => {
      const auto = open({ enableAutoPipelining: true });
      try {
        return await Promise.all([auto.set("ap", "1"), auto.incr("ap"), auto.get("ap")]);
      } finally {
        auto.disconnect();
      }
    });

    // Errors.
    await t.step("incr non-integer", () => redis.incr("greeting"));
    await t.step("incrby non-integer arg", () => redis.call("incrby", "counter", "abc"));
    await t.step("incrbyfloat non-float", () => redis.incrbyfloat("greeting", 1));
    await t.step("incrbyfloat bad arg", () => redis.call("incrbyfloat", "counter", "abc"));
    await t.step("expire non-integer", () => redis.call("expire", "counter", "soon"));
    await t.step("set EX 0", () => redis.set("bad", "v", "EX", 0));
    await t.step("set EX abc", () => redis.call("set", "bad", "v", "EX", "abc"));
    await t.step("set NX XX", () => redis.call("set", "bad", "v", "NX", "XX"));
    await t.step("getrange bad index", () => redis.call("getrange", "text3", "a", "b"));
    await t.step("setrange negative", () => redis.setrange("text3", -1, "x"));
    await t.step("incr overflow", async () => {
      await redis.set("big", "9223372036854775807");
      return await redis.incr("big");
    });
    await t.step("unknown command", () => redis.call("nosuchcommand", "a", "b"));
    await t.step("unknown command no args", () => redis.call("frobnicate"));
    await t.step("wrong arity get", () => redis.call("get"));
    await t.step("wrong arity set", () => redis.call("set", "k"));
    await t.step("wrong arity mset", () => redis.call("mset", "a", "1", "b"));
    await t.step("copy same key", () => redis.copy("counter", "counter"));
    await t.step("getex bad option", () => redis.call("getex", "counter", "EX"));
    await t.step("connection goes on after errors", () => redis.ping());

    // Binary values.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const binKey = Buffer.from([0, 13, 10, 255, 32]);
    await t.step("binary set", () => redis.set(binKey, bytes));
    await t.step("binary getBuffer", () => redis.getBuffer(binKey));
    await t.step("binary strlen", () => redis.strlen(binKey));
    await t.step("binary append", () => redis.append(binKey, Buffer.from([0, 0])));
    await t.step("binary getrange", () => redis.getrangeBuffer(binKey, 250, -1));
    await t.step("binary mget", () => redis.mgetBuffer(binKey, "nosuchkey"));
    await t.step("binary keys", async () => {
      const keys = await redis.keysBuffer("\0*");
      return keys.map((k) => k.toString("hex"));
    });
    await t.step("utf-8 value", async () => {
      await redis.set("unicode", "héllo wörld ✓");
      return [await redis.get("unicode"), await redis.strlen("unicode")];
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
    await pubSubSteps(t, redis, () => open());

    // Flushing.
    await t.step("flushdb", () => redis.flushdb());
    await t.step("dbsize after flushdb", () => redis.dbsize());
    await t.step("db 3 untouched by flushdb", () => db3.dbsize());
    await t.step("flushall", () => redis.flushall());
    await t.step("db 3 after flushall", () => db3.dbsize());

    await t.step("quit", () => redis.quit());
    await t.step("quit db 3", () => db3.quit());
    await t.step("quit lazy", () => lazy.quit());
  } finally {
    redis.disconnect();
    db3.disconnect();
    lazy.disconnect();
  }
  return t.entries;
}

/** A queue of jobs: producers push, a worker pops (blocking, with a timeout) and acknowledges. */
async function queueSteps(t: Transcript, redis: Redis): Promise<void> {
  await t.step("queue: lpush one", () => redis.lpush("jobs", "job:1"));
  await t.step("queue: lpush many", () => redis.lpush("jobs", "job:2", "job:3", "job:4"));
  await t.step("queue: llen", () => redis.llen("jobs"));
  await t.step("queue: lrange", () => redis.lrange("jobs", 0, -1));
  await t.step("queue: brpop ready", () => redis.brpop("jobs", 1));
  await t.step("queue: lmove to processing", () => {
    return redis.lmove("jobs", "processing", "RIGHT", "LEFT");
  });
  await t.step("queue: rpoplpush to processing", () => redis.rpoplpush("jobs", "processing"));
  await t.step("queue: lrange processing", () => redis.lrange("processing", 0, -1));
  await t.step("queue: lrem ack", () => redis.lrem("processing", 1, "job:2"));
  await t.step("queue: lrem ack again", () => redis.lrem("processing", 1, "job:2"));
  await t.step("queue: last job", () => redis.rpop("jobs"));
  await t.step("queue: blpop several keys", async () => {
    await redis.rpush("urgent", "fire");
    return await redis.blpop("jobs", "urgent", 1);
  });
  await t.step("queue: emptied list is gone", async () => {
    return [
      await redis.llen("jobs"),
      await redis.exists("jobs", "urgent"),
      await redis.type("jobs"),
    ];
  });
  await t.step("queue: brpop times out", async () => {
    const start = performance.now();
    return [await redis.brpop("jobs", 0.2), tookWithin(start, 180, 3000)];
  });
  await t.step("queue: blmove times out", async () => {
    const start = performance.now();
    return [
      await redis.blmove("jobs", "processing", "LEFT", "RIGHT", 0.2),
      tookWithin(start, 180, 3000),
    ];
  });
  await t.step("queue: blmpop ready", async () => {
    await redis.rpush("batch", "a", "b", "c");
    return await redis.blmpop(1, 2, "jobs", "batch", "LEFT", "COUNT", 2);
  });
  await t.step("queue: lmpop", () => redis.lmpop(2, "jobs", "batch", "RIGHT"));
  await t.step("queue: lmpop empty", () => redis.lmpop(1, "batch", "LEFT"));
  await t.step("queue: brpop negative timeout", () => redis.brpop("jobs", -1));
  await t.step("queue: brpop bad timeout", () => redis.brpop("jobs", "soon"));

  // A capped "recent activity" list, and edits in place.
  await t.step("recent: lpush + ltrim", async () => {
    for (const event of ["login", "view", "click", "logout", "login"]) {
      await redis.lpush("recent", event);
      await redis.ltrim("recent", 0, 3);
    }
    return await redis.lrange("recent", 0, -1);
  });
  await t.step("recent: lindex", () => redis.lindex("recent", -1));
  await t.step("recent: lpos", () => redis.lpos("recent", "login"));
  await t.step("recent: lpos rank", () => redis.lpos("recent", "login", "RANK", -1));
  await t.step("recent: lpos count", () => redis.lpos("recent", "login", "COUNT", 0));
  await t.step("recent: linsert", () => redis.linsert("recent", "BEFORE", "click", "scroll"));
  await t.step("recent: lset", () => redis.lset("recent", 0, "login!"));
  await t.step("recent: lset out of range", () => redis.lset("recent", 99, "x"));
  await t.step("recent: lset missing", () => redis.lset("nosuchlist", 0, "x"));
  await t.step("recent: lrange after edits", () => redis.lrange("recent", 0, -1));
  await t.step("recent: lpop count", () => redis.lpop("recent", 2));
  await t.step("recent: rpushx missing", () => redis.rpushx("nosuchlist", "x"));
  await t.step("recent: lrange out of range", () => redis.lrange("recent", 10, 20));
}

/** Workers on other connections, blocked until this one pushes. */
async function blockingSteps(t: Transcript, redis: Redis, open: () => Redis): Promise<void> {
  const waitBlocked = (n: number) => untilBlocked(() => redis.info("clients"), n);
  const w1 = open();
  const w2 = open();
  try {
    await t.step("workers: ready", () => Promise.all([w1.ping(), w2.ping()]));
    await t.step("worker: blpop woken by rpush", async () => {
      const popped = w1.blpop("inbox", 3);
      const blocked = await waitBlocked(1);
      const pushed = await redis.rpush("inbox", "hello");
      return [blocked, pushed, await popped, await redis.exists("inbox")];
    });
    await t.step("workers: served in order", async () => {
      const first = w1.blpop("inbox", 3);
      await waitBlocked(1);
      const second = w2.brpop("inbox", 3);
      const blocked = await waitBlocked(2);
      const pushed = await redis.rpush("inbox", "a", "b", "c");
      return [blocked, pushed, await first, await second, await redis.lrange("inbox", 0, -1)];
    });
    await t.step("worker: blmove woken by lpush", async () => {
      const moved = w1.blmove("inbox2", "done", "LEFT", "RIGHT", 3);
      await waitBlocked(1);
      await redis.lpush("inbox2", "task");
      return [await moved, await redis.lrange("done", 0, -1)];
    });
    await t.step("worker: blmpop woken by rpush", async () => {
      const popped = w1.blmpop(3, 1, "inbox3", "RIGHT", "COUNT", 10);
      await waitBlocked(1);
      await redis.rpush("inbox3", "1", "2", "3");
      return await popped;
    });
    await t.step("worker: bzpopmin woken by zadd", async () => {
      const popped = w2.bzpopmin("deadlines", 3);
      await waitBlocked(1);
      await redis.zadd("deadlines", 20, "later", 10, "sooner");
      return [await popped, await redis.zrange("deadlines", 0, -1, "WITHSCORES")];
    });
    await t.step("workers: nobody blocked at the end", () => waitBlocked(0));
  } finally {
    w1.disconnect();
    w2.disconnect();
  }
}

/** A user record as a hash. */
async function hashSteps(t: Transcript, redis: Redis): Promise<void> {
  await t.step("hash: hset object", () => {
    return redis.hset("user:1", { name: "Ada", email: "ada@example.com", visits: 0 });
  });
  await t.step("hash: hset pairs", () => redis.hset("user:1", "name", "Ada L.", "city", "London"));
  await t.step("hash: hget", () => redis.hget("user:1", "name"));
  await t.step("hash: hget missing field", () => redis.hget("user:1", "phone"));
  await t.step("hash: hmget", () => redis.hmget("user:1", "name", "phone", "city"));
  await t.step("hash: hgetall (small hash keeps insertion order)", () => redis.hgetall("user:1"));
  await t.step("hash: hgetall missing", () => redis.hgetall("nosuchhash"));
  await t.step("hash: hincrby", () => redis.hincrby("user:1", "visits", 1));
  await t.step("hash: hincrby again", () => redis.hincrby("user:1", "visits", 5));
  await t.step("hash: hincrbyfloat", () => redis.hincrbyfloat("user:1", "balance", 10.5));
  await t.step("hash: hincrbyfloat 0.1", () => redis.hincrbyfloat("user:1", "balance", 0.1));
  await t.step("hash: hincrbyfloat exponent", () => redis.hincrbyfloat("user:1", "balance", "1e3"));
  await t.step("hash: hexists", () => redis.hexists("user:1", "email"));
  await t.step("hash: hdel", () => redis.hdel("user:1", "email", "phone"));
  await t.step("hash: hexists after hdel", () => redis.hexists("user:1", "email"));
  await t.step("hash: hsetnx existing", () => redis.hsetnx("user:1", "name", "x"));
  await t.step("hash: hsetnx new", () => redis.hsetnx("user:1", "lang", "en"));
  await t.step("hash: hlen", () => redis.hlen("user:1"));
  await t.step("hash: hkeys", () => redis.hkeys("user:1"));
  await t.step("hash: hvals", () => redis.hvals("user:1"));
  await t.step("hash: hstrlen", () => redis.hstrlen("user:1", "city"));
  await t.step("hash: hrandfield count", async () => {
    const fields = await redis.hkeys("user:1");
    const picked = await redis.hrandfield("user:1", 3) as string[];
    return [picked.length, new Set(picked).size, picked.every((f) => fields.includes(f))];
  });
  await t.step("hash: hrandfield negative count", async () => {
    const picked = await redis.hrandfield("user:1", -10) as string[];
    return picked.length;
  });
  await t.step("hash: hincrby non-integer", () => redis.hincrby("user:1", "name", 1));
  await t.step("hash: hincrbyfloat non-float", () => redis.hincrbyfloat("user:1", "name", 1));
  await t.step("hash: hset odd arguments", () => redis.hset("user:1", "name"));
  await t.step("hash: object encoding small", () => redis.object("ENCODING", "user:1"));
  await t.step("hash: big hash", async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 600; i++) fields[`f${i}`] = String(i);
    return [await redis.hset("big:hash", fields), await redis.object("ENCODING", "big:hash")];
  });
  await t.step("hash: hscanStream", async () => {
    const pairs: string[] = [];
    for await (const batch of redis.hscanStream("big:hash", { count: 50 })) {
      const flat = batch as string[];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
    }
    const unique = sorted(new Set(pairs));
    return [unique.length, unique.slice(0, 3)];
  });
  await t.step("hash: hscanStream match", async () => {
    const fields = new Set<string>();
    for await (const batch of redis.hscanStream("user:1", { match: "c*" })) {
      const flat = batch as string[];
      for (let i = 0; i < flat.length; i += 2) fields.add(flat[i]!);
    }
    return sorted(fields);
  });
  await t.step("hash: long value converts encoding", async () => {
    await redis.hset("user:2", "bio", "x".repeat(100));
    return await redis.object("ENCODING", "user:2");
  });
}

/** Tags on posts as sets. */
async function setSteps(t: Transcript, redis: Redis): Promise<void> {
  await t.step("set: sadd", () => redis.sadd("tags:post1", "redis", "database", "fast"));
  await t.step("set: sadd existing", () => redis.sadd("tags:post1", "redis", "cache"));
  await t.step("set: smembers", async () => sorted(await redis.smembers("tags:post1")));
  await t.step("set: sismember", () => redis.sismember("tags:post1", "redis"));
  await t.step("set: sismember missing", () => redis.sismember("tags:post1", "nope"));
  await t.step("set: smismember", () => redis.smismember("tags:post1", "redis", "nope", "cache"));
  await t.step("set: scard", () => redis.scard("tags:post1"));
  await t.step("set: sadd second", () => redis.sadd("tags:post2", "redis", "deno", "typescript"));
  await t.step("set: sinter", () => redis.sinter("tags:post1", "tags:post2"));
  await t.step("set: sunion", async () => sorted(await redis.sunion("tags:post1", "tags:post2")));
  await t.step("set: sdiff", async () => sorted(await redis.sdiff("tags:post1", "tags:post2")));
  await t.step("set: sunionstore", () => redis.sunionstore("tags:all", "tags:post1", "tags:post2"));
  await t.step(
    "set: sinterstore",
    () => redis.sinterstore("tags:common", "tags:post1", "tags:post2"),
  );
  await t.step("set: sintercard", () => redis.sintercard(2, "tags:post1", "tags:post2"));
  await t.step("set: srem", () => redis.srem("tags:post1", "fast", "nope"));
  await t.step("set: smove", () => redis.smove("tags:post1", "tags:post2", "cache"));
  await t.step("set: after smove", async () => {
    return [sorted(await redis.smembers("tags:post1")), sorted(await redis.smembers("tags:post2"))];
  });
  await t.step("set: spop count", async () => {
    const all = await redis.smembers("tags:all");
    const popped = await redis.spop("tags:all", 2);
    const left = await redis.smembers("tags:all");
    return [
      popped.length,
      popped.every((m) => all.includes(m) && !left.includes(m)),
      left.length,
    ];
  });
  await t.step("set: srandmember negative count", async () => {
    const all = await redis.smembers("tags:all");
    const picked = await redis.srandmember("tags:all", -10);
    return [picked.length, picked.every((m) => all.includes(m))];
  });
  await t.step("set: smembers missing", () => redis.smembers("nosuchset"));
  await t.step("set: emptied set is gone", async () => {
    await redis.srem("tags:common", "redis");
    return await redis.exists("tags:common");
  });
  await t.step("set: object encoding intset", async () => {
    await redis.sadd("ids", 1, 2, 3);
    return await redis.object("ENCODING", "ids");
  });
  await t.step("set: object encoding after a string member", async () => {
    await redis.sadd("ids", "x");
    return await redis.object("ENCODING", "ids");
  });
  await t.step("set: sscanStream", async () => {
    const members: string[] = [];
    for (let i = 0; i < 200; i++) members.push(`m${i}`);
    await redis.sadd("big:set", members);
    const seen = new Set<string>();
    for await (const batch of redis.sscanStream("big:set", { count: 20 })) {
      for (const m of batch as string[]) seen.add(m);
    }
    return [seen.size, sorted(seen).slice(0, 3)];
  });
}

/** A leaderboard and a schedule as sorted sets. */
async function sortedSetSteps(t: Transcript, redis: Redis): Promise<void> {
  await t.step("zset: zadd", () => redis.zadd("board", 100, "alice", 85, "bob", 92, "carol"));
  await t.step("zset: zadd NX", () => redis.zadd("board", "NX", 50, "alice", 70, "dave"));
  await t.step("zset: zadd GT lower", () => redis.zadd("board", "GT", 90, "alice"));
  await t.step("zset: zadd GT CH higher", () => redis.zadd("board", "GT", "CH", 120, "alice"));
  await t.step("zset: zadd XX missing", () => redis.zadd("board", "XX", 1, "nobody"));
  await t.step("zset: zadd INCR", () => redis.zadd("board", "INCR", 5, "bob"));
  await t.step("zset: zadd NX GT", () => redis.zadd("board", "NX", "GT", 1, "bob"));
  await t.step("zset: zincrby", () => redis.zincrby("board", 10, "bob"));
  await t.step("zset: zrange WITHSCORES", () => redis.zrange("board", 0, -1, "WITHSCORES"));
  await t.step("zset: zrevrange top 3", () => redis.zrevrange("board", 0, 2, "WITHSCORES"));
  await t.step("zset: zrange REV", () => redis.zrange("board", 0, 1, "REV"));
  await t.step("zset: zrevrank", () => redis.zrevrank("board", "bob"));
  await t.step("zset: zrank", () => redis.zrank("board", "dave"));
  await t.step("zset: zrank missing", () => redis.zrank("board", "nobody"));
  await t.step("zset: zscore", () => redis.zscore("board", "alice"));
  await t.step("zset: zscore missing", () => redis.zscore("board", "nobody"));
  await t.step("zset: zmscore", () => redis.zmscore("board", "alice", "nobody"));
  await t.step("zset: zcount", () => redis.zcount("board", 90, 100));
  await t.step("zset: zrangebyscore LIMIT", () => {
    return redis.zrangebyscore("board", 80, "+inf", "LIMIT", 0, 2);
  });
  await t.step("zset: zrangebyscore exclusive", () => {
    return redis.zrangebyscore("board", "(92", "+inf", "WITHSCORES");
  });
  await t.step("zset: zrevrangebyscore", () => redis.zrevrangebyscore("board", "+inf", 90));
  await t.step("zset: zrange BYSCORE LIMIT", () => {
    return redis.zrange("board", "-inf", "+inf", "BYSCORE", "LIMIT", 1, 2);
  });
  await t.step("zset: zcard", () => redis.zcard("board"));
  await t.step("zset: object encoding", () => redis.object("ENCODING", "board"));

  await t.step("zset: float scores", () => {
    return redis.zadd("floats", 0.1, "tenth", "inf", "top", "-inf", "bottom", 1e300, "huge");
  });
  await t.step("zset: zscore 0.1", () => redis.zscore("floats", "tenth"));
  await t.step("zset: zscore inf", () => redis.zscore("floats", "top"));
  await t.step("zset: zscore -inf", () => redis.zscore("floats", "bottom"));
  await t.step("zset: zscore 1e300", () => redis.zscore("floats", "huge"));
  await t.step("zset: zincrby 0.2", () => redis.zincrby("floats", 0.2, "tenth"));
  await t.step("zset: zrange floats", () => redis.zrange("floats", 0, -1, "WITHSCORES"));
  await t.step("zset: zincrby to NaN", () => redis.zincrby("floats", "-inf", "top"));
  await t.step("zset: zadd nan", () => redis.zadd("floats", "nan", "x"));
  await t.step("zset: zadd bad score", () => redis.zadd("floats", "high", "x"));

  await t.step("zset: zpopmin", () => redis.zpopmin("board"));
  await t.step("zset: zpopmin count", () => redis.zpopmin("board", 2));
  await t.step("zset: bzpopmin ready", () => redis.bzpopmin("board", 1));
  await t.step("zset: emptied zset is gone", () => redis.exists("board"));
  await t.step("zset: bzpopmin times out", async () => {
    const start = performance.now();
    return [await redis.bzpopmin("board", 0.2), tookWithin(start, 180, 3000)];
  });
  await t.step("zset: zpopmax missing", () => redis.zpopmax("board"));

  await t.step("zset: weekly scores", async () => {
    return [
      await redis.zadd("week1", 10, "alice", 20, "bob", 5, "carol"),
      await redis.zadd("week2", 7, "alice", 1, "dave"),
    ];
  });
  await t.step("zset: zunionstore WEIGHTS", () => {
    return redis.zunionstore("total", 2, "week1", "week2", "WEIGHTS", 1, 2);
  });
  await t.step("zset: union result", () => redis.zrange("total", 0, -1, "WITHSCORES"));
  await t.step("zset: zinterstore AGGREGATE MAX", () => {
    return redis.zinterstore("both", 2, "week1", "week2", "AGGREGATE", "MAX");
  });
  await t.step("zset: inter result", () => redis.zrange("both", 0, -1, "WITHSCORES"));
  await t.step("zset: zunion WITHSCORES", () => {
    return redis.zunion(2, "week1", "week2", "AGGREGATE", "MIN", "WITHSCORES");
  });
  await t.step("zset: zrangestore", () => redis.zrangestore("top2", "total", 0, 1, "REV"));
  await t.step("zset: zremrangebyscore", () => redis.zremrangebyscore("total", "-inf", 10));
  await t.step("zset: zrandmember", async () => {
    const picked = await redis.zrandmember("total", -5);
    return [picked.length, picked.every((m) => ["alice", "bob", "carol", "dave"].includes(m))];
  });
  await t.step("zset: big zset", async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 200; i++) args.push(i / 4, `p${i}`);
    return [await redis.zadd("big:zset", ...args), await redis.object("ENCODING", "big:zset")];
  });
  await t.step("zset: zscanStream", async () => {
    const pairs = new Set<string>();
    for await (const batch of redis.zscanStream("big:zset", { count: 30 })) {
      const flat = batch as string[];
      for (let i = 0; i < flat.length; i += 2) pairs.add(`${flat[i]}=${flat[i + 1]}`);
    }
    return [pairs.size, sorted(pairs).slice(0, 3)];
  });
}

/** SORT, TYPE, OBJECT, COPY/RENAME of collections, and WRONGTYPE errors. */
async function sortAndKeySteps(t: Transcript, redis: Redis): Promise<void> {
  await t.step("sort: setup", async () => {
    await redis.rpush("sort:ids", "3", "1", "2", "10");
    await redis.mset("weight_1", 30, "weight_2", 10, "weight_3", 20, "weight_10", 5);
    for (const [id, name] of [["1", "ann"], ["2", "ben"], ["3", "cat"], ["10", "dan"]]) {
      await redis.hset(`user_${id}`, { name });
    }
    return await redis.rpush("sort:names", "bob", "alice", "Carl");
  });
  await t.step("sort: numeric", () => redis.sort("sort:ids"));
  await t.step("sort: DESC LIMIT", () => redis.sort("sort:ids", "DESC", "LIMIT", 0, 2));
  await t.step("sort: ALPHA", () => redis.sort("sort:ids", "ALPHA"));
  await t.step("sort: BY GET", () => {
    return redis.sort("sort:ids", "BY", "weight_*", "GET", "#", "GET", "user_*->name");
  });
  await t.step(
    "sort: BY nosort GET",
    () => redis.sort("sort:ids", "BY", "nosort", "GET", "user_*->name"),
  );
  await t.step("sort: GET missing", () => redis.sort("sort:ids", "GET", "nosuch_*"));
  await t.step("sort: strings without ALPHA", () => redis.sort("sort:names"));
  await t.step("sort: ALPHA STORE", () => redis.sort("sort:names", "ALPHA", "STORE", "sorted"));
  await t.step("sort: stored list", () => redis.lrange("sorted", 0, -1));
  await t.step("sort: a set", () => redis.sort("tags:post2", "ALPHA"));
  await t.step("sort: a zset", () => redis.sort("week1", "ALPHA", "DESC"));
  await t.step("sort: sort_ro", () => redis.sort_ro("sort:ids", "DESC"));
  await t.step("sort: missing key", () => redis.sort("nosuchlist"));
  await t.step("sort: a string", () => redis.sort("greeting"));

  await t.step("type: each kind", async () => {
    const keys = ["recent", "user:1", "tags:post2", "week1", "greeting", "nosuchkey"];
    return await Promise.all(keys.map((k) => redis.type(k)));
  });
  await t.step("object encoding: each kind", async () => {
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
    return await Promise.all(keys.map((k) => redis.object("ENCODING", k)));
  });
  await t.step("object encoding missing", () => redis.object("ENCODING", "nosuchkey"));
  await t.step("object refcount", () => redis.object("REFCOUNT", "user:1"));
  await t.step("object freq without LFU", () => redis.object("FREQ", "user:1"));

  await t.step("copy hash", () => redis.copy("user:1", "user:copy"));
  await t.step("copy is independent", async () => {
    await redis.hset("user:copy", "name", "Bob");
    return [await redis.hget("user:1", "name"), await redis.hget("user:copy", "name")];
  });
  await t.step("copy onto existing", () => redis.copy("user:1", "user:copy"));
  await t.step("copy REPLACE", async () => {
    return [
      await redis.copy("user:1", "user:copy", "REPLACE"),
      await redis.hget("user:copy", "name"),
    ];
  });
  await t.step("copy set, list and zset", async () => {
    await redis.copy("tags:post2", "tags:copy");
    await redis.copy("recent", "recent:copy");
    await redis.copy("week1", "week1:copy");
    await redis.sadd("tags:copy", "extra");
    await redis.rpush("recent:copy", "extra");
    await redis.zadd("week1:copy", 1, "extra");
    return [
      await redis.scard("tags:post2"),
      await redis.llen("recent"),
      await redis.zcard("week1"),
      await redis.scard("tags:copy"),
      await redis.llen("recent:copy"),
      await redis.zcard("week1:copy"),
    ];
  });
  await t.step("rename hash", () => redis.rename("user:copy", "user:renamed"));
  await t.step("after rename", async () => {
    return [await redis.exists("user:copy"), await redis.hgetall("user:renamed")];
  });
  await t.step("rename over another type", async () => {
    await redis.rename("user:renamed", "week1:copy");
    return await redis.type("week1:copy");
  });

  await t.step("wrongtype: lpush on a hash", () => redis.lpush("user:1", "x"));
  await t.step("wrongtype: hget on a list", () => redis.hget("recent", "x"));
  await t.step("wrongtype: sadd on a string", () => redis.sadd("greeting", "x"));
  await t.step("wrongtype: zadd on a set", () => redis.zadd("tags:post2", 1, "x"));
  await t.step("wrongtype: get on a zset", () => redis.get("week1"));
  await t.step("wrongtype: blpop on a hash", () => redis.blpop("user:1", 1));
  await t.step("wrongtype: sinter with a list", () => redis.sinter("tags:post2", "recent"));
  await t.step("wrongtype: error class", async () => {
    try {
      await redis.hset("recent", "f", "v");
      return null;
    } catch (e) {
      return [(e as Error).constructor.name, (e as Error).message];
    }
  });
  await t.step("wrong arity: hset", () => redis.call("hset", "user:1"));
  await t.step("wrong arity: zadd", () => redis.call("zadd", "board", "1"));

  await t.step("pipeline of collection commands", async () => {
    return await redis.pipeline()
      .hset("cart:1", { apples: 3, pears: 1 })
      .hincrby("cart:1", "apples", 2)
      .sadd("carts", "cart:1")
      .zadd("cart:prices", 1.5, "apples", 2.25, "pears")
      .rpush("cart:log", "add apples", "add pears")
      .hgetall("cart:1")
      .lpush("cart:1", "oops")
      .zrange("cart:prices", 0, -1, "WITHSCORES")
      .exec();
  });
}

/** Binary-safe members, fields and elements. */
async function binaryCollectionSteps(t: Transcript, redis: Redis): Promise<void> {
  const a = Buffer.from([0, 255, 13, 10]);
  const b = Buffer.from([1, 0]);
  await t.step("binary: rpush + lrangeBuffer", async () => {
    await redis.rpush("bin:list", a, b);
    return await redis.lrangeBuffer("bin:list", 0, -1);
  });
  await t.step("binary: hset + hgetBuffer", async () => {
    await redis.hset("bin:hash", a, b);
    return [await redis.hgetBuffer("bin:hash", a), await redis.hexists("bin:hash", b)];
  });
  await t.step("binary: sadd + smembersBuffer", async () => {
    await redis.sadd("bin:set", a, b);
    const members = await redis.smembersBuffer("bin:set");
    return sorted(members.map((m) => m.toString("hex")));
  });
  await t.step("binary: zadd + zrangeBuffer", async () => {
    await redis.zadd("bin:zset", 2, a, 1, b);
    return await redis.zrangeBuffer("bin:zset", 0, -1);
  });
}

/** multi(), exec() and watch() as ioredis users write them, a conflicting writer included. */
async function transactionSteps(t: Transcript, redis: Redis, open: () => Redis): Promise<void> {
  const other = open();
  try {
    await t.step(
      "multi: chained exec",
      () => redis.multi().set("tx:a", "1").incr("tx:a").get("tx:a").lpush("tx:l", "x").exec(),
    );
    await t.step(
      "multi: a runtime error answered in place",
      () => redis.multi().set("tx:s", "text").incr("tx:s").get("tx:s").exec(),
    );
    await t.step("multi: an unknown command aborts exec", async () => {
      const tx = redis.multi().set("tx:q", "1");
      tx.call("NOSUCHCOMMAND", "x");
      return [
        await tx.exec().catch((e: Error) => `rejected: ${e.message}`),
        await redis.exists("tx:q"),
      ];
    });
    await t.step("multi: wrong arity while queueing aborts exec", async () => {
      const tx = redis.multi();
      tx.call("GET");
      tx.set("tx:q", "1");
      return await tx.exec().catch((e: Error) => `rejected: ${e.message}`);
    });
    await t.step("multi({ pipeline: false }) then exec", async () => {
      await redis.multi({ pipeline: false });
      const queued = [await redis.set("tx:p", "1"), await redis.incr("tx:p")];
      return [queued, await redis.exec()];
    });
    await t.step("discard", async () => {
      await redis.multi({ pipeline: false });
      await redis.set("tx:d", "1");
      return [await redis.discard(), await redis.exists("tx:d")];
    });
    await t.step("watch: a conflicting write makes exec answer null", async () => {
      await redis.watch("tx:w");
      await other.set("tx:w", "theirs");
      return [await redis.multi().set("tx:w", "mine").exec(), await redis.get("tx:w")];
    });
    await t.step("watch: untouched, exec runs", async () => {
      await redis.watch("tx:w");
      return [await redis.multi().set("tx:w", "mine").exec(), await redis.get("tx:w")];
    });
    await t.step("watch + unwatch forgives a conflict", async () => {
      await redis.watch("tx:w");
      await other.del("tx:w");
      await redis.unwatch();
      return await redis.multi().set("tx:w", "again").exec();
    });
    await t.step("optimistic increments from 4 connections with retries", async () => {
      const workers = [open(), open(), open(), open()];
      let retries = 0;
      await Promise.all(workers.map(async (c) => {
        for (let i = 0; i < 10; i++) {
          for (;;) {
            await c.watch("tx:counter");
            const value = Number(await c.get("tx:counter") ?? "0");
            const result = await c.multi().set("tx:counter", String(value + 1)).exec();
            if (result !== null) break;
            retries++;
          }
        }
      }));
      for (const c of workers) c.disconnect();
      return [await redis.get("tx:counter"), retries >= 0];
    });
  } finally {
    other.disconnect();
  }
}

/**
 * Pub/Sub as ioredis users write it: a subscriber connection on channels and patterns, binary
 * payloads through messageBuffer/pmessageBuffer, PUBLISH counts, PUBSUB introspection, shard
 * channels, keyspace notifications for a key that expires, and tracking invalidations
 * redirected to a subscriber. A message that matches two
 * patterns of one client would come in the order of Redis's pattern dict (random), so no
 * publish here does that.
 */
async function pubSubSteps(t: Transcript, redis: Redis, open: () => Redis): Promise<void> {
  const sub = open();
  const bin = open();
  const ks = open();
  const inbox = new Inbox();
  const binInbox = new Inbox();
  const ksInbox = new Inbox();
  sub.on("message", (channel: string, message: string) => inbox.push("message", channel, message));
  sub.on("pmessage", (pattern: string, channel: string, message: string) => {
    inbox.push("pmessage", pattern, channel, message);
  });
  sub.on("smessage", (channel: string, message: string) => {
    inbox.push("smessage", channel, message);
  });
  bin.on("messageBuffer", (channel: Buffer, message: Buffer) => {
    binInbox.push("messageBuffer", channel, message);
  });
  bin.on("pmessageBuffer", (pattern: string, channel: Buffer, message: Buffer) => {
    binInbox.push("pmessageBuffer", pattern, channel, message);
  });
  ks.on("pmessage", (pattern: string, channel: string, message: string) => {
    ksInbox.push(pattern, channel, message);
  });
  const received = (count: number) => inbox.take(count, () => sub.ping());
  const publishAll = async (pairs: [string | Buffer, string | Buffer][]) => {
    const counts: number[] = [];
    for (const [channel, message] of pairs) counts.push(await redis.publish(channel, message));
    return counts;
  };
  try {
    await t.step("pubsub: subscribe to three channels", () => {
      return sub.subscribe("news", "weather", "news.tech");
    });
    await t.step("pubsub: psubscribe to two patterns", () => sub.psubscribe("news.*", "h?llo"));
    await t.step("pubsub: subscribe again to a channel", () => sub.subscribe("news"));
    await t.step("pubsub: publish in order", () => publishAll([...PUBSUB_MESSAGES]));
    await t.step("pubsub: messages in arrival order", () => received(9));
    await t.step("pubsub: publish inside multi", () => {
      return redis.multi().publish("news", "in tx").publish("hello", "tx").exec();
    });
    await t.step("pubsub: messages from multi", () => received(2));
    await t.step("pubsub: publish from a pipeline", () => {
      return redis.pipeline().publish("weather", "rain").publish("news.sport", "goal").exec();
    });
    await t.step("pubsub: messages from the pipeline", () => received(2));

    await t.step("pubsub: binary subscriber", async () => {
      return [await bin.subscribe("bin:chan"), await bin.psubscribe("bin:*")];
    });
    await t.step("pubsub: binary publish", () =>
      publishAll([
        ["bin:chan", Buffer.from([0, 255, 13, 10])],
        [Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0, 0xff]), Buffer.from([1, 0])],
        ["bin:chan", Buffer.alloc(0)],
      ]));
    await t.step("pubsub: messageBuffer and pmessageBuffer", () => {
      return binInbox.take(5, () => bin.ping());
    });

    await t.step("pubsub: channels, sorted", async () => sorted(await redis.pubsub("CHANNELS")));
    await t.step("pubsub: channels matching news*", async () => {
      return sorted(await redis.pubsub("CHANNELS", "news*"));
    });
    await t.step("pubsub: numsub", () => redis.pubsub("NUMSUB", "news", "bin:chan", "nobody"));
    await t.step("pubsub: numsub of nothing", () => redis.pubsub("NUMSUB"));
    await t.step("pubsub: numpat", () => redis.pubsub("NUMPAT"));
    await t.step("pubsub: a subscribed connection refuses get", () => sub.get("greeting"));
    await t.step("pubsub: ping while subscribed", async () => {
      return [await sub.ping(), await sub.ping("hi")];
    });

    await t.step("pubsub: unsubscribe one channel", () => sub.unsubscribe("news"));
    await t.step("pubsub: publish after unsubscribe", async () => {
      return [await publishAll([["news", "gone"], ["news.tech", "still"]]), await received(2)];
    });
    await t.step("pubsub: punsubscribe one pattern", () => sub.punsubscribe("h?llo"));
    await t.step("pubsub: unsubscribe the other channels", () => {
      return sub.unsubscribe("weather", "news.tech");
    });
    await t.step("pubsub: punsubscribe from all patterns", () => sub.punsubscribe());
    await t.step("pubsub: nothing left", async () => {
      return [
        await redis.pubsub("NUMSUB", "news", "weather", "news.tech"),
        await redis.pubsub("NUMPAT"),
        await publishAll([["news.tech", "x"], ["hello", "x"]]),
      ];
    });
    await t.step("pubsub: the connection runs commands again", () => sub.get("greeting"));

    await t.step("pubsub: ssubscribe", () => sub.ssubscribe("shard:1", "shard:2"));
    await t.step("pubsub: spublish and publish to a shard channel", async () => {
      return [
        await redis.spublish("shard:1", "s1"),
        await redis.publish("shard:1", "not for shard subscribers"),
        await redis.spublish("shard:3", "nobody"),
        await received(1),
      ];
    });
    await t.step("pubsub: shardchannels and shardnumsub", async () => {
      return [
        sorted(await redis.pubsub("SHARDCHANNELS") as string[]),
        await redis.pubsub("SHARDNUMSUB", "shard:1", "shard:3"),
        await redis.pubsub("CHANNELS"),
      ];
    });
    await t.step("pubsub: a shard-subscribed connection refuses get", () => sub.get("greeting"));
    await t.step("pubsub: sunsubscribe", () => sub.sunsubscribe("shard:1", "shard:2"));
    await t.step("pubsub: after sunsubscribe", async () => {
      return [await sub.get("greeting"), await redis.pubsub("SHARDCHANNELS")];
    });

    // Keyspace notifications: the events of a key set with PX 50 until it expires.
    await t.step("keyspace: config set notify-keyspace-events KEA", () => {
      return redis.config("SET", "notify-keyspace-events", "KEA");
    });
    await t.step("keyspace: config get", () => redis.config("GET", "notify-keyspace-events"));
    await t.step("keyspace: psubscribe", () => {
      return ks.psubscribe("__keyevent@0__:*", "__keyspace@0__:ks:*");
    });
    await t.step("keyspace: set PX 50, events until expired", async () => {
      const reply = await redis.set("ks:temp", "v", "PX", 50);
      return [reply, await ksInbox.take(6, () => ks.ping()), await redis.exists("ks:temp")];
    });
    await t.step("keyspace: a read after expiry, events until expired", async () => {
      await redis.set("ks:lazy", "v", "PX", 20);
      await new Promise((r) => setTimeout(r, 40));
      return [await redis.get("ks:lazy"), await ksInbox.take(6, () => ks.ping())];
    });
    await t.step("keyspace: events of a few commands", async () => {
      await redis.pipeline()
        .set("ks:a", "1").incrby("ks:a", 5).append("ks:a", "0").rename("ks:a", "ks:b")
        .rpush("ks:l", "x", "y").lpop("ks:l").lpop("ks:l").hset("ks:h", "f", "v")
        .expire("ks:h", 100).persist("ks:h").del("ks:b", "ks:h", "ks:missing")
        .exec();
      return await ksInbox.take(28, () => ks.ping());
    });
    await t.step("keyspace: reset notify-keyspace-events", async () => {
      const reply = await redis.config("SET", "notify-keyspace-events", "");
      await redis.set("ks:quiet", "v", "PX", 1);
      return [reply, await ksInbox.take(0, () => ks.ping())];
    });
    await t.step("keyspace: punsubscribe", () => ks.punsubscribe());

    // Client-side caching in RESP2: a tracking connection sends its invalidations to a
    // subscriber of __redis__:invalidate (here `bin`, once unsubscribed from the rest).
    await t.step("tracking: invalidations redirected to a subscriber", async () => {
      await bin.unsubscribe("bin:chan");
      await bin.punsubscribe("bin:*");
      const id = await bin.client("ID");
      await bin.subscribe("__redis__:invalidate");
      return [
        await ks.client("TRACKING", "ON", "REDIRECT", id),
        await ks.get("tr:key"),
        await redis.set("tr:key", "changed"),
        await redis.set("tr:key", "again"),
        await ks.get("tr:key"),
        await redis.del("tr:key"),
        await binInbox.take(2, () => bin.ping()),
      ];
    });
    await t.step("tracking: off", () => ks.client("TRACKING", "OFF"));
  } finally {
    sub.disconnect();
    bin.disconnect();
    ks.disconnect();
  }
}

Deno.test({
  name: "ioredis gets the same results from miniredis as from Redis",
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
