/**
 * A small line editor for the interactive prompt when stdin is a terminal: left/right,
 * home/end, backspace/delete, up/down through history, Ctrl-A/E/U/K/L, Ctrl-C and Ctrl-D, as
 * redis-cli's linenoise offers. History is kept in a file between sessions.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads lines with editing and history. */
export class LineEditor {
  readonly #history: string[];
  readonly #historyFile: string | null;
  readonly #maxHistory = 100;
  /** Input read past the end of the last line (typed ahead or pasted), used by the next read. */
  #pending = "";

  constructor(historyFile: string | null) {
    this.#historyFile = historyFile;
    this.#history = [];
    if (historyFile !== null) {
      try {
        this.#history = Deno.readTextFileSync(historyFile).split("\n").filter((l) => l !== "");
      } catch {
        // no history yet
      }
    }
  }

  /** Adds a line to the history and saves it. */
  remember(line: string): void {
    if (line.trim() === "" || this.#history.at(-1) === line) return;
    this.#history.push(line);
    if (this.#history.length > this.#maxHistory) this.#history.shift();
    if (this.#historyFile !== null) {
      try {
        Deno.writeTextFileSync(this.#historyFile, this.#history.join("\n") + "\n");
      } catch {
        // history is a convenience
      }
    }
  }

  /** Shows `prompt` and returns the line typed, or null on Ctrl-C / Ctrl-D on an empty line. */
  async read(prompt: string): Promise<string | null> {
    const write = (s: string) => Deno.stdout.writeSync(encoder.encode(s));
    let line = "";
    let cursor = 0;
    let historyIndex = this.#history.length;
    const redraw = () => {
      write(`\r${prompt}${line}\x1b[K`);
      const back = line.length - cursor;
      if (back > 0) write(`\x1b[${back}D`);
    };
    write(prompt);
    Deno.stdin.setRaw(true);
    try {
      const buf = new Uint8Array(256);
      for (;;) {
        let input = this.#pending;
        this.#pending = "";
        if (input === "") {
          const n = await Deno.stdin.read(buf);
          if (n === null) return null;
          input = decoder.decode(buf.subarray(0, n), { stream: true });
        }
        for (let i = 0; i < input.length; i++) {
          const ch = input[i]!;
          const code = ch.charCodeAt(0);
          if (ch === "\r" || ch === "\n") {
            // Show the whole line before leaving it, and keep what follows for the next read.
            redraw();
            write("\r\n");
            this.#pending = input.slice(input[i + 1] === "\n" && ch === "\r" ? i + 2 : i + 1);
            return line;
          } else if (code === 3) { // Ctrl-C
            write("^C\r\n");
            return null;
          } else if (code === 4) { // Ctrl-D
            if (line === "") {
              write("\r\n");
              return null;
            }
            line = line.slice(0, cursor) + line.slice(cursor + 1);
          } else if (code === 127 || code === 8) {
            if (cursor > 0) {
              line = line.slice(0, cursor - 1) + line.slice(cursor);
              cursor--;
            }
          } else if (code === 1) cursor = 0;
          else if (code === 5) cursor = line.length;
          else if (code === 21) {
            line = line.slice(cursor);
            cursor = 0;
          } else if (code === 11) line = line.slice(0, cursor);
          else if (code === 12) write("\x1b[H\x1b[2J");
          else if (code === 27) {
            const seq = input.slice(i + 1, i + 3);
            i += 2;
            if (seq === "[A" && historyIndex > 0) {
              line = this.#history[--historyIndex]!;
              cursor = line.length;
            } else if (seq === "[B") {
              historyIndex = Math.min(this.#history.length, historyIndex + 1);
              line = this.#history[historyIndex] ?? "";
              cursor = line.length;
            } else if (seq === "[C") cursor = Math.min(line.length, cursor + 1);
            else if (seq === "[D") cursor = Math.max(0, cursor - 1);
            else if (seq === "[H") cursor = 0;
            else if (seq === "[F") cursor = line.length;
            else if (seq === "[3" && input[i + 1] === "~") {
              i++;
              line = line.slice(0, cursor) + line.slice(cursor + 1);
            }
          } else if (code >= 32) {
            line = line.slice(0, cursor) + ch + line.slice(cursor);
            cursor++;
          }
        }
        redraw();
      }
    } finally {
      Deno.stdin.setRaw(false);
    }
  }
}
