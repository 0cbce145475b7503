"""redis-py, used as a new user would, against the server on the port given as argv[1].

Runs string, key, expiry, database (db=), SCAN, INFO, pipeline and error-case calls, then
lists (a job queue, workers in threads blocked until a push), hashes, sets, sorted sets,
SORT, OBJECT and WRONGTYPE errors, transactions, and Pub/Sub (channels, patterns, a handler
thread, keyspace notifications), and prints one JSON transcript: a list of [label, result]
pairs, bytes as {"hex": ...} and Redis errors as {"error": str(e), "class": name}.
tests/clients/redis_py_test.ts runs it against miniredis and against a real redis-server and
compares the two transcripts.

Sets come back as Python sets and are recorded sorted; random picks are recorded by their
properties (sizes, membership). TTLs depend on timing, so they are recorded as "within
range" booleans (or the value itself when out of range, so that a failure shows it).
"""
import concurrent.futures
import datetime
import json
import math
import sys
import threading
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


def took_within(start, low, high):
    """True when the seconds since start (a time.monotonic() reading) lie in [low, high]."""
    elapsed = time.monotonic() - start
    return True if low <= elapsed <= high else elapsed


def until_blocked(r, count):
    """Polls INFO clients until the server reports count blocked clients; returns the count
    last seen. Called before pushing to a key another connection is blocked on, so that the
    push wakes a waiter rather than racing it."""
    seen = -1
    for _ in range(200):
        seen = r.info("clients")["blocked_clients"]
        if seen >= count:
            break
        time.sleep(0.005)
    return seen


def queue_part(t, r):
    """A queue of jobs: producers push, a worker pops (blocking, with a timeout), acks."""
    t.step("queue: lpush one", lambda: r.lpush("jobs", "job:1"))
    t.step("queue: lpush many", lambda: r.lpush("jobs", "job:2", "job:3", "job:4"))
    t.step("queue: llen", lambda: r.llen("jobs"))
    t.step("queue: lrange", lambda: r.lrange("jobs", 0, -1))
    t.step("queue: brpop ready", lambda: r.brpop("jobs", timeout=1))
    t.step("queue: lmove to processing", lambda: r.lmove("jobs", "processing", "RIGHT", "LEFT"))
    t.step("queue: rpoplpush to processing", lambda: r.rpoplpush("jobs", "processing"))
    t.step("queue: lrange processing", lambda: r.lrange("processing", 0, -1))
    t.step("queue: lrem ack", lambda: r.lrem("processing", 1, "job:2"))
    t.step("queue: lrem ack again", lambda: r.lrem("processing", 1, "job:2"))
    t.step("queue: last job", lambda: r.rpop("jobs"))
    t.step("queue: blpop several keys",
           lambda: (r.rpush("urgent", "fire"), r.blpop(["jobs", "urgent"], timeout=1))[1])
    t.step("queue: emptied list is gone",
           lambda: [r.llen("jobs"), r.exists("jobs", "urgent"), r.type("jobs")])

    def timed(fn):
        start = time.monotonic()
        return [fn(), took_within(start, 0.18, 3)]

    # redis-py types the timeout as int seconds; Redis takes a float, and so does redis-py.
    t.step("queue: brpop times out (int timeout)", lambda: timed(lambda: r.brpop("jobs", 1)))
    t.step("queue: blpop times out (float timeout)",
           lambda: timed(lambda: r.blpop("jobs", timeout=0.2)))
    t.step("queue: blmove times out",
           lambda: timed(lambda: r.blmove("jobs", "processing", 0.2, "LEFT", "RIGHT")))
    t.step("queue: blmpop ready", lambda: (
        r.rpush("batch", "a", "b", "c"),
        r.blmpop(1, 2, "jobs", "batch", direction="LEFT", count=2))[1])
    t.step("queue: lmpop", lambda: r.lmpop(2, "jobs", "batch", direction="RIGHT"))
    t.step("queue: lmpop empty", lambda: r.lmpop(1, "batch", direction="LEFT"))
    t.step("queue: brpop negative timeout", lambda: r.brpop("jobs", -1))

    # A capped "recent activity" list, and edits in place.
    def recent():
        for event in ["login", "view", "click", "logout", "login"]:
            r.lpush("recent", event)
            r.ltrim("recent", 0, 3)
        return r.lrange("recent", 0, -1)

    t.step("recent: lpush + ltrim", recent)
    t.step("recent: lindex", lambda: r.lindex("recent", -1))
    t.step("recent: lpos", lambda: r.lpos("recent", "login"))
    t.step("recent: lpos rank", lambda: r.lpos("recent", "login", rank=-1))
    t.step("recent: lpos count", lambda: r.lpos("recent", "login", count=0))
    t.step("recent: linsert", lambda: r.linsert("recent", "BEFORE", "click", "scroll"))
    t.step("recent: lset", lambda: r.lset("recent", 0, "login!"))
    t.step("recent: lset out of range", lambda: r.lset("recent", 99, "x"))
    t.step("recent: lset missing", lambda: r.lset("nosuchlist", 0, "x"))
    t.step("recent: lrange after edits", lambda: r.lrange("recent", 0, -1))
    t.step("recent: lpop count", lambda: r.lpop("recent", 2))
    t.step("recent: rpushx missing", lambda: r.rpushx("nosuchlist", "x"))
    t.step("recent: lrange out of range", lambda: r.lrange("recent", 10, 20))


