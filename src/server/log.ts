/**
 * Logging in redis-server's format: `pid:M 21 Nov 2026 08:12:53.123 * message`, where the
 * mark after the time is the level (`.` debug, `-` verbose, `*` notice, `#` warning). Lines go
 * to a sink (stderr by default, or a function an embedding test supplies).
 *
 * @example
 * ```ts
 * import { Logger } from "./log.ts";
 * const log = new Logger("notice");
 * log.log("notice", "Ready to accept connections tcp");
 * ```
 * @module
 */

/** Redis's log levels, quietest last. */
export type LogLevel = "debug" | "verbose" | "notice" | "warning";

const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: ".", verbose: "-", notice: "*", warning: "#" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Where formatted lines go. */
export type LogSink = (line: string) => void;

const encoder = new TextEncoder();

/** Writes a line to stderr. */
export const stderrSink: LogSink = (line) => {
  try {
    Deno.stderr.writeSync(encoder.encode(line + "\n"));
  } catch {
    // stderr closed: logging must never take the server down.
  }
};

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A level-filtered logger. */
export class Logger {
  level: LogLevel;
  readonly #sink: LogSink;

  constructor(level: LogLevel = "notice", sink: LogSink = stderrSink) {
    this.level = level;
    this.#sink = sink;
  }

  /** Whether a message at `level` would be written. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  /** Writes `message` if `level` is at or above the configured level. */
  log(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const d = new Date();
    const ms = String(d.getMilliseconds()).padStart(3, "0");
    const stamp = `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
      `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`;
    this.#sink(`${Deno.pid}:M ${stamp} ${MARK[level]} ${message}`);
  }
}
