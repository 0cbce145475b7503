"""redis-py, used as a new user would, against the server on the port given as argv[1].

Runs string, key, expiry, database (db=), SCAN, INFO, pipeline and error-case calls and
prints one JSON transcript: a list of [label, result] pairs, bytes as {"hex": ...} and
Redis errors as {"error": str(e), "class": name}. tests/clients/redis_py_test.ts runs it
against miniredis and against a real redis-server and compares the two transcripts.

TTLs depend on timing, so they are recorded as "within range" booleans (or the value
itself when out of range, so that a failure shows it).
"""
import datetime
import json
import math
import sys
import time

import redis


def jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (bytes, bytearray)):
        return {"hex": bytes(value).hex()}
    if isinstance(value, Exception):
        return {"error": str(value), "class": type(value).__name__}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, set):
        return sorted(jsonable(v) for v in value)
    return value


def within(value, low, high):
    return True if isinstance(value, int) and low <= value <= high else value


class Transcript:
    def __init__(self):
        self.entries = []

    def note(self, label, value):
        self.entries.append([label, jsonable(value)])

    def step(self, label, fn):
        """Records fn()'s result, or the error it raised: a Redis error reply, or a
        client-side check (DataError); anything else (a lost connection) is a failure."""
        try:
            value = fn()
        except (redis.exceptions.ResponseError, redis.exceptions.DataError) as e:
            value = e
        self.note(label, value)


