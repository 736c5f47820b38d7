#!/usr/bin/python3
"""Command fuzz: every command of the server's own table, with hostile arguments.

The command list, subcommands included, comes from the server's COMMAND reply and the
keyword arguments from COMMAND DOCS (argument tokens), so a new command is fuzzed as soon
as it is in the table. Arguments: extreme integers, special floats and range bounds,
negative and huge counts, keywords, empty, binary and 1 MB strings, and key names of every
type (small and big encodings, a TTL, keys on different shards and sharing a hash tag).

Every error reply is fine. A failure is a dead or stuck server, a reply stream that does
not parse or falls out of step, a memory blow-up, or a crash report in the server's log.

Environment:
  FUZZ_SEED=<n>       replay a run (the seed is printed at the start and on failure)
  FUZZ_SECONDS=<s>    how long to fuzz (default 60)
  FUZZ_MAX_RSS_MB=<m> the server's resident memory bound (default 2048)
  FUZZ_CONTINUE=1     on a failure, report it, restart the server and go on (to collect
                      every distinct failure of a long run); the test fails at the end
  FUZZ_REPLAY_DIR=<d> where a failing batch is written in full (default: a temp dir)
  FUZZ_SKIP=a,b       commands (or container|subcommand) not to send, to look past a known crash

Found on main at df512ab: SETRANGE with an offset near 2^63 (offset + length overflows) throws
std::bad_alloc and kills the server, e.g. SETRANGE k 9223372036854775807 A and
SETRANGE k 9223372036854775806 ab (seeds 11, 12, 101 and 102, the last within 2 s).
"""

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespError, start_server  # noqa: E402

BATCH = 200
REPLY_TIMEOUT = 10.0
HISTORY = 50
MB = 1 << 20

# Log lines that mean a crash, an exception that escaped, or a sanitizer report.
# Extend this list as the server gains ways to say it caught something.
LOG_ALARMS = [
    re.compile(p) for p in (
        r"terminate called",
        r"std::bad_alloc",
        r"Assertion",
        r"AddressSanitizer",
        r"LeakSanitizer",
        r"ThreadSanitizer",
        r"UndefinedBehaviorSanitizer",
        r"runtime error:",
        r"Segmentation fault",
        r"REDIS BUG REPORT",
        r"\[(error|critical)\].*[Ee]xception",
    )
]

# What is never sent, and why: each would end or freeze the test by design.
EXCLUDED = {
    "shutdown": "ends the server",
    "monitor": "turns the connection into a stream of every command",
    "subscribe": "a subscribed connection replies once per channel, as pushes",
    "psubscribe": "as subscribe",
    "ssubscribe": "as subscribe",
    "unsubscribe": "one reply per channel named: the reply count depends on the arguments",
    "punsubscribe": "as unsubscribe",
    "sunsubscribe": "as unsubscribe",
    "client|pause": "freezes every client for as long as asked",
    "client|reply": "OFF and SKIP suppress replies, so replies could not be paired with commands",
    "replicaof": "makes the server a replica of a random address",
    "slaveof": "as replicaof",
    "failover": "replication hand-over",
    "sync": "takes the connection over as a replication stream",
    "psync": "as sync",
    "replconf": "the replication handshake: the connection would be taken for a replica",
    "migrate": "connects to another server",
    "module|load": "loads code from a path",
    "module|loadex": "as module|load",
    "script|debug": "turns EVAL into an interactive debugging session",
}

# DEBUG runs only these subcommands (the others crash, reload or restart the server on purpose).
DEBUG_SAFE = ["DIGEST-VALUE", "DIGEST", "OBJECT", "SLEEP", "HELP", "STRINGMATCH-LEN", "LISTPACK"]

# CONFIG SET may change only these, and they are restored before every batch: the others
# would move the server (port, dir), lock the client out (requirepass, maxclients,
# client-query-buffer-limit) or make every write an OOM (maxmemory).
CONFIG_FUZZABLE = [
    "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries",
    "set-max-intset-entries", "set-max-listpack-entries", "zset-max-listpack-entries",
    "zset-max-listpack-value", "list-max-listpack-size", "list-compress-depth",
    "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold",
    "notify-keyspace-events", "maxmemory-policy", "maxmemory-samples", "lfu-log-factor",
    "lfu-decay-time", "hz", "lazyfree-lazy-user-del", "activerehashing", "appendfsync",
    "appendonly", "stop-writes-on-bgsave-error", "save", "aof-load-truncated",
]

