#!/usr/bin/env bash
# compare-redis.sh — throughput and server CPU per request, ember vs redis-server.
#
# Runs redis-benchmark (SET then GET, 64-byte values, random keys, 50 clients,
# pipeline 1 and 16) against ember and redis-server in turn, in two modes:
#   pinned    server on CPU $SERVER_CPU (ember --shards 1), benchmark on $BENCH_CPU
#   unpinned  no taskset, ember with its default shard count
# and prints one table row per (mode, test, pipeline).  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=compare-redis.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

BENCH_BIN=${BENCH_BIN:-redis-benchmark}

if [[ -n ${QUICK:-} && ${QUICK} != 0 ]]; then
    N_P1=${N_P1:-20000}
    N_P16=${N_P16:-200000}
else
    N_P1=${N_P1:-200000}
    N_P16=${N_P16:-2000000}
fi
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-64}
KEYSPACE=${KEYSPACE:-100000}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-"SET GET"}
MODES=${MODES:-"pinned unpinned"}
REPEAT=${REPEAT:-1}                          # runs per cell; the median is reported
BENCH_THREADS=${BENCH_THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
PINNED_SHARDS=${PINNED_SHARDS:-1}
UNPINNED_SHARDS=${UNPINNED_SHARDS:-}        # empty = ember's default (#cores)
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}          # seconds per redis-benchmark run

require_tools "$BENCH_BIN" "$CLI_BIN" taskset timeout awk getconf
require_server_bins
require_positive_ints "$N_P1" "$N_P16" "$CLIENTS" "$DATA_SIZE" "$KEYSPACE" "$REPEAT"
for t in $TESTS; do
    [[ $t == SET || $t == GET ]] || die "TESTS may only contain SET and GET (got '$t')"
done

CLK_TCK=$(getconf CLK_TCK)
bench_setup ember-compare

# Load keys key:000000000000 .. key:(KEYSPACE-1) so GETs always hit.
preload() {
    local name=$1 port=$2 dbsize
    if ! timeout 120 "$CLI_BIN" -h 127.0.0.1 -p "$port" --pipe <"$WORKDIR/preload.resp" \
            >"$WORKDIR/preload.$name.out" 2>&1; then
        cat "$WORKDIR/preload.$name.out" >&2
        die "preloading $name with 'redis-cli --pipe' failed or timed out (needs SET and ECHO)"
    fi
    dbsize=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" DBSIZE 2>&1 || true)
    [[ $dbsize == "$KEYSPACE" ]] || die "$name: DBSIZE after preload is '$dbsize', expected $KEYSPACE"
}

# run_bench NAME PORT PID TEST P N -> prints "rps us_per_req"
run_bench() {
    local name=$1 port=$2 pid=$3 test=$4 p=$5 n=$6 t0 t1 out rps
    local -a cmd=("$BENCH_BIN" -h 127.0.0.1 -p "$port" -t "${test,,}" -n "$n" -c "$CLIENTS"
                  -d "$DATA_SIZE" -r "$KEYSPACE" -P "$p" --csv)
    [[ -n $BENCH_THREADS && $BENCH_THREADS != 0 ]] && cmd+=(--threads "$BENCH_THREADS")
    [[ -n $BENCH_PIN ]] && cmd=(taskset -c "$BENCH_PIN" "${cmd[@]}")
    t0=$(cpu_ticks "$pid")
    run_watched "$name" "$pid" "$test P$p" "${cmd[@]}"
    t1=$(cpu_ticks "$pid")
    out=$(<"$WORKDIR/bench.out")
    rps=$(awk -F, -v t="\"$test\"" '$1 == t { gsub(/"/, "", $2); print $2; exit }' <<<"$out")
    [[ -n $rps ]] || { echo "$out" >&2; die "could not parse redis-benchmark output for $name $test P$p"; }
    awk -v rps="$rps" -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$n" \
        'BEGIN { printf "%s %.3f\n", rps, d / hz / n * 1e6 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# RESP for SET key:%012d <DATA_SIZE bytes>, same key format as redis-benchmark -r.
awk -v n="$KEYSPACE" -v d="$DATA_SIZE" 'BEGIN {
    v = sprintf("%0" d "d", 0); gsub(/0/, "x", v)
    for (i = 0; i < n; i++) {
        k = sprintf("key:%012d", i)
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, d, v
    }
}' >"$WORKDIR/preload.resp"

