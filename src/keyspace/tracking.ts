/**
 * Client-side caching support, as Redis 7.0's tracking.c does it (CLIENT TRACKING).
 *
 * Default mode: the keys a tracking client reads (a read-only command's keys; in OPTIN mode only
 * after CLIENT CACHING yes, in OPTOUT mode unless CLIENT CACHING no) are remembered in a table
 * from key to client ids. When a key is modified (`signalModifiedKey`, expiry, eviction) every
 * client remembered for it gets one invalidation message and the key leaves the table: a client
 * must read it again to hear of the next change. A client in NOLOOP mode hears nothing of its
 * own writes, and a client's invalidations of keys it modified itself come after the reply of
 * the command that modified them.
 *
 * BCAST mode: nothing is remembered; the client names key prefixes (none: every key), and the
 * keys modified under a prefix are collected and sent once per prefix after the current batch
 * of commands (Redis sends them from beforeSleep), one message holding all of them.
 *
 * Messages go to the client itself when it speaks RESP3 (a `>2` push: `invalidate` and an
 * array of keys, or null when everything was flushed), or to the client it REDIRECTs to: a RESP3
 * one, or a RESP2 one subscribed to `__redis__:invalidate`, which gets them as Pub/Sub
 * messages. A redirect to a client that has gone marks the tracking client's redirect broken
 * (flag R), and a RESP3 tracking client is told so with a `tracking-redir-broken` push.
 *
 * @example
 * ```ts
 * import { ReplyWriter } from "../resp/reply_writer.ts";
 * import { Tracking, type TrackingClient } from "./tracking.ts";
 * const out = new ReplyWriter();
 * out.version = 3;
 * const client: TrackingClient = { id: 1, tracking: null, out, subscriptionCount: 0, wake() {} };
 * const tracking = new Tracking({ lookup: () => client, current: () => null });
 * const options = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false };
 * tracking.enable(client, { ...options, prefixes: [] });
 * tracking.remember(client, ["user:1"]);
 * tracking.invalidateKey("user:1"); // out now holds >2 invalidate [user:1]
 * ```
 * @module
 */
import type { ReplyWriter } from "../resp/reply_writer.ts";

/** How a client tracks, as CLIENT TRACKING set it. */
export interface TrackingState {
  /** The client id invalidations go to, 0 for the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** BCAST prefixes, in the order Redis lists them (sorted, as its radix tree keeps them). */
  prefixes: string[];
  /** CLIENT CACHING yes/no was sent for the next command. */
  caching: boolean;
  /** The redirect client has gone. */
  brokenRedirect: boolean;
}

/** A client as tracking sees it. */
export interface TrackingClient {
  readonly id: number;
  tracking: TrackingState | null;
  readonly out: ReplyWriter;
  /** Subscribed channels and patterns (a RESP2 redirect target must be subscribed). */
  readonly subscriptionCount: number;
  /** Gets what was just written to `out` sent soon, even while the client is idle. */
  wake(): void;
}

/** What tracking needs from the server. */
export interface TrackingHost {
  /** The connected client with this id, or undefined. */
  lookup(id: number): TrackingClient | undefined;
  /** The client whose command is running, or null. */
  current(): TrackingClient | null;
}

/** The Pub/Sub channel a RESP2 redirect target receives invalidations on. */
export const INVALIDATE_CHANNEL = "__redis__:invalidate";

interface BcastPrefix {
  readonly clients: Set<TrackingClient>;
  /** Keys modified under the prefix since the last broadcast, and who modified them. */
  readonly keys: Map<string, TrackingClient | null>;
}

/** The server's tracking tables. */
export class Tracking {
  /** Key -> ids of the clients that may have cached it. */
  #table = new Map<string, Set<number>>();
  #items = 0;
  #prefixes = new Map<string, BcastPrefix>();
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /**
   * `tracking-table-max-keys`: past this many keys (0: no limit), the oldest are invalidated
   * (their clients told) and forgotten, as Redis's trackingLimitUsedSlots does with random ones.
   */
  maxKeys = 1_000_000;
  /** Keys the running client modified that it tracks itself (null: all), sent after its reply. */
  #pending: (string | null)[] = [];
  #broadcastScheduled = false;

  constructor(private readonly host: TrackingHost) {}

