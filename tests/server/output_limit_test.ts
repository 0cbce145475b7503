/**
 * client-output-buffer-limit: its parsing, validation and CONFIG GET text compared with a real
 * redis-server 7.0, and its effect: a subscriber that stops reading while a publisher floods is
 * closed once its pending output passes the pubsub class's hard limit (or stays over the soft
 * limit too long), with Redis's log line, while the publisher and the other subscribers carry
 * on and the server's memory for it stays bounded; a normal client whose reply is over the
 * normal class's limit is closed as Redis closes it.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  RawSession,
  type ScriptStep,
  sleep,
  startMiniredis,
} from "../_util.ts";
import type { Server } from "../../src/server/server.ts";

/** CONFIG SET of the limits, then CONFIG GET of them. */
function setAndGet(value: string): ScriptStep[] {
  return [
    ["CONFIG", "SET", "client-output-buffer-limit", value],
    ["CONFIG", "GET", "client-output-buffer-limit"],
  ];
}

Deno.test({
  name: "client-output-buffer-limit is parsed, refused and written back as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "GET", "client-output-buffer-limit"],
      ...[
        "",
        "normal 1 2 3",
        "pubsub 1mb 2kb 5",
        "replica 10gb 1g 0",
        "slave 1 1 1",
        "master 1 1 1",
        "foo 1 1 1",
        "normal 1 2",
        "normal  1 2 3",
        " ",
        "normal 1 2 -1",
        "normal -1 2 3",
        "normal 1x 2 3",
        "normal 1B 2b 3",
        "normal 1 2 +3",
        "normal 1 2 \t3",
        "NORMAL 1 2 3",
        "normal mb 1 1",
        "normal 1 1 ",
        "normal 1 1 -",
        "normal 1 1 4294967296",
        "normal 1 1 2147483648",
        "normal 1 1 9223372036854775807",
        "normal 1 1 9223372036854775808",
        "normal 18446744073709551615 1 1",
        "normal 18446744073709551616 1 1",
        "normal 18446744073709551615kb 1 1",
        "normal 1 1 1 pubsub 2 2 2 normal 3 3 3",
        "normal 1 1 1 foo 2 2 2",
        "normal 0x10 1 1",
        "normal 1 1 0x1",
        "normal 1 1 1.5",
        "normal 1k 1K 1",
        "normal 1 1 1 pubsub 1 1",
        "pubsub 32mb 8mb 60 normal 0 0 0 slave 256mb 64mb 60",
      ].flatMap(setAndGet),
      ["CONFIG", "SET", "client-output-buffer-limit", "normal 5 5 5", "maxmemory", "x"],
      ["CONFIG", "GET", "client-output-buffer-limit"],
    ]);
  },
});

Deno.test({
  name: "client-output-buffer-limit given at start-up changes only the classes it names",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([["CONFIG", "GET", "client-output-buffer-limit"]], {
      ours: { config: { "client-output-buffer-limit": "pubsub 1mb 512kb 10" } },
      redisArgs: ["--client-output-buffer-limit", "pubsub 1mb 512kb 10"],
    });
  },
});

Deno.test({
  name: "a normal client whose reply is over the normal class's limit is closed, as in Redis",
  ignore: needsRedis(),
  async fn() {
    const push: ScriptStep[] = [];
    for (let i = 0; i < 20; i++) {
      push.push(["RPUSH", "L", ...Array.from({ length: 1000 }, (_, j) => `${i * 1000 + j}`)]);
    }
    const mine = await assertSameAsRedis([
      ["CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0"],
      ...push,
      ["LRANGE", "L", "0", "99"],
      // About 170 KB: the connection is closed without a reply.
      ["LRANGE", "L", "0", "-1"],
    ]);
    assertEquals(mine.at(-1), "");
  },
});

/** Our server's client whose remote port is `port`. */
function clientAt(server: Server, port: number) {
  for (const client of server.clients()) {
    if (client.addr.endsWith(`:${port}`)) return client;
  }
  return undefined;
}

/** Reads from `conn` until the server closes it; the bytes read, or -1 if it stays open. */
async function drainUntilClosed(conn: Deno.Conn, timeoutMs: number): Promise<number> {
  const buf = new Uint8Array(256 * 1024);
  let total = 0;
  const deadline = Date.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return -1;
      const n = await Promise.race([
        conn.read(buf).catch(() => null),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), remaining))),
      ]);
      clearTimeout(timer);
      if (n === "timeout") return -1;
      if (n === null) return total;
      total += n;
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A subscriber connection that never reads: SUBSCRIBE (after HELLO 3 for RESP3) is sent and
 * its replies are left in the socket.
 */
async function stalledSubscriber(port: number, version: 2 | 3): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const hello = version === 3 ? encodeCommand(["HELLO", "3"]) : "";
  await conn.write(new TextEncoder().encode(hello + encodeCommand(["SUBSCRIBE", "flood"])));
  return conn;
}

