#!/usr/bin/env bash
# cli-vs-redis-benchmark.sh — `ember-cli benchmark` against redis-benchmark,
# on the same server in the same run.
#
# For each server (ember-server, redis-server), pipeline depth and test, the
# two load generators run in turn, ROUNDS times, with the same requests,
# clients, payload and keyspace; the table gives the median requests/s of
# each, their ratio (ember-cli / redis-benchmark), their p50 latency, and
# each generator's own CPU time per request (user + system), which is what
# decides how much load one generator can drive.
#
# By default the server is pinned to CPU $SERVER_CPU (ember with --shards 1)
# and the generators, one thread each, to CPU $CLIENT_CPU, as in
# compare-redis.sh; SERVER_CPU= CLIENT_CPU= runs everything unpinned.
#
# Knobs (environment): REQUESTS_P1 (100000), REQUESTS_P16 (1000000),
#   CLIENTS (50), DATA_SIZE (3), KEYSPACE (100000), ROUNDS (3),
#   TESTS ("set get incr lpush sadd zadd hset"), PIPELINES ("1 16"),
#   SERVERS ("ember redis"), EMBER_SHARDS (1), THREADS (1: threads of each
#   generator; redis-benchmark gets --threads when above 1),
#   SERVER_CPU (0), CLIENT_CPU (1), EMBER_CLI (build/bin/ember-cli),
#   NICE (e.g. -10: the generators' priority; on a busy machine this keeps
#   the server, not a generator starved of CPU, the thing measured),
#   PORTS (LOW-HIGH: start the servers on ports in this range),
#   and lib.sh's EMBER_BIN, REDIS_BIN.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=cli-vs-redis-benchmark.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EMBER_CLI=${EMBER_CLI:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bin/ember-cli}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REQUESTS_P1=${REQUESTS_P1:-100000}
REQUESTS_P16=${REQUESTS_P16:-1000000}
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-3}
KEYSPACE=${KEYSPACE:-100000}
ROUNDS=${ROUNDS:-3}
TESTS=${TESTS:-"set get incr lpush sadd zadd hset"}
PIPELINES=${PIPELINES:-"1 16"}
SERVERS=${SERVERS:-"ember redis"}
EMBER_SHARDS=${EMBER_SHARDS:-1}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU-0}
CLIENT_CPU=${CLIENT_CPU-1}
PORTS=${PORTS:-}
NICE=${NICE:-}
[[ -z $NICE || $NICE =~ ^-?[0-9]+$ ]] || die "NICE must be an integer (got '$NICE')"

require_tools "$REDIS_BENCHMARK" "$CLI_BIN" taskset awk sort
require_server_bins
[[ -x $EMBER_CLI ]] || die "EMBER_CLI '$EMBER_CLI' is not an executable file (build ember-cli or set EMBER_CLI)"
require_positive_ints "$REQUESTS_P1" "$REQUESTS_P16" "$CLIENTS" "$KEYSPACE" "$ROUNDS" "$EMBER_SHARDS" "$THREADS"

bench_setup ember-cli-vs-rb

if [[ -n $PORTS ]]; then
    [[ $PORTS =~ ^([0-9]+)-([0-9]+)$ ]] || die "PORTS must be LOW-HIGH (got '$PORTS')"
    PORT_LOW=${BASH_REMATCH[1]} PORT_HIGH=${BASH_REMATCH[2]}
    # Replaces lib.sh's free_port: the same check, within the range asked for.
    free_port() {
        local p
        for (( p = PORT_LOW; p <= PORT_HIGH; p++ )); do
            port_in_use "$p" || { echo "$p"; return 0; }
        done
        die "no free TCP port in $PORTS"
    }
fi

