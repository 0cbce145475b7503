/**
 * `formatTty` and `formatRaw` print replies exactly as redis-cli does. The reference is the
 * real redis-cli: a canned server sends it the reply, and its stdout is compared with our
 * formatting of the same bytes.
 */
import { assertEquals, parseReply } from "../_util.ts";
import { formatRaw, formatTty, quoteRepr } from "../../src/client/format.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import { startCannedServer } from "../fixtures/canned_server.ts";
import { SAMPLE_REPLIES } from "../fixtures/replies.ts";

let redisCliPath: string | null | undefined;

/** The path of redis-cli, or null when it is not installed. */
function findRedisCli(): string | null {
  if (redisCliPath !== undefined) return redisCliPath;
  redisCliPath = null;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/redis-cli`).isFile) {
        redisCliPath = `${dir}/redis-cli`;
        break;
      }
    } catch {
      // not here
    }
  }
  if (redisCliPath === null) console.warn("SKIP: redis-cli is not installed");
  return redisCliPath;
}

/** What the real redis-cli prints for `reply` (latin1), in raw or --no-raw mode. */
async function redisCliPrints(reply: string, mode: "--raw" | "--no-raw"): Promise<string> {
  await using server = startCannedServer({ get: reply });
  const output = await new Deno.Command(findRedisCli()!, {
    args: ["-p", String(server.port), mode, "get", "k"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  return latin1Decode(output.stdout, 0, output.stdout.length);
}

for (const [what, reply] of Object.entries(SAMPLE_REPLIES)) {
  Deno.test({
    name: `formatTty prints ${what} as redis-cli --no-raw does`,
    ignore: findRedisCli() === null,
    async fn() {
      assertEquals(formatTty(parseReply(reply)!), await redisCliPrints(reply, "--no-raw"));
    },
  });
  Deno.test({
    name: `formatRaw prints ${what} as redis-cli --raw does`,
    ignore: findRedisCli() === null,
    async fn() {
      assertEquals(formatRaw(parseReply(reply)!) + "\n", await redisCliPrints(reply, "--raw"));
    },
  });
}

Deno.test({
  name: "formatTty pads indexes to the width of the largest one",
  fn() {
    const eleven = Array.from({ length: 11 }, (_, i) => String(i));
    const out = formatTty(eleven);
    assertEquals(out.split("\n").slice(0, 2), [' 1) "0"', ' 2) "1"']);
    assertEquals(out.split("\n")[10], '11) "10"');
  },
});

Deno.test({
  name: "formatTty indents nested arrays under their parent's index",
  fn() {
    assertEquals(
      formatTty([["a", "b"], [], null, 1]),
      '1) 1) "a"\n   2) "b"\n2) (empty array)\n3) (nil)\n4) (integer) 1\n',
    );
  },
});

Deno.test({
  // redis-cli 7.0 cannot print these RESP3 types (it exits with "Unknown reply type"), so
  // there is no reference output; later redis-cli versions print them like this.
  name: "formatTty prints RESP3 big numbers and blob errors",
  fn() {
    assertEquals(
      formatTty({ kind: "bignum", value: "12345678901234567890" }),
      "(big number) 12345678901234567890\n",
    );
    assertEquals(formatTty({ kind: "error", value: "ERR blob" }), "(error) ERR blob\n");
    assertEquals(
      formatRaw({ kind: "bignum", value: "12345678901234567890" }),
      "12345678901234567890",
    );
  },
});

Deno.test({
  name: "quoteRepr escapes quotes, backslashes, control and high bytes like sdscatrepr",
  fn() {
    assertEquals(quoteRepr('say "hi"\\'), '"say \\"hi\\"\\\\"');
    assertEquals(quoteRepr("\n\r\t\x07\x08"), '"\\n\\r\\t\\a\\b"');
    assertEquals(quoteRepr("\x00\x1f\x7f\x80\xff"), '"\\x00\\x1f\\x7f\\x80\\xff"');
    assertEquals(quoteRepr(""), '""');
  },
});

Deno.test("a RESP3 double is shown with the digits the server sent, as redis-cli shows it", () => {
  const value = { kind: "double", value: 0.1, text: "0.10000000000000001" } as const;
  assertEquals(formatTty(value), "(double) 0.10000000000000001\n");
  assertEquals(formatRaw(value), "0.10000000000000001");
});
