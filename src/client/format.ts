/**
 * Reply formatting exactly as redis-cli prints it, ported from its `cliFormatReplyTTY` (on a
 * terminal, or with --no-raw: `(integer) 1`, `(nil)`, quoted strings, numbered nested arrays,
 * `1# "key" => value` maps) and `cliFormatReplyRaw` (pipes and files: the bare bytes, one
 * element per line).
 *
 * Strings are latin1 (one char per byte), so output is byte-exact.
 *
 * @example
 * ```ts
 * import { formatTty } from "./format.ts";
 * formatTty([{ kind: "simple", value: "OK" }, 1, null]);
 * // "1) OK\n2) (integer) 1\n3) (nil)\n"
 * ```
 * @module
 */
import { quoteRepr } from "../resp/repr.ts";
import { doubleText, type RespValue } from "../resp/types.ts";

/** redis-cli's `sdscatrepr` (src/resp/repr.ts). */
export { quoteRepr };

type Tagged = Exclude<RespValue, string | number | bigint | boolean | null | readonly RespValue[]>;

/** Formats a reply like redis-cli on a terminal. */
export function formatTty(value: RespValue, prefix = ""): string {
  if (value === null) return "(nil)\n";
  switch (typeof value) {
    case "string":
      return quoteRepr(value) + "\n";
    case "number":
    case "bigint":
      return `(integer) ${value}\n`;
    case "boolean":
      return value ? "(true)\n" : "(false)\n";
  }
  let items: readonly RespValue[];
  let kind: "array" | "map" | "set" | "push";
  if (Array.isArray(value)) {
    items = value as readonly RespValue[];
    kind = "array";
  } else {
    const t = value as Tagged;
    switch (t.kind) {
      case "simple":
        return t.value + "\n";
      case "error":
        return `(error) ${t.value}\n`;
      case "double":
        return `(double) ${doubleText(t)}\n`;
      case "bignum":
        return `(big number) ${t.value}\n`;
      case "verbatim":
        return t.value + "\n";
      case "map":
        items = t.entries.flat();
        kind = "map";
        break;
      case "set":
      case "push":
        items = t.items;
        kind = t.kind;
        break;
    }
  }
  if (items.length === 0) {
    return kind === "array"
      ? "(empty array)\n"
      : kind === "map"
      ? "(empty hash)\n"
      : kind === "set"
      ? "(empty set)\n"
      : "(empty push)\n";
  }
  const count = kind === "map" ? items.length / 2 : items.length;
  const width = String(count).length;
  const childPrefix = prefix + " ".repeat(width + 2);
  const sep = kind === "set" ? "~" : kind === "map" ? "#" : ")";
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const human = (kind === "map" ? i / 2 : i) + 1;
    out += `${i === 0 ? "" : prefix}${String(human).padStart(width)}${sep} `;
    out += formatTty(items[i]!, childPrefix);
    if (kind === "map") {
      i++;
      out = out.slice(0, -1) + " => ";
      // A value printed on several lines starts on its own line, aligned under the key.
      if (isMultiline(items[i]!)) out += "\n" + childPrefix;
      out += formatTty(items[i]!, childPrefix);
    }
  }
  return out;
}

/** redis-cli's `cliIsMultilineValueTTY`: whether `formatTty` prints `value` on several lines. */
function isMultiline(value: RespValue): boolean {
  if (value === null || typeof value !== "object") return false;
  let items: readonly RespValue[];
  if (Array.isArray(value)) items = value as readonly RespValue[];
  else {
    const t = value as Tagged;
    if (t.kind === "map") {
      if (t.entries.length === 0) return false;
      return t.entries.length > 1 || isMultiline(t.entries[0]![1]);
    }
    if (t.kind !== "set" && t.kind !== "push") return false;
    items = t.items;
  }
  if (items.length === 0) return false;
  return items.length > 1 || isMultiline(items[0]!);
}

/** Formats a reply like redis-cli writing to a pipe (without the final newline). */
export function formatRaw(value: RespValue): string {
  if (value === null) return "";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "(true)" : "(false)";
  }
  if (Array.isArray(value)) return (value as readonly RespValue[]).map(formatRaw).join("\n");
  const t = value as Tagged;
  switch (t.kind) {
    case "simple":
    case "verbatim":
    case "bignum":
      return t.value;
    case "error":
      return t.value + "\n";
    case "double":
      return doubleText(t);
    case "map":
      return t.entries.map(([k, v]) => `${formatRaw(k)} ${formatRaw(v)}`).join("\n");
    case "set":
    case "push":
      return t.items.map(formatRaw).join("\n");
  }
}
