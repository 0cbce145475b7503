import { encodeCommands } from "./bench.ts";
const port = Number(Deno.args[0]);
const total = Number(Deno.args[1] ?? 40000);
async function client(id: number, count: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const cmds = [["MULTI"]];
  for (let i = 0; i < 10; i++) cmds.push(["SET", `key:${id}:${i}`, "xxxxxxxxxxxxxxxx"]);
  cmds.push(["EXEC"]);
  const req = encodeCommands(cmds);
  const buf = new Uint8Array(65536);
  for (let d = 0; d < count; d++) {
    await conn.write(req);
    let got = 0;
    while (got < 150) {
      const n = await conn.read(buf);
      if (n === null) throw 1;
      got += n;
    }
  }
  conn.close();
}
const t = performance.now();
await Promise.all(Array.from({ length: 50 }, (_, i) => client(i, total / 50)));
console.log((total / ((performance.now() - t) / 1000)).toFixed(0), "tx/s");
