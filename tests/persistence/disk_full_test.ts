/**
 * A full disk, for real: a 1 MiB tmpfs mounted for the test (root only; skipped with the
 * reason printed where it cannot be mounted). Writes that the AOF cannot take are held, not
 * acknowledged; new writes get MISCONF while reads go on; everything resumes when space comes
 * back, and nothing acknowledged is lost. A failed BGSAVE with save points set refuses writes
 * the same way (stop-writes-on-bgsave-error) until a save succeeds.
 */
import { RedisClient } from "../../src/client/client.ts";
import { assert, assertEquals, sleep, startMiniredis } from "../_util.ts";

/** Mounts a tmpfs of `size` on a new temp dir; null (with the reason) when that fails. */
async function mountSmallDisk(
  size: string,
): Promise<{ dir: string; unmount(): Promise<void> } | string> {
  const dir = await Deno.makeTempDir({ prefix: "miniredis-full-" });
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    await Deno.remove(dir);
    return `mount is not available (${error})`;
  }
  if (!output.success) {
    await Deno.remove(dir);
    return `cannot mount a tmpfs here: ${new TextDecoder().decode(output.stderr).trim()}`;
  }
  return {
    dir,
    async unmount() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Fills `dir` with a file of zeros until the disk is full; returns its path. */
function fill(dir: string): string {
  const path = `${dir}/filler`;
  const file = Deno.openSync(path, { write: true, create: true });
  const chunk = new Uint8Array(4096);
  try {
    for (;;) file.writeSync(chunk);
  } catch {
    // full
  } finally {
    file.close();
  }
  return path;
}

function infoField(text: string, field: string): string {
  return text.split("\r\n").find((l) => l.startsWith(`${field}:`))?.slice(field.length + 1) ?? "";
}

const probe = await mountSmallDisk("1m");
const skip = typeof probe === "string" ? probe : null;
if (typeof probe !== "string") await probe.unmount();
if (skip !== null) console.warn(`SKIP: disk-full tests: ${skip}`);

for (const policy of ["everysec", "always"]) {
  Deno.test({
    name:
      `a full disk holds the unwritten writes, refuses new ones with MISCONF and recovers (appendfsync ${policy})`,
    ignore: skip !== null,
    async fn() {
      const disk = await mountSmallDisk("2m");
      if (typeof disk === "string") throw new Error(disk);
      const log: string[] = [];
      const server = await startMiniredis({
        loglevel: "notice",
        logSink: (line) => log.push(line),
        config: { dir: disk.dir, appendonly: "yes", appendfsync: policy },
      });
      const writer = await RedisClient.connect({ port: server.port });
      const reader = await RedisClient.connect({ port: server.port });
      try {
        await writer.send("SET", "before", "1");
        const filler = fill(disk.dir);
        // This write cannot reach the file: its reply waits.
        let acknowledged = false;
        const held = writer.send("SET", "big", "x".repeat(100_000)).then(
          () => (acknowledged = true),
        );
        await sleep(300);
        assertEquals(acknowledged, false);
        // Reads go on; writes, and PING, are refused with MISCONF, as in Redis.
        assertEquals(await reader.send("GET", "before"), "1");
        const refused = await reader.send("SET", "other", "1").catch((e) => String(e));
        assertEquals(
          String(refused).includes(
            "MISCONF Errors writing to the AOF file: No space left on device",
          ),
          true,
          String(refused),
        );
        assertEquals(
          String(await reader.send("PING").catch((e) => String(e))).includes("MISCONF"),
          true,
        );
        const info = String(await reader.send("INFO", "persistence"));
        assertEquals(infoField(info, "aof_last_write_status"), "err");
        assert(
          log.some((l) => l.includes("Error writing to the AOF file: No space left on device")),
        );
        // Space comes back: the held write is written and acknowledged, writes are accepted.
        Deno.removeSync(filler);
        await held;
        assertEquals(await reader.send("SET", "after", "1"), "OK");
        assert(log.some((l) => l.includes("AOF write error looks solved, Redis can write again.")));
      } finally {
        writer.close();
        reader.close();
        await server.close();
      }
      // Nothing acknowledged was lost.
      const again = await startMiniredis({ config: { dir: disk.dir, appendonly: "yes" } });
      try {
        const client = await RedisClient.connect({ port: again.port });
        assertEquals(await client.send("MGET", "before", "after", "other"), ["1", "1", null]);
        assertEquals(((await client.send("GET", "big")) as string).length, 100_000);
        client.close();
      } finally {
        await again.close();
        await disk.unmount();
      }
    },
  });
}

Deno.test({
  name: "a failed BGSAVE with save points set refuses writes with MISCONF until a save succeeds",
  ignore: skip !== null,
  async fn() {
    const disk = await mountSmallDisk("1m");
    if (typeof disk === "string") throw new Error(disk);
    const server = await startMiniredis({ config: { dir: disk.dir, save: "3600 1" } });
    const client = await RedisClient.connect({ port: server.port });
    try {
      // Random bytes: LZF cannot shrink them below the disk's size.
      let big = "";
      for (let i = 0; i < 160; i++) {
        big += String.fromCharCode(...crypto.getRandomValues(new Uint8Array(8192)));
      }
      await client.send("SET", "big", big);
      assertEquals(await client.send("BGSAVE"), "Background saving started");
      let info = "";
      for (let i = 0; i < 200; i++) {
        info = String(await client.send("INFO", "persistence"));
        if (infoField(info, "rdb_bgsave_in_progress") === "0") break;
        await sleep(10);
      }
      assertEquals(infoField(info, "rdb_last_bgsave_status"), "err");
      const refused = String(await client.send("SET", "k", "v").catch((e) => String(e)));
      assert(refused.includes("MISCONF Redis is configured to save RDB snapshots"), refused);
      assertEquals(await client.send("GET", "k"), null);
      // CONFIG SET stop-writes-on-bgsave-error no lets writes in, as in Redis.
      await client.send("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
      assertEquals(await client.send("SET", "k", "v"), "OK");
      assertEquals(await client.send("DEL", "big"), 1);
      await client.send("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
      assert(
        String(await client.send("SET", "k2", "v").catch((e) => String(e))).includes("MISCONF"),
      );
      // A save that succeeds lets writes in again.
      assertEquals(await client.send("SAVE"), "OK");
      assertEquals(await client.send("SET", "k2", "v"), "OK");
    } finally {
      client.close();
      await server.close();
      await disk.unmount();
    }
  },
});
