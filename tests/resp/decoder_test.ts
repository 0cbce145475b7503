/**
 * Tests of the request decoder: a pipelined buffer of every kind of request split at every byte
 * position, protocol errors with Redis's texts, limits (those of clients that have not
 * authenticated included), and linear time and bounded buffers for large bulk strings and
 * large typed arguments.
 */
import { assert, assertEquals } from "../_util.ts";
import {
  type DecoderLimits,
  defaultDecoderLimits,
  type Request,
  type RequestBatch,
  RequestDecoder,
  RespDecoderStream,
} from "../../src/resp/decoder.ts";
import { latin1Encode } from "../../src/resp/latin1.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** A request with `typed` made dense (holes become `undefined`) for comparison. */
interface Decoded {
  argv: string[];
  typed: (RespValue | undefined)[] | null;
}

function dense(request: Request): Decoded {
  return { argv: request.argv, typed: request.typed === null ? null : Array.from(request.typed) };
}

function bulk(value: string): string {
  return `$${value.length}\r\n${value}\r\n`;
}

function command(...args: string[]): string {
  return `*${args.length}\r\n` + args.map(bulk).join("");
}

/**
 * One pipeline holding every kind of request, each with the requests it decodes to. Segments
 * that decode to nothing (`*0`, `*-1`, empty lines) are ignored by the decoder, as by Redis.
 */
const SEGMENTS: readonly [string, Decoded | null][] = [
  [
    command("SET", "k\x00\xff", "v\r\nx\xff\x00\r"),
    { argv: ["SET", "k\x00\xff", "v\r\nx\xff\x00\r"], typed: null },
  ],
  [
    `set "a b" 'c\\'d' "\\x41\\n" e\r\n`,
    { argv: ["set", "a b", "c'd", "A\n", "e"], typed: null },
  ],
  ["*0\r\n", null],
  [
    "*2\r\n$4\r\nECHO\r\n:5\r\n",
    { argv: ["ECHO", "5"], typed: [undefined, 5] },
  ],
  ["\r\n", null],
  [
    "*3\r\n$4\r\nHSET\r\n%1\r\n+f\r\n:1\r\n*2\r\n$1\r\na\r\n*1\r\n:-2\r\n",
    {
      argv: ["HSET", "", ""],
      typed: [undefined, { kind: "map", entries: [[{ kind: "simple", value: "f" }, 1]] }, [
        "a",
        [-2],
      ]],
    },
  ],
  ["*-1\r\n", null],
  [
    "*6\r\n$3\r\nCMD\r\n$-1\r\n_\r\n,1.5\r\n#t\r\n$0\r\n\r\n",
    {
      argv: ["CMD", "", "", "1.5", "1", ""],
      typed: [undefined, null, null, { kind: "double", value: 1.5 }, true],
    },
  ],
  ["PING\n", { argv: ["PING"], typed: null }],
  [
    // An attributed bulk string is a typed argument, however the input is cut.
    "*3\r\n$4\r\nECHO\r\n|1\r\n+a\r\n:1\r\n$3\r\nabc\r\n~2\r\n|0\r\n$1\r\nx\r\n:2\r\n",
    {
      argv: ["ECHO", "abc", ""],
      typed: [undefined, "abc", { kind: "set", items: ["x", 2] }],
    },
  ],
  [" \t \r\n", null],
  [command("GET", "\xff".repeat(300)), { argv: ["GET", "\xff".repeat(300)], typed: null }],
];

const PIPELINE = latin1Encode(SEGMENTS.map(([text]) => text).join(""));
const EXPECTED: Decoded[] = SEGMENTS.flatMap(([, d]) => (d === null ? [] : [d]));
/** For each expected request, the offset just after its last byte. */
const REQUEST_ENDS: number[] = (() => {
  const ends: number[] = [];
  let offset = 0;
  for (const [text, d] of SEGMENTS) {
    offset += text.length;
    if (d !== null) ends.push(offset);
  }
  return ends;
})();

/**
 * Feeds `chunks` through one decoder, each chunk from a scratch buffer that is overwritten right
 * after (the decoder may not keep a reference to it), and returns the batches.
 */
