/**
 * Keyspace notifications, as Redis's notify.c sends them: a command that changes a key calls
 * `notifyKeyspaceEvent(type, event, key, db)`, and when `notify-keyspace-events` enables that
 * type the event is published on `__keyspace@<db>__:<key>` (message: the event name) and/or
 * `__keyevent@<db>__:<event>` (message: the key).
 *
 * @example
 * ```ts
 * import { KeyspaceNotifier, NotifyType } from "./notify.ts";
 * const sent: string[] = [];
 * const notifier = new KeyspaceNotifier((channel, message) => {
 *   sent.push(`${channel} ${message}`);
 *   return 0;
 * });
 * notifier.flags = KeyspaceNotifier.parseFlags("El")!;
 * notifier.notify(NotifyType.list, "lpush", "jobs", 0);
 * sent; // ["__keyevent@0__:lpush jobs"]
 * ```
 *
 * Commands report their changes through the helpers at the end (`keyChanged`, `keyCreated`,
 * `keyEmptied`, `setKey`, `storeOrDelete`), which bundle what Redis's commands do together:
 * signal the key for WATCH, publish the event, and count the change in `server.dirty`.
 *
 * @module
 */
import type { Database } from "./database.ts";
import type { Value } from "./values.ts";

/** Event classes, Redis's NOTIFY_* bits. */
export const NotifyType = {
  keyspace: 1 << 0,
  keyevent: 1 << 1,
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keyMiss: 1 << 11,
  loaded: 1 << 12,
  module: 1 << 13,
  new: 1 << 14,
} as const;

/** `A`: every class but key misses and new keys. */
const ALL = NotifyType.generic | NotifyType.string | NotifyType.list | NotifyType.set |
  NotifyType.hash | NotifyType.zset | NotifyType.expired | NotifyType.evicted |
  NotifyType.stream | NotifyType.module;

/** The flag characters, in the order Redis writes them back. */
const CLASS_CHARS: [string, number][] = [
  ["g", NotifyType.generic],
  ["$", NotifyType.string],
  ["l", NotifyType.list],
  ["s", NotifyType.set],
  ["h", NotifyType.hash],
  ["z", NotifyType.zset],
  ["x", NotifyType.expired],
  ["e", NotifyType.evicted],
  ["t", NotifyType.stream],
  ["d", NotifyType.module],
  ["n", NotifyType.new],
];
const TARGET_CHARS: [string, number][] = [
  ["K", NotifyType.keyspace],
  ["E", NotifyType.keyevent],
  ["m", NotifyType.keyMiss],
];

/** Publishes `message` on `channel`; answers the number of receivers. */
export type Publish = (channel: string, message: string) => number;

/** Sends keyspace events through a publish function, filtered by the configured flags. */
export class KeyspaceNotifier {
  /** The enabled classes and targets (`notify-keyspace-events`, parsed). */
  flags = 0;

  constructor(private readonly publish: Publish) {}

  /** Redis's keyspaceEventsStringToFlags: the bits of a flags string, or null if invalid. */
  static parseFlags(text: string): number | null {
    let flags = 0;
    for (const ch of text) {
      if (ch === "A") {
        flags |= ALL;
        continue;
      }
      const bit = CLASS_CHARS.find(([c]) => c === ch)?.[1] ??
        TARGET_CHARS.find(([c]) => c === ch)?.[1];
      if (bit === undefined) return null;
      flags |= bit;
    }
    return flags;
  }

  /** Redis's keyspaceEventsFlagsToString: the canonical text CONFIG GET shows. */
  static formatFlags(flags: number): string {
    let text = "";
    // Redis 7.0 writes `n` among the classes, but not beside `A` (which it keeps the bit of);
    // we write `An` then, since the text is all our configuration keeps.
    if ((flags & ALL) === ALL) text = flags & NotifyType.new ? "An" : "A";
    else for (const [ch, bit] of CLASS_CHARS) if (flags & bit) text += ch;
    for (const [ch, bit] of TARGET_CHARS) if (flags & bit) text += ch;
    return text;
  }

  /** Redis's notifyKeyspaceEvent: event `event` of class `type` happened to `key` in db `dbid`. */
  notify(type: number, event: string, key: string, dbid: number): void {
    const flags = this.flags;
    if ((flags & type) === 0) return;
    if (flags & NotifyType.keyspace) this.publish(`__keyspace@${dbid}__:${key}`, event);
    if (flags & NotifyType.keyevent) this.publish(`__keyevent@${dbid}__:${event}`, key);
  }
}

/** What the helpers below need of the server (the commands' ServerContext has it). */
export interface KeyspaceEvents {
  /** Changes since the last save (Redis's server.dirty). */
  dirty: number;
  /** The classes and targets `notify-keyspace-events` enables (`NotifyType` bits). */
  readonly notifyFlags: number;
  signalModifiedKey(db: Database, key: string): void;
  notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void;
}

/**
 * A command changed `key` of `db`: what Redis's commands do after a change, signalModifiedKey
 * (WATCH), notifyKeyspaceEvent of `event` in class `type`, and `server.dirty += changes`.
 */
export function keyChanged(
  server: KeyspaceEvents,
  db: Database,
  type: number,
  event: string,
  key: string,
  changes = 1,
): void {
  server.signalModifiedKey(db, key);
  server.notifyKeyspaceEvent(type, event, key, db.index);
  server.dirty += changes;
}

/** Redis's dbAdd: `key` did not exist in `db` and now does (the `new` event, class `n`). */
export function keyCreated(server: KeyspaceEvents, db: Database, key: string): void {
  server.notifyKeyspaceEvent(NotifyType.new, "new", key, db.index);
}

/**
 * Deletes `key` of `db`, whose collection a command just emptied, with the generic `del` event
 * Redis sends then (the command's own event, signal and dirty count are its business).
 */
export function keyEmptied(server: KeyspaceEvents, db: Database, key: string): void {
  db.delete(key);
  server.notifyKeyspaceEvent(NotifyType.generic, "del", key, db.index);
}

/**
 * Redis's setKey: stores `value` at `key` of `db`, replacing any value and its TTL, with the
 * `new` event when the key did not exist (an expired one is reported expired first, as Redis's
 * lookup does) and the modification signal. The command sends its own event and counts dirty.
 */
export function setKey(server: KeyspaceEvents, db: Database, key: string, value: Value): void {
  // Whether the key is new matters only to the `new` event: no lookup unless it is enabled.
  const created = (server.notifyFlags & NotifyType.new) !== 0 && db.peek(key) === undefined;
  db.set(key, value);
  if (created) keyCreated(server, db, key);
  server.signalModifiedKey(db, key);
}

/**
 * The end of a *STORE command: `value` is stored at `key` as `setKey` does, followed by `event`
 * and `changes` added to dirty; or, for an empty result (`value` null), the key is deleted,
 * with a `del` event and one change when it existed.
 */
export function storeOrDelete(
  server: KeyspaceEvents,
  db: Database,
  key: string,
  value: Value | null,
  type: number,
  event: string,
  changes = 1,
): void {
  if (value === null) {
    if (db.delete(key)) keyChanged(server, db, NotifyType.generic, "del", key);
    return;
  }
  setKey(server, db, key, value);
  server.notifyKeyspaceEvent(type, event, key, db.index);
  server.dirty += changes;
}
