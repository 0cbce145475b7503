/**
 * Persistence benchmarks of miniredis beside a real redis-server, in one run:
 *
 * - SET throughput with `appendonly yes, appendfsync everysec` on both (redis-benchmark -c 50,
 *   -P 1 and -P 16), alternating the servers over rounds; medians and the ratio ours/redis
 *   (target >= 0.9).
 * - Load time of the same 1M-key files on both, from the servers' own log lines ("DB loaded
 *   from disk: X seconds", "DB loaded from append only file: X seconds"): a dump.rdb, and an AOF
 *   of 1M SET commands (a base file without RDB preamble), both written by Redis (DEBUG POPULATE).
 * - GET latency while BGSAVE writes the 1M keys over and over: redis-benchmark's p99 and max
 *   (target: p99 under 50 ms).
 *
 * Run through `deno task bench --groups persistence` or alone:
 * `deno run -A bench/persistence.ts [--rounds N] [--quick]`.
 *
 * @module
 */
import {
  BenchConnection,
  errorText,
  median,
  type Proc,
  requireTools,
  type ServerKind,
  start,
} from "./bench.ts";
import { parseArgs } from "../src/std/parse_args.ts";

const TARGET = 0.9;
const AOF_ARGS = ["--appendonly", "yes", "--appendfsync", "everysec"];