# Blocking commands: where their timeout is, so it is always short (0 blocks forever).
TIMEOUT_LAST = {"blpop", "brpop", "brpoplpush", "blmove", "bzpopmin", "bzpopmax", "wait"}
TIMEOUT_FIRST = {"blmpop", "bzmpop"}
SHORT_TIMEOUTS = ["0.01", "0.05", "0.1", "-1", "nan", "inf", "abc", "", "1e-300"]
SHORT_BLOCK_MS = ["1", "10", "50", "-1", "abc"]

# Commands after which the server may rightly close the connection.
MAY_CLOSE = {"quit", "client|kill"}

# A negative count asks these for that many random elements, repeats allowed: a huge one
# is a legitimately huge reply, in Redis too. ember refuses one past proto-max-bulk-len
# (test_bounds.TestCountedReplies), but 512 MB of reply a command would blow the fuzz's
# memory bound and time.
RANDOM_COUNT = {"srandmember", "hrandfield", "zrandmember"}

EXTREME_INTS = [
    "0", "-1", "1", "2", "3", "-2", "10", "100", "1000",
    "2147483647", "2147483648", "-2147483648", "-2147483649",
    "4294967295", "4294967296", "-4294967296",
    "9007199254740992", "9007199254740993", "-9007199254740992",
    "9223372036854775807", "9223372036854775806", "-9223372036854775808", "-9223372036854775807",
    "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "99999999999999999999999",
    "0x10", "1.0", "007", "-0", "+1", " 1",
]
SPECIAL_FLOATS = [
    "1e308", "-1e308", "1e309", "nan", "-nan", "inf", "-inf", "+inf", "infinity", "0.5",
    "-0.0", "1.5e-300", "4.9e-324", "3.14", "1e", ".", "1e-320", "123456789012345678901234567890",
]
RANGE_BOUNDS = ["(5", "[a", "(a", "-", "+", "$", "*", "(-inf", "(+inf", "(", "[", "(1e308",
                ">", "~", "#", "(nan", "[\xff", "0-0", "1-1", "$-1"]
GENERIC_TOKENS = [
    "COUNT", "LIMIT", "MATCH", "TYPE", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "NX", "XX",
    "GT", "LT", "CH", "INCR", "WITHSCORES", "WITHSCORE", "BYSCORE", "BYLEX", "REV", "LEFT",
    "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "IDLE", "WITHVALUES", "AGGREGATE", "SUM",
    "MIN", "MAX", "WEIGHTS", "STORE", "ASC", "DESC", "ALPHA", "BY", "REPLACE", "ABSTTL",
    "FREQ", "DB", "COPY", "AUTH", "SETNAME", "PERSIST", "LEN", "IDX", "NOSAVE", "SAVE",
    "ABORT", "FORCE", "NOW", "SCHEDULE", "ASYNC", "SYNC", "SAMPLES", "ID", "USER", "ADDR",
    "LADDR", "SKIPME", "ON", "OFF", "YES", "NO", "RESET", "FULL", "NUMKEYS",
]


def resp_encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


def show_arg(a):
    """One argument as redis-cli reads it (big ones abridged)."""
    if len(a) > 256:
        kind = "'a'" if a == b"a" * len(a) else "random bytes"
        return "<%d bytes of %s>" % (len(a), kind)
    if a and all(0x21 <= c < 0x7F and c not in b'"\'\\' for c in a):
        return a.decode()
    return '"' + "".join(chr(c) if 0x20 <= c < 0x7F and c not in b'"\\' else "\\x%02x" % c for c in a) + '"'


def show_command(args):
    return " ".join(show_arg(a) for a in args)


class NeedMore(Exception):
    def __init__(self, upto):
        Exception.__init__(self)
        self.upto = upto


class BrokenStream(Exception):
    pass


class Push(list):
    """An out-of-band RESP3 push (client tracking invalidations): not a reply."""


