/**
 * Differential tests of SORT and SORT_RO: each script runs on our server and on a real
 * redis-server 7.0, and every reply must be byte-identical. The one order Redis leaves
 * unspecified, a set's own order (SORT set BY nosort), is compared as a set.
 *
 * @module
 */
import {
  assertEquals,
  assertSameAsRedis,
  needsRedis,
  RawSession,
  type ScriptStep,
  startMiniredis,
  startRealRedis,
  unordered,
} from "../_util.ts";

/** The steps checking that `name` refuses each argument count in `counts`. */
function arityErrors(name: string, counts: number[]): string[][] {
  return counts.map((n) => [name, ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)]);
}

Deno.test({
  name: "SORT orders numbers as doubles, ties by the element's bytes, ascending or descending",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "3", "1", "2", "10", "1.5", "-1", "1e2", "-inf", "+inf", "0x10", "1.0", "01"],
      ["SORT", "l"],
      ["SORT", "l", "DESC"],
      ["SORT", "l", "ASC"],
      ["SORT", "l", "desc", "asc"],
      ["SORT_RO", "l", "DESC"],
      // Leading space, an empty element and an embedded NUL are read as strtod reads them.
      ["RPUSH", "odd", " 5", "", "\t-2", "7\x00junk", "0", "-0", ".5", "5."],
      ["SORT", "odd"],
      ["SORT", "odd", "DESC"],
      ["SADD", "s", "5", "3", "9", "-1", "100"],
      ["SORT", "s"],
      ["SORT", "s", "DESC"],
      ["ZADD", "z", "1", "30", "2", "20", "3", "10"],
      ["SORT", "z"],
      ["SORT", "z", "DESC"],
      ["SORT", "missing"],
      ["SORT", "missing", "DESC", "LIMIT", "0", "5"],
      ["SORT_RO", "missing"],
    ]);
  },
});

Deno.test({
  name: "SORT refuses elements that are not doubles, NaN and out-of-range values as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "a", "1", "b", "2"],
      ["SORT", "a"],
      ["SORT", "a", "DESC", "LIMIT", "0", "1"],
      ["SORT_RO", "a"],
      ["RPUSH", "trailing", "1 "],
      ["SORT", "trailing"],
      ["RPUSH", "blank", "   "],
      ["SORT", "blank"],
      ["RPUSH", "nan", "nan"],
      ["SORT", "nan"],
      ["RPUSH", "hexless", "0x"],
      ["SORT", "hexless"],
      ["RPUSH", "exp", "1e"],
      ["SORT", "exp"],
      ["RPUSH", "huge", "1e400"],
      ["SORT", "huge"],
      ["RPUSH", "tiny", "1e-400"],
      ["SORT", "tiny"],
      ["RPUSH", "subnormal", "1e-310"],
      ["SORT", "subnormal"],
      // An error stores nothing: the destination keeps its value.
      ["SET", "dst", "kept"],
      ["SORT", "a", "STORE", "dst"],
      ["GET", "dst"],
      // ALPHA needs no numbers, and a constant BY reads no weights at all.
      ["SORT", "a", "ALPHA"],
      ["SORT", "a", "BY", "nosort"],
      ["SADD", "words", "x", "y"],
      ["SORT", "words"],
      ["ZADD", "zw", "1", "x"],
      ["SORT", "zw"],
    ]);
  },
});

