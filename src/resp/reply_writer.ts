/**
 * `ReplyWriter` collects a connection's replies into one growable byte buffer, so a pipeline of
 * commands is answered with a single socket write. Its helpers hide the protocol version, as
 * Redis's `addReply*` functions do: a map is `*2N` in RESP2 and `%N` in RESP3, null is `$-1`
 * (or `*-1` for arrays) versus `_`, a double is a bulk string versus `,`, a boolean `:1`/`:0`
 * versus `#t`/`#f`.
 *
 * @example
 * ```ts
 * import { ReplyWriter } from "./reply_writer.ts";
 * const out = new ReplyWriter();
 * out.mapLength(1); out.bulk("proto"); out.integer(2);
 * out.take(); // bytes of "*2\r\n$5\r\nproto\r\n:2\r\n" (RESP2)
 * ```
 * @module
 */
import { formatDoubleG17 } from "./double.ts";
import { latin1WriteInto } from "./latin1.ts";
import { doubleText, type RespValue, type RespVersion } from "./types.ts";

const INITIAL_SIZE = 16 * 1024;
/** A buffer grown past this by a large reply is dropped after the flush. */
const SHRINK_ABOVE = 1024 * 1024;

const CRLF_NULL2 = "$-1\r\n";
const ARRAY_NULL2 = "*-1\r\n";

