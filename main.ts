/**
 * The miniredis executable: `miniredis serve [options]` runs the server, `miniredis check-aof
 * [--fix|--truncate-to-timestamp <unix time>] <file.manifest|file.aof>` checks and repairs an
 * append-only file as redis-check-aof does, `--version` prints the version, and anything else
 * is the redis-cli-like client (src/client/cli.ts parses its own options). This file only
 * parses arguments and hands off.
 *
 * @module
 */
import { runCli } from "./src/client/cli.ts";
import { checkAof } from "./src/persistence/check_aof.ts";
import { MINIREDIS_VERSION, REDIS_VERSION } from "./src/version.ts";
import { CONFIG_ALIASES, CONFIG_PARAMS } from "./src/server/config_table.ts";
import { Server, type ServerOptions } from "./src/server/server.ts";
import { parseArgs } from "./src/std/parse_args.ts";

const SERVE_USAGE = `Usage: miniredis serve [--port 6379] [--bind 127.0.0.1] [--databases 16]
                       [--loglevel debug|verbose|notice|warning] [--tutorial]
                       [--<redis.conf parameter> <value> ...]

  --tutorial   Speak the tutorial's dialect: SET answers :1, MSET the number of pairs,
               and the default port is 31337.
`;

/** Parses `serve` options into server options; throws a RangeError with a clear message. */
export function parseServeArgs(args: string[]): ServerOptions {
  const names = [...CONFIG_PARAMS.map((p) => p.name), ...CONFIG_ALIASES.map(([a]) => a)];
  const unknown: string[] = [];
  // An empty value (`--save ""`, as redis-server takes it) would otherwise read as a stray
  // argument: pass it as `--save=`.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--") && !a.includes("=") && args[i + 1] === "") {
      joined.push(`${a}=`);
      i++;
    } else joined.push(a);
  }
  const parsed = parseArgs(joined, {
    string: names,
    boolean: ["tutorial", "help"],
    unknown: (arg) => {
      unknown.push(arg);
      return false;
    },
  });
  if (unknown.length > 0) {
    throw new RangeError(
      `Bad directive or wrong number of arguments: '${unknown[0]}'. ` +
        `Options are redis.conf parameters spelled --name value.`,
    );
  }
  const config: Record<string, string> = {};
  for (const name of names) {
    const value = parsed[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) throw new RangeError(`Option --${name} given more than once`);
    config[name] = String(value);
  }
  const options: ServerOptions = { tutorial: parsed.tutorial === true, config };
  if (config.port !== undefined) {
    const port = Number(config.port);
    if (!/^\d+$/.test(config.port) || port > 65535) {
      throw new RangeError(`Invalid port '${config.port}': must be 0..65535`);
    }
    options.port = port;
    delete config.port;
  }
  return options;
}

async function serve(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    console.log(SERVE_USAGE);
    return 0;
  }
  let server: Server;
  try {
    server = new Server(parseServeArgs(args));
    await server.start();
  } catch (error) {
    console.error(`miniredis: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const stop = (signal: string) => () => server.shutdownOnSignal(signal);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, stop(signal));
    } catch {
      // SIGTERM is not available on Windows.
    }
  }
  await server.finished;
  return 0;
}

if (import.meta.main) {
  const args = Deno.args;
  let status: number;
  if (args[0] === "serve") status = await serve(args.slice(1));
  else if (args[0] === "check-aof") status = await checkAof(args.slice(1));
  else if (args[0] === "--version" || args[0] === "-v") {
    console.log(`miniredis ${MINIREDIS_VERSION} (Redis API ${REDIS_VERSION})`);
    status = 0;
  } else status = await runCli([...args]);
  Deno.exit(status);
}