Deno.test({
  name: "SORT ALPHA orders bytes as strcoll in the C locale does, and STORE as memcmp does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "w", "banana", "Apple", "apple", "10", "9", "", "a\xff", "a\x80", "ab", "a", "Z"],
      ["SORT", "w", "ALPHA"],
      ["SORT", "w", "ALPHA", "DESC"],
      ["SORT", "w", "alpha", "LIMIT", "2", "4"],
      ["SORT", "w", "ALPHA", "STORE", "ws"],
      ["LRANGE", "ws", "0", "-1"],
      // strcoll stops at a NUL byte (the elements compare equal and keep their order), the
      // memcmp of STORE does not.
      ["RPUSH", "nul", "a\x00c", "a\x00b", "a", "a\x00a"],
      ["SORT", "nul", "ALPHA"],
      ["SORT", "nul", "ALPHA", "DESC"],
      ["SORT", "nul", "ALPHA", "STORE", "nuls"],
      ["LRANGE", "nuls", "0", "-1"],
      ["SADD", "s", "b", "c", "a", "10", "2"],
      ["SORT", "s", "ALPHA"],
      ["ZADD", "z", "3", "a", "1", "c", "2", "b"],
      ["SORT", "z", "ALPHA"],
      ["SORT", "z", "ALPHA", "DESC", "LIMIT", "1", "1"],
    ]);
  },
});

Deno.test({
  name: "SORT LIMIT clamps offsets and counts as Redis does and checks its integers",
  ignore: needsRedis(),
  async fn() {
    const limits: [string, string][] = [
      ["0", "3"],
      ["2", "3"],
      ["5", "100"],
      ["9", "1"],
      ["10", "1"],
      ["100", "5"],
      ["-5", "2"],
      ["-1", "-1"],
      ["0", "0"],
      ["3", "0"],
      ["0", "-7"],
      ["2", "9223372036854775807"],
      ["9223372036854775807", "9223372036854775807"],
      ["-9223372036854775808", "3"],
    ];
    const script: ScriptStep[] = [["RPUSH", "l", "5", "3", "8", "1", "9", "2", "7", "4", "6", "0"]];
    for (const [offset, count] of limits) {
      script.push(["SORT", "l", "LIMIT", offset, count]);
      script.push(["SORT", "l", "LIMIT", offset, count, "DESC"]);
      script.push(["SORT", "l", "BY", "nosort", "LIMIT", offset, count]);
      script.push(["SORT", "l", "BY", "nosort", "LIMIT", offset, count, "DESC"]);
    }
    script.push(
      ["SORT", "l", "LIMIT", "1", "2", "LIMIT", "5", "1"],
      ["SORT", "l", "LIMIT", "x", "1"],
      ["SORT", "l", "LIMIT", "1", "1.5"],
      ["SORT", "l", "LIMIT", "9223372036854775808", "1"],
      ["SORT", "l", "LIMIT", "1"],
      ["SORT", "l", "LIMIT"],
      ["SORT", "missing", "LIMIT", "x", "1"],
      ["SORT", "missing", "LIMIT", "0", "1"],
    );
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "SORT BY weighs elements by keys and hash fields, missing weights counting as 0",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "1", "2", "3", "4", "5"],
      ["MSET", "w_1", "40", "w_2", "30", "w_3", "30", "w_5", "-2.5"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "w_*", "DESC"],
      ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"],
      ["SORT", "l", "BY", "w_*", "LIMIT", "0", "1", "DESC"],
      // The `*` may be anywhere; only the first one is replaced.
      ["MSET", "pre1post", "3", "pre2post", "1", "pre3post", "2"],
      ["SORT", "l", "BY", "pre*post"],
      ["SORT", "l", "BY", "pre*post*"],
      // ->field reads a hash field; a missing hash or field, or a key of another type, is 0.
      ["HSET", "h_1", "f", "9", "g", "b"],
      ["HSET", "h_2", "f", "1", "g", "a"],
      ["HSET", "h_3", "f", "5"],
      ["RPUSH", "h_4", "x"],
      ["SORT", "l", "BY", "h_*->f"],
      ["SORT", "l", "BY", "h_*->f", "DESC"],
      ["SORT", "l", "BY", "h_*->g", "ALPHA"],
      ["SORT", "l", "BY", "h_*->g", "ALPHA", "DESC"],
      ["SORT", "l", "BY", "h_*->nofield"],
      // A BY string key holding a non-number fails the sort; a hash key read as a string is 0.
      ["SET", "w_4", "heavy"],
      ["SORT", "l", "BY", "w_*"],
      ["SORT", "l", "BY", "h_*"],
      // "->" with nothing after it, or before the `*`, is part of the key name.
      ["SET", "k_1->", "7"],
      ["SORT", "l", "BY", "k_*->"],
      ["SORT", "l", "BY", "k_->*"],
      // ALPHA BY: a missing weight sorts first; equal weights keep the list's order.
      ["MSET", "n_1", "bob", "n_2", "al", "n_3", "bob", "n_5", "Al"],
      ["SORT", "l", "BY", "n_*", "ALPHA"],
      ["SORT", "l", "BY", "n_*", "ALPHA", "DESC"],
      ["SORT", "l", "BY", "n_*", "ALPHA", "STORE", "byname"],
      ["LRANGE", "byname", "0", "-1"],
      // Sets and sorted sets sort by weights alike.
      ["SADD", "s", "1", "2", "3", "5"],
      ["SORT", "s", "BY", "w_*"],
      ["ZADD", "z", "1", "1", "2", "2", "3", "3", "4", "5"],
      ["SORT", "z", "BY", "w_*", "DESC"],
      ["SORT", "z", "BY", "h_*->f", "LIMIT", "1", "2"],
    ]);
  },
});