  /** INFO's tracking_total_keys, tracking_total_items, tracking_total_prefixes. */
  get totals(): { keys: number; items: number; prefixes: number } {
    return { keys: this.#table.size, items: this.#items, prefixes: this.#prefixes.size };
  }

  /** CLIENT TRACKING on, options already checked (see `checkOptions`). */
  enable(client: TrackingClient, options: Omit<TrackingState, "caching" | "brokenRedirect">) {
    if (client.tracking === null) this.clients++;
    const prefixes = options.bcast
      ? [...new Set([...(client.tracking?.prefixes ?? []), ...options.prefixes])]
      : [];
    if (options.bcast && prefixes.length === 0) prefixes.push("");
    prefixes.sort(compareBytes);
    client.tracking = { ...options, prefixes, caching: false, brokenRedirect: false };
    for (const prefix of prefixes) {
      let entry = this.#prefixes.get(prefix);
      if (entry === undefined) {
        this.#prefixes.set(prefix, entry = { clients: new Set(), keys: new Map() });
      }
      entry.clients.add(client);
    }
  }

  /** CLIENT TRACKING off (and on disconnect and RESET). */
  disable(client: TrackingClient): void {
    const state = client.tracking;
    if (state === null) return;
    for (const prefix of state.prefixes) {
      const entry = this.#prefixes.get(prefix);
      if (entry === undefined) continue;
      entry.clients.delete(client);
      if (entry.clients.size === 0) this.#prefixes.delete(prefix);
    }
    client.tracking = null;
    this.clients--;
  }

  /**
   * Redis's checkPrefixCollisionsOrReply: the error text when a new prefix overlaps one the
   * client has or another new one, else null.
   */
  prefixCollision(client: TrackingClient, prefixes: readonly string[]): string | null {
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      for (const existing of client.tracking?.prefixes ?? []) {
        if (existing.startsWith(p) || p.startsWith(existing)) {
          return `ERR Prefix '${p}' overlaps with an existing prefix '${existing}'. ` +
            "Prefixes for a single client must not overlap.";
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        const q = prefixes[j]!;
        if (p.startsWith(q) || q.startsWith(p)) {
          return `ERR Prefix '${p}' overlaps with another provided prefix '${q}'. ` +
            "Prefixes for a single client must not overlap.";
        }
      }
    }
    return null;
  }

  /** After a read-only command of a tracking client: remembers its keys (trackingRememberKeys). */
  remember(client: TrackingClient, keys: readonly string[]): void {
    const state = client.tracking!;
    if (state.bcast) return;
    if ((state.optin && !state.caching) || (state.optout && state.caching)) return;
    for (const key of keys) {
      let ids = this.#table.get(key);
      if (ids === undefined) this.#table.set(key, ids = new Set());
      if (!ids.has(client.id)) {
        ids.add(client.id);
        this.#items++;
      }
    }
    if (this.maxKeys > 0 && this.#table.size > this.maxKeys) {
      for (const key of this.#table.keys()) {
        if (this.#table.size <= this.maxKeys) break;
        this.invalidateKey(key, false);
      }
    }
  }

  /**
   * Redis's trackingInvalidateKey: `key` was modified (by the running client, if any); with
   * `bcast` false (the table is full) BCAST clients are not told.
   */
  invalidateKey(key: string, bcast = true): void {
    if (this.#prefixes.size > 0) {
      if (bcast) this.#rememberForBroadcast(key);
    } else if (this.#table.size === 0) return;
    const ids = this.#table.get(key);
    if (ids === undefined) return;
    this.#table.delete(key);
    this.#items -= ids.size;
    const current = this.host.current();
    for (const id of ids) {
      const target = this.host.lookup(id);
      if (target === undefined || target.tracking === null || target.tracking.bcast) continue;
      if (target === current) {
        // NOLOOP: not told of its own writes; otherwise told after the command's reply.
        if (!target.tracking.noloop) this.#pending.push(key);
        continue;
      }
      this.#send(target, [key]);
    }
  }

  /** Sends the running client the invalidations of keys it modified itself (after its reply). */
  flushPending(client: TrackingClient): void {
    if (this.#pending.length === 0) return;
    const keys = this.#pending;
    this.#pending = [];
    for (const key of keys) {
      if (client.tracking === null) break;
      if (key === null) this.#send(client, null);
      else if (!client.tracking.bcast) this.#send(client, [key]);
    }
  }

  /**
   * FLUSHDB/FLUSHALL: every tracking client is told to drop everything (a null), the running
   * client after its reply.
   */
  invalidateAll(clients: Iterable<TrackingClient>): void {
    const current = this.host.current();
    for (const client of clients) {
      if (client.tracking === null) continue;
      if (client === current) this.#pending.push(null);
      else this.#send(client, null);
    }
    this.#table.clear();
    this.#items = 0;
  }

  #rememberForBroadcast(key: string): void {
    const current = this.host.current();
    for (const [prefix, entry] of this.#prefixes) {
      if (!key.startsWith(prefix)) continue;
      entry.keys.set(key, current);
      if (!this.#broadcastScheduled) {
        this.#broadcastScheduled = true;
        queueMicrotask(() => this.#broadcast());
      }
    }
  }

  /** Redis's trackingBroadcastInvalidationMessages: one message per prefix and client. */
  #broadcast(): void {
    this.#broadcastScheduled = false;
    for (const entry of this.#prefixes.values()) {
      if (entry.keys.size === 0) continue;
      for (const client of entry.clients) {
        let keys: string[];
        if (client.tracking?.noloop) {
          keys = [];
          for (const [key, by] of entry.keys) if (by !== client) keys.push(key);
          if (keys.length === 0) continue;
        } else keys = [...entry.keys.keys()];
        this.#send(client, keys);
      }
      entry.keys.clear();
    }
  }

  /** Redis's sendTrackingMessage: to the client, or to the client it redirects to. */
  #send(client: TrackingClient, keys: string[] | null): void {
    const state = client.tracking!;
    let target = client;
    const nullText = client.out.version === 3 ? "_\r\n" : "$-1\r\n";
    if (state.redirect !== 0) {
      const redirected = this.host.lookup(state.redirect);
      if (redirected === undefined) {
        state.brokenRedirect = true;
        if (client.out.version === 3) {
          client.out.pushLength(2);
          client.out.bulk("tracking-redir-broken");
          client.out.integer(state.redirect);
          client.wake();
        }
        return;
      }
      target = redirected;
    }
    const out = target.out;
    if (out.version === 3) {
      out.pushLength(2);
      out.bulk("invalidate");
    } else if (target !== client && target.subscriptionCount > 0) {
      out.arrayLength(3);
      out.bulk("message");
      out.bulk(INVALIDATE_CHANNEL);
    } else return;
    if (keys === null) out.raw(nullText);
    else {
      out.arrayLength(keys.length);
      for (const key of keys) out.bulk(key);
    }
    target.wake();
  }
}

/** Byte order, as Redis's radix tree sorts prefixes (keys are latin1 strings of bytes). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