def blocking_part(t, r, port):
    """Workers on other connections (in threads), blocked until this one pushes."""
    w1 = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    w2 = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        t.step("workers: ping", lambda: [w1.ping(), w2.ping()])

        def woken():
            popped = pool.submit(w1.blpop, "inbox", 3)
            blocked = until_blocked(r, 1)
            pushed = r.rpush("inbox", "hello")
            return [blocked, pushed, popped.result(), r.exists("inbox")]

        t.step("worker: blpop woken by rpush", woken)

        def in_order():
            first = pool.submit(w1.blpop, "inbox", 3)
            until_blocked(r, 1)
            second = pool.submit(w2.brpop, "inbox", 3)
            blocked = until_blocked(r, 2)
            pushed = r.rpush("inbox", "a", "b", "c")
            return [blocked, pushed, first.result(), second.result(), r.lrange("inbox", 0, -1)]

        t.step("workers: served in order", in_order)

        def blmove():
            moved = pool.submit(w1.blmove, "inbox2", "done", 3, "LEFT", "RIGHT")
            until_blocked(r, 1)
            r.lpush("inbox2", "task")
            return [moved.result(), r.lrange("done", 0, -1)]

        t.step("worker: blmove woken by lpush", blmove)

        def blmpop():
            popped = pool.submit(
                lambda: w1.blmpop(3, 1, "inbox3", direction="RIGHT", count=10))
            until_blocked(r, 1)
            r.rpush("inbox3", "1", "2", "3")
            return popped.result()

        t.step("worker: blmpop woken by rpush", blmpop)

        def bzpopmin():
            popped = pool.submit(w2.bzpopmin, "deadlines", 3)
            until_blocked(r, 1)
            r.zadd("deadlines", {"later": 20, "sooner": 10})
            return [popped.result(), r.zrange("deadlines", 0, -1, withscores=True)]

        t.step("worker: bzpopmin woken by zadd", bzpopmin)
        t.step("workers: nobody blocked at the end", lambda: until_blocked(r, 0))
    w1.close()
    w2.close()


def hash_part(t, r):
    """A user record as a hash."""
    t.step("hash: hset mapping", lambda: r.hset(
        "user:1", mapping={"name": "Ada", "email": "ada@example.com", "visits": 0}))
    t.step("hash: hset key value and mapping", lambda: r.hset(
        "user:1", "name", "Ada L.", mapping={"city": "London"}))
    t.step("hash: hget", lambda: r.hget("user:1", "name"))
    t.step("hash: hget missing field", lambda: r.hget("user:1", "phone"))
    t.step("hash: hmget", lambda: r.hmget("user:1", ["name", "phone", "city"]))
    t.step("hash: hgetall (small hash keeps insertion order)",
           lambda: list(r.hgetall("user:1").items()))
    t.step("hash: hgetall missing", lambda: r.hgetall("nosuchhash"))
    t.step("hash: hincrby", lambda: r.hincrby("user:1", "visits"))
    t.step("hash: hincrby again", lambda: r.hincrby("user:1", "visits", 5))
    t.step("hash: hincrbyfloat", lambda: r.hincrbyfloat("user:1", "balance", 10.5))
    t.step("hash: hincrbyfloat 0.1", lambda: r.hincrbyfloat("user:1", "balance", 0.1))
    t.step("hash: hget float field", lambda: r.hget("user:1", "balance"))
    t.step("hash: hexists", lambda: r.hexists("user:1", "email"))
    t.step("hash: hdel", lambda: r.hdel("user:1", "email", "phone"))
    t.step("hash: hexists after hdel", lambda: r.hexists("user:1", "email"))
    t.step("hash: hsetnx existing", lambda: r.hsetnx("user:1", "name", "x"))
    t.step("hash: hsetnx new", lambda: r.hsetnx("user:1", "lang", "en"))
    t.step("hash: hlen", lambda: r.hlen("user:1"))
    t.step("hash: hkeys", lambda: r.hkeys("user:1"))
    t.step("hash: hvals", lambda: r.hvals("user:1"))
    t.step("hash: hstrlen", lambda: r.hstrlen("user:1", "city"))

    def hrandfield():
        fields = r.hkeys("user:1")
        one = r.hrandfield("user:1")
        picked = r.hrandfield("user:1", 3)
        many = r.hrandfield("user:1", -10, withvalues=True)
        everything = r.hgetall("user:1")
        pairs = list(zip(many[::2], many[1::2]))
        return [one in fields, len(picked), len(set(picked)), set(picked) <= set(fields),
                len(pairs), all(everything[f] == v for f, v in pairs)]

    t.step("hash: hrandfield", hrandfield)
    t.step("hash: hincrby non-integer", lambda: r.hincrby("user:1", "name", 1))
    t.step("hash: hincrbyfloat non-float", lambda: r.hincrbyfloat("user:1", "name", 1))
    t.step("hash: hset nothing", lambda: r.hset("user:1"))
    t.step("hash: object encoding small", lambda: r.object("encoding", "user:1"))
    t.step("hash: big hash", lambda: [
        r.hset("big:hash", mapping={f"f{i}": i for i in range(600)}),
        r.object("encoding", "big:hash")])

    def hscan_all():
        pairs = set(f"{f}={v}" for f, v in r.hscan_iter("big:hash", count=50))
        return [len(pairs), sorted(pairs)[:3]]

    t.step("hash: hscan_iter", hscan_all)
    t.step("hash: hscan_iter match",
           lambda: sorted(f for f, _ in r.hscan_iter("user:1", match="c*")))
    t.step("hash: hscan one page", lambda: (lambda c, d: [c, len(d)])(*r.hscan("user:1", 0)))
    t.step("hash: long value converts encoding", lambda: (
        r.hset("user:2", "bio", "x" * 100), r.object("encoding", "user:2"))[1])


