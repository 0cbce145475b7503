/**
 * Expiry: lazy expiry on access, the active cycle, the expired_keys statistic, and which
 * commands keep, replace or clear a TTL. Our server runs on a `ManualClock`, so time moves when
 * a test says so and nothing sleeps except while waiting for the active cycle (a timer). Where
 * the same can be checked against real Redis without timing (keys set already expired and used
 * in one pipeline, which both servers run without expiring anything in between), it is.
 *
 * @module
 */
import { ManualClock } from "../../src/keyspace/clock.ts";
import { Database } from "../../src/keyspace/database.ts";
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  startMiniredis,
} from "../_util.ts";

const T0 = 1_700_000_000_000;

/** A field of INFO's reply (`expired_keys`), as text. */
async function infoField(session: RawSession, section: string, field: string): Promise<string> {
  const reply = parseReply(await session.command("INFO", section));
  assert(typeof reply === "string", "INFO answers a bulk string");
  const line = reply.split("\r\n").find((l) => l.startsWith(`${field}:`));
  return line === undefined ? "(absent)" : line.slice(field.length + 1);
}

/** Keeps only the named `field:value` lines of an INFO reply, for a differential step. */
function infoLines(...fields: string[]): (reply: string) => string {
  return (reply) => {
    const text = parseReply(reply);
    if (typeof text !== "string") return reply;
    return text.split("\r\n").filter((l) => fields.some((f) => l.startsWith(`${f}:`))).join(
      "\n",
    );
  };
}

/** Sends `commands` in one write (one pipeline) and returns the raw replies, concatenated. */
async function pipeline(session: RawSession, commands: string[][]): Promise<string> {
  await session.write(commands.map(encodeCommand).join(""));
  return await session.read(commands.length);
}

/** Polls until `probe` answers `expected` or about `ms` of real time passed; returns the last. */
async function waitFor(probe: () => Promise<string>, expected: string, ms = 1500) {
  const deadline = Date.now() + ms;
  let last = await probe();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    last = await probe();
  }
  return last;
}

Deno.test("a key lives through its last millisecond and is gone on the next access", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  assertEquals(await s.command("SET", "k", "v", "PX", "100"), "+OK\r\n");
  clock.advance(99);
  assertEquals(await s.command("PTTL", "k"), ":1\r\n");
  assertEquals(await s.command("GET", "k"), "$1\r\nv\r\n");
  clock.advance(1);
  // Redis expires a key when the time is past its expiry, not at it.
  assertEquals(await s.command("PTTL", "k"), ":0\r\n");
  assertEquals(await s.command("TTL", "k"), ":0\r\n");
  assertEquals(await s.command("GET", "k"), "$1\r\nv\r\n");
  clock.advance(1);
  assertEquals(await s.command("GET", "k"), "$-1\r\n");
  assertEquals(await s.command("EXISTS", "k"), ":0\r\n");
  assertEquals(await s.command("TTL", "k"), ":-2\r\n");
  assertEquals(await s.command("DBSIZE"), ":0\r\n");
  assertEquals(await infoField(s, "stats", "expired_keys"), "1");
});

Deno.test("TTL and PTTL count down with the clock and round as Redis does", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  await s.command("SET", "k", "v", "EX", "100");
  assertEquals(await s.command("EXPIRETIME", "k"), `:${T0 / 1000 + 100}\r\n`);
  clock.advance(30_000);
  assertEquals(await s.command("TTL", "k"), ":70\r\n");
  assertEquals(await s.command("PTTL", "k"), ":70000\r\n");
  clock.advance(500);
  assertEquals(await s.command("TTL", "k"), ":70\r\n"); // 69.5 s rounds up
  clock.advance(1);
  assertEquals(await s.command("TTL", "k"), ":69\r\n");
  assertEquals(await s.command("PTTL", "k"), ":69499\r\n");
  clock.advance(69_000);
  assertEquals(await s.command("TTL", "k"), ":0\r\n");
  assertEquals(await s.command("PEXPIRETIME", "k"), `:${T0 + 100_000}\r\n`);
  clock.advance(500);
  assertEquals(await s.command("TTL", "k"), ":-2\r\n");
});

