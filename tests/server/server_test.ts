/**
 * The server's life cycle and its limits: starting on a free port, stopping with `close()`,
 * `await using` and SHUTDOWN, many clients at once, maxclients, the databases option and log
 * lines in redis-server's format.
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  freePort,
  needsRedis,
  parseReply,
  RawSession,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { Server } from "../../src/server/server.ts";
import { Logger } from "../../src/server/log.ts";

/** Whether a TCP connection to 127.0.0.1:port is refused. */
async function refused(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.ConnectionRefused;
  }
}

/** Waits until `condition` holds, for at most `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Redis's log line: `pid:M 05 Jan 2026 07:08:09.010 * message`. */
const LOG_LINE = /^(\d+):M \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} ([.\-*#]) (.+)$/;

Deno.test({
  name: "a server started on port 0 listens on a free port until close() stops it",
  async fn() {
    const server = new Server({ port: 0, logSink: () => {} });
    await server.start();
    assert(server.port > 0, `port is ${server.port}`);
    await using session = await RawSession.open(server.port);
    assertEquals(await session.command("PING"), "+PONG\r\n");
    assertEquals(
      await session.command("CONFIG", "GET", "port"),
      `*2\r\n$4\r\nport\r\n$${String(server.port).length}\r\n${server.port}\r\n`,
    );
    await server.close();
    assert(await session.closedByPeer(), "the open connection survives close()");
    assert(await refused(server.port), "the port still accepts connections");
  },
});

Deno.test({
  name: "two servers on port 0 get different ports and separate data",
  async fn() {
    await using a = await startMiniredis();
    await using b = await startMiniredis();
    assert(a.port !== b.port, "both servers got the same port");
    await using sa = await RawSession.open(a.port);
    await using sb = await RawSession.open(b.port);
    await sa.command("SET", "k", "a");
    assertEquals(await sb.command("GET", "k"), "$-1\r\n");
  },
});

Deno.test({
  name: "await using closes the server at the end of the block",
  async fn() {
    let port = 0;
    let finished: Promise<void> | undefined;
    {
      await using server = await startMiniredis();
      port = server.port;
      finished = server.finished;
      await using session = await RawSession.open(port);
      assertEquals(await session.command("PING"), "+PONG\r\n");
    }
    await finished;
    assert(await refused(port), "the server still listens after its block ended");
  },
});

Deno.test({
  name: "a server that cannot bind its port rejects start() and logs why",
  async fn() {
    await using first = await startMiniredis();
    const lines: string[] = [];
    const second = new Server({ port: first.port, logSink: (l) => lines.push(l) });
    let failed = false;
    try {
      await second.start();
    } catch (error) {
      failed = error instanceof Deno.errors.AddrInUse;
    }
    assert(failed, "start() on a busy port did not reject with AddrInUse");
    assert(
      lines.some((l) => l.includes(`Failed listening on port ${first.port} (tcp), aborting`)),
      lines.join("\n"),
    );
  },
});

Deno.test({
  name: "50 concurrent clients doing 100 INCRs each count to 5000",
  async fn() {
    await using server = await startMiniredis();
    const worker = async () => {
      await using session = await RawSession.open(server.port);
      for (let i = 0; i < 100; i++) {
        const reply = await session.command("INCR", "counter");
        assert(reply.startsWith(":"), reply);
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    await using check = await RawSession.open(server.port);
    assertEquals(await check.command("GET", "counter"), "$4\r\n5000\r\n");
  },
});

Deno.test({
  name: "50 concurrent clients pipelining their INCRs count to 5000 too",
  async fn() {
    await using server = await startMiniredis();
    const worker = async () => {
      await using session = await RawSession.open(server.port);
      await session.write(encodeCommand(["INCR", "counter"]).repeat(100));
      await session.read(100);
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    await using check = await RawSession.open(server.port);
    assertEquals(await check.command("GET", "counter"), "$4\r\n5000\r\n");
  },
});

Deno.test({
  name: "SHUTDOWN closes every client, stops listening and resolves finished",
  async fn() {
    const lines: string[] = [];
    const server = await startMiniredis({ logSink: (l) => lines.push(l) });
    await using bystander = await RawSession.open(server.port);
    await using caller = await RawSession.open(server.port);
    assertEquals(await bystander.command("PING"), "+PONG\r\n");
    await caller.write(encodeCommand(["SHUTDOWN"]) + encodeCommand(["PING"]));
    // Redis sends no reply to a successful SHUTDOWN: the connection just ends.
    assertEquals(await caller.read(1, 2000), "");
    assert(await caller.closedByPeer(), "the caller's connection stays open");
    assert(await bystander.closedByPeer(), "another client's connection stays open");
    let resolved = false;
    await Promise.race([
      server.finished.then(() => (resolved = true)),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    assert(resolved, "finished did not resolve");
    assert(await refused(server.port), "the server still listens");
    assert(lines.some((l) => l.endsWith("# User requested shutdown...")), lines.join("\n"));
    await server.close();
  },
});

Deno.test({
  name: "SHUTDOWN with bad options answers Redis's errors and keeps serving",
  ignore: needsRedis(),
  async fn() {
    const script = async (port: number) => {
      await using session = await RawSession.open(port);
      return [
        await session.command("SHUTDOWN", "bogus"),
        await session.command("SHUTDOWN", "SAVE", "NOSAVE"),
        await session.command("SHUTDOWN", "ABORT"),
        await session.command("PING"),
      ];
    };
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    assertEquals(await script(ours.port), await script(real.port));
  },
});

Deno.test({
  name: "a connection over maxclients gets Redis's error and is closed, as Redis does",
  ignore: needsRedis(),
  async fn() {
    const scenario = async (port: number) => {
      await using a = await RawSession.open(port);
      await using b = await RawSession.open(port);
      assertEquals(await a.command("PING"), "+PONG\r\n");
      assertEquals(await b.command("PING"), "+PONG\r\n");
      await using c = await RawSession.open(port);
      const greeting = await c.read(1, 2000);
      const closed = await c.closedByPeer();
      a.close();
      // Once a client leaves, a new one is welcome.
      let welcome = "";
      for (let attempt = 0; attempt < 50 && welcome !== "+PONG\r\n"; attempt++) {
        await using d = await RawSession.open(port);
        await d.write(encodeCommand(["PING"]));
        welcome = await d.read(1, 1000);
        if (welcome !== "+PONG\r\n") await new Promise((r) => setTimeout(r, 20));
      }
      return [greeting, closed, welcome];
    };
    await using ours = await startMiniredis({ config: { maxclients: "2" } });
    await using real = await startRealRedis(["--maxclients", "2"]);
    const mine = await scenario(ours.port);
    assertEquals(mine, await scenario(real.port));
    assertEquals(mine, ["-ERR max number of clients reached\r\n", true, "+PONG\r\n"]);
  },
});

Deno.test({
  name: "a rejected connection counts in INFO's rejected_connections",
  async fn() {
    await using server = await startMiniredis({ config: { maxclients: "1" } });
    await using first = await RawSession.open(server.port);
    assertEquals(await first.command("PING"), "+PONG\r\n");
    await using second = await RawSession.open(server.port);
    assertEquals(await second.read(1), "-ERR max number of clients reached\r\n");
    const info = parseReply(await first.command("INFO", "stats")) as string;
    assert(info.includes("rejected_connections:1\r\n"), info);
  },
});

Deno.test({
  name: "the databases option sets how many databases SELECT accepts",
  async fn() {
    await using server = await startMiniredis({ databases: 4 });
    await using session = await RawSession.open(server.port);
    assertEquals(await session.command("SELECT", "3"), "+OK\r\n");
    assertEquals(await session.command("SELECT", "4"), "-ERR DB index is out of range\r\n");
    assertEquals(
      await session.command("CONFIG", "GET", "databases"),
      "*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n",
    );
    assertEquals(await session.command("SWAPDB", "0", "4"), "-ERR DB index is out of range\r\n");
  },
});

Deno.test({
  name: "an invalid number of databases is refused when the server is made",
  fn() {
    for (const databases of [0, -1]) {
      let error: unknown;
      try {
        new Server({ port: 0, databases, logSink: () => {} });
      } catch (e) {
        error = e;
      }
      assert(error instanceof Error, `databases ${databases} was accepted`);
    }
  },
});

Deno.test({
  name: "log lines have redis-server's format: pid, role, time, level mark, message",
  async fn() {
    const lines: string[] = [];
    {
      await using server = await startMiniredis({
        loglevel: "notice",
        logSink: (line) => lines.push(line),
      });
      await using session = await RawSession.open(server.port);
      await session.command("PING");
    }
    assert(lines.length > 0, "nothing was logged");
    for (const line of lines) {
      const m = LOG_LINE.exec(line);
      assert(m !== null, `not a Redis log line: ${JSON.stringify(line)}`);
      assertEquals(m[1], String(Deno.pid));
    }
    const messages = lines.map((l) => LOG_LINE.exec(l)![3]);
    assert(messages.includes("Ready to accept connections tcp"), messages.join("\n"));
    assert(lines.some((l) => / \* Server initialized$/.test(l)), "notice lines use '*'");
  },
});

Deno.test({
  name: "the logger pads the day of the month to two digits, as strftime's %d does",
  fn() {
    const lines: string[] = [];
    const RealDate = Date;
    const fixed = new RealDate(2026, 0, 5, 7, 8, 9, 10).getTime();
    // `new Date()` is the fixed moment; the logger takes its time from it.
    class FixedDate extends RealDate {
      constructor(value?: number | string) {
        super(value ?? fixed);
      }
    }
    globalThis.Date = FixedDate as DateConstructor;
    try {
      const logger = new Logger("debug", (line) => lines.push(line));
      logger.log("debug", "a");
      logger.log("verbose", "b");
      logger.log("notice", "c");
      logger.log("warning", "d");
    } finally {
      globalThis.Date = RealDate;
    }
    const stamp = `${Deno.pid}:M 05 Jan 2026 07:08:09.010`;
    assertEquals(lines, [`${stamp} . a`, `${stamp} - b`, `${stamp} * c`, `${stamp} # d`]);
  },
});

Deno.test({
  name: "loglevel filters log lines, and CONFIG SET loglevel changes it at once",
  async fn() {
    const lines: string[] = [];
    await using server = await startMiniredis({
      loglevel: "warning",
      logSink: (line) => lines.push(line),
    });
    assertEquals(lines.filter((l) => !/ # /.test(l)), [], "only warnings at level warning");
    await using session = await RawSession.open(server.port);
    assertEquals(await session.command("CONFIG", "SET", "loglevel", "verbose"), "+OK\r\n");
    await using other = await RawSession.open(server.port);
    await other.command("PING");
    const accepted = await eventually(() =>
      lines.some((l) => / - Accepted 127\.0\.0\.1:\d+$/.test(l))
    );
    assert(accepted, `no verbose 'Accepted' line in:\n${lines.join("\n")}`);
  },
});

Deno.test({
  name: "a protocol error is logged at verbose level with the client's address",
  async fn() {
    const lines: string[] = [];
    await using server = await startMiniredis({
      loglevel: "verbose",
      logSink: (line) => lines.push(line),
    });
    await using session = await RawSession.open(server.port);
    await session.write("*x\r\n");
    await session.read(1);
    const logged = await eventually(() =>
      lines.some((l) => / - Protocol error \(.*invalid multibulk length\) from client: /.test(l))
    );
    assert(logged, lines.join("\n"));
  },
});

Deno.test("CONFIG SET port moves the server to the new port and keeps connected clients", async () => {
  await using server = await startMiniredis();
  const oldPort = server.port;
  const newPort = freePort();
  await using session = await RawSession.open(oldPort);
  assertEquals(await session.command("CONFIG", "SET", "port", String(newPort)), "+OK\r\n");
  assertEquals(await session.command("PING"), "+PONG\r\n"); // the existing connection stays
  assertEquals(server.port, newPort);
  await using moved = await RawSession.open(newPort);
  assertEquals(
    await moved.command("CONFIG", "GET", "port"),
    `*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`,
  );
  let refused = false;
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port: oldPort })).close();
  } catch {
    refused = true;
  }
  assert(refused, "the old port should no longer accept connections");
});

Deno.test({
  name:
    "CONFIG SET port and bind refuse what cannot be bound with Redis's errors, changing nothing",
  ignore: needsRedis(),
  async fn() {
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const busyPort = String((busy.addr as Deno.NetAddr).port);
    try {
      const script = [
        ["CONFIG", "SET", "port", busyPort],
        ["CONFIG", "SET", "bind", "192.0.2.1"],
        ["PING"],
      ];
      await using ours = await startMiniredis();
      await using real = await startRealRedis();
      for (const port of [ours.port, real.port]) {
        await using session = await RawSession.open(port);
        const replies: string[] = [];
        for (const step of script) replies.push(await session.command(...step));
        assertEquals(replies, [
          "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
          "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
          "+PONG\r\n",
        ]);
        assertEquals(
          parseReply(await session.command("CONFIG", "GET", "port")),
          ["port", String(port)],
        );
      }
    } finally {
      busy.close();
    }
  },
});

const RESET_CONNECTIONS = `
import socket, struct, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
`;

async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", { args: ["-c", "1"] }).output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "connections reset before they are accepted do not stop the server accepting others",
  ignore: !(await hasPython()),
  async fn() {
    await using server = await startMiniredis();
    const reset = await new Deno.Command("python3", {
      args: ["-c", RESET_CONNECTIONS, String(server.port), "300"],
    }).output();
    assert(reset.success, new TextDecoder().decode(reset.stderr));
    await using session = await RawSession.open(server.port);
    assertEquals(await session.command("PING"), "+PONG\r\n");
  },
});

Deno.test({
  name: "CONFIG SET refuses memory values below Redis's floors with Redis's texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "SET", "proto-max-bulk-len", "10"],
      ["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
      ["CONFIG", "GET", "proto-max-bulk-len"],
      ["CONFIG", "SET", "client-query-buffer-limit", "1"],
      ["CONFIG", "SET", "repl-backlog-size", "0"],
      ["CONFIG", "SET", "active-defrag-ignore-bytes", "0"],
      ["CONFIG", "SET", "maxmemory", "-1"],
      ["CONFIG", "SET", "maxmemory", "0"],
    ]);
  },
});