def set_part(t, r):
    """Tags on posts as sets."""
    t.step("set: sadd", lambda: r.sadd("tags:post1", "redis", "database", "fast"))
    t.step("set: sadd existing", lambda: r.sadd("tags:post1", "redis", "cache"))
    t.step("set: smembers", lambda: r.smembers("tags:post1"))
    t.step("set: sismember", lambda: r.sismember("tags:post1", "redis"))
    t.step("set: sismember missing", lambda: r.sismember("tags:post1", "nope"))
    t.step("set: smismember", lambda: r.smismember("tags:post1", ["redis", "nope", "cache"]))
    t.step("set: scard", lambda: r.scard("tags:post1"))
    t.step("set: sadd second", lambda: r.sadd("tags:post2", "redis", "deno", "typescript"))
    t.step("set: sinter", lambda: r.sinter("tags:post1", "tags:post2"))
    t.step("set: sunion", lambda: r.sunion(["tags:post1", "tags:post2"]))
    t.step("set: sdiff", lambda: r.sdiff("tags:post1", "tags:post2"))
    t.step("set: sunionstore", lambda: r.sunionstore("tags:all", ["tags:post1", "tags:post2"]))
    t.step("set: sinterstore", lambda: r.sinterstore("tags:common", ["tags:post1", "tags:post2"]))
    t.step("set: sintercard", lambda: r.sintercard(2, ["tags:post1", "tags:post2"]))
    t.step("set: sintercard limit", lambda: r.sintercard(2, ["tags:all", "tags:post1"], limit=2))
    t.step("set: srem", lambda: r.srem("tags:post1", "fast", "nope"))
    t.step("set: smove", lambda: r.smove("tags:post1", "tags:post2", "cache"))
    t.step("set: after smove", lambda: [r.smembers("tags:post1"), r.smembers("tags:post2")])

    def spop():
        everything = r.smembers("tags:all")
        popped = r.spop("tags:all", 2)
        left = r.smembers("tags:all")
        return [len(popped), set(popped) <= everything and not set(popped) & left, len(left)]

    t.step("set: spop count", spop)
    t.step("set: spop one", lambda: r.spop("tags:all") in {"cache", "database", "deno", "fast",
                                                           "redis", "typescript"})

    def srandmember():
        picked = r.srandmember("tags:all", -10)
        return [len(picked), set(picked) <= r.smembers("tags:all")]

    t.step("set: srandmember negative count", srandmember)
    t.step("set: smembers missing", lambda: r.smembers("nosuchset"))
    t.step("set: emptied set is gone",
           lambda: (r.srem("tags:common", "redis"), r.exists("tags:common"))[1])
    t.step("set: object encoding intset",
           lambda: (r.sadd("ids", 1, 2, 3), r.object("encoding", "ids"))[1])
    t.step("set: object encoding after a string member",
           lambda: (r.sadd("ids", "x"), r.object("encoding", "ids"))[1])

    def sscan_all():
        r.sadd("big:set", *[f"m{i}" for i in range(200)])
        seen = set(r.sscan_iter("big:set", count=20))
        return [len(seen), sorted(seen)[:3]]

    t.step("set: sscan_iter", sscan_all)


