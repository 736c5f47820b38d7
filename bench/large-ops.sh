#!/usr/bin/env bash
# large-ops.sh — time of single commands on big values, ember vs redis-server.
#
# Starts ember (--shards 1) and redis-server side by side, then for each case
# times one command carrying many members (SADD of 150k, HSET of 100k, ...)
# or a command on a big value (LSET, LINSERT, LREM, LPOS, ... on a 1M-item
# list), against ember and then redis, on fresh keys built the same way on
# both. Prints the milliseconds per command on each server and the ratio
# ember/redis (lower is better for ember). A case that takes longer than
# CMD_TIMEOUT seconds on a server shows ">timeout". See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=large-ops.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

LIST_ITEMS=${LIST_ITEMS:-1000000}   # items of the big list
REPS=${REPS:-20}                    # repetitions of each command on the big list
CMD_TIMEOUT=${CMD_TIMEOUT:-60}      # seconds one command may take
PYTHON=${PYTHON:-python3}

require_tools "$CLI_BIN" "$PYTHON" timeout
require_server_bins
require_positive_ints "$LIST_ITEMS" "$REPS" "$CMD_TIMEOUT"

bench_setup ember-large-ops

log "ember: $EMBER_BIN (shards: 1)"
log "redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | head -n1 || echo '?'))"
start_server ember "$WORKDIR/ember.log" "" "${EMBER_ENV[@]}" "$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 \
    --shards 1 --save ""
ember_port=$STARTED_PORT
start_server redis "$WORKDIR/redis.log" "" "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 \
    --save "" --appendonly no --dir "$WORKDIR"
redis_port=$STARTED_PORT

# The driver speaks RESP over a socket itself, so the figures are the
# server's time plus one round trip, not a client library's.
cat >"$WORKDIR/driver.py" <<'PY'
import socket, sys, time

LIST_ITEMS, REPS, TIMEOUT = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(TIMEOUT)
        self.f = self.s.makefile("rb")
    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t in (b"+", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)
    def cmd(self, *args):
        self.send(*args)
        return self.read()

def timed(c, reps, make):
    """ms per command over reps commands (make(i) gives the arguments)."""
    total = 0.0
    for i in range(reps):
        args = make(i)
        t = time.perf_counter()
        c.cmd(*args)
        total += time.perf_counter() - t
    return total * 1000 / reps

def members(prefix, n):
    return [("%s%d" % (prefix, i)).encode() for i in range(n)]

def pairs(n):
    out = []
    for i in range(n):
        out += [b"f%d" % i, b"v%d" % i]
    return out

