/**
 * WATCH, as Redis's multi.c keeps it: each database maps a watched key to the watches on it,
 * and each client lists its own watches, so that a modified key marks its watchers dirty in
 * O(watchers) and a client unwatches everything in O(its keys).
 *
 * A watch remembers whether its key was already logically expired when WATCH ran. Such a key
 * being deleted later (by lazy or active expiry, or a DEL) is no change to the watcher, and
 * EXEC fails when a watched key that was live at WATCH time has expired since, even if nothing
 * has deleted it yet (`isWatchedKeyExpired`).
 *
 * @example
 * ```ts
 * import { Database } from "./database.ts";
 * import { systemClock } from "./clock.ts";
 * import { touchWatchedKey, watchKey, type Watcher } from "./watch.ts";
 * const db = new Database(0, systemClock);
 * const client: Watcher = { watched: [], dirtyCas: false };
 * watchKey(client, db, "k");
 * touchWatchedKey(db, "k");
 * client.dirtyCas; // true
 * ```
 * @module
 */
import type { Database } from "./database.ts";

/** A client that can WATCH keys. */
export interface Watcher {
  /** Its watches, in the order made. */
  watched: WatchedKey[];
  /** Set once a watched key is touched: the next EXEC fails (Redis's CLIENT_DIRTY_CAS). */
  dirtyCas: boolean;
}

/** One key watched by one client. */
export interface WatchedKey {
  readonly db: Database;
  readonly key: string;
  readonly watcher: Watcher;
  /** The key was logically expired when WATCH ran. */
  expired: boolean;
}

/** WATCH of one key (a second WATCH of the same key in the same database changes nothing). */
export function watchKey(watcher: Watcher, db: Database, key: string): void {
  for (const wk of watcher.watched) if (wk.db === db && wk.key === key) return;
  const wk: WatchedKey = { db, key, watcher, expired: db.isExpired(key) };
  let list = db.watchedKeys.get(key);
  if (list === undefined) db.watchedKeys.set(key, list = []);
  list.push(wk);
  watcher.watched.push(wk);
}

/** UNWATCH: forgets every watch of `watcher` (clearing the dirty flag is the caller's choice). */
export function unwatchAllKeys(watcher: Watcher): void {
  for (const wk of watcher.watched) {
    const list = wk.db.watchedKeys.get(wk.key);
    if (list === undefined) continue;
    const i = list.indexOf(wk);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) wk.db.watchedKeys.delete(wk.key);
  }
  watcher.watched = [];
}

/** Whether a key that was live when watched has expired since (EXEC then fails). */
export function isWatchedKeyExpired(watcher: Watcher): boolean {
  for (const wk of watcher.watched) if (!wk.expired && wk.db.isExpired(wk.key)) return true;
  return false;
}

/** Redis's touchWatchedKey: `key` of `db` was modified, so its watchers' next EXEC fails. */
export function touchWatchedKey(db: Database, key: string): void {
  if (db.watchedKeys.size === 0) return;
  const list = db.watchedKeys.get(key);
  if (list === undefined) return;
  for (const wk of [...list]) {
    if (wk.expired) {
      // Already expired when watched: its deletion changes nothing logically, and from then on
      // it is a plain watch of a missing key; a live value stored over it is a change.
      if (!db.dict.has(key)) {
        wk.expired = false;
        continue;
      }
      if (db.isExpired(key)) continue;
      wk.expired = false;
    }
    wk.watcher.dirtyCas = true;
  }
}

/**
 * Redis's touchAllWatchedKeysInDb, for FLUSHDB/FLUSHALL (`replacedWith` null) and SWAPDB (the
 * database whose contents `emptied` receives): a watched key is touched when it existed before
 * or exists after.
 */
export function touchAllWatchedKeysInDb(emptied: Database, replacedWith: Database | null): void {
  if (emptied.watchedKeys.size === 0) return;
  for (const [key, list] of emptied.watchedKeys) {
    const existsBefore = emptied.dict.has(key);
    const existsAfter = replacedWith !== null && replacedWith.dict.has(key);
    if (!existsBefore && !existsAfter) continue;
    for (const wk of list) {
      if (wk.expired) {
        if (!existsAfter) {
          // The expired key is deleted: logically no change.
          wk.expired = false;
          continue;
        }
        if (replacedWith!.isExpired(key)) continue; // replaced by another expired key
      } else if (!existsBefore && replacedWith!.isExpired(key)) {
        // A missing key replaced by an expired one: still missing.
        wk.expired = true;
        continue;
      }
      wk.watcher.dirtyCas = true;
    }
  }
}
