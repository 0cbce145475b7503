/**
 * Connection and server commands, most of them differential: the same script goes to our
 * server and to a real redis-server 7.0, and the replies must be byte-identical once the parts
 * that differ by nature (client ids, addresses, ages, ports) are normalized.
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  encodeCommand,
  needsRedis,
  parseReply,
  RawSession,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { ManualClock } from "../../src/keyspace/clock.ts";
import type { ServerOptions } from "../../src/server/server.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** Replaces the client id in a HELLO reply (RESP2 array or RESP3 map). */
function normalizeHelloId(reply: string): string {
  return reply.replace(/(\$2\r\nid\r\n):\d+\r\n/, "$1:ID\r\n");
}

/** Replaces the bare integer of a CLIENT ID reply. */
function normalizeInteger(reply: string): string {
  return reply.replace(/^:\d+\r\n$/, ":N\r\n");
}

const requirePass = {
  ours: { config: { requirepass: "pw" } },
  redisArgs: ["--requirepass", "pw"],
};

/**
 * Runs `scenario` (which may open several sessions) against our server and a real Redis,
 * asserting the two return the same list of observations.
 */
async function assertScenarioSameAsRedis(
  scenario: (port: number) => Promise<unknown[]>,
  options: { ours?: ServerOptions; redisArgs?: string[] } = {},
): Promise<unknown[]> {
  await using ours = await startMiniredis(options.ours);
  await using real = await startRealRedis(options.redisArgs);
  const mine = await scenario(ours.port);
  const theirs = await scenario(real.port);
  assertEquals(mine, theirs);
  return mine;
}

/** The `name=value` fields of one CLIENT LIST / CLIENT INFO line, in order. */
function clientFields(line: string): [string, string][] {
  return line.trim().split(" ").map((field) => {
    const eq = field.indexOf("=");
    return [field.slice(0, eq), field.slice(eq + 1)];
  });
}

/** The text of a bulk or verbatim reply. */
function textOf(raw: string): string {
  const value = parseReply(raw);
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && "kind" in value) {
    if (value.kind === "verbatim" || value.kind === "simple") return value.value;
  }
  throw new Error(`Not a text reply: ${JSON.stringify(raw)}`);
}

/** A session's own address and id, from CLIENT INFO. */
async function whoAmI(session: RawSession): Promise<{ id: string; addr: string; laddr: string }> {
  const fields = new Map(clientFields(textOf(await session.command("CLIENT", "INFO"))));
  return { id: fields.get("id")!, addr: fields.get("addr")!, laddr: fields.get("laddr")! };
}

Deno.test({
  name: "PING answers PONG, echoes one argument and refuses two, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["PING"],
      ["PING", "hello world"],
      ["PING", ""],
      ["PING", "a", "b"],
      ["ping"],
      { raw: "PING\r\n", replies: 1 },
    ]);
  },
});

Deno.test({
  name: "ECHO returns its argument byte for byte and checks its arity, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ECHO", "hello"],
      ["ECHO", "a\r\nb\x00c\xff"],
      ["ECHO", ""],
      ["ECHO"],
      ["ECHO", "a", "b"],
    ]);
  },
});

Deno.test({
  name: "QUIT answers +OK and the server then closes the connection, ignoring what follows",
  ignore: needsRedis(),
  async fn() {
    await assertScenarioSameAsRedis(async (port) => {
      await using session = await RawSession.open(port);
      await session.write("PING\r\nQUIT\r\nPING\r\n");
      const replies = await session.read(3, 2000);
      return [replies, await session.closedByPeer()];
    }).then((observed) => assertEquals(observed, ["+PONG\r\n+OK\r\n", true]));
  },
});

Deno.test({
  name: "SELECT switches databases and rejects bad indexes with Redis's texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "in0"],
      ["SELECT", "1"],
      ["GET", "k"],
      ["SET", "k", "in1"],
      ["SELECT", "15"],
      ["SELECT", "16"],
      ["SELECT", "-1"],
      ["SELECT", "abc"],
      ["SELECT", "1.5"],
      ["SELECT", ""],
      ["SELECT", "99999999999999999999"],
      ["SELECT"],
      ["SELECT", "0", "1"],
      ["SELECT", "0"],
      ["GET", "k"],
    ]);
  },
});

