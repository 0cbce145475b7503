/**
 * Unit tests of the Pub/Sub hub: bookkeeping on both sides (the hub's tables and each
 * subscriber's own Sets), delivery frames per protocol version, pattern matching, counts, and
 * a subscriber that leaves while a message is being delivered.
 *
 * @module
 */
import { assert, assertEquals } from "../_util.ts";
import { PubSubHub, type Subscriber, Subscriptions } from "../../src/keyspace/pubsub.ts";
import { latin1Decode } from "../../src/resp/latin1.ts";
import { ReplyWriter } from "../../src/resp/reply_writer.ts";

interface TestSubscriber extends Subscriber {
  wakes: number;
  /** What was delivered, as text. */
  received(): string;
}

function subscriber(version: 2 | 3 = 2, onWake?: (s: TestSubscriber) => void): TestSubscriber {
  const out = new ReplyWriter();
  out.version = version;
  const s: TestSubscriber = {
    subscriptions: new Subscriptions(),
    out,
    wakes: 0,
    wake() {
      s.wakes++;
      onWake?.(s);
    },
    received() {
      const bytes = out.take();
      return latin1Decode(bytes, 0, bytes.length);
    },
  };
  return s;
}

Deno.test("the hub keeps channels, patterns and shard channels on both sides", () => {
  const hub = new PubSubHub();
  const a = subscriber();
  const b = subscriber();
  assertEquals(hub.subscribe(a, "channel", "news"), true);
  assertEquals(hub.subscribe(a, "channel", "news"), false);
  assertEquals(hub.subscribe(b, "channel", "news"), true);
  assertEquals(hub.subscribe(a, "pattern", "n*"), true);
  assertEquals(hub.subscribe(a, "shard", "news"), true);
  assertEquals([a.subscriptions.count, a.subscriptions.total], [2, 3]);
  assertEquals(a.subscriptions.countFor("shard"), 1);
  assertEquals(hub.subscriberCount("channel", "news"), 2);
  assertEquals(hub.subscriberCount("shard", "news"), 1);
  assertEquals(hub.patternCount, 1);
  assertEquals(hub.channels("channel", null), ["news"]);
  assertEquals(hub.channels("channel", "x*"), []);

  assertEquals(hub.unsubscribe(a, "channel", "news"), true);
  assertEquals(hub.unsubscribe(a, "channel", "news"), false);
  assertEquals(hub.unsubscribe(a, "channel", "never"), false);
  assertEquals(hub.subscriberCount("channel", "news"), 1);
  hub.unsubscribe(b, "channel", "news");
  // The last subscriber gone, the channel is gone too.
  assertEquals(hub.channels("channel", null), []);
  hub.unsubscribeAll(a);
  assertEquals([a.subscriptions.total, hub.patternCount, hub.channels("shard", null)], [0, 0, []]);
});

Deno.test("publish writes message and pmessage frames in the subscriber's protocol", () => {
  const hub = new PubSubHub();
  const v2 = subscriber(2);
  const v3 = subscriber(3);
  hub.subscribe(v2, "channel", "ch");
  hub.subscribe(v3, "channel", "ch");
  hub.subscribe(v3, "pattern", "c?");
  hub.subscribe(v2, "shard", "ch");
  assertEquals(hub.publish("ch", "m\r\n\x00\xff"), 3);
  assertEquals(v2.received(), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nm\r\n\x00\xff\r\n");
  assertEquals(
    v3.received(),
    ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nm\r\n\x00\xff\r\n" +
      ">4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nch\r\n$5\r\nm\r\n\x00\xff\r\n",
  );
  assertEquals([v2.wakes, v3.wakes], [1, 2]);
  assertEquals(hub.spublish("ch", "s"), 1);
  assertEquals(v2.received(), "*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\ns\r\n");
  // Shard messages ignore patterns; plain ones ignore shard channels.
  assertEquals(v3.received(), "");
  assertEquals(hub.publish("nobody", "x"), 0);
  assertEquals(hub.spublish("nobody", "x"), 0);
});

Deno.test("patterns follow Redis's glob rules, case-sensitively", () => {
  const hub = new PubSubHub();
  const s = subscriber();
  for (const p of ["h[ae]llo", "x\\*", "[^a]*", "A*"]) hub.subscribe(s, "pattern", p);
  assertEquals(hub.publish("hallo", "1"), 2); // h[ae]llo and [^a]*
  assertEquals(hub.publish("x*", "2"), 2); // x\* and [^a]*
  assertEquals(hub.publish("abc", "3"), 0);
  assertEquals(hub.publish("Abc", "4"), 2); // A* and [^a]*
  assert(s.received().includes("$8\r\nh[ae]llo\r\n$5\r\nhallo\r\n$1\r\n1\r\n"));
});

Deno.test("a subscriber that leaves during a delivery still counts, and the rest receive", () => {
  const hub = new PubSubHub();
  // The first subscriber is closed by its wake (as the output limits close a client).
  const leaving = subscriber(2, (s) => hub.unsubscribeAll(s));
  const staying = subscriber();
  hub.subscribe(leaving, "channel", "c");
  hub.subscribe(leaving, "pattern", "*");
  hub.subscribe(staying, "channel", "c");
  hub.subscribe(staying, "pattern", "*");
  assertEquals(hub.publish("c", "m"), 3);
  assertEquals(staying.wakes, 2);
  assertEquals(leaving.wakes, 1);
  assertEquals(hub.subscriberCount("channel", "c"), 1);
  assertEquals(hub.publish("c", "m"), 2);
});

Deno.test("subscribing is O(1): a hundred thousand channels come and go quickly", () => {
  const hub = new PubSubHub();
  const s = subscriber();
  const start = performance.now();
  for (let i = 0; i < 100_000; i++) hub.subscribe(s, "channel", `c${i}`);
  for (let i = 0; i < 100_000; i++) hub.unsubscribe(s, "channel", `c${i}`);
  assertEquals(hub.channels("channel", null).length, 0);
  assert(performance.now() - start < 2000, "subscribing and unsubscribing is too slow");
});
