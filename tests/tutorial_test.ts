/**
 * The tutorial's protocol ("Write your own miniature Redis with Python", Charles Leifer) on a
 * server in tutorial mode: the post's session as the exact bytes its Python client sends, and
 * then the real client itself (tests/fixtures/tutorial_client.py) under Python 2.
 *
 * The client sends every request as an array whose elements keep their types: strings as `$`
 * bulk strings, integers as `:n`, None as `$-1`, lists as `*N` and dicts as `%<pairs>` followed
 * by key, value, key, value. The tutorial's server answers SET with `:1`, MSET with the number
 * of pairs, DELETE with `:1`/`:0` and FLUSH with the number of keys it removed.
 */
import { assert, assertEquals, RawSession, startMiniredis } from "./_util.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** The post's session: each request as the tutorial's client encodes it, and the reply. */
const TRANSCRIPT: { call: string; request: string; reply: string }[] = [
  {
    call: "client.mset('k1', 'v1', 'k2', ['v2-0', 1, 'v2-2'], 'k3', 'v3')",
    request: "*7\r\n$4\r\nMSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n$2\r\nk2\r\n" +
      "*3\r\n$4\r\nv2-0\r\n:1\r\n$4\r\nv2-2\r\n$2\r\nk3\r\n$2\r\nv3\r\n",
    reply: ":3\r\n",
  },
  {
    call: "client.get('k2')",
    request: "*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n",
    reply: "*3\r\n$4\r\nv2-0\r\n:1\r\n$4\r\nv2-2\r\n",
  },
  {
    call: "client.mget('k3', 'k1')",
    request: "*3\r\n$4\r\nMGET\r\n$2\r\nk3\r\n$2\r\nk1\r\n",
    reply: "*2\r\n$2\r\nv3\r\n$2\r\nv1\r\n",
  },
  {
    call: "client.delete('k1')",
    request: "*2\r\n$6\r\nDELETE\r\n$2\r\nk1\r\n",
    reply: ":1\r\n",
  },
  { call: "client.get('k1')", request: "*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n", reply: "$-1\r\n" },
  {
    call: "client.delete('k1')",
    request: "*2\r\n$6\r\nDELETE\r\n$2\r\nk1\r\n",
    reply: ":0\r\n",
  },
  {
    call: "client.set('kx', {'vx': {'vy': 0, 'vz': [1, 2, 3]}})",
    request: "*3\r\n$3\r\nSET\r\n$2\r\nkx\r\n" +
      "%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n:3\r\n",
    reply: ":1\r\n",
  },
  {
    call: "client.get('kx')",
    request: "*2\r\n$3\r\nGET\r\n$2\r\nkx\r\n",
    reply: "%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n:3\r\n",
  },
  // The post shows 2 here, but k2, k3 and kx remain: its own code answers 3.
  { call: "client.flush()", request: "*1\r\n$5\r\nFLUSH\r\n", reply: ":3\r\n" },
];

/** What the post's interactive session prints (with `None` shown, and flush's 3). */
const EXPECTED_OUTPUT = [
  "3",
  "['v2-0', 1, 'v2-2']",
  "['v3', 'v1']",
  "1",
  "None",
  "0",
  "1",
  "{'vx': {'vy': 0, 'vz': [1, 2, 3]}}",
  "3",
];

Deno.test({
  name: "the tutorial's session, sent as its client's bytes, gets the tutorial's replies",
  async fn() {
    await using server = await startMiniredis({ tutorial: true });
    await using session = await RawSession.open(server.port);
    for (const { call, request, reply } of TRANSCRIPT) {
      await session.write(request);
      assertEquals(await session.read(1), reply, call);
    }
  },
});

Deno.test({
  name: "the tutorial's session pipelined in one write gets the same replies in order",
  async fn() {
    await using server = await startMiniredis({ tutorial: true });
    await using session = await RawSession.open(server.port);
    await session.write(TRANSCRIPT.map((step) => step.request).join(""));
    assertEquals(
      await session.read(TRANSCRIPT.length),
      TRANSCRIPT.map((step) => step.reply).join(""),
    );
  },
});

