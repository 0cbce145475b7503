/**
 * Differential tests of `miniredis check-aof` against redis-check-aof 7.0: both run on copies
 * of the same files (a multi-part AOF written by a real redis-server, then cut, corrupted,
 * given bad manifests), and their standard output, exit status and the files they leave must be
 * the same. Only what cannot match is normalised: the program name in the usage line, the pid
 * and time of log lines, and the byte of uninitialised memory Redis prints after a line cut by
 * the end of the file ("got: 00xx"). Most runs spawn `deno run main.ts check-aof`; the
 * exhaustive ones (every split point, every corrupted byte) call `checkAof` in-process, the
 * same code behind the same arguments, to stay fast.
 *
 * @module
 */
import { checkAof, type CheckAofIo } from "../../src/persistence/check_aof.ts";
import { latin1Decode, latin1Encode } from "../../src/resp/latin1.ts";
import {
  assert,
  assertEquals,
  findRedisServer,
  needsRedis,
  RawSession,
  seededRandom,
  startRealRedis,
} from "../_util.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function redisCheckAofPath(): string | null {
  const server = findRedisServer();
  if (server === null) return null;
  const path = `${server.slice(0, server.lastIndexOf("/"))}/redis-check-aof`;
  try {
    return Deno.statSync(path).isFile ? path : null;
  } catch {
    return null;
  }
}

const skip = needsRedis() || redisCheckAofPath() === null;

/** Output of one run: standard output (latin1) and the exit status. */
interface Run {
  out: string;
  code: number;
}

/** What must differ between the two tools, made equal. */
function normalize(out: string): string {
  return out
    .replace(/^Usage: .*? \[--fix/m, "Usage: PROG [--fix")
    .replace(/^\d+:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} # /gm, "PID:C TIME # ")
    // Past the end of a line cut by the end of the file, Redis prints stack garbage.
    .replace(/Expected \\r\\n, got: 00(?:ffffff)?[0-9a-f]{2}$/gm, "Expected \\r\\n, got: 00??");
}

async function spawn(cmd: string, args: string[], cwd: string, stdin: string | null): Promise<Run> {
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    stdin: stdin === null ? "null" : "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  if (stdin !== null) {
    const writer = child.stdin.getWriter();
    // The tool may exit before reading its input.
    await writer.write(latin1Encode(stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const { stdout, code } = await child.output();
  return { out: latin1Decode(stdout, 0, stdout.length), code };
}

function runRedis(args: string[], cwd: string, stdin: string | null = null): Promise<Run> {
  return spawn(redisCheckAofPath()!, args, cwd, stdin);
}

function runMain(args: string[], cwd: string, stdin: string | null = null): Promise<Run> {
  return spawn(Deno.execPath(), ["run", "-A", MAIN, "check-aof", ...args], cwd, stdin);
}

/** checkAof in-process, in `cwd` through absolute paths made relative in the output. */
async function runInProcess(args: string[], cwd: string, answer: string | null): Promise<Run> {
  let out = "";
  const io: CheckAofIo = {
    write: (text) => void (out += text),
    readChar: () => Promise.resolve(answer === null || answer === "" ? null : answer[0]!),
    pid: 1,
    now: () => new Date(),
    programName: "miniredis check-aof",
  };
  // The file is the last argument.
  const code = await checkAof(args.map((a, i) => (i === args.length - 1 ? `${cwd}/${a}` : a)), io);
  return { out: out.replaceAll(`${cwd}/`, ""), code };
}

type Files = Record<string, Uint8Array | string>;

/** Writes `files` into a fresh directory. */
async function materialize(files: Files): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "miniredis-checkaof-" });
  for (const [name, content] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(path, typeof content === "string" ? latin1Encode(content) : content);
  }
  return dir;
}

/** The files of a directory (recursively), for comparing what each tool left. */
async function contents(dir: string, sub = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
    const name = sub === "" ? entry.name : `${sub}/${entry.name}`;
    if (entry.isDirectory) Object.assign(out, await contents(dir, name));
    else {
      const bytes = await Deno.readFile(`${dir}/${name}`);
      out[name] = latin1Decode(bytes, 0, bytes.length);
    }
  }
  return out;
}

type Runner = "main" | "in-process";

