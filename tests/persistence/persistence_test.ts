import { RedisClient } from "../../src/client/client.ts";
import { ManualClock } from "../../src/keyspace/clock.ts";
import { Server } from "../../src/server/server.ts";
import {
  assert,
  assertEquals,
  needsRedis,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "../_util.ts";
import { datasetOf, writeMixedDataset } from "./_dataset.ts";

/** A temp dir for one test, removed by `using`-style cleanup in `finally`. */
async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "miniredis-persist-" });
}

/** Our server on `dir` with `config`, its log lines collected. */
async function serverOn(
  dir: string,
  config: Record<string, string> = {},
): Promise<{ server: Server; log: string[] }> {
  const log: string[] = [];
  const server = await startMiniredis({
    loglevel: "notice",
    logSink: (line) => log.push(line),
    config: { dir, ...config },
  });
  return { server, log };
}

async function send(port: number, ...args: string[]): Promise<unknown> {
  const client = await RedisClient.connect({ port });
  try {
    return await client.send(...args);
  } finally {
    client.close();
  }
}

async function info(port: number, field: string): Promise<string> {
  const text = String(await send(port, "INFO", "persistence"));
  const line = text.split("\r\n").find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1) ?? "";
}

async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(10);
  }
}

Deno.test("SAVE writes a dump.rdb that a restarted server loads: every type, TTL and database", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir);
    await writeMixedDataset(first.server.port);
    const before = await datasetOf(first.server.port);
    assertEquals(await send(first.server.port, "SAVE"), "OK");
    await first.server.close();
    const second = await serverOn(dir);
    try {
      assertEquals(await datasetOf(second.server.port), before);
      assert(second.log.some((l) => l.includes("DB loaded from disk")), second.log.join("\n"));
      assertEquals(
        await info(second.server.port, "rdb_last_load_keys_loaded"),
        String(before.length),
      );
    } finally {
      await second.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "Our dump.rdb loads in redis-server 7.0, and its dump.rdb loads in ours, key for key",
  ignore: needsRedis(),
  fn: async () => {
    const ours = await tempDir();
    const theirs = await tempDir();
    try {
      const mini = await serverOn(ours);
      await writeMixedDataset(mini.server.port);
      const expected = await datasetOf(mini.server.port);
      await send(mini.server.port, "SAVE");
      await mini.server.close();
      // Redis started on our file has our data, and saves it back for us to load.
      await Deno.copyFile(`${ours}/dump.rdb`, `${theirs}/dump.rdb`);
      const real = await startRealRedis(["--dir", theirs]);
      try {
        assertEquals(await datasetOf(real.port), expected);
        await send(real.port, "SET", "written-by-redis", "1");
        await send(real.port, "SAVE");
      } finally {
        await real.close();
      }
      await Deno.copyFile(`${theirs}/dump.rdb`, `${ours}/dump.rdb`);
      const again = await serverOn(ours);
      try {
        const loaded = await datasetOf(again.server.port);
        assertEquals(loaded, [...expected, `0 "written-by-redis" string "1" -1`].sort());
      } finally {
        await again.server.close();
      }
    } finally {
      await Deno.remove(ours, { recursive: true });
      await Deno.remove(theirs, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("BGSAVE writes the dataset of the moment it began while writes go on", async () => {
  const dir = await tempDir();
  const n = 200_000;
  try {
    const { server } = await serverOn(dir);
    const port = server.port;
    const client = await RedisClient.connect({ port });
    try {
      for (let i = 0; i < n; i += 10_000) {
        const args: string[] = [];
        for (let j = i; j < i + 10_000; j++) args.push(`k${j}`, "0");
        await client.send("MSET", ...args);
      }
      assertEquals(await client.send("BGSAVE"), "Background saving started");
      // Writes while the save runs: every key changed, some deleted, new ones created.
      let duringSave = 0;
      for (let i = 0; i < n; i += 1000) {
        const pipeline = [];
        for (let j = i; j < i + 1000; j++) pipeline.push(client.send("INCR", `k${j}`));
        pipeline.push(client.send("DEL", `k${i}`), client.send("SET", `new${i}`, "x"));
        await Promise.all(pipeline);
        if ((await info(port, "rdb_bgsave_in_progress")) === "1") duringSave++;
      }
      await waitFor(async () => (await info(port, "rdb_bgsave_in_progress")) === "0");
      assertEquals(await info(port, "rdb_last_bgsave_status"), "ok");
      assert(duringSave > 0, "no write happened while the save ran");
    } finally {
      client.close();
      await server.close();
    }
    const again = await serverOn(dir);
    try {
      const check = await RedisClient.connect({ port: again.server.port });
      try {
        assertEquals(await check.send("DBSIZE"), n);
        let changed = 0;
        for (let i = 0; i < n; i += 10_000) {
          const keys = Array.from({ length: 10_000 }, (_, j) => `k${i + j}`);
          const values = (await check.send("MGET", ...keys)) as string[];
          changed += values.filter((v) => v !== "0").length;
        }
        assertEquals(changed, 0);
      } finally {
        check.close();
      }
    } finally {
      await again.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SAVE, BGSAVE and LASTSAVE report as Redis does; changes since the save reset", async () => {
  const dir = await tempDir();
  try {
    const { server } = await serverOn(dir);
    const port = server.port;
    try {
      await send(port, "SET", "a", "1");
      await send(port, "SET", "b", "2");
      assertEquals(await info(port, "rdb_changes_since_last_save"), "2");
      const lastSave = Number(await send(port, "LASTSAVE"));
      await sleep(1100);
      assertEquals(await send(port, "SAVE"), "OK");
      assertEquals(await info(port, "rdb_changes_since_last_save"), "0");
      assert(Number(await send(port, "LASTSAVE")) > lastSave);
      assertEquals(await info(port, "rdb_saves"), "1");
      await send(port, "SET", "c", "3");
      assertEquals(await send(port, "BGSAVE"), "Background saving started");
      await waitFor(async () => (await info(port, "rdb_bgsave_in_progress")) === "0");
      assertEquals(await info(port, "rdb_changes_since_last_save"), "0");
      assertEquals(await info(port, "rdb_saves"), "2");
      const error = await send(port, "BGSAVE", "now").catch((e) => String(e));
      assertEquals(String(error).includes("syntax error"), true);
    } finally {
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("An AOF server restarted has every acknowledged write, in every database", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir, { appendonly: "yes", appendfsync: "always" });
    const port = first.server.port;
    await writeMixedDataset(port);
    await send(port, "INCR", "counter");
    await send(port, "INCRBY", "counter", "41");
    await send(port, "DEL", "set");
    await send(port, "LPOP", "list");
    const before = await datasetOf(port);
    await first.server.close();
    const names = [...Deno.readDirSync(`${dir}/appendonlydir`)].map((e) => e.name).sort();
    assertEquals(names, [
      "appendonly.aof.1.base.rdb",
      "appendonly.aof.1.incr.aof",
      "appendonly.aof.manifest",
    ]);
    const second = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await datasetOf(second.server.port), before);
      assert(
        second.log.some((l) => l.includes("DB loaded from append only file")),
        second.log.join("\n"),
      );
    } finally {
      await second.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A cut-short last AOF record is dropped and the file cut back; damage before the end stops the start", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir, { appendonly: "yes" });
    await send(first.server.port, "SET", "a", "1");
    await send(first.server.port, "SET", "b", "2");
    await first.server.close();
    const incr = `${dir}/appendonlydir/appendonly.aof.1.incr.aof`;
    const whole = Deno.readFileSync(incr);
    Deno.writeFileSync(incr, new TextEncoder().encode("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$"), {
      append: true,
    });
    const second = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await send(second.server.port, "MGET", "a", "b", "c"), ["1", "2", null]);
      assert(
        second.log.some((l) => l.includes("!!! Warning: short read while loading the AOF file")),
      );
      assertEquals(Deno.statSync(incr).size, whole.length);
    } finally {
      await second.server.close();
    }
    // A damaged record in the middle: the server does not start, and says where.
    const bad = Deno.readFileSync(incr);
    const firstSet = new TextDecoder().decode(bad).indexOf("*3\r\n$3\r\nSET");
    bad[firstSet] = "X".charCodeAt(0);
    Deno.writeFileSync(incr, bad);
    const log: string[] = [];
    let failure = "";
    try {
      const server = await startMiniredis({
        loglevel: "notice",
        logSink: (line) => log.push(line),
        config: { dir, appendonly: "yes" },
      });
      await server.close();
    } catch (error) {
      failure = String(error);
    }
    assert(failure.includes("Bad file format reading the append only file"), failure);
    assert(failure.includes(`at offset ${firstSet}`), failure);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every key `k0..k<n-1>` of the server at `port`, by MGET in pages. */
async function valuesOf(port: number, n: number): Promise<(string | null)[]> {
  const client = await RedisClient.connect({ port });
  try {
    const out: (string | null)[] = [];
    for (let i = 0; i < n; i += 10_000) {
      const keys = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => `k${i + j}`);
      out.push(...((await client.send("MGET", ...keys)) as (string | null)[]));
    }
    return out;
  } finally {
    client.close();
  }
}

Deno.test("BGREWRITEAOF while clients write: a new base and incr file, and every write survives a restart", async () => {
  const dir = await tempDir();
  const n = 50_000;
  try {
    const first = await serverOn(dir, { appendonly: "yes" });
    const port = first.server.port;
    const client = await RedisClient.connect({ port });
    try {
      for (let i = 0; i < n; i += 5000) {
        const args: string[] = [];
        for (let j = i; j < i + 5000; j++) args.push(`k${j}`, String(j));
        await client.send("MSET", ...args);
      }
      await client.send("RPUSH", "list", ...Array.from({ length: 1000 }, (_, i) => String(i)));
      assertEquals(
        await client.send("BGREWRITEAOF"),
        "Background append only file rewriting started",
      );
      let during = 0;
      for (let i = 0; i < 2000; i++) {
        await client.send("INCR", `k${i * 7}`);
        if (i % 100 === 0) {
          await client.send("LPUSH", "list", `x${i}`);
          if ((await info(port, "aof_rewrite_in_progress")) === "1") during++;
        }
      }
      await waitFor(async () => (await info(port, "aof_rewrite_in_progress")) === "0");
      assertEquals(await info(port, "aof_last_bgrewrite_status"), "ok");
      assert(during > 0, "no write happened while the rewrite ran");
      await client.send("SET", "after", "rewrite");
    } finally {
      client.close();
    }
    const values = await valuesOf(port, n);
    assertEquals(values.filter((v, i) => v !== String(i % 7 === 0 && i < 14_000 ? i + 1 : i)), []);
    const others = await send(port, "LRANGE", "list", "0", "-1");
    await first.server.close();
    const manifest = Deno.readTextFileSync(`${dir}/appendonlydir/appendonly.aof.manifest`);
    assertEquals(
      manifest,
      "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
    );
    const second = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await valuesOf(second.server.port, n), values);
      assertEquals(await send(second.server.port, "LRANGE", "list", "0", "-1"), others);
      assertEquals(await send(second.server.port, "GET", "after"), "rewrite");
    } finally {
      await second.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CONFIG SET appendonly yes writes a fresh AOF from the dataset, loaded at the next start", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir);
    const port = first.server.port;
    await writeMixedDataset(port);
    assertEquals(await send(port, "CONFIG", "SET", "appendonly", "yes"), "OK");
    await waitFor(async () =>
      (await info(port, "aof_rewrite_in_progress")) === "0" &&
      (await info(port, "aof_enabled")) === "1"
    );
    await send(port, "SET", "later", "1");
    const before = await datasetOf(port);
    await first.server.close();
    const second = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await datasetOf(second.server.port), before);
    } finally {
      await second.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "redis-server 7.0 loads our AOF directory, and we load the one it writes",
  ignore: needsRedis(),
  fn: async () => {
    for (const preamble of ["yes", "no"]) {
      const dir = await tempDir();
      try {
        const mini = await serverOn(dir, { appendonly: "yes", "aof-use-rdb-preamble": preamble });
        await writeMixedDataset(mini.server.port);
        await send(mini.server.port, "BGREWRITEAOF");
        await waitFor(async () =>
          (await info(mini.server.port, "aof_rewrite_in_progress")) === "0"
        );
        await send(mini.server.port, "INCR", "int");
        const expected = await datasetOf(mini.server.port);
        await mini.server.close();
        const real = await startRealRedis(["--dir", dir, "--appendonly", "yes"]);
        try {
          assertEquals(await datasetOf(real.port), expected, `preamble ${preamble}`);
          await send(real.port, "INCR", "int");
          await send(real.port, "BGREWRITEAOF");
          await waitFor(async () => (await info(real.port, "aof_rewrite_in_progress")) === "0");
          await send(real.port, "SET", "redis-was-here", "1");
          await sleep(50);
        } finally {
          // Redis keeps its own copy of the dir until close; ours is read back after.
          const theirs = await datasetOf(real.port);
          await real.close().catch(() => {});
          const again = await serverOn(dir, { appendonly: "yes" });
          try {
            assertEquals(await datasetOf(again.server.port), theirs);
          } finally {
            await again.server.close();
          }
        }
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
  },
});

Deno.test("a save point passed starts a BGSAVE; SHUTDOWN saves, SHUTDOWN NOSAVE does not", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir, { save: "1 2" });
    const port = first.server.port;
    try {
      await send(port, "SET", "a", "1");
      await send(port, "SET", "b", "2");
      await waitFor(async () =>
        (await info(port, "rdb_saves")) === "1" &&
        (await info(port, "rdb_bgsave_in_progress")) === "0", 5000);
      assert(first.log.some((l) => l.includes("2 changes in 1 seconds. Saving...")));
      assertEquals(await info(port, "rdb_changes_since_last_save"), "0");
      await send(port, "SET", "c", "3");
      // SHUTDOWN NOSAVE leaves the file as the save point wrote it.
      await send(port, "SHUTDOWN", "NOSAVE").catch(() => {});
      await first.server.finished;
    } finally {
      await first.server.close();
    }
    const second = await serverOn(dir);
    try {
      assertEquals(await send(second.server.port, "MGET", "a", "b", "c"), ["1", "2", null]);
      await send(second.server.port, "SET", "c", "3");
      // SHUTDOWN SAVE saves even without save points.
      await send(second.server.port, "SHUTDOWN", "SAVE").catch(() => {});
      await second.server.finished;
      assert(second.log.some((l) => l.includes("Saving the final RDB snapshot before exiting.")));
    } finally {
      await second.server.close();
    }
    const third = await serverOn(dir);
    try {
      assertEquals(await send(third.server.port, "MGET", "a", "b", "c"), ["1", "2", "3"]);
    } finally {
      await third.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the AOF is rewritten on its own once it grows past auto-aof-rewrite-percentage", async () => {
  const dir = await tempDir();
  try {
    const { server, log } = await serverOn(dir, {
      appendonly: "yes",
      "auto-aof-rewrite-min-size": "10kb",
      "auto-aof-rewrite-percentage": "100",
    });
    const port = server.port;
    try {
      const client = await RedisClient.connect({ port });
      for (let i = 0; i < 2000; i++) await client.send("SET", "same-key", String(i));
      client.close();
      await waitFor(async () => (await info(port, "aof_rewrites")) === "1", 5000);
      assert(log.some((l) => /Starting automatic rewriting of AOF on \d+% growth/.test(l)));
      await waitFor(async () => (await info(port, "aof_rewrite_in_progress")) === "0");
      // The rewritten AOF holds the one key, not 2000 SETs.
      assert(Number(await info(port, "aof_base_size")) < 1000, await info(port, "aof_base_size"));
    } finally {
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an AOF of Redis 6 and older (one appendonly.aof) moves into the AOF directory and loads", async () => {
  const dir = await tempDir();
  try {
    const records = [
      ["SELECT", "0"],
      ["SET", "a", "1"],
      ["RPUSH", "l", "x", "y"],
      ["SELECT", "2"],
      [
        "SET",
        "b",
        "2",
      ],
    ];
    const text = records.map((r) =>
      `*${r.length}\r\n${r.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`
    )
      .join("");
    Deno.writeTextFileSync(`${dir}/appendonly.aof`, text);
    const { server, log } = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await send(server.port, "MGET", "a", "b"), ["1", null]);
      assertEquals(await send(server.port, "LRANGE", "l", "0", "-1"), ["x", "y"]);
      assert(
        log.some((l) =>
          l.includes(
            "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).",
          )
        ),
        log.join("\n"),
      );
      await send(server.port, "SET", "c", "3");
    } finally {
      await server.close();
    }
    assertEquals(
      Deno.readTextFileSync(`${dir}/appendonlydir/appendonly.aof.manifest`),
      "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const again = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await send(again.server.port, "MGET", "a", "c"), ["1", "3"]);
    } finally {
      await again.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "under an LRU policy dump.rdb keeps each key's idle time, read back by us and by Redis",
  ignore: needsRedis(),
  fn: async () => {
    const dir = await tempDir();
    try {
      const clock = new ManualClock(Date.now());
      const config = { dir, "maxmemory-policy": "allkeys-lru" };
      const first = await startMiniredis({ clock, config });
      try {
        await send(first.port, "SET", "old", "a-string");
        clock.advance(500_000);
        await sleep(250); // the server's cron refreshes its cached clock
        await send(first.port, "SET", "new", "another");
        assertEquals(await send(first.port, "SAVE"), "OK");
      } finally {
        await first.close();
      }
      const idle = async (port: number): Promise<[number, number]> => [
        Number(await send(port, "OBJECT", "IDLETIME", "old")),
        Number(await send(port, "OBJECT", "IDLETIME", "new")),
      ];
      const second = await startMiniredis({ clock, config });
      try {
        const [old, fresh] = await idle(second.port);
        assert(old >= 499 && old <= 502 && fresh <= 2, `${old} ${fresh}`);
      } finally {
        await second.close();
      }
      const real = await startRealRedis(["--dir", dir, "--maxmemory-policy", "allkeys-lru"]);
      try {
        const [old, fresh] = await idle(real.port);
        assert(old >= 499 && old <= 502 && fresh <= 2, `${old} ${fresh}`);
      } finally {
        await real.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("clients that connect while the data loads get LOADING, INFO shows the progress", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir);
    const client = await RedisClient.connect({ port: first.server.port });
    for (let i = 0; i < 400_000; i += 10_000) {
      const args: string[] = [];
      for (let j = i; j < i + 10_000; j++) args.push(`key:${j}`, `value:${j}`);
      await client.send("MSET", ...args);
    }
    await client.send("SAVE");
    client.close();
    await first.server.close();

    const server = new Server({ port: 0, logSink: () => {}, config: { dir, save: "" } });
    const started = server.start();
    try {
      const early = await RawSession.open(server.port);
      try {
        assertEquals(
          await early.command("PING"),
          "-LOADING Redis is loading the dataset in memory\r\n",
        );
        const text = await early.command("INFO", "persistence");
        assert(text.includes("loading:1\r\n") && text.includes("loading_total_bytes:"), text);
        await started;
        assertEquals(await early.command("PING"), "+PONG\r\n");
        assertEquals(await early.command("DBSIZE"), ":400000\r\n");
      } finally {
        await early.close();
      }
    } finally {
      await started.catch(() => {});
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Fills the server at `port` with `n` keys by MSET. */
async function fill(port: number, n: number): Promise<void> {
  const client = await RedisClient.connect({ port });
  try {
    for (let i = 0; i < n; i += 10_000) {
      const args: string[] = [];
      for (let j = i; j < Math.min(n, i + 10_000); j++) args.push(`key:${j}`, `value:${j}`);
      await client.send("MSET", ...args);
    }
  } finally {
    client.close();
  }
}

Deno.test("FLUSHALL stops a BGSAVE without failing it, and CONFIG SET appendonly yes waits for one", async () => {
  const dir = await tempDir();
  try {
    const { server, log } = await serverOn(dir, { save: "3600 1" });
    const port = server.port;
    try {
      await fill(port, 300_000);
      assertEquals(await send(port, "BGSAVE"), "Background saving started");
      assertEquals(await send(port, "FLUSHALL"), "OK");
      await waitFor(async () => (await info(port, "rdb_bgsave_in_progress")) === "0");
      // As Redis: a save stopped by the server itself leaves the status as it was.
      assertEquals(await info(port, "rdb_last_bgsave_status"), "ok");
      assertEquals(await send(port, "SET", "x", "1"), "OK");

      await fill(port, 300_000);
      assertEquals(await send(port, "BGSAVE"), "Background saving started");
      assertEquals(await send(port, "CONFIG", "SET", "appendonly", "yes"), "OK");
      assert(
        log.some((l) => l.includes("AOF was enabled but there is already another background")),
      );
      await waitFor(async () =>
        (await info(port, "aof_rewrites")) === "1" &&
        (await info(port, "aof_rewrite_scheduled")) === "0" &&
        (await info(port, "aof_rewrite_in_progress")) === "0" &&
        (await info(port, "rdb_bgsave_in_progress")) === "0"
      );
      assertEquals(await info(port, "rdb_last_bgsave_status"), "ok");
      assertEquals(await info(port, "aof_last_bgrewrite_status"), "ok");
    } finally {
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SHUTDOWN while the first AOF is written is refused, unless FORCE", async () => {
  const dir = await tempDir();
  try {
    const { server, log } = await serverOn(dir);
    const port = server.port;
    try {
      await fill(port, 300_000);
      assertEquals(await send(port, "CONFIG", "SET", "appendonly", "yes"), "OK");
      const refused = String(await send(port, "SHUTDOWN", "NOSAVE").catch((e) => String(e)));
      assert(refused.includes("ERR Errors trying to SHUTDOWN. Check logs."), refused);
      assert(log.some((l) => l.includes("Writing initial AOF, can't exit.")));
      await send(port, "SHUTDOWN", "NOSAVE", "FORCE").catch(() => {});
      await server.finished;
      assert(log.some((l) => l.includes("Writing initial AOF. Exit anyway.")));
    } finally {
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof-timestamp-enabled writes #TS lines, which the loader skips; INFO counts the AOF's bytes as Redis", async () => {
  const dir = await tempDir();
  try {
    const first = await serverOn(dir, { appendonly: "yes", "aof-timestamp-enabled": "yes" });
    await send(first.server.port, "SET", "a", "1");
    await send(first.server.port, "SET", "b", "2");
    // A new AOF's first base file does not count; the records written do.
    const incr = `${dir}/appendonlydir/appendonly.aof.1.incr.aof`;
    assertEquals(await info(first.server.port, "aof_base_size"), "0");
    assertEquals(
      await info(first.server.port, "aof_current_size"),
      String(Deno.statSync(incr).size),
    );
    await first.server.close();
    assert(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/.test(Deno.readTextFileSync(incr)));
    const second = await serverOn(dir, { appendonly: "yes" });
    try {
      assertEquals(await send(second.server.port, "MGET", "a", "b"), ["1", "2"]);
      // After a load, the whole AOF counts, and growth is measured from it.
      const size = await info(second.server.port, "aof_current_size");
      assertEquals(await info(second.server.port, "aof_base_size"), size);
    } finally {
      await second.server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