RESULTS=()
start_time=$SECONDS
log "ember: $EMBER_BIN"
log "redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | head -n1 || echo '?'))"
log "cores: $(nproc)  requests: P1=$N_P1 P>1=$N_P16  clients=$CLIENTS  -d $DATA_SIZE  -r $KEYSPACE"

for mode in $MODES; do
    case $mode in
        pinned)
            SERVER_PIN=$SERVER_CPU; BENCH_PIN=$BENCH_CPU
            ember_shards=(--shards "$PINNED_SHARDS") ;;
        unpinned)
            SERVER_PIN=; BENCH_PIN=
            ember_shards=(); [[ -n $UNPINNED_SHARDS ]] && ember_shards=(--shards "$UNPINNED_SHARDS") ;;
        *) die "unknown mode '$mode' (MODES may contain: pinned unpinned)" ;;
    esac

    start_server ember "$WORKDIR/ember.$mode.log" "$SERVER_PIN" \
        "${EMBER_ENV[@]}" "$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 "${ember_shards[@]}"
    ember_pid=$STARTED_PID ember_port=$STARTED_PORT
    start_server redis "$WORKDIR/redis.$mode.log" "$SERVER_PIN" \
        "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 --save "" --appendonly no --dir "$WORKDIR"
    redis_pid=$STARTED_PID redis_port=$STARTED_PORT
    log "mode $mode: ember pid $ember_pid port $ember_port threads $(threads "$ember_pid"), redis pid $redis_pid port $redis_port"

    preload ember "$ember_port"
    preload redis "$redis_port"

    for p in $PIPELINES; do
        [[ $p =~ ^[1-9][0-9]*$ ]] || die "pipeline depth '$p' is not a positive integer"
        if (( p == 1 )); then n=$N_P1; else n=$N_P16; fi
        for test in $TESTS; do
            e_rpss=() e_cpus=() r_rpss=() r_cpus=()
            for (( rep = 1; rep <= REPEAT; rep++ )); do
                res=$(run_bench ember "$ember_port" "$ember_pid" "$test" "$p" "$n") || exit 1
                read -r e_rps e_cpu <<<"$res"
                res=$(run_bench redis "$redis_port" "$redis_pid" "$test" "$p" "$n") || exit 1
                read -r r_rps r_cpu <<<"$res"
                log "$mode $test P$p run $rep/$REPEAT: ember ${e_rps} rps ${e_cpu} us/req, redis ${r_rps} rps ${r_cpu} us/req"
                e_rpss+=("$e_rps") e_cpus+=("$e_cpu") r_rpss+=("$r_rps") r_cpus+=("$r_cpu")
            done
            e_rps=$(median "${e_rpss[@]}") e_cpu=$(median "${e_cpus[@]}")
            r_rps=$(median "${r_rpss[@]}") r_cpu=$(median "${r_cpus[@]}")
            RESULTS+=("$mode $test $p $e_rps $r_rps $e_cpu $r_cpu")
        done
    done

    stop_server "$ember_pid"
    stop_server "$redis_pid"
done

printf '\n'
printf '%-9s %-4s %3s %12s %12s %7s %11s %11s %7s\n' \
    mode test P "ember rps" "redis rps" "rps e/r" "ember us/op" "redis us/op" "cpu e/r"
for row in "${RESULTS[@]}"; do
    awk -v r="$row" 'BEGIN {
        split(r, f, " ")
        rr = (f[5] > 0) ? sprintf("%.2f", f[4] / f[5]) : "n/a"
        cr = (f[7] > 0) ? sprintf("%.2f", f[6] / f[7]) : "n/a"
        printf "%-9s %-4s %3s %12.0f %12.0f %7s %11.3f %11.3f %7s\n", f[1], f[2], f[3], f[4], f[5], rr, f[6], f[7], cr
    }'
done
printf '\n(us/op = server CPU time (user+sys, all threads) per request in microseconds; e/r = ember/redis;\n median of %d run(s) per cell; total %ds)\n' "$REPEAT" \
    $(( SECONDS - start_time ))
