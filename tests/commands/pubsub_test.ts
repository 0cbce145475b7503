/**
 * Differential tests of the pubsub group: each script runs on our server and on a real
 * redis-server 7.0 over several connections (publishers and subscribers), and every reply,
 * confirmation and delivered message must be byte-identical. Where Redis answers in the order
 * of a hash table (UNSUBSCRIBE from everything, PUBSUB CHANNELS, several patterns matching one
 * channel for one client) the frames of that step are compared as a sorted list. Also: message
 * order and binary safety under a pipelined flood, and subscriptions dropped on disconnect,
 * CLIENT KILL and QUIT.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  encodeCommand,
  needsRedis,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import { ReplyParser } from "../../src/resp/reply_parser.ts";
import type { RespValue } from "../../src/resp/types.ts";
import type { Server } from "../../src/server/server.ts";

/**
 * One step on connection `on` (0 unless given): a command with the number of frames it
 * answers (1 unless given), or `read` frames that arrive on their own (published messages).
 * `sorted` compares the step's frames as a sorted list, `unsubscribeAll` an unsubscribe from
 * everything's frames (see `unsubscribeAllFrames`); `uncompared` skips the comparison (HELLO's
 * reply carries the connection id, which differs between the servers).
 */
interface Step {
  on?: number;
  cmd?: string[];
  frames?: number;
  read?: number;
  sorted?: boolean;
  unsubscribeAll?: boolean;
  uncompared?: boolean;
}

function cmd(on: number, ...args: string[]): Step {
  return { on, cmd: args };
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
}

/** The frames in raw reply bytes. */
function frames(raw: string): RespValue[] {
  const parser = new ReplyParser();
  parser.push(latin1Encode(raw));
  const out: RespValue[] = [];
  for (let v = parser.next(); v !== undefined; v = parser.next()) out.push(v);
  return out;
}

/** Frames whose order is a hash table's: sorted (one array reply: its elements sorted). */
function sortedFrames(raw: string): string {
  const all = frames(raw);
  const items = all.length === 1 && Array.isArray(all[0]) ? all[0] : all;
  return `sorted ${raw[0]}: ${items.map(json).sort().join(",")}`;
}

/**
 * The confirmations of an unsubscribe from everything, which Redis sends in its hash table's
 * order: the channels sorted, and the rest of each frame (kind, count) in the order sent.
 */
function unsubscribeAllFrames(raw: string): string {
  const names: string[] = [];
  const rest: string[] = [];
  for (const frame of frames(raw)) {
    const items = Array.isArray(frame)
      ? frame
      : (frame as { kind: string; items: RespValue[] }).items;
    names.push(json(items[1]));
    rest.push(json([items[0], items[2]]));
  }
  return `${raw[0]} channels ${names.sort().join(",")}; ${rest.join(",")}`;
}

/** Runs the steps over `sessions` connections to `port`; one raw reply string per step. */
async function runSteps(port: number, steps: readonly Step[], sessions = 3): Promise<string[]> {
  const conns: RawSession[] = [];
  try {
    for (let i = 0; i < sessions; i++) conns.push(await RawSession.open(port));
    const out: string[] = [];
    for (const step of steps) {
      const conn = conns[step.on ?? 0]!;
      let raw: string;
      if (step.cmd !== undefined) {
        await conn.write(encodeCommand(step.cmd));
        raw = await conn.read(step.frames ?? 1);
      } else raw = await conn.read(step.read ?? 1);
      out.push(
        step.uncompared === true
          ? ""
          : step.sorted === true
          ? sortedFrames(raw)
          : step.unsubscribeAll === true
          ? unsubscribeAllFrames(raw)
          : raw,
      );
    }
    // Nothing may be left unread: a message Redis would not send shows up here.
    for (const conn of conns) {
      await conn.write(encodeCommand(["PING", "end"]));
      out.push(await conn.read(1));
    }
    return out;
  } finally {
    for (const conn of conns) conn.close();
  }
}

function label(step: Step): string {
  return step.cmd !== undefined ? `${step.on ?? 0}: ${step.cmd.join(" ")}` : `read ${step.read}`;
}

