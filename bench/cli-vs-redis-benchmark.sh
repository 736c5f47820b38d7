#!/usr/bin/env bash
# cli-vs-redis-benchmark.sh — `ember-cli benchmark` against redis-benchmark,
# on the same server in the same run.
#
# For each server (ember-server, redis-server), pipeline depth and test, the
# two load generators run in turn, ROUNDS times, with the same requests,
# clients, payload and keyspace; the table gives the median requests/s of
# each, their ratio (ember-cli / redis-benchmark, the median of the rounds'
# ratios), their p50 latency, and
# each generator's own CPU time per request (user + system), which is what
# decides how much load one generator can drive, and a third witness: the
# server's own count of the commands it ran (INFO total_commands_processed)
# over the generator's wall time, divided into each generator's figure
# ("cli/srv", "rb/srv"). Where a generator, not the server, is the bottleneck
# the two generators disagree, but each still agrees with the server's count.
#
# SERVER_QUOTA=P runs the server in a CPU cgroup limited to P% of one core
# (cgroup v2 cpu.max or v1 cfs quota; needs root), and wants CLIENTS=200 or
# more (see limit_cpu). The server is then the bottleneck for both
# generators at every pipeline depth, which is the regime where their
# figures must agree: both measure the server.
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
#   SERVER_QUOTA (empty: no limit; else a percentage of one CPU, 10-100),
#   CONTROL (1: each round runs redis-benchmark a second time, and "rb/rb"
#   is the median of its two runs' ratio: the noise floor the ratio is read
#   against),
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
SERVER_QUOTA=${SERVER_QUOTA:-}
CONTROL=${CONTROL:-}
[[ -z $NICE || $NICE =~ ^-?[0-9]+$ ]] || die "NICE must be an integer (got '$NICE')"
[[ -z $SERVER_QUOTA || ( $SERVER_QUOTA =~ ^[1-9][0-9]*$ && $SERVER_QUOTA -le 100 && $SERVER_QUOTA -ge 10 ) ]] \
    || die "SERVER_QUOTA must be a percentage of one CPU, 10-100 (got '$SERVER_QUOTA')"

require_tools "$REDIS_BENCHMARK" "$CLI_BIN" taskset awk sort
require_server_bins
[[ -x $EMBER_CLI ]] || die "EMBER_CLI '$EMBER_CLI' is not an executable file (build ember-cli or set EMBER_CLI)"
require_positive_ints "$REQUESTS_P1" "$REQUESTS_P16" "$CLIENTS" "$KEYSPACE" "$ROUNDS" "$EMBER_SHARDS" "$THREADS"

bench_setup ember-cli-vs-rb

# limit_cpu PID PERCENT: moves PID (all its threads) into a new CPU cgroup
# limited to PERCENT% of one core. The server runs 1 ms at a time (the least
# quota the kernel takes) and then waits out the rest of the period, so its
# bursts are short: with more requests in flight than it answers in 1 ms
# (CLIENTS x pipeline; about 150 at P1), it never runs out of work during a
# burst, and a generator never waits on it in vain. Removed at exit.
CGROUP=
limit_cpu() {
    local pid=$1 quota=1000
    local period=$(( quota * 100 / $2 ))
    if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        CGROUP=/sys/fs/cgroup/ember-bench.$$
        grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control \
            || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control \
            || die "cannot enable the cpu controller in /sys/fs/cgroup"
        mkdir "$CGROUP" || die "cannot create $CGROUP (SERVER_QUOTA needs root)"
        echo "$quota $period" >"$CGROUP/cpu.max"
    elif [[ -w /sys/fs/cgroup/cpu/cgroup.procs ]]; then
        CGROUP=/sys/fs/cgroup/cpu/ember-bench.$$
        mkdir "$CGROUP" || die "cannot create $CGROUP (SERVER_QUOTA needs root)"
        echo "$period" >"$CGROUP/cpu.cfs_period_us"
        echo "$quota" >"$CGROUP/cpu.cfs_quota_us"
    else
        die "SERVER_QUOTA needs a writable cgroup cpu controller (v2 or v1) and root"
    fi
    echo "$pid" >"$CGROUP/cgroup.procs"
}
# lib.sh's cleanup calls this once the servers are stopped: the cgroup is empty.
bench_at_exit() { [[ -z $CGROUP ]] || rmdir "$CGROUP" 2>/dev/null || true; }

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

commands_processed() {
    "$CLI_BIN" -p "$1" INFO stats | awk -F: '$1 == "total_commands_processed" { print $2 + 0 }'
}

