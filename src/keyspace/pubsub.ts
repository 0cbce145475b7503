/**
 * The Pub/Sub hub, Redis's pubsub.c: who listens on which channel, pattern and shard channel,
 * and the delivery of published messages. Each channel (pattern, shard channel) maps to the Set
 * of its subscribers and each subscriber keeps its own Sets, so subscribing and unsubscribing
 * are O(1) and a publish costs O(receivers + patterns). Sets keep insertion order, so a
 * channel's subscribers receive in the order they subscribed, as in Redis 7.0 (a list per
 * channel there). Delivery appends the message frame to the subscriber's reply writer (`*` in
 * RESP2, a `>` push in RESP3) and tells it (`wake`), so its connection can write it out
 * and check its output buffer limits. A channel that loses its last subscriber is dropped, so
 * PUBSUB CHANNELS lists only live ones and memory follows the subscriptions.
 *
 * @example
 * ```ts
 * import { PubSubHub, type Subscriber, Subscriptions } from "./pubsub.ts";
 * import { ReplyWriter } from "../resp/reply_writer.ts";
 * const hub = new PubSubHub();
 * const sub: Subscriber = {
 *   subscriptions: new Subscriptions(),
 *   out: new ReplyWriter(),
 *   wake() {},
 * };
 * hub.subscribe(sub, "channel", "news");
 * hub.publish("news", "hello"); // 1; sub.out holds *3 message news hello
 * ```
 * @module
 */
import { globMatch } from "./glob.ts";
import { latin1Encode } from "../resp/latin1.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";

/** What a subscription is to: a channel, a pattern (PSUBSCRIBE) or a shard channel. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/** One client's own subscriptions (Redis's pubsub_channels, pubsub_patterns, pubsubshard_channels). */
export class Subscriptions {
  /** SUBSCRIBE's channels. */
  readonly channels: Set<string> = new Set();
  /** PSUBSCRIBE's patterns. */
  readonly patterns: Set<string> = new Set();
  /** SSUBSCRIBE's shard channels. */
  readonly shardChannels: Set<string> = new Set();

  /** Channels plus patterns: the count SUBSCRIBE and PSUBSCRIBE confirmations carry. */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Everything, shard channels included: subscribed mode lasts while this is above zero. */
  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** The count a confirmation of `kind` carries (shard channels count on their own). */
  countFor(kind: SubscriptionKind): number {
    return kind === "shard" ? this.shardChannels.size : this.count;
  }

  /** The Set holding this client's subscriptions of `kind`. */
  of(kind: SubscriptionKind): Set<string> {
    return kind === "channel"
      ? this.channels
      : kind === "pattern"
      ? this.patterns
      : this.shardChannels;
  }
}

/** A subscribing connection as the hub sees it. */
export interface Subscriber {
  /** Its own subscriptions, kept by the hub. */
  readonly subscriptions: Subscriptions;
  /** Where delivered messages go; its `version` picks `*` (RESP2) or `>` (RESP3). */
  readonly out: ReplyWriter;
  /**
   * Called after each message appended to `out`: the connection writes it soon, and checks its
   * output buffer limits, which may close it (and drop its subscriptions) during a delivery.
   */
  wake(): void;
}

/** The frame of one published message, made once per publish and per protocol version. */
class Frame {
  #bytes2: Uint8Array | null = null;
  #bytes3: Uint8Array | null = null;
  constructor(readonly body: string, readonly length: number) {}

  /**
   * The frame encoded for `version`, once: copying these bytes into each subscriber's buffer is
   * several times faster than writing the string again for each of them (see bench/pubsub.ts).
   */
  bytes(version: number): Uint8Array {
    if (version === 3) return this.#bytes3 ??= latin1Encode(`>${this.length}\r\n${this.body}`);
    return this.#bytes2 ??= latin1Encode(`*${this.length}\r\n${this.body}`);
  }

  /** Appends the frame to `out` in its protocol version. */
  writeTo(out: ReplyWriter): void {
    out.bytes(this.bytes(out.version));
  }
}

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/** Every channel, pattern and shard channel with its subscribers. */
export class PubSubHub {
  readonly #channels = new Map<string, Set<Subscriber>>();
  readonly #patterns = new Map<string, Set<Subscriber>>();
  readonly #shardChannels = new Map<string, Set<Subscriber>>();

