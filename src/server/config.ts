/**
 * CONFIG GET/SET storage. Every redis.conf 7.0 parameter is known (see `config_table.ts`) and
 * validated as redis-server validates it, with its error texts; the parameters this server
 * implements take effect through listeners (`onChange`), the rest are stored and echoed back.
 *
 * @example
 * ```ts
 * import { Config } from "./config.ts";
 * const config = new Config();
 * config.set([["proto-max-bulk-len", "1mb"]]);
 * config.get("proto-max-bulk-len"); // "1048576"
 * ```
 * @module
 */
import { globMatch } from "../keyspace/glob.ts";
import { KeyspaceNotifier } from "../keyspace/notify.ts";
import { DEFAULT_OUTPUT_LIMITS, normalizeOutputLimits } from "./output_limits.ts";
import { CONFIG_ALIASES, CONFIG_PARAMS, type ConfigParam } from "./config_table.ts";

/** A CONFIG SET refusal; `message` is the full Redis error text. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses Redis memory values: `100`, `1k` (1000), `1kb` (1024), `5mb`, `1g`, `2gb`. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return null;
  const unit = (m[2] ?? "").toLowerCase();
  const factor: Record<string, number> = {
    "": 1,
    k: 1000,
    kb: 1024,
    m: 1000 ** 2,
    mb: 1024 ** 2,
    g: 1000 ** 3,
    gb: 1024 ** 3,
  };
  return Number(m[1]) * factor[unit]!;
}

function isInteger(text: string): boolean {
  return /^-?(0|[1-9]\d{0,18})$/.test(text) && text !== "-0";
}

/** Refuses a number outside the parameter's inclusive range with Redis's text. */
function checkRange(param: ConfigParam, v: bigint, fail: (why: string) => ConfigError): void {
  if (param.range === undefined) return;
  const [min, max] = param.range;
  if (v < BigInt(min) || v > BigInt(max)) {
    throw fail(`argument must be between ${min} and ${max} inclusive`);
  }
}

/** Called after a parameter changed, with its new (normalized) value. */
export type ConfigListener = (value: string) => void;

/** Parses a parameter with its own syntax, returning the text CONFIG GET shows, or throws. */
type Normalizer = (
  raw: string,
  fail: (why: string) => ConfigError,
  current: string,
) => string;

/** The string parameters with a syntax of their own, checked and written back as Redis does. */
const SPECIAL_NORMALIZERS = new Map<string, Normalizer>([
  ["notify-keyspace-events", (raw, fail) => {
    const flags = KeyspaceNotifier.parseFlags(raw);
    if (flags === null) throw fail("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return KeyspaceNotifier.formatFlags(flags);
  }],
  // Pairs of seconds (>= 1) and changes (>= 0), split on single spaces and read with strtoll as
  // Redis's setConfigSaveOption does, written back as Redis stores them (changes is a C int).
  ["save", (raw, fail) => {
    if (raw === "") return raw;
    const words = raw.split(" ");
    if (words.length % 2 !== 0) throw fail("Invalid save parameters");
    const out: string[] = [];
    for (let j = 0; j < words.length; j++) {
      const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(words[j]!);
      const v = m === null ? (words[j] === "" ? 0n : null) : BigInt(m[1]!);
      if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) {
        throw fail("Invalid save parameters");
      }
      const clamped = v > 9223372036854775807n ? 9223372036854775807n : v;
      out.push(j % 2 === 0 ? String(clamped) : String(BigInt.asIntN(32, clamped)));
    }
    return out.join(" ");
  }],
  // As Redis chdirs to it: it must be a directory, and reads back as its absolute path.
  ["dir", (raw, fail) => {
    if (raw === "") return raw;
    try {
      const path = Deno.realPathSync(raw);
      if (!Deno.statSync(path).isDirectory) throw fail("Not a directory");
      return path;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw fail(
        error instanceof Deno.errors.NotFound ? "No such file or directory" : String(error),
      );
    }
  }],
  // Only the classes given change; `current` is the stored value (see `#normalize`).
  ["client-output-buffer-limit", (raw, fail, current: string = DEFAULT_OUTPUT_LIMITS) => {
    const text = normalizeOutputLimits(raw, current);
    if (typeof text !== "string") throw fail(text.error);
    return text;
  }],
]);

/** The server's configuration. */
export class Config {
  readonly #params = new Map<string, ConfigParam>();
  readonly #values = new Map<string, string>();
  readonly #aliases = new Map<string, string>();
  readonly #listeners = new Map<string, ConfigListener[]>();
  readonly #appliers = new Map<string, ConfigListener>();

  constructor() {
    for (const p of CONFIG_PARAMS) {
      this.#params.set(p.name, p);
      this.#values.set(p.name, p.default);
    }
    for (const [alias, canonical] of CONFIG_ALIASES) this.#aliases.set(alias, canonical);
  }

  #canonical(name: string): string | undefined {
    const lower = name.toLowerCase();
    if (this.#params.has(lower)) return lower;
    return this.#aliases.get(lower);
  }

