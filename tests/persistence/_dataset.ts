/**
 * Test helpers for persistence: a server's whole dataset as comparable text (every database,
 * key, type, value and TTL, as a user reads them), and a dataset with every type and compact
 * encoding to write.
 *
 * @module
 */
import { RedisClient } from "../../src/client/client.ts";
import type { RespValue } from "../../src/resp/types.ts";

/** Flattens a reply to strings (sets and maps as sorted lines, for order-free comparison). */
function text(v: RespValue | unknown): string {
  if (v === null || v === undefined) return "(nil)";
  if (Array.isArray(v)) return `[${v.map(text).join(",")}]`;
  if (typeof v === "object" && v !== null && "value" in v) {
    return String((v as { value: unknown }).value);
  }
  return String(v);
}

/**
 * Every key of every database on the server at `port`: `db key type value ttl`, where TTL is
 * rounded to the second (-1: none), sets and hashes listed sorted, sorted sets with scores.
 */
export async function datasetOf(port: number, databases = 16): Promise<string[]> {
  const client = await RedisClient.connect({ port });
  const lines: string[] = [];
  try {
    for (let db = 0; db < databases; db++) {
      await client.sendRaw("SELECT", String(db));
      const keys = (await client.sendRaw("KEYS", "*")) as string[];
      for (const key of keys.sort()) {
        const type = text(await client.sendRaw("TYPE", key));
        let value: string;
        switch (type) {
          case "string":
            value = text(await client.sendRaw("GET", key));
            break;
          case "list":
            value = text(await client.sendRaw("LRANGE", key, "0", "-1"));
            break;
          case "set":
            value = ((await client.sendRaw("SMEMBERS", key)) as string[]).sort().join(",");
            break;
          case "zset":
            value = text(await client.sendRaw("ZRANGE", key, "0", "-1", "WITHSCORES"));
            break;
          case "hash": {
            const flat = (await client.sendRaw("HGETALL", key)) as string[];
            const pairs: string[] = [];
            for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
            value = pairs.sort().join(",");
            break;
          }
          default:
            value = "?";
        }
        const pttl = Number(await client.sendRaw("PTTL", key));
        const ttl = pttl < 0 ? pttl : Math.round(pttl / 1000);
        lines.push(`${db} ${JSON.stringify(key)} ${type} ${JSON.stringify(value)} ${ttl}`);
      }
    }
  } finally {
    client.close();
  }
  return lines;
}

/**
 * Writes a dataset with every type in its compact and its large encoding, binary keys and
 * values, TTLs, and keys in three databases.
 */
export async function writeMixedDataset(port: number): Promise<void> {
  const client = await RedisClient.connect({ port });
  const big = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  try {
    for (const db of ["0", "3", "9"]) {
      await client.sendRaw("SELECT", db);
      await client.sendRaw("SET", `str:${db}`, "hello");
      await client.sendRaw("SET", "int", "12345");
      await client.sendRaw("SET", "neg", "-9223372036854775808");
      await client.sendRaw("SET", "long", "x".repeat(300));
      await client.sendRaw("SET", "bin\x00\xff\r\n", "\x00\x01\xfe\xff\r\n");
      await client.sendRaw("SET", "ttl", "v", "EX", "1000");
      await client.sendRaw("RPUSH", "list", "a", "1", "-5", "b".repeat(100));
      await client.sendRaw("RPUSH", "biglist", ...big(3000, (i) => `item-${i}`));
      await client.sendRaw("SADD", "intset", "1", "2", "-3", "100000000000");
      await client.sendRaw("SADD", "set", "a", "b", "c");
      await client.sendRaw("SADD", "bigset", ...big(600, (i) => String(i)));
      await client.sendRaw("HSET", "hash", "f1", "v1", "f2", "2");
      await client.sendRaw("HSET", "bighash", ...big(400, (i) => `f${i >> 1}-${i}`));
      await client.sendRaw("ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c");
      await client.sendRaw(
        "ZADD",
        "bigzset",
        ...big(400, (i) => (i % 2 === 0 ? String(i / 7) : `m${i}`)),
      );
      await client.sendRaw("PEXPIRE", "bighash", "5000000");
    }
  } finally {
    client.close();
  }
}
