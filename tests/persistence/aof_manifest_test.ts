/**
 * Tests of the multi-part AOF layout (src/persistence/aof_manifest.ts). Manifests written by a
 * real redis-server 7.0 (start-up, BGREWRITEAOF with history kept, an upgrade from a single
 * appendonly.aof, a file name that needs quoting) are parsed and formatted back byte for byte,
 * and the same steps taken with our manifest changes give Redis's manifests. Bad manifests are
 * fed to redis-check-aof, which loads them with Redis's own parser, and our errors must carry
 * the messages it logs.
 *
 * @module
 */
import {
  baseFileName,
  EMPTY_MANIFEST,
  filesToLoad,
  formatManifest,
  incrFileName,
  lastIncr,
  ManifestError,
  manifestFileName,
  needsUpgrade,
  parseManifest,
  persistManifest,
  readManifest,
  tempIncrFileName,
  tempManifestFileName,
  withNewBase,
  withNewIncr,
  withoutHistory,
  withRewrittenIncrAsHistory,
  withUpgradedBase,
} from "../../src/persistence/aof_manifest.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import {
  assert,
  assertEquals,
  findRedisServer,
  needsRedis,
  RawSession,
  startRealRedis,
} from "../_util.ts";

// ---------------------------------------------------------------------------------------------
// A real redis-server with the AOF on, in a directory of ours.

interface AofRedis extends AsyncDisposable {
  readonly dir: string;
  readonly port: number;
  command(...args: string[]): Promise<string>;
  /** BGREWRITEAOF, then waits until the rewrite is over. */
  rewrite(): Promise<void>;
  stop(): Promise<void>;
}