/** Runs the steps on both servers (fresh) and asserts identical bytes, step by step. */
async function assertSameAsRedis(steps: readonly Step[], sessions = 3): Promise<string[]> {
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  const mine = await runSteps(ours.port, steps, sessions);
  const theirs = await runSteps(real.port, steps, sessions);
  for (let i = 0; i < mine.length; i++) {
    const name = i < steps.length
      ? label(steps[i]!)
      : `final PING on connection ${i - steps.length}`;
    assertEquals(mine[i], theirs[i], `reply to step ${i} (${JSON.stringify(name)}) differs`);
  }
  return mine;
}

Deno.test({
  name: "SUBSCRIBE, UNSUBSCRIBE and PUBLISH confirm and deliver as Redis does in RESP2",
  ignore: needsRedis(),
  async fn() {
    const mine = await assertSameAsRedis([
      { ...cmd(1, "SUBSCRIBE", "news", "sport", "news"), frames: 3 },
      cmd(0, "PUBLISH", "news", "hello"),
      { on: 1, read: 1 },
      cmd(0, "PUBLISH", "nobody", "x"),
      cmd(2, "SUBSCRIBE", "news"),
      cmd(0, "PUBLISH", "news", "to two"),
      { on: 1, read: 1 },
      { on: 2, read: 1 },
      cmd(1, "PING"),
      cmd(1, "PING", "arg"),
      cmd(1, "PING", "a", "b"),
      { ...cmd(1, "UNSUBSCRIBE", "sport", "never"), frames: 2 },
      cmd(0, "PUBLISH", "sport", "gone"),
      { ...cmd(1, "SUBSCRIBE", "a", "b", "c"), frames: 3 },
      { ...cmd(1, "UNSUBSCRIBE"), frames: 4, unsubscribeAll: true },
      cmd(1, "UNSUBSCRIBE"),
      cmd(1, "PUNSUBSCRIBE"),
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "UNSUBSCRIBE", "never"),
      cmd(0, "PUBLISH", "news", "to one"),
      { on: 2, read: 1 },
      cmd(1, "SUBSCRIBE"),
      cmd(0, "PUBLISH"),
      cmd(0, "PUBLISH", "news"),
      cmd(0, "PUBLISH", "news", "a", "b"),
      cmd(0, "PING"),
      { ...cmd(0, "UNSUBSCRIBE", "x", "y"), frames: 2 },
      cmd(0, "unsubscribe"),
      cmd(0, "PING"),
      cmd(0, "subscribe", "MiXeD"),
      cmd(1, "publish", "mixed", "case matters"),
      cmd(1, "publish", "MiXeD", "case matters"),
      { on: 0, read: 1 },
    ]);
    assertEquals(mine[1], ":1\r\n");
    assertEquals(mine[2], "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  },
});

Deno.test({
  name: "channels and messages are binary-safe in both directions",
  ignore: needsRedis(),
  async fn() {
    const channel = "\x00ch\r\n\xff";
    const message = "\r\n\x00\xfe\xff$3\r\n*1";
    await assertSameAsRedis([
      { ...cmd(1, "SUBSCRIBE", channel, ""), frames: 2 },
      cmd(2, "PSUBSCRIBE", "\x00ch*"),
      cmd(0, "PUBLISH", channel, message),
      { on: 1, read: 1 },
      { on: 2, read: 1 },
      cmd(0, "PUBLISH", "", ""),
      { on: 1, read: 1 },
      cmd(0, "PUBSUB", "NUMSUB", channel, ""),
    ]);
  },
});

Deno.test({
  name: "PSUBSCRIBE delivers pmessage frames by Redis's glob rules, and both ways means twice",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(1, "PSUBSCRIBE", "news.*"),
      { ...cmd(2, "PSUBSCRIBE", "h?llo", "h[^e]llo", "h[a-c]llo", "x\\*"), frames: 4 },
      { ...cmd(2, "PSUBSCRIBE", "h?llo"), frames: 1 },
      cmd(0, "PUBLISH", "news.tech", "m1"),
      { on: 1, read: 1 },
      cmd(0, "PUBLISH", "news", "none"),
      cmd(0, "PUBLISH", "hello", "m2"),
      { on: 2, read: 1 },
      cmd(0, "PUBLISH", "hallo", "m3"),
      { on: 2, read: 3, sorted: true },
      cmd(0, "PUBLISH", "x*", "m4"),
      { on: 2, read: 1 },
      cmd(0, "PUBLISH", "xx", "none"),
      cmd(1, "SUBSCRIBE", "news.tech"),
      cmd(0, "PUBLISH", "news.tech", "twice"),
      { on: 1, read: 2 },
      cmd(0, "PUBSUB", "NUMPAT"),
      { ...cmd(1, "PUNSUBSCRIBE", "news.*", "other"), frames: 2 },
      cmd(0, "PUBLISH", "news.tech", "once"),
      { on: 1, read: 1 },
      { ...cmd(2, "PUNSUBSCRIBE"), frames: 4, unsubscribeAll: true },
      cmd(0, "PUBSUB", "NUMPAT"),
      cmd(1, "PSUBSCRIBE"),
    ]);
  },
});

