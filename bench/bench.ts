/**
 * `deno task bench`: throughput and memory of miniredis beside a real redis-server, in one run.
 *
 * Throughput: redis-benchmark -q -c 50 for ping, set, get, incr and mset, at -P 1 (200k
 * requests) and -P 16 (1M requests), alternating the two servers over several rounds; prints
 * the median requests/second of each, the ratio ours/redis per test, and geo-means.
 * Memory: loads 1M keys of 16 bytes with 16-byte values into each server and reports the
 * growth of its resident set size per key.
 *
 * Options: --rounds N (default 3), --quick (smaller request counts), --no-memory,
 * --memory-only, --pipeline 1|16 (one of the two), --tests ping,set,get,incr,mset
 *
 * @module
 */
import { parseArgs } from "../src/std/parse_args.ts";

const args = parseArgs(Deno.args, {
  string: ["rounds", "tests", "pipeline"],
  boolean: ["quick", "no-memory", "memory-only"],
});
const rounds = Number(args.rounds ?? "3");
const quick = args.quick === true;
const tests = String(args.tests ?? "ping,set,get,incr,mset");

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

interface Proc {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`server on port ${port} did not start`);
}

async function start(name: "miniredis" | "redis"): Promise<Proc> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "miniredis-bench-" });
  const cmd = name === "redis"
    ? new Deno.Command("redis-server", {
      args: ["--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir],
      stdout: "null",
      stderr: "null",
    })
    : new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../main.ts", import.meta.url).pathname,
        "serve",
        "--port",
        String(port),
        "--loglevel",
        "warning",
      ],
      stdout: "null",
      stderr: "inherit",
    });
  const child = cmd.spawn();
  await waitForPort(port);
  return {
    name,
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs redis-benchmark and returns requests/second by test name. */
async function redisBenchmark(
  port: number,
  pipeline: number,
  n: number,
  test: string,
): Promise<Map<string, number>> {
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-q",
      "-c",
      "50",
      "-P",
      String(pipeline),
      "-n",
      String(n),
      "-t",
      test,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).replace(/\r/g, "\n");
  const results = new Map<string, number>();
  for (const m of text.matchAll(/^([A-Z_ ()0-9a-z]+?): ([\d.]+) requests per second/gm)) {
    results.set(m[1]!.trim(), Number(m[2]));
  }
  if (results.size === 0) throw new Error(`redis-benchmark printed nothing usable:\n${text}`);
  return results;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function geomean(values: number[]): number {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

async function throughput(): Promise<void> {
  const configs =
    (quick
      ? [{ pipeline: 1, n: 50_000 }, { pipeline: 16, n: 200_000 }]
      : [{ pipeline: 1, n: 200_000 }, { pipeline: 16, n: 1_000_000 }])
      .filter((c) => args.pipeline === undefined || String(c.pipeline) === args.pipeline);
  const ours = await start("miniredis");
  const real = await start("redis");
  try {
    for (const { pipeline, n } of configs) {
      const samples: Record<string, Map<string, number[]>> = {
        miniredis: new Map(),
        redis: new Map(),
      };
      for (let round = 0; round < rounds; round++) {
        // Each test runs on both servers back to back, the first alternating by round, so the
        // drift of a shared machine hits both alike.
        for (const test of tests.split(",")) {
          const order = round % 2 === 0 ? [ours, real] : [real, ours];
          for (const proc of order) {
            const result = await redisBenchmark(proc.port, pipeline, n, test);
            for (const [name, rps] of result) {
              const list = samples[proc.name]!.get(name) ?? [];
              list.push(rps);
              samples[proc.name]!.set(name, list);
            }
          }
        }
        console.error(`  -P ${pipeline}: round ${round + 1}/${rounds} done`);
      }
      console.log(`\n-P ${pipeline}, -c 50, -n ${n}, median of ${rounds} rounds (requests/s)`);
      console.log(
        `${"test".padEnd(24)}${"miniredis".padStart(12)}${"redis".padStart(12)}${
          "ratio".padStart(8)
        }`,
      );
      const ratios: number[] = [];
      for (const [test, values] of samples.redis!) {
        const theirs = median(values);
        const mine = median(samples.miniredis!.get(test) ?? [0]);
        const ratio = mine / theirs;
        ratios.push(ratio);
        console.log(
          `${test.padEnd(24)}${mine.toFixed(0).padStart(12)}${theirs.toFixed(0).padStart(12)}${
            ratio.toFixed(2).padStart(8)
          }`,
        );
      }
      console.log(`${"geo-mean ratio".padEnd(48)}${geomean(ratios).toFixed(2).padStart(8)}`);
    }
  } finally {
    await ours.stop();
    await real.stop();
  }
}

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Loads `count` keys of 16 bytes with 16-byte values through one pipelined connection. */
async function load(port: number, count: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const enc = new TextEncoder();
  const batch = 1000;
  const reader = (async () => {
    // Each MSET answers +OK\r\n (5 bytes).
    const buf = new Uint8Array(64 * 1024);
    let expected = (count / batch) * 5;
    while (expected > 0) {
      const n = await conn.read(buf);
      if (n === null) break;
      expected -= n;
    }
  })();
  for (let i = 0; i < count; i += batch) {
    let cmd = `*${1 + batch * 2}\r\n$4\r\nMSET\r\n`;
    for (let j = i; j < i + batch; j++) {
      const id = String(j).padStart(12, "0");
      cmd += `$16\r\nkey:${id}\r\n$16\r\nval:${id}\r\n`;
    }
    const bytes = enc.encode(cmd);
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
  }
  await reader;
  conn.close();
}

async function memory(): Promise<void> {
  const count = quick ? 200_000 : 1_000_000;
  console.log(`\nMemory: ${count} keys of 16 B with 16 B values (RSS growth per key)`);
  for (const name of ["miniredis", "redis"] as const) {
    const proc = await start(name);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const before = rssBytes(proc.pid);
      await load(proc.port, count);
      await new Promise((r) => setTimeout(r, 1000));
      const after = rssBytes(proc.pid);
      console.log(
        `${name.padEnd(12)} ${((after - before) / count).toFixed(0).padStart(6)} B/key   (RSS ${
          (after / 2 ** 20).toFixed(0)
        } MiB)`,
      );
    } finally {
      await proc.stop();
    }
  }
}

for (const tool of ["redis-server", "redis-benchmark"]) {
  try {
    await new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" }).output();
  } catch {
    console.error(`bench: ${tool} is not installed (apt-get install redis-server redis-tools)`);
    Deno.exit(1);
  }
}
if (args["memory-only"] !== true) await throughput();
if (args["no-memory"] !== true) await memory();
