/**
 * The append-only file's writing end: what Redis's feedAppendOnlyFile and flushAppendOnlyFile
 * do. Logged operations are encoded as RESP (`*N` of `$len` bulk strings; an argument that
 * arrived typed keeps its RESP3 type) into a buffer, with a SELECT whenever the database
 * changes, and the buffer is written to the open incr file before any reply goes out
 * (`flush`), so that an acknowledged write is at least in the operating system's hands.
 *
 * The fsync policy then decides when it reaches the disk: `always` syncs in `flush` itself,
 * before the replies; `everysec` syncs in the background once a second (`cron`), so a crash of
 * the machine loses at most about a second of writes; `no` leaves it to the OS.
 *
 * A write that fails (a full disk) keeps every byte in the buffer, cuts the file back to its
 * last whole record (a partial write must not leave half a record), and reports the error:
 * the server refuses writes with MISCONF and holds the replies of the writes already made
 * until `cron` manages to write them (`writable` resolves then). Nothing acknowledged is lost,
 * and the server does not stop, where Redis with `always` would exit.
 *
 * @example
 * ```ts
 * import { AofWriter } from "./aof_writer.ts";
 * const file = await Deno.open(await Deno.makeTempFile(), { write: true, append: true });
 * const aof = new AofWriter(file, 0, "everysec", () => {});
 * aof.append(0, ["SET", "k", "v"]);
 * aof.flush(); // writes "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n..."
 * aof.close();
 * ```
 * @module
 */
import { ReplyWriter } from "../resp/reply_writer.ts";
import { strerror } from "./aof_manifest.ts";
import type { RespValue } from "../resp/types.ts";

/** appendfsync. */
export type FsyncPolicy = "always" | "everysec" | "no";

/** One logged operation. */
export interface LoggedOp {
  readonly db: number;
  readonly argv: readonly string[];
  readonly typed?: readonly (RespValue | undefined)[] | null;
}

/** Encodes operations as the AOF records them, tracking the selected database. */
export class AofEncoder {
  readonly out: ReplyWriter = new ReplyWriter();
  /** The database the records written so far leave selected; -1 before any. */
  selectedDb = -1;
  /**
   * aof-timestamp-enabled: a `#TS:<unix seconds>` line before the first record of each new
   * second, which check-aof --truncate-to-timestamp cuts at.
   */
  timestamps = false;
  /** The second of the last `#TS` line (carried over to the next incr file, as Redis does). */
  lastTimestamp = 0;

  constructor() {
    this.out.version = 3;
  }

  /** Appends one operation, after a SELECT if it runs in another database. */
  append(op: LoggedOp): void {
    const out = this.out;
    if (this.timestamps) {
      const now = Math.floor(Date.now() / 1000);
      if (now > this.lastTimestamp) {
        out.raw(`#TS:${now}\r\n`);
        this.lastTimestamp = now;
      }
    }
    if (op.db !== this.selectedDb) {
      out.arrayLength(2);
      out.bulk("SELECT");
      out.bulk(String(op.db));
      this.selectedDb = op.db;
    }
    const { argv, typed } = op;
    out.arrayLength(argv.length);
    for (let i = 0; i < argv.length; i++) {
      const value = typed?.[i];
      if (value === undefined) out.bulk(argv[i]!);
      else out.value(value);
    }
  }

  /** Appends operations as one unit: wrapped in MULTI/EXEC when there is more than one. */
  appendUnit(ops: readonly LoggedOp[]): void {
    if (ops.length === 1) return this.append(ops[0]!);
    // As Redis's propagatePendingCommands: MULTI goes in the first operation's database.
    this.append({ db: ops[0]!.db, argv: ["MULTI"] });
    for (const op of ops) this.append(op);
    this.append({ db: this.selectedDb, argv: ["EXEC"] });
  }
}

/** How long a failed write waits before being tried again, and errors are logged again. */
const RETRY_MS = 1000;
const LOG_ERROR_EVERY_MS = 30_000;

/** The writer of one open incr file (see the module doc). */
export class AofWriter {
  readonly encoder: AofEncoder = new AofEncoder();
  /** appendfsync. */
  policy: FsyncPolicy;
  /** Bytes in the file (INFO aof_current_size; auto rewrite compares it). */
  size: number;
  /** The last write's error message, or null while writes succeed (aof_last_write_status). */
  writeError: string | null = null;
  /** Bytes written but not yet synced, and the epoch ms of the last sync started. */
  #unsynced = 0;
  #lastSync = Date.now();
  #syncing: Promise<void> | null = null;
  /** Bytes taken from the encoder that could not be written yet. */
  #held: Uint8Array | null = null;
  #file: Deno.FsFile;
  #lastTry = 0;
  #lastErrorLog = 0;
  #waiters: (() => void)[] = [];
  #log: (level: "notice" | "warning", message: string) => void;
  /** Delayed fsyncs (INFO aof_delayed_fsync): none, as the sync runs off the main thread. */
  delayedFsync = 0;

