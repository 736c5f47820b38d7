#!/usr/bin/env bash
# instructions.sh — server instructions per request, ember vs redis-server,
# counted by valgrind's callgrind: repeatable for the same binaries and
# inputs whatever else the machine is doing (other builds, other benches).
#
# For each server and test, two runs under callgrind with N1 and N2 requests
# (redis-benchmark, 50 clients, pipeline $PIPELINE, 64-byte values, keys in a
# keyspace of $KEYSPACE); the per-request figure is (Ir(N2) - Ir(N1)) /
# (N2 - N1), so start-up and shutdown cancel out. ember runs with --shards 1.
# Prints one row per test: ember and redis instructions per request and the
# ratio. See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=instructions.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N1=${N1:-20000}
N2=${N2:-120000}
PIPELINE=${PIPELINE:-16}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-"set get"}
START_TIMEOUT=${START_TIMEOUT:-60}   # a server under valgrind starts slowly

require_tools valgrind redis-benchmark "$CLI_BIN" awk
require_server_bins
require_positive_ints "$N1" "$N2" "$PIPELINE" "$KEYSPACE"
(( N2 > N1 )) || die "N2 must be larger than N1"
bench_setup ember-instructions

# Total instructions of one server run under callgrind that serves `n`
# requests of `test` (after as many SETs, so GETs hit), then is stopped.
count() {
    local name=$1 test=$2 n=$3; shift 3
    local out="$WORKDIR/callgrind.$name.$test.$n"
    start_server "$name" "$WORKDIR/$name.$test.$n.log" "" \
        valgrind --tool=callgrind --callgrind-out-file="$out" "$@"
    local port=$STARTED_PORT pid=$STARTED_PID
    if [[ $test == get ]]; then
        redis-benchmark -p "$port" -c 50 -P "$PIPELINE" -n "$n" -r "$KEYSPACE" -d 64 -t set -q >/dev/null
    fi
    redis-benchmark -p "$port" -c 50 -P "$PIPELINE" -n "$n" -r "$KEYSPACE" -d 64 -t "$test" -q >/dev/null
    stop_server "$pid"
    awk '/^totals:/ { print $2 }' "$out"
}

# Instructions per request of `test` on a server started by ARGS; a GET
# run also made as many SETs first, whose cost ($2 of set) is taken off.
per_request() {
    local name=$1 test=$2 set_cost=$3; shift 3
    local a b
    a=$(count "$name" "$test" "$N1" "$@")
    b=$(count "$name" "$test" "$N2" "$@")
    awk -v a="$a" -v b="$b" -v n=$(( N2 - N1 )) -v s="$set_cost" 'BEGIN { printf "%.0f", (b - a) / n - s }'
}

for test in $TESTS; do
    [[ $test == set || $test == get ]] || die "TESTS may only contain set and get (got '$test')"
done
declare -A cost
for server in ember redis; do
    if [[ $server == ember ]]; then
        args=("$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 --shards 1 --save '')
    else
        args=("$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 --save '' --appendonly no)
    fi
    log "$server: set"
    cost[$server.set]=$(per_request "$server" set 0 "${args[@]}")
    if [[ " $TESTS " == *" get "* ]]; then
        log "$server: get"
        cost[$server.get]=$(per_request "$server" get "${cost[$server.set]}" "${args[@]}")
    fi
done
printf '%-6s %-4s %12s %12s %12s\n' test P ember redis ember/redis
for test in $TESTS; do
    awk -v t="$test" -v p="$PIPELINE" -v e="${cost[ember.$test]}" -v r="${cost[redis.$test]}" \
        'BEGIN { printf "%-6s %-4s %12d %12d %12.2f\n", t, p, e, r, e / r }'
done
