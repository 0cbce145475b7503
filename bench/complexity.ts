/**
 * `deno task bench:complexity`: shows that the cost of one operation on a list, hash, set or
 * sorted set stays nearly flat when the collection grows tenfold, 100k -> 1M elements.
 *
 * For each structure, one collection per size (15-byte members) is built with pipelined
 * batches, all alive at once; then each operation is timed over a fixed number of commands
 * (20k, or 5k with --quick) sent in pipelined batches of 100, so that the network round trip is
 * shared by a hundred commands. Operations that add elements are undone by the ones that follow
 * (LPUSH with RPOP, HSET new fields then HDEL them, SADD/SREM, ZADD/ZREM), so every operation
 * runs at size n. The sequence runs once to warm up and five times timed, alternating between
 * the sizes so that a shared machine's drift hits all alike. Printed: the median µs per
 * operation at each size, and the ratio largest/smallest size (the median of the ratios within
 * one run, which cancels slower drift). O(1) operations should stay near 1; O(log n) ones may
 * grow by log(1M)/log(100k) = 1.2; cache misses in a larger heap add some more, so anything up
 * to ~1.5 counts as flat. Real Redis runs the same operations for reference (its LINDEX is
 * O(n): it walks the quicklist's nodes).
 *
 * Options: --ours-only (skip real Redis), --quick (5k operations), --sizes 100000,1000000,
 * --structures list,hash,set,zset.
 *
 * @module
 */
import { parseArgs } from "../src/std/parse_args.ts";
import {
  BenchConnection,
  element,
  encodeCommands,
  fill,
  listOption,
  median,
  missingCommands,
  type Proc,
  requireTools,
  type ServerKind,
  start,
  type Structure,
} from "./bench.ts";

/** Commands per pipelined batch. */
const BATCH = 100;
/** Timed runs of each operation (after one warm-up run). */
const RUNS = 5;
/** A ratio above this means the cost grows with n. */
const FLAT_LIMIT = 1.5;

/** A deterministic generator of floats in [0, 1) (mulberry32), so both servers see the same. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One timed operation: the commands it sends at size n (`ops` of them). */
interface Operation {
  label: string;
  commands(key: string, n: number, ops: number, rand: () => number): string[][];
}

function times(ops: number, make: (k: number) => string[]): string[][] {
  return Array.from({ length: ops }, (_, k) => make(k));
}

const existing = (n: number, rand: () => number) => element(Math.floor(rand() * n));
/** Members n.. are new: the collection holds 0..n-1. */
const fresh = (n: number, k: number) => element(n + k);

/** Per structure, the operations of one run, in order; a run leaves n elements behind. */
const OPERATIONS: Record<Structure, Operation[]> = {
  list: [
    {
      label: "LPUSH+RPOP (both ends)",
      commands: (key, n, ops) =>
        times(ops, (k) => k % 2 === 0 ? ["LPUSH", key, fresh(n, k)] : ["RPOP", key]),
    },
    {
      label: "LINDEX middle",
      commands: (key, n, ops) => times(ops, () => ["LINDEX", key, String(n >> 1)]),
    },
  ],
  hash: [
    {
      label: "HSET new field",
      commands: (key, n, ops) => times(ops, (k) => ["HSET", key, fresh(n, k), "value:new"]),
    },
    {
      label: "HGET",
      commands: (key, n, ops, rand) => times(ops, () => ["HGET", key, existing(n, rand)]),
    },
    {
      label: "HDEL",
      commands: (key, n, ops) => times(ops, (k) => ["HDEL", key, fresh(n, k)]),
    },
  ],
  set: [
    {
      label: "SADD new member",
      commands: (key, n, ops) => times(ops, (k) => ["SADD", key, fresh(n, k)]),
    },
    {
      label: "SISMEMBER",
      commands: (key, n, ops, rand) => times(ops, () => ["SISMEMBER", key, existing(n, rand)]),
    },
    {
      label: "SREM",
      commands: (key, n, ops) => times(ops, (k) => ["SREM", key, fresh(n, k)]),
    },
  ],
  zset: [
    {
      label: "ZADD new member, random score",
      commands: (key, n, ops, rand) =>
        times(ops, (k) => ["ZADD", key, String(Math.floor(rand() * 2 ** 32)), fresh(n, k)]),
    },
    {
      label: "ZSCORE",
      commands: (key, n, ops, rand) => times(ops, () => ["ZSCORE", key, existing(n, rand)]),
    },
    {
      label: "ZRANK",
      commands: (key, n, ops, rand) => times(ops, () => ["ZRANK", key, existing(n, rand)]),
    },
    {
      label: "ZRANGEBYSCORE s +inf LIMIT 0 10",
      commands: (key, _n, ops, rand) =>
        times(ops, () => [
          "ZRANGEBYSCORE",
          key,
          String(Math.floor(rand() * 2 ** 32)),
          "+inf",
          "LIMIT",
          "0",
          "10",
        ]),
    },
    {
      label: "ZRANGE 10 by rank, middle",
      commands: (key, n, ops) =>
        times(ops, () => ["ZRANGE", key, String((n >> 1) - 5), String((n >> 1) + 4)]),
    },
    {
      label: "ZREM",
      commands: (key, n, ops) => times(ops, (k) => ["ZREM", key, fresh(n, k)]),
    },
  ],
};

