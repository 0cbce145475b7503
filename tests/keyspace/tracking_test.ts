/**
 * Client tracking tables (keyspace/tracking.ts) on their own: a remembered key is invalidated
 * once, the running client's own invalidations wait for its reply (or are dropped with NOLOOP),
 * BCAST collects keys per prefix until the microtask after the batch, and the table forgets
 * its oldest keys past `maxKeys`.
 *
 * @module
 */
import { ReplyWriter } from "../../src/resp/reply_writer.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import { Tracking, type TrackingClient, type TrackingState } from "../../src/keyspace/tracking.ts";
import { assertEquals } from "../_util.ts";

type Options = Omit<TrackingState, "caching" | "brokenRedirect">;
const DEFAULT: Options = {
  redirect: 0,
  bcast: false,
  optin: false,
  optout: false,
  noloop: false,
  prefixes: [],
};

function setup() {
  const clients = new Map<number, TrackingClient>();
  let current: TrackingClient | null = null;
  const tracking = new Tracking({ lookup: (id) => clients.get(id), current: () => current });
  const add = (id: number, options: Partial<Options> = {}) => {
    const out = new ReplyWriter();
    out.version = 3;
    const client: TrackingClient = { id, tracking: null, out, subscriptionCount: 0, wake() {} };
    clients.set(id, client);
    tracking.enable(client, { ...DEFAULT, ...options });
    return client;
  };
  const sent = (c: TrackingClient) => {
    const bytes = c.out.take();
    return latin1Decode(bytes, 0, bytes.length);
  };
  return { tracking, add, sent, setCurrent: (c: TrackingClient | null) => (current = c) };
}

const push = (...keys: string[]) =>
  `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n` +
  keys.map((k) => `$${k.length}\r\n${k}\r\n`).join("");

Deno.test("a remembered key is invalidated once, to every client that read it", () => {
  const { tracking, add, sent } = setup();
  const a = add(1), b = add(2);
  tracking.remember(a, ["k"]);
  tracking.remember(b, ["k", "j"]);
  tracking.invalidateKey("k");
  assertEquals([sent(a), sent(b)], [push("k"), push("k")]);
  tracking.invalidateKey("k");
  assertEquals(sent(a), "");
  assertEquals(tracking.totals, { keys: 1, items: 1, prefixes: 0 });
});

Deno.test("the running client hears of its own writes after its reply, or not at all (NOLOOP)", () => {
  const { tracking, add, sent, setCurrent } = setup();
  const a = add(1), n = add(2, { noloop: true });
  tracking.remember(a, ["k"]);
  tracking.remember(n, ["j"]);
  setCurrent(a);
  tracking.invalidateKey("k");
  assertEquals(sent(a), ""); // not in the middle of its reply
  tracking.flushPending(a);
  assertEquals(sent(a), push("k"));
  setCurrent(n);
  tracking.invalidateKey("j");
  tracking.flushPending(n);
  assertEquals(sent(n), "");
});

Deno.test("BCAST sends each prefix's modified keys in one message after the batch", async () => {
  const { tracking, add, sent } = setup();
  const b = add(1, { bcast: true, prefixes: ["user:"] });
  tracking.invalidateKey("user:1");
  tracking.invalidateKey("job:1");
  tracking.invalidateKey("user:2");
  assertEquals(sent(b), "");
  await Promise.resolve();
  assertEquals(sent(b), push("user:1", "user:2"));
});

Deno.test("past maxKeys the oldest keys are invalidated and forgotten", () => {
  const { tracking, add, sent } = setup();
  tracking.maxKeys = 2;
  const a = add(1);
  tracking.remember(a, ["k1", "k2", "k3"]);
  assertEquals(sent(a), push("k1"));
  assertEquals(tracking.totals.keys, 2);
});