Deno.test({
  name: "SWAPDB exchanges two databases' contents and answers bad indexes with Redis's texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "a", "zero"],
      ["SELECT", "1"],
      ["SET", "b", "one"],
      ["SWAPDB", "0", "1"],
      ["GET", "a"],
      ["GET", "b"],
      ["SELECT", "0"],
      ["GET", "b"],
      ["SWAPDB", "0", "0"],
      ["GET", "b"],
      ["SWAPDB", "0", "x"],
      ["SWAPDB", "x", "0"],
      ["SWAPDB", "0", "16"],
      ["SWAPDB", "-1", "0"],
      // Both indexes are parsed before either is checked against the number of databases.
      ["SWAPDB", "99", "foo"],
      ["SWAPDB", "foo", "99"],
      ["SWAPDB", "99", "0"],
      ["SWAPDB", "0", "2147483648"],
      ["SWAPDB", "-2147483649", "x"],
      ["SWAPDB", "0"],
    ]);
  },
});

Deno.test({
  name: "HELLO switches protocols and answers Redis's greeting and errors, the id aside",
  ignore: needsRedis(),
  async fn() {
    const hello = (...args: string[]): ScriptStep => ({
      cmd: ["HELLO", ...args],
      normalize: normalizeHelloId,
    });
    const replies = await assertSameAsRedis([
      hello(),
      hello("2"),
      hello("3"),
      ["GET", "nosuch"],
      hello("2"),
      ["GET", "nosuch"],
      hello("4"),
      hello("1"),
      hello("-1"),
      hello("x"),
      hello("3.0"),
      // The version is any 64-bit integer, as Redis's getLongLong reads it.
      hello("1000000000000000000"),
      hello("9223372036854775807"),
      hello("-9223372036854775808"),
      hello("9223372036854775808"),
      hello("-0"),
      hello("03"),
      hello(""),
      hello("2", "AUTH", "default", "anything"),
      hello("2", "AUTH", "alice", "pw"),
      hello("2", "AUTH", "default"),
      hello("2", "SETNAME", "has space"),
      hello("2", "SETNAME", "new\nline"),
      hello("2", "SETNAME"),
      hello("2", "NOSUCH"),
      hello("3", "SETNAME", "ok", "EXTRA"),
      ["GET", "nosuch"],
    ]);
    assert(replies[2]!.startsWith("%7\r\n"), "HELLO 3 answers a map");
  },
});

Deno.test({
  name: "HELLO SETNAME names the connection, as CLIENT GETNAME then shows",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CLIENT", "GETNAME"],
      { cmd: ["HELLO", "2", "SETNAME", "worker-1"], normalize: normalizeHelloId },
      ["CLIENT", "GETNAME"],
      { cmd: ["HELLO", "3", "SETNAME", "worker-2"], normalize: normalizeHelloId },
      ["CLIENT", "GETNAME"],
    ]);
  },
});

Deno.test({
  name: "AUTH without requirepass answers Redis's texts for each form",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["AUTH", "pw"],
      ["AUTH", "default", "anything"],
      ["AUTH", "alice", "pw"],
      ["AUTH", "a", "b", "c"],
      ["AUTH"],
      ["PING"],
    ]);
  },
});

Deno.test({
  name: "with requirepass, commands answer NOAUTH until AUTH succeeds",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["GET", "k"],
      ["PING"],
      ["SELECT", "1"],
      ["CLIENT", "ID"],
      ["NOSUCHCOMMAND"],
      // Redis checks existence, then arity, then authentication.
      ["GET"],
      ["CONFIG", "NOSUCH"],
      ["CONFIG", "GET"],
      ["CONFIG", "GET", "port"],
      ["HELLO"],
      ["HELLO", "3"],
      ["HELLO", "2", "SETNAME", "x"],
      ["AUTH", "wrong"],
      ["AUTH", "default", "wrong"],
      ["AUTH", "alice", "pw"],
      ["HELLO", "2", "AUTH", "default", "wrong"],
      ["GET", "k"],
      ["AUTH", "pw"],
      ["SET", "k", "v"],
      ["GET", "k"],
      ["AUTH", "wrong"],
      ["GET", "k"],
    ], requirePass);
  },
});

