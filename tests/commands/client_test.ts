/**
 * CLIENT REPLY, NO-EVICT, PAUSE/UNPAUSE, HELP, the MULTI-related fields of CLIENT LIST, and
 * RESET, against a real redis-server 7.0 (CLIENT ID, LIST, KILL... are in connection_test.ts).
 *
 * @module
 */
import { assertSameScenario } from "../_scenario.ts";
import {
  assert,
  assertSameAsRedis,
  needsRedis,
  RawSession,
  type ScriptStep,
  sleep,
  startMiniredis,
} from "../_util.ts";

/** A CLIENT INFO step reduced to the fields that don't vary between servers and runs. */
function clientInfo(...fields: string[]): ScriptStep {
  return {
    cmd: ["CLIENT", "INFO"],
    normalize: (reply) =>
      fields.map((f) => new RegExp(`[ =]${f}=[^ ]*`).exec(reply)?.[0].trim()).join(" "),
  };
}

Deno.test({
  name: "CLIENT REPLY OFF, ON and SKIP drop the replies Redis drops",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n", replies: 0 },
      { raw: "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n", replies: 0 },
      { raw: "*2\r\n$3\r\nGET\r\n$1\r\na\r\n", replies: 0 },
      { raw: "*1\r\n$7\r\nNOSUCH!\r\n", replies: 0 },
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      ["CLIENT", "REPLY", "ON"],
      ["GET", "a"],
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      { raw: "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n", replies: 0 },
      ["GET", "a"],
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      { raw: "*1\r\n$7\r\nNOSUCH!\r\n", replies: 0 },
      ["INCR", "a"],
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      { raw: "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n", replies: 0 },
      ["GET", "a"],
      ["CLIENT", "REPLY", "MAYBE"],
      ["CLIENT", "REPLY"],
      ["CLIENT", "REPLY", "ON", "extra"],
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n", replies: 0 },
      { raw: "*1\r\n$5\r\nMULTI\r\n", replies: 0 },
      ["SET", "a", "2"],
      ["EXEC"],
    ]);
  },
});

Deno.test({
  name: "CLIENT REPLY OFF also drops the late reply of a blocked command",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.send("b", "CLIENT", "REPLY", "OFF");
      await s.send("b", "BLPOP", "l", "0");
      await s.blocked(1);
      await s.call("a", "RPUSH", "l", "x");
      await s.blocked(0);
      await s.call("b", "CLIENT", "REPLY", "ON");
      await s.send("b", "CLIENT", "REPLY", "SKIP");
      await s.send("b", "BLPOP", "l", "0");
      await s.blocked(1);
      await s.call("a", "RPUSH", "l", "y");
      await s.blocked(0);
      await s.call("b", "LLEN", "l");
    }),
});

Deno.test({
  name: "CLIENT NO-EVICT sets the e flag and answers Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CLIENT", "NO-EVICT", "on"],
      clientInfo("flags"),
      ["CLIENT", "NO-EVICT", "OFF"],
      clientInfo("flags"),
      ["CLIENT", "NO-EVICT", "maybe"],
      ["CLIENT", "NO-EVICT"],
      ["CLIENT", "NO-EVICT", "on", "extra"],
    ]);
  },
});

Deno.test({
  name: "CLIENT PAUSE and UNPAUSE answer Redis's replies and errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CLIENT", "PAUSE", "0"],
      ["CLIENT", "PAUSE", "0", "WRITE"],
      ["CLIENT", "PAUSE", "0", "all"],
      ["CLIENT", "PAUSE", "abc"],
      ["CLIENT", "PAUSE", "1.5"],
      ["CLIENT", "PAUSE", "-1"],
      ["CLIENT", "PAUSE", "10", "foo"],
      ["CLIENT", "PAUSE", "abc", "foo"],
      ["CLIENT", "PAUSE", "10", "write", "extra"],
      ["CLIENT", "PAUSE"],
      ["CLIENT", "UNPAUSE"],
      ["CLIENT", "UNPAUSE", "extra"],
      ["PING"],
    ]);
  },
});

