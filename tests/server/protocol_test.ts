/**
 * The wire under stress: malformed input (answered and closed exactly as Redis does, on that
 * connection only), inline commands, long pipelines, clients that stall or vanish mid-request,
 * announced-but-unsent bulk strings, and the typed RESP3 arguments the tutorial's clients send.
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import type { ServerOptions } from "../../src/server/server.ts";

/** Redis's limit on an inline request or a `*`/`$` header line. */
const INLINE_MAX = 64 * 1024;

/**
 * Sends `garbage` on one connection while another connection holds data, and reports what the
 * offender got, whether it was closed, and what the bystander then sees.
 */
async function garbageScenario(port: number, garbage: string): Promise<unknown[]> {
  await using bystander = await RawSession.open(port);
  await using offender = await RawSession.open(port);
  const observed: unknown[] = [];
  observed.push(await bystander.command("SET", "survivor", "intact"));
  observed.push(await offender.command("SET", "written-before", "yes"));
  await offender.write(garbage);
  observed.push(await offender.read(1, 3000));
  observed.push(await offender.closedByPeer());
  observed.push(await bystander.command("GET", "survivor"));
  observed.push(await bystander.command("GET", "written-before"));
  observed.push(await bystander.command("PING"));
  return observed;
}

/** Runs `garbageScenario` on our server and real Redis and asserts the same observations. */
async function assertGarbageHandledAsRedis(garbage: string, reply: string): Promise<void> {
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  const mine = await garbageScenario(ours.port, garbage);
  const theirs = await garbageScenario(real.port, garbage);
  assertEquals(mine, theirs);
  assertEquals(mine, [
    "+OK\r\n",
    "+OK\r\n",
    reply,
    true,
    "$6\r\nintact\r\n",
    "$3\r\nyes\r\n",
    "+PONG\r\n",
  ]);
}

// Each malformed input ends exactly where the server stops reading, so that the connection is
// closed with nothing unread (an unread byte would turn the close into a reset).
const protocolErrors: [string, string, string][] = [
  ["a non-numeric multibulk length", "*abc\r\n", "invalid multibulk length"],
  ["a multibulk length over 2^31", "*2147483648\r\n", "invalid multibulk length"],
  ["a non-numeric bulk length", "*1\r\n$abc\r\n", "invalid bulk length"],
  ["a negative bulk length", "*1\r\n$-2\r\n", "invalid bulk length"],
  ["a bulk length over proto-max-bulk-len", "*1\r\n$536870913\r\n", "invalid bulk length"],
  [
    "an inline request with unbalanced double quotes",
    'SET "a b\r\n',
    "unbalanced quotes in request",
  ],
  ["an inline request with unbalanced single quotes", "SET 'a\r\n", "unbalanced quotes in request"],
  ["an inline request over 64 KiB", "A".repeat(INLINE_MAX + 1), "too big inline request"],
  [
    "a multibulk count line over 64 KiB",
    "*" + "1".repeat(INLINE_MAX + 1),
    "too big mbulk count string",
  ],
  [
    "a bulk count line over 64 KiB",
    "*1\r\n$" + "1".repeat(INLINE_MAX + 1),
    "too big bulk count string",
  ],
  ["an unknown type byte in an array", "*1\r\n@x\r\n", "expected '$', got '@'"],
  [
    "an unknown type byte after a valid argument",
    "*2\r\n$4\r\nECHO\r\n?x\r\n",
    "expected '$', got '?'",
  ],
];

for (const [what, garbage, error] of protocolErrors) {
  Deno.test({
    name: `${what} gets Redis's protocol error and closes only that connection`,
    ignore: needsRedis(),
    async fn() {
      await assertGarbageHandledAsRedis(garbage, `-ERR Protocol error: ${error}\r\n`);
    },
  });
}

Deno.test({
  name: "a header line of exactly 64 KiB + 1 bytes is refused as Redis refuses it",
  ignore: needsRedis(),
  async fn() {
    await assertGarbageHandledAsRedis(
      "*" + "1".repeat(INLINE_MAX),
      "-ERR Protocol error: too big mbulk count string\r\n",
    );
  },
});

Deno.test({
  name: "commands pipelined before garbage are answered before the protocol error",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { raw: "PING\r\n" + encodeCommand(["ECHO", "x"]) + "*x\r\n", replies: 3 },
    ]);
  },
});

Deno.test({
  name: "inline commands work telnet-style, with redis-cli's quoting rules",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { raw: "PING\r\n", replies: 1 },
      { raw: "PING\n", replies: 1 },
      { raw: "  ECHO   spaced   \r\n", replies: 1 },
      { raw: "\r\n\r\nPING\r\n", replies: 1 },
      { raw: `SET "a key" 'a value'\r\n`, replies: 1 },
      { raw: `GET "a key"\r\n`, replies: 1 },
      { raw: `SET esc "tab\\there\\nnl \\x41\\x00 \\"q\\""\r\n`, replies: 1 },
      ["GET", "esc"],
      { raw: `SET single 'it\\'s'\r\n`, replies: 1 },
      ["GET", "single"],
      { raw: `SET "" ''\r\n`, replies: 1 },
      ["GET", ""],
      { raw: "ECHO\r\n", replies: 1 },
      { raw: "NOSUCH a b\r\n", replies: 1 },
      {
        raw: "PING\r\nECHO one\r\n" + encodeCommand(["ECHO", "two"]) + "ECHO three\r\n",
        replies: 4,
      },
    ]);
  },
});