Deno.test({
  name: "SORT BY with LIMIT orders equal ALPHA weights as Redis's partial quicksort does",
  ignore: needsRedis(),
  async fn() {
    // Enough elements for the median-of-nine pivot (more than 40), and many equal weights,
    // whose order only the same algorithm reproduces.
    const elements = Array.from({ length: 97 }, (_, i) => `e${i}`);
    const weights: string[] = [];
    elements.forEach((e, i) => weights.push(`w_${e}`, String.fromCharCode(97 + (i * 7) % 5)));
    const script: ScriptStep[] = [["RPUSH", "l", ...elements], ["MSET", ...weights]];
    for (const [offset, count] of [["0", "10"], ["20", "30"], ["90", "10"], ["3", "1"]]) {
      script.push(["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", offset!, count!]);
      script.push(["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", offset!, count!, "DESC"]);
      script.push(["SORT", "l", "BY", "w_*", "LIMIT", offset!, count!, "ALPHA", "STORE", "d"]);
      script.push(["LRANGE", "d", "0", "-1"]);
    }
    // Small ranges go through the insertion sort of fewer than 7 elements.
    script.push(["RPUSH", "small", "a", "b", "c", "d", "e", "f"]);
    script.push(["MSET", "w_a", "x", "w_b", "x", "w_c", "y", "w_d", "x", "w_e", "y", "w_f", "x"]);
    script.push(["SORT", "small", "BY", "w_*", "ALPHA", "LIMIT", "1", "3"]);
    script.push(["SORT", "small", "BY", "w_*", "ALPHA", "LIMIT", "0", "4", "DESC"]);
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "SORT BY a constant keeps a list's or sorted set's order, reversed by DESC",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [
      ["RPUSH", "l", "c", "a", "b", "d", "e"],
      ["SORT", "l", "BY", "nosort"],
      ["SORT", "l", "BY", "nosort", "DESC"],
      ["SORT", "l", "BY", "constant", "ALPHA", "DESC", "LIMIT", "1", "3"],
      // A later BY with a `*` does not bring sorting back.
      ["SORT", "l", "BY", "nosort", "BY", "w_*"],
      ["SORT", "l", "BY", "nosort", "GET", "#", "GET", "missing_*"],
      ["SORT", "l", "BY", "nosort", "STORE", "copy"],
      ["LRANGE", "copy", "0", "-1"],
      ["ZADD", "z", "3", "a", "1", "b", "2", "c", "5", "d", "4", "e", "2", "bb"],
      ["SORT", "z", "BY", "nosort"],
      ["SORT", "z", "BY", "nosort", "DESC"],
      ["SORT", "z", "BY", "nosort", "STORE", "zcopy", "DESC"],
      ["LRANGE", "zcopy", "0", "-1"],
    ];
    for (const [offset, count] of [["1", "2"], ["0", "1"], ["4", "10"], ["6", "1"], ["7", "1"]]) {
      script.push(["SORT", "z", "BY", "nosort", "LIMIT", offset!, count!]);
      script.push(["SORT", "z", "BY", "nosort", "DESC", "LIMIT", offset!, count!]);
    }
    await assertSameAsRedis(script);
  },
});

