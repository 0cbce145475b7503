/**
 * MULTI/EXEC throughput, ours beside a real redis-server's in one run: 50 connections each send
 * transactions of MULTI, 10 SETs and EXEC, one transaction in flight per connection (as
 * redis-benchmark -P 1 keeps one request in flight), and then 16 (as -P 16), for a fixed number
 * of transactions; the rate is transactions per second, alternating the servers over several
 * rounds and taking the median.
 *
 * The load comes from `bench/multi_driver.c` when a C compiler (`cc`) is there to build it, as
 * redis-benchmark (also C) drives the other tests: on a 2-core machine a driver that needs a core
 * of its own squeezes the server it measures. Without `cc` a driver in Deno does the same work
 * (it reads only byte counts: a transaction's 12 replies are 150 bytes on both servers), and the
 * output says which one ran; its ratios come out lower.
 *
 * Run alone: `deno run -A bench/multi.ts [--rounds N] [--quick]`; `deno task bench` runs it
 * after the Pub/Sub benchmark.
 *
 * @module
 */
import { parseArgs } from "../src/std/parse_args.ts";
import { encodeCommands, median, requireTools, start } from "./bench.ts";

/** Builds the C driver into a temporary directory; its path, or null without a compiler. */
async function buildDriver(): Promise<string | null> {
  const dir = await Deno.makeTempDir({ prefix: "miniredis-multi-" });
  const out = `${dir}/multi_driver`;
  const source = new URL("./multi_driver.c", import.meta.url).pathname;
  try {
    const built = await new Deno.Command("cc", {
      args: ["-O2", "-o", out, source],
      stdout: "null",
      stderr: "piped",
    }).output();
    return built.success ? out : null;
  } catch {
    return null;
  }
}

/** Transactions per second measured by the C driver, `pipeline` transactions in flight. */
async function measureWithDriver(
  driver: string,
  port: number,
  total: number,
  pipeline: number,
): Promise<number> {
  const run = await new Deno.Command(driver, {
    args: [String(port), String(total), "50", String(pipeline)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!run.success) {
    throw new Error(`multi_driver failed: ${new TextDecoder().decode(run.stderr)}`);
  }
  return Number(new TextDecoder().decode(run.stdout).trim());
}

/** Bytes of the replies to MULTI, 10 × SET (QUEUED) and EXEC (10 × OK). */
const REPLY_BYTES = 5 + 10 * 9 + 5 + 10 * 5;

/** One connection sending `count` transactions one after the other. */
async function client(port: number, id: number, count: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const commands = [["MULTI"]];
  for (let i = 0; i < 10; i++) commands.push(["SET", `key:${id}:${i}`, "xxxxxxxxxxxxxxxx"]);
  commands.push(["EXEC"]);
  const request = encodeCommands(commands);
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (let done = 0; done < count; done++) {
      await conn.write(request);
      let got = 0;
      while (got < REPLY_BYTES) {
        const n = await conn.read(buffer);
        if (n === null) throw new Error("server closed the connection");
        got += n;
      }
    }
  } finally {
    conn.close();
  }
}

/** Transactions per second of 50 connections sending `total` transactions in all. */
async function measure(port: number, total: number): Promise<number> {
  const clients = 50;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, (_, id) => client(port, id, Math.ceil(total / clients))),
  );
  return (clients * Math.ceil(total / clients)) / ((performance.now() - start) / 1000);
}

/**
 * Prints the MULTI/EXEC rows: one transaction in flight per connection (the target, ≥ 0.9),
 * and, with the C driver, 16 pipelined; medians of `rounds` rounds on fresh servers.
 */
export async function transactions(options: { rounds: number; quick: boolean }): Promise<void> {
  const total = options.quick ? 20_000 : 100_000;
  const driver = await buildDriver();
  const pipelines = driver === null ? [1] : [1, 16];
  const run = (port: number, n: number, pipeline: number) =>
    driver === null ? measure(port, n) : measureWithDriver(driver, port, n, pipeline);
  const rates = new Map<string, number[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (const name of ["miniredis", "redis"] as const) {
      const proc = await start(name);
      try {
        await run(proc.port, Math.min(total, 10_000), 1); // warm-up
        for (const pipeline of pipelines) {
          const key = `${name} ${pipeline}`;
          rates.set(key, [...rates.get(key) ?? [], await run(proc.port, total, pipeline)]);
        }
      } finally {
        await proc.stop();
      }
    }
  }
  console.log(
    `\nMULTI/EXEC of 10 SETs: 50 connections, ${total} transactions, median of ${options.rounds}` +
      ` (${driver === null ? "Deno driver: no cc to build bench/multi_driver.c" : "C driver"})`,
  );
  console.log(`${"test".padEnd(34)}${"miniredis".padStart(16)}${"redis".padStart(16)}   ratio`);
  for (const pipeline of pipelines) {
    const mine = median(rates.get(`miniredis ${pipeline}`)!);
    const theirs = median(rates.get(`redis ${pipeline}`)!);
    const label = pipeline === 1
      ? "transactions/s, 1 in flight"
      : `transactions/s, ${pipeline} pipelined`;
    const target = pipeline === 1 ? "  (target ≥ 0.90)" : "";
    console.log(
      `${label.padEnd(34)}${mine.toFixed(0).padStart(16)}${theirs.toFixed(0).padStart(16)}${
        (mine / theirs).toFixed(2).padStart(8)
      }${target}`,
    );
  }
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["rounds"], boolean: ["quick"] });
  await requireTools(["redis-server"]);
  await transactions({ rounds: Number(args.rounds ?? "3"), quick: args.quick === true });
}