Deno.test({
  name: "a pipeline of 1000 commands in one write gets 1000 replies in order",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    let request = "";
    let expected = "";
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) {
        request += encodeCommand(["SET", `k${i}`, `v${i}`]);
        expected += "+OK\r\n";
      } else if (i % 3 === 1) {
        request += encodeCommand(["GET", `k${i - 1}`]);
        expected += `$${`v${i - 1}`.length}\r\nv${i - 1}\r\n`;
      } else {
        request += encodeCommand(["INCR", "counter"]);
        expected += `:${(i + 1) / 3}\r\n`;
      }
    }
    await session.write(request);
    assertEquals(await session.read(1000, 5000), expected);
  },
});

Deno.test({
  name: "a client that sends half a command and vanishes disturbs no one",
  async fn() {
    await using server = await startMiniredis();
    await using other = await RawSession.open(server.port);
    const quitter = await RawSession.open(server.port);
    await quitter.write("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$10\r\nonly");
    quitter.close();
    assertEquals(await other.command("PING"), "+PONG\r\n");
    assertEquals(await other.command("GET", "half"), "$-1\r\n");
    // The server forgets the vanished client.
    const deadline = Date.now() + 2000;
    let lines = 0;
    do {
      const list = parseReply(await other.command("CLIENT", "LIST")) as string;
      lines = list.split("\n").filter((l) => l !== "").length;
      if (lines !== 1) await new Promise((r) => setTimeout(r, 20));
    } while (lines !== 1 && Date.now() < deadline);
    assertEquals(lines, 1);
  },
});

Deno.test({
  name: "a huge bulk string announced but never sent is not allocated up front",
  async fn() {
    // Redis's default limit, stated so this test does not depend on our default.
    const options: ServerOptions = { config: { "proto-max-bulk-len": "512mb" } };
    await using server = await startMiniredis(options);
    await using other = await RawSession.open(server.port);
    await using greedy = await RawSession.open(server.port);
    const before = Deno.memoryUsage();
    await greedy.write("*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$500000000\r\n" + "x".repeat(100_000));
    assertEquals(await other.command("PING"), "+PONG\r\n");
    assertEquals(await other.command("SET", "k", "v"), "+OK\r\n");
    const after = Deno.memoryUsage();
    const grown = after.external + after.heapUsed - before.external - before.heapUsed;
    assert(grown < 50 * 1024 * 1024, `memory grew by ${grown} bytes`);
    const list = parseReply(await other.command("CLIENT", "LIST")) as string;
    const qbufs = [...list.matchAll(/qbuf=(\d+)/g)].map((m) => Number(m[1]));
    assert(Math.max(...qbufs) < 1024 * 1024, `query buffers ${qbufs}`);
    assertEquals(await other.command("GET", "huge"), "$-1\r\n");
  },
});

Deno.test({
  name: "proto-max-bulk-len set with CONFIG SET applies to the next request",
  ignore: needsRedis(),
  async fn() {
    const value = "v".repeat(1_500_000);
    await assertSameAsRedis([
      ["CONFIG", "SET", "proto-max-bulk-len", "2mb"],
      ["SET", "big", value],
      ["STRLEN", "big"],
      ["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
      ["CONFIG", "GET", "proto-max-bulk-len"],
      ["SET", "small", "v".repeat(1_000_000)],
      // Only the header: the server refuses the length before reading the body.
      { raw: "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1500000\r\n", replies: 1 },
    ]);
  },
});

Deno.test({
  name: "proto-max-bulk-len refuses the next too-long bulk string on our server and closes",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    assertEquals(await session.command("CONFIG", "SET", "proto-max-bulk-len", "1mb"), "+OK\r\n");
    await session.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n");
    assertEquals(await session.read(1), "-ERR Protocol error: invalid bulk length\r\n");
    assert(await session.closedByPeer(), "the connection stays open");
  },
});

Deno.test({
  name: "a client that never reads its replies does not block other clients",
  async fn() {
    await using server = await startMiniredis();
    await using other = await RawSession.open(server.port);
    const big = "b".repeat(512 * 1024);
    assertEquals(await other.command("SET", "big", big), "+OK\r\n");
    const sluggard = await RawSession.open(server.port);
    try {
      // 200 replies of 512 KiB: far more than socket buffers hold, and never read.
      await sluggard.write(encodeCommand(["GET", "big"]).repeat(200));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      for (let i = 0; i < 20; i++) {
        assertEquals(await other.command("INCR", "n"), `:${i + 1}\r\n`);
      }
      assertEquals(await other.command("STRLEN", "big"), `:${big.length}\r\n`);
      assert(Date.now() - started < 2000, "other clients were slowed down");
    } finally {
      sluggard.close();
    }
    assertEquals(await other.command("PING"), "+PONG\r\n");
  },
});