Deno.test({
  name: "with requirepass, AUTH default <pass> and HELLO AUTH authenticate a connection",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["AUTH", "default", "pw"],
      ["PING"],
    ], requirePass);
    await assertSameAsRedis([
      {
        cmd: ["HELLO", "3", "AUTH", "default", "pw", "SETNAME", "me"],
        normalize: normalizeHelloId,
      },
      ["CLIENT", "GETNAME"],
      ["GET", "nosuch"],
    ], requirePass);
  },
});

Deno.test({
  name: "CLIENT ID, SETNAME and GETNAME answer as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { cmd: ["CLIENT", "ID"], normalize: normalizeInteger },
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "conn-1"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "has space"],
      ["CLIENT", "SETNAME", "tab\tname"],
      ["CLIENT", "SETNAME", "caf\xc3\xa9"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", ""],
      ["CLIENT", "GETNAME"],
      ["client", "setname", "lower"],
      ["CLIENT", "GETNAME"],
    ]);
  },
});

Deno.test({
  name: "CLIENT ID is distinct per connection and matches the id in CLIENT INFO",
  async fn() {
    await using server = await startMiniredis();
    await using a = await RawSession.open(server.port);
    await using b = await RawSession.open(server.port);
    const idA = (await a.command("CLIENT", "ID")).slice(1, -2);
    const idB = (await b.command("CLIENT", "ID")).slice(1, -2);
    assert(idA !== idB, "two connections share an id");
    assertEquals((await whoAmI(a)).id, idA);
  },
});

Deno.test({
  name: "CLIENT INFO and CLIENT LIST have Redis 7.0's fields in Redis's order",
  ignore: needsRedis(),
  async fn() {
    const describe = async (port: number) => {
      await using session = await RawSession.open(port);
      await session.command("SELECT", "2");
      await session.command("CLIENT", "SETNAME", "inspector");
      const info = clientFields(textOf(await session.command("CLIENT", "INFO")));
      const list = textOf(await session.command("CLIENT", "LIST"));
      return { info, list: list.split("\n").filter((l) => l !== "").map(clientFields) };
    };
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const mine = await describe(ours.port);
    const theirs = await describe(real.port);

    const names = (fields: [string, string][]) => fields.map(([k]) => k);
    // Redis 7.2's lib-name and lib-ver may follow Redis 7.0's fields.
    const ourNames = names(mine.info).filter((n) => n !== "lib-name" && n !== "lib-ver");
    assertEquals(ourNames, names(theirs.info));
    assertEquals(names(mine.info).slice(ourNames.length), ["lib-name", "lib-ver"]);

    // The fields a caller can predict must agree; ids, addresses, sizes and ages vary.
    const stable = ["name", "flags", "db", "sub", "psub", "ssub", "multi", "user", "resp"];
    const pick = (fields: [string, string][]) =>
      Object.fromEntries(fields.filter(([k]) => stable.includes(k)));
    assertEquals(pick(mine.info), pick(theirs.info));
    assertEquals(Object.fromEntries(mine.info).cmd, "client|info");
    assertEquals(Object.fromEntries(theirs.info).cmd, "client|info");

    assertEquals(mine.list.length, 1);
    assertEquals(theirs.list.length, 1);
    assertEquals(names(mine.list[0]!).slice(0, ourNames.length), names(theirs.list[0]!));
    assertEquals(pick(mine.list[0]!), pick(theirs.list[0]!));
    assertEquals(Object.fromEntries(mine.list[0]!).cmd, "client|list");
  },
});