/**
 * Runs redis-check-aof and ours on two copies of `files` with the same arguments (paths
 * relative to the copy) and the same answer on standard input; compares output, status and the
 * files left. Returns Redis's run.
 */
async function compare(
  what: string,
  files: Files,
  args: string[],
  options: { stdin?: string | null; runner?: Runner } = {},
): Promise<Run> {
  const stdin = options.stdin ?? null;
  const redisDir = await materialize(files);
  const ourDir = await materialize(files);
  try {
    const redis = await runRedis(args, redisDir, stdin);
    const ours = options.runner === "in-process"
      ? await runInProcess(args, ourDir, stdin)
      : await runMain(args, ourDir, stdin);
    assertEquals(normalize(ours.out), normalize(redis.out), `${what}: output`);
    assertEquals(ours.code, redis.code, `${what}: exit status`);
    assertEquals(await contents(ourDir), await contents(redisDir), `${what}: files left`);
    return redis;
  } finally {
    await Deno.remove(redisDir, { recursive: true });
    await Deno.remove(ourDir, { recursive: true });
  }
}

/** Runs `fn` over `items`, a few at a time. */
async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += 8) await Promise.all(items.slice(i, i + 8).map(fn));
}

// ---------------------------------------------------------------------------------------------
// Fixtures written by a real redis-server.

/** A real redis-server with AOF on in `dir`, driven over RESP. */
async function withAofRedis(
  dir: string,
  extra: string[],
  script: (command: (...args: string[]) => Promise<string>) => Promise<void>,
): Promise<void> {
  const real = await startRealRedis(["--appendonly", "yes", "--dir", dir, ...extra]);
  try {
    await using s = await RawSession.open(real.port);
    await script((...args) => s.command(...args));
  } finally {
    await real.close();
  }
}

