/**
 * Scenarios over several connections, run against our server and a real redis-server 7.0 with
 * the transcripts compared: blocking commands, transactions with WATCH, pub/sub. A scenario
 * names its connections, sends raw commands (perhaps without reading, for commands that
 * block), and records everything the named connections receive.
 *
 * @module
 */
import {
  assertEquals,
  encodeCommand,
  RawSession,
  sleep,
  startMiniredis,
  startRealRedis,
} from "./_util.ts";

/** The value of `field` in an INFO reply, or null. */
export function infoField(reply: string, field: string): string | null {
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(reply);
  return m === null ? null : m[1]!;
}

/**
 * One scenario run against one server: named connections opened on first use, a control
 * connection for waiting on the server's state, and the transcript of everything the named
 * connections received, which is what gets compared.
 */
export class Scenario implements AsyncDisposable {
  readonly transcript: string[] = [];
  readonly #sessions = new Map<string, RawSession>();
  readonly #sentAt = new Map<string, number>();
  #control: RawSession | null = null;

  constructor(readonly port: number) {}

  async #session(name: string): Promise<RawSession> {
    let session = this.#sessions.get(name);
    if (session === undefined) {
      session = await RawSession.open(this.port);
      this.#sessions.set(name, session);
    }
    return session;
  }

  /** Sends a command on `name` without reading its reply (it may block). */
  async send(name: string, ...args: string[]): Promise<void> {
    const session = await this.#session(name);
    this.#sentAt.set(name, performance.now());
    this.transcript.push(`${name} sent ${args.join(" ")}`);
    await session.write(encodeCommand(args));
  }

  /** Sends several commands on `name` in one write (a pipeline). */
  async pipeline(name: string, ...commands: string[][]): Promise<void> {
    const session = await this.#session(name);
    this.#sentAt.set(name, performance.now());
    this.transcript.push(`${name} sent ${commands.map((c) => c.join(" ")).join(" | ")}`);
    await session.write(commands.map(encodeCommand).join(""));
  }

  /** Reads `count` replies on `name` and records them. */
  async read(name: string, count = 1): Promise<string> {
    const reply = await (await this.#session(name)).read(count);
    this.transcript.push(`${name} got ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Sends a command on `name` and returns its reply, recording neither (it may differ). */
  async quiet(name: string, ...args: string[]): Promise<string> {
    return await (await this.#session(name)).command(...args);
  }

  /** Sends a command on `name`, reads its reply and records both. */
  async call(name: string, ...args: string[]): Promise<string> {
    await this.send(name, ...args);
    return await this.read(name);
  }

  /** Switches `name` to RESP3 (HELLO's reply has version fields that differ: not recorded). */
  async resp3(name: string): Promise<void> {
    await (await this.#session(name)).command("HELLO", "3");
    this.transcript.push(`${name} switched to RESP3`);
  }

  /** Reads one reply on `name` and records it with whether it came in [lo, hi] ms of sending. */
  async readTimed(name: string, lo: number, hi: number): Promise<void> {
    const reply = await (await this.#session(name)).read(1);
    const elapsed = performance.now() - this.#sentAt.get(name)!;
    const onTime = elapsed >= lo && elapsed <= hi;
    this.transcript.push(
      `${name} got ${JSON.stringify(reply)} ${onTime ? "on time" : `after ${elapsed} ms`}`,
    );
  }

  readonly #ids = new Map<string, string>();

  /** The client id of connection `name`, asked once (not recorded: ids differ). */
  async clientId(name: string): Promise<string> {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = (await (await this.#session(name)).command("CLIENT", "ID")).slice(1, -2);
      this.#ids.set(name, id);
    }
    return id;
  }

  /** Sends `CLIENT UNBLOCK <id of target> ...reason` on `name`, recording the id by name. */
  async unblock(name: string, target: string, ...reason: string[]): Promise<void> {
    const id = await this.clientId(target);
    const session = await this.#session(name);
    const reply = await session.command("CLIENT", "UNBLOCK", id, ...reason);
    this.transcript.push(`${name} CLIENT UNBLOCK <${target}> ${reason.join(" ")}: ${reply}`);
  }

  /** Closes connection `name`. */
  close(name: string): void {
    this.#sessions.get(name)?.close();
    this.#sessions.delete(name);
    this.transcript.push(`${name} closed`);
  }

  /** INFO clients' blocked_clients, read on the control connection. */
  async blockedClients(): Promise<number> {
    this.#control ??= await RawSession.open(this.port);
    return Number(infoField(await this.#control.command("INFO", "clients"), "blocked_clients"));
  }

  /** Waits (at most 2 s) until exactly `n` clients are blocked, and records it. */
  async blocked(n: number): Promise<void> {
    const deadline = Date.now() + 2000;
    let count = await this.blockedClients();
    while (count !== n) {
      if (Date.now() > deadline) throw new Error(`blocked_clients stays ${count}, not ${n}`);
      await sleep(2);
      count = await this.blockedClients();
    }
    this.transcript.push(`blocked_clients ${count}`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    for (const session of this.#sessions.values()) session.close();
    this.#control?.close();
    return Promise.resolve();
  }
}

/** Runs `steps` against our server and a real redis-server and compares the transcripts. */
export async function assertSameScenario(steps: (s: Scenario) => Promise<void>): Promise<void> {
  await using ours = await startMiniredis();
  await using real = await startRealRedis();
  await using mine = new Scenario(ours.port);
  await using theirs = new Scenario(real.port);
  const results = await Promise.allSettled([steps(mine), steps(theirs)]);
  for (const [i, result] of results.entries()) {
    if (result.status === "fulfilled") continue;
    const [name, scenario] = i === 0 ? ["our server", mine] : ["redis-server", theirs];
    throw new Error(
      `The scenario failed on ${name}: ${result.reason}\nits transcript:\n` +
        scenario.transcript.join("\n"),
    );
  }
  const n = Math.max(mine.transcript.length, theirs.transcript.length);
  for (let i = 0; i < n; i++) {
    assertEquals(mine.transcript[i], theirs.transcript[i], `transcript line ${i} differs`);
  }
}