async function startAofRedis(dir: string, extra: string[] = []): Promise<AofRedis> {
  const real = await startRealRedis(["--appendonly", "yes", "--dir", dir, ...extra]);
  const port = real.port;
  const s = await RawSession.open(port);
  const stop = async () => {
    try {
      s.close();
    } catch {
      // already closed
    }
    await real.close();
  };
  return {
    dir,
    port,
    command: (...args: string[]) => s.command(...args),
    async rewrite() {
      await s.command("BGREWRITEAOF");
      for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
        const info = await s.command("INFO", "persistence");
        if (
          info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0")
        ) {
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error("BGREWRITEAOF did not finish");
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "miniredis-manifest-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

async function manifestText(dir: string, aofFilename = "appendonly.aof"): Promise<string> {
  const bytes = await Deno.readFile(`${dir}/appendonlydir/${manifestFileName(aofFilename)}`);
  return latin1Decode(bytes, 0, bytes.length);
}

// ---------------------------------------------------------------------------------------------
// Manifests Redis writes.

Deno.test({
  name: "Manifests Redis writes through start-up and rewrites parse and format back unchanged",
  ignore: needsRedis(),
  async fn() {
    await using dir = await tempDir();
    await using redis = await startAofRedis(dir.path, ["--aof-disable-auto-gc", "yes"]);
    const seen: string[] = [];
    seen.push(await manifestText(dir.path));
    await redis.command("SET", "a", "1");
    await redis.rewrite();
    seen.push(await manifestText(dir.path));
    await redis.command("CONFIG", "SET", "aof-use-rdb-preamble", "no");
    await redis.rewrite();
    seen.push(await manifestText(dir.path));
    for (const text of seen) {
      assertEquals(formatManifest(parseManifest(text)), text);
    }
    // The last one keeps the history files of both rewrites (auto gc is off).
    const last = parseManifest(seen[2]!);
    assertEquals(last.base, { fileName: "appendonly.aof.3.base.aof", seq: 3, type: "b" });
    assertEquals(last.history.map((f) => f.fileName), [
      "appendonly.aof.2.incr.aof",
      "appendonly.aof.2.base.rdb",
      "appendonly.aof.1.incr.aof",
      "appendonly.aof.1.base.rdb",
    ]);
    assertEquals(last.incr.map((f) => f.fileName), ["appendonly.aof.3.incr.aof"]);
    assertEquals([last.baseSeq, last.incrSeq], [3, 3]);
  },
});

Deno.test({
  name: "Our manifest changes for start-up and two rewrites give the manifests Redis writes",
  ignore: needsRedis(),
  async fn() {
    await using dir = await tempDir();
    await using redis = await startAofRedis(dir.path, ["--aof-disable-auto-gc", "yes"]);
    const name = "appendonly.aof";
    // Start-up with an empty dataset: a base file, then the incr file writes go to.
    let m = withNewBase(EMPTY_MANIFEST, name, true).manifest;
    const opened = lastIncr(m, name);
    assert(opened.created, "a new incr file is created at start-up");
    m = opened.manifest;
    assertEquals(formatManifest(m), await manifestText(dir.path));
    // A rewrite while AOF is on: a new incr file when it starts; when it is done a new base,
    // and the incr files it covers become history.
    for (const preamble of [true, false]) {
      if (!preamble) await redis.command("CONFIG", "SET", "aof-use-rdb-preamble", "no");
      await redis.command("SET", "k", "v");
      await redis.rewrite();
      m = withNewIncr(m, name).manifest;
      m = withNewBase(m, name, preamble).manifest;
      m = withRewrittenIncrAsHistory(m, true);
      assertEquals(formatManifest(m), await manifestText(dir.path));
    }
  },
});

Deno.test({
  name: "Deleting history files gives the manifest Redis keeps when auto gc is on",
  ignore: needsRedis(),
  async fn() {
    await using dir = await tempDir();
    await using redis = await startAofRedis(dir.path);
    await redis.command("SET", "a", "1");
    await redis.rewrite();
    let m = withNewBase(EMPTY_MANIFEST, "appendonly.aof", true).manifest;
    m = lastIncr(m, "appendonly.aof").manifest;
    m = withNewIncr(m, "appendonly.aof").manifest;
    m = withNewBase(m, "appendonly.aof", true).manifest;
    m = withoutHistory(withRewrittenIncrAsHistory(m, true));
    // The history files are deleted in the background: wait for Redis's manifest to settle.
    const deadline = Date.now() + 5000;
    let text = await manifestText(dir.path);
    while (text !== formatManifest(m) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      text = await manifestText(dir.path);
    }
    assertEquals(text, formatManifest(m));
  },
});

Deno.test({
  name: "Adopting an old single appendonly.aof gives the manifest of Redis's upgrade",
  ignore: needsRedis(),
  async fn() {
    await using dir = await tempDir();
    await Deno.writeTextFile(`${dir.path}/appendonly.aof`, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
    const facts = { oldFileExists: true, aofDirExists: false, oldNameInAofDirExists: false };
    assert(needsUpgrade(EMPTY_MANIFEST, "appendonly.aof", facts), "an upgrade is needed");
    await using redis = await startAofRedis(dir.path);
    let m = withUpgradedBase(EMPTY_MANIFEST, "appendonly.aof");
    m = lastIncr(m, "appendonly.aof").manifest;
    assertEquals(formatManifest(m), await manifestText(dir.path));
    await redis.stop();
    // Once moved, the old file is no longer in the directory: no second upgrade.
    const after = parseManifest(await manifestText(dir.path));
    assert(
      !needsUpgrade(after, "appendonly.aof", {
        oldFileExists: false,
        aofDirExists: true,
        oldNameInAofDirExists: true,
      }),
      "no upgrade after the move",
    );
  },
});

Deno.test({
  name: "A file name that needs quoting is written and read back as Redis does",
  ignore: needsRedis(),
  async fn() {
    await using dir = await tempDir();
    const name = 'my "aof" é.aof';
    await using _redis = await startAofRedis(dir.path, ["--appendfilename", name]);
    const text = await manifestText(dir.path, name);
    assert(text.startsWith('file "my \\"aof\\" \\xc3\\xa9.aof.1.base.rdb"'), text);
    const m = parseManifest(await Deno.readFile(`${dir.path}/appendonlydir/${name}.manifest`));
    assertEquals(m.base?.fileName, `${name}.1.base.rdb`);
    assertEquals(m.incr[0]?.fileName, `${name}.1.incr.aof`);
    const expected = withNewBase(EMPTY_MANIFEST, name, true).manifest;
    assertEquals(formatManifest(lastIncr(expected, name).manifest), text);
  },
});

// ---------------------------------------------------------------------------------------------
// Bad manifests, against redis-check-aof (which loads a manifest with Redis's own parser).

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

/** The messages redis-check-aof logs for the manifest, without the pid/time prefix. */
async function redisManifestErrors(dir: string, bytes: Uint8Array): Promise<string[]> {
  const path = `${dir}/t.manifest`;
  await Deno.writeFile(path, bytes);
  const out = await new Deno.Command(redisCheckAofPath()!, {
    args: [path],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = latin1Decode(out.stdout, 0, out.stdout.length);
  // Each log entry is "<pid>:C <date> <time> # <message>\n".
  return text.split(/^\d+:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} # /m).slice(1);
}

const BAD_MANIFESTS: Record<string, string> = {
  "an unknown type": "file a.1.base.rdb seq 1 type b\nfile a.1.incr.aof seq 1 type x\n",
  "a path": "file dir/a seq 1 type b\n",
  "a backslash path": "file dir\\\\a seq 1 type b\n",
  "an empty line": "file a seq 1 type b\n\n",
  "a blank line": "file a seq 1 type b\n \t \n",
  "no newline at the end": "file a seq 1 type b",
  "a line of 1025 bytes": `file ${"x".repeat(1010)} seq 1 type b\n`,
  "two base files": "file a seq 1 type b\nfile b seq 2 type b\n",
  "incr seqs out of order": "file a seq 2 type i\nfile b seq 2 type i\n",
  "a negative incr seq": "file a seq -1 type i\n",
  "five words": "file a seq 1 type\n",
  "seven words": "file a seq 1 type b x\n",
  "a zero seq": "file a seq 0 type b\n",
  "a seq that is no number": "file a seq x type b\n",
  "no file key": "file a seq 1 type b\nname a seq 2 type i\n",
  "an empty type": 'file a seq 1 type ""\n',
  "unbalanced quotes": 'file "a seq 1 type b\n',
  "a NUL byte": "file a\0 seq 1 type b\n",
  "a comment and then garbage": "# comment\nfile a seq 1 type b\ngarbage here x y z w\n",
  "keys in capitals and a key from the future": "FILE a SEQ 1 TYPE h new 1\nfile ",
};

Deno.test({
  name: "parseManifest refuses bad manifests with the messages Redis logs",
  ignore: needsRedis() || redisCheckAofPath() === null,
  async fn() {
    await using dir = await tempDir();
    for (const [what, text] of Object.entries(BAD_MANIFESTS)) {
      const bytes = new TextEncoder().encode(text);
      const expected = await redisManifestErrors(dir.path, bytes);
      let got: string[] = [];
      try {
        parseManifest(bytes);
      } catch (error) {
        assert(error instanceof ManifestError, `${what}: ${error}`);
        got = error.logMessages().map((m) => `${m}\n`);
      }
      assertEquals(got, expected, what);
      assert(got.length > 0, `${what}: Redis refuses it`);
    }
  },
});

Deno.test("parseManifest accepts what Redis accepts: quotes, comments, case, extra keys", () => {
  const m = parseManifest(
    '# a comment\nFILE "a b\\x41.aof" SEQ 007 TYPE base future yes\n' +
      "file h.aof seq 4 type history\nfile i.aof seq 2x type incr\r\n",
  );
  assertEquals(m.base, { fileName: "a bA.aof", seq: 7, type: "b" });
  assertEquals(m.history, [{ fileName: "h.aof", seq: 4, type: "h" }]);
  assertEquals(m.incr, [{ fileName: "i.aof", seq: 2, type: "i" }]);
  assertEquals(
    formatManifest(m),
    [
      'file "a bA.aof" seq 7 type b',
      "file h.aof seq 4 type h",
      "file i.aof seq 2 type i",
      "",
    ].join("\n"),
  );
  assertEquals(parseManifest("# only a comment\n"), EMPTY_MANIFEST);
});

Deno.test("An empty manifest is refused as Redis's loader refuses it", () => {
  let error: unknown = null;
  try {
    parseManifest(new Uint8Array(0));
  } catch (e) {
    error = e;
  }
  assert(error instanceof ManifestError, "a ManifestError");
  assertEquals(error.logMessages(), [
    "\n*** FATAL AOF MANIFEST FILE ERROR ***\n",
    "Found an empty AOF manifest\n",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Names, loading order and the disk helpers.

Deno.test("File names follow Redis's naming rules", () => {
  assertEquals(manifestFileName("appendonly.aof"), "appendonly.aof.manifest");
  assertEquals(tempManifestFileName("appendonly.aof"), "temp-appendonly.aof.manifest");
  assertEquals(baseFileName("appendonly.aof", 3, true), "appendonly.aof.3.base.rdb");
  assertEquals(baseFileName("appendonly.aof", 3, false), "appendonly.aof.3.base.aof");
  assertEquals(incrFileName("x.aof", 12), "x.aof.12.incr.aof");
  assertEquals(tempIncrFileName("appendonly.aof"), "temp-appendonly.aof.incr");
});

Deno.test("filesToLoad lists the base file, then the incr files, and marks the last one", () => {
  const m = parseManifest(
    "file b seq 2 type b\nfile h seq 1 type h\nfile i1 seq 3 type i\nfile i2 seq 4 type i\n",
  );
  assertEquals(filesToLoad(m), [
    { fileName: "b", kind: "base", last: false },
    { fileName: "i1", kind: "incr", last: false },
    { fileName: "i2", kind: "incr", last: true },
  ]);
  assertEquals(filesToLoad(parseManifest("file b seq 1 type b\n")), [
    { fileName: "b", kind: "base", last: true },
  ]);
  assertEquals(filesToLoad(EMPTY_MANIFEST), []);
});

Deno.test("needsUpgrade follows loadAppendOnlyFiles' three cases", () => {
  const name = "appendonly.aof";
  const base = parseManifest(`file ${name} seq 1 type b\n`);
  const full = parseManifest(`file ${name} seq 1 type b\nfile x seq 1 type i\n`);
  const facts = (oldFileExists: boolean, aofDirExists: boolean, oldNameInAofDirExists = false) => ({
    oldFileExists,
    aofDirExists,
    oldNameInAofDirExists,
  });
  assert(!needsUpgrade(EMPTY_MANIFEST, name, facts(false, false)), "no old file");
  assert(needsUpgrade(EMPTY_MANIFEST, name, facts(true, false)), "no directory");
  assert(needsUpgrade(EMPTY_MANIFEST, name, facts(true, true)), "no manifest");
  assert(needsUpgrade(base, name, facts(true, true, false)), "an interrupted upgrade");
  assert(!needsUpgrade(base, name, facts(true, true, true)), "an upgrade already done");
  assert(!needsUpgrade(full, name, facts(true, true, false)), "incr files exist");
});

Deno.test("persistManifest writes what readManifest reads, and leaves no temp file", async () => {
  await using dir = await tempDir();
  assertEquals(await readManifest(`${dir.path}/missing`, "appendonly.aof"), EMPTY_MANIFEST);
  assertEquals(await readManifest(dir.path, "appendonly.aof"), EMPTY_MANIFEST);
  let m = withNewBase(EMPTY_MANIFEST, "appendonly.aof", true).manifest;
  m = withNewIncr(m, "appendonly.aof").manifest;
  await persistManifest(dir.path, "appendonly.aof", m);
  assertEquals(await readManifest(dir.path, "appendonly.aof"), m);
  const names = [];
  for await (const entry of Deno.readDir(dir.path)) names.push(entry.name);
  assertEquals(names, ["appendonly.aof.manifest"]);
  await Deno.writeTextFile(`${dir.path}/appendonly.aof.manifest`, "file a seq 1 type q\n");
  let error: unknown = null;
  try {
    await readManifest(dir.path, "appendonly.aof");
  } catch (e) {
    error = e;
  }
  assert(error instanceof ManifestError && error.reason === "Unknown AOF file type", `${error}`);
});