# run_one TOOL PORT TEST PIPELINE REQUESTS
#   -> "rps p50_ms cpu_us_per_request server_rps"
run_one() {
    local tool=$1 port=$2 test=$3 pipeline=$4 requests=$5 line cpu before after t0 t1
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
    before=$(commands_processed "$port")
    t0=$(date +%s%N)
    { time "${cmd[@]}" >"$WORKDIR/out" 2>"$WORKDIR/err"; } 2>"$WORKDIR/time" \
        || { cat "$WORKDIR/err" >&2; die "$tool $test -P $pipeline failed"; }
    t1=$(date +%s%N)
    # The INFO call that reads the count is itself counted once.
    after=$(( $(commands_processed "$port") - 1 ))
    # Both print "TEST","rps","avg","min","p50",... ; the test's own line is the last.
    line=$(tail -n 1 "$WORKDIR/out")
    cpu=$(awk -v n="$requests" '{ printf "%.3f", ($1 + $2) * 1e6 / n }' "$WORKDIR/time")
    # A MULTI request is three commands; the server counts commands.
    local per_request=1
    [[ $test == multi ]] && per_request=3
    awk -F, -v cpu="$cpu" -v c=$(( after - before )) -v k=$per_request -v ns=$(( t1 - t0 )) \
        '{ gsub(/"/, ""); printf "%s %s %s %.0f\n", $2, $5, cpu, c / k / (ns / 1e9) }' <<<"$line"
}

printf '%-6s %-3s %-6s %14s %16s %6s %6s %7s %7s %9s %9s %10s %10s\n' server P test "ember-cli r/s" \
    "redis-bench r/s" ratio rb/rb cli/srv rb/srv "p50 ms" "p50 ms" "cli us/r" "rb us/r"
printf '%-6s %-3s %-6s %14s %16s %6s %6s %7s %7s %9s %9s %10s %10s\n' "" "" "" "" "" "" "" "" "" "(cli)" "(rb)" \
    "(cpu)" "(cpu)"

for server in $SERVERS; do
    # Neither server saves: persistence is not what is measured.
    case $server in
        ember) start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" "${EMBER_ENV[@]}" "$EMBER_BIN" \
                   --port @PORT@ --bind 127.0.0.1 --shards "$EMBER_SHARDS" --save '' --appendonly no ;;
        redis) start_server redis "$WORKDIR/redis.log" "$SERVER_CPU" "$REDIS_BIN" --port @PORT@ \
                   --bind 127.0.0.1 --save '' --appendonly no ;;
        *) die "SERVERS may contain ember and redis (got '$server')" ;;
    esac
    pid=$STARTED_PID port=$STARTED_PORT
    if [[ -n $SERVER_QUOTA ]]; then
        limit_cpu "$pid" "$SERVER_QUOTA"
        log "$server limited to $SERVER_QUOTA% of one CPU ($CGROUP)"
    fi
    for pipeline in $PIPELINES; do
        requests=$REQUESTS_P1
        if (( pipeline > 1 )); then requests=$REQUESTS_P16; fi
        for test in $TESTS; do
            : >"$WORKDIR/cli.rows"; : >"$WORKDIR/rb.rows"; : >"$WORKDIR/rb2.rows"
            for (( round = 0; round < ROUNDS; round++ )); do
                "$CLI_BIN" -p "$port" FLUSHALL >/dev/null
                run_one ember-cli "$port" "$test" "$pipeline" "$requests" >>"$WORKDIR/cli.rows"
                "$CLI_BIN" -p "$port" FLUSHALL >/dev/null
                run_one redis-benchmark "$port" "$test" "$pipeline" "$requests" >>"$WORKDIR/rb.rows"
                if [[ -n $CONTROL ]]; then
                    "$CLI_BIN" -p "$port" FLUSHALL >/dev/null
                    run_one redis-benchmark "$port" "$test" "$pipeline" "$requests" >>"$WORKDIR/rb2.rows"
                fi
                alive "$pid" || die "$server died during the $test benchmark"
            done
            col() { awk -v k="$2" '{ print $k }' "$WORKDIR/$1.rows" | median; }
            # Ratios are taken within each round (two runs side by side) and
            # their median reported: the machine's drift between rounds cancels.
            paired() { paste -d' ' "$WORKDIR/$1.rows" "$WORKDIR/$2.rows" \
                | awk -v a="$3" -v b="$4" '{ print $a / $b }' | median; }
            control=-
            [[ -z $CONTROL ]] || control=$(printf '%.2f' "$(paired rb2 rb 1 5)")
            printf '%-6s %-3s %-6s %14.0f %16.0f %6.2f %6s %7.2f %7.2f %9.3f %9.3f %10.3f %10.3f\n' \
                "$server" "$pipeline" "$test" "$(col cli 1)" "$(col rb 1)" \
                "$(paired cli rb 1 5)" "$control" "$(paired cli cli 1 8)" "$(paired rb rb 1 8)" \
                "$(col cli 2)" "$(col rb 2)" "$(col cli 3)" "$(col rb 3)"
        done
    done
    stop_server "$pid"
    if [[ -n $CGROUP ]]; then rmdir "$CGROUP"; CGROUP=; fi
done