Deno.test({
  name: "CLIENT LIST shows one line per connection with its own address, name and database",
  async fn() {
    await using server = await startMiniredis();
    await using a = await RawSession.open(server.port);
    await using b = await RawSession.open(server.port);
    await a.command("CLIENT", "SETNAME", "alpha");
    await b.command("SELECT", "3");
    const meA = await whoAmI(a);
    const meB = await whoAmI(b);
    const lines = textOf(await a.command("CLIENT", "LIST")).split("\n").filter((l) => l !== "");
    const byId = new Map(lines.map((l) => {
      const f = Object.fromEntries(clientFields(l));
      return [f.id!, f];
    }));
    assertEquals(byId.size, 2);
    assertEquals(byId.get(meA.id)!.name, "alpha");
    assertEquals(byId.get(meA.id)!.addr, meA.addr);
    assertEquals(byId.get(meB.id)!.db, "3");
    assertEquals(byId.get(meB.id)!.laddr, `127.0.0.1:${server.port}`);
    const only = textOf(await a.command("CLIENT", "LIST", "ID", meB.id, "12345"));
    assertEquals(Object.fromEntries(clientFields(only)).id, meB.id);
  },
});

Deno.test({
  name: "CLIENT LIST filters by TYPE or by ID and answers bad filters with Redis's texts",
  ignore: needsRedis(),
  async fn() {
    const countLines = (raw: string) =>
      `${textOf(raw).split("\n").filter((l) => l !== "").length} lines`;
    await assertSameAsRedis([
      { cmd: ["CLIENT", "LIST", "TYPE", "normal"], normalize: countLines },
      { cmd: ["CLIENT", "LIST", "TYPE", "NORMAL"], normalize: countLines },
      ["CLIENT", "LIST", "TYPE", "pubsub"],
      ["CLIENT", "LIST", "TYPE", "master"],
      ["CLIENT", "LIST", "TYPE", "foo"],
      ["CLIENT", "LIST", "TYPE"],
      ["CLIENT", "LIST", "TYPE", "normal", "ID", "1"],
      ["CLIENT", "LIST", "ID", "99999"],
      ["CLIENT", "LIST", "ID", "0", "-5"],
      ["CLIENT", "LIST", "ID", "abc"],
      ["CLIENT", "LIST", "ID", "1.5"],
      ["CLIENT", "LIST", "ID"],
      ["CLIENT", "LIST", "FOO"],
    ]);
  },
});

Deno.test({
  name: "CLIENT LIST ID lists clients in the order the ids are given, repeats included",
  ignore: needsRedis(),
  async fn() {
    await assertScenarioSameAsRedis(async (port) => {
      await using a = await RawSession.open(port);
      await using b = await RawSession.open(port);
      const idA = (await whoAmI(a)).id;
      const idB = (await whoAmI(b)).id;
      const label = new Map([[idA, "a"], [idB, "b"]]);
      const listed = async (...ids: string[]) => {
        const text = textOf(await a.command("CLIENT", "LIST", "ID", ...ids));
        return text.split("\n").filter((l) => l !== "").map((l) =>
          label.get(Object.fromEntries(clientFields(l)).id!)
        );
      };
      return [
        await listed(idB, idA, idB),
        await listed("99999", idA, "0", idA),
        await listed(idB),
      ];
    }).then((observed) => assertEquals(observed, [["b", "a", "b"], ["a", "a"], ["b"]]));
  },
});

Deno.test({
  name: "CLIENT KILL by ID, ADDR, LADDR and USER closes the other connection only",
  ignore: needsRedis(),
  async fn() {
    await assertScenarioSameAsRedis(async (port) => {
      const observed: unknown[] = [];
      await using killer = await RawSession.open(port);
      for (const filter of ["id", "addr", "laddr", "user"]) {
        await using victim = await RawSession.open(port);
        const me = await whoAmI(victim);
        const value = filter === "id"
          ? me.id
          : filter === "addr"
          ? me.addr
          : filter === "laddr"
          ? me.laddr
          : "default";
        observed.push(filter, await killer.command("CLIENT", "KILL", filter, value));
        observed.push(await victim.closedByPeer());
      }
      observed.push(await killer.command("PING"));
      return observed;
    }).then((observed) =>
      assertEquals(observed, [
        "id",
        ":1\r\n",
        true,
        "addr",
        ":1\r\n",
        true,
        "laddr",
        ":1\r\n",
        true,
        "user",
        ":1\r\n",
        true,
        "+PONG\r\n",
      ])
    );
  },
});

