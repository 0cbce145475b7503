/**
 * Tests of keyspace notifications in isolation: the flags text as Redis 7.0 parses and writes
 * it back (the cases were taken from CONFIG SET and GET on a real redis-server 7.0.15), which
 * events reach which channels for a given set of flags, and the helpers commands report their
 * changes with (signal, event, dirty count, `new` and `del`).
 *
 * @module
 */
import { Database } from "../../src/keyspace/database.ts";
import { ManualClock } from "../../src/keyspace/clock.ts";
import {
  keyChanged,
  type KeyspaceEvents,
  KeyspaceNotifier,
  NotifyType,
  setKey,
  storeOrDelete,
} from "../../src/keyspace/notify.ts";
import { assert, assertEquals } from "../_util.ts";

/** The canonical text of a flags string, or null when Redis refuses it. */
function canonical(text: string): string | null {
  const flags = KeyspaceNotifier.parseFlags(text);
  return flags === null ? null : KeyspaceNotifier.formatFlags(flags);
}

Deno.test("notify-keyspace-events flags are written back in Redis's canonical order", () => {
  const cases: [string, string][] = [
    ["KEA", "AKE"],
    ["Kl", "lK"],
    ["Eg", "gE"],
    ["Ex", "xE"],
    ["", ""],
    ["A", "A"],
    ["n", "n"],
    ["m", "m"],
    ["KEA$", "AKE"],
    ["gK", "gK"],
    ["KEm", "KEm"],
    ["$lshzxetd", "$lshzxetd"],
    ["g$lshzxetdK", "AK"],
    ["EEKK", "KE"],
    ["ndK", "dnK"],
    ["hzsl$g", "g$lshz"],
  ];
  for (const [text, expected] of cases) assertEquals(canonical(text), expected, text);
});

Deno.test("the new-key class survives beside A, though Redis 7.0 would not print it", () => {
  // Redis keeps the bit but prints "AKE"; our configuration keeps only the text, so we print it.
  assertEquals(canonical("AKEn"), "AnKE");
  assertEquals(canonical("AnKE"), "AnKE");
  const flags = KeyspaceNotifier.parseFlags("AKEn")!;
  assert((flags & NotifyType.new) !== 0, "n is kept");
  assertEquals(KeyspaceNotifier.parseFlags(KeyspaceNotifier.formatFlags(flags)), flags);
});

Deno.test("notify-keyspace-events refuses any character outside Ag$lshzxeKEtmdn", () => {
  for (const text of ["xyz", "KEA!", " ", "a", "k", "AKEX", "K\0E", "\xe9"]) {
    assertEquals(KeyspaceNotifier.parseFlags(text), null, JSON.stringify(text));
  }
});

/** A notifier recording what it publishes, with `flags` enabled. */
function recorder(flags: string): { notifier: KeyspaceNotifier; sent: string[] } {
  const sent: string[] = [];
  const notifier = new KeyspaceNotifier((channel, message) => {
    sent.push(`${channel} ${message}`);
    return 0;
  });
  notifier.flags = KeyspaceNotifier.parseFlags(flags)!;
  return { notifier, sent };
}

Deno.test("an event is published only when its class and a channel kind are enabled", () => {
  const events: [number, string][] = [
    [NotifyType.list, "lpush"],
    [NotifyType.string, "set"],
    [NotifyType.generic, "del"],
    [NotifyType.expired, "expired"],
    [NotifyType.new, "new"],
    [NotifyType.keyMiss, "keymiss"],
  ];
  const run = (flags: string) => {
    const { notifier, sent } = recorder(flags);
    for (const [type, event] of events) notifier.notify(type, event, "k", 3);
    return sent;
  };
  assertEquals(run("Kl"), ["__keyspace@3__:k lpush"]);
  assertEquals(run("E$g"), ["__keyevent@3__:set k", "__keyevent@3__:del k"]);
  assertEquals(run("KEx"), ["__keyspace@3__:k expired", "__keyevent@3__:expired k"]);
  // A covers neither new keys nor key misses; n and m must be asked for.
  assertEquals(run("EA"), [
    "__keyevent@3__:lpush k",
    "__keyevent@3__:set k",
    "__keyevent@3__:del k",
    "__keyevent@3__:expired k",
  ]);
  assertEquals(run("Enm"), ["__keyevent@3__:new k", "__keyevent@3__:keymiss k"]);
  // Classes without K or E publish nothing, nor do K and E alone.
  assertEquals(run("A"), []);
  assertEquals(run("KE"), []);
  assertEquals(run(""), []);
});

/** A server stand-in that records signals, events and dirty changes. */
class FakeServer implements KeyspaceEvents {
  dirty = 0;
  /** Every class enabled, so that setKey looks for new keys. */
  readonly notifyFlags = ~0;
  readonly log: string[] = [];
  signalModifiedKey(db: Database, key: string): void {
    this.log.push(`signal ${db.index}:${key}`);
  }
  notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void {
    this.log.push(`event ${type} ${event} ${dbid}:${key}`);
  }
}

Deno.test("keyChanged signals the key, sends the event and counts the changes", () => {
  const server = new FakeServer();
  const db = new Database(2, new ManualClock(0));
  keyChanged(server, db, NotifyType.list, "rpush", "q", 3);
  keyChanged(server, db, NotifyType.generic, "del", "q");
  assertEquals(server.log, [
    "signal 2:q",
    `event ${NotifyType.list} rpush 2:q`,
    "signal 2:q",
    `event ${NotifyType.generic} del 2:q`,
  ]);
  assertEquals(server.dirty, 4);
});

Deno.test("setKey reports new only for a missing or expired key, after its expiry", () => {
  const clock = new ManualClock(0);
  const server = new FakeServer();
  const db = new Database(0, clock, (d, key) => server.log.push(`expired ${d.index}:${key}`));
  setKey(server, db, "k", "v1");
  setKey(server, db, "k", "v2");
  db.setExpire("k", 10);
  clock.advance(11);
  setKey(server, db, "k", "v3");
  assertEquals(server.log, [
    `event ${NotifyType.new} new 0:k`,
    "signal 0:k",
    "signal 0:k",
    "expired 0:k",
    `event ${NotifyType.new} new 0:k`,
    "signal 0:k",
  ]);
  assertEquals(db.lookup("k"), "v3");
  assertEquals(db.getExpireExact("k"), undefined);
  assertEquals(server.dirty, 0, "the command counts its own changes");
});

Deno.test("storeOrDelete stores with the command's event, or deletes with del if present", () => {
  const server = new FakeServer();
  const db = new Database(0, new ManualClock(0));
  storeOrDelete(server, db, "d", "x", NotifyType.list, "sortstore", 3);
  storeOrDelete(server, db, "d", null, NotifyType.list, "sortstore");
  storeOrDelete(server, db, "d", null, NotifyType.list, "sortstore");
  assertEquals(server.log, [
    `event ${NotifyType.new} new 0:d`,
    "signal 0:d",
    `event ${NotifyType.list} sortstore 0:d`,
    "signal 0:d",
    `event ${NotifyType.generic} del 0:d`,
  ]);
  assertEquals(server.dirty, 4);
  assertEquals(db.size, 0);
});