Deno.test({
  name: "SSUBSCRIBE, SPUBLISH and SUNSUBSCRIBE keep shard channels apart, counted on their own",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(1, "SUBSCRIBE", "plain"),
      cmd(1, "PSUBSCRIBE", "*"),
      { ...cmd(1, "SSUBSCRIBE", "s1", "s2"), frames: 2 },
      { ...cmd(1, "SSUBSCRIBE", "s1"), frames: 1 },
      cmd(0, "SPUBLISH", "s1", "shard message"),
      { on: 1, read: 1 },
      cmd(0, "PUBLISH", "s1", "seen by the pattern only"),
      { on: 1, read: 1 },
      cmd(0, "SPUBLISH", "plain", "nobody"),
      cmd(0, "PUBSUB", "SHARDNUMSUB", "s1", "s2", "plain"),
      cmd(0, "PUBSUB", "NUMSUB", "s1", "plain"),
      { ...cmd(1, "SUNSUBSCRIBE", "s1", "none"), frames: 2 },
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "UNSUBSCRIBE"),
      cmd(1, "PUNSUBSCRIBE"),
      cmd(1, "SSUBSCRIBE", "only-shard"),
      cmd(1, "PING"),
      cmd(0, "SPUBLISH", "only-shard", "m"),
      { on: 1, read: 1 },
      cmd(1, "SUNSUBSCRIBE", "only-shard"),
      cmd(1, "PING"),
      cmd(0, "SSUBSCRIBE"),
      cmd(0, "SPUBLISH", "x"),
    ]);
  },
});

Deno.test({
  name: "RESP3 subscribers get push frames and may run any command while subscribed",
  ignore: needsRedis(),
  async fn() {
    const mine = await assertSameAsRedis([
      { on: 1, cmd: ["HELLO", "3"], uncompared: true },
      cmd(1, "UNSUBSCRIBE"),
      { ...cmd(1, "SUBSCRIBE", "a", "b"), frames: 2 },
      cmd(1, "PSUBSCRIBE", "p*"),
      cmd(1, "SSUBSCRIBE", "s"),
      cmd(0, "PUBLISH", "a", "one"),
      { on: 1, read: 1 },
      cmd(0, "PUBLISH", "pa", "two"),
      { on: 1, read: 1 },
      cmd(0, "SPUBLISH", "s", "three"),
      { on: 1, read: 1 },
      cmd(1, "SET", "k", "v"),
      cmd(1, "GET", "k"),
      cmd(1, "PING"),
      cmd(1, "PING", "x"),
      { ...cmd(1, "PUBLISH", "a", "to myself"), frames: 2 },
      cmd(1, "UNSUBSCRIBE", "zz"),
      { ...cmd(1, "UNSUBSCRIBE"), frames: 2, unsubscribeAll: true },
      cmd(1, "PUNSUBSCRIBE"),
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "SUBSCRIBE", "c"),
      { on: 1, cmd: ["HELLO", "2"], uncompared: true },
      cmd(1, "PING"),
      cmd(0, "PUBLISH", "c", "now RESP2"),
      { on: 1, read: 1 },
    ]);
    assertEquals(
      mine[2],
      ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
  },
});