Deno.test({
  name: "CLIENT KILL skips the caller unless SKIPME no, and then replies before closing",
  ignore: needsRedis(),
  async fn() {
    await assertScenarioSameAsRedis(async (port) => {
      await using session = await RawSession.open(port);
      const me = await whoAmI(session);
      await session.write(
        encodeCommand(["CLIENT", "KILL", "ID", me.id]) +
          encodeCommand(["CLIENT", "KILL", "ADDR", me.addr, "SKIPME", "yes"]) +
          encodeCommand(["CLIENT", "KILL", "ID", me.id, "SKIPME", "no"]) +
          encodeCommand(["PING"]),
      );
      const replies = await session.read(4, 1000).catch((e: Error) => e.message);
      return [replies, await session.closedByPeer()];
    }).then((observed) => assertEquals(observed, [":0\r\n:0\r\n:1\r\n", true]));
  },
});

Deno.test({
  name: "CLIENT KILL in the old ip:port form answers +OK, or No such client",
  ignore: needsRedis(),
  async fn() {
    await assertScenarioSameAsRedis(async (port) => {
      await using killer = await RawSession.open(port);
      await using victim = await RawSession.open(port);
      const me = await whoAmI(victim);
      const observed: unknown[] = [];
      observed.push(await killer.command("CLIENT", "KILL", me.addr));
      observed.push(await victim.closedByPeer());
      observed.push(await killer.command("CLIENT", "KILL", me.addr));
      observed.push(await killer.command("CLIENT", "KILL", "1.2.3.4:5"));
      observed.push(await killer.command("CLIENT", "KILL", "nonsense"));
      // The old form may name the caller itself: it gets +OK, then the server hangs up.
      observed.push(await killer.command("CLIENT", "KILL", (await whoAmI(killer)).addr));
      observed.push(await killer.closedByPeer());
      return observed;
    }).then((observed) =>
      assertEquals(observed, [
        "+OK\r\n",
        true,
        "-ERR No such client\r\n",
        "-ERR No such client\r\n",
        "-ERR No such client\r\n",
        "+OK\r\n",
        true,
      ])
    );
  },
});

Deno.test({
  name: "CLIENT KILL answers bad filters with Redis's texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CLIENT", "KILL", "ID", "99999"],
      ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "ID", "abc"],
      ["CLIENT", "KILL", "ID", "0"],
      ["CLIENT", "KILL", "ID", "-1"],
      ["CLIENT", "KILL", "ADDR"],
      ["CLIENT", "KILL", "ID", "1", "SKIPME"],
      ["CLIENT", "KILL", "FOO", "bar"],
      ["CLIENT", "KILL", "SKIPME", "maybe"],
      ["CLIENT", "KILL", "SKIPME", "yes"],
      ["CLIENT", "KILL", "TYPE", "foo"],
      ["CLIENT", "KILL", "TYPE", "master"],
      ["CLIENT", "KILL", "TYPE", "pubsub"],
      ["CLIENT", "KILL", "USER", "alice"],
      ["CLIENT", "KILL", "TYPE", "normal"],
      ["CLIENT", "KILL", "TYPE", "Replica"],
      ["CLIENT", "KILL", "TYPE", "slave"],
      ["CLIENT", "KILL", "TYPE", "master", "ID", "1"],
      // Redis checks each option as it reads it; a missing value matters only when reached.
      ["CLIENT", "KILL", "TYPE", "foo", "x"],
      ["CLIENT", "KILL", "ID", "1", "TYPE", "foo", "x"],
      ["CLIENT", "KILL", "ID", "abc", "x"],
      ["CLIENT", "KILL", "SKIPME", "maybe", "x"],
      ["CLIENT", "KILL", "USER", "alice", "FOO", "bar"],
      ["CLIENT", "KILL", "FOO", "bar", "x"],
      ["CLIENT", "KILL", "ID", "1", "x"],
      ["CLIENT", "KILL"],
      ["PING"],
    ]);
  },
});