def sorted_set_part(t, r):
    """A leaderboard and a schedule as sorted sets."""
    t.step("zset: zadd", lambda: r.zadd("board", {"alice": 100, "bob": 85, "carol": 92}))
    t.step("zset: zadd nx", lambda: r.zadd("board", {"alice": 50, "dave": 70}, nx=True))
    t.step("zset: zadd gt lower", lambda: r.zadd("board", {"alice": 90}, gt=True))
    t.step("zset: zadd gt ch higher", lambda: r.zadd("board", {"alice": 120}, gt=True, ch=True))
    t.step("zset: zadd xx missing", lambda: r.zadd("board", {"nobody": 1}, xx=True))
    t.step("zset: zadd incr", lambda: r.zadd("board", {"bob": 5}, incr=True))
    t.step("zset: zadd nx gt (client-side check)",
           lambda: r.zadd("board", {"bob": 1}, nx=True, gt=True))
    t.step("zset: zincrby", lambda: r.zincrby("board", 10, "bob"))
    t.step("zset: zrange withscores", lambda: r.zrange("board", 0, -1, withscores=True))
    t.step("zset: zrange desc top 3", lambda: r.zrange("board", 0, 2, desc=True, withscores=True))
    t.step("zset: zrange score_cast_func int",
           lambda: r.zrange("board", 0, 0, withscores=True, score_cast_func=int))
    t.step("zset: zrevrange", lambda: r.zrevrange("board", 0, 1))
    t.step("zset: zrevrank", lambda: r.zrevrank("board", "bob"))
    t.step("zset: zrank", lambda: r.zrank("board", "dave"))
    t.step("zset: zrank missing", lambda: r.zrank("board", "nobody"))
    t.step("zset: zscore", lambda: r.zscore("board", "alice"))
    t.step("zset: zscore missing", lambda: r.zscore("board", "nobody"))
    t.step("zset: zmscore", lambda: r.zmscore("board", ["alice", "nobody"]))
    t.step("zset: zcount", lambda: r.zcount("board", 90, 100))
    t.step("zset: zrangebyscore limit",
           lambda: r.zrangebyscore("board", 80, "+inf", start=0, num=2))
    t.step("zset: zrangebyscore exclusive",
           lambda: r.zrangebyscore("board", "(92", "+inf", withscores=True))
    t.step("zset: zrevrangebyscore", lambda: r.zrevrangebyscore("board", "+inf", 90))
    t.step("zset: zrange byscore offset num", lambda: r.zrange(
        "board", "-inf", "+inf", byscore=True, offset=1, num=2))
    t.step("zset: zcard", lambda: r.zcard("board"))
    t.step("zset: object encoding", lambda: r.object("encoding", "board"))

    t.step("zset: float scores", lambda: r.zadd(
        "floats", {"tenth": 0.1, "top": float("inf"), "bottom": float("-inf"), "huge": 1e300}))
    t.step("zset: zscore 0.1", lambda: r.zscore("floats", "tenth"))
    t.step("zset: zscore inf", lambda: r.zscore("floats", "top"))
    t.step("zset: zscore -inf", lambda: r.zscore("floats", "bottom"))
    t.step("zset: zscore 1e300", lambda: r.zscore("floats", "huge"))
    t.step("zset: zincrby 0.2", lambda: r.zincrby("floats", 0.2, "tenth"))
    t.step("zset: zrange floats", lambda: r.zrange("floats", 0, -1, withscores=True))
    t.step("zset: zrange floats as text",
           lambda: r.zrange("floats", 0, -1, withscores=True, score_cast_func=str))
    t.step("zset: zincrby to NaN", lambda: r.zincrby("floats", float("-inf"), "top"))
    t.step("zset: zadd nan", lambda: r.zadd("floats", {"x": float("nan")}))

    t.step("zset: zpopmin", lambda: r.zpopmin("board"))
    t.step("zset: zpopmin count", lambda: r.zpopmin("board", 2))
    t.step("zset: bzpopmin ready", lambda: r.bzpopmin("board", timeout=1))
    t.step("zset: emptied zset is gone", lambda: r.exists("board"))

    def bzpopmin_timeout():
        start = time.monotonic()
        return [r.bzpopmin("board", timeout=0.2), took_within(start, 0.18, 3)]

    t.step("zset: bzpopmin times out", bzpopmin_timeout)
    t.step("zset: zpopmax missing", lambda: r.zpopmax("board"))

    t.step("zset: weekly scores", lambda: [
        r.zadd("week1", {"alice": 10, "bob": 20, "carol": 5}),
        r.zadd("week2", {"alice": 7, "dave": 1})])
    t.step("zset: zunionstore weights", lambda: r.zunionstore("total", {"week1": 1, "week2": 2}))
    t.step("zset: union result", lambda: r.zrange("total", 0, -1, withscores=True))
    t.step("zset: zinterstore aggregate max",
           lambda: r.zinterstore("both", ["week1", "week2"], aggregate="MAX"))
    t.step("zset: inter result", lambda: r.zrange("both", 0, -1, withscores=True))
    t.step("zset: zunion min withscores",
           lambda: r.zunion(["week1", "week2"], aggregate="MIN", withscores=True))
    t.step("zset: zrangestore", lambda: r.zrangestore("top2", "total", 0, 1, desc=True))
    t.step("zset: zremrangebyscore", lambda: r.zremrangebyscore("total", "-inf", 10))

    def zrandmember():
        picked = r.zrandmember("total", -5)
        return [len(picked), set(picked) <= {"alice", "bob", "carol", "dave"}]

    t.step("zset: zrandmember", zrandmember)
    t.step("zset: big zset", lambda: [
        r.zadd("big:zset", {f"p{i}": i / 4 for i in range(200)}),
        r.object("encoding", "big:zset")])

    def zscan_all():
        pairs = set(f"{m}={s}" for m, s in r.zscan_iter("big:zset", count=30))
        return [len(pairs), sorted(pairs)[:3]]

    t.step("zset: zscan_iter", zscan_all)