Deno.test({
  name: "PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB and HELP answer as Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(0, "PUBSUB", "CHANNELS"),
      cmd(0, "PUBSUB", "NUMPAT"),
      cmd(0, "PUBSUB", "NUMSUB"),
      cmd(0, "PUBSUB", "SHARDNUMSUB"),
      { ...cmd(1, "SUBSCRIBE", "news.a", "news.b", "other"), frames: 3 },
      cmd(2, "SUBSCRIBE", "news.a"),
      { ...cmd(2, "PSUBSCRIBE", "news.*", "x"), frames: 2 },
      cmd(1, "PSUBSCRIBE", "news.*"),
      { ...cmd(2, "SSUBSCRIBE", "sh1", "sh2"), frames: 2 },
      { ...cmd(0, "PUBSUB", "CHANNELS"), sorted: true },
      { ...cmd(0, "PUBSUB", "CHANNELS", "news.*"), sorted: true },
      cmd(0, "PUBSUB", "CHANNELS", "nothing*"),
      cmd(0, "pubsub", "channels", "oth?r"),
      cmd(0, "PUBSUB", "NUMSUB", "news.a", "news.b", "none", "news.*"),
      cmd(0, "PUBSUB", "NUMPAT"),
      { ...cmd(0, "PUBSUB", "SHARDCHANNELS"), sorted: true },
      cmd(0, "PUBSUB", "SHARDCHANNELS", "*2"),
      cmd(0, "PUBSUB", "SHARDNUMSUB", "sh1", "news.a"),
      cmd(0, "PUBSUB", "HELP"),
      cmd(0, "pubsub", "help"),
      cmd(0, "PUBSUB"),
      cmd(0, "PUBSUB", "NOPE"),
      cmd(0, "PUBSUB", "CHANNELS", "a", "b"),
      cmd(0, "PUBSUB", "ShardChannels", "a", "b"),
      cmd(0, "PUBSUB", "NUMPAT", "x"),
      cmd(0, "PUBSUB", "HELP", "x"),
      cmd(1, "UNSUBSCRIBE", "other"),
      cmd(0, "PUBSUB", "CHANNELS", "other"),
      { ...cmd(2, "PUNSUBSCRIBE"), frames: 2, unsubscribeAll: true },
      cmd(0, "PUBSUB", "NUMPAT"),
    ]);
  },
});

Deno.test({
  name: "SUBSCRIBE inside MULTI runs at EXEC, SSUBSCRIBE there is refused, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(1, "MULTI"),
      cmd(1, "SUBSCRIBE", "a", "b"),
      cmd(1, "SSUBSCRIBE", "s"),
      cmd(1, "PSUBSCRIBE", "p*"),
      cmd(1, "PING"),
      // EXEC's array counts 4 replies, SUBSCRIBE's being two frames: PING's pong comes after.
      cmd(1, "EXEC"),
      { on: 1, read: 1 },
      cmd(0, "PUBLISH", "a", "after exec"),
      { on: 1, read: 1 },
      cmd(1, "PING"),
    ]);
  },
});

Deno.test({
  name: "a RESP2 subscriber may run only (un)subscribe, PING, QUIT and RESET, as Redis says",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(1, "SUBSCRIBE", "a"),
      cmd(1, "GET", "k"),
      cmd(1, "get"),
      cmd(1, "NOSUCHCOMMAND"),
      cmd(1, "CONFIG", "GET", "x"),
      cmd(1, "CONFIG", "NOPE"),
      cmd(1, "PUBLISH", "a", "b"),
      cmd(1, "PUBSUB", "NUMSUB"),
      cmd(1, "MULTI"),
      cmd(1, "SSUBSCRIBE", "s"),
      cmd(1, "UNSUBSCRIBE", "a"),
      cmd(1, "GET", "k"),
      cmd(1, "SUNSUBSCRIBE"),
      cmd(1, "GET", "k"),
      cmd(1, "PSUBSCRIBE", "p"),
      cmd(1, "ECHO", "x"),
      cmd(1, "RESET"),
      cmd(1, "GET", "k"),
      cmd(0, "PUBLISH", "p", "nobody after RESET"),
      cmd(1, "SUBSCRIBE", "q"),
      cmd(1, "QUIT"),
    ]);
  },
});

Deno.test({
  name: "keyspace notifications reach pattern subscribers as in Redis",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      cmd(0, "CONFIG", "SET", "notify-keyspace-events", "KEA"),
      cmd(1, "PSUBSCRIBE", "__key*__:*"),
      cmd(0, "SET", "foo", "bar"),
      { on: 1, read: 2 },
      cmd(0, "LPUSH", "list", "a", "b"),
      { on: 1, read: 2 },
      cmd(0, "DEL", "foo", "list"),
      { on: 1, read: 4 },
    ]);
  },
});

