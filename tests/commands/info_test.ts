/**
 * INFO's counters that monitoring reads: error replies (total_error_replies and the Errorstats
 * section, by error code) compared with a real redis-server 7.0, CONFIG RESETSTAT, and the
 * memory peak.
 */
import {
  assert,
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  parseReply,
  RawSession,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";

/** The text of a bulk or verbatim reply. */
function textOf(raw: string): string {
  const value = parseReply(raw);
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && "kind" in value) {
    if (value.kind === "verbatim") return value.value;
  }
  throw new Error(`Not a text reply: ${JSON.stringify(raw)}`);
}

/** The `name:value` fields of an INFO reply. */
function infoFields(raw: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of textOf(raw).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A step asking INFO stats for total_error_replies only (the other stats vary by nature). */
const totalErrors: ScriptStep = {
  cmd: ["INFO", "stats"],
  normalize: (raw) => `total_error_replies=${infoFields(raw).get("total_error_replies")}`,
};

Deno.test({
  name: "INFO counts every error reply by its code, as Redis's errorstats does",
  ignore: needsRedis(),
  async fn() {
    const replies = await assertSameAsRedis([
      ["INFO", "errorstats"],
      totalErrors,
      ["NOSUCHCOMMAND", "x"],
      ["GET"],
      ["CONFIG", "NOSUCH"],
      ["HELLO", "9"],
      ["SET", "k", "v"],
      ["INCR", "k"],
      ["SELECT", "99"],
      ["COMMAND", "GETKEYS", "TIME", "x"],
      ["CLIENT", "KILL", "TYPE", "foo"],
      ["GET", "k"],
      ["INFO", "errorstats"],
      totalErrors,
      // CONFIG RESETSTAT clears the error counters too.
      ["CONFIG", "RESETSTAT"],
      ["INFO", "errorstats"],
      totalErrors,
      ["GET"],
      ["INFO", "errorstats"],
    ]);
    assertEquals(
      textOf(replies[12]!),
      "# Errorstats\r\nerrorstat_ERR:count=7\r\nerrorstat_NOPROTO:count=1\r\n",
    );
    assertEquals(replies[13], "total_error_replies=8");
    assertEquals(textOf(replies[15]!), "# Errorstats\r\n");
    assertEquals(replies[16], "total_error_replies=0");
  },
});

Deno.test({
  name: "with requirepass, INFO counts NOAUTH and WRONGPASS replies, codes in byte order",
  ignore: needsRedis(),
  async fn() {
    const replies = await assertSameAsRedis([
      ["GET", "k"],
      ["PING"],
      ["AUTH", "wrong"],
      ["HELLO", "3", "AUTH", "default", "wrong"],
      ["HELLO", "2", "SETNAME", "x"],
      ["NOSUCHCOMMAND"],
      ["AUTH", "pw"],
      ["INFO", "errorstats"],
      totalErrors,
    ], { ours: { config: { requirepass: "pw" } }, redisArgs: ["--requirepass", "pw"] });
    assert(replies[7]!.includes("errorstat_NOAUTH:count=3\r\n"), replies[7]);
  },
});

Deno.test({
  name: "INFO used_memory_peak is the highest used_memory seen, and CONFIG RESETSTAT keeps it",
  async fn() {
    await using server = await startMiniredis();
    await using session = await RawSession.open(server.port);
    const memory = async () => {
      const fields = infoFields(await session.command("INFO", "memory"));
      return {
        used: Number(fields.get("used_memory")),
        peak: Number(fields.get("used_memory_peak")),
        perc: fields.get("used_memory_peak_perc")!,
      };
    };
    const first = await memory();
    assert(first.peak >= first.used, `peak ${first.peak} below used ${first.used}`);
    await session.command("SET", "big", "x".repeat(4 * 1024 * 1024));
    const grown = await memory();
    assert(grown.peak >= grown.used && grown.peak >= first.peak, JSON.stringify(grown));
    await session.command("DEL", "big");
    await session.command("CONFIG", "RESETSTAT");
    const after = await memory();
    assert(after.peak >= grown.peak, `peak fell from ${grown.peak} to ${after.peak}`);
    assert(after.peak >= after.used, JSON.stringify(after));
    assert(/^\d+\.\d\d%$/.test(after.perc), `used_memory_peak_perc is ${after.perc}`);
  },
});
Deno.test({
  name: "INFO counts protocol error replies too, as Redis does",
  ignore: needsRedis(),
  async fn() {
    const observe = async (port: number) => {
      for (const bad of ["*1\r\n$x\r\n", 'SET a "b\r\n', "*-5x\r\n"]) {
        await using session = await RawSession.open(port);
        await session.write(bad);
        await session.read(1);
      }
      await using session = await RawSession.open(port);
      return [
        textOf(await session.command("INFO", "errorstats")),
        infoFields(await session.command("INFO", "stats")).get("total_error_replies"),
      ];
    };
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    assertEquals(await observe(ours.port), await observe(real.port));
  },
});