Deno.test({
  name: "SORT of a set BY a constant answers its members, and STOREs them sorted as bytes",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SADD", "s", "b", "a", "c", "10", "9"],
      unordered(["SORT", "s", "BY", "nosort"]),
      unordered(["SORT", "s", "BY", "nosort", "DESC"]),
      unordered(["SORT", "s", "BY", "nosort", "GET", "#"]),
      // STORE must not depend on the set's order: Redis sorts it as ALPHA would, ignoring BY.
      ["SORT", "s", "BY", "nosort", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["SADD", "ints", "5", "-3", "100", "7"],
      ["SORT", "ints", "BY", "nosort", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
    ]);
  },
});

Deno.test({
  name: "SORT GET returns the element, keys and hash fields by pattern, nil when missing",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "2", "1", "3"],
      ["MSET", "o_1", "one", "o_2", "two", "w_1", "3", "w_2", "1", "w_3", "2"],
      ["HSET", "h_1", "name", "ann", "age", "30"],
      ["HSET", "h_3", "name", "cid"],
      ["SORT", "l", "GET", "o_*"],
      ["SORT", "l", "GET", "#"],
      ["SORT", "l", "GET", "#", "GET", "o_*", "GET", "h_*->name", "GET", "h_*->age"],
      ["SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"],
      ["SORT", "l", "GET", "o_*", "LIMIT", "1", "1", "DESC"],
      // A pattern without `*` (and not `#`) names no key; `#` followed by more is a pattern.
      ["SET", "fixed", "x"],
      ["SORT", "l", "GET", "fixed"],
      ["SORT", "l", "GET", "##"],
      ["SORT", "l", "GET", "#\x00trailing"],
      // A GET of a key of another type, or of a hash without ->, is nil.
      ["RPUSH", "o_3", "list"],
      ["SORT", "l", "GET", "o_*", "GET", "h_*"],
      ["SORT", "l", "GET", "o_*->name"],
      ["SORT", "missing", "GET", "o_*"],
      { cmd: ["HELLO", "3"], normalize: () => "hello" },
      ["SORT", "l", "GET", "o_*", "GET", "#"],
      ["SORT", "l", "BY", "nosort", "GET", "h_*->name"],
      ["SORT", "l", "STORE", "d"],
    ]);
  },
});

Deno.test({
  name: "SORT STORE writes a list, replacing any type and TTL, and deletes it for no result",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["RPUSH", "l", "3", "1", "2"],
      ["SORT", "l", "STORE", "d"],
      ["TYPE", "d"],
      ["LRANGE", "d", "0", "-1"],
      ["OBJECT", "ENCODING", "d"],
      // GET with STORE stores an empty string for a missing value.
      ["SET", "o_1", "one"],
      ["SORT", "l", "GET", "o_*", "GET", "#", "STORE", "d"],
      ["LRANGE", "d", "0", "-1"],
      // The destination is replaced whatever it held, and loses its TTL.
      ["HSET", "h", "f", "v"],
      ["EXPIRE", "h", "100"],
      ["SORT", "l", "DESC", "STORE", "h"],
      ["TYPE", "h"],
      ["TTL", "h"],
      ["LRANGE", "h", "0", "-1"],
      // The last STORE wins; storing onto the sorted key itself is allowed.
      ["SORT", "l", "STORE", "x", "STORE", "y"],
      ["EXISTS", "x", "y"],
      ["SORT", "l", "DESC", "STORE", "l"],
      ["LRANGE", "l", "0", "-1"],
      // No result deletes the destination, whatever it held.
      ["SET", "gone", "v"],
      ["SORT", "missing", "STORE", "gone"],
      ["EXISTS", "gone"],
      ["SORT", "l", "LIMIT", "0", "0", "STORE", "h"],
      ["EXISTS", "h"],
      ["SORT", "l", "LIMIT", "10", "5", "STORE", "nothing"],
      ["EXISTS", "nothing"],
      ["SORT", "l", "STORE"],
      // SORT_RO has no STORE.
      ["SORT_RO", "l", "STORE", "d"],
      ["SORT_RO", "l", "GET", "#", "LIMIT", "0", "1"],
    ]);
  },
});