/** Waits until BGREWRITEAOF is over. */
async function rewrite(command: (...args: string[]) => Promise<string>): Promise<void> {
  await command("BGREWRITEAOF");
  for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
    const info = await command("INFO", "persistence");
    if (info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0")) {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("BGREWRITEAOF did not finish");
}

/** The files of a Redis-written appendonlydir, by name. */
type AofDir = Record<string, Uint8Array>;

let fixtures: Promise<{ rdbBase: AofDir; respBase: AofDir; timestamps: number[] }> | null = null;

/**
 * Two appendonlydirs written by redis-server: one with an RDB base (every type, a stream
 * with a consumer group, expiries, two databases) and an incr file with transactions and
 * timestamp annotations a second apart; one with a RESP base.
 */
function redisFixtures() {
  fixtures ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "miniredis-checkaof-fixture-" });
    try {
      const read = async (sub: string): Promise<AofDir> => {
        const out: AofDir = {};
        for await (const e of Deno.readDir(`${dir}/${sub}/appendonlydir`)) {
          out[e.name] = await Deno.readFile(`${dir}/${sub}/appendonlydir/${e.name}`);
        }
        return out;
      };
      await Deno.mkdir(`${dir}/rdb`);
      await withAofRedis(`${dir}/rdb`, ["--aof-timestamp-enabled", "yes"], async (cmd) => {
        await cmd("SET", "s", "x".repeat(300)); // LZF-compressed in the RDB
        await cmd("SET", "n", "12345");
        await cmd("SET", "e", "v", "PX", "100000");
        await cmd("RPUSH", "l", "a", "b", "c");
        await cmd("HSET", "h", "f", "v", "g", "w");
        await cmd("SADD", "si", "1", "2", "3");
        await cmd("SADD", "ss", "a", "b");
        await cmd("ZADD", "z", "1", "m", "2.5", "n");
        await cmd("XADD", "st", "1-1", "a", "1");
        await cmd("XADD", "st", "2-1", "b", "2");
        await cmd("XGROUP", "CREATE", "st", "g", "0");
        await cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "st", ">");
        const many = (n: number, f: (i: number) => string[]) =>
          Array.from({ length: n }, (_, i) => f(i)).flat();
        await cmd("HSET", "bigh", ...many(200, (i) => [`f${i}`, `v${i}`])); // a hash table
        await cmd("SADD", "bigs", ...many(600, (i) => [`${i}`])); // past the intset limit
        await cmd("ZADD", "bigz", ...many(200, (i) => [`${i / 3}`, `m${i}`])); // a skiplist
        await cmd("RPUSH", "bigl", ...many(1500, (i) => [`item${i}`])); // several nodes
        await cmd(
          "FUNCTION",
          "LOAD",
          "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
        );
        await cmd("SELECT", "3");
        await cmd("SET", "k3", "v3");
        await rewrite(cmd);
        await cmd("SET", "after", "1");
        await cmd("MULTI");
        await cmd("INCR", "counter");
        await cmd("RPUSH", "l2", "x");
        await cmd("EXEC");
        await new Promise((r) => setTimeout(r, 1100));
        await cmd("DEL", "after");
        await new Promise((r) => setTimeout(r, 1100));
        await cmd("SET", "last", "1");
      });
      await Deno.mkdir(`${dir}/resp`);
      await withAofRedis(`${dir}/resp`, ["--aof-use-rdb-preamble", "no"], async (cmd) => {
        await cmd("RPUSH", "l", "a", "b");
        await cmd("HSET", "h", "f", "v");
        await rewrite(cmd);
        await cmd("SET", "a", "1");
      });
      const rdbBase = await read("rdb");
      const incrBytes = rdbBase["appendonly.aof.2.incr.aof"]!;
      const incr = latin1Decode(incrBytes, 0, incrBytes.length);
      const timestamps = [...incr.matchAll(/#TS:(\d+)\r\n/g)].map((m) => Number(m[1]));
      return { rdbBase, respBase: await read("resp"), timestamps };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return fixtures;
}

/** The files of an appendonlydir placed under `appendonlydir/`, with `changes` applied. */
function inDir(aof: AofDir, changes: Files = {}): Files {
  const out: Files = {};
  for (const [name, bytes] of Object.entries(aof)) out[`appendonlydir/${name}`] = bytes;
  for (const [name, content] of Object.entries(changes)) out[`appendonlydir/${name}`] = content;
  return out;
}

const MANIFEST = "appendonlydir/appendonly.aof.manifest";

// ---------------------------------------------------------------------------------------------
// Whole files.

Deno.test({
  name: "check-aof reports multi-part AOFs written by Redis as redis-check-aof does",
  ignore: skip,
  async fn() {
    const { rdbBase, respBase } = await redisFixtures();
    assert("appendonly.aof.2.base.rdb" in rdbBase, Object.keys(rdbBase).join());
    assert("appendonly.aof.2.base.aof" in respBase, Object.keys(respBase).join());
    const runs: Run[] = [];
    for (const aof of [rdbBase, respBase]) {
      runs.push(await compare("manifest", inDir(aof), [MANIFEST]));
      for (const name of Object.keys(aof)) {
        if (!name.endsWith(".manifest")) {
          runs.push(await compare(name, inDir(aof), [`appendonlydir/${name}`]));
        }
      }
    }
    for (const run of runs) assertEquals(run.code, 0, run.out);
    assert(runs[0]!.out.includes("All AOF files and manifest are valid"), runs[0]!.out);
  },
});

Deno.test({
  name: "check-aof matches redis-check-aof at every split point of the last incr file",
  ignore: skip,
  async fn() {
    const { rdbBase } = await redisFixtures();
    const incr = rdbBase["appendonly.aof.2.incr.aof"]!;
    const cuts = Array.from({ length: incr.length }, (_, i) => i);
    await inBatches(cuts, async (cut) => {
      const files = inDir(rdbBase, { "appendonly.aof.2.incr.aof": incr.subarray(0, cut) });
      await compare(`cut at ${cut}`, files, [MANIFEST], { runner: "in-process" });
      await compare(`--fix at ${cut}`, files, ["--fix", MANIFEST], {
        stdin: "y\n",
        runner: "in-process",
      });
    });
  },
});

Deno.test({
  name: "check-aof matches redis-check-aof on every corrupted byte of an incr file",
  ignore: skip,
  async fn() {
    const { rdbBase } = await redisFixtures();
    const incr = rdbBase["appendonly.aof.2.incr.aof"]!;
    const flips: [number, number][] = [];
    for (let i = 0; i < incr.length; i++) {
      for (const byte of [0x00, 0x0a, 0x2a, 0x24, 0x23, 0x39, 0xff]) {
        if (incr[i] !== byte) flips.push([i, byte]);
      }
    }
    await inBatches(flips, ([i, byte]) => {
      const bad = incr.slice();
      bad[i] = byte;
      return compare(`byte ${i} = ${byte}`, { "x.aof": bad }, ["x.aof"], { runner: "in-process" });
    });
  },
});

Deno.test({
  name: "check-aof checks an RDB preamble as redis-check-rdb does, whole, cut and corrupted",
  ignore: skip,
  async fn() {
    const { rdbBase } = await redisFixtures();
    const base = rdbBase["appendonly.aof.2.base.rdb"]!;
    const incr = rdbBase["appendonly.aof.2.incr.aof"]!;
    // An old-style AOF: the RDB preamble and its tail in one file.
    const whole = new Uint8Array(base.length + incr.length);
    whole.set(base);
    whole.set(incr, base.length);
    await compare("a preamble and its tail", { "appendonly.aof": whole }, ["appendonly.aof"]);
    // Every split point and corrupted byte of the header and the first keys, then a sample.
    const random = seededRandom(5);
    const anywhere = (n: number) => Math.floor(random() * n);
    const cuts: number[] = [];
    for (let cut = 0; cut < 150; cut++) cuts.push(cut);
    for (let k = 0; k < 250; k++) cuts.push(anywhere(whole.length + 1));
    await inBatches(
      cuts,
      (cut) =>
        compare(`cut at ${cut}`, { "a.aof": whole.subarray(0, cut) }, ["a.aof"], {
          runner: "in-process",
        }),
    );
    const flips: [number, number][] = [];
    for (let i = 9; i < 100; i++) {
      for (const byte of [0x00, 0x81, 0xc3, 0xff]) if (base[i] !== byte) flips.push([i, byte]);
    }
    for (let k = 0; k < 400; k++) {
      const i = 9 + anywhere(base.length - 9);
      const byte = [0x00, 0x01, 0x40, 0x81, 0xc3, 0xff][anywhere(6)]!;
      if (base[i] !== byte) flips.push([i, byte]);
    }
    await inBatches(flips, ([i, byte]) => {
      const bad = whole.slice();
      bad[i] = byte;
      return compare(`byte ${i} = ${byte}`, { "a.aof": bad }, ["a.aof"], {
        runner: "in-process",
      });
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Repairs.

function rec(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

Deno.test({
  name: "--fix asks before cutting the last file and takes only y or Y for yes",
  ignore: skip,
  async fn() {
    const { rdbBase } = await redisFixtures();
    const incr = rdbBase["appendonly.aof.2.incr.aof"]!;
    const cut = inDir(rdbBase, { "appendonly.aof.2.incr.aof": incr.subarray(0, incr.length - 3) });
    for (const answer of ["y\n", "Y\n", "yes\n", "n\n", "\n", "", null]) {
      const run = await compare(`answer ${JSON.stringify(answer)}`, cut, ["--fix", MANIFEST], {
        stdin: answer,
      });
      assertEquals(run.code, answer?.[0]?.toLowerCase() === "y" ? 0 : 1, run.out);
    }
    const open = rec("SET", "a", "1") + rec("MULTI") + rec("SET", "b", "2");
    await compare("a MULTI without EXEC", { "x.aof": open }, ["--fix", "x.aof"], { stdin: "y\n" });
  },
});

Deno.test({
  name: "--fix refuses to cut a damaged file that is not the last one",
  ignore: skip,
  async fn() {
    const { respBase } = await redisFixtures();
    const base = respBase["appendonly.aof.2.base.aof"]!;
    const files = inDir(respBase, { "appendonly.aof.2.base.aof": base.subarray(0, 20) });
    const run = await compare("a cut base", files, ["--fix", MANIFEST], { stdin: "y\n" });
    assertEquals(run.code, 1);
    assert(run.out.includes("because it is not the last file"), run.out);
  },
});

Deno.test({
  name: "--truncate-to-timestamp cuts the last file at the first later annotation",
  ignore: skip,
  async fn() {
    const { rdbBase, timestamps } = await redisFixtures();
    assert(timestamps.length >= 2, `timestamps ${timestamps}`);
    const first = timestamps[0]!;
    const last = timestamps.at(-1)!;
    for (const t of [first - 1, first, first + 1, last - 1, last, last + 100, 0, -1]) {
      await compare(`to ${t}`, inDir(rdbBase), ["--truncate-to-timestamp", String(t), MANIFEST]);
    }
    // Not the last file, nothing before the annotation, a bad annotation.
    const tsFirst = "#TS:100\r\n" + rec("SET", "a", "1");
    const tsLater = rec("SET", "a", "1") + "#TS:100\r\n" + rec("SET", "b", "2");
    const two = {
      "d/m.manifest": "file a.aof seq 1 type b\nfile b.aof seq 2 type i\n",
      "d/a.aof": tsLater,
      "d/b.aof": rec("SET", "c", "3"),
    };
    await compare("not the last file", two, ["--truncate-to-timestamp", "50", "d/m.manifest"]);
    await compare("nothing before", { "x.aof": tsFirst }, [
      "--truncate-to-timestamp",
      "50",
      "x.aof",
    ]);
    const badTs = rec("SET", "a", "1") + "#TS:12x\r\n";
    await compare("a bad annotation", { "x.aof": badTs }, [
      "--truncate-to-timestamp",
      "5",
      "x.aof",
    ]);
    await compare("no #TS: prefix", { "x.aof": rec("PING") + "#XS:9\r\n" }, [
      "--truncate-to-timestamp",
      "5",
      "x.aof",
    ]);
  },
});

// ---------------------------------------------------------------------------------------------
// Manifests, files and arguments.

Deno.test({
  name: "check-aof reports bad manifests and missing or empty files as redis-check-aof does",
  ignore: skip,
  async fn() {
    const { respBase } = await redisFixtures();
    const cases: [string, Files, string[]][] = [
      ["an unknown type", { "m.manifest": "file a seq 1 type b\nfile b seq 2 type z\n" }, [
        "m.manifest",
      ]],
      ["a path in a manifest", { "m.manifest": "file ../a seq 1 type b\n" }, ["m.manifest"]],
      ["a missing newline", { "m.manifest": "file a seq 1 type b" }, ["m.manifest"]],
      ["a missing base", { "d/m.manifest": "file a seq 1 type b\n" }, ["d/m.manifest"]],
      ["a missing incr", { "d/m.manifest": "file a seq 1 type i\n" }, ["d/m.manifest"]],
      ["an empty incr", {
        "d/m.manifest": "file a seq 1 type b\nfile b seq 1 type i\nfile c seq 2 type i\n",
        "d/a": rec("SET", "a", "1"),
        "d/b": "",
        "d/c": rec("SET", "c", "1"),
      }, ["d/m.manifest"]],
      ["an empty base", { "d/m.manifest": "file a seq 1 type b\n", "d/a": "" }, ["d/m.manifest"]],
      ["only history files", { "m.manifest": "file a seq 1 type h\n" }, ["m.manifest"]],
      ["a manifest with comments", {
        "m.manifest": "# hello\nfile a seq 1 type b\n",
        "a": rec("SET", "x", "1"),
      }, ["m.manifest"]],
      ["an AOF taken for a manifest", { "x.aof": rec("SET", "file", "1") }, ["x.aof"]],
      ["an empty file", { "x.aof": "" }, ["x.aof"]],
      ["a format error", { "x.aof": rec("SET", "a", "1") + "+OK\r\n" }, ["x.aof"]],
      ["the manifest Redis wrote", inDir(respBase), [MANIFEST]],
    ];
    for (const [what, files, args] of cases) await compare(what, files, args);
  },
});

Deno.test({
  name: "check-aof takes its arguments and reports unusable files as redis-check-aof does",
  ignore: skip,
  async fn() {
    const files = { "x.aof": rec("SET", "a", "1"), "d/keep": "" };
    const cases: string[][] = [
      [],
      ["a", "b", "c", "d"],
      ["--bogus", "x.aof"],
      ["--fix"],
      ["--truncate-to-timestamp", "12"],
      ["--truncate-to-timestamp", "abc", "x.aof"],
      ["--truncate-to-timestamp", "99999999999999999999", "x.aof"],
      ["--truncate-to-timestamp", "", "x.aof"],
      ["--truncate-to-timestamp", " +7", "x.aof"],
      ["--truncate-to-timestamp", "7 ", "x.aof"],
      ["--fix", "x.aof", "extra"],
      ["missing.aof"],
      ["d"],
      ["-v"],
      ["a".repeat(4096)],
      ["a".repeat(4097)],
    ];
    for (const args of cases) await compare(JSON.stringify(args).slice(0, 60), files, args);
  },
});
