/**
 * CLIENT TRACKING (default, OPTIN, OPTOUT, NOLOOP, BCAST with prefixes, REDIRECT), CLIENT
 * CACHING, GETREDIR and TRACKINGINFO, against a real redis-server 7.0: each scenario reads the
 * invalidation pushes (RESP3) or Pub/Sub messages (a RESP2 redirect target) that arrive, in
 * order, and compares the transcripts.
 *
 * @module
 */
import { assertSameScenario, type Scenario } from "../_scenario.ts";
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  RawSession,
  type ScriptStep,
  sleep,
  startMiniredis,
} from "../_util.ts";

/** HELLO 3 on `name`, unrecorded (its reply holds versions and ids). */
async function resp3(s: Scenario, name: string): Promise<void> {
  await s.resp3(name);
}

Deno.test({
  name: "CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO answer Redis's replies and errors",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["CLIENT", "TRACKINGINFO"],
      ["CLIENT", "GETREDIR"],
      ["CLIENT", "CACHING", "yes"],
      ["CLIENT", "TRACKING", "maybe"],
      ["CLIENT", "TRACKING", "on", "nosuchoption"],
      ["CLIENT", "TRACKING", "on", "REDIRECT", "notanumber"],
      ["CLIENT", "TRACKING", "on", "REDIRECT", "999999"],
      ["CLIENT", "TRACKING", "on", "PREFIX", "a"],
      ["CLIENT", "TRACKING", "on", "BCAST", "OPTIN"],
      ["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"],
      ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
      ["CLIENT", "TRACKING", "on", "PREFIX"],
      ["CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP"],
      ["CLIENT", "TRACKINGINFO"],
      ["CLIENT", "GETREDIR"],
      ["CLIENT", "CACHING", "no"],
      ["CLIENT", "CACHING", "maybe"],
      ["CLIENT", "CACHING", "yes"],
      ["CLIENT", "TRACKINGINFO"],
      ["CLIENT", "TRACKING", "on", "OPTOUT"],
      ["CLIENT", "TRACKING", "on", "BCAST"],
      ["CLIENT", "TRACKING", "off"],
      ["CLIENT", "TRACKINGINFO"],
      ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "job:"],
      ["CLIENT", "TRACKINGINFO"],
      ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:1"],
      ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "cache:"],
      ["CLIENT", "TRACKINGINFO"],
      {
        cmd: ["CLIENT", "INFO"],
        normalize: (r) => `${/flags=\S+/.exec(r)![0]} ${/redir=\S+/.exec(r)![0]}`,
      },
      ["CLIENT", "TRACKING", "off"],
      ["CLIENT", "TRACKING"],
      ["CLIENT", "CACHING"],
      ["CLIENT", "GETREDIR", "x"],
    ];
    await assertSameAsRedis(script);
    const hello = { cmd: ["HELLO", "3"], normalize: (r: string) => r.slice(0, 1) };
    await assertSameAsRedis([hello, ...script]);
  },
});

Deno.test({
  name: "A RESP3 tracking client is told after its reply when it modifies a key it read",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await resp3(s, "t");
      await s.call("t", "CLIENT", "TRACKING", "on");
      await s.call("t", "SET", "k", "1");
      await s.call("t", "GET", "k");
      await s.call("t", "SET", "k", "2");
      await s.read("t");
      // Invalidated once: the key must be read again to be tracked again.
      await s.call("t", "SET", "k", "3");
      await s.call("t", "MGET", "k", "j");
      await s.call("t", "MSET", "k", "4", "j", "5");
      await s.read("t", 2);
      // Inside a transaction, after EXEC's reply.
      await s.call("t", "GET", "k");
      await s.call("t", "MULTI");
      await s.call("t", "INCR", "k");
      await s.call("t", "EXEC");
      await s.read("t");
      // A failed read is tracked too.
      await s.call("t", "HGET", "k", "f");
      await s.call("t", "DEL", "k");
      await s.read("t");
      await s.call("t", "PING");
    }),
});

Deno.test({
  name: "NOLOOP hides a client's own writes; FLUSHALL sends a null invalidation",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await resp3(s, "t");
      await s.call("t", "CLIENT", "TRACKING", "on", "NOLOOP");
      await s.call("t", "GET", "k");
      await s.call("t", "SET", "k", "1");
      await s.call("t", "PING");
      await s.call("t", "GET", "k");
      await s.call("t", "FLUSHALL");
      await s.read("t");
      await s.call("t", "CLIENT", "TRACKING", "off");
      await s.call("t", "CLIENT", "TRACKING", "on");
      await s.call("t", "FLUSHDB");
      await s.read("t");
      await s.call("t", "PING");
    }),
});