function decodeChunks(chunks: readonly Uint8Array[], limits?: DecoderLimits): RequestBatch[] {
  const decoder = new RequestDecoder(limits);
  const scratch = new Uint8Array(Math.max(1, ...chunks.map((c) => c.length)));
  return chunks.map((chunk) => {
    const view = scratch.subarray(0, chunk.length);
    view.set(chunk);
    const batch = decoder.decode(view);
    view.fill(0x2a); // "*": garbage that would decode as something if it were read later
    return batch;
  });
}

function requestsOf(batches: readonly RequestBatch[]): Decoded[] {
  return batches.flatMap((b) => b.requests.map(dense));
}

function decodeText(text: string, limits?: DecoderLimits): RequestBatch {
  return new RequestDecoder(limits).decode(latin1Encode(text));
}

Deno.test("RequestDecoder decodes a pipeline of bulk, inline and typed requests", () => {
  const batch = decodeText(SEGMENTS.map(([text]) => text).join(""));
  assertEquals(batch.protocolError, null);
  assertEquals(batch.requests.map(dense), EXPECTED);
});

Deno.test("RequestDecoder gives the same requests when the pipeline is split at any byte", () => {
  for (let i = 0; i <= PIPELINE.length; i++) {
    const batches = decodeChunks([PIPELINE.subarray(0, i), PIPELINE.subarray(i)]);
    assertEquals(requestsOf(batches), EXPECTED, `split at ${i}`);
    // Each chunk's batch holds exactly the requests that chunk completes.
    const completeInFirst = REQUEST_ENDS.filter((end) => end <= i).length;
    assertEquals(batches[0]!.requests.length, completeInFirst, `first batch, split at ${i}`);
    assertEquals(batches.every((b) => b.protocolError === null), true);
  }
});

Deno.test("RequestDecoder gives the same requests when the pipeline is split in three", () => {
  // Every pair of split points over the pipeline without its long last request.
  const short = PIPELINE.subarray(0, REQUEST_ENDS.at(-2));
  const expected = EXPECTED.slice(0, -1);
  for (let i = 0; i <= short.length; i++) {
    for (let j = i; j <= short.length; j++) {
      const batches = decodeChunks([short.subarray(0, i), short.subarray(i, j), short.subarray(j)]);
      assertEquals(requestsOf(batches), expected, `split at ${i} and ${j}`);
    }
  }
});

Deno.test("RequestDecoder gives the same requests when fed one byte at a time", () => {
  const chunks = Array.from(PIPELINE, (_, i) => PIPELINE.subarray(i, i + 1));
  const batches = decodeChunks(chunks);
  assertEquals(requestsOf(batches), EXPECTED);
  // A request is handed out by the very chunk holding its last byte.
  const ends = batches.flatMap((b, i) => b.requests.map(() => i + 1));
  assertEquals(ends, REQUEST_ENDS);
});

Deno.test("RequestDecoder ignores *0 and negative multibulk counts", () => {
  const batch = decodeText("*0\r\n*-1\r\n*-5\r\nPING\r\n*0\r\n");
  assertEquals(batch.requests.map(dense), [{ argv: ["PING"], typed: null }]);
  assertEquals(batch.protocolError, null);
});

Deno.test("RequestDecoder skips blank inline lines and strips one CR before LF", () => {
  const batch = decodeText("\n\r\n   \r\nECHO a\r\nECHO b\n");
  assertEquals(batch.requests.map((r) => r.argv), [["ECHO", "a"], ["ECHO", "b"]]);
});

/** The protocol error a text produces, with the requests decoded before it. */
function errorOf(text: string, limits?: DecoderLimits): [string[][], string | null] {
  const batch = decodeText(text, limits);
  return [batch.requests.map((r) => r.argv), batch.protocolError];
}

