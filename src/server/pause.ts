/**
 * CLIENT PAUSE, as Redis's pauseClients keeps it: a pause has a type (WRITE: commands that write
 * or may replicate, and EXEC of a transaction holding one; ALL: every command) and an end. A
 * new pause while one is on keeps the later end and the stricter type, as Redis does. A client
 * whose command is paused waits on `ended`, then the command runs (and may wait again if
 * another pause began meanwhile).
 *
 * @example
 * ```ts
 * import { ClientPause } from "./pause.ts";
 * const pause = new ClientPause();
 * pause.pause("write", Date.now() + 50);
 * pause.type; // "write"
 * pause.unpause();
 * pause.type; // null
 * ```
 * @module
 */

/** What a pause holds back. */
export type PauseType = "write" | "all";

/** The server's client pause. */
export class ClientPause {
  /** The pause in force, or null. */
  type: PauseType | null = null;
  /** Epoch ms at which it ends. */
  end = 0;
  /** Clients holding a command back (counted in INFO's blocked_clients, as in Redis). */
  held = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended: Promise<void> | null = null;
  #resolve: () => void = () => {};

  /** Pauses (or extends the pause) until `end`, epoch ms. */
  pause(type: PauseType, end: number): void {
    if (this.type === null) {
      this.type = type;
      this.end = end;
    } else {
      if (type === "all") this.type = "all";
      this.end = Math.max(this.end, end);
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.unpause(), Math.max(0, this.end - Date.now()));
  }

  /** Ends the pause now; paused clients go on in the order they were held. */
  unpause(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.type = null;
    this.end = 0;
    const resolve = this.#resolve;
    this.#ended = null;
    resolve();
  }

  /** Settles when the current pause ends. */
  get ended(): Promise<void> {
    this.#ended ??= new Promise((resolve) => (this.#resolve = resolve));
    return this.#ended;
  }
}
