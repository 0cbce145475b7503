/**
 * Blocking list commands across connections. Each scenario opens several connections, sends a
 * blocking command raw (without waiting for its reply), acts on other connections, then reads
 * what the blocked one received; the same steps run against our server and a real
 * redis-server 7.0 and the two transcripts must match. Before acting on a blocked client the
 * scenario waits until the server reports it blocked (INFO clients), so the order of events is
 * the same on both servers. Times are checked as ranges, never as bytes.
 *
 * The last tests run on our server only: thousands of clients timing out together, and the
 * CPU an idle blocked client costs.
 *
 * @module
 */
import process from "node:process";
import { Client } from "../../src/server/client.ts";
import { dispatch } from "../../src/server/dispatch.ts";
import { Server } from "../../src/server/server.ts";
import {
  assert,
  assertEquals,
  encodeCommand,
  needsRedis,
  RawSession,
  sleep,
  startMiniredis,
} from "../_util.ts";
import { assertSameScenario } from "../_scenario.ts";

Deno.test({
  name: "every blocking list command times out on time with Redis's null in RESP2 and RESP3",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      const commands = [
        ["BLPOP", "k1", "k2", "0.1"],
        ["BRPOP", "k1", "0.1"],
        ["BRPOPLPUSH", "k1", "dst", "0.1"],
        ["BLMOVE", "k1", "dst", "LEFT", "RIGHT", "0.1"],
        ["BLMPOP", "0.1", "2", "k1", "k2", "LEFT", "COUNT", "2"],
      ];
      for (const [i, cmd] of commands.entries()) {
        await s.resp3(`resp3-${i}`);
        await s.send(`resp2-${i}`, ...cmd);
        await s.send(`resp3-${i}`, ...cmd);
      }
      await s.blocked(2 * commands.length);
      for (const [i] of commands.entries()) {
        await s.readTimed(`resp2-${i}`, 90, 1000);
        await s.readTimed(`resp3-${i}`, 90, 1000);
      }
      await s.blocked(0);
      // The connections go on normally afterwards.
      await s.call("resp2-0", "PING");
      await s.call("resp3-0", "EXISTS", "k1", "k2", "dst");
    });
  },
});

Deno.test({
  name: "a push from another client wakes each kind of blocked pop with its reply",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("blpop", "BLPOP", "a1", "a2", "0");
      await s.send("brpop", "BRPOP", "b", "0");
      await s.send("brpoplpush", "BRPOPLPUSH", "c", "c-dst", "0");
      await s.send("blmove", "BLMOVE", "d", "d-dst", "LEFT", "LEFT", "0");
      await s.send("blmpop", "BLMPOP", "0", "2", "e1", "e2", "RIGHT", "COUNT", "3");
      await s.resp3("blpop3");
      await s.send("blpop3", "BLPOP", "f", "0.3");
      await s.resp3("blmpop3");
      await s.send("blmpop3", "BLMPOP", "5", "1", "g", "LEFT");
      await s.blocked(7);
      await s.call("pusher", "RPUSH", "a2", "x", "y");
      await s.read("blpop");
      await s.call("pusher", "RPUSH", "b", "x", "y");
      await s.read("brpop");
      await s.call("pusher", "LPUSH", "c", "x", "y");
      await s.read("brpoplpush");
      await s.call("pusher", "RPUSH", "d", "x", "y");
      await s.read("blmove");
      await s.call("pusher", "RPUSH", "e2", "1", "2", "3", "4", "5");
      await s.read("blmpop");
      await s.call("pusher", "RPUSH", "f", "x");
      await s.read("blpop3");
      await s.call("pusher", "RPUSH", "g", "x", "y");
      await s.read("blmpop3");
      await s.blocked(0);
      for (const key of ["a2", "b", "c", "c-dst", "d", "d-dst", "e2", "f", "g"]) {
        await s.call("pusher", "LRANGE", key, "0", "-1");
      }
      // A client served before its timeout gets no timeout reply later.
      await sleep(350);
      await s.call("blpop3", "PING");
    });
  },
});

