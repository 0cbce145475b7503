/**
 * miniredis as a library: start a Redis-compatible server in-process (port 0 picks a free
 * port, which is what test suites want) and connect a client to it.
 *
 * @example
 * ```ts
 * import { connect, startServer } from "./mod.ts";
 * await using server = await startServer({ port: 0 });
 * await using client = await connect({ port: server.port });
 * await client.send("SET", "k", "v");
 * await client.get("k"); // "v"
 * ```
 * @module
 */
import { type ClientOptions, RedisClient } from "./client/client.ts";
import { Server, type ServerOptions } from "./server/server.ts";

export { Server, type ServerOptions } from "./server/server.ts";
export {
  type ClientOptions,
  type CommandArg,
  ConnectionError,
  RedisClient,
  ReplyError,
  type StructuredValue,
  toPlain,
} from "./client/client.ts";
export { type Clock, ManualClock, systemClock } from "./keyspace/clock.ts";
export type { RespValue } from "./resp/types.ts";

/**
 * Starts a server and resolves once it listens. Defaults suit embedding: port 0 (a free
 * port), warnings-only logging and no save points (`save ""`: an in-process server writes no
 * dump.rdb unless asked to), unless the options say otherwise.
 */
export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const config = { save: "", ...options.config };
  const server = new Server({ port: 0, loglevel: "warning", ...options, config });
  await server.start();
  return server;
}

/** Connects a client (default 127.0.0.1:6379). */
export function connect(options: ClientOptions = {}): Promise<RedisClient> {
  return RedisClient.connect(options);
}
