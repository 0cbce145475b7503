/**
 * The `timeout` parameter: a client idle for longer than that many seconds is closed, on our
 * server as on a real redis-server 7.0; an active client and a client blocked in BLPOP stay.
 *
 * @module
 */
import {
  assertEquals,
  encodeCommand,
  needsRedis,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";

/** Idle, active and blocked clients on the server at `port` after 2.6 s with timeout 1. */
async function idleOutcome(port: number): Promise<Record<string, boolean | string>> {
  await using control = await RawSession.open(port);
  await control.command("CONFIG", "SET", "timeout", "1");
  await using idle = await RawSession.open(port);
  await using active = await RawSession.open(port);
  await using blocked = await RawSession.open(port);
  await idle.command("PING");
  await blocked.write(encodeCommand(["BLPOP", "never", "0"]));
  for (let i = 0; i < 13; i++) {
    await sleep(200);
    await active.command("PING");
    await control.command("PING");
  }
  const outcome = {
    idleClosed: await idle.closedByPeer(300),
    activeClosed: await active.closedByPeer(300),
    blockedServed: "",
  };
  await control.command("RPUSH", "never", "v");
  outcome.blockedServed = await blocked.read(1);
  return outcome;
}

Deno.test({
  name: "timeout closes idle clients and spares active and blocked ones, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const [mine, theirs] = await Promise.all([idleOutcome(ours.port), idleOutcome(real.port)]);
    assertEquals(mine, theirs);
    assertEquals(mine, {
      idleClosed: true,
      activeClosed: false,
      blockedServed: "*2\r\n$5\r\nnever\r\n$1\r\nv\r\n",
    });
  },
});
