/**
 * The single executable: `deno task compile` builds ./miniredis, which is server or client by
 * subcommand. `deno compile` needs Deno's `denort` runtime, which it downloads on first use;
 * machines without that download skip this test and say why (set DENORT_BIN to a denort
 * binary to run it offline).
 */
import { assert, assertEquals, freePort } from "./_util.ts";

function denortAvailable(): string | null {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin !== undefined) {
    try {
      if (Deno.statSync(bin).isFile) return null;
    } catch {
      return `DENORT_BIN is set to ${bin}, which does not exist`;
    }
  }
  // deno compile caches the runtime it downloaded under DENO_DIR/dl.
  const home = Deno.env.get("HOME") ?? "";
  const denoDir = Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`;
  try {
    for (const entry of Deno.readDirSync(`${denoDir}/dl/release/v${Deno.version.deno}`)) {
      if (entry.name.startsWith("denort")) return null;
    }
  } catch {
    // no cache
  }
  return "denort is not available: deno compile downloads it from Deno's servers, which this " +
    "machine cannot reach (set DENORT_BIN to a denort binary to run this test)";
}

const skipReason = denortAvailable();
if (skipReason !== null) console.warn(`SKIP compile test: ${skipReason}`);

Deno.test({
  name: "the compiled executable serves and answers as a client, like main.ts does",
  ignore: skipReason !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "miniredis-compile-" });
    const exe = `${dir}/miniredis${Deno.build.os === "windows" ? ".exe" : ""}`;
    try {
      const build = await new Deno.Command(Deno.execPath(), {
        args: ["compile", "-A", "--output", exe, new URL("../main.ts", import.meta.url).pathname],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(build.success, new TextDecoder().decode(build.stderr));
      const port = freePort();
      const server = new Deno.Command(exe, {
        args: ["serve", "--port", String(port), "--loglevel", "warning", "--save", ""],
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        const run = async (...args: string[]) => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const out = await new Deno.Command(exe, { args: ["-p", String(port), ...args] })
              .output();
            if (out.success) return new TextDecoder().decode(out.stdout);
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error("the compiled server did not answer");
        };
        assertEquals(await run("set", "greeting", "hello"), "OK\n");
        assertEquals(await run("get", "greeting"), "hello\n");
      } finally {
        server.kill("SIGTERM");
        assert((await server.status).success, "the compiled server did not stop cleanly");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