Deno.test("RequestDecoder reports malformed requests with Redis's protocol error texts", () => {
  const cases: [string, string][] = [
    ["*abc\r\n", "Protocol error: invalid multibulk length"],
    ["*1x\r\n", "Protocol error: invalid multibulk length"],
    ["*+1\r\n", "Protocol error: invalid multibulk length"],
    ["*01\r\n", "Protocol error: invalid multibulk length"],
    ["*1\r\n$abc\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$-2\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$-0\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$ 1\r\n", "Protocol error: invalid bulk length"],
    ["*2\r\n$3\r\nGET\r\nx\r\n", "Protocol error: expected '$', got 'x'"],
    ["*1\r\n*1\r\ny\r\n", "Protocol error: expected '$', got 'y'"],
    ['set "a\r\n', "Protocol error: unbalanced quotes in request"],
    ["set 'a'b\r\n", "Protocol error: unbalanced quotes in request"],
    ["PING " + "x".repeat(70 * 1024), "Protocol error: too big inline request"],
    ["*" + "1".repeat(70 * 1024), "Protocol error: too big mbulk count string"],
    ["*1\r\n$" + "1".repeat(70 * 1024), "Protocol error: too big bulk count string"],
    ["*1\r\n:" + "1".repeat(70 * 1024), "Protocol error: too big bulk count string"],
  ];
  for (const [text, expected] of cases) {
    assertEquals(errorOf(text), [[], expected], JSON.stringify(text.slice(0, 40)));
  }
});

Deno.test("RequestDecoder returns the requests parsed before a protocol error", () => {
  const text = "PING\r\n" + command("GET", "k") + "*1\r\n$4\r\nECHO\r\n*abc\r\nPING\r\n";
  assertEquals(errorOf(text), [
    [["PING"], ["GET", "k"], ["ECHO"]],
    "Protocol error: invalid multibulk length",
  ]);
});

Deno.test("RequestDecoder reports an error in a later chunk with that chunk's requests", () => {
  const decoder = new RequestDecoder();
  const first = decoder.decode(latin1Encode("PING\r\n*2\r\n$3\r\nGE"));
  assertEquals(first.requests.map((r) => r.argv), [["PING"]]);
  const second = decoder.decode(latin1Encode("T\r\n$1\r\nk\r\nECHO x\r\n*1\r\n$x\r\n"));
  assertEquals(second.requests.map((r) => r.argv), [["GET", "k"], ["ECHO", "x"]]);
  assertEquals(second.protocolError, "Protocol error: invalid bulk length");
});

Deno.test("RequestDecoder ignores all input after a protocol error", () => {
  const decoder = new RequestDecoder();
  assertEquals(decoder.decode(latin1Encode("*x\r\nPING\r\n")), {
    requests: [],
    protocolError: "Protocol error: invalid multibulk length",
  });
  assertEquals(decoder.bufferedBytes, 0);
  assertEquals(decoder.decode(latin1Encode("PING\r\n")), { requests: [], protocolError: null });
  assertEquals(decoder.bufferedBytes, 0);
});

Deno.test("RequestDecoder waits for a long header line without failing below the limit", () => {
  // 60 KiB of digits with no CR yet: not an error, just incomplete.
  const decoder = new RequestDecoder();
  const batch = decoder.decode(latin1Encode("*1\r\n$" + "1".repeat(60 * 1024)));
  assertEquals(batch, { requests: [], protocolError: null });
});

function limits(overrides: Partial<DecoderLimits>): DecoderLimits {
  return { ...defaultDecoderLimits(), ...overrides };
}

Deno.test("RequestDecoder refuses bulk strings longer than maxBulkLength", () => {
  const small = limits({ maxBulkLength: 5 });
  assertEquals(errorOf(command("SET", "k", "12345"), small), [[["SET", "k", "12345"]], null]);
  assertEquals(errorOf(command("SET", "k", "123456"), small), [
    [],
    "Protocol error: invalid bulk length",
  ]);
  // The length is refused as soon as the header arrives, before any body.
  assertEquals(errorOf("*1\r\n$6\r\n", small), [[], "Protocol error: invalid bulk length"]);
  // Nested bulk strings in typed arguments obey the same limit.
  assertEquals(errorOf("*2\r\n$1\r\na\r\n*1\r\n$6\r\n123456\r\n", small), [
    [],
    "Protocol error: invalid bulk length",
  ]);
});