const FILL_COMMAND: Record<Structure, string> = {
  list: "RPUSH",
  hash: "HSET",
  set: "SADD",
  zset: "ZADD",
};
const SIZE_COMMAND: Record<Structure, string> = {
  list: "LLEN",
  hash: "HLEN",
  set: "SCARD",
  zset: "ZCARD",
};

/** Sends the commands in batches of BATCH, one batch in flight; returns µs per command. */
async function timeCommands(conn: BenchConnection, commands: string[][]): Promise<number> {
  const batches: Uint8Array[] = [];
  for (let i = 0; i < commands.length; i += BATCH) {
    batches.push(encodeCommands(commands.slice(i, i + BATCH)));
  }
  const t0 = performance.now();
  for (let i = 0; i < batches.length; i++) {
    await conn.write(batches[i]!);
    const error = await conn.readErrors(Math.min(BATCH, commands.length - i * BATCH));
    if (error !== null) throw new Error(`${commands[i * BATCH]![0]} failed: ${error}`);
  }
  return ((performance.now() - t0) * 1000) / commands.length;
}

/** One operation's result on one server: median µs/op by size, median paired ratio. */
interface Timing {
  bySize: Map<number, number>;
  /** Median over runs of (µs at the largest size / µs at the smallest) within one run. */
  ratio: number;
}

/** Timings by "structure label", for one server. */
type Timings = Map<string, Timing>;

async function measure(
  proc: Proc,
  structures: Structure[],
  sizes: number[],
  ops: number,
): Promise<Timings> {
  const timings: Timings = new Map();
  const conn = await BenchConnection.open(proc.port);
  try {
    for (const structure of structures) {
      const operations = await available(conn, proc.name, structure);
      if (operations.length === 0) continue;
      // One collection per size, all alive at once: the runs alternate between them, so the
      // drift of a shared machine (and of a JIT warming up) hits every size alike.
      await conn.command("FLUSHALL");
      const keyOf = (n: number) => `${structure}:${n}`;
      for (const n of sizes) {
        const t0 = performance.now();
        await fill(conn, structure, keyOf(n), n);
        console.error(
          `  ${proc.name}: ${structure} of ${sizeLabel(n)} filled in ${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s`,
        );
      }
      const samples = new Map<string, number[]>();
      for (let run = 0; run <= RUNS; run++) {
        const rand = random(run + 1);
        const order = run % 2 === 0 ? sizes : [...sizes].reverse();
        for (const op of operations) {
          for (const n of order) {
            const us = await timeCommands(conn, op.commands(keyOf(n), n, ops, rand));
            // Run 0 warms up.
            if (run > 0) {
              samples.set(`${op.label}@${n}`, [...samples.get(`${op.label}@${n}`) ?? [], us]);
            }
          }
        }
      }
      for (const n of sizes) {
        const size = await conn.command(SIZE_COMMAND[structure], keyOf(n));
        if (size !== n) {
          console.error(`  warning: ${proc.name} ${keyOf(n)} holds ${size} elements, not ${n}`);
        }
      }
      for (const op of operations) {
        const bySize = new Map<number, number>();
        for (const n of sizes) bySize.set(n, median(samples.get(`${op.label}@${n}`)!));
        // The sizes of one run are timed back to back: their ratio cancels the slower drift
        // of a shared machine, which a ratio of medians would not.
        const small = samples.get(`${op.label}@${sizes[0]}`)!;
        const large = samples.get(`${op.label}@${sizes[sizes.length - 1]}`)!;
        const ratio = median(small.map((t, run) => large[run]! / t));
        timings.set(`${structure.padEnd(5)} ${op.label}`, { bySize, ratio });
      }
    }
    await conn.command("FLUSHALL");
  } finally {
    conn.close();
  }
  return timings;
}

/**
 * The operations of `structure` the server has. While commands are being added, the ones
 * that exist are timed (a missing undo leaves a collection larger than n: the size check
 * says so); none when the fill or size command is missing.
 */
