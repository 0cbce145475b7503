/**
 * `Client`: the state of one connection (selected database, protocol version, name, reply
 * buffer, flags). It implements the `ClientContext` that commands see; the socket itself stays
 * in server.ts, so a command never touches it.
 *
 * @module
 */
import type { ClientContext, ServerContext } from "../commands/context.ts";
import { Waiter } from "../keyspace/blocking.ts";
import type { Database } from "../keyspace/database.ts";
import { replyError } from "./dispatch.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import type { RespValue } from "../resp/types.ts";

/** Closes the underlying connection; supplied by the server loop. */
export type CloseHandle = () => void;

/** One connected client. */
export class Client implements ClientContext {
  readonly out: ReplyWriter = new ReplyWriter();
  typed: (RespValue | undefined)[] | null = null;
  db: Database;
  name = "";
  libName = "";
  libVersion = "";
  authenticated: boolean;
  closeAfterReply = false;
  lastCommand = "NULL";
  /** Epoch ms of connection and of the last command. */
  readonly createdAt: number;
  lastInteraction: number;
  /** Bytes held by the decoder for an unfinished request (CLIENT LIST qbuf). */
  queryBufferBytes = 0;
  killed = false;
  /** While blocked (BLPOP...): settles once the client is served, timed out or let go. */
  blocked: Promise<void> | null = null;
  /** Called when the client blocks (the server's read loop stops waiting on the decoder). */
  onBlocked: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly server: ServerContext,
    readonly addr: string,
    readonly laddr: string,
    readonly fd: number,
    private readonly closeHandle: CloseHandle,
  ) {
    this.db = server.databases[0]!;
    this.createdAt = server.clock.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = (server.config.get("requirepass") ?? "") === "";
  }

  select(index: number): void {
    this.db = this.server.databases[index]!;
  }

  describe(): string {
    const now = this.server.clock.now();
    const fields: [string, string | number][] = [
      ["id", this.id],
      ["addr", this.addr],
      ["laddr", this.laddr],
      ["fd", this.fd],
      ["name", this.name],
      ["age", Math.floor((now - this.createdAt) / 1000)],
      ["idle", Math.floor((now - this.lastInteraction) / 1000)],
      ["flags", this.blocked !== null ? "b" : "N"],
      ["db", this.db.index],
      ["sub", 0],
      ["psub", 0],
      ["ssub", 0],
      ["multi", -1],
      ["qbuf", this.queryBufferBytes],
      ["qbuf-free", 0],
      ["argv-mem", 0],
      ["multi-mem", 0],
      ["rbs", 16384],
      ["rbp", 0],
      ["obl", 0],
      ["oll", 0],
      ["omem", 0],
      ["tot-mem", 0],
      ["events", "r"],
      ["cmd", this.lastCommand],
      ["user", "default"],
      ["redir", -1],
      ["resp", this.out.version],
      ["lib-name", this.libName],
      ["lib-ver", this.libVersion],
    ];
    return fields.map(([k, v]) => `${k}=${v}`).join(" ");
  }

  kill(): void {
    this.killed = true;
    this.server.blocking.remove(this.id);
    this.closeHandle();
  }

  get canBlock(): boolean {
    return true;
  }

  block(
    keys: readonly string[],
    deadline: number,
    serve: (key: string) => boolean,
    timeout: () => void,
  ): void {
    let settle = () => {};
    this.blocked = new Promise((resolve) => (settle = resolve));
    this.server.blocking.block(
      new Waiter(this.id, this.db, keys, deadline, {
        serve,
        timeout,
        error: (text) => replyError(this, text),
        unblocked: () => {
          this.blocked = null;
          settle();
        },
      }),
    );
    this.onBlocked?.();
  }
}
