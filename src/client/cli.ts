/**
 * The command-line client, like redis-cli:
 * `miniredis [-h host] [-p port] [-n db] [-a password] [-3] [--raw|--no-raw] CMD ARGS...`
 * sends one command and prints its reply (raw when stdout is not a terminal, redis-cli's
 * formatting on a terminal or with --no-raw). Without a command (or with `cli`) it opens an
 * interactive prompt `127.0.0.1:6379>` with history; with stdin not a terminal it runs one
 * command per input line.
 *
 * @module
 */
import { splitArgs } from "../resp/split_args.ts";
import { latin1Encode, utf8ToLatin1 } from "../resp/latin1.ts";
import type { RespValue } from "../resp/types.ts";
import { parseArgs } from "../std/parse_args.ts";
import { textLines } from "../std/text_line_stream.ts";
import { ConnectionError, RedisClient, ReplyError } from "./client.ts";
import { formatRaw, formatTty } from "./format.ts";
import { LineEditor } from "./line_editor.ts";

/** Where the CLI writes; replaceable for tests. */
export interface CliIo {
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
  stdoutIsTerminal: boolean;
  stdinIsTerminal: boolean;
}

const defaultIo: CliIo = {
  stdout: (bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
  },
  stderr: (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  stdoutIsTerminal: Deno.stdout.isTerminal(),
  stdinIsTerminal: Deno.stdin.isTerminal(),
};

export const CLI_USAGE = `Usage: miniredis [OPTIONS] [cmd [arg [arg ...]]]
       miniredis serve [--port 6379] [--bind 127.0.0.1] [--tutorial] [--<config> <value> ...]
       miniredis check-aof [--fix|--truncate-to-timestamp <unix time>] <file.manifest|file.aof>

  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -a <password>      Password to use when connecting to the server.
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  -n <db>            Database number.
  -3                 Start session in RESP3 protocol mode.
  --raw              Use raw formatting for replies (default when STDOUT is not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --help             Output this help and exit.
  --version          Output version and exit.

Examples:
  miniredis serve --port 7000
  miniredis -p 7000 set greeting hello
  miniredis -p 7000 --no-raw get greeting
  miniredis cli
  miniredis check-aof --fix appendonlydir/appendonly.aof.manifest
`;

interface CliOptions {
  hostname: string;
  port: number;
  db: number;
  password: string | undefined;
  user: string | undefined;
  resp3: boolean;
  raw: boolean;
}

/** Runs the CLI with `args` (the program's arguments); returns the exit status. */
export async function runCli(args: string[], io: CliIo = defaultIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["h", "p", "a", "n", "user", "_"],
    boolean: ["3", "raw", "no-raw", "help", "version"],
    stopEarly: true,
  });
  if (parsed.help) {
    io.stdout(new TextEncoder().encode(CLI_USAGE));
    return 0;
  }
  const port = Number(parsed.p ?? "6379");
  const db = Number(parsed.n ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`Invalid port: ${parsed.p}\n`);
    return 1;
  }
  if (!Number.isInteger(db) || db < 0) {
    io.stderr(`Invalid database number: ${parsed.n}\n`);
    return 1;
  }
  const options: CliOptions = {
    hostname: String(parsed.h ?? "127.0.0.1"),
    port,
    db,
    password: parsed.a === undefined ? undefined : String(parsed.a),
    user: parsed.user === undefined ? undefined : String(parsed.user),
    resp3: parsed["3"] === true,
    raw: parsed.raw === true || (!io.stdoutIsTerminal && parsed["no-raw"] !== true),
  };
  const command = parsed._.map(String);
  if (command.length === 0 || (command.length === 1 && command[0] === "cli")) {
    return await interactive(options, io);
  }
  return await oneShot(options, command.map(utf8ToLatin1), io);
}

async function open(options: CliOptions, io: CliIo, quiet = false): Promise<RedisClient | null> {
  try {
    return await RedisClient.connect({
      hostname: options.hostname,
      port: options.port,
      db: options.db,
      protocol: options.resp3 ? 3 : 2,
      encoding: "latin1",
      reconnectAttempts: 0,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.user === undefined ? {} : { username: options.user }),
    });
  } catch (error) {
    if (!quiet) io.stderr(connectionMessage(options, error) + "\n");
    return null;
  }
}

function connectionMessage(options: CliOptions, error: unknown): string {
  if (error instanceof ReplyError) return `AUTH failed: ${error.message}`;
  const cause = error instanceof ConnectionError ? error.cause : error;
  const reason = cause instanceof Deno.errors.ConnectionRefused
    ? "Connection refused"
    : cause instanceof Error
    ? cause.message
    : String(cause);
  return `Could not connect to Redis at ${options.hostname}:${options.port}: ${reason}`;
}

function render(reply: RespValue, raw: boolean): string {
  return raw ? formatRaw(reply) + "\n" : formatTty(reply);
}

async function oneShot(options: CliOptions, command: string[], io: CliIo): Promise<number> {
  const client = await open(options, io);
  if (client === null) return 1;
  try {
    const reply = await client.sendRaw(...command);
    io.stdout(latin1Encode(render(reply, options.raw)));
    return 0;
  } catch (error) {
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

function prompt(options: CliOptions, db: number, connected: boolean): string {
  if (!connected) return "not connected> ";
  return `${options.hostname}:${options.port}${db === 0 ? "" : `[${db}]`}> `;
}

async function interactive(options: CliOptions, io: CliIo): Promise<number> {
  // Like redis-cli, piped input reports a failed connection, then retries for each command.
  let client = await open(options, io, io.stdinIsTerminal);
  let db = options.db;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  const editor = io.stdinIsTerminal
    ? new LineEditor(home === undefined ? null : `${home}/.miniredis_history`)
    : null;
  const lines = editor === null
    ? Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(textLines())
      .getReader()
    : null;
  for (;;) {
    let line: string | null;
    if (editor !== null) line = await editor.read(prompt(options, db, client !== null));
    else {
      const next = await lines!.read();
      line = next.done ? null : next.value;
    }
    if (line === null) break;
    const words = splitArgs(line);
    if (words === null) {
      io.stdout(new TextEncoder().encode("Invalid argument(s)\n"));
      continue;
    }
    if (words.length === 0) continue;
    editor?.remember(line);
    const name = words[0]!.toLowerCase();
    if (name === "quit" || name === "exit") break;
    if (name === "clear") {
      io.stdout(new TextEncoder().encode("\x1b[H\x1b[2J"));
      continue;
    }
    if (client === null) {
      client = await open({ ...options, db }, io);
      if (client === null) continue;
    }
    try {
      const reply = await client.sendRaw(...words.map(utf8ToLatin1));
      if (name === "select" && formatRaw(reply) === "OK") db = Number(words[1]);
      const raw = editor === null ? options.raw : false;
      io.stdout(latin1Encode(render(reply, raw)));
    } catch (error) {
      if (error instanceof ConnectionError) {
        client.close();
        client = null;
        io.stderr(connectionMessage(options, error.cause ?? error) + "\n");
      } else throw error;
    }
  }
  client?.close();
  return 0;
}
