/**
 * Tests of the AOF record scanner (src/persistence/aof_scan.ts). Every split point of a stream
 * of records is scanned in both modes; damaged and truncated files are loaded by a real
 * redis-server 7.0 with aof-load-truncated yes, and where it cuts the file (or whether it
 * refuses it, or reverts an unclosed MULTI) must be what the load mode says. The check mode is
 * held to redis-check-aof in check_aof_test.ts.
 *
 * @module
 */
import { scanAof } from "../../src/persistence/aof_scan.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import { assert, assertEquals, findRedisServer, needsRedis } from "../_util.ts";

/** A RESP multibulk record. */
function rec(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

const RECORDS = [
  rec("SELECT", "0"),
  rec("SET", "key", "value"),
  "#TS:1700000000\r\n",
  rec("MULTI"),
  rec("RPUSH", "list", "a", "b\r\nc"),
  rec("INCR", "n"),
  rec("EXEC"),
  rec("SET", "empty", ""),
  rec("DEL", "x"),
];
const TEXT = RECORDS.join("");
const BYTES = latin1Encode(TEXT);

/** Offsets where each record (annotations included) ends. */
const ENDS = RECORDS.reduce<number[]>((acc, r) => [...acc, (acc.at(-1) ?? 0) + r.length], []);

Deno.test("scanAof reads whole files of records as clean in both modes", () => {
  for (const mode of ["load", "check"] as const) {
    const scan = scanAof(BYTES, 0, { mode });
    assertEquals(scan.end, "clean", mode);
    assertEquals(scan.records, 8, mode);
    assertEquals(scan.validUpTo, BYTES.length, mode);
    assertEquals(scan.okUpTo, BYTES.length, mode);
    assertEquals(scan.multiStart, -1, mode);
    assertEquals(scan.errorOffset, -1, mode);
  }
  assertEquals(scanAof(BYTES, 0, { mode: "check" }).line, 45); // redis-check-aof's count
});

Deno.test("scanAof finds the last whole record at every split point of the file", () => {
  const start = (i: number) => (i === 0 ? 0 : ENDS[i - 1]!);
  const [ANNOTATION, MULTI, EXEC] = [2, 3, 6];
  for (let cut = 0; cut <= BYTES.length; cut++) {
    const bytes = BYTES.subarray(0, cut);
    // A cut inside the `#` line still reads as a (shorter) annotation.
    const inAnnotation = cut > start(ANNOTATION) && cut < ENDS[ANNOTATION]!;
    const clean = cut === 0 || ENDS.includes(cut) || inAnnotation;
    const lastEnd = Math.max(0, ...ENDS.filter((e) => e <= cut));
    const lastCommandEnd = Math.max(0, ...ENDS.filter((e, i) => e <= cut && i !== ANNOTATION));
    const multiOpen = cut >= ENDS[MULTI]! && cut < ENDS[EXEC]!;
    for (const mode of ["load", "check"] as const) {
      const scan = scanAof(bytes, 0, { mode });
      const what = `${mode} at ${cut}`;
      assertEquals(scan.end, clean ? "clean" : "truncated", what);
      assertEquals(scan.multiStart, multiOpen ? start(MULTI) : -1, what);
      if (mode === "load") {
        // Redis's loader keeps whole commands, even inside a MULTI, unless the file ends
        // cleanly inside one: then it goes back to the end of the command before it.
        const expected = clean && multiOpen ? ENDS[1]! : lastCommandEnd;
        assertEquals(scan.validUpTo, expected, what);
      } else {
        // redis-check-aof keeps what precedes the record it stopped in, or the MULTI.
        const inMulti = cut > start(MULTI) && cut < ENDS[EXEC]!;
        const expected = inMulti ? start(MULTI) : clean ? cut : lastEnd;
        assertEquals(scan.okUpTo, expected, what);
      }
    }
  }
});

Deno.test("scanAof reports damage before the end with its offset", () => {
  const bad = latin1Encode(rec("SET", "a", "1") + "garbage\r\n" + rec("SET", "b", "2"));
  const load = scanAof(bad);
  assertEquals(load.end, "damaged");
  assertEquals(load.errorOffset, 27);
  assertEquals(load.validUpTo, 27);
  assertEquals(load.records, 1);
  const check = scanAof(bad, 0, { mode: "check" });
  assertEquals(check.end, "damaged");
  assert(check.formatError, "a format error");
  assertEquals(check.okUpTo, 27);

  const noCrlf = latin1Encode(rec("SET", "a", "1").replace("a\r\n", "aXY") + rec("DEL", "a"));
  // The loader skips the two bytes after a payload unread; redis-check-aof checks them.
  assertEquals(scanAof(noCrlf).end, "clean");
  const strict = scanAof(noCrlf, 0, { mode: "check" });
  assertEquals(strict.end, "damaged");
  assertEquals(strict.error, "Expected \\r\\n, got: 5859");
  assertEquals(strict.errorOffset, 17);
});

Deno.test("The two modes disagree where Redis's two readers disagree", () => {
  const zero = latin1Encode("*0\r\n" + rec("PING"));
  assertEquals(scanAof(zero).end, "damaged"); // atoi < 1: a format error for the loader
  assertEquals(scanAof(zero, 0, { mode: "check" }).end, "clean");
  const nested = latin1Encode(rec("MULTI") + rec("MULTI") + rec("EXEC"));
  assertEquals(scanAof(nested).end, "clean"); // the loader queues the second MULTI
  const check = scanAof(nested, 0, { mode: "check", fileName: "f.aof" });
  assertEquals(check.error, "Unexpected MULTI in AOF f.aof");
  assertEquals(check.errorOffset, 23); // the offset of the second MULTI's payload
});

Deno.test("scanAof starts where it is told, after an RDB preamble", () => {
  const preamble = "REDIS0010\xff" + "\0".repeat(8);
  const bytes = latin1Encode(preamble + rec("SET", "a", "1") + "*3\r\n$3\r\nSET");
  const scan = scanAof(bytes, preamble.length);
  assertEquals(scan.end, "truncated");
  assertEquals(scan.records, 1);
  assertEquals(scan.validUpTo, preamble.length + 27);
  // Never below the start, where Redis's loader would cut the preamble off.
  assertEquals(scanAof(latin1Encode(preamble + "*1\r\n"), preamble.length).validUpTo, 18);
});

Deno.test("Annotations are skipped and shown to onAnnotation, which can stop the walk", () => {
  const text = rec("SET", "a", "1") + "#TS:5\r\n" + rec("SET", "b", "2") + "#TS:9\r\n" +
    rec("SET", "c", "3");
  const bytes = latin1Encode(text);
  for (const mode of ["load", "check"] as const) {
    const seen: string[] = [];
    const scan = scanAof(bytes, 0, {
      mode,
      onAnnotation(offset, end) {
        seen.push(text.slice(offset, end));
        return !text.startsWith("#TS:9", offset);
      },
    });
    assertEquals(seen, ["#TS:5\r\n", "#TS:9\r\n"], mode);
    assertEquals(scan.end, "stopped", mode);
    assertEquals(scan.errorOffset, text.indexOf("#TS:9"), mode);
    assertEquals(scan.records, 2, mode);
  }
});

Deno.test("scanAof walks a large file quickly", () => {
  const one = rec("SET", "key:000000", "x".repeat(100));
  const bytes = latin1Encode(one.repeat(200_000)); // about 25 MB
  const started = performance.now();
  const scan = scanAof(bytes);
  const check = scanAof(bytes, 0, { mode: "check" });
  const ms = performance.now() - started;
  assertEquals([scan.records, check.records], [200_000, 200_000]);
  // Hundreds of megabytes a second in practice: a generous bound that still catches a
  // quadratic walk.
  assert(ms < 3000, `took ${ms} ms`);
});

// ---------------------------------------------------------------------------------------------
// The load mode against redis-server's loader.

interface LoadVerdict {
  /** "ok", "truncated" (cut to `size`), "reverted" (MULTI reverted, cut), or "bad". */
  outcome: string;
  size: number;
}

/** Loads `bytes` as the only incr file with redis-server, aof-load-truncated yes. */
async function redisLoads(bytes: Uint8Array): Promise<LoadVerdict> {
  const dir = await Deno.makeTempDir({ prefix: "miniredis-aofload-" });
  try {
    await Deno.mkdir(`${dir}/appendonlydir`);
    await Deno.writeTextFile(
      `${dir}/appendonlydir/appendonly.aof.manifest`,
      "file appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    const file = `${dir}/appendonlydir/appendonly.aof.1.incr.aof`;
    await Deno.writeFile(file, bytes);
    const child = new Deno.Command(findRedisServer()!, {
      args: [
        "--port",
        "0",
        "--unixsocket",
        `${dir}/redis.sock`,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--aof-load-truncated",
        "yes",
        "--dir",
        dir,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let log = "";
    const decoder = new TextDecoder();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    for await (const chunk of child.stdout) {
      log += decoder.decode(chunk);
      if (log.includes("ready to accept connections")) {
        child.kill("SIGKILL");
        break;
      }
    }
    await child.status;
    clearTimeout(timer);
    const size = (await Deno.stat(file)).size;
    if (log.includes("Bad file format")) return { outcome: "bad", size };
    if (log.includes("Revert incomplete MULTI/EXEC")) return { outcome: "reverted", size };
    if (log.includes("Truncating the AOF")) return { outcome: "truncated", size };
    assert(log.includes("ready to accept connections"), log);
    return { outcome: "ok", size };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What the load mode says Redis does with `bytes`. */
function scanVerdict(bytes: Uint8Array): LoadVerdict {
  const scan = scanAof(bytes);
  if (scan.end === "damaged") return { outcome: "bad", size: bytes.length };
  if (scan.end === "clean" && scan.multiStart >= 0) {
    return { outcome: "reverted", size: scan.validUpTo };
  }
  if (scan.end === "truncated") return { outcome: "truncated", size: scan.validUpTo };
  return { outcome: "ok", size: bytes.length };
}

Deno.test({
  name: "The load mode cuts and refuses files where redis-server's loader does",
  ignore: needsRedis(),
  async fn() {
    const body = rec("SET", "a", "1") + "#TS:1\r\n" + rec("MULTI") + rec("SET", "b", "2") +
      rec("INCR", "n") + rec("EXEC") + rec("RPUSH", "l", "x", "y");
    const cases: [string, string][] = [];
    // A cut at a sample of split points, inside and outside the transaction.
    for (let cut = 1; cut < body.length; cut += 5) {
      cases.push([`cut at ${cut}`, body.slice(0, cut)]);
    }
    cases.push(
      ["a whole file", body],
      ["a MULTI left open", rec("SET", "a", "1") + rec("MULTI") + rec("SET", "b", "2")],
      ["a MULTI left open after an annotation", rec("SET", "a", "1") + "#TS:1\r\n" + rec("MULTI")],
      ["garbage in the middle", rec("SET", "a", "1") + "xx\r\n" + rec("SET", "b", "2")],
      ["a count below one", "*0\r\n" + rec("SET", "b", "2")],
      ["a bulk without $", "*2\r\n:3\r\n" + rec("SET", "b", "2")],
      ["no CRLF after a payload", rec("SET", "a", "1").replace("1\r\n", "1XY") + rec("DEL", "a")],
      ["a lone *", rec("SET", "a", "1") + "*"],
      ["a length beyond the end", rec("SET", "a", "1") + "*2\r\n$3\r\nDEL\r\n$100\r\nab"],
    );
    const outcomes = new Set<string>();
    // A few servers at a time.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async ([what, text]) => {
          const bytes = latin1Encode(text);
          const redis = await redisLoads(bytes);
          assertEquals(scanVerdict(bytes), redis, what);
          outcomes.add(redis.outcome);
        }),
      );
    }
    assertEquals([...outcomes].sort(), ["bad", "ok", "reverted", "truncated"]);
  },
});