Deno.test("the active cycle removes expired keys that nobody reads, in every database", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  const pairs: string[] = [];
  for (let i = 0; i < 200; i++) pairs.push(`vol:${i}`, "v");
  await s.command("MSET", ...pairs);
  for (let i = 0; i < 200; i++) await s.command("PEXPIRE", `vol:${i}`, String(1000 + i));
  await s.command("MSET", "keep1", "a", "keep2", "b");
  await s.command("SET", "later", "c", "EX", "3600");
  await s.command("SELECT", "1");
  await s.command("SET", "db1", "v", "PX", "500");
  await s.command("SELECT", "0");
  assertEquals(await s.command("DBSIZE"), ":203\r\n");
  assert((await infoField(s, "keyspace", "db0")).startsWith("keys=203,expires=201,"));

  clock.advance(2000);
  // Nothing touches the keys: the active cycle (hz 10) must find them.
  assertEquals(await waitFor(() => s.command("DBSIZE"), ":3\r\n"), ":3\r\n");
  assert((await infoField(s, "keyspace", "db0")).startsWith("keys=3,expires=1,"));
  assertEquals(await infoField(s, "keyspace", "db1"), "(absent)");
  assertEquals(await infoField(s, "stats", "expired_keys"), "201");
  assertEquals(await s.command("GET", "later"), "$1\r\nc\r\n");
  assertEquals(await s.command("TTL", "later"), ":3598\r\n");
});

Deno.test("SET without KEEPTTL clears the TTL and SET with KEEPTTL keeps it", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  await s.command("SET", "cleared", "v1", "EX", "10");
  assertEquals(await s.command("SET", "cleared", "v2"), "+OK\r\n");
  await s.command("SET", "kept", "v1", "EX", "10");
  assertEquals(await s.command("SET", "kept", "v2", "KEEPTTL"), "+OK\r\n");
  await s.command("SET", "getset", "v1", "EX", "10");
  assertEquals(await s.command("GETSET", "getset", "v2"), "$2\r\nv1\r\n");
  await s.command("SET", "appended", "v1", "EX", "10");
  assertEquals(await s.command("APPEND", "appended", "x"), ":3\r\n");
  await s.command("SET", "counter", "1", "EX", "10");
  assertEquals(await s.command("INCRBYFLOAT", "counter", "1.5"), "$3\r\n2.5\r\n");
  clock.advance(10_001);
  assertEquals(await s.command("GET", "cleared"), "$2\r\nv2\r\n");
  assertEquals(await s.command("TTL", "cleared"), ":-1\r\n");
  assertEquals(await s.command("GET", "kept"), "$-1\r\n");
  assertEquals(await s.command("GET", "getset"), "$2\r\nv2\r\n");
  assertEquals(await s.command("GET", "appended"), "$-1\r\n");
  assertEquals(await s.command("GET", "counter"), "$-1\r\n");
});

Deno.test("GETEX PERSIST keeps a key forever and GETEX EX gives it a new TTL", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  await s.command("SET", "k", "v", "PX", "100");
  assertEquals(await s.command("GETEX", "k", "PERSIST"), "$1\r\nv\r\n");
  assertEquals(await s.command("TTL", "k"), ":-1\r\n");
  clock.advance(1000);
  assertEquals(await s.command("GET", "k"), "$1\r\nv\r\n");
  assertEquals(await s.command("GETEX", "k", "EX", "5"), "$1\r\nv\r\n");
  assertEquals(await s.command("PTTL", "k"), ":5000\r\n");
  assertEquals(await s.command("GETEX", "k", "PXAT", String(T0 + 1000)), "$1\r\nv\r\n");
  assertEquals(await s.command("EXISTS", "k"), ":0\r\n");
  await s.command("SET", "k", "v");
  assertEquals(await s.command("GETEX", "k", "PXAT", String(T0 + 1001)), "$1\r\nv\r\n");
  assertEquals(await s.command("PTTL", "k"), ":1\r\n");
  clock.advance(2);
  assertEquals(await s.command("GETEX", "k"), "$-1\r\n");
});