/** Version-aware reply encoder with one output buffer per connection. */
export class ReplyWriter {
  /** Protocol version of the connection; `HELLO` changes it. */
  version: RespVersion = 2;
  #buf = new Uint8Array(INITIAL_SIZE);
  #len = 0;
  #spare: Uint8Array<ArrayBuffer> | null = null;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#len;
  }

  /**
   * Returns the pending bytes and starts over in the other of two buffers, so the view stays
   * valid until the next `take`: replies written meanwhile (a blocked client served by another
   * client's push while its earlier replies are still being sent) cannot overwrite it.
   */
  take(): Uint8Array {
    const out = this.#buf.subarray(0, this.#len);
    const spare = this.#spare;
    this.#spare = this.#buf;
    this.#buf = spare === null || spare.length > SHRINK_ABOVE
      ? new Uint8Array(INITIAL_SIZE)
      : spare;
    this.#len = 0;
    return out;
  }

  /** Drops what a failed command had written since `length` was `mark` (its error replaces it). */
  truncate(mark: number): void {
    if (mark < this.#len) this.#len = mark;
  }

  /** Drops the pending bytes (CLIENT REPLY OFF, a closed connection). */
  discard(): void {
    this.#len = 0;
  }

  #reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
  }

  /** Writes a latin1/ASCII string as is. */
  /** Appends bytes already encoded (a frame built once for many clients). */
  bytes(chunk: Uint8Array): void {
    this.#reserve(chunk.length);
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.length;
  }

  raw(text: string): void {
    this.#reserve(text.length);
    this.#len = latin1WriteInto(this.#buf, this.#len, text);
  }

  /** Writes the decimal digits of a safe integer in place, allocating nothing. */
  #digits(n: number): void {
    const buf = this.#buf;
    if (n >= 0 && n < 10) {
      buf[this.#len++] = 48 + n;
      return;
    }
    if (n < 0) {
      buf[this.#len++] = 45;
      n = -n;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    let pos = this.#len + width;
    this.#len = pos;
    do {
      const q = Math.floor(n / 10);
      buf[--pos] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  #header(prefix: number, n: number): void {
    this.#reserve(24);
    this.#buf[this.#len++] = prefix;
    this.#digits(n);
    this.#buf[this.#len++] = 13;
    this.#buf[this.#len++] = 10;
  }

  /** `+OK` */
  ok(): void {
    this.raw("+OK\r\n");
  }

  /** `+text`; the text must not contain CR or LF. */
  simple(text: string): void {
    this.#reserve(text.length + 3);
    this.#buf[this.#len++] = 43;
    this.#len = latin1WriteInto(this.#buf, this.#len, text);
    this.#buf[this.#len++] = 13;
    this.#buf[this.#len++] = 10;
  }

  /** `-ERR ...`: the full error text including its code; CR and LF become spaces. */
  error(text: string): void {
    this.raw(`-${text.replace(/[\r\n]/g, " ")}\r\n`);
  }

  /** `:n` */
  integer(n: number | bigint): void {
    if (typeof n === "number" && Number.isSafeInteger(n)) return this.#header(58, n);
    this.raw(`:${n}\r\n`);
  }

  /** `$len\r\nbytes` for a latin1 string, or the version's null for `null`. */
  bulk(value: string | null): void {
    if (value === null) return this.null();
    const n = value.length;
    this.#reserve(n + 24);
    this.#header(36, n);
    this.#len = latin1WriteInto(this.#buf, this.#len, value);
    this.#buf[this.#len++] = 13;
    this.#buf[this.#len++] = 10;
  }

  /** Null bulk string (`$-1` / `_`). */
  null(): void {
    this.raw(this.version === 3 ? "_\r\n" : CRLF_NULL2);
  }

  /** Null array (`*-1` / `_`). */
  nullArray(): void {
    this.raw(this.version === 3 ? "_\r\n" : ARRAY_NULL2);
  }

  /** `*n` */
  arrayLength(n: number): void {
    this.#header(42, n);
  }

  /** `%n` in RESP3, `*2n` in RESP2; follow with n key/value pairs. */
  mapLength(n: number): void {
    if (this.version === 3) this.#header(37, n);
    else this.#header(42, n * 2);
  }

  /** `~n` in RESP3, `*n` in RESP2. */
  setLength(n: number): void {
    this.#header(this.version === 3 ? 126 : 42, n);
  }

  /** `>n` in RESP3, `*n` in RESP2. */
  pushLength(n: number): void {
    this.#header(this.version === 3 ? 62 : 42, n);
  }

  /** A double: `,text` in RESP3, a bulk string in RESP2; `text` is already formatted. */
  doubleText(text: string): void {
    if (this.version === 3) this.raw(`,${text}\r\n`);
    else this.bulk(text);
  }

  /** A double formatted as Redis's `addReplyDouble` does (`%.17g`, `inf`, `-inf`). */
  double(value: number): void {
    this.doubleText(formatDoubleG17(value));
  }

  /** `#t`/`#f` in RESP3, `:1`/`:0` in RESP2. */
  boolean(value: boolean): void {
    if (this.version === 3) this.raw(value ? "#t\r\n" : "#f\r\n");
    else this.integer(value ? 1 : 0);
  }

  /** `=len\r\ntxt:...` in RESP3, a bulk string in RESP2. */
  verbatim(text: string, format = "txt"): void {
    if (this.version === 3) {
      this.#header(61, text.length + 4);
      this.raw(`${format}:`);
      this.raw(text);
      this.raw("\r\n");
    } else {
      this.bulk(text);
    }
  }

  /** An array of bulk strings (null entries as null bulk strings). */
  bulkArray(values: readonly (string | null)[]): void {
    this.arrayLength(values.length);
    for (const v of values) this.bulk(v);
  }

  /**
   * A reply the server builds as a structure (HELLO's map, COMMAND INFO's sets): written with
   * the connection's version, so maps, sets and pushes become arrays in RESP2, as Redis does.
   */
  structured(value: RespValue): void {
    this.#write(value, false);
  }

  /**
   * A stored typed value (the tutorial's integers, arrays, dictionaries), written back exactly
   * as it arrived, whatever the connection's version: the client that stored a `%` dictionary
   * or a `,` double reads it back. Only null follows the connection's version.
   */
  value(value: RespValue): void {
    this.#write(value, true);
  }

  /** Writes a value; `asStored` keeps its wire types, else they follow the version. */
  #write(value: RespValue, asStored: boolean): void {
    switch (typeof value) {
      case "string":
        return this.bulk(value);
      case "number":
      case "bigint":
        return this.integer(value);
      case "boolean":
        return asStored ? this.raw(value ? "#t\r\n" : "#f\r\n") : this.boolean(value);
    }
    if (value === null) return this.null();
    if (Array.isArray(value)) {
      this.arrayLength(value.length);
      for (const item of value as readonly RespValue[]) this.#write(item, asStored);
      return;
    }
    const tagged = value as TaggedValue;
    const v3 = asStored || this.version === 3;
    switch (tagged.kind) {
      case "simple":
        return this.simple(tagged.value);
      case "error":
        return this.error(tagged.value);
      case "double":
        return v3 ? this.raw(`,${doubleText(tagged)}\r\n`) : this.bulk(doubleText(tagged));
      case "bignum":
        return v3 ? this.raw(`(${tagged.value}\r\n`) : this.bulk(tagged.value);
      case "verbatim":
        if (!v3) return this.bulk(tagged.value);
        this.#header(61, tagged.value.length + 4);
        return this.raw(`${tagged.format}:${tagged.value}\r\n`);
      case "map":
        if (v3) this.#header(37, tagged.entries.length);
        else this.#header(42, tagged.entries.length * 2);
        for (const [k, item] of tagged.entries) {
          this.#write(k, asStored);
          this.#write(item, asStored);
        }
        return;
      case "set":
      case "push":
        this.#header(v3 ? (tagged.kind === "set" ? 126 : 62) : 42, tagged.items.length);
        for (const item of tagged.items) this.#write(item, asStored);
        return;
    }
  }
}

type TaggedValue = Exclude<
  RespValue,
  string | number | bigint | boolean | null | readonly RespValue[]
>;