Deno.test({
  name: "clients blocked on one key are served first come first served",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      for (const [i, name] of ["a", "b", "c"].entries()) {
        await s.send(name, i === 1 ? "BRPOP" : "BLPOP", "k", "0");
        await s.blocked(i + 1);
      }
      await s.call("pusher", "RPUSH", "k", "1", "2", "3");
      await s.read("a");
      await s.read("b");
      await s.read("c");
      await s.call("pusher", "EXISTS", "k");
      // One push of two elements serves two of three clients; the third goes on waiting.
      for (const [i, name] of ["a", "b", "c"].entries()) {
        await s.send(name, "BLPOP", "k", "0");
        await s.blocked(i + 1);
      }
      await s.call("pusher", "RPUSH", "k", "x", "y");
      await s.read("a");
      await s.read("b");
      await s.blocked(1);
      await s.call("pusher", "LPUSH", "k", "z");
      await s.read("c");
      await s.blocked(0);
    });
  },
});

Deno.test({
  name: "a client blocked on several keys is served by the first key that gets data",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("a", "BLPOP", "k1", "k2", "k3", "0");
      await s.send("b", "BRPOP", "k3", "k2", "0");
      await s.blocked(2);
      await s.call("pusher", "RPUSH", "k3", "first", "second");
      await s.read("a");
      await s.read("b");
      // The keys it no longer waits on do not serve it again.
      await s.call("pusher", "RPUSH", "k1", "later");
      await s.call("a", "PING");
      await s.call("pusher", "LRANGE", "k1", "0", "-1");
      await s.send("a", "BLMPOP", "0", "3", "k4", "k5", "k6", "LEFT", "COUNT", "5");
      await s.blocked(1);
      await s.call("pusher", "RPUSH", "k6", "1", "2");
      await s.read("a");
      await s.blocked(0);
    });
  },
});

Deno.test({
  name: "a client blocks on keys of its own database, which MOVE and SWAPDB can bring",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.call("db1", "SELECT", "1");
      await s.send("db1", "BLPOP", "k", "0");
      await s.blocked(1);
      await s.call("db0", "RPUSH", "k", "in db 0");
      await s.blocked(1);
      await s.call("db0", "MOVE", "k", "1");
      await s.read("db1");
      await s.blocked(0);
      await s.send("db1", "BRPOP", "k2", "0");
      await s.blocked(1);
      await s.call("db0", "RPUSH", "k2", "a", "b");
      await s.call("db0", "SWAPDB", "0", "1");
      await s.read("db1");
      await s.blocked(0);
      await s.call("db0", "SELECT", "1");
      await s.call("db0", "LRANGE", "k2", "0", "-1");
      await s.call("db0", "FLUSHALL");
      // A key named twice is waited on once.
      await s.send("db0", "BLPOP", "k", "k", "0");
      await s.blocked(1);
      await s.call("db1", "RPUSH", "k", "1", "2");
      await s.read("db0");
      await s.call("db1", "LRANGE", "k", "0", "-1");
    });
  },
});

Deno.test({
  name: "a BLMOVE chain serves the next blocked client from its destination",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("a", "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
      await s.blocked(1);
      await s.send("b", "BLPOP", "dst", "0");
      await s.blocked(2);
      await s.send("c", "BRPOPLPUSH", "dst2", "src", "0");
      await s.blocked(3);
      await s.call("pusher", "RPUSH", "src", "x");
      await s.read("a");
      await s.read("b");
      await s.call("pusher", "EXISTS", "src", "dst");
      // Now through three hops: dst2 -> src -> dst.
      await s.send("a", "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
      await s.blocked(2);
      await s.send("b", "BLPOP", "dst", "0");
      await s.blocked(3);
      await s.call("pusher", "LPUSH", "dst2", "y");
      await s.read("c");
      await s.read("a");
      await s.read("b");
      await s.blocked(0);
      await s.call("pusher", "EXISTS", "src", "dst", "dst2");
      // A blocked rotation on one key.
      await s.send("a", "BLMOVE", "r", "r", "LEFT", "RIGHT", "0");
      await s.blocked(1);
      await s.send("b", "BLPOP", "r", "0");
      await s.blocked(2);
      await s.call("pusher", "RPUSH", "r", "1", "2");
      await s.read("a");
      await s.read("b");
      await s.call("pusher", "LRANGE", "r", "0", "-1");
    });
  },
});