def text_part(t, port):
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    db3 = redis.Redis(
        host="127.0.0.1", port=port, db=3, client_name="scenario-db3", decode_responses=True)
    db5 = redis.Redis(host="127.0.0.1", port=port, db=5, decode_responses=True)

    t.step("ping", r.ping)
    t.step("db 3: ping", db3.ping)
    t.step("client_name: client_getname", db3.client_getname)

    # Strings.
    t.step("set", lambda: r.set("greeting", "hello"))
    t.step("get", lambda: r.get("greeting"))
    t.step("get missing", lambda: r.get("nosuchkey"))
    t.step("set ex", lambda: r.set("session", "s1", ex=100))
    t.step("ttl after set ex", lambda: within(r.ttl("session"), 99, 100))
    t.step("set ex timedelta", lambda: r.set("td", "v", ex=datetime.timedelta(minutes=2)))
    t.step("ttl after timedelta", lambda: within(r.ttl("td"), 119, 120))
    t.step("set px", lambda: r.set("flash", "f1", px=100000))
    t.step("pttl after set px", lambda: within(r.pttl("flash"), 99000, 100000))
    t.step("set nx on existing", lambda: r.set("greeting", "x", nx=True))
    t.step("set nx on new", lambda: r.set("fresh", "x", nx=True))
    t.step("set xx on missing", lambda: r.set("nosuchkey", "x", xx=True))
    t.step("set xx on existing", lambda: r.set("fresh", "y", xx=True))
    t.step("set keepttl", lambda: r.set("session", "s2", keepttl=True))
    t.step("ttl after keepttl", lambda: within(r.ttl("session"), 99, 100))
    t.step("set clears ttl", lambda: (r.set("flash", "f2"), r.ttl("flash")))
    t.step("set get", lambda: r.set("greeting", "hi", get=True))
    t.step("set get on missing", lambda: r.set("newkey", "v", get=True))
    t.step("set ex nx get", lambda: r.set("greeting", "z", ex=5, nx=True, get=True))
    t.step("set exat", lambda: r.set("atkey", "v", exat=int(time.time()) + 100))
    t.step("ttl after exat", lambda: within(r.ttl("atkey"), 98, 100))
    t.step("set int value", lambda: r.set("num", 42))
    t.step("set float value", lambda: r.set("fl", 1.5))
    t.step("get int value", lambda: r.get("num"))
    t.step("mset", lambda: r.mset({"k1": "v1", "k2": "v2", "k3": "v3"}))
    t.step("mget", lambda: r.mget("k1", "nosuchkey", "k3"))
    t.step("mget list", lambda: r.mget(["k1", "k2"]))
    t.step("msetnx", lambda: r.msetnx({"k1": "x", "k9": "y"}))
    t.step("setnx", lambda: r.setnx("k9", "y"))
    t.step("setex", lambda: r.setex("sx", 50, "v"))
    t.step("psetex", lambda: r.psetex("psx", 50000, "v"))
    t.step("getset", lambda: r.getset("k1", "v1b"))
    t.step("incr new", lambda: r.incr("counter"))
    t.step("incrby", lambda: r.incrby("counter", 41))
    t.step("incr amount", lambda: r.incr("counter", 2))
    t.step("decr", lambda: r.decr("counter"))
    t.step("decrby", lambda: r.decrby("counter", -10))
    t.step("incrbyfloat", lambda: r.incrbyfloat("float", 0.1))
    t.step("incrbyfloat again", lambda: r.incrbyfloat("float", 0.2))
    t.step("get float", lambda: r.get("float"))
    t.step("incrbyfloat exponent", lambda: r.incrbyfloat("float", 5.0e3))
    t.step("append new", lambda: r.append("text", "Hello"))
    t.step("append", lambda: r.append("text", " World"))
    t.step("strlen", lambda: r.strlen("text"))
    t.step("strlen missing", lambda: r.strlen("nosuchkey"))
    t.step("getrange", lambda: r.getrange("text", 0, 4))
    t.step("getrange negative", lambda: r.getrange("text", -5, -1))
    t.step("getrange out of range", lambda: r.getrange("text", 100, 200))
    t.step("substr", lambda: r.substr("text", 6))
    t.step("setrange", lambda: r.setrange("text", 6, "Redis"))
    t.step("setrange pads", lambda: r.setrange("padded", 3, "x"))
    t.step("get after setrange", lambda: r.get("text"))
    t.step("getdel", lambda: r.getdel("k2"))
    t.step("getdel again", lambda: r.getdel("k2"))
    t.step("getex ex", lambda: r.getex("k3", ex=200))
    t.step("ttl after getex", lambda: within(r.ttl("k3"), 199, 200))
    t.step("getex persist", lambda: r.getex("k3", persist=True))
    t.step("ttl after persist", lambda: r.ttl("k3"))
    t.step("getex missing", lambda: r.getex("nosuchkey", px=100))
    t.step("getex plain", lambda: r.getex("k3"))
    t.step("lcs", lambda: (r.mset({"lcs1": "ohmytext", "lcs2": "mynewtext"}),
                           r.lcs("lcs1", "lcs2")))
    t.step("lcs len", lambda: r.lcs("lcs1", "lcs2", len=True))
    t.step("lcs idx", lambda: r.lcs("lcs1", "lcs2", idx=True, minmatchlen=4, withmatchlen=True))
    t.step("stralgo", lambda: r.stralgo("LCS", "ohmytext", "mynewtext"))

    # Keys.
    t.step("exists", lambda: r.exists("k1", "k3", "nosuchkey", "k1"))
    t.step("type string", lambda: r.type("k1"))
    t.step("type none", lambda: r.type("nosuchkey"))
    t.step("delete", lambda: r.delete("k9", "nosuchkey"))
    t.step("del item", lambda: r.__delitem__("fl"))
    t.step("contains", lambda: ["num" in r, "fl" in r])

    def getitem_missing():
        try:
            return r["nosuchkey"]
        except KeyError as e:
            return f"KeyError {e}"

    t.step("getitem missing", getitem_missing)
    t.step("getitem", lambda: r["greeting"])
    t.step("unlink", lambda: r.unlink("num", "nosuchkey"))
    t.step("expire", lambda: r.expire("k1", 100))
    t.step("ttl", lambda: within(r.ttl("k1"), 99, 100))
    t.step("expire nx on key with ttl", lambda: r.expire("k1", 10, nx=True))
    t.step("expire xx", lambda: r.expire("k1", 150, xx=True))
    t.step("expire gt", lambda: r.expire("k1", 300, gt=True))
    t.step("expire lt", lambda: r.expire("k1", 400, lt=True))
    t.step("expire gt on key without ttl", lambda: r.expire("newkey", 300, gt=True))
    t.step("ttl after gt", lambda: within(r.ttl("k1"), 299, 300))
    t.step("expire timedelta", lambda: r.expire("newkey", datetime.timedelta(seconds=60)))
    t.step("ttl after timedelta", lambda: within(r.ttl("newkey"), 59, 60))
    t.step("expiretime", lambda: within(r.expiretime("k1") - int(time.time()), 298, 301))
    t.step("touch", lambda: r.touch("k1", "k3", "nosuchkey"))
    t.step("pexpire", lambda: r.pexpire("k3", 100000))
    t.step("pttl", lambda: within(r.pttl("k3"), 99000, 100000))
    t.step("ttl missing", lambda: r.ttl("nosuchkey"))
    t.step("ttl no expiry", lambda: r.ttl("counter"))
    t.step("pttl no expiry", lambda: r.pttl("counter"))
    t.step("persist", lambda: r.persist("k1"))
    t.step("persist again", lambda: r.persist("k1"))
    t.step("expireat datetime", lambda: r.expireat(
        "k1", datetime.datetime.now() + datetime.timedelta(seconds=1000)))
    t.step("ttl after expireat", lambda: within(r.ttl("k1"), 998, 1000))
    t.step("expireat past deletes", lambda: r.expireat("k1", 1000))
    t.step("exists after expireat past", lambda: r.exists("k1"))
    t.step("pexpireat", lambda: r.pexpireat("k3", int(time.time() * 1000) + 100000))
    t.step("pexpire 1ms", lambda: r.pexpire("fresh", 1))
    t.step("get after expiry", lambda: (time.sleep(0.02), r.get("fresh"))[1])
    t.step("rename", lambda: r.rename("text", "text2"))
    t.step("rename missing", lambda: r.rename("nosuchkey", "x"))
    t.step("renamenx onto existing", lambda: r.renamenx("text2", "counter"))
    t.step("renamenx", lambda: r.renamenx("text2", "text3"))
    t.step("copy", lambda: r.copy("text3", "text4"))
    t.step("copy onto existing", lambda: r.copy("text3", "text4"))
    t.step("copy replace", lambda: r.copy("counter", "text4", replace=True))
    t.step("copy destination_db", lambda: r.copy("text3", "copied", destination_db=3))
    t.step("move", lambda: r.move("float", 3))
    t.step("move onto existing", lambda: (r.set("float", "again"), r.move("float", 3)))
    t.step("keys pattern", lambda: sorted(r.keys("k*")))
    t.step("keys all", lambda: sorted(r.keys()))
    t.step("keys escaped", lambda: (r.set("a*b", "1"), sorted(r.keys("a\\*b"))))
    t.step("randomkey", lambda: r.randomkey() is not None)
    t.step("dbsize", r.dbsize)

    # SCAN.
    def fill():
        pipe = r.pipeline(transaction=False)
        for i in range(120):
            pipe.set(f"scan:{i}", i)
        for i in range(30):
            pipe.set(f"other:{i}", i)
        return len(pipe.execute())

    t.step("scan: fill", fill)
    t.step("scan_iter match count", lambda: sorted(set(r.scan_iter(match="scan:*", count=7))))
    t.step("scan_iter all", lambda: len(set(r.scan_iter(count=1000))))
    t.step("scan_iter _type", lambda: len(set(r.scan_iter(match="other:*", _type="string"))))
    t.step("scan_iter no match", lambda: list(r.scan_iter(match="zzz*")))

    def scan_loop():
        cursor, seen = 0, set()
        while True:
            cursor, keys = r.scan(cursor, match="other:1*", count=5)
            seen.update(keys)
            if cursor == 0:
                return sorted(seen)

    t.step("scan loop", scan_loop)

    # Databases: redis-py selects them with db=.
    t.step("db 3: get copied", lambda: db3.get("copied"))
    t.step("db 3: get moved", lambda: db3.get("float"))
    t.step("db 3: dbsize", db3.dbsize)
    t.step("db 5: dbsize", db5.dbsize)
    t.step("db 5: set", lambda: db5.set("in5", "yes"))
    t.step("db 0: get in5", lambda: r.get("in5"))
    t.step("swapdb", lambda: r.swapdb(3, 5))
    t.step("db 3 after swapdb", lambda: [db3.get("in5"), db3.get("copied")])
    t.step("swapdb back", lambda: r.swapdb(3, 5))
    t.step("select command", lambda: db5.execute_command("SELECT", 16))

    def bad_db():
        c = redis.Redis(host="127.0.0.1", port=port, db=16, decode_responses=True)
        try:
            return c.ping()
        finally:
            c.close()

    t.step("db=16", bad_db)

    # INFO: redis-py parses it into a dict, keyspace lines into dicts of their own.
    def info():
        i = r.info()
        keyspace = {}
        for db in ("db0", "db3", "db5"):
            d = dict(i.get(db, {}))
            d.pop("avg_ttl", None)
            keyspace[db] = d
        return {
            "redis_version": i.get("redis_version"),
            "redis_mode": i.get("redis_mode"),
            "loading": i.get("loading"),
            "keyspace": keyspace,
        }

    t.step("info", info)

    def info_keyspace():
        i = r.info("keyspace")
        return {db: {k: v for k, v in d.items() if k != "avg_ttl"} for db, d in i.items()}

    t.step("info keyspace", info_keyspace)
    t.step("info server types", lambda: {
        k: type(v).__name__ for k, v in r.info("server").items()
        if k in ("redis_version", "redis_mode", "tcp_port", "uptime_in_seconds", "hz")})
    t.step("info bad section", lambda: r.info("nosuchsection"))
    t.step("info two sections", lambda: sorted(
        k for k in r.info("server", "keyspace") if k in ("redis_version", "db0", "connected_clients")))
    t.step("info everything", lambda: sorted(
        k for k in r.info("everything") if k in ("redis_version", "db0", "connected_clients")))

    # Pipelines without MULTI.
    def pipeline():
        pipe = r.pipeline(transaction=False)
        pipe.set("p1", "1").incr("p1").incr("greeting").get("p1")
        pipe.execute_command("NOSUCHCOMMAND", "a")
        pipe.expire("p1", 100).ttl("p1")
        return pipe.execute(raise_on_error=False)

    t.step("pipeline raise_on_error=False", pipeline)

    def pipeline_raises():
        pipe = r.pipeline(transaction=False)
        pipe.set("p2", "x").incr("p2").get("p2")
        return pipe.execute()

    t.step("pipeline raises", pipeline_raises)
    t.step("after pipeline error", lambda: r.get("p2"))

    def pipeline_context():
        with r.pipeline(transaction=False) as pipe:
            return pipe.mset({"m1": "1", "m2": "2"}).mget("m1", "m2").delete("m1", "m2").execute()

    t.step("pipeline context manager", pipeline_context)

    # Errors.
    t.step("incr non-integer", lambda: r.incr("greeting"))
    t.step("incrbyfloat non-float", lambda: r.incrbyfloat("greeting", 1))
    t.step("incrby bad arg", lambda: r.execute_command("INCRBY", "counter", "abc"))
    t.step("expire bad arg", lambda: r.execute_command("EXPIRE", "counter", "soon"))
    t.step("set ex 0", lambda: r.set("bad", "v", ex=0))
    t.step("set ex -5", lambda: r.set("bad", "v", ex=-5))
    t.step("set px 0", lambda: r.set("bad", "v", px=0))
    t.step("set nx xx", lambda: r.set("bad", "v", nx=True, xx=True))
    t.step("set ex and px", lambda: r.set("bad", "v", ex=1, px=1))
    t.step("setrange negative", lambda: r.setrange("text3", -1, "x"))
    t.step("incr overflow", lambda: (r.set("big", "9223372036854775807"), r.incr("big")))
    t.step("incrbyfloat overflow", lambda: (r.set("huge", "1e308"), r.incrbyfloat("huge", 1e308)))
    t.step("unknown command", lambda: r.execute_command("NOSUCHCOMMAND", "a", "b"))
    t.step("wrong arity get", lambda: r.execute_command("GET"))
    t.step("wrong arity set", lambda: r.execute_command("SET", "k"))
    t.step("wrong arity mset", lambda: r.execute_command("MSET", "a", "1", "b"))
    t.step("copy same key", lambda: r.copy("counter", "counter"))
    t.step("getex bad option", lambda: r.execute_command("GETEX", "counter", "EX"))
    t.step("getex ex and persist", lambda: r.getex("counter", ex=1, persist=True))
    t.step("connection goes on after errors", r.ping)

    # Not reusing r after QUIT: redis-py reconnects only if it sees the server's FIN before
    # sending its next command, a race it loses now and then against Redis too.
    t.step("quit", r.quit)
    for c in (r, db3, db5):
        c.close()


