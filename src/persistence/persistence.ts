/**
 * Persistence as Redis 7.0 runs it: RDB snapshots (SAVE, BGSAVE, save points, SHUTDOWN's final
 * save, start-up loading) and the append-only file (logging, fsync policies, rewrite,
 * start-up replay), with their state for INFO persistence and the MISCONF refusal while the
 * disk fails.
 *
 * Background work (BGSAVE, BGREWRITEAOF) has no child process: a `Snapshot` walks the keyspace
 * a slice at a time between client requests and copies keys on write (see snapshot.ts), so the
 * image is the dataset of the moment the job started, as a fork's would be. Files are written
 * to a temp file, synced, and renamed over the old one, so a crash leaves the old or the new
 * file, never half of one.
 *
 * @module
 */
import type { Database } from "../keyspace/database.ts";
import type { EncodingLimits } from "../keyspace/values.ts";
import type { Config } from "../server/config.ts";
import { AofWriter, type FsyncPolicy } from "./aof_writer.ts";
import { AofCommandSink, AofFiles } from "./aof.ts";
import { AofLoadError, replayAofSteps, type ReplayClient } from "./aof_loader.ts";
import {
  filesToLoad,
  isRegularFile,
  lastIncr,
  needsUpgrade,
  persistManifest,
  strerror,
  tempIncrFileName,
  withUpgradedBase,
} from "./aof_manifest.ts";
import { parseRdbSteps, RdbError, RdbWriter } from "./rdb.ts";
import { Snapshot, type SnapshotSink } from "./snapshot.ts";
import { REDIS_VERSION } from "../version.ts";

/** What persistence needs of the server. */
export interface PersistenceHost {
  readonly config: Config;
  readonly databases: readonly Database[];
  readonly encodingLimits: EncodingLimits;
  /** Changes since the last save (Redis's server.dirty). */
  dirty: number;
  log(level: "debug" | "verbose" | "notice" | "warning", message: string): void;
  /** Approximate bytes in use (the RDB's used-mem aux field). */
  usedMemory(): number;
}

/** A background job: a snapshot being written to a temp file. */
interface Job {
  readonly kind: "rdb" | "aof";
  readonly snapshot: Snapshot;
  readonly startedAt: number;
  /** Set to stop the job (FLUSHALL stops a BGSAVE, SHUTDOWN stops everything). */
  cancelled: boolean;
  /** Settles once the job has ended, its files closed or removed: true when it succeeded. */
  done: Promise<boolean>;
}

/** Keys handed to the writer per slice, and the time a slice may take, in ms. */
const KEYS_PER_STEP = 512;
const SLICE_MS = 4;
/** Buffered bytes written out to the file at once. */
const WRITE_CHUNK = 1024 * 1024;
/** How long loading runs before letting clients in (to answer them LOADING), in ms. */
const LOAD_SLICE_MS = 50;
/** How long after a failed BGSAVE a save point may try again (CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_DELAY_S = 5;

/** The text of MISCONF refusing writes after a failed background save. */
export const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to " +
  "disk. Commands that may modify the data set are disabled, because this instance is " +
  "configured to report errors during writes if RDB snapshotting fails " +
  "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the " +
  "RDB error.";

/** The `save` parameter's pairs of seconds and changes (Config has checked and normalized it). */
function savePointsOf(text: string): [number, number][] {
  const words = text.split(" ").filter((w) => w !== "");
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < words.length; i += 2) {
    points.push([Number(words[i]), Number(words[i + 1])]);
  }
  return points;
}

/**
 * A progress logger for loading `total` bytes of `name`: at most one line a second, with the
 * percentage, what was loaded so far and the rate.
 */
function loadProgress(
  host: PersistenceHost,
  name: string,
  total: number,
): (offset: number, loaded: string) => void {
  const started = performance.now();
  let lastLog = started;
  return (offset, loaded) => {
    const t = performance.now();
    if (t - lastLog < 1000) return;
    lastLog = t;
    const percent = Math.floor((offset / total) * 100);
    const rate = offset / 1048576 / ((t - started) / 1000);
    host.log("notice", `Loading ${name}: ${percent}% (${loaded}, ${rate.toFixed(1)} MB/s)`);
  };
}