Deno.test("RENAME, COPY and MOVE carry the TTL, and the key expires where it went", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  await s.command("SET", "a", "v", "PX", "100");
  assertEquals(await s.command("RENAME", "a", "b"), "+OK\r\n");
  assertEquals(await s.command("PTTL", "b"), ":100\r\n");
  assertEquals(await s.command("COPY", "b", "c"), ":1\r\n");
  assertEquals(await s.command("PTTL", "c"), ":100\r\n");
  assertEquals(await s.command("MOVE", "c", "1"), ":1\r\n");
  assertEquals(await s.command("RENAMENX", "b", "d"), ":1\r\n");
  assertEquals(await s.command("SET", "persistent", "p"), "+OK\r\n");
  assertEquals(await s.command("RENAME", "persistent", "d2"), "+OK\r\n");
  clock.advance(50);
  assertEquals(await s.command("PTTL", "d"), ":50\r\n");
  clock.advance(51);
  assertEquals(await s.command("GET", "d"), "$-1\r\n");
  assertEquals(await s.command("EXISTS", "a", "b", "c"), ":0\r\n");
  assertEquals(await s.command("GET", "d2"), "$1\r\np\r\n");
  assertEquals(await s.command("RENAME", "d", "e"), "-ERR no such key\r\n");
  assertEquals(await s.command("COPY", "d", "e"), ":0\r\n");
  assertEquals(await s.command("MOVE", "d", "2"), ":0\r\n");
  assertEquals(await s.command("SELECT", "1"), "+OK\r\n");
  assertEquals(await s.command("GET", "c"), "$-1\r\n");
});

Deno.test("expired keys are invisible to reads, KEYS, SCAN and RANDOMKEY", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  await s.command("MSET", "live1", "1", "live2", "2", "dead1", "3", "dead2", "4", "dead3", "5");
  for (const key of ["dead1", "dead2", "dead3"]) await s.command("PEXPIRE", key, "10");
  clock.advance(11);
  assertEquals(await s.command("EXISTS", "live1", "live2", "dead1"), ":2\r\n");
  assertEquals(await s.command("TOUCH", "dead2", "live1"), ":1\r\n");
  assertEquals(
    await s.command("MGET", "dead3", "live2"),
    "*2\r\n$-1\r\n$1\r\n2\r\n",
  );
  assertEquals(await s.command("TYPE", "dead1"), "+none\r\n");
  assertEquals(await s.command("TTL", "dead1"), ":-2\r\n");
  assertEquals(await s.command("STRLEN", "dead1"), ":0\r\n");
  assertEquals(await s.command("DEL", "dead1"), ":0\r\n");
  assertEquals(await s.command("PERSIST", "dead1"), ":0\r\n");
  assertEquals(await s.command("EXPIRE", "dead1", "100"), ":0\r\n");
  const keys = parseReply(await s.command("KEYS", "*"));
  assert(Array.isArray(keys));
  assertEquals([...keys].sort(), ["live1", "live2"]);
  const scan = parseReply(await s.command("SCAN", "0", "COUNT", "100"));
  assert(Array.isArray(scan) && Array.isArray(scan[1]));
  assertEquals([...scan[1]].sort(), ["live1", "live2"]);
  for (let i = 0; i < 20; i++) {
    const key = parseReply(await s.command("RANDOMKEY"));
    assert(key === "live1" || key === "live2", `RANDOMKEY answered ${String(key)}`);
  }
  assertEquals(await s.command("DBSIZE"), ":2\r\n");
  assertEquals(await infoField(s, "stats", "expired_keys"), "3");
});

Deno.test("DBSIZE counts an expired key until it is collected, as Redis's does", () => {
  const clock = new ManualClock(T0);
  const expired: string[] = [];
  const db = new Database(0, clock, (_db, key) => expired.push(key));
  db.set("live", "v");
  db.set("dead", "v");
  db.setExpire("dead", T0 + 10);
  clock.advance(11);
  assertEquals(db.size, 2);
  // KEYS leaves expired keys out but, as in Redis, does not delete them.
  assertEquals(db.keys("*"), ["live"]);
  assertEquals(db.size, 2);
  assertEquals(expired, []);
  assertEquals(db.lookup("dead"), undefined);
  assertEquals(db.size, 1);
  assertEquals(expired, ["dead"]);
});

Deno.test("RANDOMKEY finds the one live key among many expired ones", () => {
  const clock = new ManualClock(T0);
  const db = new Database(0, clock);
  for (let i = 0; i < 1000; i++) {
    db.set(`dead:${i}`, "v");
    db.setExpire(`dead:${i}`, T0 + 1);
  }
  db.set("live", "v");
  clock.advance(2);
  assertEquals(db.randomKey(), "live");
  assertEquals(db.size, db.expires.size + 1);
  for (let i = 0; i < 1000; i++) db.lookup(`dead:${i}`);
  assertEquals(db.randomKey(), "live");
  db.set("dead:0", "v");
  db.setExpire("dead:0", T0);
  db.delete("live");
  assertEquals(db.randomKey(), null);
  assertEquals(db.size, 0);
});