/** Runs redis-benchmark; returns requests/s and, when `latency`, p99 and max in ms. */
async function benchmark(
  port: number,
  args: string[],
): Promise<{ rps: number; p99: number; max: number }> {
  const out = await new Deno.Command("redis-benchmark", {
    args: ["-h", "127.0.0.1", "-p", String(port), "-c", "50", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).replace(/\r/g, "\n");
  const rps = /throughput summary: ([\d.]+) requests per second/.exec(text);
  const summary =
    /avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/
      .exec(text);
  if (rps === null || summary === null) throw new Error(`redis-benchmark said:\n${text}`);
  return { rps: Number(rps[1]), p99: Number(summary[5]), max: Number(summary[6]) };
}

function row(name: string, mine: string, theirs: string, ratio: string): void {
  console.log(`${name.padEnd(40)}${mine.padStart(12)}${theirs.padStart(12)}${ratio.padStart(8)}`);
}

/** SET with the AOF on, everysec, on both servers. */
async function aofThroughput(rounds: number, quick: boolean): Promise<void> {
  const servers: Proc[] = [
    await start("miniredis", { args: AOF_ARGS }),
    await start("redis", { args: AOF_ARGS }),
  ];
  try {
    for (const pipeline of [1, 16]) {
      const n = (quick ? 50_000 : 200_000) * (pipeline === 1 ? 1 : 5);
      const samples: Record<ServerKind, number[]> = { miniredis: [], redis: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const proc of order) {
          const result = await benchmark(proc.port, [
            "-P",
            String(pipeline),
            "-n",
            String(n),
            "-t",
            "set",
          ]);
          samples[proc.name].push(result.rps);
        }
      }
      const mine = median(samples.miniredis);
      const theirs = median(samples.redis);
      console.log(
        `\nSET, appendonly yes, appendfsync everysec, -c 50 -P ${pipeline} -n ${n}, median of ${rounds} rounds (requests/s)`,
      );
      row("test", "miniredis", "redis", "ratio");
      row("SET", mine.toFixed(0), theirs.toFixed(0), (mine / theirs).toFixed(2));
      if (pipeline === 1) {
        console.log(`  target >= ${TARGET}: ${mine / theirs >= TARGET ? "met" : "NOT met"}`);
      }
    }
  } finally {
    for (const proc of servers) await proc.stop();
  }
}

/** Waits until `text` shows up in the server's log; returns the log. */
async function waitForLog(proc: Proc, pattern: RegExp, ms = 120_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(proc.log.join(""));
    if (m !== null) return m;
    if (Date.now() > deadline) {
      throw new Error(`${proc.name} never logged ${pattern}:\n${proc.log.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes 1M keys with Redis's DEBUG POPULATE into `dir`: dump.rdb, and an AOF without preamble. */
async function makeFiles(
  keys: number,
): Promise<{ rdb: string; aof: string; cleanup(): Promise<void> }> {
  const rdb = await Deno.makeTempDir({ prefix: "miniredis-bench-rdb-" });
  const aof = await Deno.makeTempDir({ prefix: "miniredis-bench-aof-" });
  const redis = await start("redis", {
    dir: rdb,
    args: ["--enable-debug-command", "yes", "--enable-protected-configs", "yes"],
  });
  try {
    const conn = await BenchConnection.open(redis.port);
    for (const command of [["DEBUG", "POPULATE", String(keys), "key", "16"], ["SAVE"]]) {
      const reply = await conn.command(...command);
      if (errorText(reply) !== null) throw new Error(`${command[0]}: ${errorText(reply)}`);
    }
    await conn.command("CONFIG", "SET", "aof-use-rdb-preamble", "no");
    await conn.command("CONFIG", "SET", "dir", aof);
    await conn.command("CONFIG", "SET", "appendonly", "yes");
    for (;;) {
      const info = String(await conn.command("INFO", "persistence"));
      if (info.includes("aof_rewrite_in_progress:0") && info.includes("aof_enabled:1")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    conn.close();
  } finally {
    await redis.stop();
  }
  return {
    rdb,
    aof,
    async cleanup() {
      await Deno.remove(rdb, { recursive: true }).catch(() => {});
      await Deno.remove(aof, { recursive: true }).catch(() => {});
    },
  };
}

/** Copies the files of `from` into a new temp dir. */
async function copyDir(from: string): Promise<string> {
  const to = await Deno.makeTempDir({ prefix: "miniredis-bench-load-" });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await Deno.mkdir(`${to}/${entry.name}`);
      for await (const inner of Deno.readDir(`${from}/${entry.name}`)) {
        await Deno.copyFile(
          `${from}/${entry.name}/${inner.name}`,
          `${to}/${entry.name}/${inner.name}`,
        );
      }
    } else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
  return to;
}

/** Load times of the 1M-key RDB and AOF, and GET latency during BGSAVE. */
async function loadAndSave(rounds: number, quick: boolean): Promise<void> {
  const keys = quick ? 200_000 : 1_000_000;
  const files = await makeFiles(keys);
  try {
    for (
      const [label, source, args, pattern] of [
        ["RDB", files.rdb, [], /DB loaded from disk: ([\d.]+) seconds/],
        [
          "AOF (1M SET commands)",
          files.aof,
          ["--appendonly", "yes"],
          /DB loaded from append only file: ([\d.]+) seconds/,
        ],
      ] as const
    ) {
      const samples: Record<ServerKind, number[]> = { miniredis: [], redis: [] };
      for (let round = 0; round < rounds; round++) {
        for (const name of ["miniredis", "redis"] as const) {
          const dir = await copyDir(source);
          const proc = await start(name, { dir, args: [...args], log: true });
          try {
            const m = await waitForLog(proc, pattern);
            samples[name].push(Number(m[1]));
          } finally {
            await proc.stop();
            await Deno.remove(dir, { recursive: true }).catch(() => {});
          }
        }
      }
      const mine = median(samples.miniredis);
      const theirs = median(samples.redis);
      console.log(`\nLoad time of ${keys} keys, ${label}, median of ${rounds} rounds (seconds)`);
      row("load", mine.toFixed(3), theirs.toFixed(3), (theirs / mine).toFixed(2));
      console.log("  (ratio: redis time / ours, above 1 means we load faster)");
    }

    console.log(`\nGET while BGSAVE writes ${keys} keys again and again (-c 50 -P 1), ms`);
    row("server", "p99", "max", "");
    for (const name of ["miniredis", "redis"] as const) {
      const dir = await copyDir(files.rdb);
      const proc = await start(name, { dir });
      const conn = await BenchConnection.open(proc.port);
      // Redis answers LOADING while it reads the file.
      while (errorText(await conn.command("PING")) !== null) {
        await new Promise((r) => setTimeout(r, 50));
      }
      let saving = true;
      let saves = 0;
      const saver = (async () => {
        while (saving) {
          const info = String(await conn.command("INFO", "persistence"));
          if (info.includes("rdb_bgsave_in_progress:0")) {
            await conn.command("BGSAVE");
            saves++;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      try {
        await new Promise((r) => setTimeout(r, 200));
        const result = await benchmark(proc.port, [
          "-n",
          String(quick ? 100_000 : 300_000),
          "-t",
          "get",
          "-r",
          String(keys),
        ]);
        row(`${name} (${saves} BGSAVEs started)`, result.p99.toFixed(3), result.max.toFixed(3), "");
      } finally {
        saving = false;
        await saver;
        conn.close();
        await proc.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
    console.log("  target: p99 < 50 ms during the save");
  } finally {
    await files.cleanup();
  }
}

/** The persistence benchmarks (see the module doc). */
export async function persistenceBenchmark(
  options: { rounds: number; quick: boolean },
): Promise<void> {
  await aofThroughput(options.rounds, options.quick);
  await loadAndSave(options.rounds, options.quick);
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["rounds"], boolean: ["quick"] });
  await requireTools(["redis-server", "redis-benchmark"]);
  await persistenceBenchmark({ rounds: Number(args.rounds ?? "3"), quick: args.quick === true });
}
