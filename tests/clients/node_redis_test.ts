/**
 * node-redis (the `redis` package, v4), used as a new user would: the same scenario of string,
 * key, expiry, SELECT, SCAN, INFO, pipelining and error-case calls runs against our server and
 * against a real redis-server, and the two transcripts must be equal.
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
  keyspaceLine,
  parseInfo,
  Transcript,
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
  const open = (database?: number) => {
    const c = client(port, database);
    // Without an error listener a failed connection would be an uncaught error event.
    c.on("error", (e: Error) => errors.push(e.message));
    clients.push(c);
    return c;
  };
  const abort = () => {
    for (const c of clients) if (c.isOpen) c.disconnect().catch(() => {});
  };
  return withDeadline(10_000, abort, () => steps(open, errors));
}

async function steps(open: (database?: number) => Client, errors: string[]): Promise<Entry[]> {
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