Deno.test({
  name: "CLIENT PAUSE WRITE holds writes and EXEC of a writing transaction, not reads",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.call("p", "CLIENT", "PAUSE", "5000", "WRITE");
      await s.call("a", "GET", "k");
      await s.send("a", "SET", "k", "1");
      await s.blocked(1);
      await s.send("a", "GET", "k");
      await s.call("r", "GET", "k");
      await s.call("m", "MULTI");
      await s.call("m", "GET", "k");
      await s.call("m", "EXEC");
      await s.call("p", "CLIENT", "UNPAUSE");
      await s.read("a", 2);
      await s.call("p", "CLIENT", "PAUSE", "5000", "WRITE");
      await s.call("m", "MULTI");
      await s.send("m", "INCR", "k");
      await s.blocked(1);
      await s.call("p", "CLIENT", "UNPAUSE");
      await s.read("m");
      await s.call("m", "EXEC");
    }),
});

Deno.test({
  name: "CLIENT PAUSE ALL holds every command, CLIENT UNPAUSE included, until it ends",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.call("p", "CLIENT", "PAUSE", "300", "ALL");
      await s.send("a", "GET", "k");
      await s.send("p", "CLIENT", "UNPAUSE");
      // INFO would be held too: no waiting on blocked_clients here.
      await s.read("a");
      await s.read("p");
    });
    // And on our server, the hold lasts as long as asked.
    await using server = await startMiniredis();
    await using a = await RawSession.open(server.port);
    await using b = await RawSession.open(server.port);
    await a.command("CLIENT", "PAUSE", "300", "ALL");
    const start = performance.now();
    await b.command("PING");
    const held = performance.now() - start;
    assert(held > 250 && held < 2000, `PING was held for ${held} ms`);
  },
});

Deno.test({
  name: "CLIENT PAUSE of a client that then disconnects loses nothing for the others",
  async fn() {
    await using server = await startMiniredis();
    await using a = await RawSession.open(server.port);
    const b = await RawSession.open(server.port);
    await a.command("CLIENT", "PAUSE", "5000", "WRITE");
    const until = async (field: string, value: string) => {
      const deadline = Date.now() + 2000;
      while (!(await a.command("INFO", "clients")).includes(`${field}:${value}\r\n`)) {
        assert(Date.now() < deadline, `${field} never became ${value}`);
        await sleep(5);
      }
    };
    await b.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    await until("blocked_clients", "1");
    b.close();
    await until("connected_clients", "1");
    await a.command("CLIENT", "UNPAUSE");
    assert((await a.command("EXISTS", "k")) === ":0\r\n", "a killed client's held write ran");
    assert((await a.command("CLIENT", "LIST")).split("id=").length === 2, "b is still listed");
  },
});

Deno.test({
  name: "CLIENT LIST shows a transaction's queue length and x and d flags as Redis does",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      // Asked on another connection: inside MULTI, CLIENT LIST would be queued.
      const info = async (name: string) => {
        const reply = await s.quiet("b", "CLIENT", "LIST", "ID", await s.clientId(name));
        s.transcript.push(/flags=\S+/.exec(reply)![0] + " " + /multi=\S+/.exec(reply)![0]);
      };
      await info("a");
      await s.call("a", "WATCH", "k");
      await s.call("b", "SET", "k", "1");
      await s.call("a", "MULTI");
      await s.call("a", "SET", "x", "1");
      await info("a");
      await s.call("a", "DISCARD");
      await info("a");
    }),
});

Deno.test({
  name: "CLIENT HELP lists Redis 7.0's subcommands",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([["CLIENT", "HELP"]]);
  },
});