Deno.test({
  name: "CLIENT with an unknown subcommand or a wrong number of arguments answers Redis's texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CLIENT"],
      ["CLIENT", "FOO"],
      ["CLIENT", "FOO", "bar"],
      ["CLIENT", "ID", "extra"],
      ["CLIENT", "SETNAME"],
      ["CLIENT", "SETNAME", "a", "b"],
      ["CLIENT", "GETNAME", "x"],
      ["CLIENT", "INFO", "x"],
      ["CLIENT", "HELP", "x"],
      // Redis prints the subcommand with %.128s: cut at 128 bytes and at a NUL byte.
      ["CLIENT", "a\x00b"],
      ["CLIENT", "x".repeat(200)],
      ["config", "nosuch"],
    ]);
  },
});

Deno.test({
  name: "after HELLO 3, GET and MGET send null as _ and CONFIG GET and HELLO send maps",
  ignore: needsRedis(),
  async fn() {
    const replies = await assertSameAsRedis([
      { cmd: ["HELLO", "3"], normalize: normalizeHelloId },
      ["GET", "nosuch"],
      ["SET", "a", "1"],
      ["MGET", "a", "nosuch", "a"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "GET", "nosuch"],
      ["CLIENT", "GETNAME"],
      { cmd: ["HELLO"], normalize: normalizeHelloId },
      ["INFO", "keyspace"],
      { cmd: ["HELLO", "2"], normalize: normalizeHelloId },
      ["GET", "nosuch"],
      ["CONFIG", "GET", "maxmemory"],
    ]);
    assertEquals(replies[1], "_\r\n");
    assertEquals(replies[3], "*3\r\n$1\r\n1\r\n_\r\n$1\r\n1\r\n");
    assertEquals(replies[4], "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert(replies[8]!.startsWith("=") && replies[8]!.includes("txt:# Keyspace"), "verbatim INFO");
    assertEquals(replies[10], "$-1\r\n");
  },
});

Deno.test({
  name: "CONFIG GET and SET answer Redis's values and error texts",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "1kb"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "2mb"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "1g"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "3GB"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "abc"],
      ["CONFIG", "SET", "maxmemory", "-1"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["CONFIG", "SET", "appendonly", "maybe"],
      ["CONFIG", "SET", "appendonly", "NO"],
      ["CONFIG", "GET", "appendonly"],
      ["CONFIG", "SET", "maxmemory-policy", "foo"],
      ["CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"],
      ["CONFIG", "GET", "maxmemory-policy"],
      ["CONFIG", "SET", "daemonize", "yes"],
      ["CONFIG", "SET", "databases", "5"],
      ["CONFIG", "SET", "enable-debug-command", "yes"],
      ["CONFIG", "SET", "dir", "/tmp"],
      ["CONFIG", "SET", "dbfilename", "x.rdb"],
      ["CONFIG", "SET", "timeout", "x"],
      ["CONFIG", "SET", "timeout", "30", "timeout", "40"],
      ["CONFIG", "SET", "timeout", "30", "maxmemory", "x"],
      ["CONFIG", "GET", "timeout"],
      ["CONFIG", "SET", "timeout", "30", "maxmemory", "1mb"],
      ["CONFIG", "GET", "timeout"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "nosuch", "1"],
      ["CONFIG", "GET", "nosuch"],
      ["CONFIG", "GET", "maxmemory", "maxmemory"],
      ["CONFIG", "GET", "slave-read-only"],
      ["CONFIG", "SET", "timeout"],
      ["CONFIG", "GET"],
      ["CONFIG"],
      ["CONFIG", "FOO"],
      ["CONFIG", "REWRITE"],
    ]);
  },
});

Deno.test({
  name: "CONFIG GET with a glob pattern returns the same pairs as Redis",
  ignore: needsRedis(),
  async fn() {
    // Redis lists matches in its hash table's order, so compare the pairs as a set.
    const sortedPairs = (raw: string) => {
      const flat = parseReply(raw) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return pairs.sort().join(" ");
    };
    await assertSameAsRedis([
      { cmd: ["CONFIG", "GET", "maxmemory*"], normalize: sortedPairs },
      { cmd: ["CONFIG", "GET", "*-max-listpack-*"], normalize: sortedPairs },
      { cmd: ["CONFIG", "GET", "lazyfree*", "maxmemory"], normalize: sortedPairs },
      { cmd: ["CONFIG", "GET", "MAXMEMORY-POLICY"], normalize: sortedPairs },
    ]);
  },
});