Deno.test("RequestDecoder refuses multibulk counts above maxAggregateLength", () => {
  const small = limits({ maxAggregateLength: 3 });
  assertEquals(errorOf(command("A", "B", "C"), small), [[["A", "B", "C"]], null]);
  assertEquals(errorOf("*4\r\n", small), [[], "Protocol error: invalid multibulk length"]);
  assertEquals(errorOf("*2\r\n$1\r\na\r\n*4\r\n", small), [
    [],
    "Protocol error: invalid multibulk length",
  ]);
  assertEquals(errorOf("*2\r\n$1\r\na\r\n%4\r\n", small), [
    [],
    "Protocol error: invalid multibulk length",
  ]);
});

Deno.test("RequestDecoder refuses typed arguments nested deeper than maxNestingDepth", () => {
  const two = limits({ maxNestingDepth: 2 });
  // The request array is one level, a nested array the second.
  assertEquals(errorOf("*1\r\n*1\r\n:1\r\n", two)[1], null);
  assertEquals(errorOf("*1\r\n*1\r\n*1\r\n:1\r\n", two), [
    [],
    "Protocol error: too deeply nested request",
  ]);
  const deep = "*1\r\n".repeat(40) + ":1\r\n";
  assertEquals(errorOf(deep)[1], "Protocol error: too deeply nested request");
  assertEquals(errorOf(deep, limits({ maxNestingDepth: 40 }))[1], null);
});

Deno.test("RequestDecoder refuses an unterminated inline line longer than maxInlineLength", () => {
  const small = limits({ maxInlineLength: 16 });
  assertEquals(errorOf("x".repeat(16), small), [[], null]);
  assertEquals(errorOf("x".repeat(17), small), [[], "Protocol error: too big inline request"]);
  // Redis checks the limit only while waiting for the newline: a complete line passes.
  assertEquals(errorOf("ECHO " + "x".repeat(100) + "\r\n", small), [[
    ["ECHO", "x".repeat(100)],
  ], null]);
  // The limit also applies to a line growing over several chunks.
  const decoder = new RequestDecoder(small);
  assertEquals(decoder.decode(latin1Encode("x".repeat(10))).protocolError, null);
  assertEquals(
    decoder.decode(latin1Encode("x".repeat(10))).protocolError,
    "Protocol error: too big inline request",
  );
});

Deno.test("RequestDecoder applies changes to its shared limits object at once", () => {
  const shared = limits({});
  const decoder = new RequestDecoder(shared);
  assertEquals(decoder.decode(latin1Encode(command("SET", "k", "123456"))).protocolError, null);
  shared.maxBulkLength = 5;
  assertEquals(
    decoder.decode(latin1Encode(command("SET", "k", "123456"))).protocolError,
    "Protocol error: invalid bulk length",
  );
});

Deno.test("RequestDecoder bufferedBytes counts the bytes held for an unfinished request", () => {
  const decoder = new RequestDecoder();
  assertEquals(decoder.bufferedBytes, 0);
  decoder.decode(latin1Encode("PIN"));
  assertEquals(decoder.bufferedBytes, 3);
  assertEquals(decoder.decode(latin1Encode("G\r\n*2\r\n$3\r\nGET\r\n$5\r\nab")).requests.length, 1);
  // The header and the finished argument are consumed; only the unfinished argument is held.
  assertEquals(decoder.bufferedBytes, "$5\r\nab".length);
  decoder.decode(latin1Encode("c"));
  assertEquals(decoder.bufferedBytes, "$5\r\nabc".length);
  const done = decoder.decode(latin1Encode("de\r\n"));
  assertEquals(done.requests.map((r) => r.argv), [["GET", "abcde"]]);
  assertEquals(decoder.bufferedBytes, 0);
});