async function available(
  conn: BenchConnection,
  server: ServerKind,
  structure: Structure,
): Promise<Operation[]> {
  const needed = [FILL_COMMAND[structure], SIZE_COMMAND[structure]];
  const lacking = await missingCommands(conn, needed);
  if (lacking.length > 0) {
    console.error(`  ${server}: ${structure} skipped, lacks ${lacking.join(", ")}`);
    return [];
  }
  const operations: Operation[] = [];
  for (const op of OPERATIONS[structure]) {
    const names = [...new Set(op.commands("k", 2, 2, () => 0).map((c) => c[0]!))];
    const missing = await missingCommands(conn, names);
    if (missing.length === 0) operations.push(op);
    else console.error(`  ${server}: ${op.label} skipped, lacks ${missing.join(", ")}`);
  }
  return operations;
}

function sizeLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

function report(results: Map<ServerKind, Timings>, sizes: number[], ops: number): void {
  const small = sizes[0]!;
  const large = sizes[sizes.length - 1]!;
  const kinds = [...results.keys()];
  console.log(
    `\nµs per operation: ${ops} operations in pipelined batches of ${BATCH}, median of ${RUNS} runs`,
  );
  const cols = (cells: string[]) => cells.map((c) => c.padStart(8)).join("");
  console.log(
    `${"".padEnd(38)}${kinds.map((k) => k.padStart(8 * (sizes.length + 1)) + "  ").join("")}`,
  );
  console.log(
    `${"operation".padEnd(38)}${
      kinds.map(() => cols([...sizes.map(sizeLabel), "ratio"]) + "  ").join("")
    }`,
  );
  const keys = [...new Set(kinds.flatMap((k) => [...results.get(k)!.keys()]))];
  const ratioOf = (kind: ServerKind, key: string) => results.get(kind)?.get(key)?.ratio;
  for (const key of keys) {
    let line = key.padEnd(38);
    for (const kind of kinds) {
      const bySize = results.get(kind)!.get(key)?.bySize;
      const ratio = ratioOf(kind, key);
      if (bySize === undefined || ratio === undefined) {
        line += cols([...sizes.map(() => "-"), "-"]) + "  ";
        continue;
      }
      const flag = ratio > FLAT_LIMIT ? "!" : " ";
      line += cols([...sizes.map((n) => bySize.get(n)!.toFixed(2)), ratio.toFixed(2)]) + flag +
        " ";
    }
    console.log(line.trimEnd());
  }
  console.log(
    `\nratio = µs/op at ${sizeLabel(large)} / at ${sizeLabel(small)}, median of the ratios ` +
      `within each run; "!" marks > ${FLAT_LIMIT}`,
  );
  const ours = results.get("miniredis");
  if (ours === undefined || ours.size === 0) return;
  const ratios = [...ours.keys()].map((key) => ({ key, ratio: ratioOf("miniredis", key)! }));
  const worst = ratios.reduce((a, b) => b.ratio > a.ratio ? b : a);
  const steep = ratios.filter((r) => r.ratio > FLAT_LIMIT);
  console.log(
    `miniredis: largest ratio ${worst.ratio.toFixed(2)} (${worst.key.replace(/\s+/, " ")}); ${
      steep.length === 0 ? `all <= ${FLAT_LIMIT}: flat` : `${steep.length} above ${FLAT_LIMIT}:`
    }`,
  );
  for (const { key, ratio } of steep) {
    // Redis's own growth on this machine tells cache effects from a slower algorithm.
    const theirs = ratioOf("redis", key);
    console.log(
      `  ${key.replace(/\s+/, " ")}: ${ratio.toFixed(2)}${
        theirs === undefined ? "" : ` (redis ${theirs.toFixed(2)})`
      }`,
    );
  }
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["sizes", "structures"],
    boolean: ["ours-only", "quick"],
  });
  const ops = args.quick === true ? 5_000 : 20_000;
  const sizes = String(args.sizes ?? "100000,1000000").split(",").map(Number)
    .sort((a, b) => a - b);
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1000 || n > 9_000_000)) {
    console.error("complexity: --sizes takes two or more sizes between 1000 and 9000000");
    Deno.exit(2);
  }
  const all = Object.keys(OPERATIONS);
  const structures = listOption(args.structures, all, all) as Structure[];
  const kinds: ServerKind[] = args["ours-only"] === true ? ["miniredis"] : ["miniredis", "redis"];
  if (kinds.includes("redis")) await requireTools(["redis-server"]);
  const results = new Map<ServerKind, Timings>();
  for (const kind of kinds) {
    const proc = await start(kind);
    try {
      results.set(kind, await measure(proc, structures, sizes, ops));
    } finally {
      await proc.stop();
    }
  }
  report(results, sizes, ops);
}