Deno.test({
  name: "a blocked BLMOVE served onto a key of another type gets WRONGTYPE and moves nothing",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("a", "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
      await s.blocked(1);
      await s.send("b", "BRPOPLPUSH", "src", "dst", "0");
      await s.blocked(2);
      await s.send("c", "BLPOP", "src", "0");
      await s.blocked(3);
      await s.call("pusher", "SET", "dst", "string");
      await s.call("pusher", "RPUSH", "src", "x", "y");
      await s.read("a");
      await s.read("b");
      await s.read("c");
      await s.blocked(0);
      await s.call("pusher", "LRANGE", "src", "0", "-1");
      await s.call("pusher", "GET", "dst");
      await s.call("pusher", "INFO", "errorstats");
    });
  },
});

Deno.test({
  name: "a key stored with another type leaves the clients blocked until a list arrives",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("a", "BLPOP", "k", "0");
      await s.send("b", "BLMPOP", "0", "1", "k", "RIGHT");
      await s.blocked(2);
      await s.call("pusher", "SET", "k", "string");
      await s.blocked(2);
      await s.call("pusher", "DEL", "k");
      await s.call("pusher", "SADD", "k", "member");
      await s.blocked(2);
      await s.call("pusher", "DEL", "k");
      // A list that arrives by RENAME or by LMOVE serves them too.
      await s.call("pusher", "RPUSH", "tmp", "renamed");
      await s.call("pusher", "RENAME", "tmp", "k");
      await s.read("a");
      await s.blocked(1);
      await s.call("pusher", "RPUSH", "other", "moved");
      await s.call("pusher", "LMOVE", "other", "k", "LEFT", "LEFT");
      await s.read("b");
      await s.blocked(0);
      await s.call("pusher", "EXISTS", "k", "other", "tmp");
    });
  },
});

Deno.test({
  name: "a blocked client that disconnects is forgotten and loses no element",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("gone", "BLPOP", "k", "0");
      await s.blocked(1);
      await s.send("stays", "BRPOP", "k2", "k", "0");
      await s.blocked(2);
      s.close("gone");
      await s.blocked(1);
      await s.call("pusher", "RPUSH", "k", "1", "2");
      await s.read("stays");
      await s.blocked(0);
      await s.call("pusher", "LRANGE", "k", "0", "-1");
      // One with a timeout: its timer must find nobody to answer.
      await s.send("gone2", "BLMOVE", "k4", "dst", "LEFT", "LEFT", "0.2");
      await s.send("gone3", "BLPOP", "k3", "0");
      await s.blocked(2);
      s.close("gone2");
      s.close("gone3");
      await s.blocked(0);
      await s.call("pusher", "RPUSH", "k3", "x");
      await s.call("pusher", "LLEN", "k3");
      await sleep(250);
      await s.call("pusher", "RPUSH", "k4", "y");
      await s.call("pusher", "LLEN", "k4");
      await s.call("pusher", "EXISTS", "dst");
    });
  },
});

Deno.test({
  name: "a blocked client that sent more commands and then disconnects is forgotten too",
  // Fails on our server until server.ts's #pump goes on reading a blocked client's socket:
  // today it waits in writer.write() for the blocked consumer, so the hangup goes unseen, the
  // waiter stays, and the next push is popped for a dead client. Enable once that is fixed.
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.send("gone", "BLPOP", "k", "0");
      await s.blocked(1);
      await s.send("gone", "PING");
      await s.send("gone", "RPUSH", "k2", "never");
      await sleep(20);
      s.close("gone");
      await s.blocked(0);
      await s.call("pusher", "RPUSH", "k", "z");
      await s.call("pusher", "LRANGE", "k", "0", "-1");
      await s.call("pusher", "EXISTS", "k2");
    });
  },
});

