/**
 * The library client (`connect` from src/mod.ts) against our server started in-process:
 * replies as plain values, error replies as `ReplyError`, pipelining, reconnection with the
 * selected database restored, RESP3, text encodings and the tutorial's typed methods.
 */
import { assert, assertEquals, RawSession } from "../_util.ts";
import {
  connect,
  ConnectionError,
  type RedisClient,
  ReplyError,
  type Server,
  startServer,
} from "../../src/mod.ts";

/** Starts a quiet server for one test. */
function quietServer(options: Parameters<typeof startServer>[0] = {}): Promise<Server> {
  return startServer({ logSink: () => {}, ...options });
}

/** Asserts that `promise` rejects with an instance of `type`, returning the error. */
async function rejects<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof type, `rejected with ${error}, not ${type.name}`);
    return error;
  }
  throw new Error(`did not reject (expected ${type.name})`);
}

/** The id of `client`'s current connection. */
async function clientId(client: RedisClient): Promise<number> {
  return await client.send("CLIENT", "ID") as number;
}

Deno.test({
  name: "send returns replies as plain values: strings, integers, null and arrays",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    assertEquals(await client.send("SET", "k", "v"), "OK");
    assertEquals(await client.send("GET", "k"), "v");
    assertEquals(await client.send("GET", "nosuch"), null);
    assertEquals(await client.send("INCRBY", "n", 5), 5);
    assertEquals(await client.send("MGET", "k", "nosuch", "n"), ["v", null, "5"]);
    assertEquals(await client.send("ECHO", 12n), "12");
  },
});

Deno.test({
  name: "sendRaw returns replies with their RESP types, error replies included",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    assertEquals(await client.sendRaw("PING"), { kind: "simple", value: "PONG" });
    assertEquals(await client.sendRaw("NOSUCH"), {
      kind: "error",
      value: "ERR unknown command 'NOSUCH', with args beginning with: ",
    });
    assertEquals(await client.sendRaw("GET", "nosuch"), null);
  },
});

Deno.test({
  name: "send rejects with ReplyError carrying the server's error text",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    await client.send("SET", "s", "text");
    const error = await rejects(client.send("INCR", "s"), ReplyError);
    assertEquals(error.message, "ERR value is not an integer or out of range");
    // The connection goes on after an error reply.
    assertEquals(await client.send("PING"), "PONG");
  },
});

Deno.test({
  name: "many concurrent sends are pipelined and their replies come back in order",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    const replies = await Promise.all(
      Array.from(
        { length: 2000 },
        (_, i) => i % 2 === 0 ? client.send("INCR", "n") : client.send("ECHO", `echo-${i}`),
      ),
    );
    for (let i = 0; i < replies.length; i++) {
      assertEquals(replies[i], i % 2 === 0 ? i / 2 + 1 : `echo-${i}`);
    }
    // One client, one connection: the whole burst travelled on it.
    await using observer = await RawSession.open(server.port);
    const list = await observer.command("CLIENT", "LIST");
    assertEquals(list.split("\n").filter((l) => l.includes("id=")).length, 2);
  },
});

Deno.test({
  name: "binary-safe values survive the client with CRLF, NUL and Uint8Array arguments",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port, encoding: "latin1" });
    await client.send("SET", "bin", new Uint8Array([0, 13, 10, 255, 128]));
    assertEquals(await client.send("GET", "bin"), "\x00\r\n\xff\x80");
    assertEquals(await client.send("STRLEN", "bin"), 5);
  },
});

Deno.test({
  name: "the client reconnects after the server kills its connection, in the same database",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    await using killer = await connect({ port: server.port });
    assertEquals(await client.send("SELECT", "3"), "OK");
    await client.send("SET", "where", "db3");
    const before = await clientId(client);
    assertEquals(await killer.send("CLIENT", "KILL", "ID", before), 1);
    // Let the client see the connection end before it sends again.
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(await client.send("GET", "where"), "db3");
    const after = await clientId(client);
    assert(after !== before, "the client did not open a new connection");
    const info = await client.send("CLIENT", "INFO") as string;
    assert(info.includes(" db=3 "), info);
  },
});