Deno.test("RequestDecoder decodes a 5 MB bulk string fed in 16 KiB chunks in linear time", () => {
  const size = 5 * 1024 * 1024;
  const value = new Uint8Array(size);
  for (let i = 0; i < size; i++) value[i] = (i * 7 + (i >> 13)) & 0xff;
  const head = latin1Encode(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`);
  const input = new Uint8Array(head.length + size + 2 + 6);
  input.set(head, 0);
  input.set(value, head.length);
  input.set(latin1Encode("\r\nPING\r\n"), head.length + size);

  const decoder = new RequestDecoder();
  const chunk = 16 * 1024;
  const requests: Request[] = [];
  const started = performance.now();
  for (let offset = 0; offset < input.length; offset += chunk) {
    const batch = decoder.decode(input.slice(offset, offset + chunk));
    assertEquals(batch.protocolError, null);
    requests.push(...batch.requests);
    if (offset + chunk < head.length + size + 2) {
      assertEquals(batch.requests.length, 0);
      assertEquals(decoder.bufferedBytes > 0, true);
    }
  }
  const elapsed = performance.now() - started;
  assertEquals(requests.length, 2);
  assertEquals(requests[0]!.argv.slice(0, 2), ["SET", "big"]);
  const got = requests[0]!.argv[2]!;
  assertEquals(got.length, size);
  assert(
    Array.from({ length: size }, (_, i) => got.charCodeAt(i) === value[i]).every(Boolean),
    "the 5 MB value differs",
  );
  assertEquals(requests[1]!.argv, ["PING"]);
  assertEquals(decoder.bufferedBytes, 0);
  assert(elapsed < 2000, `decoding took ${elapsed.toFixed(0)} ms`);
});

/** Writes `chunks` into a RespDecoderStream and collects the batches it emits. */
async function throughStream(chunks: readonly string[]): Promise<RequestBatch[]> {
  const stream = new RespDecoderStream();
  const writer = stream.writable.getWriter();
  const collected = Array.fromAsync(stream.readable);
  for (const chunk of chunks) await writer.write(latin1Encode(chunk));
  await writer.close();
  return await collected;
}

Deno.test("RespDecoderStream emits one batch per chunk that completes requests", async () => {
  const batches = await throughStream([
    "*1\r\n$4\r\nPI",
    "NG\r\nPING\r\n*2\r\n$4\r\nECHO\r\n",
    "$1\r\n",
    "x\r\n",
  ]);
  assertEquals(batches.map((b) => b.requests.map((r) => r.argv)), [
    [["PING"], ["PING"]],
    [["ECHO", "x"]],
  ]);
  assertEquals(batches.map((b) => b.protocolError), [null, null]);
});

Deno.test("RespDecoderStream decodes a bulk string split across chunks", async () => {
  const text = command("SET", "key", "a\r\nb\x00\xff");
  const batches = await throughStream([text.slice(0, 20), text.slice(20, 23), text.slice(23)]);
  assertEquals(batches.length, 1);
  assertEquals(batches[0]!.requests.map(dense), [
    { argv: ["SET", "key", "a\r\nb\x00\xff"], typed: null },
  ]);
});

Deno.test("RespDecoderStream emits a batch for a protocol error even with no requests", async () => {
  const batches = await throughStream(["*1\r\n$3\r\nGE", "T\r\n*?\r\n", "PING\r\n"]);
  assertEquals(batches, [{
    requests: [{ argv: ["GET"], typed: null }],
    protocolError: "Protocol error: invalid multibulk length",
  }]);
});

Deno.test("RespDecoderStream bufferedBytes reports its decoder's held bytes", async () => {
  const stream = new RespDecoderStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const read = reader.read(); // a pending read lets the transform run
  await writer.write(latin1Encode("ECHO abc"));
  assertEquals(stream.bufferedBytes, 8);
  await writer.write(latin1Encode("\r\n"));
  const { value } = await read;
  assertEquals(value?.requests.map((r) => r.argv), [["ECHO", "abc"]]);
  assertEquals(stream.bufferedBytes, 0);
  await writer.close();
  assertEquals((await reader.read()).done, true);
});

/** Feeds `input` in 16 KiB chunks; returns the requests, elapsed ms and the largest buffers. */
function decodeIn16KiB(input: Uint8Array, decoder = new RequestDecoder()) {
  const requests: Request[] = [];
  let maxBuffered = 0;
  let maxCapacity = 0;
  const started = performance.now();
  for (let offset = 0; offset < input.length; offset += 16 * 1024) {
    const batch = decoder.decode(input.subarray(offset, offset + 16 * 1024));
    assertEquals(batch.protocolError, null);
    requests.push(...batch.requests);
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    maxCapacity = Math.max(maxCapacity, decoder.bufferCapacity);
  }
  return { requests, elapsed: performance.now() - started, maxBuffered, maxCapacity };
}

Deno.test("RequestDecoder decodes a 2 MB typed array fed in 16 KiB chunks in linear time", () => {
  const count = 512 * 1024;
  const input = latin1Encode(
    `*3\r\n$3\r\nSET\r\n$1\r\nq\r\n*${count}\r\n` + ":1\r\n".repeat(count) + "PING\r\n",
  );
  const { requests, elapsed, maxBuffered, maxCapacity } = decodeIn16KiB(input);
  assertEquals(requests.length, 2);
  const typed = requests[0]!.typed?.[2];
  assert(Array.isArray(typed) && typed.length === count && typed.every((v) => v === 1));
  assertEquals(requests[1]!.argv, ["PING"]);
  // Re-parsing the array from its first byte on every chunk took 0.7 s here, and 9 s at 6.4 MB.
  assert(elapsed < 300, `decoding took ${elapsed.toFixed(0)} ms`);
  // The query buffer counts the whole unfinished argument, though only its tail is held.
  assert(maxBuffered > 2_000_000, `bufferedBytes peaked at ${maxBuffered}`);
  assert(maxCapacity <= 128 * 1024, `the held buffer grew to ${maxCapacity} bytes`);
});

Deno.test("RequestDecoder reads a chain of 100000 attributes as one typed argument", () => {
  const chain = "*3\r\n$3\r\nSET\r\n$1\r\nt\r\n" + "|0\r\n".repeat(100_000) + ":7\r\nPING\r\n";
  const expected = [{ argv: ["SET", "t", "7"], typed: [undefined, undefined, 7] }, {
    argv: ["PING"],
    typed: null,
  }];
  assertEquals(decodeText(chain).requests.map(dense), expected);
  assertEquals(decodeIn16KiB(latin1Encode(chain)).requests.map(dense), expected);
  // Nested attributes (each one's key another one) hit the nesting limit, with a reply.
  const nested = "*3\r\n$3\r\nSET\r\n$1\r\nt\r\n" + "|1\r\n".repeat(100_000) + ":7\r\n";
  assertEquals(errorOf(nested), [[], "Protocol error: too deeply nested request"]);
});

Deno.test("RequestDecoder waits for *2147483647 arguments and refuses 2147483648", () => {
  const decoder = new RequestDecoder();
  assertEquals(decoder.decode(latin1Encode("*2147483647\r\n$4\r\nPING\r\n")), {
    requests: [],
    protocolError: null,
  });
  assertEquals(errorOf("*2147483648\r\n"), [[], "Protocol error: invalid multibulk length"]);
  assertEquals(defaultDecoderLimits().maxAggregateLength, 2 ** 31 - 1);
});

Deno.test("RequestDecoder refuses a bulk string longer than a JS string can be", () => {
  // 2^29 - 24 chars is V8's limit, below Redis's default proto-max-bulk-len of 512 MB: the
  // length is refused on sight rather than after buffering half a gigabyte.
  assertEquals(errorOf("*1\r\n$536870888\r\n"), [[], null]);
  assertEquals(errorOf("*1\r\n$536870889\r\n"), [[], "Protocol error: invalid bulk length"]);
  assertEquals(errorOf("*1\r\n*1\r\n$536870889\r\n"), [[], "Protocol error: invalid bulk length"]);
});

Deno.test("RequestDecoder grows its buffer towards a bulk string's size, never past it", () => {
  const size = 3 * 1024 * 1024 + 12345;
  const head = `*2\r\n$4\r\nECHO\r\n$${size}\r\n`;
  const request = latin1Encode(head + "v".repeat(size) + "\r\n");
  // What the unfinished argument needs: its header, body and CRLF.
  const need = `$${size}\r\n`.length + size + 2;
  const { requests, maxCapacity } = decodeIn16KiB(request);
  assertEquals(requests.length, 1);
  assertEquals(requests[0]!.argv[1]!.length, size);
  assertEquals(maxCapacity, need, "the buffer's largest size");

  // Announcing 512 MB and sending 1 MB allocates about twice what was sent, not the announced.
  const decoder = new RequestDecoder();
  decoder.decode(latin1Encode(`*1\r\n$${536870000}\r\n`));
  const chunk = new Uint8Array(16 * 1024);
  for (let i = 0; i < 64; i++) decoder.decode(chunk);
  assertEquals(decoder.bufferedBytes, `$${536870000}\r\n`.length + 64 * chunk.length);
  assert(decoder.bufferCapacity <= 3 * 1024 * 1024, `grew to ${decoder.bufferCapacity}`);
});

Deno.test("RequestDecoder drops a large held buffer once its request is done", () => {
  const size = 1024 * 1024;
  const decoder = new RequestDecoder();
  const { maxCapacity } = decodeIn16KiB(
    latin1Encode(command("SET", "k", "x".repeat(size))),
    decoder,
  );
  assert(maxCapacity > size, `the buffer grew to ${maxCapacity} only`);
  assertEquals([decoder.bufferedBytes, decoder.bufferCapacity], [0, 0]);
});

/** A decoder for a client that has not authenticated (yet: `state.authenticated`). */
function unauthenticated(state = { authenticated: false }): RequestDecoder {
  return new RequestDecoder(defaultDecoderLimits(), {
    authenticated: () => state.authenticated,
  });
}

function unauthenticatedError(text: string): string | null {
  return unauthenticated().decode(latin1Encode(text)).protocolError;
}

Deno.test("RequestDecoder applies Redis's limits to a client that has not authenticated", () => {
  // Texts and thresholds as redis-server 7.0.15 with requirepass answers them.
  const multibulk = "Protocol error: unauthenticated multibulk length";
  const bulk = "Protocol error: unauthenticated bulk length";
  assertEquals(unauthenticatedError("*10\r\n"), null);
  assertEquals(unauthenticatedError("*11\r\n"), multibulk);
  assertEquals(unauthenticatedError("*1048576\r\n"), multibulk);
  assertEquals(unauthenticatedError("*2147483647\r\n"), multibulk);
  assertEquals(unauthenticatedError("*-5\r\n*0\r\n*12\r\n"), multibulk);
  // An invalid count is reported as such first.
  assertEquals(unauthenticatedError("*2147483648\r\n"), "Protocol error: invalid multibulk length");
  assertEquals(unauthenticatedError("*11x\r\n"), "Protocol error: invalid multibulk length");
  assertEquals(unauthenticatedError("*1\r\n$16384\r\n"), null);
  assertEquals(unauthenticatedError("*1\r\n$16385\r\n"), bulk);
  assertEquals(unauthenticatedError("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n"), bulk);
  assertEquals(unauthenticatedError("*1\r\n$536870889\r\n"), "Protocol error: invalid bulk length");
  // Typed arguments (which Redis refuses outright) get the same limits at every level.
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n*10\r\n"), null);
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n*11\r\n"), multibulk);
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n%11\r\n"), multibulk);
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n*1\r\n~1\r\n*11\r\n"), multibulk);
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n*1\r\n$16385\r\n"), bulk);
  assertEquals(unauthenticatedError("*2\r\n$4\r\nECHO\r\n=16385\r\n"), bulk);
  // Inline commands keep the usual limit, as in Redis: a 20000-byte line is read.
  const inline = unauthenticated().decode(latin1Encode(`ECHO ${"x".repeat(20000)}\r\n`));
  assertEquals(inline.requests.map((r) => r.argv[1]!.length), [20000]);
});

Deno.test("RequestDecoder lifts the smaller limits as soon as the client authenticates", () => {
  const state = { authenticated: false };
  const decoder = unauthenticated(state);
  const big = command("SET", "k", "x".repeat(20000));
  assertEquals(decoder.decode(latin1Encode("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n")).requests.length, 1);
  state.authenticated = true;
  const batch = decoder.decode(latin1Encode(big + command(..."abcdefghijklmnop".split(""))));
  assertEquals(batch.protocolError, null);
  assertEquals(batch.requests.map((r) => r.argv.length), [3, 16]);
});

/**
 * Runs requests the way the server does: each batch's requests in order (an `AUTH` request
 * authenticates), then `resume()` while the batch is deferred. Returns the argument lists
 * and the protocol error.
 */
function serve(chunks: readonly Uint8Array[]): [string[][], string | null] {
  const state = { authenticated: false };
  const decoder = unauthenticated(state);
  const argvs: string[][] = [];
  for (const chunk of chunks) {
    let batch = decoder.decode(chunk);
    for (;;) {
      for (const request of batch.requests) {
        argvs.push(request.argv);
        if (request.argv[0] === "AUTH") state.authenticated = true;
      }
      if (batch.protocolError !== null) return [argvs, batch.protocolError];
      if (batch.deferred === undefined) break;
      assert(batch.requests.length > 0, "a deferred batch holds the requests to run first");
      batch = decoder.resume();
    }
  }
  return [argvs, null];
}

Deno.test("RequestDecoder reads a large request pipelined right after AUTH", () => {
  // node-redis, for one, writes AUTH and the commands queued meanwhile in one write.
  const text = "PING\r\n" + command("AUTH", "pw") + command("SET", "k", "x".repeat(20000)) +
    "*2\r\n$4\r\nECHO\r\n*11\r\n" + ":1\r\n".repeat(11) + command(..."abcdefghijkl".split(""));
  const expected: string[][] = [
    ["PING"],
    ["AUTH", "pw"],
    ["SET", "k", "x".repeat(20000)],
    ["ECHO", ""],
    "abcdefghijkl".split(""),
  ];
  const bytes = latin1Encode(text);
  assertEquals(serve([bytes]), [expected, null]);
  for (let i = 0; i <= bytes.length; i += 7) {
    assertEquals(serve([bytes.subarray(0, i), bytes.subarray(i)]), [expected, null], `at ${i}`);
  }
});

Deno.test("RequestDecoder holds a large request after others until they have run", () => {
  const decoder = unauthenticated();
  const text = "PING\r\n" + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n";
  const first = decoder.decode(latin1Encode(text));
  assertEquals(first, {
    requests: [{ argv: ["PING"], typed: null }],
    protocolError: null,
    deferred: true,
  });
  // Still not authenticated once PING has run: refused.
  assertEquals(decoder.resume(), {
    requests: [],
    protocolError: "Protocol error: unauthenticated bulk length",
  });
  // A typed argument stops inside, and goes on from there.
  const state = { authenticated: false };
  const typed = unauthenticated(state);
  const batch = typed.decode(latin1Encode(
    command("AUTH", "pw") + "*2\r\n$4\r\nECHO\r\n*2\r\n:1\r\n*11\r\n" + ":2\r\n".repeat(11),
  ));
  assertEquals([batch.requests.length, batch.deferred], [1, true]);
  state.authenticated = true;
  assertEquals(typed.resume().requests.map(dense), [
    { argv: ["ECHO", ""], typed: [undefined, [1, Array(11).fill(2)]] },
  ]);
});

Deno.test("RespDecoderStream resumes a deferred batch on request", async () => {
  const state = { authenticated: false };
  const stream = new RespDecoderStream(defaultDecoderLimits(), {
    authenticated: () => state.authenticated,
  });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const read = reader.read();
  await writer.write(latin1Encode(command("AUTH", "pw") + command("SET", "k", "x".repeat(20000))));
  const { value } = await read;
  assertEquals(value?.requests.map((r) => r.argv[0]), ["AUTH"]);
  assertEquals(value?.deferred, true);
  assertEquals(stream.bufferedBytes > 20000, true);
  state.authenticated = true;
  const rest = stream.resume();
  assertEquals(rest.requests.map((r) => r.argv[2]?.length), [20000]);
  assertEquals(stream.bufferedBytes, 0);
  await writer.close();
  assertEquals((await reader.read()).done, true);
});
