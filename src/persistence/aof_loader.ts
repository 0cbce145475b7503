/**
 * Replays an append-only file at start-up: the bytes go through the same `RequestDecoder` that
 * reads clients, and each command through the same dispatch, run by a client of its own (Redis's
 * fake AOF client), as Redis's loadSingleAppendOnlyFile does. What can go wrong at the end of
 * a file is what a crash leaves: a record cut short, or a MULTI whose EXEC never came. Both are
 * dropped, and the file cut back to its last whole record, when aof-load-truncated allows it
 * (and it is the last file); damage before the end stops the load with the offset of the bad
 * record, found by `scanAof`.
 *
 * @module
 */
import {
  type DecoderLimits,
  defaultDecoderLimits,
  type Request,
  RequestDecoder,
} from "../resp/decoder.ts";
import { scanAof } from "./aof_scan.ts";

/** What replaying needs of the server: a client to run commands as. */
export interface ReplayClient {
  /** Runs one command; returns an error text for a command that does not exist, else null. */
  run(request: Request): string | null;
  /** Whether the client is inside MULTI (a transaction still open). */
  readonly inMulti: boolean;
  /** Drops the open transaction (an incomplete one at the end of the file). */
  discardMulti(): void;
}

/** Why a load failed; the server stops with `message` (already in Redis's words). */
export class AofLoadError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "AofLoadError";
  }
}

/** The outcome of a replay. */
export interface ReplayResult {
  /** Commands run. */
  commands: number;
  /** Where the last whole record ends (the file's length when it is whole). */
  validUpTo: number;
  /** Whether the end was dropped (cut short, or an open MULTI). */
  truncated: boolean;
  /** Whether a MULTI without its EXEC was dropped at the end. */
  revertedMulti: boolean;
}

/** Bytes handed to the decoder at a time. */
const CHUNK = 1024 * 1024;

/**
 * Replays `bytes` from `start` (after an RDB preamble) through `client`. `name` names the file
 * in messages; `onProgress(offset, commands)` is called between chunks.
 */
export function replayAof(
  bytes: Uint8Array,
  start: number,
  client: ReplayClient,
  name: string,
  onProgress: (offset: number, commands: number) => void = () => {},
): ReplayResult {
  const steps = replayAofSteps(bytes, start, client, name);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress(step.value.offset, step.value.commands);
  }
}

/**
 * `replayAof` a chunk at a time: yields after each chunk how far it got, so that a caller
 * loading a large file can let other work run in between (clients get LOADING meanwhile).
 */
export function* replayAofSteps(
  bytes: Uint8Array,
  start: number,
  client: ReplayClient,
  name: string,
): Generator<{ offset: number; commands: number }, ReplayResult, void> {
  // AOF records can be as large as any request a client may send.
  const limits: DecoderLimits = defaultDecoderLimits();
  limits.maxBulkLength = Number.MAX_SAFE_INTEGER;
  const decoder = new RequestDecoder(limits, { aof: true });
  let commands = 0;
  for (let offset = start; offset < bytes.length; offset += CHUNK) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK));
    for (let batch = decoder.decode(chunk);; batch = decoder.resume()) {
      for (const request of batch.requests) {
        const error = client.run(request);
        if (error !== null) {
          throw new AofLoadError(`${error} reading the append only file ${name}`, offset);
        }
        commands++;
      }
      if (batch.protocolError !== null) {
        const scan = scanAof(bytes, start);
        const at = scan.errorOffset >= 0 ? scan.errorOffset : offset;
        throw new AofLoadError(
          `Bad file format reading the append only file ${name} at offset ${at}: make a ` +
            `backup of your AOF file, then use ./miniredis check-aof --fix <filename.manifest>`,
          at,
        );
      }
      if (batch.deferred !== true) break;
    }
    yield { offset: Math.min(bytes.length, offset + CHUNK), commands };
  }
  if (decoder.bufferedBytes === 0 && !client.inMulti) {
    return { commands, validUpTo: bytes.length, truncated: false, revertedMulti: false };
  }
  // A record cut short, or a MULTI whose EXEC never came (Redis: "Revert incomplete
  // MULTI/EXEC transaction in AOF file"): the scanner finds the end of what stays.
  // Redis reverts (and says so) only a MULTI left open by a file that ends between records.
  const revertedMulti = client.inMulti && decoder.bufferedBytes === 0;
  if (client.inMulti) client.discardMulti();
  const validUpTo = scanAof(bytes, start).validUpTo;
  return { commands, validUpTo, truncated: true, revertedMulti };
}