def sort_and_key_part(t, r):
    """SORT, TYPE, OBJECT, COPY/RENAME of collections, and WRONGTYPE errors."""
    def setup():
        r.rpush("sort:ids", 3, 1, 2, 10)
        r.mset({"weight_1": 30, "weight_2": 10, "weight_3": 20, "weight_10": 5})
        for uid, name in [(1, "ann"), (2, "ben"), (3, "cat"), (10, "dan")]:
            r.hset(f"user_{uid}", "name", name)
        return r.rpush("sort:names", "bob", "alice", "Carl")

    t.step("sort: setup", setup)
    t.step("sort: numeric", lambda: r.sort("sort:ids"))
    t.step("sort: desc start num", lambda: r.sort("sort:ids", desc=True, start=0, num=2))
    t.step("sort: alpha", lambda: r.sort("sort:ids", alpha=True))
    t.step("sort: by get", lambda: r.sort("sort:ids", by="weight_*", get=["#", "user_*->name"]))
    t.step("sort: by get groups", lambda: r.sort(
        "sort:ids", by="weight_*", get=["#", "user_*->name"], groups=True))
    t.step("sort: by nosort get", lambda: r.sort("sort:ids", by="nosort", get="user_*->name"))
    t.step("sort: get missing", lambda: r.sort("sort:ids", get="nosuch_*"))
    t.step("sort: strings without alpha", lambda: r.sort("sort:names"))
    t.step("sort: alpha store", lambda: r.sort("sort:names", alpha=True, store="sorted"))
    t.step("sort: stored list", lambda: r.lrange("sorted", 0, -1))
    t.step("sort: a set", lambda: r.sort("tags:post2", alpha=True))
    t.step("sort: a zset", lambda: r.sort("week1", alpha=True, desc=True))
    t.step("sort: sort_ro", lambda: r.sort_ro("sort:ids", desc=True))
    t.step("sort: missing key", lambda: r.sort("nosuchlist"))
    t.step("sort: a string", lambda: r.sort("greeting"))

    t.step("type: each kind", lambda: [
        r.type(k) for k in ["recent", "user:1", "tags:post2", "week1", "greeting", "nosuchkey"]])

    def encodings():
        r.set("intval", 12345)
        r.set("longval", "x" * 50)
        keys = ["recent", "user:1", "tags:post2", "ids", "week1", "greeting", "intval", "longval"]
        return [r.object("encoding", k) for k in keys]

    t.step("object encoding: each kind", encodings)
    t.step("object encoding missing", lambda: r.object("encoding", "nosuchkey"))
    t.step("object refcount", lambda: r.object("refcount", "user:1"))
    t.step("object freq without LFU", lambda: r.object("freq", "user:1"))

    t.step("copy hash", lambda: r.copy("user:1", "user:copy"))
    t.step("copy is independent", lambda: (
        r.hset("user:copy", "name", "Bob"), [r.hget("user:1", "name"), r.hget("user:copy", "name")]
    )[1])
    t.step("copy onto existing", lambda: r.copy("user:1", "user:copy"))
    t.step("copy replace",
           lambda: [r.copy("user:1", "user:copy", replace=True), r.hget("user:copy", "name")])

    def copies():
        r.copy("tags:post2", "tags:copy")
        r.copy("recent", "recent:copy")
        r.copy("week1", "week1:copy")
        r.sadd("tags:copy", "extra")
        r.rpush("recent:copy", "extra")
        r.zadd("week1:copy", {"extra": 1})
        return [r.scard("tags:post2"), r.llen("recent"), r.zcard("week1"),
                r.scard("tags:copy"), r.llen("recent:copy"), r.zcard("week1:copy")]

    t.step("copy set, list and zset", copies)
    t.step("rename hash", lambda: r.rename("user:copy", "user:renamed"))
    t.step("after rename", lambda: [r.exists("user:copy"), r.hgetall("user:renamed")])
    t.step("rename over another type",
           lambda: (r.rename("user:renamed", "week1:copy"), r.type("week1:copy"))[1])

    t.step("wrongtype: lpush on a hash", lambda: r.lpush("user:1", "x"))
    t.step("wrongtype: hget on a list", lambda: r.hget("recent", "x"))
    t.step("wrongtype: sadd on a string", lambda: r.sadd("greeting", "x"))
    t.step("wrongtype: zadd on a set", lambda: r.zadd("tags:post2", {"x": 1}))
    t.step("wrongtype: get on a zset", lambda: r.get("week1"))
    t.step("wrongtype: blpop on a hash", lambda: r.blpop("user:1", 1))
    t.step("wrongtype: sinter with a list", lambda: r.sinter("tags:post2", "recent"))
    t.step("wrongtype: hgetall on a set", lambda: r.hgetall("tags:post2"))

    def pipeline():
        pipe = r.pipeline(transaction=False)
        pipe.hset("cart:1", mapping={"apples": 3, "pears": 1}).hincrby("cart:1", "apples", 2)
        pipe.sadd("carts", "cart:1").zadd("cart:prices", {"apples": 1.5, "pears": 2.25})
        pipe.rpush("cart:log", "add apples", "add pears").hgetall("cart:1")
        pipe.lpush("cart:1", "oops").zrange("cart:prices", 0, -1, withscores=True)
        pipe.smembers("carts")
        return pipe.execute(raise_on_error=False)

    t.step("pipeline of collection commands", pipeline)