def binary_part(t, port):
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=False)
    data = bytes(range(256))
    key = b"\x00\r\n\xff "
    t.step("binary set", lambda: r.set(key, data))
    t.step("binary get", lambda: r.get(key))
    t.step("binary strlen", lambda: r.strlen(key))
    t.step("binary append", lambda: r.append(key, b"\x00\x00"))
    t.step("binary getrange", lambda: r.getrange(key, 250, -1))
    t.step("binary mget", lambda: r.mget(key, b"nosuchkey"))
    t.step("binary keys", lambda: r.keys(b"\x00*"))
    t.step("binary scan_iter", lambda: list(r.scan_iter(match=b"\x00\r*")))
    t.step("binary exists", lambda: r.exists(key))
    t.step("binary type", lambda: r.type(key))
    t.step("binary getdel", lambda: r.getdel(key))
    t.step("utf-8 value", lambda: (r.set("unicode", "héllo wörld ✓"), r.get("unicode")))
    t.step("utf-8 strlen", lambda: r.strlen("unicode"))
    t.step("latin-1 bytes", lambda: (r.set(b"\xe9", b"\xe9\xff"), r.get(b"\xe9")))
    t.step("incr reply", lambda: (r.set("n", 1), r.incr("n")))
    t.step("incrbyfloat reply", lambda: r.incrbyfloat("n", 0.5))
    t.step("info keyspace, bytes client", lambda: {
        db: {k: v for k, v in d.items() if k != "avg_ttl"}
        for db, d in r.info("keyspace").items()})
    t.step("flushdb", r.flushdb)
    t.step("dbsize after flushdb", r.dbsize)
    t.step("flushall", r.flushall)
    r.close()


def main():
    port = int(sys.argv[1])
    t = Transcript()
    t.note("redis-py version", redis.__version__)
    text_part(t, port)
    binary_part(t, port)
    print(json.dumps(t.entries, allow_nan=False))


if __name__ == "__main__":
    main()