Deno.test({
  name: "keys already expired when set are counted, listed and collected as in Redis",
  ignore: needsRedis(),
  async fn() {
    // One pipeline each: neither server runs its active cycle in the middle of one.
    const commands: string[][] = [
      ["SET", "a", "v", "PXAT", "1"],
      ["DBSIZE"],
      ["KEYS", "*"],
      ["DBSIZE"],
      ["EXISTS", "a"],
      ["DBSIZE"],
      ["SET", "b", "v"],
      ["EXPIRE", "b", "-1"],
      ["SET", "c", "v"],
      ["GETEX", "c", "EXAT", "1"],
      ["SET", "d", "v", "PXAT", "1"],
      ["SET", "d", "v2"],
      ["SET", "e", "v", "EXAT", "1"],
      ["MSET", "e", "v2"],
      ["SET", "f", "v", "EXAT", "1"],
      ["SETNX", "f", "v2"],
      ["SET", "g", "v", "EXAT", "1"],
      ["APPEND", "g", "x"],
      ["SET", "h", "v", "EXAT", "1"],
      ["INCR", "h"],
      ["SET", "i", "v", "EXAT", "1"],
      ["RENAME", "i", "j"],
      ["SET", "k", "v", "EXAT", "1"],
      ["DEL", "k"],
      ["SET", "l", "v", "EXAT", "1"],
      ["TTL", "l"],
      ["SET", "m", "v", "EXAT", "1"],
      ["SET", "m", "v2", "GET"],
      ["SET", "n", "v", "EXAT", "1"],
      ["MSETNX", "n", "v2"],
      ["SET", "o", "v", "EXAT", "1"],
      ["COPY", "o", "o2"],
      ["SET", "p", "v", "EXAT", "1"],
      ["MGET", "p", "d"],
      ["DBSIZE"],
      ["SELECT", "5"],
      ["SET", "q", "v", "EXAT", "1"],
      ["SCAN", "0"],
      ["SET", "r", "v", "EXAT", "1"],
      ["RANDOMKEY"],
      ["DBSIZE"],
      ["SELECT", "0"],
    ];
    await assertSameAsRedis([
      { raw: commands.map(encodeCommand).join(""), replies: commands.length },
      { cmd: ["INFO", "stats"], normalize: infoLines("expired_keys") },
      { cmd: ["INFO", "keyspace"], normalize: infoLines("db0", "db5") },
    ]);
  },
});

Deno.test({
  name: "RANDOMKEY skips expired keys until it finds the live one, as in Redis",
  ignore: needsRedis(),
  async fn() {
    const commands: string[][] = [];
    for (let i = 0; i < 250; i++) commands.push(["SET", `d${i}`, "v", "PXAT", "1"]);
    // (DBSIZE afterwards would depend on how many expired keys each server happened to draw.)
    commands.push(["SET", "live", "v"], ["RANDOMKEY"], ["RANDOMKEY"]);
    await assertSameAsRedis([
      { raw: commands.map(encodeCommand).join(""), replies: commands.length },
    ]);
  },
});

Deno.test("expiry is checked in the database the client selected", async () => {
  const clock = new ManualClock(T0);
  await using server = await startMiniredis({ clock });
  await using s = await RawSession.open(server.port);
  assertEquals(
    await pipeline(s, [
      ["SET", "k", "db0", "PX", "100"],
      ["SELECT", "3"],
      ["SET", "k", "db3", "PX", "300"],
      ["SELECT", "0"],
    ]),
    "+OK\r\n+OK\r\n+OK\r\n+OK\r\n",
  );
  clock.advance(200);
  assertEquals(await s.command("GET", "k"), "$-1\r\n");
  assertEquals(await s.command("SELECT", "3"), "+OK\r\n");
  assertEquals(await s.command("GET", "k"), "$3\r\ndb3\r\n");
  assertEquals(await s.command("PTTL", "k"), ":100\r\n");
  clock.advance(101);
  assertEquals(await s.command("GET", "k"), "$-1\r\n");
  assertEquals(await infoField(s, "stats", "expired_keys"), "2");
});
