import { assertSameAsRedis, needsRedis, type ScriptStep } from "../_util.ts";

const SIMPLE = [
  "get",
  "set",
  "mget",
  "mset",
  "del",
  "expire",
  "scan",
  "incrbyfloat",
  "lcs",
  "ping",
  "hello",
  "select",
  "flushall",
  "info",
];

Deno.test({
  name: "COMMAND INFO and COMMAND DOCS describe commands byte for byte as Redis 7.0 does",
  ignore: needsRedis(),
  async fn() {
    const script: ScriptStep[] = [];
    for (const name of SIMPLE) script.push(["COMMAND", "INFO", name], ["COMMAND", "DOCS", name]);
    script.push(["COMMAND", "INFO", "config|get", "client|kill", "nosuchcommand"]);
    script.push(["COMMAND", "DOCS", "config|set", "nosuchcommand"]);
    await assertSameAsRedis(script);
    const hello3 = {
      cmd: ["HELLO", "3"],
      normalize: (reply: string) => reply.replace(/id\r\n:\d+/, "id\r\n:0"),
    };
    await assertSameAsRedis([hello3, ...script]);
  },
});

Deno.test({
  name: "COMMAND GETKEYS and GETKEYSANDFLAGS find keys and refuse what Redis refuses",
  ignore: needsRedis(),
  async fn() {
    await assertSameAsRedis([
      ["COMMAND", "GETKEYS", "get", "k"],
      ["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"],
      ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
      ["COMMAND", "GETKEYS", "rename", "a", "b"],
      ["COMMAND", "GETKEYS", "ping"],
      ["COMMAND", "GETKEYS", "nosuch", "a"],
      ["COMMAND", "GETKEYS", "get"],
      ["COMMAND", "GETKEYS", "get", "a", "b"],
      ["COMMAND", "GETKEYSANDFLAGS", "get", "k"],
      ["COMMAND", "GETKEYS"],
      ["COMMAND", "NOSUCH"],
      ["COMMAND", "HELP"],
    ]);
  },
});
