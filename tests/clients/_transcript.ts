/**
 * Transcripts for the client-library tests: a scenario records what each call returned (or the
 * error it threw) as plain JSON values, so that the transcripts of one scenario run against our
 * server and against a real redis-server can be compared step by step.
 *
 * @module
 */
import { assertEquals } from "../_util.ts";

/** A JSON value as a transcript holds it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One step: a label saying what the scenario did, and what came back. */
export type Entry = [label: string, result: Json];

/** Turns a client library's result into JSON: bytes as `{ hex }`, errors as `{ error }`. */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) {
    return { hex: Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return [...value].map(([k, v]) => [toJson(k), toJson(v)]);
  if (value instanceof Set) return [...value].map(toJson);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return String(value);
}

/** Records the steps of one scenario run. */
export class Transcript {
  readonly entries: Entry[] = [];

  /** Records `value` under `label`. */
  note(label: string, value: unknown): void {
    this.entries.push([label, toJson(value)]);
  }

  /** Runs `fn`, recording its result, or `{ error: message }` if it throws or rejects. */
  async step(label: string, fn: () => unknown): Promise<void> {
    try {
      this.note(label, await fn());
    } catch (error) {
      this.note(label, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * Asserts that two transcripts of the same scenario are equal, naming the first step that
 * differs (ours first, Redis's second).
 */
export function assertSameTranscript(ours: readonly Entry[], redis: readonly Entry[]): void {
  const n = Math.min(ours.length, redis.length);
  for (let i = 0; i < n; i++) {
    assertEquals(ours[i], redis[i], `step ${i} (${redis[i]![0]}) differs from Redis`);
  }
  assertEquals(ours.length, redis.length, "the transcripts have different lengths");
}

/**
 * Runs `scenario`; if it has not finished after `ms`, calls `abort` (which should close the
 * scenario's clients, so that its pending calls fail at once) and fails with a timeout.
 */
export async function withDeadline<T>(
  ms: number,
  abort: () => void,
  scenario: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(new Error(`the scenario did not finish within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([scenario(), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `true` when a TTL lies in `[low, high]`, else the value itself (so a failure shows it). TTLs
 * depend on timing; rounding them would still be racy at the edges, a range is not.
 */
export function within(value: unknown, low: number, high: number): unknown {
  return typeof value === "number" && value >= low && value <= high ? true : value;
}

/**
 * `true` when the milliseconds since `start` (a `performance.now()` reading) lie in `[low, high]`,
 * else the elapsed time itself: how a scenario checks that a blocking call waited out its timeout.
 */
export function tookWithin(start: number, low: number, high: number): unknown {
  return within(Math.round(performance.now() - start), low, high);
}

/**
 * Polls `info` (a client's `INFO clients`) until the server reports `count` blocked clients, and
 * returns the count it last saw. A scenario calls it before pushing to the key another connection
 * is blocked on, so that the push wakes a waiter rather than racing it.
 */
export async function untilBlocked(info: () => Promise<string>, count: number): Promise<number> {
  let seen = -1;
  for (let tries = 0; tries < 200; tries++) {
    seen = Number(parseInfo(await info()).get("blocked_clients") ?? -1);
    if (seen >= count) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return seen;
}

/** A copy of `values` in sorted order: members of sets and hashes come in no fixed order. */
export function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

/** The `field:value` lines of an INFO reply, by field (section headers and blanks skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A keyspace line (`keys=2,expires=1,avg_ttl=1234`) without its sampled `avg_ttl`. */
export function keyspaceLine(line: string | undefined): string | null {
  return line === undefined ? null : line.replace(/,avg_ttl=\d+/, "");
}

/**
 * What one subscriber received, in arrival order. `take` waits (with a deadline, not a fixed
 * sleep) for the messages a step expects, then makes a round trip on the subscriber's own
 * connection: a server writes a published message to the subscriber before it answers a later
 * command there, so any extra message shows up too, and the transcript holds exactly what came.
 */
export class Inbox {
  readonly #items: Json[] = [];
  #wake: (() => void) | null = null;

  push(...item: unknown[]): void {
    this.#items.push(toJson(item));
    this.#wake?.();
  }

  async take(count: number, roundTrip: () => Promise<unknown>, ms = 2000): Promise<Json[]> {
    const deadline = performance.now() + ms;
    while (this.#items.length < count && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    await roundTrip();
    return this.#items.splice(0);
  }
}

/**
 * The channel/message pairs both JS clients' Pub/Sub scenarios publish in order: channels and
 * patterns that match (`news.*`, `h?llo`) and do not, an empty message, UTF-8 and CRLF payloads.
 */
export const PUBSUB_MESSAGES: readonly [string, string][] = [
  ["news", "first"],
  ["news.tech", "ai"],
  ["hello", "world"],
  ["hallo", "welt"],
  ["hllo", "nobody matches"],
  ["weather", ""],
  ["nobody", "x"],
  ["news", "héllo wörld ✓"],
  ["news.tech", "line\r\nbreak"],
];