Deno.test({
  name: "CONFIG GET hz reports Redis's default of 10",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([["CONFIG", "GET", "hz"]]);
  },
});

Deno.test({
  name: "CONFIG GET proto-max-bulk-len reports Redis's default of 512mb",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([["CONFIG", "GET", "proto-max-bulk-len"]]);
  },
});

Deno.test({
  name: "CONFIG SET with a name but no value after a pair answers a syntax error",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([["CONFIG", "SET", "timeout", "1", "hz"]]);
  },
});

Deno.test({
  name: "CONFIG SET refuses an integer outside the parameter's range",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["CONFIG", "SET", "timeout", "-5"],
      ["CONFIG", "SET", "maxclients", "0"],
    ]);
  },
});

Deno.test({
  name: "DBSIZE, FLUSHDB and FLUSHALL count and clear databases, with ASYNC, SYNC and bad options",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["DBSIZE"],
      ["SET", "a", "1"],
      ["SET", "b", "2"],
      ["DBSIZE"],
      ["SELECT", "1"],
      ["SET", "c", "3"],
      ["DBSIZE"],
      ["FLUSHDB", "ASYNC"],
      ["DBSIZE"],
      ["SELECT", "0"],
      ["DBSIZE"],
      ["FLUSHDB", "bad"],
      ["FLUSHDB", "ASYNC", "SYNC"],
      ["DBSIZE"],
      ["FLUSHDB", "sync"],
      ["DBSIZE"],
      ["SET", "a", "1"],
      ["SELECT", "2"],
      ["SET", "b", "1"],
      ["FLUSHALL", "nope"],
      ["FLUSHALL", "async"],
      ["DBSIZE"],
      ["SELECT", "0"],
      ["DBSIZE"],
      ["FLUSHALL", "SYNC"],
      ["FLUSHALL"],
      ["FLUSHDB"],
      ["DBSIZE", "x"],
    ]);
  },
});

Deno.test({
  name: "TIME returns the current Unix time as seconds and microseconds bulk strings",
  ignore: needsRedis(),
  async fn() {
    const shape = (raw: string) => raw.replace(/\$\d+\r\n\d+\r\n/g, "$n\r\n<digits>\r\n");
    await assertSameAsRedis([
      { cmd: ["TIME"], normalize: shape },
      ["TIME", "x"],
    ]);
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const [seconds, micros] = (parseReply(await session.command("TIME")) as string[]).map(Number);
    assert(Math.abs(seconds! - Date.now() / 1000) < 5, `TIME is off: ${seconds}`);
    assert(micros! >= 0 && micros! < 1_000_000, `bad microseconds ${micros}`);
  },
});

Deno.test({
  name: "TIME reads the server's clock, to the microsecond with the system clock",
  async fn() {
    const clock = new ManualClock(1_700_000_000_123);
    await using server = await startMiniredis({ clock });
    await using session = await RawSession.open(server.port);
    assertEquals(parseReply(await session.command("TIME")), ["1700000000", "123000"]);
    clock.advance(1_500);
    assertEquals(parseReply(await session.command("TIME")), ["1700000001", "623000"]);

    await using real = await startMiniredis();
    await using other = await RawSession.open(real.port);
    const micros: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [, us] = parseReply(await other.command("TIME")) as string[];
      micros.push(Number(us));
    }
    assert(micros.some((us) => us % 1000 !== 0), `TIME has only millisecond steps: ${micros}`);
  },
});

Deno.test({
  name: "SHUTDOWN refuses bad option combinations as Redis does, and ABORT finds none running",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SHUTDOWN", "ABORT"],
      ["SHUTDOWN", "abort", "ABORT"],
      ["SHUTDOWN", "ABORT", "NOW"],
      ["SHUTDOWN", "FORCE", "ABORT"],
      ["SHUTDOWN", "SAVE", "NOSAVE"],
      ["SHUTDOWN", "NOW", "FOO"],
      ["PING"],
    ]);
  },
});

Deno.test({
  name: "LASTSAVE returns an integer Unix time no later than now",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      { cmd: ["LASTSAVE"], normalize: normalizeInteger },
      ["LASTSAVE", "x"],
    ]);
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const value = parseReply(await session.command("LASTSAVE"));
    assert(typeof value === "number", "LASTSAVE is an integer reply");
    assert(value <= Date.now() / 1000 + 1 && value > Date.now() / 1000 - 3600, `${value}`);
  },
});

