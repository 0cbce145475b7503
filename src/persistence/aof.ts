/**
 * The append-only file's directory as Redis 7.0 keeps it (multi-part AOF): a base file (an RDB
 * image, or commands when aof-use-rdb-preamble is no), the incr files logged after it, and the
 * manifest naming them (aof_manifest.ts). `AofFiles` opens the incr file writes go to, and
 * switches to a new base after a rewrite: the rewrite's image goes to a temp file, which is
 * synced and renamed to the new base's name, and only then does a new manifest (written to a
 * temp file, synced, renamed) make it the base. A crash at any point leaves a manifest whose
 * files are all there, whole.
 *
 * `AofCommandSink` turns a snapshot into the commands that rebuild it (the base file's form
 * without an RDB preamble): SET, RPUSH, SADD, ZADD, HMSET in batches of 64 items, and
 * PEXPIREAT, as Redis's rewriteAppendOnlyFileRio writes them.
 *
 * @module
 */
import {
  HashValue,
  ListValue,
  SetValue,
  SortedSetValue,
  TypedValue,
  type Value,
} from "../keyspace/values.ts";
import { formatDoubleG17 } from "../resp/double.ts";
import { AofEncoder } from "./aof_writer.ts";
import {
  type AofManifest,
  EMPTY_MANIFEST,
  makePath,
  persistManifest,
  readManifest,
  withNewBase,
  withNewIncr,
  withoutHistory,
  withRewrittenIncrAsHistory,
} from "./aof_manifest.ts";
import type { SnapshotSink } from "./snapshot.ts";

/** Items per command in a rewritten collection (AOF_REWRITE_ITEMS_PER_CMD). */
const ITEMS_PER_COMMAND = 64;

/** A snapshot written as the commands that rebuild it. */
export class AofCommandSink implements SnapshotSink {
  readonly encoder: AofEncoder = new AofEncoder();

  entry(db: number, key: string, value: Value, expireAt: number | undefined): void {
    const append = (argv: string[]) => this.encoder.append({ db, argv });
    if (typeof value === "string") append(["SET", key, value]);
    else if (value instanceof TypedValue) {
      this.encoder.append({
        db,
        argv: ["SET", key, ""],
        typed: [undefined, undefined, value.value],
      });
    } else if (value instanceof ListValue) {
      this.#batches("RPUSH", key, [...value], append);
    } else if (value instanceof SetValue) {
      this.#batches("SADD", key, value.toArray(), append);
    } else if (value instanceof SortedSetValue) {
      const items: string[] = [];
      for (const [member, score] of value.entries()) items.push(formatDoubleG17(score), member);
      this.#batches("ZADD", key, items, append, 2);
    } else if (value instanceof HashValue) {
      const items: string[] = [];
      for (const [field, v] of value.fields) items.push(field, v);
      this.#batches("HMSET", key, items, append, 2);
    }
    if (expireAt !== undefined) append(["PEXPIREAT", key, String(expireAt)]);
  }

  #batches(
    name: string,
    key: string,
    items: string[],
    append: (argv: string[]) => void,
    width = 1,
  ): void {
    const per = ITEMS_PER_COMMAND * width;
    for (let i = 0; i < items.length; i += per) {
      append([name, key, ...items.slice(i, i + per)]);
    }
  }
}

/** The AOF directory and its manifest (see the module doc). */
export class AofFiles {
  manifest: AofManifest = EMPTY_MANIFEST;

  constructor(
    /** `dir`/`appenddirname`. */
    readonly dir: string,
    /** appendfilename. */
    readonly filename: string,
  ) {}

  /** Reads the manifest (an empty one when there is no directory). */
  async read(): Promise<AofManifest> {
    return this.manifest = await readManifest(this.dir, this.filename);
  }

  path(name: string): string {
    return makePath(this.dir, name);
  }

  /** Creates the directory if needed. */
  async ensureDir(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
  }

  /** Opens `name` for appending; returns the file and its size. */
  async openForAppend(name: string): Promise<{ file: Deno.FsFile; size: number }> {
    const file = await Deno.open(this.path(name), { write: true, append: true, create: true });
    const size = (await file.stat()).size;
    return { file, size };
  }

  /** Adds a new incr file to the manifest (persisted) and opens it: a rewrite begins. */
  async openNewIncr(): Promise<{ name: string; file: Deno.FsFile; size: number }> {
    const change = withNewIncr(this.manifest, this.filename);
    const opened = await this.openForAppend(change.fileName);
    try {
      await persistManifest(this.dir, this.filename, change.manifest);
    } catch (error) {
      opened.file.close();
      await Deno.remove(this.path(change.fileName)).catch(() => {});
      throw error;
    }
    this.manifest = change.manifest;
    return { name: change.fileName, ...opened };
  }

  /**
   * Makes the synced temp file `tempPath` (in `dir`'s parent) the new base, as Redis's
   * backgroundRewriteDoneHandler does: renamed into the directory; `tempIncr`, when AOF is being
   * turned on, renamed to the first incr file of the new base; the incr files the base covers
   * (all but the one being written while AOF is on) and the old base become history; the
   * manifest persisted; the history files deleted. `log` gets Redis's lines. Returns the base's
   * name.
   */
  async commitBase(
    tempPath: string,
    rdbPreamble: boolean,
    aofOn: boolean,
    log: (message: string) => void = () => {},
    tempIncr: string | null = null,
  ): Promise<string> {
    const change = withNewBase(this.manifest, this.filename, rdbPreamble);
    await Deno.rename(tempPath, this.path(change.fileName));
    const tempName = tempPath.slice(tempPath.lastIndexOf("/") + 1);
    log(`Successfully renamed the temporary AOF base file ${tempName} into ${change.fileName}`);
    let manifest = change.manifest;
    if (tempIncr !== null) {
      const incr = withNewIncr(manifest, this.filename);
      await Deno.rename(this.path(tempIncr), this.path(incr.fileName));
      log(`Successfully renamed the temporary AOF incr file ${tempIncr} into ${incr.fileName}`);
      manifest = incr.manifest;
    }
    manifest = withRewrittenIncrAsHistory(manifest, aofOn);
    await persistManifest(this.dir, this.filename, manifest);
    this.manifest = manifest;
    for (const old of manifest.history) {
      log(`Removing the history file ${old.fileName} in the background`);
      await Deno.remove(this.path(old.fileName)).catch(() => {});
    }
    this.manifest = withoutHistory(manifest);
    await persistManifest(this.dir, this.filename, this.manifest).catch(() => {});
    return change.fileName;
  }
}
