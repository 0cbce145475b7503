import { AofEncoder, AofWriter } from "../../src/persistence/aof_writer.ts";
import { strerror } from "../../src/persistence/aof_manifest.ts";
import { assert, assertEquals } from "../_util.ts";

const decode = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

Deno.test("AofEncoder writes RESP records, with SELECT whenever the database changes", () => {
  const encoder = new AofEncoder();
  encoder.append({ db: 0, argv: ["SET", "k", "v"] });
  encoder.append({ db: 0, argv: ["DEL", "k"] });
  encoder.append({ db: 3, argv: ["SET", "\x00\xff", ""] });
  assertEquals(
    decode(encoder.out.take()),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" +
      "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n" +
      "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n$0\r\n\r\n",
  );
});

Deno.test("AofEncoder wraps a unit of several operations in MULTI/EXEC, and one alone not", () => {
  const encoder = new AofEncoder();
  encoder.appendUnit([{ db: 1, argv: ["INCR", "a"] }]);
  encoder.appendUnit([{ db: 1, argv: ["DEL", "x"] }, { db: 2, argv: ["SET", "x", "1"] }]);
  assertEquals(
    decode(encoder.out.take()),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n" +
      "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n" +
      "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n" +
      "*1\r\n$4\r\nEXEC\r\n",
  );
});

Deno.test("AofEncoder keeps an argument's RESP3 type when it arrived typed", () => {
  const encoder = new AofEncoder();
  encoder.append({ db: 0, argv: ["SET", "k", ""], typed: [undefined, undefined, [1, "a"]] });
  assertEquals(
    decode(encoder.out.take()),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n*2\r\n:1\r\n$1\r\na\r\n",
  );
});

Deno.test("AofWriter writes before replies; a failed write keeps every byte and reports the error", async () => {
  const path = await Deno.makeTempFile();
  try {
    const file = await Deno.open(path, { write: true, append: true });
    const log: string[] = [];
    const aof = new AofWriter(file, 0, "always", (_level, message) => log.push(message));
    aof.append(0, ["SET", "k", "v"]);
    assertEquals(aof.pending > 0, true);
    assertEquals(aof.flush(), true);
    assertEquals(aof.pending, 0);
    assertEquals(aof.written, aof.size);
    assertEquals(decode(await Deno.readFile(path)).endsWith("$1\r\nv\r\n"), true);
    aof.close();
  } finally {
    await Deno.remove(path);
  }
  // /dev/full refuses every write with ENOSPC.
  let full: Deno.FsFile;
  try {
    full = await Deno.open("/dev/full", { write: true });
  } catch {
    return; // not on this system
  }
  const log: string[] = [];
  const aof = new AofWriter(full, 0, "everysec", (_level, message) => log.push(message));
  aof.append(0, ["SET", "k", "v"]);
  const pending = aof.pending;
  assertEquals(aof.flush(), false);
  assertEquals(aof.writeError, "No space left on device");
  assertEquals(aof.pending, pending);
  assert(log.includes("Error writing to the AOF file: No space left on device"), log.join());
  let woken = false;
  const waiting = aof.writable().then(() => (woken = true));
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(woken, false);
  aof.close(); // closing lets waiters go
  await waiting;
});

Deno.test("strerror gives an OS error's text as strerror does", () => {
  assertEquals(
    strerror(new Error("No space left on device (os error 28)")),
    "No space left on device",
  );
  assertEquals(strerror("plain"), "plain");
});