Deno.test({
  name: "COMMAND COUNT counts the commands that COMMAND describes",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const count = parseReply(await session.command("COMMAND", "COUNT"));
    const all = parseReply(await session.command("COMMAND")) as RespValue[];
    assert(typeof count === "number" && count > 20, `COMMAND COUNT is ${count}`);
    assertEquals(all.length, count);
    const names = all.map((entry) => (entry as RespValue[])[0]);
    for (const name of ["get", "set", "ping", "client", "config", "command", "info"]) {
      assert(names.includes(name), `COMMAND lacks ${name}`);
    }
  },
});

Deno.test({
  name: "COMMAND INFO get describes GET's name, arity, flags and key positions",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const reply = parseReply(await session.command("COMMAND", "INFO", "get", "nosuch"));
    assert(Array.isArray(reply) && reply.length === 2, "one entry per name asked");
    const get = reply[0] as RespValue[];
    assertEquals(get.length, 10);
    assertEquals(get.slice(0, 2), ["get", 2]);
    const flags = (get[2] as RespValue[]).map((f) => (f as { value: string }).value);
    assert(flags.includes("readonly") && flags.includes("fast"), `flags ${flags}`);
    assertEquals(get.slice(3, 6), [1, 1, 1]);
    assertEquals(reply[1], null);
  },
});

Deno.test({
  name: "COMMAND GETKEYS finds key arguments and answers Redis's errors",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["COMMAND", "GETKEYS", "GET", "k"],
      ["COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"],
      ["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"],
      ["COMMAND", "GETKEYS", "DEL", "a", "b", "c"],
      ["COMMAND", "GETKEYS", "PING"],
      ["COMMAND", "GETKEYS", "NOSUCH", "k"],
      ["COMMAND", "GETKEYS", "GET"],
      ["COMMAND", "GETKEYS"],
      ["COMMAND", "COUNT", "x"],
      ["COMMAND", "FOO"],
    ]);
  },
});

Deno.test({
  name: "INFO has Redis's default sections and the fields clients parse",
  ignore: needsRedis(),
  async fn() {
    const sections = async (port: number) => {
      await using session = await RawSession.open(port);
      await session.command("SET", "a", "1");
      await session.command("SET", "b", "2", "EX", "100");
      const text = textOf(await session.command("INFO"));
      return {
        text,
        headers: text.split("\r\n").filter((l) => l.startsWith("# ")),
      };
    };
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const mine = await sections(ours.port);
    const theirs = await sections(real.port);
    assertEquals(mine.headers, theirs.headers);
    const fields = new Map(
      mine.text.split("\r\n").filter((l) => l.includes(":")).map((l) => {
        const colon = l.indexOf(":");
        return [l.slice(0, colon), l.slice(colon + 1)] as const;
      }),
    );
    assertEquals(fields.get("redis_version"), "7.0.15");
    assertEquals(fields.get("loading"), "0");
    assertEquals(fields.get("connected_clients"), "1");
    assertEquals(fields.get("redis_mode"), "standalone");
    assertEquals(fields.get("role"), "master");
    assertEquals(fields.get("tcp_port"), String(ours.port));
    assert(/^\d+$/.test(fields.get("used_memory") ?? ""), "used_memory is a byte count");
    assert(/^keys=2,expires=1,avg_ttl=\d+$/.test(fields.get("db0") ?? ""), fields.get("db0"));
    assert(mine.text.endsWith("\r\n"), "INFO ends with CRLF");
  },
});

Deno.test({
  name: "INFO with section names returns those sections, and nothing for unknown ones",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["INFO", "keyspace"],
      ["SET", "a", "1"],
      ["SELECT", "3"],
      ["SET", "b", "1"],
      ["INFO", "keyspace"],
      ["INFO", "KEYSPACE"],
      ["INFO", "nosuch"],
      ["INFO", "keyspace", "keyspace"],
      ["INFO", "keyspace", "nosuch"],
    ]);
  },
});