  constructor(
    file: Deno.FsFile,
    size: number,
    policy: FsyncPolicy,
    log: (level: "notice" | "warning", message: string) => void,
  ) {
    this.#file = file;
    this.size = size;
    this.policy = policy;
    this.#log = log;
  }

  /** Bytes written to the file since it was opened. */
  written = 0;

  /**
   * Where the operations logged so far end, counted from the file's opening (`written` plus
   * what is pending): a client that wrote up to here waits until `written` reaches it.
   */
  get end(): number {
    return this.written + this.pending;
  }

  /** Bytes buffered and not yet in the file. */
  get pending(): number {
    return this.encoder.out.length + (this.#held?.length ?? 0);
  }

  /** Appends one operation to the buffer. */
  append(db: number, argv: readonly string[], typed?: LoggedOp["typed"]): void {
    this.encoder.append({ db, argv, typed: typed ?? null });
  }

  /**
   * Writes the buffer to the file (and syncs it under `always`); true when everything is in
   * the file. Called before replies are written, so it must be cheap when there is nothing.
   * After a failure it tries again only once RETRY_MS have passed (`cron` does), unless `force`.
   */
  flush(force = false): boolean {
    if (this.encoder.out.length === 0 && this.#held === null) return true;
    if (this.writeError !== null && !force && Date.now() - this.#lastTry < RETRY_MS) return false;
    this.#lastTry = Date.now();
    let bytes = this.#held;
    if (bytes === null) bytes = this.encoder.out.take();
    else if (this.encoder.out.length > 0) {
      const more = this.encoder.out.take();
      const joined = new Uint8Array(bytes.length + more.length);
      joined.set(bytes);
      joined.set(more, bytes.length);
      bytes = joined;
    }
    let written = 0;
    try {
      while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
      if (this.policy === "always") this.#file.syncDataSync();
    } catch (error) {
      this.#failed(bytes, written, error);
      return false;
    }
    this.#held = null;
    this.size += bytes.length;
    this.written += bytes.length;
    if (this.policy !== "always") this.#unsynced += bytes.length;
    if (this.writeError !== null) {
      this.writeError = null;
      this.#log("warning", "AOF write error looks solved, Redis can write again.");
    }
    this.#wakeWaiters();
    return true;
  }

  /**
   * A write failed after `written` bytes: the file is cut back to its last whole record when
   * it can be, and every byte stays held for the next try.
   */
  #failed(bytes: Uint8Array, written: number, error: unknown): void {
    const message = error instanceof Error ? strerror(error) : String(error);
    if (written > 0) {
      try {
        this.#file.truncateSync(this.size);
      } catch {
        // Redis cannot undo it either; keep the part written as written.
        this.size += written;
        this.written += written;
        bytes = bytes.subarray(written);
      }
    }
    this.#held = bytes.slice();
    const now = Date.now();
    if (this.writeError === null || now - this.#lastErrorLog > LOG_ERROR_EVERY_MS) {
      this.#lastErrorLog = now;
      this.#log("warning", `Error writing to the AOF file: ${message}`);
    }
    this.writeError = message;
  }

  /** Resolves once everything buffered is in the file (at once when it is). */
  writable(): Promise<void> {
    if (this.pending === 0 && this.writeError === null) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wakeWaiters(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Called often (serverCron): retries a failed write, and under `everysec` starts a sync in
   * the background once a second when something was written since the last one.
   */
  cron(): void {
    if (this.#held !== null || this.writeError !== null) this.flush();
    if (this.policy !== "everysec" || this.#unsynced === 0 || this.#syncing !== null) return;
    const now = Date.now();
    if (now - this.#lastSync < 1000) return;
    this.#lastSync = now;
    this.#unsynced = 0;
    this.#syncing = this.#file.syncData().catch((error) => {
      this.#log("warning", `Error syncing the AOF file: ${strerror(error)}`);
      this.#unsynced = 1; // try again
    }).finally(() => (this.#syncing = null));
  }

  /** Writes and syncs what is buffered, synchronously (rewrite switch, shutdown). */
  flushAndSync(): boolean {
    if (!this.flush(true)) return false;
    try {
      this.#file.syncDataSync();
      this.#unsynced = 0;
      return true;
    } catch (error) {
      this.#log("warning", `Error syncing the AOF file: ${strerror(error)}`);
      return false;
    }
  }

  /** Closes the file; what is still buffered is lost unless `flushAndSync` ran first. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
    this.#wakeWaiters();
  }
}