async function waitForSubscribers(admin: RawSession, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while ((await admin.command("PUBSUB", "NUMSUB", "flood")) !== `*2\r\n$5\r\nflood\r\n:${n}\r\n`) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${n} subscribers`);
    await sleep(5);
  }
}

for (const version of [2, 3] as const) {
  Deno.test(
    `a RESP${version} subscriber that stops reading is closed at the pubsub hard limit, ` +
      "and the publisher and other subscribers carry on",
    async () => {
      const log: string[] = [];
      await using server = await startMiniredis({ logSink: (line) => log.push(line) });
      await using pub = await RawSession.open(server.port);
      await using fast = await RawSession.open(server.port);
      const slow = await stalledSubscriber(server.port, version);
      try {
        assertEquals(
          await fast.command("SUBSCRIBE", "flood"),
          "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n",
        );
        await pub.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0");
        await waitForSubscribers(pub, 2);
        const slowClient = clientAt(server, (slow.localAddr as Deno.NetAddr).port)!;
        assert(slowClient !== undefined, "the slow subscriber is not listed");

        // 400 messages of 64 KiB: far more than the socket buffers and the limit together.
        const count = 400;
        const payload = "x".repeat(64 * 1024);
        const replies: string[] = [];
        let maxPending = 0;
        for (let i = 0; i < count; i++) {
          const message = `${String(i).padStart(4, "0")}${payload}`;
          await pub.write(encodeCommand(["PUBLISH", "flood", message]));
          replies.push(await pub.read(1));
          maxPending = Math.max(maxPending, slowClient.pendingOutputBytes);
          const frame = await fast.read(1);
          assert(
            frame.endsWith(`$${message.length}\r\n${message}\r\n`),
            `message ${i} out of order`,
          );
        }
        // Two receivers until the slow one was closed, then one for good.
        const dropped = replies.indexOf(":1\r\n");
        assert(dropped > 0, `the slow subscriber was never closed: ${replies.slice(-1)}`);
        assertEquals(replies.slice(0, dropped), Array(dropped).fill(":2\r\n"));
        assertEquals(replies.slice(dropped), Array(count - dropped).fill(":1\r\n"));
        // What the server held for it stayed within the limit (past Redis's 16 KiB reply buffer)
        // and one more message.
        const bound = 1024 * 1024 + 16 * 1024 + 64 * 1024 + 64;
        assert(maxPending <= bound, `pending output grew to ${maxPending}`);
        assert(slowClient.pendingOutputBytes === 0, "the closed client still holds output");

        const line = log.find((l) => l.includes("for overcoming of output buffer limits"));
        assert(line !== undefined, "no log line for the closed client");
        assert(
          line.includes(`# Client id=${slowClient.id} addr=`) &&
            line.endsWith(" scheduled to be closed ASAP for overcoming of output buffer limits."),
          line,
        );
        // The slow subscriber finds its connection closed once it reads what was sent.
        const received = await drainUntilClosed(slow, 3000);
        assert(received >= 0, "the slow subscriber's connection stayed open");
        assert(received < count * payload.length, "the slow subscriber received everything");
        assertEquals(
          await pub.command("PUBSUB", "NUMSUB", "flood"),
          "*2\r\n$5\r\nflood\r\n:1\r\n",
        );
        assertEquals(await fast.command("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
      } finally {
        slow.close();
      }
    },
  );
}

Deno.test("a subscriber over the soft limit for longer than its seconds is closed", async () => {
  const log: string[] = [];
  await using server = await startMiniredis({ logSink: (line) => log.push(line) });
  await using pub = await RawSession.open(server.port);
  const slow = await stalledSubscriber(server.port, 2);
  try {
    await pub.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1");
    await waitForSubscribers(pub, 1);
    const slowClient = clientAt(server, (slow.localAddr as Deno.NetAddr).port)!;
    const payload = "y".repeat(64 * 1024);
    // Publish until the output waiting for the slow subscriber is over the soft limit.
    for (let i = 0; slowClient.pendingOutputBytes < 256 * 1024; i++) {
      assert(i < 1000, "the output never passed the soft limit");
      assertEquals(await pub.command("PUBLISH", "flood", payload), ":1\r\n");
    }
    // Over the soft limit, but not for long yet: still subscribed.
    assertEquals(await pub.command("PUBLISH", "flood", payload), ":1\r\n");
    const started = Date.now();
    await waitForSubscribers(pub, 0);
    const waited = Date.now() - started;
    assert(waited >= 500 && waited <= 2500, `closed after ${waited} ms`);
    assert(
      log.some((l) => l.endsWith(" closed for overcoming of output buffer limits.")),
      "no log line for the closed client",
    );
    assert((await drainUntilClosed(slow, 3000)) >= 0, "the connection stayed open");
  } finally {
    slow.close();
  }
});
