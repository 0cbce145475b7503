/**
 * Tests of `miniredis serve`'s option parsing (main.ts): redis-server's spelling, including an
 * empty value.
 *
 * @module
 */
import { parseServeArgs } from "../main.ts";
import { assertEquals } from "./_util.ts";

Deno.test("serve takes redis.conf parameters as --name value, an empty value included", () => {
  const options = parseServeArgs(["--port", "0", "--save", "", "--hz", "20"]);
  assertEquals(options.port, 0);
  assertEquals(options.config, { save: "", hz: "20" });
});

Deno.test("serve refuses a stray argument with redis-server's message", () => {
  let message = "";
  try {
    parseServeArgs(["--port", "0", "extra"]);
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  assertEquals(message.startsWith("Bad directive or wrong number of arguments: 'extra'"), true);
});
