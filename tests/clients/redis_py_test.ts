/**
 * redis-py, used as a new user would: tests/clients/_redis_py_scenario.py runs string, key,
 * expiry, database, SCAN, INFO, pipeline, binary and error-case calls, then list (blocking
 * included), hash, set, sorted set, SORT and OBJECT calls, transactions and Pub/Sub (get_message
 * loops, a run_in_thread handler, keyspace notifications), against the port it is given and
 * prints a JSON transcript; it runs against our server and against a real redis-server, and
 * the two transcripts must be equal.
 *
 * redis-py comes from Debian's python3-redis (what `.ci/run` installs), importable by the
 * system /usr/bin/python3; a `python3` on PATH (pyenv's, say) is tried next.
 */
import { needsRedis, startMiniredis, startRealRedis } from "../_util.ts";
import { assertSameTranscript, type Entry } from "./_transcript.ts";

const SCENARIO = new URL("./_redis_py_scenario.py", import.meta.url).pathname;

/** Whether `python` runs and can `import redis`. */
async function canImportRedis(python: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import redis"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** The first interpreter that can import redis-py, or null. */
async function findPython(): Promise<string | null> {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    if (await canImportRedis(candidate)) return candidate;
  }
  return null;
}

const python = await findPython();
if (python === null) {
  console.warn(
    "SKIP: redis-py is not importable by /usr/bin/python3 or python3 " +
      "(apt-get install python3-redis); the redis-py test is skipped",
  );
}

/** Runs the scenario against `port`, failing after `timeoutMs`. */
async function runScenario(port: number, timeoutMs = 20_000): Promise<Entry[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const out = await new Deno.Command(python!, {
      // -B: write no .pyc files into tests/.
      args: ["-B", SCENARIO, String(port)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) {
      const why = abort.signal.aborted ? `timed out after ${timeoutMs} ms` : `exit ${out.code}`;
      throw new Error(`the redis-py scenario failed (${why}) on port ${port}:\n${stderr}`);
    }
    return JSON.parse(new TextDecoder().decode(out.stdout)) as Entry[];
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "redis-py gets the same results from miniredis as from Redis",
  ignore: needsRedis() || python === null,
  async fn() {
    let ours: Entry[];
    {
      await using server = await startMiniredis();
      ours = await runScenario(server.port);
    }
    await using real = await startRealRedis();
    const redis = await runScenario(real.port);
    assertSameTranscript(ours, redis);
  },
});