Deno.test({
  name: "the tutorial's values keep their types: ints, None, nested lists and dicts",
  async fn() {
    await using server = await startMiniredis({ tutorial: true });
    await using session = await RawSession.open(server.port);
    const values = [
      ":1337\r\n",
      ":-5\r\n",
      "*0\r\n",
      "%0\r\n",
      "*2\r\n%1\r\n$1\r\na\r\n*1\r\n$-1\r\n$1\r\nb\r\n",
      "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n%1\r\n$1\r\nc\r\n*2\r\n:2\r\n:3\r\n",
    ];
    for (const [i, value] of values.entries()) {
      await session.write(`*3\r\n$3\r\nSET\r\n$2\r\nk${i}\r\n${value}`);
      assertEquals(await session.read(1), ":1\r\n");
      await session.write(`*2\r\n$3\r\nGET\r\n$2\r\nk${i}\r\n`);
      assertEquals(await session.read(1), value, `value ${JSON.stringify(value)}`);
    }
    // `set(5, 'five')`: an integer key is the key "5".
    await session.write("*3\r\n$3\r\nSET\r\n:5\r\n$4\r\nfive\r\n");
    assertEquals(await session.read(1), ":1\r\n");
    await session.write("*2\r\n$3\r\nGET\r\n:5\r\n");
    assertEquals(await session.read(1), "$4\r\nfive\r\n");
    // `set('n', None)` stores None, which reads back as None.
    await session.write("*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$-1\r\n");
    assertEquals(await session.read(1), ":1\r\n");
    await session.write("*2\r\n$3\r\nGET\r\n$1\r\nn\r\n");
    assertEquals(await session.read(1), "$-1\r\n");
    await session.write("*1\r\n$5\r\nFLUSH\r\n");
    assertEquals(await session.read(1), `:${values.length + 2}\r\n`);
  },
});

Deno.test({
  name: "the tutorial's MSET answers the number of pairs and its DELETE counts one key",
  async fn() {
    await using server = await startMiniredis({ tutorial: true });
    await using session = await RawSession.open(server.port);
    await session.write("*5\r\n$4\r\nMSET\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
    assertEquals(await session.read(1), ":2\r\n");
    await session.write("*2\r\n$6\r\nDELETE\r\n$1\r\na\r\n");
    assertEquals(await session.read(1), ":1\r\n");
    await session.write("*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n");
    assertEquals(await session.read(1), "*2\r\n$-1\r\n:2\r\n");
  },
});

/** Whether `path` runs as a Python 2 interpreter. */
async function isPython2(path: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(path, {
      args: ["-c", "import sys; sys.stdout.write(str(sys.version_info[0]))"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success && new TextDecoder().decode(out.stdout) === "2";
  } catch {
    return false;
  }
}

/** A Python 2 interpreter: `python2` on PATH, or one installed by pyenv; else null. */
async function findPython2(): Promise<string | null> {
  const candidates: string[] = [];
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "") candidates.push(`${dir}/python2`, `${dir}/python2.7`);
  }
  const pyenvRoot = Deno.env.get("PYENV_ROOT") ?? `${Deno.env.get("HOME") ?? "/root"}/.pyenv`;
  try {
    for await (const entry of Deno.readDir(`${pyenvRoot}/versions`)) {
      if (entry.name.startsWith("2.7")) {
        candidates.push(`${pyenvRoot}/versions/${entry.name}/bin/python2`);
      }
    }
  } catch {
    // no pyenv
  }
  for (const candidate of candidates) {
    if (await isPython2(candidate)) return candidate;
  }
  return null;
}

const python2 = await findPython2();
if (python2 === null) {
  console.warn(
    "SKIP: the tutorial's Python client needs Python 2, and none was found " +
      "(python2 on PATH, or pyenv's 2.7.x)",
  );
}

Deno.test({
  name: "the tutorial's own Python client runs the post's session and gets its results",
  ignore: python2 === null,
  async fn() {
    await using server = await startMiniredis({ tutorial: true });
    const child = new Deno.Command(python2!, {
      // -B: write no .pyc files into the fixtures directory.
      args: ["-B", `${FIXTURES}tutorial_driver.py`, String(server.port)],
      cwd: FIXTURES,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const out = await child.output();
    clearTimeout(timer);
    const stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, `the tutorial client failed:\n${stderr}`);
    assertEquals(new TextDecoder().decode(out.stdout).trimEnd().split("\n"), EXPECTED_OUTPUT);
  },
});
