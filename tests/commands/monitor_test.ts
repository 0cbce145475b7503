/**
 * MONITOR against a real redis-server 7.0: the lines a monitoring connection receives for
 * another connection's commands (escaping, redaction, admin commands left out, transactions,
 * database numbers), with the timestamp and address checked for shape and then set aside.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  encodeCommand,
  needsRedis,
  RawSession,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { assertSameScenario } from "../_scenario.ts";

/** What the commands below make a monitor see on `port`, addresses and times normalized. */
async function monitorLines(port: number, commands: string[][]): Promise<string[]> {
  await using monitor = await RawSession.open(port);
  await using client = await RawSession.open(port);
  const addr = /addr=(\S+)/.exec(await client.command("CLIENT", "INFO"))![1]!;
  const before = await monitor.command("MONITOR");
  await client.write(commands.map(encodeCommand).join(""));
  await client.read(commands.length);
  await client.command("ECHO", "done");
  const lines: string[] = [before];
  let raw = "";
  const deadline = Date.now() + 5000;
  while (!raw.includes('"ECHO" "done"\r\n')) {
    assert(Date.now() < deadline, `no ECHO line in ${JSON.stringify(raw)}`);
    raw += await monitor.read(1);
  }
  for (const line of raw.split("\r\n").slice(0, -1)) {
    const m = /^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$/s.exec(line);
    assert(m !== null, `not a monitor line: ${JSON.stringify(line)}`);
    assert(Math.abs(Number(m[1]) - Date.now() / 1000) < 60, `odd time in ${line}`);
    assertEquals(m[4], addr);
    lines.push(`[${m[3]}] ${m[5]}`);
  }
  return lines;
}

Deno.test({
  name: "MONITOR shows each command as Redis does, quoted, redacted and in order",
  ignore: needsRedis(),
  async fn() {
    const commands = [
      ["SET", "a b", 'x\ty\x01\xe9\\"\r\n\x07\x08'],
      ["SELECT", "1"],
      ["GET", "a b"],
      ["AUTH", "secret"],
      ["AUTH", "default", "secret"],
      ["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"],
      ["MULTI"],
      ["SET", "k", "1"],
      ["NOSUCH"],
      ["EXEC"],
      ["MULTI"],
      ["INCR", "k"],
      ["EXEC"],
      ["CONFIG", "GET", "hz"],
      ["CLIENT", "LIST"],
      ["CLIENT", "ID"],
      ["NOSUCHCOMMAND"],
      ["GET"],
      ["INCR", "a b"],
      ["SELECT", "0"],
      ["BLPOP", "nolist", "0.01"],
      ["SET", "n", "12345"],
    ];
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const [mine, theirs] = await Promise.all([
      monitorLines(ours.port, commands),
      monitorLines(real.port, commands),
    ]);
    assertEquals(mine, theirs);
  },
});

Deno.test({
  name: "MONITOR in a transaction is refused, a second MONITOR is silent, RESET ends it",
  ignore: needsRedis(),
  async fn() {
    for (const start of [startMiniredis, startRealRedis]) {
      await using server = await start();
      await using m = await RawSession.open(server.port);
      assertEquals(await m.command("MULTI"), "+OK\r\n");
      assertEquals(await m.command("MONITOR"), "+QUEUED\r\n");
      assertEquals(
        await m.command("EXEC"),
        "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
      );
      assertEquals(await m.command("MONITOR"), "+OK\r\n");
      // A second MONITOR has no reply; RESET ends monitoring before it could be shown.
      await m.write(encodeCommand(["MONITOR"]) + encodeCommand(["RESET"]));
      assertEquals(await m.read(1), "+RESET\r\n");
      await using other = await RawSession.open(server.port);
      await other.command("PING");
      assertEquals(await m.command("PING"), "+PONG\r\n");
    }
  },
});

Deno.test({
  name:
    "A MONITOR connection cannot read, write or publish: Replica can't interact with the keyspace",
  ignore: needsRedis(),
  async fn() {
    await assertSameScenario(async (s) => {
      // Only the monitor's own commands run here, so it receives no monitor lines.
      await s.call("m", "MONITOR");
      await s.call("m", "SET", "k", "v");
      await s.call("m", "GET", "k");
      await s.call("m", "PUBLISH", "c", "x");
      // (Commands it may run, PING, MULTI..., are shown to it with times: not compared here.)
      await s.call("m", "RESET");
      await s.call("m", "EXISTS", "k");
    });
  },
});
