/**
 * MONITOR, as Redis's replicationFeedMonitors shows commands: after each command runs (failed
 * ones included, refused ones not), every monitoring client gets one status line,
 * `+<seconds>.<microseconds> [<db> <addr>] "arg" "arg" ...`, with arguments quoted and escaped
 * as sdscatrepr does, passwords of AUTH and HELLO ... AUTH redacted, and admin commands (CONFIG,
 * CLIENT LIST, ...) left out. EXEC is shown after the commands of its transaction.
 *
 * @module
 */
import { quoteRepr } from "../resp/repr.ts";
import type { ClientContext } from "./context.ts";
import { CommandError, type CommandSpec, groupSpec } from "./spec.ts";

/** The arguments MONITOR shows: secrets of AUTH and HELLO ... AUTH replaced. */
function redacted(argv: readonly string[]): readonly string[] {
  const name = argv[0]!.toLowerCase();
  if (name === "auth") return argv.map((a, i) => i === 0 ? a : "(redacted)");
  if (name === "hello") {
    const shown = [...argv];
    for (let i = 2; i < shown.length; i++) {
      const opt = shown[i]!.toLowerCase();
      if (opt === "auth" && i + 2 < shown.length) {
        shown[i + 1] = shown[i + 2] = "(redacted)";
        i += 2;
      } else if (opt === "setname") i++;
    }
    return shown;
  }
  return argv;
}

/** Sends `argv`, just run by `client`, to every monitoring client. */
export function feedMonitors(client: ClientContext, argv: readonly string[]): void {
  // Wall-clock microseconds, as gettimeofday gives Redis.
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const seconds = Math.floor(now / 1e6);
  const micros = String(now % 1e6).padStart(6, "0");
  const line = `+${seconds}.${micros} [${client.db.index} ${client.addr}] ` +
    redacted(argv).map(quoteRepr).join(" ") + "\r\n";
  for (const monitor of client.server.monitors) {
    if (monitor.closeAfterReply) continue; // after its QUIT, nothing more
    monitor.out.raw(line);
    monitor.wake();
  }
}

/** MONITOR: this connection gets every command from now on (until RESET or QUIT). */
function monitor(ctx: ClientContext): void {
  if (ctx.inExec) throw new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (ctx.server.monitors.has(ctx)) return; // already monitoring: no reply, as in Redis
  ctx.server.monitors.add(ctx);
  ctx.out.ok();
}

const spec = groupSpec("server");

/** MONITOR. */
export const monitorCommands: CommandSpec[] = [
  spec("monitor", 1, ["admin", "noscript", "loading", "stale"], null, monitor),
];