Deno.test({
  name: "CLIENT LIST shows a blocked client with the b flag until it is served",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      /** The flags CLIENT LIST shows for the client named `name`. */
      const flagsOf = async (name: string) => {
        const reply = await s.call("observer", "CLIENT", "LIST");
        s.transcript.pop(); // the rest of the line differs (ids, addresses, ages)
        const line = reply.split("\n").find((l) => l.includes(` name=${name} `)) ?? "";
        s.transcript.push(`${name} ${/ flags=(\S*)/.exec(line)?.[1] ?? "missing"}`);
      };
      await s.call("waiter", "CLIENT", "SETNAME", "waiter");
      await s.call("observer", "CLIENT", "SETNAME", "observer");
      await flagsOf("waiter");
      await s.send("waiter", "BLPOP", "k", "0");
      await s.blocked(1);
      await flagsOf("waiter");
      await flagsOf("observer");
      await s.call("observer", "RPUSH", "k", "v");
      await s.read("waiter");
      await flagsOf("waiter");
    });
  },
});

Deno.test({
  name: "commands pipelined after a blocking command run only once it is served",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.pipeline(
        "a",
        ["BLPOP", "k", "0"],
        ["SET", "after", "1"],
        ["RPUSH", "k2", "from a"],
        ["GET", "after"],
      );
      await s.blocked(1);
      await s.call("b", "GET", "after");
      await s.call("b", "EXISTS", "k2");
      await s.blocked(1);
      await s.call("b", "RPUSH", "k", "v");
      await s.read("a", 4);
      await s.call("b", "GET", "after");
      await s.call("b", "LRANGE", "k2", "0", "-1");
      // A pipeline that blocks twice, timing out once, then being served.
      await s.pipeline(
        "a",
        ["BRPOP", "k", "0.1"],
        ["BLPOP", "k", "0"],
        ["PING"],
      );
      await s.readTimed("a", 90, 1000);
      await s.blocked(1);
      await s.call("b", "RPUSH", "k", "w");
      await s.read("a", 2);
      await s.blocked(0);
    });
  },
});

Deno.test({
  name: "2000 clients blocked with different timeouts all time out on time (our server)",
  async fn() {
    await using server = await startMiniredis();
    const n = 2000;
    const sessions = await Promise.all(
      Array.from({ length: n }, () => RawSession.open(server.port)),
    );
    try {
      // Timeouts from 400 to 890 ms, so that all are blocked before the first times out; 20
      // clients per key; keys k0..k9 then get one element each, which serves one client each.
      const timeoutMs = (i: number) => 400 + (i % 50) * 10;
      const sentAt: number[] = [];
      await Promise.all(sessions.map((session, i) => {
        sentAt[i] = performance.now();
        return session.write(encodeCommand(["BLPOP", `k${i % 100}`, String(timeoutMs(i) / 1000)]));
      }));
      const deadline = Date.now() + 1000;
      while (server.blocking.count < n && Date.now() < deadline) await sleep(5);
      assertEquals(server.blocking.count, n);
      assertEquals(server.blocking.timeoutCount, n);
      await using pusher = await RawSession.open(server.port);
      for (let k = 0; k < 10; k++) {
        assertEquals(await pusher.command("RPUSH", `k${k}`, `v${k}`), ":1\r\n");
      }
      assertEquals(server.blocking.count, n - 10);
      const replies = await Promise.all(sessions.map(async (session, i) => {
        const reply = await session.read(1, 3000);
        return { i, reply, elapsed: performance.now() - sentAt[i]! };
      }));
      const served = replies.filter((r) => r.reply !== "*-1\r\n");
      assertEquals(
        served.map((r) => r.reply).sort(),
        Array.from({ length: 10 }, (_, k) => encodeCommand([`k${k}`, `v${k}`])).sort(),
      );
      for (const { i, reply, elapsed } of replies) {
        if (reply !== "*-1\r\n") continue;
        assert(elapsed >= timeoutMs(i) - 1, `client ${i} timed out after ${elapsed} ms`);
        assert(elapsed < timeoutMs(i) + 1500, `client ${i} timed out after ${elapsed} ms`);
      }
      assertEquals(server.blocking.count, 0);
      assertEquals(server.blocking.timeoutCount, 0);
      assertEquals(await pusher.command("EXISTS", "k0", "k9"), ":0\r\n");
    } finally {
      for (const session of sessions) session.close();
    }
  },
});

