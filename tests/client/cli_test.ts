/**
 * The executable (main.ts) run as a process: one-shot commands, output modes, connection
 * options, piped input, failures, and the `serve` subcommand. Where redis-cli is installed, our
 * CLI's stdout is compared with redis-cli's for the same replies.
 */
import { assert, assertEquals, needsRedis, startMiniredis, startRealRedis } from "../_util.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import { startCannedServer } from "../fixtures/canned_server.ts";
import { SAMPLE_REPLIES } from "../fixtures/replies.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with `args`, feeding it `stdin`; stdout is latin1 (byte-exact). */
async function run(program: string, args: string[], stdin?: string): Promise<Run> {
  const child = new Deno.Command(program, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    stdout: latin1Decode(out.stdout, 0, out.stdout.length),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Runs our executable (`deno run -A main.ts ...`). */
function miniredis(args: string[], stdin?: string): Promise<Run> {
  return run(Deno.execPath(), ["run", "-A", MAIN, ...args], stdin);
}

function hasRedisCli(): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/redis-cli`).isFile) return true;
    } catch {
      // not here
    }
  }
  console.warn("SKIP: redis-cli is not installed; CLI output is not compared with it");
  return false;
}
const redisCliMissing = !hasRedisCli();

/** A port on 127.0.0.1 where nothing listens. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test({
  name: "the CLI runs one command and prints its reply raw when stdout is not a terminal",
  async fn() {
    await using server = await startMiniredis();
    const p = ["-p", String(server.port)];
    assertEquals(await miniredis([...p, "set", "greeting", "hello world"]), {
      code: 0,
      stdout: "OK\n",
      stderr: "",
    });
    assertEquals((await miniredis([...p, "get", "greeting"])).stdout, "hello world\n");
    assertEquals((await miniredis([...p, "incr", "n"])).stdout, "1\n");
    assertEquals((await miniredis([...p, "get", "nosuch"])).stdout, "\n");
    assertEquals(
      (await miniredis([...p, "mget", "greeting", "nosuch", "n"])).stdout,
      "hello world\n\n1\n",
    );
  },
});

Deno.test({
  name: "the CLI formats replies like redis-cli on a terminal with --no-raw",
  async fn() {
    await using server = await startMiniredis();
    const p = ["-p", String(server.port), "--no-raw"];
    await miniredis([...p, "set", "k", 'say "hi"\n']);
    assertEquals((await miniredis([...p, "get", "k"])).stdout, '"say \\"hi\\"\\n"\n');
    assertEquals((await miniredis([...p, "incr", "n"])).stdout, "(integer) 1\n");
    assertEquals((await miniredis([...p, "get", "nosuch"])).stdout, "(nil)\n");
    assertEquals(
      (await miniredis([...p, "mget", "n", "nosuch"])).stdout,
      '1) "1"\n2) (nil)\n',
    );
    assertEquals(await miniredis([...p, "incr", "k"]), {
      code: 0,
      stdout: "(error) ERR value is not an integer or out of range\n",
      stderr: "",
    });
  },
});

Deno.test({
  name: "the CLI sends arguments as UTF-8 bytes and prints them back unchanged",
  async fn() {
    await using server = await startMiniredis();
    const p = ["-p", String(server.port)];
    await miniredis([...p, "set", "word", "héllo ☃"]);
    assertEquals((await miniredis([...p, "strlen", "word"])).stdout, "10\n");
    const raw = await miniredis([...p, "get", "word"]);
    assertEquals(
      new TextDecoder().decode(Uint8Array.from(raw.stdout, (c) => c.charCodeAt(0))),
      "héllo ☃\n",
    );
    const tty = await miniredis([...p, "--no-raw", "get", "word"]);
    assertEquals(tty.stdout, '"h\\xc3\\xa9llo \\xe2\\x98\\x83"\n');
  },
});

Deno.test({
  name: "the CLI's -n selects the database",
  async fn() {
    await using server = await startMiniredis();
    const p = ["-p", String(server.port)];
    assertEquals((await miniredis([...p, "-n", "2", "set", "k", "in-two"])).stdout, "OK\n");
    assertEquals((await miniredis([...p, "-n", "2", "get", "k"])).stdout, "in-two\n");
    assertEquals((await miniredis([...p, "get", "k"])).stdout, "\n");
    const bad = await miniredis([...p, "-n", "99", "get", "k"]);
    assertEquals(bad.code, 1);
    assert(bad.stderr.includes("DB index is out of range"), bad.stderr);
  },
});

Deno.test({
  name: "the CLI's -a authenticates; without it commands answer NOAUTH",
  async fn() {
    await using server = await startMiniredis({ config: { requirepass: "s3cret" } });
    const p = ["-p", String(server.port)];
    assertEquals((await miniredis([...p, "-a", "s3cret", "set", "k", "v"])).stdout, "OK\n");
    assertEquals((await miniredis([...p, "-a", "s3cret", "get", "k"])).stdout, "v\n");
    assertEquals(await miniredis([...p, "get", "k"]), {
      code: 0,
      stdout: "NOAUTH Authentication required.\n\n",
      stderr: "",
    });
    const wrong = await miniredis([...p, "-a", "nope", "get", "k"]);
    assertEquals(
      wrong.stderr,
      "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n",
    );
    const user = await miniredis([...p, "--user", "default", "-a", "s3cret", "get", "k"]);
    assertEquals(user.stdout, "v\n");
  },
});

Deno.test({
  name: "the CLI's -3 speaks RESP3: HELLO's map and null print as redis-cli prints them",
  async fn() {
    await using server = await startMiniredis();
    const p = ["-p", String(server.port), "-3", "--no-raw"];
    const hello = await miniredis([...p, "hello"]);
    assert(
      hello.stdout.startsWith('1# "server" => "redis"\n2# "version" => "7.0.15"\n'),
      hello.stdout,
    );
    assert(hello.stdout.includes('3# "proto" => (integer) 3\n'), hello.stdout);
    assert(hello.stdout.endsWith('7# "modules" => (empty array)\n'), hello.stdout);
    assertEquals((await miniredis([...p, "get", "nosuch"])).stdout, "(nil)\n");
    assertEquals(
      (await miniredis([...p, "config", "get", "maxmemory"])).stdout,
      '1# "maxmemory" => "0"\n',
    );
  },
});

Deno.test({
  name: "the CLI reports a refused connection on stderr as redis-cli does and exits with 1",
  async fn() {
    const port = closedPort();
    assertEquals(await miniredis(["-p", String(port), "ping"]), {
      code: 1,
      stdout: "",
      stderr: `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`,
    });
  },
});

Deno.test({
  name: "piped input runs one command per line, with quoting, and prints each reply",
  async fn() {
    await using server = await startMiniredis();
    const input = [
      "set greeting 'hello world'",
      "get greeting",
      "",
      'set "two words" "a\\tb"',
      'get "two words"',
      "incr n",
      "select 1",
      "get greeting",
      "bad 'quote",
      "nosuch",
      "get n",
    ].join("\n") + "\n";
    const result = await miniredis(["-p", String(server.port)], input);
    assertEquals(result.code, 0);
    assertEquals(
      result.stdout,
      "OK\nhello world\nOK\na\tb\n1\nOK\n\nInvalid argument(s)\n" +
        "ERR unknown command 'nosuch', with args beginning with: \n\n\n",
    );
  },
});

Deno.test({
  name: "piped input prints what redis-cli prints for the same commands to real Redis",
  ignore: redisCliMissing || needsRedis(),
  async fn() {
    const input = "set k 'hello world'\nget k\nmget k nosuch\nincr n\nincr k\n" +
      "select 3\nset k '\\x00\\xff\"'\nget k\nbad 'quote\ndbsize\n";
    for (const mode of [[], ["--no-raw"]]) {
      await using ours = await startMiniredis();
      await using theirs = await startRealRedis();
      const mine = await miniredis(["-p", String(ours.port), ...mode], input);
      const reference = await run("redis-cli", ["-p", String(theirs.port), ...mode], input);
      assertEquals(mine.stdout, reference.stdout, `stdout with ${mode}`);
      assertEquals(mine.code, reference.code);
    }
  },
});

Deno.test({
  name: "piped input to a server that refuses reports it for each command, as redis-cli does",
  async fn() {
    const port = closedPort();
    const message = `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`;
    assertEquals(await miniredis(["-p", String(port)], "ping\nget a\n"), {
      code: 0,
      stdout: "",
      stderr: message.repeat(3),
    });
  },
});

Deno.test({
  name: "the CLI prints every kind of reply byte for byte as redis-cli does, raw and --no-raw",
  ignore: redisCliMissing,
  async fn() {
    const names = Object.keys(SAMPLE_REPLIES);
    const replies: Record<string, string> = {};
    names.forEach((name, i) => (replies[`r${i}`] = SAMPLE_REPLIES[name]!));
    await using server = startCannedServer(replies);
    const input = names.map((_, i) => `r${i}\n`).join("");
    for (const mode of ["--raw", "--no-raw"]) {
      const args = ["-p", String(server.port), mode];
      const mine = await miniredis(args, input);
      const reference = await run("redis-cli", args, input);
      assertEquals(reference.code, 0, reference.stderr);
      assertEquals(mine.stdout, reference.stdout, `output with ${mode}`);
    }
  },
});

Deno.test({
  name: "serve starts on a free port, logs like redis-server and stops with exit 0 on SIGTERM",
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "serve", "--port", "0", "--loglevel", "notice", "--save", ""],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    let port = 0;
    try {
      while (port === 0) {
        const next = await lines.read();
        if (next.done) throw new Error(`serve exited early:\n${log}`);
        log += next.value;
        const m = /Running mode=standalone, port=(\d+)\./.exec(log);
        if (m !== null && log.includes("Ready to accept connections")) port = Number(m[1]);
      }
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      assertEquals(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "+PONG\r\n");
      child.kill("SIGTERM");
      const status = await child.status;
      for (;;) {
        const next = await lines.read();
        if (next.done) break;
        log += next.value;
      }
      conn.close();
      assertEquals(status.code, 0);
      assert(log.includes("# Received SIGTERM scheduling shutdown..."), log);
      assert(/^\d+:M \d{2} \w{3} \d{4} [\d:.]+ \* /m.test(log), log);
    } finally {
      clearTimeout(timer);
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await lines.cancel().catch(() => {});
      await child.status;
    }
  },
});

Deno.test({
  name: "serve refuses bad options with a clear message and a non-zero exit",
  async fn() {
    const cases: [string[], string][] = [
      [["--port", "abc"], "miniredis: Invalid port 'abc': must be 0..65535\n"],
      [["--port", "70000"], "miniredis: Invalid port '70000': must be 0..65535\n"],
      [
        ["--nosuch", "x"],
        "miniredis: Bad directive or wrong number of arguments: '--nosuch'. " +
        "Options are redis.conf parameters spelled --name value.\n",
      ],
      [
        ["--loglevel", "foo"],
        "miniredis: Invalid argument 'foo' for 'loglevel': argument(s) must be one of the " +
        "following: debug, verbose, notice, warning\n",
      ],
      [["--databases", "0"], "miniredis: Invalid number of databases\n"],
    ];
    const results = await Promise.all(cases.map(([args]) => miniredis(["serve", ...args])));
    for (let i = 0; i < cases.length; i++) {
      assertEquals(results[i]!.stderr, cases[i]![1]);
      assertEquals(results[i]!.code, 1, `exit status for ${cases[i]![0].join(" ")}`);
    }
  },
});

Deno.test({
  name: "--version and --help print to stdout and exit with 0",
  async fn() {
    const version = await miniredis(["--version"]);
    assertEquals(version.code, 0);
    assert(/^miniredis \S+ \(Redis API 7\.0\.15\)\n$/.test(version.stdout), version.stdout);
    const help = await miniredis(["--help"]);
    assertEquals(help.code, 0);
    assert(help.stdout.startsWith("Usage: miniredis"), help.stdout);
    const serveHelp = await miniredis(["serve", "--help"]);
    assertEquals(serveHelp.code, 0);
    assert(serveHelp.stdout.startsWith("Usage: miniredis serve"), serveHelp.stdout);
  },
});