Deno.test({
  name: "OPTIN tracks only after CLIENT CACHING yes and OPTOUT all but after CACHING no",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await resp3(s, "t");
      await s.call("t", "CLIENT", "TRACKING", "on", "OPTIN");
      await s.call("t", "GET", "a");
      await s.call("t", "CLIENT", "CACHING", "yes");
      await s.call("t", "GET", "b");
      await s.call("t", "GET", "c");
      await s.call("t", "MSET", "a", "1", "b", "1", "c", "1");
      await s.read("t");
      await s.call("t", "PING");
      await s.call("t", "CLIENT", "TRACKING", "off");
      await s.call("t", "CLIENT", "TRACKING", "on", "OPTOUT");
      await s.call("t", "GET", "a");
      await s.call("t", "CLIENT", "CACHING", "no");
      await s.call("t", "GET", "b");
      await s.call("t", "MSET", "a", "2", "b", "2");
      await s.read("t");
      await s.call("t", "PING");
    }),
});

Deno.test({
  name: "Other clients' writes reach an idle RESP3 tracking client as invalidate pushes",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await resp3(s, "t");
      await s.call("t", "CLIENT", "TRACKING", "on");
      await s.call("t", "MGET", "a", "b", "c");
      await s.call("t", "HGETALL", "h");
      await s.call("w", "SET", "a", "1");
      await s.read("t");
      await s.call("w", "MSET", "b", "1", "c", "1", "d", "1");
      await s.read("t", 2);
      await s.call("w", "HSET", "h", "f", "v");
      await s.read("t");
      // Expiry is a modification too.
      await s.call("t", "GET", "a");
      await s.call("w", "PEXPIRE", "a", "1");
      await s.read("t");
      // Expired since: found missing (its deletion tells no one: nobody tracks it now).
      await sleep(20);
      await s.call("t", "GET", "a");
      await s.call("w", "FLUSHALL");
      await s.read("t");
      await s.call("t", "PING");
    }),
});

Deno.test({
  name: "BCAST sends one message per prefix with every key modified under it",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      await resp3(s, "t");
      await s.call("t", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "job:");
      await s.call("w", "SET", "user:1", "x");
      await s.read("t");
      await s.pipeline("w", ["SET", "job:1", "x"], ["SET", "other", "x"], ["DEL", "job:1"]);
      await s.read("w", 3);
      await s.read("t");
      await s.call("t", "SET", "user:2", "mine");
      await s.read("t");
      await s.call("t", "CLIENT", "TRACKING", "off");
      await s.call("t", "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP");
      await s.call("t", "SET", "mine", "x");
      await s.call("w", "SET", "theirs", "x");
      await s.read("t");
      await s.call("t", "PING");
    }),
});

Deno.test({
  name: "REDIRECT sends invalidations to a RESP2 subscriber of __redis__:invalidate",
  ignore: needsRedis(),
  fn: () =>
    assertSameScenario(async (s) => {
      const target = await s.clientId("r");
      await s.call("r", "SUBSCRIBE", "__redis__:invalidate");
      const reply = await s.quiet("t", "CLIENT", "TRACKING", "on", "REDIRECT", target);
      s.transcript.push(`t CLIENT TRACKING on REDIRECT <r>: ${reply}`);
      await s.call("t", "GET", "k");
      await s.call("w", "SET", "k", "1");
      await s.read("r");
      await s.call("t", "GET", "k");
      await s.call("t", "SET", "k", "2");
      await s.read("r");
      await s.call("w", "FLUSHALL");
      await s.read("r");
      const info = await s.quiet("t", "CLIENT", "TRACKINGINFO");
      s.transcript.push(`t TRACKINGINFO redirects to r: ${info.includes(`:${target}\r\n`)}`);
      // The redirect target goes: the redirect is broken.
      s.close("r");
      await s.call("t", "GET", "k");
      await s.call("w", "SET", "k", "3");
      await s.call("t", "PING");
      const flags = await s.quiet("t", "CLIENT", "INFO");
      s.transcript.push(`t flags: ${/flags=\S+/.exec(flags)![0]}`);
    }),
});

Deno.test({
  name: "tracking-table-max-keys bounds the table, invalidating the keys it forgets",
  async fn() {
    await using server = await startMiniredis();
    await using t = await RawSession.open(server.port);
    await t.command("HELLO", "3");
    await t.command("CONFIG", "SET", "tracking-table-max-keys", "2");
    await t.command("CLIENT", "TRACKING", "on");
    await t.command("MGET", "a", "b");
    // A third key pushes the oldest out; its client is told, after the reply.
    let got = await t.command("GET", "c");
    const push = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n";
    if (got === "_\r\n") got += await t.read(1);
    assertEquals(got, "_\r\n" + push);
    await using other = await RawSession.open(server.port);
    const info = await other.command("INFO", "stats");
    assert(info.includes("tracking_total_keys:2\r\n"), info);
  },
});