  #table(kind: SubscriptionKind): Map<string, Set<Subscriber>> {
    return kind === "channel"
      ? this.#channels
      : kind === "pattern"
      ? this.#patterns
      : this.#shardChannels;
  }

  /** Subscribes `s` to `name`; false if it already was. */
  subscribe(s: Subscriber, kind: SubscriptionKind, name: string): boolean {
    const own = s.subscriptions.of(kind);
    if (own.has(name)) return false;
    own.add(name);
    const table = this.#table(kind);
    const subscribers = table.get(name);
    if (subscribers === undefined) table.set(name, new Set([s]));
    else subscribers.add(s);
    return true;
  }

  /** Unsubscribes `s` from `name`; false if it was not subscribed. */
  unsubscribe(s: Subscriber, kind: SubscriptionKind, name: string): boolean {
    if (!s.subscriptions.of(kind).delete(name)) return false;
    const table = this.#table(kind);
    const subscribers = table.get(name)!;
    subscribers.delete(s);
    // The last subscriber gone, the channel goes too, so that a client cannot grow the server
    // by subscribing to millions of channels and leaving.
    if (subscribers.size === 0) table.delete(name);
    return true;
  }

  /** Drops every subscription of `s` without a word (a closed connection, RESET). */
  unsubscribeAll(s: Subscriber): void {
    const own = s.subscriptions;
    if (own.total === 0) return;
    for (const kind of ["channel", "pattern", "shard"] as const) {
      for (const name of [...own.of(kind)]) this.unsubscribe(s, kind, name);
    }
  }

  /**
   * PUBLISH: sends `message` to the subscribers of `channel`, then to those of each matching
   * pattern (a client subscribed both ways receives it twice, as in Redis); answers how many
   * deliveries were made.
   */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subscribers = this.#channels.get(channel);
    if (subscribers !== undefined) {
      receivers += deliver(
        subscribers,
        new Frame(`$7\r\nmessage\r\n${bulk(channel)}${bulk(message)}`, 3),
      );
    }
    if (this.#patterns.size > 0) {
      let tail: string | null = null;
      for (const [pattern, subscribers] of this.#patterns) {
        if (!globMatch(pattern, channel)) continue;
        tail ??= bulk(channel) + bulk(message);
        receivers += deliver(
          subscribers,
          new Frame(`$8\r\npmessage\r\n${bulk(pattern)}${tail}`, 4),
        );
      }
    }
    return receivers;
  }

  /** SPUBLISH: sends `message` to the subscribers of shard channel `channel` (no patterns). */
  spublish(channel: string, message: string): number {
    const subscribers = this.#shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    return deliver(subscribers, new Frame(`$8\r\nsmessage\r\n${bulk(channel)}${bulk(message)}`, 3));
  }

  /** PUBSUB CHANNELS / SHARDCHANNELS: the live channels of `kind` matching `pattern`. */
  channels(kind: "channel" | "shard", pattern: string | null): string[] {
    const names: string[] = [];
    for (const name of this.#table(kind).keys()) {
      if (pattern === null || globMatch(pattern, name)) names.push(name);
    }
    return names;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: how many subscribe to `name` (patterns not counted). */
  subscriberCount(kind: "channel" | "shard", name: string): number {
    return this.#table(kind).get(name)?.size ?? 0;
  }

  /** How many channels (or shard channels) have subscribers (INFO pubsub_channels). */
  channelCount(kind: "channel" | "shard"): number {
    return this.#table(kind).size;
  }

  /** PUBSUB NUMPAT: how many distinct patterns have subscribers. */
  get patternCount(): number {
    return this.#patterns.size;
  }
}

/** Appends the frame to each subscriber's output; returns how many there were. */
function deliver(subscribers: Set<Subscriber>, frame: Frame): number {
  // A subscriber closed for its output limits leaves the Set while it is iterated, which a JS
  // Set allows; it still counts as a receiver, as in Redis.
  let n = 0;
  for (const s of subscribers) {
    frame.writeTo(s.out);
    n++;
    s.wake();
  }
  return n;
}