Deno.test({
  name: "RESET ends transactions, watches, CLIENT REPLY, NO-EVICT, RESP3, names and databases",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RESET"],
      ["RESET", "extra"],
      ["CLIENT", "SETNAME", "me"],
      ["SELECT", "3"],
      ["CLIENT", "NO-EVICT", "ON"],
      ["WATCH", "k"],
      ["MULTI"],
      ["SET", "k", "1"],
      ["RESET"],
      ["EXEC"],
      ["EXISTS", "k"],
      clientInfo("name", "db", "flags", "multi", "resp"),
      { cmd: ["HELLO", "3"], normalize: (reply) => reply.slice(0, 1) },
      ["RESET"],
      ["GET", "k"],
      { raw: "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n", replies: 0 },
      ["RESET"],
      ["PING"],
    ]);
  },
});

Deno.test({
  name: "RESET with requirepass leaves the connection unauthenticated",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["AUTH", "secret"],
      ["PING"],
      ["RESET"],
      ["PING"],
    ], { ours: { config: { requirepass: "secret" } }, redisArgs: ["--requirepass", "secret"] });
  },
});

Deno.test({
  name: "CLIENT LIST and CLIENT KILL TYPE pubsub find subscribed clients, RESP3 ones included",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      const count = async (type: string) => {
        const list = await s.quiet("a", "CLIENT", "LIST", "TYPE", type);
        s.transcript.push(`${type}: ${list.split("id=").length - 1}`);
      };
      await s.call("p2", "SUBSCRIBE", "ch");
      await s.resp3("p3");
      await s.call("p3", "PSUBSCRIBE", "c*");
      await s.call("m", "MONITOR");
      await count("pubsub");
      await count("normal");
      await s.call("a", "CLIENT", "KILL", "TYPE", "pubsub");
      await count("pubsub");
      await s.call("a", "PUBLISH", "ch", "x");
    }),
});

Deno.test({
  name: "CLIENT PAUSE keeps expired keys in place, reported missing, until it ends",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.call("a", "SET", "k", "v", "PX", "50");
      await s.call("a", "CLIENT", "PAUSE", "3000", "WRITE");
      await sleep(150);
      await s.call("a", "GET", "k");
      await s.call("a", "EXISTS", "k");
      await s.call("a", "DBSIZE");
      await s.call("a", "CLIENT", "UNPAUSE");
      await s.call("a", "GET", "k");
      await s.call("a", "DBSIZE");
    }),
});

Deno.test({
  name: "CLIENT REPLY OFF still lets subscribe and unsubscribe confirmations through",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.pipeline(
        "a",
        ["CLIENT", "REPLY", "OFF"],
        ["SUBSCRIBE", "c"],
        ["PSUBSCRIBE", "p*"],
        ["UNSUBSCRIBE"],
        ["PUNSUBSCRIBE"],
        ["CLIENT", "REPLY", "ON"],
        ["PING"],
      );
      // Redis sends the four confirmations, then +OK and +PONG.
      await s.read("a", 6);
    });
  },
});

Deno.test({
  name: "CLIENT REPLY OFF queued in MULTI silences its own reply inside EXEC's array",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      await s.pipeline(
        "a",
        ["MULTI"],
        ["CLIENT", "REPLY", "OFF"],
        ["SET", "a", "1"],
        ["EXEC"],
        ["CLIENT", "REPLY", "ON"],
        ["PING"],
      );
      // Redis writes "*2" and nothing of the two queued replies: the parser then takes
      // REPLY ON's +OK and PING's +PONG as the array's elements.
      await s.read("a", 4);
    });
  },
});

Deno.test({
  name: "CLIENT PAUSE WRITE holds PUBLISH too, as Redis flags it as may-replicate",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await s.call("sub", "SUBSCRIBE", "c");
      await s.call("p", "CLIENT", "PAUSE", "5000", "WRITE");
      await s.send("a", "PUBLISH", "c", "held");
      await s.blocked(1);
      await s.call("p", "CLIENT", "UNPAUSE");
      await s.read("a");
      await s.read("sub");
    }),
});