  /** The value of a parameter (by canonical name or alias), or undefined. */
  get(name: string): string | undefined {
    const c = this.#canonical(name);
    return c === undefined ? undefined : this.#values.get(c);
  }

  /** A numeric parameter's value. */
  getNumber(name: string): number {
    return Number(this.get(name) ?? "0");
  }

  /** CONFIG GET: name/value pairs for each pattern, aliases included, without repeats. */
  getMatching(patterns: readonly string[]): [string, string][] {
    const out = new Map<string, string>();
    const names = [...this.#params.keys(), ...this.#aliases.keys()];
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const value = this.get(pattern);
        if (value !== undefined && !out.has(pattern)) out.set(pattern, value);
        continue;
      }
      for (const name of names) {
        if (!out.has(name) && globMatch(pattern, name, true)) out.set(name, this.get(name)!);
      }
    }
    return [...out];
  }

  /**
   * CONFIG SET with one or more pairs: all are validated first, then all applied, so a
   * refused pair changes nothing. Throws `ConfigError` with Redis's text.
   */
  set(pairs: ReadonlyArray<readonly [string, string]>): void {
    const seen = new Set<string>();
    const staged: [string, string][] = [];
    for (const [name, raw] of pairs) {
      const c = this.#canonical(name);
      if (c === undefined) {
        throw new ConfigError(
          `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
        );
      }
      const fail = (why: string) =>
        new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);
      if (seen.has(c)) throw fail("duplicate parameter");
      seen.add(c);
      staged.push([c, this.#normalize(this.#params.get(c)!, raw, fail)]);
    }
    // Appliers may still refuse (a port that cannot be bound): they run before anything is
    // stored, and a refusal stops the whole CONFIG SET there, as in Redis.
    for (const [name, value] of staged) {
      const apply = this.#appliers.get(name);
      if (apply === undefined || this.#values.get(name) === value) continue;
      try {
        apply(value);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError(
          `ERR CONFIG SET failed (possibly related to argument '${name}') - ${error.message}`,
        );
      }
      this.#values.set(name, value);
    }
    for (const [name, value] of staged) this.#values.set(name, value);
    for (const [name, value] of staged) {
      for (const listener of this.#listeners.get(name) ?? []) listener(value);
    }
  }

  /** Sets a parameter at start-up (command-line options): immutable ones included. */
  setInitial(name: string, raw: string): void {
    const c = this.#canonical(name);
    if (c === undefined) throw new ConfigError(`Bad directive or wrong number of arguments`);
    const param = this.#params.get(c)!;
    const value = this.#normalize(
      {
        ...param,
        kind: param.kind === "immutable" || param.kind === "protected" ? "string" : param.kind,
      },
      raw,
      (why) => new ConfigError(`Invalid argument '${raw}' for '${name}': ${why}`),
    );
    this.#values.set(c, value);
    for (const listener of this.#listeners.get(c) ?? []) listener(value);
  }

  /**
   * Makes CONFIG SET of `name` act through `apply`, which may refuse the value by throwing a
   * `ConfigError` whose message is the reason Redis gives (not called at start-up).
   */
  onApply(name: string, apply: ConfigListener): void {
    const c = this.#canonical(name);
    if (c === undefined) throw new RangeError(`Unknown config parameter: ${name}`);
    this.#appliers.set(c, apply);
  }

  /** Calls `listener` now and whenever the parameter changes. */
  onChange(name: string, listener: ConfigListener): void {
    const c = this.#canonical(name);
    if (c === undefined) throw new RangeError(`Unknown config parameter: ${name}`);
    const list = this.#listeners.get(c) ?? [];
    list.push(listener);
    this.#listeners.set(c, list);
    listener(this.#values.get(c)!);
  }

  #normalize(param: ConfigParam, raw: string, fail: (why: string) => ConfigError): string {
    switch (param.kind) {
      case "immutable":
        throw fail("can't set immutable config");
      case "protected":
        throw fail("can't set protected config");
      case "bool": {
        const v = raw.toLowerCase();
        if (v !== "yes" && v !== "no") throw fail("argument must be 'yes' or 'no'");
        return v;
      }
      case "integer": {
        if (!isInteger(raw)) throw fail("argument couldn't be parsed into an integer");
        checkRange(param, BigInt(raw), fail);
        // Redis accepts any hz in range but runs at most 500 cycles a second, and says so.
        if (param.name === "hz") return String(Math.min(500, Math.max(1, Number(raw))));
        return raw;
      }
      case "memory": {
        const n = parseMemory(raw);
        if (n === null) throw fail("argument must be a memory value");
        checkRange(param, BigInt(n), fail);
        return String(n);
      }
      case "enum": {
        const options = param.options ?? [];
        const v = options.find((o) => o === raw.toLowerCase());
        if (v === undefined) {
          throw fail(`argument(s) must be one of the following: ${options.join(", ")}`);
        }
        return v;
      }
      case "string": {
        const special = SPECIAL_NORMALIZERS.get(param.name);
        return special === undefined ? raw : special(raw, fail, this.#values.get(param.name)!);
      }
    }
  }
}