class FuzzConn(object):
    """RESP2/RESP3 over a socket with a reader that copies nothing twice, so a 512 MB
    reply costs what it should. Errors are values; a reply that does not parse raises
    BrokenStream, a silent server socket.timeout, a closed connection ConnectionError."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=REPLY_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, commands):
        self.sock.sendall(b"".join(resp_encode(c) for c in commands))

    def _fill(self, upto, deadline):
        while len(self.buf) < upto:
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout("no complete reply within %.0fs" % REPLY_TIMEOUT)
            self.sock.settimeout(left)
            chunk = self.sock.recv(max(1 << 16, min(upto - len(self.buf), 64 * MB)))
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk

    def read(self):
        """The next reply (pushes skipped)."""
        deadline = time.time() + REPLY_TIMEOUT
        while True:
            try:
                value, pos = self._parse(0)
            except NeedMore as more:
                self._fill(more.upto, deadline)
                continue
            del self.buf[:pos]
            if not isinstance(value, Push):
                return value

    def _line(self, pos):
        end = self.buf.find(b"\r\n", pos)
        if end < 0:
            if len(self.buf) - pos > 8 * MB:
                raise BrokenStream("no CRLF within 8 MB: %r" % bytes(self.buf[pos:pos + 80]))
            raise NeedMore(len(self.buf) + 1)
        return bytes(self.buf[pos:end]), end + 2

    def _int(self, text):
        try:
            return int(text)
        except ValueError:
            raise BrokenStream("bad length or integer %r" % text)

    def _parse(self, pos):
        line, pos = self._line(pos)
        if not line:
            raise BrokenStream("empty reply line")
        t, rest = line[:1], line[1:]
        if t in (b"+", b",", b"#", b"_"):
            return rest, pos
        if t == b"-":
            return RespError(rest), pos
        if t in (b":", b"("):
            return self._int(rest), pos
        if t in (b"$", b"!", b"="):
            n = self._int(rest)
            if n < 0:
                if n == -1 and t == b"$":
                    return None, pos
                raise BrokenStream("bad bulk length %d" % n)
            if len(self.buf) < pos + n + 2:
                raise NeedMore(pos + n + 2)
            if self.buf[pos + n:pos + n + 2] != b"\r\n":
                raise BrokenStream("bulk of %d bytes not followed by CRLF" % n)
            data = bytes(self.buf[pos:pos + n])
            return (RespError(data) if t == b"!" else data), pos + n + 2
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = self._int(rest)
            if n < 0:
                if n == -1 and t == b"*":
                    return None, pos
                raise BrokenStream("bad aggregate length %d" % n)
            count = n * 2 if t in (b"%", b"|") else n
            items = []
            for _ in range(count):
                v, pos = self._parse(pos)
                items.append(v)
            if t == b"|":
                return self._parse(pos)
            return (Push(items) if t == b">" else items), pos
        raise BrokenStream("unknown type byte in %r" % line[:80])


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def text(v):
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def pairs(v):
    """A RESP2 flat map or a RESP3 map (read as a flat list) as a dict."""
    if not isinstance(v, list):
        return {}
    return {text(v[i]).lower(): v[i + 1] for i in range(0, len(v) - 1, 2)}


class Spec(object):
    def __init__(self, name, arity, first, last, step):
        self.name = name                      # "get", "config|set"
        self.words = [w.encode() for w in name.split("|")]
        self.arity = arity
        self.first, self.last, self.step = first, last, step
        self.tokens = []


def command_table(port):
    """Every command and subcommand in the server's table, with its tokens."""
    c = FuzzConn(port)
    try:
        c.send([[b"COMMAND"]])
        reply = c.read()
        specs = {}

        def add(entry):
            name = text(entry[0]).lower()
            specs[name] = Spec(name, int(entry[1]), int(entry[3]), int(entry[4]), int(entry[5]))
            if len(entry) > 9 and isinstance(entry[9], list):
                for sub in entry[9]:
                    add(sub)

        for entry in reply:
            add(entry)
        c.send([[b"COMMAND", b"DOCS"]])
        docs = c.read()

        def tokens(args, out):
            for a in args or []:
                a = pairs(a)
                if a.get("token") is not None:
                    out.add(text(a["token"]))
                if isinstance(a.get("arguments"), list):
                    tokens(a["arguments"], out)

        def walk(name, doc):
            doc = pairs(doc)
            found = set()
            tokens(doc.get("arguments"), found)
            if name in specs:
                specs[name].tokens = sorted(found)
            sub = pairs(doc.get("subcommands"))
            for sub_name, sub_doc in sub.items():
                walk(sub_name, sub_doc)

        if isinstance(docs, list):
            for name, doc in pairs(docs).items():
                walk(name, doc)
        return specs
    finally:
        c.close()