/** Waits (bounded) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(10);
  }
}

async function numsub(session: RawSession, channel: string): Promise<string> {
  return await session.command("PUBSUB", "NUMSUB", channel);
}

Deno.test("messages arrive in publish order and byte for byte under a pipelined flood", async () => {
  await using server = await startMiniredis();
  await using pub = await RawSession.open(server.port);
  const subs = [await RawSession.open(server.port), await RawSession.open(server.port)];
  try {
    await subs[0]!.command("SUBSCRIBE", "flood");
    await subs[1]!.command("HELLO", "3");
    await subs[1]!.command("SUBSCRIBE", "flood");
    const count = 2000;
    let pipeline = "";
    let expected2 = "";
    let expected3 = "";
    for (let i = 0; i < count; i++) {
      // Every byte value, and frame-like text, inside the messages.
      const message = `${i}:` + String.fromCharCode(i % 256, (i * 7) % 256) + "\r\n*3\r\n";
      pipeline += encodeCommand(["PUBLISH", "flood", message]);
      const body = `$7\r\nmessage\r\n$5\r\nflood\r\n$${message.length}\r\n${message}\r\n`;
      expected2 += `*3\r\n${body}`;
      expected3 += `>3\r\n${body}`;
    }
    await pub.write(pipeline);
    assertEquals(await pub.read(count), ":2\r\n".repeat(count));
    assertEquals(await subs[0]!.read(count), expected2);
    assertEquals(await subs[1]!.read(count), expected3);
  } finally {
    for (const s of subs) s.close();
  }
});

Deno.test("a client that disconnects, is killed or QUITs loses its subscriptions", async () => {
  await using server: Server = await startMiniredis();
  await using admin = await RawSession.open(server.port);
  const a = await RawSession.open(server.port);
  await a.command("SUBSCRIBE", "c");
  await a.command("PSUBSCRIBE", "p*");
  assertEquals(await numsub(admin, "c"), "*2\r\n$1\r\nc\r\n:1\r\n");
  a.close();
  await eventually(async () => (await numsub(admin, "c")).endsWith(":0\r\n"), "a has gone");
  assertEquals(await admin.command("PUBSUB", "NUMPAT"), ":0\r\n");
  assertEquals(await admin.command("PUBLISH", "c", "x"), ":0\r\n");

  await using b = await RawSession.open(server.port);
  await b.command("HELLO", "3");
  await b.command("SSUBSCRIBE", "s");
  const id = (await b.command("CLIENT", "ID")).slice(1, -2);
  // In one batch: the publish right after the kill already finds no subscriber.
  await admin.write(
    encodeCommand(["CLIENT", "KILL", "ID", id]) + encodeCommand(["SPUBLISH", "s", "x"]),
  );
  assertEquals(await admin.read(2), ":1\r\n:0\r\n");
  assert(await b.closedByPeer(), "killed client not closed");

  await using c = await RawSession.open(server.port);
  await c.command("SUBSCRIBE", "q");
  // QUIT right behind a flood: its +OK is the last thing sent, no message after it.
  await admin.write(
    encodeCommand(["PUBLISH", "q", "before"]) + encodeCommand(["PUBLISH", "q", "before"]),
  );
  await admin.read(2);
  await c.read(2);
  assertEquals(await c.command("QUIT"), "+OK\r\n");
  assertEquals(await admin.command("PUBLISH", "q", "after"), ":0\r\n");
  assert(await c.closedByPeer(), "QUIT did not close");
});

Deno.test("a subscribed client is not closed by the idle timeout, as in Redis", async () => {
  await using server = await startMiniredis();
  await using admin = await RawSession.open(server.port);
  await using idle = await RawSession.open(server.port);
  await using subscriber = await RawSession.open(server.port);
  assertEquals(await idle.command("PING"), "+PONG\r\n");
  await subscriber.command("SUBSCRIBE", "quiet");
  assertEquals(await admin.command("CONFIG", "SET", "timeout", "1"), "+OK\r\n");
  // Idle for more than the timeout (counted in whole seconds): the plain client goes.
  assert(await idle.closedByPeer(3500), "the idle client was not closed");
  assertEquals(await subscriber.command("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  // (The admin connection was idle too, and is gone.)
  await using publisher = await RawSession.open(server.port);
  assertEquals(await publisher.command("PUBLISH", "quiet", "still here"), ":1\r\n");
});
