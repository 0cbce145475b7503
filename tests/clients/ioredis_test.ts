/**
 * ioredis, used as a new user would: the same scenario of string, key, expiry, SELECT, SCAN,
 * INFO, pipelining and error-case calls runs against our server and against a real
 * redis-server, and the two transcripts must be equal.
 */
import { Buffer } from "node:buffer";
// Pinned here rather than in deno.json: only this test uses it. The named export, because
// under Deno the default export does not type-check as a class.
import { Redis } from "ioredis";
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