def cases(c):
    c.cmd("FLUSHALL")
    yield "SADD 150k members", timed(c, 1, lambda i: ["SADD", "s"] + members("m", 150000))
    yield "SADD 150k integers", timed(c, 1, lambda i: ["SADD", "si"] + members("", 150000))
    yield "HSET 100k fields", timed(c, 1, lambda i: ["HSET", "h"] + pairs(100000))
    yield "HMSET 100k fields", timed(c, 1, lambda i: ["HMSET", "h2"] + pairs(100000))
    zargs = []
    for i in range(100000):
        zargs += [b"%d" % i, b"z%d" % i]
    yield "ZADD 100k members", timed(c, 1, lambda i: ["ZADD", "z"] + zargs)
    yield "LPUSH 100k items", timed(c, 1, lambda i: ["LPUSH", "lp"] + members("i", 100000))
    yield "RPUSH 100k items", timed(c, 1, lambda i: ["RPUSH", "rp"] + members("i", 100000))
    c.cmd("SADD", "s2", *members("m", 75000) + members("x", 75000))
    yield "SUNIONSTORE 2x150k", timed(c, 1, lambda i: ["SUNIONSTORE", "su", "s", "s2"])
    yield "SINTERSTORE 2x150k", timed(c, 1, lambda i: ["SINTERSTORE", "sn", "s", "s2"])
    yield "SDIFFSTORE 2x150k", timed(c, 1, lambda i: ["SDIFFSTORE", "sd", "s", "s2"])
    yield "SMOVE into 150k set", timed(c, REPS, lambda i: ["SMOVE", "s2", "s", b"x%d" % i])
    c.cmd("ZADD", "z2", *zargs[: len(zargs) // 2])
    yield "ZUNIONSTORE 100k+50k", timed(c, 1, lambda i: ["ZUNIONSTORE", "zu", 2, "z", "z2"])
    yield "ZINTERSTORE 100k+50k", timed(c, 1, lambda i: ["ZINTERSTORE", "zi", 2, "z", "z2"])
    yield "ZDIFFSTORE 100k+50k", timed(c, 1, lambda i: ["ZDIFFSTORE", "zd", 2, "z", "z2"])
    dump = c.cmd("DUMP", "s")
    yield "RESTORE 150k set", timed(c, 1, lambda i: ["RESTORE", "sr", 0, dump])
    dump = c.cmd("DUMP", "h")
    yield "RESTORE 100k hash", timed(c, 1, lambda i: ["RESTORE", "hr", 0, dump])
    for start in range(0, LIST_ITEMS, 10000):
        c.cmd("RPUSH", "l", *members("e", min(10000, LIST_ITEMS - start))[:])
    mid = LIST_ITEMS // 2
    yield "LINDEX middle (%d)" % LIST_ITEMS, timed(c, REPS, lambda i: ["LINDEX", "l", mid + i])
    yield "LRANGE 10 at middle", timed(c, REPS, lambda i: ["LRANGE", "l", mid, mid + 9])
    yield "LSET middle", timed(c, REPS, lambda i: ["LSET", "l", mid + i * 7, b"set%d" % i])
    yield "LSET -1", timed(c, REPS, lambda i: ["LSET", "l", -1, b"tail%d" % i])
    yield "LINSERT before middle", timed(c, REPS, lambda i: ["LINSERT", "l", "BEFORE", b"e%d" % (mid + 1000 + i), b"ins%d" % i])
    yield "LPOS middle", timed(c, REPS, lambda i: ["LPOS", "l", b"e%d" % (mid + 2000 + i)])
    yield "LPOS RANK -1 middle", timed(c, REPS, lambda i: ["LPOS", "l", b"e%d" % (mid + 3000 + i), "RANK", -1])
    yield "LREM 1 middle", timed(c, REPS, lambda i: ["LREM", "l", 1, b"e%d" % (mid + 4000 + i)])
    yield "LREM -1 middle", timed(c, REPS, lambda i: ["LREM", "l", -1, b"e%d" % (mid + 5000 + i)])
    yield "LTRIM 1 -2", timed(c, REPS, lambda i: ["LTRIM", "l", 1, -2])
    yield "LMOVE l l LEFT RIGHT", timed(c, REPS, lambda i: ["LMOVE", "l", "l", "LEFT", "RIGHT"])
    yield "LTRIM to half", timed(c, 1, lambda i: ["LTRIM", "l", 0, mid])
    yield "LPOP 100k (of half)", timed(c, 1, lambda i: ["LPOP", "l", 100000])
    yield "RPOP 100k (of half)", timed(c, 1, lambda i: ["RPOP", "l", 100000])

port = int(sys.argv[1])
c = Conn(port)
gen = cases(c)
while True:
    try:
        name, ms = next(gen)
        print("%s\t%.3f" % (name, ms), flush=True)
    except StopIteration:
        break
    except (socket.timeout, TimeoutError):
        print("timeout", flush=True)
        break
PY

run_driver() {
    log "$1: running the cases"
    "$PYTHON" "$WORKDIR/driver.py" "$2" "$LIST_ITEMS" "$REPS" "$CMD_TIMEOUT" >"$WORKDIR/$1.tsv" \
        || die "$1: the driver failed (see above)"
}
run_driver ember "$ember_port"
run_driver redis "$redis_port"

printf '%-28s %12s %12s %9s\n' case "ember ms" "redis ms" "e/r"
awk -F'\t' '
    FNR == NR { if ($1 != "timeout") { e[$1] = $2; order[++n] = $1 } else e_timeout = 1; next }
    $1 != "timeout" { r[$1] = $2 }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]
            if (k in r) printf "%-28s %12.3f %12.3f %9.1f\n", k, e[k], r[k], (r[k] > 0 ? e[k] / r[k] : 0)
            else printf "%-28s %12.3f %12s %9s\n", k, e[k], "n/a", "n/a"
        }
        if (e_timeout) printf "%-28s %12s\n", "(next ember case)", ">timeout"
    }' "$WORKDIR/ember.tsv" "$WORKDIR/redis.tsv"
