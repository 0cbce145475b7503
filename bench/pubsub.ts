/**
 * Pub/sub throughput of miniredis beside a real redis-server, in one run: one publisher sends
 * pipelined PUBLISH commands on one channel (many in flight, written in batches of 1000) while 50
 * subscribers read; a round ends when every subscriber has received every message. Reported:
 * messages per second delivered to all subscribers (and the deliveries per second that make),
 * the median of several rounds per server, alternating which server goes first, and the ratio
 * ours/redis against the target of 0.9. The client counts bytes rather than parsing frames (each
 * frame has a known size), so that the benchmark's own process costs little per message; the
 * publisher's replies are checked to be the subscriber count.
 *
 * Run through `deno task bench` (after the other benchmarks) or alone:
 * `deno run -A bench/pubsub.ts [--rounds N] [--quick] [--messages N] [--size BYTES]`.
 *
 * @module
 */
import { BenchConnection, median, requireTools, type ServerKind, start } from "./bench.ts";
import { parseArgs } from "../src/std/parse_args.ts";

const SUBSCRIBERS = 50;
const CHANNEL = "bench:channel";
const BATCH = 1000;
const TARGET = 0.9;

/** Options of one run. */
export interface PubSubOptions {
  rounds: number;
  /** Messages per round. */
  messages: number;
  /** Payload bytes per message. */
  size: number;
}

const encoder = new TextEncoder();

/** Reads from `conn` until `total` bytes arrived; returns the first `keep` bytes read. */
async function readBytes(conn: Deno.TcpConn, total: number, keep = 0): Promise<Uint8Array> {
  const buf = new Uint8Array(256 * 1024);
  const head = new Uint8Array(keep);
  let got = 0;
  while (got < total) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`connection closed after ${got} of ${total} bytes`);
    if (got < keep) head.set(buf.subarray(0, Math.min(n, keep - got)), got);
    got += n;
  }
  if (got !== total) throw new Error(`read ${got} bytes, expected ${total}`);
  return head;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** One round on the server at `port`: messages per second delivered to every subscriber. */
export async function pubsubRound(port: number, options: PubSubOptions): Promise<number> {
  const payload = "m".repeat(options.size);
  const frame = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n` +
    `$${payload.length}\r\n${payload}\r\n`;
  const subscribed = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;
  const subscribers: Deno.TcpConn[] = [];
  const admin = await BenchConnection.open(port);
  let publisher: Deno.TcpConn | null = null;
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.setNoDelay(true);
      subscribers.push(conn);
      await writeAll(
        conn,
        encoder.encode(`*2\r\n$9\r\nSUBSCRIBE\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n`),
      );
      await readBytes(conn, subscribed.length);
    }
    const numsub = await admin.command("PUBSUB", "NUMSUB", CHANNEL);
    if (!Array.isArray(numsub) || numsub[1] !== SUBSCRIBERS) {
      throw new Error(`PUBSUB NUMSUB answered ${JSON.stringify(numsub)}`);
    }
    publisher = await Deno.connect({ hostname: "127.0.0.1", port });
    publisher.setNoDelay(true);
    const command = `*3\r\n$7\r\nPUBLISH\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n` +
      `$${payload.length}\r\n${payload}\r\n`;
    const batch = encoder.encode(command.repeat(BATCH));
    const reply = `:${SUBSCRIBERS}\r\n`;
    const batches = Math.ceil(options.messages / BATCH);
    const messages = batches * BATCH;

    const started = performance.now();
    const deliveries = subscribers.map((conn) => readBytes(conn, messages * frame.length));
    const replies = readBytes(publisher, messages * reply.length, reply.length);
    // A failing read must not go unhandled while the writes go on.
    deliveries.forEach((d) => d.catch(() => {}));
    replies.catch(() => {});
    for (let i = 0; i < batches; i++) await writeAll(publisher, batch);
    const head = new TextDecoder().decode(await replies);
    if (head !== reply) throw new Error(`PUBLISH answered ${JSON.stringify(head)}, not ${reply}`);
    await Promise.all(deliveries);
    const seconds = (performance.now() - started) / 1000;
    return messages / seconds;
  } finally {
    admin.close();
    publisher?.close();
    for (const conn of subscribers) conn.close();
  }
}

/** Runs the benchmark on both servers and prints the medians and the ratio. */
export async function pubsubBenchmark(options: PubSubOptions): Promise<void> {
  const ours = await start("miniredis");
  const real = await start("redis");
  const samples: Record<ServerKind, number[]> = { miniredis: [], redis: [] };
  try {
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? [ours, real] : [real, ours];
      for (const proc of order) samples[proc.name].push(await pubsubRound(proc.port, options));
      console.error(`  pub/sub: round ${r + 1}/${options.rounds} done`);
    }
  } finally {
    await ours.stop();
    await real.stop();
  }
  const mine = median(samples.miniredis);
  const theirs = median(samples.redis);
  const ratio = mine / theirs;
  console.log(
    `\nPub/sub: 1 publisher (pipelined PUBLISH, ${options.size}-byte messages), ` +
      `${SUBSCRIBERS} subscribers, ${options.messages} messages, median of ${options.rounds} rounds`,
  );
  const row = (name: string, a: string, b: string, c: string) =>
    console.log(`${name.padEnd(34)}${a.padStart(12)}${b.padStart(12)}${c.padStart(8)}`);
  row("test", "miniredis", "redis", "ratio");
  row("messages/s to all subscribers", mine.toFixed(0), theirs.toFixed(0), ratio.toFixed(2));
  row(
    "deliveries/s",
    (mine * SUBSCRIBERS).toFixed(0),
    (theirs * SUBSCRIBERS).toFixed(0),
    ratio.toFixed(2),
  );
  console.log(
    `  target for pub/sub: >= ${TARGET.toFixed(2)}, ${ratio >= TARGET ? "met" : "NOT met"}`,
  );
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["rounds", "messages", "size"],
    boolean: ["quick"],
  });
  await requireTools(["redis-server"]);
  const quick = args.quick === true;
  await pubsubBenchmark({
    rounds: Number(args.rounds ?? "3"),
    messages: Number(args.messages ?? (quick ? "50000" : "200000")),
    size: Number(args.size ?? "32"),
  });
}