Deno.test({
  name: "SORT refuses other types, unknown options and wrong argument counts as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "str", "1"],
      ["HSET", "h", "f", "1"],
      ["SORT", "str"],
      ["SORT", "h"],
      ["SORT_RO", "h", "ALPHA"],
      ["SORT", "str", "STORE", "d"],
      ["EXISTS", "d"],
      // Options are checked before the key's type.
      ["SORT", "str", "FOO"],
      ["SORT", "h", "LIMIT", "a", "b"],
      ["RPUSH", "l", "1"],
      ["SORT", "l", "BY"],
      ["SORT", "l", "GET"],
      ["SORT", "l", "ALPHA", "foo"],
      ["SORT", "l", "LIMIT", "0", "1", "2"],
      ["sort", "l", "by", "nosort", "get", "#", "limit", "0", "1", "desc", "alpha"],
      ...arityErrors("SORT", [1]),
      ...arityErrors("SORT_RO", [1]),
    ]);
  },
});

Deno.test({
  name: "SORT of a sorted set converts it to a skiplist for good, as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["ZADD", "z", "1", "a", "2", "b"],
      ["OBJECT", "ENCODING", "z"],
      ["SORT_RO", "z", "ALPHA"],
      ["OBJECT", "ENCODING", "z"],
      ["ZADD", "z2", "1", "a"],
      ["SORT", "z2", "BY", "nosort"],
      ["OBJECT", "ENCODING", "z2"],
      ["ZADD", "z2", "2", "b"],
      ["OBJECT", "ENCODING", "z2"],
    ]);
  },
});

Deno.test({
  name: "COMMAND GETKEYS finds SORT's key and its last STORE destination as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["COMMAND", "GETKEYS", "SORT", "k"],
      ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d"],
      ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d", "STORE", "e"],
      ["COMMAND", "GETKEYS", "SORT", "k", "BY", "x", "STORE", "d", "LIMIT", "0", "1", "GET", "y"],
      ["COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "store", "d"],
      ["COMMAND", "GETKEYS", "SORT", "k", "GET", "store", "store", "d"],
      ["COMMAND", "GETKEYS", "SORT", "k", "STORE"],
      ["COMMAND", "GETKEYS", "SORT"],
      ["COMMAND", "GETKEYS", "SORT_RO", "k", "STORE", "d"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "d"],
      ["COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "k", "BY", "x"],
      ["COMMAND", "INFO", "SORT", "SORT_RO"],
    ]);
  },
});

Deno.test({
  name: "SORT STORE wakes a client blocked on the destination list, as Redis's setKey does",
  ignore: needsRedis(),
  async fn() {
    await using ours = await startMiniredis();
    await using real = await startRealRedis();
    const replies: string[][] = [];
    for (const port of [ours.port, real.port]) {
      await using waiter = await RawSession.open(port);
      await using writer = await RawSession.open(port);
      await waiter.write("*3\r\n$5\r\nBLPOP\r\n$3\r\ndst\r\n$1\r\n0\r\n");
      // BLPOP must be blocked before the list appears.
      while (!(await writer.command("CLIENT", "LIST")).includes("cmd=blpop")) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await writer.command("RPUSH", "src", "3", "1", "2");
      const stored = await writer.command("SORT", "src", "STORE", "dst");
      replies.push([
        stored,
        await waiter.read(1),
        await writer.command("LRANGE", "dst", "0", "-1"),
      ]);
    }
    assertEquals(replies[0], replies[1]);
  },
});