def collections_part(t, port):
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    queue_part(t, r)
    blocking_part(t, r, port)
    hash_part(t, r)
    set_part(t, r)
    sorted_set_part(t, r)
    sort_and_key_part(t, r)
    r.close()


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
    a, b = b"\x00\xff\r\n", b"\x01\x00"
    t.step("binary rpush + lrange",
           lambda: (r.rpush("bin:list", a, b), r.lrange("bin:list", 0, -1)))
    t.step("binary hset + hgetall", lambda: (
        r.hset("bin:hash", mapping={a: b}), list(r.hgetall("bin:hash").items())))
    t.step("binary sadd + smembers",
           lambda: (r.sadd("bin:set", a, b), sorted(r.smembers("bin:set"))))
    t.step("binary zadd + zrange", lambda: (
        r.zadd("bin:zset", {a: 2, b: 1}), r.zrange("bin:zset", 0, -1, withscores=True)))
    t.step("binary blpop", lambda: r.blpop([b"bin:\x00", "bin:list"], 1))
    t.step("binary object encoding", lambda: r.object("encoding", "bin:zset"))
    t.step("flushdb", r.flushdb)
    t.step("dbsize after flushdb", r.dbsize)
    t.step("flushall", r.flushall)
    r.close()


def transaction_part(t, port):
    """Transactions as redis-py users write them: pipelines (MULTI/EXEC), errors inside and
    while queueing, and optimistic locking with WATCH, retried by r.transaction()."""
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    other = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)

    def pipeline_basic():
        pipe = r.pipeline()
        pipe.set("tx:a", 1).incr("tx:a").get("tx:a").rpush("tx:l", "x", "y").lrange("tx:l", 0, -1)
        return pipe.execute()
    t.step("transaction pipeline", pipeline_basic)

    def runtime_error():
        pipe = r.pipeline()
        pipe.set("tx:s", "text").incr("tx:s").get("tx:s")
        return pipe.execute(raise_on_error=False)
    t.step("transaction with a runtime error, raise_on_error=False", runtime_error)

    def runtime_error_raised():
        pipe = r.pipeline()
        pipe.set("tx:s", "text").lpush("tx:s", "x")
        return pipe.execute()
    t.step("transaction with a runtime error, raised", runtime_error_raised)

    def queue_error():
        pipe = r.pipeline()
        pipe.set("tx:q", 1).execute_command("NOSUCHCOMMAND", "x").set("tx:q2", 2)
        try:
            pipe.execute()
        except redis.exceptions.ResponseError as e:
            return ["raised", type(e).__name__, str(e), r.exists("tx:q", "tx:q2")]
        return "no error"
    t.step("transaction aborted while queueing", queue_error)

    def watch_conflict():
        with r.pipeline() as pipe:
            pipe.watch("tx:w")
            value = int(pipe.get("tx:w") or 0)
            other.set("tx:w", 100)
            pipe.multi()
            pipe.set("tx:w", value + 1)
            try:
                pipe.execute()
            except redis.exceptions.WatchError as e:
                return ["WatchError", str(e), r.get("tx:w")]
        return "no conflict"
    t.step("watch, another client writes, execute raises WatchError", watch_conflict)

    attempts = []

    def incr_once(pipe):
        value = int(pipe.get("tx:counter") or 0)
        attempts.append(value)
        if len(attempts) == 1:
            other.incr("tx:counter")  # a concurrent writer, the first time only
        pipe.multi()
        pipe.set("tx:counter", value + 1)
    t.step("r.transaction retries after a conflict",
           lambda: [r.transaction(incr_once, "tx:counter"), attempts, r.get("tx:counter")])

    def workers():
        def work(n):
            c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
            for _ in range(n):
                c.transaction(
                    lambda p: (lambda v: (p.multi(), p.set("tx:shared", v + 1)))(
                        int(p.get("tx:shared") or 0)),
                    "tx:shared")
            c.close()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(work, [25] * 4))
        return r.get("tx:shared")
    t.step("4 threads x 25 optimistic increments", workers)

    def unwatch_then_exec():
        with r.pipeline() as pipe:
            pipe.watch("tx:u")
            other.set("tx:u", "changed")
            pipe.unwatch()
            pipe.multi()
            pipe.set("tx:u", "mine")
            return [pipe.execute(), r.get("tx:u")]
    t.step("unwatch forgives a conflict", unwatch_then_exec)

    def discard():
        with r.pipeline() as pipe:
            pipe.multi()
            pipe.set("tx:d", 1)
            pipe.reset()
        return r.exists("tx:d")
    t.step("pipeline reset discards", discard)
    t.step("flushall", r.flushall)
    r.close()
    other.close()