Deno.test({
  name: "blocked clients cost no CPU while they wait (our server)",
  async fn() {
    await using server = await startMiniredis();
    const sessions = await Promise.all(
      Array.from({ length: 50 }, () => RawSession.open(server.port)),
    );
    try {
      for (const [i, session] of sessions.entries()) {
        // Half wait forever, half with a timeout well past the measurement.
        await session.write(encodeCommand(["BLPOP", `k${i}`, i % 2 === 0 ? "0" : "30"]));
      }
      const deadline = Date.now() + 2000;
      while (server.blocking.count < 50 && Date.now() < deadline) await sleep(5);
      assertEquals(server.blocking.count, 50);
      const before = process.cpuUsage();
      await sleep(500);
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      // A busy wait would use the whole 500 ms; idle timers and the expiry cycle cost ~1 ms.
      assert(ms < 100, `the process used ${ms} ms of CPU in 500 ms with 50 blocked clients`);
      assertEquals(server.blocking.count, 50);
    } finally {
      for (const session of sessions) session.close();
    }
  },
});

Deno.test({
  name: "CLIENT UNBLOCK lets a blocked client go with its timeout reply or an UNBLOCKED error",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.clientId("a");
      await s.clientId("b");
      await s.clientId("c");
      await s.send("a", "BLPOP", "q", "0");
      await s.send("b", "BLMOVE", "q", "d", "LEFT", "RIGHT", "0");
      await s.resp3("c");
      await s.send("c", "BZPOPMIN", "z", "0");
      await s.blocked(3);
      await s.unblock("ctl", "a");
      await s.read("a");
      await s.unblock("ctl", "b", "TIMEOUT");
      await s.read("b");
      await s.unblock("ctl", "c", "ERROR");
      await s.read("c");
      await s.blocked(0);
      // Not blocked any more, or never: 0; a bad reason is refused.
      await s.unblock("ctl", "a");
      await s.unblock("ctl", "a", "MAYBE");
      await s.call("ctl", "CLIENT", "UNBLOCK", "999999");
      await s.call("ctl", "CLIENT", "UNBLOCK", "x");
      // The unblocked clients carry on, and a later push is not taken by them.
      await s.call("a", "RPUSH", "q", "v");
      await s.call("b", "LLEN", "q");
      await s.call("c", "PING");
    });
  },
});

Deno.test("a client that may not block (inside MULTI) gets each blocking command's null at once", () => {
  // MULTI/EXEC run queued commands with canBlock false; Redis 7.0 answers these inside EXEC:
  // `*-1` for the pops, `$-1` for the moves.
  const server = new Server({ port: 0 });
  const client = new Client(1, server, "127.0.0.1:1", "127.0.0.1:2", 1, () => {});
  Object.defineProperty(client, "canBlock", { get: () => false });
  const cases: [string[], string][] = [
    [["BLPOP", "q", "0"], "*-1\r\n"],
    [["BRPOP", "q", "0"], "*-1\r\n"],
    [["BLMOVE", "q", "d", "LEFT", "LEFT", "0"], "$-1\r\n"],
    [["BRPOPLPUSH", "q", "d", "0"], "$-1\r\n"],
    [["BLMPOP", "0", "1", "q", "LEFT"], "*-1\r\n"],
    [["BZPOPMIN", "z", "0"], "*-1\r\n"],
    [["BZPOPMAX", "z", "0"], "*-1\r\n"],
    [["BZMPOP", "0", "1", "z", "MIN"], "*-1\r\n"],
  ];
  for (const [argv, expected] of cases) {
    dispatch(client, { argv, typed: null });
    assertEquals(new TextDecoder().decode(client.out.take()), expected, argv.join(" "));
    assertEquals(client.blocked, null);
  }
  assertEquals(server.blocking.count, 0);
});