/** Yields to the event loop, so that clients are served between slices of a job. */
function yieldToClients(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Writes all of `bytes` to `file`. */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/**
 * An RDB image's sink: keys go to the writer under the right SELECTDB, which is written again
 * whenever a copied-on-write key of another database comes in the middle of one.
 */
class RdbSink implements SnapshotSink {
  #current = -1;
  constructor(
    readonly writer: RdbWriter,
    readonly sizes: Map<number, [number, number]>,
    /**
     * The IDLE or FREQ a key is written with (Redis writes them under an LRU or LFU
     * maxmemory-policy only), or null.
     */
    readonly access: ((db: number, key: string) => [number | undefined, number | undefined]) | null,
  ) {}

  entry(db: number, key: string, value: Parameters<RdbWriter["entry"]>[1], expireAt?: number) {
    if (db !== this.#current) {
      const [size, expires] = this.sizes.get(db) ?? [0, 0];
      this.writer.selectDb(db, size, expires);
      this.#current = db;
    }
    if (this.access === null) return this.writer.entry(key, value, expireAt);
    const [idle, freq] = this.access(db, key);
    this.writer.entry(key, value, expireAt, idle, freq);
  }
}

/**
 * A file image in the making: the sink a snapshot feeds, the buffer it fills (written out in
 * chunks), and what closes the image (RDB's EOF and checksum; nothing for AOF commands).
 */
interface Image {
  readonly sink: SnapshotSink;
  readonly buffer: { readonly length: number; take(): Uint8Array };
  finish(): void;
}

/** The state of snapshots and the AOF (see the module doc). */
export class Persistence {
  readonly #host: PersistenceHost;
  /** Epoch seconds of the last successful save (LASTSAVE). */
  lastSave: number;
  /** Whether the last background save succeeded (rdb_last_bgsave_status). */
  lastBgsaveOk = true;
  /** Epoch seconds of the last BGSAVE attempt (a failed one is retried after a delay). */
  lastBgsaveTry = 0;
  /** Seconds the last background save took, or -1 (rdb_last_bgsave_time_sec). */
  lastBgsaveSeconds = -1;
  /** Successful saves (rdb_saves). */
  saves = 0;
  /** The last load's counts (rdb_last_load_keys_loaded, rdb_last_load_keys_expired). */
  lastLoadKeys = 0;
  lastLoadExpired = 0;
  /**
   * While the data loads at start-up: when it began, the bytes to load and loaded (INFO
   * loading_*). Clients get LOADING meanwhile; null once loaded.
   */
  loading: { startedAt: number; total: number; loaded: number } | null = null;
  /** BGSAVE SCHEDULE asked for a save once the running job ends. */
  bgsaveScheduled = false;
  /** The open AOF, when appendonly is on. */
  aof: AofWriter | null = null;
  #job: Job | null = null;
  /** A rewrite is opening its files; its snapshot starts once they are open. */
  #rewriteStarting = false;
  /** appendonly's state: off, on, or on once the first rewrite is done (wait_rewrite). */
  aofState: "off" | "on" | "wait_rewrite" = "off";
  /** BGREWRITEAOF asked for while another job ran. */
  rewriteScheduled = false;
  lastRewriteOk = true;
  lastRewriteSeconds = -1;
  rewrites = 0;
  rewriteFailures = 0;
  /**
   * The AOF's size at the last rewrite or start-up (INFO aof_base_size; the automatic rewrite
   * measures growth from it).
   */
  aofBaseSize = 0;
  /** Bytes of the AOF's files other than the incr file being written (base, earlier incrs). */
  #aofOtherSize = 0;

  /** The AOF's size: every file of it (INFO aof_current_size). */
  get aofCurrentSize(): number {
    return this.#aofOtherSize + (this.aof?.size ?? 0);
  }
  #aofFiles: AofFiles | null = null;
  #lastRewriteFailure = 0;
  /** Set by `close`: no job starts, and one starting gives up. */
  #closed = false;
  /** The running rewrite, cleanup included (`close` waits for it). */
  #rewriteTask: Promise<void> | null = null;
  /** Dirty count when the running BGSAVE began (what its success takes off `dirty`). */
  #dirtyAtJobStart = 0;

  constructor(host: PersistenceHost) {
    this.#host = host;
    this.lastSave = Math.floor(Date.now() / 1000);
    host.config.onChange("save", (value) => (this.savePoints = savePointsOf(value)));
  }

  /** The directory files go to (`dir`; the working directory by default). */
  get dir(): string {
    const dir = this.#host.config.get("dir") ?? "";
    return dir === "" ? Deno.cwd() : dir;
  }

  /** The snapshot file's path (`dir`/`dbfilename`). */
  get rdbPath(): string {
    return `${this.dir}/${this.#host.config.get("dbfilename") ?? "dump.rdb"}`;
  }

  /** The save points (`save`), kept in step with CONFIG. */
  savePoints: [number, number][] = [];

  /** Whether a snapshot is being taken, so writes must preserve what they change first. */
  get snapshotting(): boolean {
    return this.#job !== null;
  }

  /** The running background job's kind, or null. */
  get jobKind(): "rdb" | "aof" | null {
    if (this.#rewriteStarting) return "aof";
    return this.#job?.kind ?? null;
  }

  /**
   * A write command is about to change `keys` of `db`: a snapshot in progress keeps their
   * current values first. `everyDb`: the command also writes the keys in another database
   * (MOVE, COPY ... DB).
   */
  beforeWrite(db: Database, keys: readonly string[], everyDb: boolean): void {
    const snapshot = this.#job?.snapshot;
    if (snapshot === undefined) return;
    for (const key of keys) {
      if (everyDb) snapshot.preserveEverywhere(this.#host.databases, key);
      else snapshot.preserve(db, key);
    }
  }

  /**
   * The MISCONF error writes get while the disk fails, or null: a failed background save with
   * save points set (stop-writes-on-bgsave-error), or a failed AOF write.
   */
  get diskError(): string | null {
    const aof = this.aof;
    if (aof !== null && aof.writeError !== null) {
      return `MISCONF Errors writing to the AOF file: ${aof.writeError}`;
    }
    if (
      !this.lastBgsaveOk && this.#host.config.get("stop-writes-on-bgsave-error") === "yes" &&
      this.savePoints.length > 0
    ) {
      return MISCONF_RDB;
    }
    return null;
  }

  // ---- RDB ----

  /** The aux fields Redis 7.0 writes at the head of an RDB. */
  #aux(aofBase: boolean): [string, string | number][] {
    return [
      ["redis-ver", REDIS_VERSION],
      ["redis-bits", 64],
      ["ctime", Math.floor(Date.now() / 1000)],
      ["used-mem", this.#host.usedMemory()],
      ["aof-base", aofBase ? 1 : 0],
    ];
  }

  /**
   * SAVE: writes the whole dataset now, blocking everything else, as Redis's rdbSave does.
   * Throws with the reason when the file cannot be written (the old file stays).
   */
  save(): void {
    this.saves++; // rdb_saves counts attempts, as Redis's stat_rdb_saves
    const path = this.rdbPath;
    const temp = `${this.dir}/temp-${Deno.pid}.rdb`;
    let file: Deno.FsFile | null = null;
    let opened = false;
    try {
      file = Deno.openSync(temp, { write: true, create: true, truncate: true });
      opened = true;
      const image = this.#rdbImage(false);
      const snapshot = new Snapshot(this.#host.databases, image.sink);
      while (snapshot.step(KEYS_PER_STEP)) {
        if (image.buffer.length >= WRITE_CHUNK) writeAllSync(file, image.buffer.take());
      }
      image.finish();
      writeAllSync(file, image.buffer.take());
      file.syncDataSync();
      file.close();
      file = null;
      Deno.renameSync(temp, path);
    } catch (error) {
      try {
        file?.close();
      } catch {
        // closing a failed file
      }
      Deno.remove(temp).catch(() => {});
      const message = strerror(error);
      const where = temp.slice(this.dir.length + 1);
      this.#host.log(
        "warning",
        file === null && !opened
          ? `Failed opening the temp RDB file ${where} (in server root dir ${this.dir}) for saving: ${message}`
          : `Write error saving DB on disk(rdbSaveRio): ${message}`,
      );
      throw error;
    }
    this.#host.log("notice", "DB saved on disk");
    this.#host.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
  }

  /**
   * An RDB image (after its header): the databases' sizes for RESIZEDB are taken now, at the
   * instant the snapshot that feeds it begins, and each key gets its IDLE or FREQ under an LRU
   * or LFU maxmemory-policy, as Redis writes them.
   */
  #rdbImage(aofBase: boolean): Image {
    const config = this.#host.config;
    const writer = new RdbWriter({
      compression: config.get("rdbcompression") === "yes",
      checksum: config.get("rdbchecksum") === "yes",
    });
    writer.header(this.#aux(aofBase));
    const databases = this.#host.databases;
    const sizes = new Map<number, [number, number]>();
    for (const db of databases) sizes.set(db.index, [db.dict.size, db.expires.size]);
    // The key's access time as the database holds it now (a key copied on write is read before
    // the write, one walked later may have been read since: close enough for eviction's use).
    const policy = config.get("maxmemory-policy") ?? "noeviction";
    const access = policy.endsWith("-lru")
      ? (db: number, key: string): [number | undefined, number | undefined] => {
        const d = databases[db];
        return [d?.dict.has(key) ? d.idleSeconds(key) : undefined, undefined];
      }
      : policy.endsWith("-lfu")
      ? (db: number, key: string): [number | undefined, number | undefined] => {
        const d = databases[db];
        return [undefined, d?.dict.has(key) ? d.accessFrequency(key) : undefined];
      }
      : null;
    return { sink: new RdbSink(writer, sizes, access), buffer: writer, finish: () => writer.end() };
  }

  /** An AOF base image: RDB with aof-use-rdb-preamble, else the commands that rebuild it. */
  #baseImage(): Image {
    if (this.#preamble) return this.#rdbImage(true);
    const sink = new AofCommandSink();
    sink.encoder.timestamps = this.timestamps;
    return { sink, buffer: sink.encoder.out, finish: () => {} };
  }

  /**
   * Writes `snapshot` through `image` to `file` in chunks, then closes the image. For a job, a
   * slice of the walk takes at most SLICE_MS and clients are served between slices (keys they
   * write are copied into the buffer meanwhile); a cancelled job stops with an error.
   */
  async #drain(snapshot: Snapshot, image: Image, file: Deno.FsFile, job: Job | null) {
    const buffer = image.buffer;
    let more = true;
    while (more) {
      if (job?.cancelled) throw new Error("cancelled");
      const start = performance.now();
      while (
        more && buffer.length < WRITE_CHUNK &&
        (job === null || performance.now() - start < SLICE_MS)
      ) {
        more = snapshot.step(KEYS_PER_STEP);
      }
      if (buffer.length >= WRITE_CHUNK || !more) await writeAll(file, buffer.take());
      if (more && job !== null) await yieldToClients();
    }
    if (job?.cancelled) throw new Error("cancelled");
    image.finish();
    await writeAll(file, buffer.take());
  }

  /**
   * BGSAVE: starts writing a snapshot of this moment while clients go on. Returns false (and
   * does nothing) when a job is already running.
   */
  bgsave(): boolean {
    if (this.#job !== null || this.#closed) return false;
    const image = this.#rdbImage(false);
    const snapshot = new Snapshot(this.#host.databases, image.sink);
    this.#dirtyAtJobStart = this.#host.dirty;
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    this.saves++;
    const startedAt = Date.now();
    const job: Job = {
      kind: "rdb",
      snapshot,
      startedAt,
      cancelled: false,
      done: Promise.resolve(false),
    };
    this.#host.log("notice", `Background saving started by pid ${Deno.pid}`);
    job.done = this.#runRdbJob(job, image);
    this.#job = job;
    return true;
  }

  async #runRdbJob(job: Job, image: Image): Promise<boolean> {
    const temp = `${this.dir}/temp-bgsave-${Deno.pid}.rdb`;
    const path = this.rdbPath;
    let file: Deno.FsFile | null = null;
    let ok = false;
    try {
      file = await Deno.open(temp, { write: true, create: true, truncate: true });
      await this.#drain(job.snapshot, image, file, job);
      await file.syncData();
      file.close();
      file = null;
      await Deno.rename(temp, path);
      ok = true;
    } catch (error) {
      try {
        file?.close();
      } catch {
        // closing a failed file
      }
      await Deno.remove(temp).catch(() => {});
      if (!job.cancelled) {
        this.#host.log(
          "warning",
          `Write error saving DB on disk(rdbSaveRio): ${strerror(error)}`,
        );
      }
    }
    if (this.#job === job) this.#job = null;
    this.lastBgsaveSeconds = Math.round((Date.now() - job.startedAt) / 1000);
    if (job.cancelled) {
      // As Redis for a save it stopped itself (SIGUSR1): the last status stays as it was.
      this.#host.log("warning", "Background saving terminated by signal 10");
      return false;
    }
    if (ok) {
      this.#host.log("notice", "DB saved on disk");
      this.#host.log("notice", "Background saving terminated with success");
      this.#host.dirty -= this.#dirtyAtJobStart;
      this.lastSave = Math.floor(Date.now() / 1000);
    } else {
      this.#host.log("warning", "Background saving error");
    }
    this.lastBgsaveOk = ok;
    return ok;
  }

  /**
   * Loads dump.rdb at start-up if it exists, replacing nothing (the databases are empty).
   * Returns whether a file was loaded; throws on a damaged file, as Redis refuses to start.
   */
  async loadRdb(): Promise<boolean> {
    const path = this.rdbPath;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
    const started = performance.now();
    this.#startLoading(bytes.length);
    await this.#loadRdbBytes(bytes, path);
    const seconds = (performance.now() - started) / 1000;
    this.#host.log("notice", `DB loaded from disk: ${seconds.toFixed(3)} seconds`);
    return true;
  }

  /** Loads an RDB image into the (empty) databases; returns where the image ended. */
  async #loadRdbBytes(bytes: Uint8Array, name: string): Promise<number> {
    const host = this.#host;
    const now = Date.now();
    let db = host.databases[0]!;
    let loaded = 0;
    let expired = 0;
    const progress = loadProgress(host, name, bytes.length);
    let end: number;
    try {
      ({ end } = await this.#drive(
        parseRdbSteps(
          bytes,
          {
            aux(key, value) {
              if (key === "redis-ver") {
                host.log("notice", `Loading RDB produced by version ${value}`);
              } else if (key === "ctime") {
                const age = Math.max(0, Math.floor(now / 1000) - Number(value));
                host.log("notice", `RDB age ${age} seconds`);
              } else if (key === "aof-base" && Number(value) !== 0) {
                host.log("notice", "RDB is base AOF");
              } else if (key === "used-mem") {
                host.log(
                  "notice",
                  `RDB memory usage when created ${(Number(value) / 1048576).toFixed(2)} Mb`,
                );
              }
            },
            selectDb(index) {
              const target = host.databases[index];
              if (target === undefined) {
                throw new RdbError(
                  `FATAL: Data file was created with a Redis server configured to handle more than ${host.databases.length} databases. Exiting`,
                  0,
                );
              }
              db = target;
            },
            entry(key, value, expireAt, idle, freq) {
              // As a master loading an RDB: keys already expired are left out.
              if (expireAt !== undefined && Number(expireAt) < now) {
                expired++;
                return;
              }
              if (db.dict.has(key)) {
                throw new RdbError(`RDB has duplicated key '${key}' in DB ${db.index}`, 0);
              }
              db.set(key, value);
              if (expireAt !== undefined) db.setExpire(key, expireAt);
              // Redis's objectSetLRUOrLFU: an IDLE under any but an LFU policy, a FREQ under LFU.
              if (idle !== undefined || freq !== undefined) {
                db.setAccess(key, BigInt(idle ?? -1), BigInt(freq ?? -1));
              }
              loaded++;
            },
          },
          host.encodingLimits,
        ),
        (offset) => {
          this.#loadedUpTo(offset);
          progress(offset, `${loaded} keys loaded`);
        },
      ));
    } catch (error) {
      if (error instanceof RdbError && !error.message.startsWith("FATAL")) {
        host.log(
          "warning",
          `Internal error in RDB reading offset ${error.offset} function at rdb.c:0 -> ${error.message}`,
        );
      }
      throw error;
    }
    host.log("notice", `Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
    this.lastLoadKeys = loaded;
    this.lastLoadExpired = expired;
    return end;
  }

  /**
   * FLUSHALL's share, as Redis's flushAllDataAndResetRDB: a BGSAVE in progress stops, and the
   * (now empty) dataset is saved at once when save points are set.
   */
  flushedAll(): void {
    if (this.#job?.kind === "rdb") this.#job.cancelled = true;
    if (this.savePoints.length === 0) return;
    try {
      this.save();
    } catch {
      // logged by save(); FLUSHALL itself succeeds, as in Redis
    }
  }

  /**
   * What has to happen before the server stops (Redis's prepareForShutdown): background jobs
   * are stopped, the AOF is written and synced, and a final snapshot is saved when save points
   * are set (or SAVE was asked for) unless NOSAVE was. Returns false when that save failed and
   * FORCE was not given: the server must not stop then.
   */
  prepareForShutdown(options: { save?: boolean; nosave?: boolean; force?: boolean } = {}): boolean {
    const host = this.#host;
    host.log("warning", "User requested shutdown...");
    // The first AOF is still being written: stopping now would leave no AOF at all.
    if (this.aofState === "wait_rewrite") {
      if (!options.force) {
        host.log("warning", "Writing initial AOF, can't exit.");
        return false;
      }
      host.log("warning", "Writing initial AOF. Exit anyway.");
    }
    const job = this.#job;
    if (job !== null) {
      host.log(
        "warning",
        job.kind === "rdb"
          ? "There is a child saving an .rdb. Killing it!"
          : "There is a child rewriting the AOF. Killing it!",
      );
      job.cancelled = true;
    }
    if (this.aof !== null) {
      host.log("notice", "Calling fsync() on the AOF file.");
      this.aof.flushAndSync();
    }
    // A dataset still loading is not saved: it would replace the file with a part of itself.
    if (this.loading !== null) {
      if (this.savePoints.length > 0 || options.save) {
        host.log("warning", "The dataset is still loading: not saving a part of it.");
      }
    } else if ((this.savePoints.length > 0 && !options.nosave) || options.save) {
      host.log("notice", "Saving the final RDB snapshot before exiting.");
      try {
        this.save();
      } catch {
        if (!options.force) {
          host.log("warning", "Error trying to save the DB, can't exit.");
          return false;
        }
        host.log("warning", "Error trying to save the DB. Exit anyway.");
      }
    }
    this.aof?.close();
    this.aof = null;
    return true;
  }

  // ---- AOF ----

  /** The fsync policy in force (appendfsync). */
  get #policy(): FsyncPolicy {
    return (this.#host.config.get("appendfsync") ?? "everysec") as FsyncPolicy;
  }

  #files(): AofFiles {
    const config = this.#host.config;
    const dir = `${this.dir}/${config.get("appenddirname") ?? "appendonlydir"}`;
    const name = config.get("appendfilename") ?? "appendonly.aof";
    if (this.#aofFiles === null || this.#aofFiles.dir !== dir || this.#aofFiles.filename !== name) {
      this.#aofFiles = new AofFiles(dir, name);
    }
    return this.#aofFiles;
  }

  /** Counts `bytes` more to load (INFO loading_total_bytes). */
  #startLoading(bytes: number): void {
    if (this.loading !== null) this.loading.total += bytes;
  }

  /**
   * Runs a loading generator to its end, letting clients in (to get LOADING) every
   * LOAD_SLICE_MS, as Redis processes events while it loads.
   */
  async #drive<Y, R>(steps: Generator<Y, R, void>, onStep: (step: Y) => void): Promise<R> {
    let slice = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      onStep(step.value);
      if (performance.now() - slice >= LOAD_SLICE_MS) {
        await yieldToClients();
        slice = performance.now();
      }
    }
  }

  /** Bytes of the files loaded before the one loading now. */
  #loadedBase = 0;

  /** The loading file reached `offset` (INFO loading_loaded_bytes). */
  #loadedUpTo(offset: number): void {
    if (this.loading !== null) this.loading.loaded = this.#loadedBase + offset;
  }

  /**
   * Start-up (Redis's loadDataFromDisk): the AOF when appendonly is yes (creating it when there
   * is none), else dump.rdb when it exists. Throws, with the reason logged, when the data
   * cannot be loaded: the server must not start on a part of its data.
   */
  async loadAtStartup(makeClient: () => ReplayClient): Promise<void> {
    // Loading from here on: clients that come before the files are read get LOADING too.
    this.loading = { startedAt: Date.now(), total: 0, loaded: 0 };
    try {
      await this.#load(makeClient);
    } finally {
      this.loading = null;
      this.#loadedBase = 0;
    }
  }

  async #load(makeClient: () => ReplayClient): Promise<void> {
    if (this.#host.config.get("appendonly") !== "yes") {
      await this.loadRdb();
      return;
    }
    const host = this.#host;
    const files = this.#files();
    await files.read();
    await this.#upgradeOldAof(files);
    const entries = filesToLoad(files.manifest);
    const started = performance.now();
    if (entries.length !== 0) {
      const client = makeClient();
      for (const entry of entries) await this.#loadAofFile(files, entry, client);
      const seconds = (performance.now() - started) / 1000;
      host.log("notice", `DB loaded from append only file: ${seconds.toFixed(3)} seconds`);
    }
    await files.ensureDir();
    if (files.manifest.base === null) {
      // As Redis: a fresh AOF starts with a base file of the (empty) dataset.
      const temp = `${this.dir}/temp-rewriteaof-${Deno.pid}.aof`;
      const image = this.#baseImage();
      await this.#writeBase(temp, new Snapshot(host.databases, image.sink), image, null);
      const name = await files.commitBase(temp, this.#preamble, true);
      host.log("notice", `Creating AOF base file ${name} on server start`);
    }
    const incr = lastIncr(files.manifest, files.filename);
    const opened = await files.openForAppend(incr.fileName);
    if (incr.created) {
      await persistManifest(files.dir, files.filename, incr.manifest);
      files.manifest = incr.manifest;
      host.log("notice", `Creating AOF incr file ${incr.fileName} on server start`);
    } else host.log("notice", `Opening AOF incr file ${incr.fileName} on server start`);
    this.aof = this.#newAofWriter(opened.file, opened.size);
    // As Redis: the size of what was loaded is the base growth is measured from; a new AOF's
    // first base file counts for nothing.
    this.#aofOtherSize = entries.length === 0 ? 0 : (await this.#sizeOf(files)) - opened.size;
    this.aofBaseSize = this.aofCurrentSize;
    this.aofState = "on";
    host.dirty = 0;
  }

  /**
   * An AOF of Redis 6 and older, one `appendonly.aof` in `dir`, becomes the base file of the
   * AOF directory (Redis 7.0's aofUpgradePrepare): the manifest naming it is written first, then
   * the file moved in, so a crash in between is finished at the next start.
   */
  async #upgradeOldAof(files: AofFiles): Promise<void> {
    const oldPath = `${this.dir}/${files.filename}`;
    const facts = {
      oldFileExists: await isRegularFile(oldPath),
      aofDirExists: await Deno.stat(files.dir).then((s) => s.isDirectory, () => false),
      oldNameInAofDirExists: await isRegularFile(files.path(files.filename)),
    };
    if (!needsUpgrade(files.manifest, files.filename, facts)) return;
    await files.ensureDir();
    const manifest = withUpgradedBase(files.manifest, files.filename);
    await persistManifest(files.dir, files.filename, manifest);
    await Deno.rename(oldPath, files.path(files.filename));
    files.manifest = manifest;
    this.#host.log(
      "notice",
      `Successfully migrated an old-style AOF file (${files.filename}) into the AOF directory (${
        files.dir.slice(this.dir.length + 1)
      }).`,
    );
  }

  get #preamble(): boolean {
    return this.#host.config.get("aof-use-rdb-preamble") === "yes";
  }

  #newAofWriter(file: Deno.FsFile, size: number): AofWriter {
    const writer = new AofWriter(
      file,
      size,
      this.#policy,
      (level, message) => this.#host.log(level, message),
    );
    writer.encoder.timestamps = this.timestamps;
    return writer;
  }

  /** aof-timestamp-enabled. */
  get timestamps(): boolean {
    return this.#host.config.get("aof-timestamp-enabled") === "yes";
  }

  /** Bytes of the base and incr files the manifest names (or of the base alone). */
  async #sizeOf(files: AofFiles, baseOnly = false): Promise<number> {
    const m = files.manifest;
    let total = 0;
    for (const info of [...(m.base === null ? [] : [m.base]), ...(baseOnly ? [] : m.incr)]) {
      total += await Deno.stat(files.path(info.fileName)).then((s) => s.size, () => 0);
    }
    return total;
  }

  /** Replays one file of the AOF; a cut-short last file is cut back as aof-load-truncated says. */
  async #loadAofFile(
    files: AofFiles,
    entry: { fileName: string; kind: "base" | "incr"; last: boolean },
    client: ReplayClient,
  ): Promise<void> {
    const host = this.#host;
    const path = files.path(entry.fileName);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw new Error(
        error instanceof Deno.errors.NotFound
          ? `Unable to obtain the AOF file ${entry.fileName} length. stat: No such file or directory`
          : `Fatal error: can't open the append log file ${entry.fileName} for reading: ${
            strerror(error)
          }`,
      );
    }
    this.#startLoading(bytes.length);
    const started = performance.now();
    let start = 0;
    if (
      entry.kind === "base" && bytes.length >= 5 &&
      String.fromCharCode(...bytes.subarray(0, 5)) === "REDIS"
    ) {
      host.log("notice", "Reading RDB base file on AOF loading...");
      start = await this.#loadRdbBytes(bytes, entry.fileName);
      // An old single-file AOF (adopted as the base) may go on with commands after its RDB.
      if (entry.fileName === files.filename) {
        host.log("notice", "Reading the remaining AOF tail...");
      }
    }
    const progress = loadProgress(host, entry.fileName, bytes.length);
    const result = await this.#drive(
      replayAofSteps(bytes, start, client, entry.fileName),
      (step) => {
        this.#loadedUpTo(step.offset);
        progress(step.offset, `${step.commands} commands`);
      },
    );
    this.#loadedBase += bytes.length;
    if (result.revertedMulti) {
      host.log("warning", `Revert incomplete MULTI/EXEC transaction in AOF file ${entry.fileName}`);
    }
    if (result.truncated) {
      if (!entry.last) {
        throw new AofLoadError(
          "Fatal error: the truncated file is not the last file",
          result.validUpTo,
        );
      }
      if (this.#host.config.get("aof-load-truncated") !== "yes") {
        throw new AofLoadError(
          `Unexpected end of file reading the append only file ${entry.fileName}. You can: 1) Make a backup of your AOF file, then use ./miniredis check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
          result.validUpTo,
        );
      }
      host.log(
        "warning",
        `!!! Warning: short read while loading the AOF file ${entry.fileName}!!!`,
      );
      host.log(
        "warning",
        `!!! Truncating the AOF ${entry.fileName} at offset ${result.validUpTo} !!!`,
      );
      await Deno.truncate(path, result.validUpTo);
      host.log(
        "warning",
        `AOF ${entry.fileName} loaded anyway because aof-load-truncated is enabled`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    host.log(
      "notice",
      `DB loaded from ${entry.kind} file ${entry.fileName}: ${seconds.toFixed(3)} seconds`,
    );
  }

  /** Writes the base image `image` of `snapshot` to `temp`, synced. */
  async #writeBase(temp: string, snapshot: Snapshot, image: Image, job: Job | null) {
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      await this.#drain(snapshot, image, file, job);
      await file.syncData();
    } finally {
      file.close();
    }
  }

  /**
   * BGREWRITEAOF: a new base from a snapshot of this moment, while clients go on and new writes
   * go to a new incr file. Returns false when it cannot start.
   */
  rewriteAof(): boolean {
    if (this.#job !== null || this.#rewriteStarting || this.#closed) return false;
    this.#rewriteStarting = true;
    this.rewrites++; // aof_rewrites counts attempts, as Redis's stat_aof_rewrites
    const task = this.#rewrite().catch((error) => {
      this.#host.log("warning", `Background AOF rewrite failed: ${strerror(error)}`);
    }).finally(() => {
      if (this.#rewriteTask === task) this.#rewriteTask = null;
    });
    this.#rewriteTask = task;
    return true;
  }

  async #rewrite(): Promise<void> {
    const host = this.#host;
    const files = this.#files();
    const startedAt = Date.now();
    const temp = `${this.dir}/temp-rewriteaof-bg-${Deno.pid}.aof`;
    let job: Job | null = null;
    let tempIncr: string | null = null;
    try {
      await files.ensureDir();
      if (files.manifest.base === null) await files.read();
      // The new incr file opens first; the snapshot is taken at the very moment writes move
      // to it, so that base + new incr is the dataset exactly.
      let opened: { file: Deno.FsFile; size: number } | null = null;
      if (this.aofState === "on") {
        const incr = await files.openNewIncr();
        host.log("notice", `Creating AOF incr file ${incr.name} on background rewrite`);
        opened = incr;
      } else if (this.aofState === "wait_rewrite") {
        tempIncr = tempIncrFileName(files.filename);
        host.log("notice", `Creating AOF incr file ${tempIncr} on background rewrite`);
        const file = await Deno.open(files.path(tempIncr), {
          write: true,
          create: true,
          truncate: true,
        });
        opened = { file, size: 0 };
      }
      if (this.#closed) {
        opened?.file.close();
        throw new Error("cancelled");
      }
      host.log("notice", `Background append only file rewriting started by pid ${Deno.pid}`);
      if (opened !== null) {
        const previous = this.aof;
        if (previous !== null && !previous.flushAndSync()) {
          // The old file cannot take what is pending (a full disk): keep writing there.
          opened.file.close();
          throw new Error(`Can't flush the AOF before the rewrite: ${previous.writeError}`);
        }
        previous?.close();
        this.aof = this.#newAofWriter(opened.file, opened.size);
        // Clients' marks count on from the old file's (see AofWriter.end).
        if (previous !== null) {
          this.aof.written = previous.end;
          this.aof.encoder.lastTimestamp = previous.encoder.lastTimestamp;
        }
      }
      const image = this.#baseImage();
      job = {
        kind: "aof",
        snapshot: new Snapshot(host.databases, image.sink),
        startedAt,
        cancelled: false,
        done: Promise.resolve(false),
      };
      this.#job = job;
      this.#rewriteStarting = false;
      const done = this.#writeBase(temp, job.snapshot, image, job);
      job.done = done.then(() => true, () => false);
      await done;
      if (job.cancelled) throw new Error("cancelled");
      host.log(
        "notice",
        `Successfully created the temporary AOF base file ${temp.slice(this.dir.length + 1)}`,
      );
      host.log("notice", "Background AOF rewrite terminated with success");
      // Turning AOF on, the temp incr file becomes the first incr file of the new base.
      await files.commitBase(
        temp,
        this.#preamble,
        this.aofState !== "off",
        (message) => host.log("notice", message),
        tempIncr,
      );
      this.#aofOtherSize = await this.#sizeOf(files, true);
      this.aofBaseSize = this.aofCurrentSize;
      this.aofState = this.aofState === "off" ? "off" : "on";
      host.log("notice", "Background AOF rewrite finished successfully");
      this.lastRewriteOk = true;
      this.rewriteFailures = 0;
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      if (job === null || !job.cancelled) {
        host.log("warning", `Background AOF rewrite failed: ${strerror(error)}`);
        this.lastRewriteOk = false;
        this.rewriteFailures++;
        this.#lastRewriteFailure = Date.now();
      }
    } finally {
      this.#rewriteStarting = false;
      if (this.#job === job) this.#job = null;
      this.lastRewriteSeconds = Math.round((Date.now() - startedAt) / 1000);
    }
  }

  /** CONFIG SET appendonly yes: log from now on, into a fresh AOF written from the dataset. */
  enableAof(): void {
    if (this.aofState !== "off") return;
    this.aofState = "wait_rewrite";
    if (this.jobKind === "rdb") {
      // As Redis 7.0: the save finishes, and the rewrite follows it.
      this.#host.log(
        "notice",
        "AOF was enabled but there is already another background operation. An AOF " +
          "background was scheduled to start when possible.",
      );
      this.rewriteScheduled = true;
    } else if (!this.rewriteAof()) this.rewriteScheduled = true;
  }

  /** CONFIG SET appendonly no: stop logging (what was logged is synced first). */
  disableAof(): void {
    if (this.aofState === "off") return;
    if (this.#job?.kind === "aof") this.#job.cancelled = true;
    this.aof?.flushAndSync();
    this.aof?.close();
    this.aof = null;
    this.aofState = "off";
  }

  /**
   * The server stops (after `prepareForShutdown`, or without it when closed in-process): a
   * background job is stopped, and the AOF written, synced and closed. Resolves once the job's
   * files are closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const job = this.#job;
    if (job !== null) job.cancelled = true;
    if (this.aof !== null) {
      this.aof.flushAndSync();
      this.aof.close();
      this.aof = null;
    }
    this.aofState = "off";
    await job?.done;
    await this.#rewriteTask;
  }

  // ---- cron ----

  /**
   * serverCron's share: save points, a scheduled BGSAVE, the AOF's background fsync and the
   * retry of a failed write.
   */
  cron(): void {
    this.aof?.cron();
    if (this.#job !== null) return;
    const now = Math.floor(Date.now() / 1000);
    if (this.#rewriteStarting) return;
    if (this.bgsaveScheduled) {
      this.bgsaveScheduled = false;
      this.bgsave();
      return;
    }
    if (this.rewriteScheduled) {
      this.rewriteScheduled = false;
      this.rewriteAof();
      return;
    }
    // After failed rewrites, automatic ones (and the retry of turning AOF on) wait longer each
    // time: 1, 2, 4 ... seconds, at most an hour, as Redis 7.0 limits them.
    if (this.rewriteFailures > 0) {
      const wait = Math.min(3600, 2 ** (this.rewriteFailures - 1)) * 1000;
      if (Date.now() - this.#lastRewriteFailure < wait) return;
      if (this.aofState === "wait_rewrite") {
        this.rewriteAof();
        return;
      }
    }
    const aof = this.aof;
    const percent = Number(this.#host.config.get("auto-aof-rewrite-percentage") ?? 100);
    const minSize = Number(this.#host.config.get("auto-aof-rewrite-min-size") ?? 0);
    if (
      aof !== null && this.aofState === "on" && percent > 0 && this.aofCurrentSize > minSize
    ) {
      const base = this.aofBaseSize === 0 ? 1 : this.aofBaseSize;
      const growth = Math.floor((this.aofCurrentSize * 100) / base) - 100;
      if (growth >= percent) {
        this.#host.log(
          "notice",
          `Starting automatic rewriting of AOF on ${growth}% growth`,
        );
        this.rewriteAof();
        return;
      }
    }
    const dirty = this.#host.dirty;
    for (const [seconds, changes] of this.savePoints) {
      // As Redis: after a failed BGSAVE, wait a little before trying again.
      if (
        dirty >= changes && now - this.lastSave > seconds &&
        (this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_S)
      ) {
        this.#host.log("notice", `${changes} changes in ${seconds} seconds. Saving...`);
        this.bgsave();
        return;
      }
    }
  }

  /** INFO persistence's fields. */
  info(): [string, string | number][] {
    const job = this.#job;
    const rdbRunning = job?.kind === "rdb";
    const aofRunning = job?.kind === "aof";
    const now = Date.now();
    const fields: [string, string | number][] = [
      ["loading", this.loading !== null ? 1 : 0],
      ["async_loading", 0],
      ["current_cow_peak", 0],
      ["current_cow_size", 0],
      ["current_cow_size_age", 0],
      ["current_fork_perc", "0.00"],
      ["current_save_keys_processed", job?.snapshot.keys ?? 0],
      ["current_save_keys_total", job === null ? 0 : this.#totalKeys()],
      ["rdb_changes_since_last_save", this.#host.dirty],
      ["rdb_bgsave_in_progress", rdbRunning ? 1 : 0],
      ["rdb_last_save_time", this.lastSave],
      ["rdb_last_bgsave_status", this.lastBgsaveOk ? "ok" : "err"],
      ["rdb_last_bgsave_time_sec", this.lastBgsaveSeconds],
      ["rdb_current_bgsave_time_sec", rdbRunning ? Math.round((now - job.startedAt) / 1000) : -1],
      ["rdb_saves", this.saves],
      ["rdb_last_cow_size", 0],
      ["rdb_last_load_keys_expired", this.lastLoadExpired],
      ["rdb_last_load_keys_loaded", this.lastLoadKeys],
      ["aof_enabled", this.aofState !== "off" ? 1 : 0],
      ["aof_rewrite_in_progress", aofRunning || this.#rewriteStarting ? 1 : 0],
      ["aof_rewrite_scheduled", this.rewriteScheduled ? 1 : 0],
      ["aof_last_rewrite_time_sec", this.lastRewriteSeconds],
      ["aof_current_rewrite_time_sec", aofRunning ? Math.round((now - job.startedAt) / 1000) : -1],
      ["aof_last_bgrewrite_status", this.lastRewriteOk ? "ok" : "err"],
      ["aof_rewrites", this.rewrites],
      ["aof_rewrites_consecutive_failures", this.rewriteFailures],
      ["aof_last_write_status", this.aof?.writeError == null ? "ok" : "err"],
      ["aof_last_cow_size", 0],
      ["module_fork_in_progress", 0],
      ["module_fork_last_cow_size", 0],
    ];
    const aof = this.aof;
    if (this.aofState !== "off") {
      fields.push(
        ["aof_current_size", this.aofCurrentSize],
        ["aof_base_size", this.aofBaseSize],
        ["aof_pending_rewrite", this.rewriteScheduled ? 1 : 0],
        ["aof_buffer_length", aof?.pending ?? 0],
        ["aof_pending_bio_fsync", 0],
        ["aof_delayed_fsync", aof?.delayedFsync ?? 0],
      );
    }
    const loading = this.loading;
    if (loading !== null) {
      // As Redis's INFO while loading: progress, and the time left at the rate so far.
      const elapsed = (now - loading.startedAt) / 1000;
      const perc = loading.total === 0 ? 0 : (loading.loaded / loading.total) * 100;
      const rate = elapsed > 0 ? loading.loaded / elapsed : 0;
      const eta = rate > 0 ? Math.floor((loading.total - loading.loaded) / rate) : 1;
      fields.push(
        ["loading_start_time", Math.floor(loading.startedAt / 1000)],
        ["loading_total_bytes", loading.total],
        ["loading_rdb_used_mem", 0],
        ["loading_loaded_bytes", loading.loaded],
        ["loading_loaded_perc", perc.toFixed(2)],
        ["loading_eta_seconds", eta],
      );
    }
    return fields;
  }

  #totalKeys(): number {
    let n = 0;
    for (const db of this.#host.databases) n += db.size;
    return n;
  }
}
