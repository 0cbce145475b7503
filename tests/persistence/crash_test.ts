/**
 * Crash tests: a server process with the AOF on is killed with SIGKILL at a random moment
 * while writers push acknowledged writes (and, in some rounds, while a rewrite runs), then
 * restarted on the same directory: every acknowledged write must be there. SIGKILL kills the
 * process, not the machine, so what was written to the OS survives under every fsync policy;
 * as our replies wait until the AOF write is done, `everysec` and `no` keep every acknowledged
 * write here too (only a machine crash could lose their last second).
 *
 * Each test runs MINIREDIS_CRASH_ROUNDS rounds (default 4, to keep the suite short).
 */
import { RedisClient } from "../../src/client/client.ts";
import { assert, assertEquals, freePort, seededRandom, sleep } from "../_util.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** Kill-and-restart rounds per policy; MINIREDIS_CRASH_ROUNDS=200 for a long soak. */
const ROUNDS = Number(Deno.env.get("MINIREDIS_CRASH_ROUNDS") ?? "4");

/** Starts `miniredis serve` on `dir` and resolves with the process once its data is loaded. */
async function spawnServer(
  dir: string,
  policy: string,
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "serve",
      "--port",
      String(port),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      policy,
      "--save",
      "",
      "--loglevel",
      "warning",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      // Accepting connections is not enough: the data may still be loading (LOADING).
      const client = await RedisClient.connect({ port });
      const pong = await client.send("PING").catch(() => null);
      client.close();
      if (pong === "PONG") return { child, port };
      await sleep(25);
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error("server did not start");
      }
      await sleep(25);
    }
  }
}

/** Pushes `c:i` onto `log:c` in order, 8 in flight, until the connection fails. */
async function writer(port: number, c: number, acked: number[]): Promise<void> {
  let client: RedisClient;
  try {
    client = await RedisClient.connect({ port });
  } catch {
    return;
  }
  try {
    for (let i = acked[c]!;; i += 8) {
      const batch = [];
      for (let j = i; j < i + 8; j++) {
        batch.push(
          client.send("RPUSH", `log:${c}`, `${c}:${j}`).then(() => {
            acked[c] = Math.max(acked[c]!, j + 1);
          }),
        );
      }
      await Promise.all(batch);
    }
  } catch {
    // the server was killed
  } finally {
    client.close();
  }
}

for (const policy of ["always", "everysec"]) {
  Deno.test(`SIGKILL at random moments loses no acknowledged write (appendfsync ${policy})`, async () => {
    const random = seededRandom(policy === "always" ? 11 : 29);
    const dir = await Deno.makeTempDir({ prefix: "miniredis-crash-" });
    const writers = 4;
    // What each writer has had acknowledged over all rounds (its list only grows).
    const acked = new Array(writers).fill(0);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const { child, port } = await spawnServer(dir, policy);
        // Writers resume where the acknowledged prefix ends (the list may hold more).
        const check = await RedisClient.connect({ port });
        for (let c = 0; c < writers; c++) {
          const list = (await check.send("LRANGE", `log:${c}`, "0", "-1")) as string[];
          assert(list.length >= acked[c], `round ${round}: writer ${c} lost writes`);
          for (let j = 0; j < list.length; j++) assertEquals(list[j], `${c}:${j}`);
          acked[c] = list.length;
        }
        if (round % 2 === 1) await check.send("BGREWRITEAOF");
        check.close();
        const before = [...acked];
        const running = Array.from({ length: writers }, (_, c) => writer(port, c, acked));
        await sleep(150 + Math.floor(random() * 400));
        child.kill("SIGKILL");
        await child.status;
        await Promise.all(running);
        assert(acked.some((n, c) => n > before[c]!), `round ${round}: nothing was written`);
      }
      // The last restart: every acknowledged write is there.
      const { child, port } = await spawnServer(dir, policy);
      try {
        const check = await RedisClient.connect({ port });
        for (let c = 0; c < writers; c++) {
          const list = (await check.send("LRANGE", `log:${c}`, "0", "-1")) as string[];
          assert(list.length >= acked[c], `writer ${c}: ${list.length} < ${acked[c]}`);
          for (let j = 0; j < list.length; j++) assertEquals(list[j], `${c}:${j}`);
        }
        check.close();
      } finally {
        child.kill("SIGKILL");
        await child.status;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