class Fuzzer(object):
    def __init__(self, server, rng):
        self.server = server
        self.rng = rng
        self.specs = command_table(server.port)
        skip = set(filter(None, os.environ.get("FUZZ_SKIP", "").lower().split(",")))
        self.names = sorted(n for n in self.specs if n not in EXCLUDED and n not in skip)
        containers = {n.split("|")[0] for n in self.specs if "|" in n}
        # A container with subcommands is sent through them (and now and then bare).
        self.weights = [0.1 if n in containers else 0.1 if n in ("flushall", "flushdb") else 1.0
                        for n in self.names]
        self.history = []
        self.batch_commands = []
        self.recent = []
        self.big_a = b"a" * MB
        self.big_random = bytes(rng.getrandbits(8) for _ in range(4096)) * (MB // 4096)
        self.config_saved = {}
        self.keys = []
        self.log_offset = 0
        self.commands_sent = 0
        self.failures = []

    # -- the data every batch starts from -------------------------------------
    def population(self):
        has = self.specs.__contains__
        cmds = []
        big = 300

        def add(*args):
            cmds.append([a if isinstance(a, bytes) else str(a).encode() for a in args])

        add("FLUSHALL")
        for p in ("", "{t}"):
            add("SET", p + "str", "hello")
            add("SET", p + "int", "12345")
            add("SET", p + "float", "3.25")
            add("SET", p + "bigstr", "x" * 5000)
            add("RPUSH", p + "list", "a", "b", "c", "1", "2", "3")
            add("RPUSH", p + "biglist", *["e%d" % i for i in range(big)])
            add("HSET", p + "hash", "f1", "v1", "f2", "2", "f3", "3.5")
            add("HSET", p + "bighash", *sum((["f%d" % i, "v%d" % i] for i in range(big)), []))
            add("SADD", p + "set", "1", "2", "3", "-5")
            add("SADD", p + "sset", "a", "b", "c")
            add("SADD", p + "bigset", *["m%d" % i for i in range(big * 2)])
            add("ZADD", p + "zset", "1", "a", "2", "b", "2.5", "c", "-inf", "lo", "inf", "hi")
            add("ZADD", p + "bigzset", *sum(([str(i), "m%d" % i] for i in range(big)), []))
            add("SET", p + "ttl", "v", "EX", "1000")
            add("HSET", p + "ttlhash", "f", "v")
            add("PEXPIRE", p + "ttlhash", "500000")
        if has("setbit"):
            add("SETBIT", "bitmap", "100", "1")
        if has("pfadd"):
            add("PFADD", "hll", "a", "b", "c")
        if has("xadd"):
            add("XADD", "stream", "1-1", "f", "v")
            add("XADD", "stream", "*", "f", "v")
            add("XGROUP", "CREATE", "stream", "g", "0")
        if has("geoadd"):
            add("GEOADD", "geo", "13.36", "38.11", "a", "15.08", "37.50", "b")
        return cmds

    def key_pool(self):
        names = ["str", "int", "float", "bigstr", "list", "biglist", "hash", "bighash", "set",
                 "sset", "bigset", "zset", "bigzset", "ttl", "ttlhash", "nokey"]
        pool = names + ["{t}" + n for n in names]
        pool += ["bitmap", "hll", "stream", "geo", "dst", "{t}dst", "k1", "k2", "k3", ""]
        return [k.encode() for k in pool]

    # -- arguments -------------------------------------------------------------
    def value(self, spec):
        r = self.rng.random()
        rng = self.rng
        if r < 0.16:
            return rng.choice(self.keys)
        if r < 0.36:
            return rng.choice(EXTREME_INTS).encode()
        if r < 0.44:
            return str(rng.randint(-12, 12)).encode()
        if r < 0.52:
            return rng.choice(SPECIAL_FLOATS).encode()
        if r < 0.59:
            return rng.choice(RANGE_BOUNDS).encode("latin-1")
        if r < 0.74:
            if spec.tokens and rng.random() < 0.85:
                return rng.choice(spec.tokens).encode()
            return rng.choice(GENERIC_TOKENS).encode()
        if r < 0.84:
            return rng.choice([b"a", b"b", b"c", b"1", b"2", b"f1", b"f2", b"v1", b"m1", b"m7",
                               b"e5", b"lo", b"hi", b"x", b"g", b"0-1", b"default"])
        if r < 0.87:
            return b""
        if r < 0.91:
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40)))
        if r < 0.915:
            return rng.choice([self.big_a, self.big_random])
        if r < 0.95 and self.recent:
            return rng.choice(self.recent)
        return rng.choice([b"*", b"?", b"[a-z]*", b"h*llo", b"\\", b"x" * 100, b"*" * 50 + b"b",
                           b"a" * 65, b"-1.5", b"0.0", b"  ", b"\r\n", b"\x00"])

    def is_key_position(self, spec, i, argc):
        if spec.first <= 0:
            return False
        last = spec.last if spec.last >= 0 else argc + spec.last
        return spec.first <= i <= last and (spec.step <= 1 or (i - spec.first) % spec.step == 0)

    def generate(self):
        rng = self.rng
        name = rng.choices(self.names, self.weights)[0]
        spec = self.specs[name]
        need = abs(spec.arity)
        if spec.arity > 0:
            argc = need if rng.random() < 0.9 else max(1, need + rng.choice([-1, 1]))
        else:
            argc = need + min(int(rng.expovariate(0.35)), 12)
        if rng.random() < 0.03:
            argc = max(1, argc - 1)
        args = list(spec.words[:argc])
        # A third of the commands get numbers for all their non-key arguments: the
        # bounds bugs are in offsets, counts and ranges, which a mixed draw rarely fills.
        numeric = rng.random() < 0.33
        for i in range(len(args), argc):
            if self.is_key_position(spec, i, argc) and rng.random() < 0.9:
                args.append(rng.choice(self.keys))
            elif numeric and rng.random() < 0.85:
                pool = EXTREME_INTS if rng.random() < 0.75 else SPECIAL_FLOATS
                args.append(rng.choice(pool).encode())
            else:
                args.append(self.value(spec))
        return self.sanitize(name, args)

    def sanitize(self, name, args):
        rng = self.rng
        base = name.split("|")[0]
        if base in TIMEOUT_LAST and len(args) > 1:
            args[-1] = rng.choice(SHORT_TIMEOUTS).encode()
        if base in TIMEOUT_FIRST and len(args) > 1:
            args[1] = rng.choice(SHORT_TIMEOUTS).encode()
        for i in range(len(args) - 1):
            if args[i].upper() == b"BLOCK":
                args[i + 1] = rng.choice(SHORT_BLOCK_MS).encode()
        if base in RANDOM_COUNT and len(args) > 2:
            try:
                if -(1 << 63) < int(args[2]) < -1000:
                    args[2] = b"-1000"
            except ValueError:
                pass
        if base == "debug":
            if len(args) < 2:
                return args
            args[1] = rng.choice(DEBUG_SAFE).encode()
            if args[1] == b"SLEEP":
                args[2:] = [rng.choice([b"0", b"0.001", b"-1", b"abc"])]
        if name == "config|set" and len(args) > 2:
            for i in range(2, len(args), 2):
                args[i] = rng.choice(CONFIG_FUZZABLE).encode()
        if name in ("acl|setuser", "acl|deluser", "acl|getuser", "acl|dryrun") and len(args) > 2:
            args[2] = b"fuzz-user"
            if name == "acl|deluser":
                args[3:] = [b"fuzz-user2" for _ in args[3:]]
            if name == "acl|setuser":
                args[3:] = [a for a in args[3:] if not a.startswith((b">", b"#", b"<", b"!"))]
        if base == "auth":
            # Only the default user, so the fuzz client stays unrestricted.
            args[1:] = args[-1:] if len(args) < 3 else [b"default", args[-1]]
        if base == "hello":
            for i in range(1, len(args) - 1):
                if args[i].upper() == b"AUTH":
                    args[i + 1] = b"default"
        return args

    # -- running ---------------------------------------------------------------
    def note_reply(self, reply):
        if isinstance(reply, bytes) and 0 < len(reply) <= 2 * MB and self.rng.random() < 0.2:
            if len(self.recent) >= 64:
                self.recent[self.rng.randrange(64)] = reply
            else:
                self.recent.append(reply)

    def restore_config(self, conn):
        cmds = [[b"CONFIG", b"SET", p, v] for p, v in self.config_saved.items()]
        if cmds:
            conn.send(cmds)
            for _ in cmds:
                conn.read()

    def save_config(self, conn):
        for p in CONFIG_FUZZABLE:
            conn.send([[b"CONFIG", b"GET", p.encode()]])
            got = pairs(conn.read())
            if p in got:
                self.config_saved[p.encode()] = got[p]

    def run_batch(self, batch_no):
        """Returns None or a failure description."""
        rng = self.rng
        protocol = 3 if rng.random() < 0.35 else 2
        pipelined = rng.random() < 0.3
        conn = FuzzConn(self.server.port)
        try:
            if not self.config_saved:
                self.save_config(conn)
            self.restore_config(conn)
            setup = self.population()
            conn.send(setup)
            for _ in setup:
                conn.read()
            self.batch_commands = [[b"HELLO", b"3"]] if protocol == 3 else []
            if protocol == 3:
                conn.send([[b"HELLO", b"3"]])
                conn.read()
            n = 0
            while n < BATCH:
                chunk = [self.generate() for _ in range(rng.randint(2, 20) if pipelined else 1)]
                n += len(chunk)
                marker = b"fuzz-marker-%d-%d" % (batch_no, n)
                for c in chunk:
                    self.history.append(c)
                    self.batch_commands.append(c)
                self.history = self.history[-HISTORY:]
                self.commands_sent += len(chunk)
                may_close = any(self.name_of(c) in MAY_CLOSE for c in chunk)
                try:
                    conn.send(chunk + [[b"ECHO", marker]])
                    for _ in chunk:
                        self.note_reply(conn.read())
                    end = conn.read()
                except (ConnectionError, BrokenPipeError) as e:
                    if may_close and self.server.proc.poll() is None:
                        conn.close()
                        conn = FuzzConn(self.server.port)
                        if protocol == 3:
                            conn.send([[b"HELLO", b"3"]])
                            conn.read()
                        continue
                    return "connection lost (%s) after the last command" % e
                except socket.timeout:
                    return "no reply within %.0fs to the last command" % REPLY_TIMEOUT
                except BrokenStream as e:
                    return "reply stream broken: %s" % e
                if end != marker and end not in (b"QUEUED", "QUEUED"):
                    return "reply stream out of step: the ECHO after the last command got %r" % (end,)
            return None
        except (ConnectionError, BrokenPipeError, socket.timeout, BrokenStream) as e:
            return "batch set-up failed: %r" % e
        finally:
            conn.close()

    def name_of(self, args):
        name = args[0].decode("latin-1").lower()
        if len(args) > 1 and (name + "|" + args[1].decode("latin-1").lower()) in self.specs:
            return name + "|" + args[1].decode("latin-1").lower()
        return name

    def check_health(self, max_rss):
        proc = self.server.proc
        if proc.poll() is not None:
            # Its last words (a sanitizer's report, a crash handler's) are
            # gone with the log file once the server is stopped.
            return "the server exited with code %s; its log ends:\n%s" % (proc.returncode,
                                                                          self.server.log_tail(12000))
        alarm = self.log_alarm()
        if alarm:
            return "the server logged: %s" % alarm
        try:
            c = FuzzConn(self.server.port)
            try:
                c.send([[b"PING"]])
                reply = c.read()
            finally:
                c.close()
        except (OSError, BrokenStream) as e:
            return "PING on a fresh connection failed: %r" % e
        if reply not in (b"PONG", "PONG"):
            return "PING on a fresh connection answered %r" % (reply,)
        rss = rss_mb(proc.pid)
        if rss > max_rss:
            return "the server's RSS is %d MB (bound %d MB)" % (rss, max_rss)
        return None

    def log_alarm(self):
        try:
            with open(self.server.logfile.name, "rb") as f:
                f.seek(self.log_offset)
                data = f.read()
        except OSError:
            return None
        self.log_offset += len(data)
        for line in data.decode("utf-8", "replace").splitlines():
            if any(p.search(line) for p in LOG_ALARMS):
                return line.strip()
        return None