Deno.test({
  name: "the client reconnects with its password and protocol after a kill",
  async fn() {
    await using server = await quietServer({ config: { requirepass: "secret" } });
    await using client = await connect({ port: server.port, password: "secret", protocol: 3 });
    await using killer = await connect({ port: server.port, password: "secret" });
    await killer.send("CLIENT", "KILL", "ID", await clientId(client));
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(await client.send("SET", "k", "v"), "OK");
    const info = await client.send("CLIENT", "INFO") as string;
    assert(info.includes(" resp=3"), info);
  },
});

Deno.test({
  name: "a command in flight when the connection dies rejects with ConnectionError",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    // CLIENT KILL on itself with SKIPME no: its reply comes, then the server hangs up
    // without running the PING pipelined behind it.
    const id = await clientId(client);
    const [kill, ping] = await Promise.allSettled([
      client.send("CLIENT", "KILL", "ID", id, "SKIPME", "no"),
      client.send("PING"),
    ]);
    assertEquals(kill, { status: "fulfilled", value: 1 });
    assert(ping.status === "rejected" && ping.reason instanceof ConnectionError, String(ping));
    // The next command reconnects.
    assertEquals(await client.send("PING"), "PONG");
    assert(await clientId(client) !== id, "the client did not open a new connection");
  },
});

Deno.test({
  name: "sends fail with ConnectionError once the server is gone",
  async fn() {
    const server = await quietServer();
    const port = server.port;
    await using client = await connect({ port, reconnectAttempts: 1 });
    assertEquals(await client.send("PING"), "PONG");
    await server.close();
    await new Promise((r) => setTimeout(r, 50));
    const error = await rejects(client.send("PING"), ConnectionError);
    assert(
      error.message.startsWith(`Could not connect to Redis at 127.0.0.1:${port}:`),
      error.message,
    );
  },
});

Deno.test({
  name: "connect to a port where nothing listens rejects with ConnectionError",
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const error = await rejects(connect({ port, reconnectAttempts: 0 }), ConnectionError);
    assert(error.cause instanceof Deno.errors.ConnectionRefused, String(error.cause));
  },
});

Deno.test({
  name: "a closed client rejects pending and later commands with ConnectionError",
  async fn() {
    await using server = await quietServer();
    const client = await connect({ port: server.port });
    const pending = client.send("PING");
    client.close();
    await rejects(pending, ConnectionError);
    await rejects(client.send("PING"), ConnectionError);
  },
});

Deno.test({
  name: "a wrong password makes connect reject with the server's WRONGPASS error",
  async fn() {
    await using server = await quietServer({ config: { requirepass: "secret" } });
    const error = await rejects(connect({ port: server.port, password: "nope" }), ReplyError);
    assertEquals(error.message, "WRONGPASS invalid username-password pair or user is disabled.");
    await using ok = await connect({ port: server.port, password: "secret" });
    assertEquals(await ok.send("PING"), "PONG");
    await using named = await connect({
      port: server.port,
      username: "default",
      password: "secret",
    });
    assertEquals(await named.send("PING"), "PONG");
  },
});

Deno.test({
  name: "the db option selects a database when connecting",
  async fn() {
    await using server = await quietServer();
    await using inTwo = await connect({ port: server.port, db: 2 });
    await using inZero = await connect({ port: server.port });
    await inTwo.send("SET", "k", "two");
    assertEquals(await inZero.send("GET", "k"), null);
    await inZero.send("SELECT", 2);
    assertEquals(await inZero.send("GET", "k"), "two");
  },
});