Deno.test({
  name: "typed RESP3 arguments are stored and GET returns them with their types",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const typed: [string, string][] = [
      ["int", ":1\r\n"],
      ["negative", ":-42\r\n"],
      ["map", "%1\r\n$1\r\nx\r\n*2\r\n:1\r\n$1\r\ny\r\n"],
      ["nested", "*2\r\n*1\r\n:5\r\n$1\r\nz\r\n"],
      ["empty", "*0\r\n"],
    ];
    for (const [key, value] of typed) {
      await session.write(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n${value}`);
      assertEquals(await session.read(1), "+OK\r\n", `SET ${key}`);
      assertEquals(await session.command("GET", key), value, `GET ${key}`);
    }
    // Nulls (`_` and `$-1`) store a value that reads back as null.
    for (const [key, value] of [["null3", "_\r\n"], ["null2", "$-1\r\n"]]) {
      await session.write(`*3\r\n$3\r\nSET\r\n$${key!.length}\r\n${key}\r\n${value}`);
      assertEquals(await session.read(1), "+OK\r\n");
      assertEquals(await session.command("EXISTS", key!), ":1\r\n");
      assertEquals(await session.command("GET", key!), "$-1\r\n");
    }
    assertEquals(
      await session.command("MGET", "int", "map", "nosuch"),
      "*3\r\n:1\r\n%1\r\n$1\r\nx\r\n*2\r\n:1\r\n$1\r\ny\r\n$-1\r\n",
    );
    // An integer argument is stored as a number, which INCR can use.
    assertEquals(await session.command("INCR", "int"), ":2\r\n");
    assertEquals(await session.command("GET", "int"), "$1\r\n2\r\n");
    // Under RESP3 the stored null is `_`.
    await session.command("HELLO", "3");
    assertEquals(await session.command("GET", "null3"), "_\r\n");
    assertEquals(await session.command("GET", "map"), typed[2]![1]);
  },
});

Deno.test({
  name: "a bulk string split across many writes is reassembled",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const value = "0123456789".repeat(5000);
    const request = encodeCommand(["SET", "split", value]);
    for (let i = 0; i < request.length; i += 7777) {
      await session.write(request.slice(i, i + 7777));
      await new Promise((r) => setTimeout(r, 1));
    }
    assertEquals(await session.read(1), "+OK\r\n");
    assertEquals(await session.command("STRLEN", "split"), `:${value.length}\r\n`);
  },
});

Deno.test({
  name: "binary keys and values with CRLF, NUL and high bytes round-trip as Redis does",
  ignore: needsRedis(),
  async fn() {
    const binary = "a\r\nb\x00c\xff\x80\r\n";
    await assertSameAsRedis([
      ["SET", binary, binary],
      ["GET", binary],
      ["STRLEN", binary],
      ["EXISTS", binary],
    ]);
  },
});

Deno.test({
  name: "a pipeline answered by our server matches Redis byte for byte",
  ignore: needsRedis(),
  async fn() {
    let raw = "";
    for (let i = 0; i < 50; i++) raw += encodeCommand(["INCR", "c"]) + encodeCommand(["GET", "c"]);
    await assertSameAsRedis([{ raw, replies: 100 }, ["GET", "c"]]);
  },
});

Deno.test("a client whose unfinished request outgrows client-query-buffer-limit is closed, others go on", async () => {
  await using server = await startMiniredis({ config: { "client-query-buffer-limit": "1mb" } });
  await using greedy = await RawSession.open(server.port);
  await using other = await RawSession.open(server.port);
  await greedy.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5000000\r\n");
  const chunk = "x".repeat(64 * 1024);
  try {
    for (let i = 0; i < 32; i++) await greedy.write(chunk);
  } catch {
    // the server may close the connection while we are still writing
  }
  assert(await greedy.closedByPeer(), "the greedy client should have been closed");
  assertEquals(await other.command("PING"), "+PONG\r\n");
  assertEquals(await other.command("EXISTS", "k"), ":0\r\n");
});

Deno.test({
  name: "before AUTH, with a password required, large requests get Redis's protocol errors",
  ignore: needsRedis(),
  async fn() {
    const options = {
      ours: { config: { requirepass: "pw" } },
      redisArgs: ["--requirepass", "pw"],
    };
    await assertSameAsRedis([{ raw: "*11\r\n", replies: 1 }], options);
    await assertSameAsRedis([{ raw: "*1\r\n$16385\r\n", replies: 1 }], options);
    // Small requests are fine, and AUTH pipelined before a large command lets it through.
    const big = "x".repeat(20000);
    await assertSameAsRedis([
      { raw: "*1\r\n$4\r\nPING\r\n", replies: 1 },
      { raw: encodeCommand(["AUTH", "pw"]) + encodeCommand(["SET", "k", big]), replies: 2 },
      ["STRLEN", "k"],
    ], options);
  },
});