def server_stacks(pid):
    """Every thread's stack of a server that stopped answering (gdb), or why not."""
    gdb = shutil.which("gdb")
    if not gdb:
        return "(no gdb on PATH: no stacks)"
    try:
        out = subprocess.run([gdb, "-batch", "-p", str(pid), "-ex", "thread apply all bt 30"],
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return "(gdb failed: %s)" % e
    return "\n".join(l for l in out.splitlines() if l.startswith(("Thread", "#")))


def describe_failure(seed, what, fuzzer, replay_dir):
    os.makedirs(replay_dir, exist_ok=True)
    path = os.path.join(replay_dir, "fuzz-%d-%d.json" % (seed, int(time.time() * 1000)))
    with open(path, "w") as f:
        json.dump({"seed": seed, "failure": what,
                   "setup": [[a.hex() for a in c] for c in fuzzer.population()],
                   "commands": [[a.hex() for a in c] for c in fuzzer.batch_commands]}, f)
    lines = ["FUZZ FAILURE (FUZZ_SEED=%d): %s" % (seed, what),
             "the batch started from FLUSHALL and the standard population (Fuzzer.population);",
             "the whole batch, hex-encoded, is in %s" % path,
             "the last %d commands sent, oldest first:" % len(fuzzer.history)]
    lines += ["  " + show_command(c) for c in fuzzer.history]
    if "no reply" in what and fuzzer.server.proc.poll() is None:
        lines += ["the server's threads:", server_stacks(fuzzer.server.proc.pid)]
    return "\n".join(lines)


class TestFuzz(unittest.TestCase):
    def test_every_command_with_hostile_arguments(self):
        seed = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(1 << 32))
        seconds = float(os.environ.get("FUZZ_SECONDS") or 60)
        max_rss = int(os.environ.get("FUZZ_MAX_RSS_MB") or 2048)
        keep_going = os.environ.get("FUZZ_CONTINUE") == "1"
        replay_dir = os.environ.get("FUZZ_REPLAY_DIR") or os.path.join(tempfile.gettempdir(), "ember-fuzz")
        print("FUZZ_SEED=%d FUZZ_SECONDS=%g" % (seed, seconds), file=sys.stderr, flush=True)
        rng = random.Random(seed)
        failures = []
        server = start_server(shards=4)
        try:
            fuzzer = Fuzzer(server, rng)
            fuzzer.keys = fuzzer.key_pool()
            print("fuzzing %d commands; excluded: %s" % (len(fuzzer.names), ", ".join(sorted(EXCLUDED))),
                  file=sys.stderr, flush=True)
            deadline = time.time() + seconds
            batch_no = 0
            while time.time() < deadline:
                batch_no += 1
                what = fuzzer.run_batch(batch_no)
                health = fuzzer.check_health(max_rss)
                if what and health:
                    what += "; then " + health
                what = what or health
                if not what:
                    continue
                report = describe_failure(seed, what, fuzzer, replay_dir)
                print(report, file=sys.stderr, flush=True)
                failures.append(report)
                if not keep_going:
                    break
                if server.proc.poll() is None:
                    server.proc.kill()
                    server.proc.wait()
                harness._live_servers.remove(server)
                server._cleanup()
                server = start_server(shards=4)
                fuzzer.server = server
                fuzzer.log_offset = 0
                fuzzer.history = []
            print("%d commands in %d batches, %d failure(s)" % (fuzzer.commands_sent, batch_no, len(failures)),
                  file=sys.stderr, flush=True)
        finally:
            if server.proc is not None and server.proc.poll() is None:
                server.stop()
            elif server.proc is not None:
                server.proc = None
                if server in harness._live_servers:
                    harness._live_servers.remove(server)
                server._cleanup()
        self.assertEqual(failures, [], "\n\n".join(failures))


if __name__ == "__main__":
    unittest.main(verbosity=2)