# The prefix of a generator's command line: its CPU and its priority.
client_cmd() {
    if [[ -n $CLIENT_CPU ]]; then echo -n "taskset -c $CLIENT_CPU "; fi
    if [[ -n $NICE ]]; then echo -n "nice -n $NICE"; fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run_one TOOL PORT TEST PIPELINE REQUESTS -> "rps p50_ms cpu_us_per_request"
run_one() {
    local tool=$1 port=$2 test=$3 pipeline=$4 requests=$5 line cpu
    local -a cmd
    read -r -a cmd <<<"$(client_cmd)"
    if [[ $tool == ember-cli ]]; then
        cmd+=("$EMBER_CLI" benchmark -H 127.0.0.1 -p "$port" -n "$requests" -c "$CLIENTS" -P "$pipeline"
              -d "$DATA_SIZE" -r "$KEYSPACE" -t "$test" --threads "$THREADS" --csv)
    else
        cmd+=("$REDIS_BENCHMARK" -h 127.0.0.1 -p "$port" -n "$requests" -c "$CLIENTS" -P "$pipeline"
              -d "$DATA_SIZE" -r "$KEYSPACE" -t "$test" --csv)
        if (( THREADS > 1 )); then cmd+=(--threads "$THREADS"); fi
    fi
    local TIMEFORMAT='%U %S'
    { time "${cmd[@]}" >"$WORKDIR/out" 2>"$WORKDIR/err"; } 2>"$WORKDIR/time" \
        || { cat "$WORKDIR/err" >&2; die "$tool $test -P $pipeline failed"; }
    # Both print "TEST","rps","avg","min","p50",... ; the test's own line is the last.
    line=$(tail -n 1 "$WORKDIR/out")
    cpu=$(awk -v n="$requests" '{ printf "%.3f", ($1 + $2) * 1e6 / n }' "$WORKDIR/time")
    awk -F, -v cpu="$cpu" '{ gsub(/"/, ""); print $2, $5, cpu }' <<<"$line"
}

printf '%-6s %-3s %-6s %14s %16s %6s %9s %9s %10s %10s\n' server P test "ember-cli r/s" "redis-bench r/s" \
    ratio "p50 ms" "p50 ms" "cli us/r" "rb us/r"
printf '%-6s %-3s %-6s %14s %16s %6s %9s %9s %10s %10s\n' "" "" "" "" "" "" "(cli)" "(rb)" "(cpu)" "(cpu)"

for server in $SERVERS; do
    case $server in
        ember) start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" "${EMBER_ENV[@]}" "$EMBER_BIN" \
                   --port @PORT@ --bind 127.0.0.1 --shards "$EMBER_SHARDS" ;;
        redis) start_server redis "$WORKDIR/redis.log" "$SERVER_CPU" "$REDIS_BIN" --port @PORT@ \
                   --bind 127.0.0.1 --save '' --appendonly no ;;
        *) die "SERVERS may contain ember and redis (got '$server')" ;;
    esac
    pid=$STARTED_PID port=$STARTED_PORT
    for pipeline in $PIPELINES; do
        requests=$REQUESTS_P1
        if (( pipeline > 1 )); then requests=$REQUESTS_P16; fi
        for test in $TESTS; do
            : >"$WORKDIR/cli.rows"; : >"$WORKDIR/rb.rows"
            for (( round = 0; round < ROUNDS; round++ )); do
                "$CLI_BIN" -p "$port" FLUSHALL >/dev/null
                run_one ember-cli "$port" "$test" "$pipeline" "$requests" >>"$WORKDIR/cli.rows"
                "$CLI_BIN" -p "$port" FLUSHALL >/dev/null
                run_one redis-benchmark "$port" "$test" "$pipeline" "$requests" >>"$WORKDIR/rb.rows"
                alive "$pid" || die "$server died during the $test benchmark"
            done
            cli_rps=$(awk '{ print $1 }' "$WORKDIR/cli.rows" | median)
            rb_rps=$(awk '{ print $1 }' "$WORKDIR/rb.rows" | median)
            cli_p50=$(awk '{ print $2 }' "$WORKDIR/cli.rows" | median)
            rb_p50=$(awk '{ print $2 }' "$WORKDIR/rb.rows" | median)
            cli_cpu=$(awk '{ print $3 }' "$WORKDIR/cli.rows" | median)
            rb_cpu=$(awk '{ print $3 }' "$WORKDIR/rb.rows" | median)
            printf '%-6s %-3s %-6s %14.0f %16.0f %6.2f %9.3f %9.3f %10.3f %10.3f\n' "$server" "$pipeline" "$test" \
                "$cli_rps" "$rb_rps" "$(awk -v a="$cli_rps" -v b="$rb_rps" 'BEGIN { print a / b }')" \
                "$cli_p50" "$rb_p50" "$cli_cpu" "$rb_cpu"
        done
    done
    stop_server "$pid"
done