def as_row(message):
    """A pub/sub message dict as a transcript row: [type, pattern, channel, data]."""
    return [message["type"], message["pattern"], message["channel"], message["data"]]


def drain(pubsub, count, timeout=2.0):
    """The messages `pubsub` receives until `count` came (or `timeout` passed), then up to the
    answer to a PING sent after them: a server writes every message published before that PING
    first, so extra messages show up too and the rows are exactly what came."""
    rows = []
    deadline = time.monotonic() + timeout
    while len(rows) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        message = pubsub.get_message(timeout=left)
        if message is not None:
            rows.append(as_row(message))
    pubsub.ping()
    while True:
        message = pubsub.get_message(timeout=timeout)
        if message is None:
            rows.append("no answer to PING")
            break
        if message["type"] == "pong":
            break
        rows.append(as_row(message))
    return rows


def pubsub_part(t, port):
    """Pub/Sub as redis-py users write it: r.pubsub() with get_message() loops, patterns,
    binary payloads, PUBSUB introspection, handlers run by run_in_thread(), and keyspace
    notifications for a key that expires. No publish matches two patterns of one client: those
    copies would come in the order of Redis's pattern dict (random)."""
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    rb = redis.Redis(host="127.0.0.1", port=port)
    p = r.pubsub()

    def publish_all(pairs, client=r):
        return [client.publish(channel, message) for channel, message in pairs]

    t.step("pubsub: subscribe, confirmations",
           lambda: (p.subscribe("news", "weather", "news.tech"), drain(p, 3)))
    t.step("pubsub: psubscribe, confirmations",
           lambda: (p.psubscribe("news.*", "h?llo"), drain(p, 2)))
    t.step("pubsub: subscribe again to a channel", lambda: (p.subscribe("news"), drain(p, 1)))
    t.step("pubsub: publish in order", lambda: publish_all([
        ("news", "first"), ("news.tech", "ai"), ("hello", "world"), ("hallo", "welt"),
        ("hllo", "nobody matches"), ("weather", ""), ("nobody", "x"),
        ("news", "h\u00e9llo w\u00f6rld \u2713"), ("news.tech", "line\r\nbreak")]))
    t.step("pubsub: messages in arrival order", lambda: drain(p, 9))

    def publish_in_transaction():
        pipe = r.pipeline()
        pipe.publish("news", "in tx").publish("hello", "tx")
        return [pipe.execute(), drain(p, 2)]
    t.step("pubsub: publish inside a transaction", publish_in_transaction)

    pb = rb.pubsub()
    t.step("pubsub: binary subscriber",
           lambda: (pb.subscribe("bin:chan"), pb.psubscribe("bin:*"), drain(pb, 2)))
    t.step("pubsub: binary publish", lambda: publish_all([
        ("bin:chan", b"\x00\xff\r\n"), (b"bin:\x00\xff", b"\x01\x00"), ("bin:chan", b"")], rb))
    t.step("pubsub: binary messages", lambda: drain(pb, 5))

    t.step("pubsub: pubsub_channels, sorted", lambda: sorted(r.pubsub_channels()))
    t.step("pubsub: pubsub_channels matching news*", lambda: sorted(r.pubsub_channels("news*")))
    t.step("pubsub: pubsub_numsub", lambda: r.pubsub_numsub("news", "bin:chan", "nobody"))
    t.step("pubsub: pubsub_numsub of nothing", r.pubsub_numsub)
    t.step("pubsub: pubsub_numpat", r.pubsub_numpat)

    def get_while_subscribed():
        p.execute_command("GET", "greeting")
        return p.get_message(timeout=2.0)
    t.step("pubsub: a subscribed connection sends GET", get_while_subscribed)
    t.step("pubsub: ping while subscribed",
           lambda: (p.ping("hi"), as_row(p.get_message(timeout=2.0))))

    t.step("pubsub: unsubscribe one channel", lambda: (p.unsubscribe("news"), drain(p, 1)))
    t.step("pubsub: publish after unsubscribe",
           lambda: [publish_all([("news", "gone"), ("news.tech", "still")]), drain(p, 2)])
    t.step("pubsub: punsubscribe one pattern", lambda: (p.punsubscribe("h?llo"), drain(p, 1)))

    def unsubscribe_all():
        # Redis confirms the channels in the order of the client's channel dict (random), so
        # the names are compared sorted; the counts still fall one by one.
        p.unsubscribe()
        rows = drain(p, 2)
        p.punsubscribe()
        last = p.get_message(timeout=2.0)
        return [sorted(row[2] for row in rows), [row[3] for row in rows], as_row(last),
                p.subscribed, r.pubsub_channels(), r.pubsub_numpat()]
    t.step("pubsub: unsubscribe and punsubscribe from everything", unsubscribe_all)

    def handler_thread():
        received = []
        done = threading.Event()

        def handler(message):
            received.append(as_row(message))
            if len(received) == 3:
                done.set()
        worker = r.pubsub()
        worker.subscribe(alerts=handler)
        worker.psubscribe(**{"alert.*": handler})
        # The confirmations first: a publish must not overtake the subscriptions.
        confirmations = [as_row(worker.get_message(timeout=2.0)) for _ in range(2)]
        thread = worker.run_in_thread(sleep_time=0.01, daemon=True)
        counts = publish_all([("alerts", "a1"), ("alert.disk", "full"), ("alerts", "a2")])
        arrived = done.wait(2.0)
        thread.stop()
        thread.join(2.0)
        worker.close()
        return [confirmations, counts, arrived, received]
    t.step("pubsub: handlers run by run_in_thread", handler_thread)

    # Keyspace notifications: the events of a key set with px=50 until it expires.
    ks = r.pubsub()
    t.step("keyspace: config_set notify-keyspace-events KEA",
           lambda: r.config_set("notify-keyspace-events", "KEA"))
    t.step("keyspace: config_get", lambda: r.config_get("notify-keyspace-events"))
    t.step("keyspace: psubscribe",
           lambda: (ks.psubscribe("__keyevent@0__:*", "__keyspace@0__:ks:*"), drain(ks, 2)))
    t.step("keyspace: set px=50, events until expired",
           lambda: [r.set("ks:temp", "v", px=50), drain(ks, 6), r.exists("ks:temp")])

    def lazy():
        r.set("ks:lazy", "v", px=20)
        time.sleep(0.04)
        return [r.get("ks:lazy"), drain(ks, 6)]
    t.step("keyspace: a read after expiry, events until expired", lazy)
    t.step("keyspace: reset notify-keyspace-events",
           lambda: [r.config_set("notify-keyspace-events", ""), r.set("ks:quiet", "v", px=1),
                    drain(ks, 0)])
    # Not drain(): once unsubscribed from everything, redis-py reads no more messages.
    t.step("keyspace: punsubscribe", lambda: (
        ks.punsubscribe("__keyevent@0__:*", "__keyspace@0__:ks:*"),
        [as_row(ks.get_message(timeout=2.0)) for _ in range(2)], ks.subscribed))
    for client in (p, pb, ks, r, rb):
        client.close()


def main():
    port = int(sys.argv[1])
    t = Transcript()
    t.note("redis-py version", redis.__version__)
    text_part(t, port)
    collections_part(t, port)
    binary_part(t, port)
    transaction_part(t, port)
    pubsub_part(t, port)
    print(json.dumps(t.entries, allow_nan=False))


if __name__ == "__main__":
    main()