Deno.test({
  name: "protocol 3 speaks RESP3: maps become objects and nulls stay null",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port, protocol: 3 });
    const hello = await client.send("HELLO") as Record<string, unknown>;
    assertEquals(hello.proto, 3);
    assertEquals(hello.version, "7.0.15");
    assertEquals(await client.send("CONFIG", "GET", "maxmemory"), { maxmemory: "0" });
    assertEquals(await client.sendRaw("CONFIG", "GET", "maxmemory"), {
      kind: "map",
      entries: [["maxmemory", "0"]],
    });
    assertEquals(await client.send("GET", "nosuch"), null);
    assertEquals(await client.send("MGET", "nosuch"), [null]);
  },
});

Deno.test({
  name: "utf8 encoding sends and reads text as UTF-8; latin1 gives one char per byte",
  async fn() {
    await using server = await quietServer();
    await using text = await connect({ port: server.port });
    await using bytes = await connect({ port: server.port, encoding: "latin1" });
    assertEquals(await text.send("SET", "word", "héllo ☃"), "OK");
    assertEquals(await text.send("STRLEN", "word"), 10);
    assertEquals(await text.send("GET", "word"), "héllo ☃");
    assertEquals(await bytes.send("GET", "word"), "h\xc3\xa9llo \xe2\x98\x83");
    // latin1 strings are sent one byte per char.
    await bytes.send("SET", "raw", "\xe9");
    assertEquals(await bytes.send("STRLEN", "raw"), 1);
    assertEquals(await text.send("STRLEN", "raw"), 1);
  },
});

Deno.test({
  name: "the tutorial's set and get round-trip nested arrays and objects with their types",
  async fn() {
    await using server = await quietServer({ tutorial: true });
    await using client = await connect({ port: server.port });
    const value = {
      name: "widget",
      count: 3,
      ratio: 1.5,
      big: 2n ** 60n,
      ok: true,
      none: null,
      list: [1, "two", [3, { four: 4 }], []],
      empty: {},
    };
    assertEquals(await client.set("k", value), 1);
    assertEquals(await client.get("k"), { ...value, big: 2n ** 60n });
    assertEquals(await client.set("list", ["v2-0", 1, "v2-2"]), 1);
    assertEquals(await client.get("list"), ["v2-0", 1, "v2-2"]);
    assertEquals(await client.set("n", 7), 1);
    assertEquals(await client.get("n"), 7);
    // The wire keeps the types: another connection sees a map, not a string.
    await using raw = await RawSession.open(server.port);
    assertEquals(await raw.command("GET", "list"), "*3\r\n$4\r\nv2-0\r\n:1\r\n$4\r\nv2-2\r\n");
  },
});

Deno.test({
  name: "the tutorial's mset, mget, delete and flush answer as the tutorial's server does",
  async fn() {
    await using server = await quietServer({ tutorial: true });
    await using client = await connect({ port: server.port });
    assertEquals(await client.mset("k1", "v1", "k2", ["v2-0", 1, "v2-2"], "k3", "v3"), 3);
    assertEquals(await client.mget("k3", "k1", "nosuch"), ["v3", "v1", null]);
    assertEquals(await client.delete("k1"), 1);
    assertEquals(await client.get("k1"), null);
    assertEquals(await client.delete("k1"), 0);
    assertEquals(await client.set("kx", { vx: { vy: 0, vz: [1, 2, 3] } }), 1);
    assertEquals(await client.get("kx"), { vx: { vy: 0, vz: [1, 2, 3] } });
    assertEquals(await client.flush(), 3);
    assertEquals(await client.flush(), 0);
  },
});

Deno.test({
  name: "outside tutorial mode, the convenience methods answer as Redis does",
  async fn() {
    await using server = await quietServer();
    await using client = await connect({ port: server.port });
    assertEquals(await client.set("k", "v"), "OK");
    assertEquals(await client.get("k"), "v");
    assertEquals(await client.mset("a", "1", "b", "2"), "OK");
    assertEquals(await client.mget("a", "b"), ["1", "2"]);
  },
});
