import { assertSameAsRedis, needsRedis } from "./_util.ts";

Deno.test({
  name: "strings: SET, GET and INCR answer as Redis does",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["SET", "k", "v"],
      ["GET", "k"],
      ["INCR", "n"],
      ["INCRBYFLOAT", "f", "0.1"],
      ["INCRBYFLOAT", "f", "0.2"],
      ["GET", "nosuch"],
      ["FOO", "bar"],
    ]);
  },
});
