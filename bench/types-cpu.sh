#!/usr/bin/env bash
# types-cpu.sh — throughput and server CPU per request for collection commands,
# ember vs redis-server.
#
# Pinned like compare-redis.sh's pinned mode: both servers on CPU $SERVER_CPU
# (ember --shards 1), redis-benchmark on $BENCH_CPU.  Runs LPUSH, HSET, SADD,
# ZADD (redis-benchmark's built-in tests) and ZRANGE bench:zset 0 9 WITHSCORES
# (a custom command) against ember and redis-server in turn, and prints one
# table row per (test, pipeline).  A server that answers "unknown command" gets
# "n/a" in its columns; the other tests still run.  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=types-cpu.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

BENCH_BIN=${BENCH_BIN:-redis-benchmark}

if [[ -n ${QUICK:-} && ${QUICK} != 0 ]]; then
    N_P1=${N_P1:-10000}
    N_P16=${N_P16:-100000}
else
    N_P1=${N_P1:-100000}
    N_P16=${N_P16:-1000000}
fi
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-64}
KEYSPACE=${KEYSPACE:-100000}
ZSET_SIZE=${ZSET_SIZE:-100}                  # members of bench:zset, read by ZRANGE
PIPELINES=${PIPELINES:-16}
TESTS=${TESTS:-"LPUSH HSET SADD ZADD ZRANGE"}
REPEAT=${REPEAT:-1}                          # runs per cell; the median is reported
BENCH_THREADS=${BENCH_THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
EMBER_SHARDS=${EMBER_SHARDS:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}          # seconds per redis-benchmark run

require_tools "$BENCH_BIN" "$CLI_BIN" taskset timeout awk getconf
require_server_bins
require_positive_ints "$N_P1" "$N_P16" "$CLIENTS" "$DATA_SIZE" "$KEYSPACE" "$ZSET_SIZE" "$REPEAT" "$EMBER_SHARDS"
(( ZSET_SIZE >= 10 && ZSET_SIZE <= 10000 )) || die "ZSET_SIZE must be between 10 and 10000 (got $ZSET_SIZE)"
[[ -n ${TESTS// /} ]] || die "TESTS is empty"
for t in $TESTS; do
    case $t in LPUSH|HSET|SADD|ZADD|ZRANGE) ;;
        *) die "unknown test '$t' (TESTS may contain: LPUSH HSET SADD ZADD ZRANGE)" ;; esac
done
for p in $PIPELINES; do
    [[ $p =~ ^[1-9][0-9]*$ ]] || die "pipeline depth '$p' is not a positive integer"
done

CLK_TCK=$(getconf CLK_TCK)
bench_setup ember-typescpu

ZRANGE_CMD=(ZRANGE bench:zset 0 9 WITHSCORES)

# What redis-benchmark 7.0 sends for each built-in test (one key per test,
# __rand_int__ = a 12-digit number below -r, drawn separately per occurrence):
#   LPUSH  LPUSH mylist <-d bytes>              (the list grows by -n per run)
#   HSET   HSET myhash element:__rand_int__ <-d bytes>
#   SADD   SADD myset element:__rand_int__
#   ZADD   ZADD myzset __rand_int__ element:__rand_int__   (score 0 without -r)
# The CSV title is the test name; for a custom command it is the command line.
bench_title() {
    if [[ $1 == ZRANGE ]]; then echo "${ZRANGE_CMD[*]}"; else echo "$1"; fi
}

# probe_cmds TEST -> the commands (one per line) a server must know for TEST;
# they run on the key bench:probe, which is deleted afterwards.
probe_cmds() {
    case $1 in
        LPUSH)  echo "LPUSH bench:probe x" ;;
        HSET)   echo "HSET bench:probe f x" ;;
        SADD)   echo "SADD bench:probe x" ;;
        ZADD)   echo "ZADD bench:probe 1.5 x" ;;
        ZRANGE) echo "ZADD bench:probe 1.5 x"; echo "ZRANGE bench:probe 0 9 WITHSCORES" ;;
    esac
}

# unsupported NAME PORT TEST -> prints "unknown command 'X'" if the server does
# not know a command TEST needs, nothing otherwise.
unsupported() {
    local name=$1 port=$2 test=$3 line reply msg=
    local -a words
    while read -r line; do
        read -ra words <<<"$line"
        reply=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" "${words[@]}" 2>&1 || true)
        if [[ $reply =~ unknown\ command\ \'[^\']*\' ]]; then
            msg=${BASH_REMATCH[0]}
            break
        fi
    done < <(probe_cmds "$test")
    timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" DEL bench:probe >/dev/null 2>&1 || true
    [[ -n $msg ]] && log "$name: $test: $msg — no figures for $name"
    echo "$msg"
}

# gen_preload TEST > file: RESP that fills the key TEST works on, so every run
# starts from the same state (HSET overwrites, SADD finds the member, ZADD
# updates a score).  LPUSH gets nothing.
gen_preload() {
    awk -v t="$1" -v n="$KEYSPACE" -v d="$DATA_SIZE" -v z="$ZSET_SIZE" 'BEGIN {
        v = sprintf("%0" d "d", 0); gsub(/0/, "x", v)
        if (t == "ZRANGE") {
            printf "*%d\r\n$4\r\nZADD\r\n$10\r\nbench:zset\r\n", 2 + 2 * z
            for (j = 0; j < z; j++) {
                s = sprintf("%d.5", j); m = sprintf("member:%04d", j)
                printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m
            }
            exit
        }
        for (i = 0; i < n; i++) {
            e = sprintf("element:%012d", i)
            if (t == "HSET")
                printf "*4\r\n$4\r\nHSET\r\n$6\r\nmyhash\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(e), e, d, v
            else if (t == "SADD")
                printf "*3\r\n$4\r\nSADD\r\n$5\r\nmyset\r\n$%d\r\n%s\r\n", length(e), e
            else if (t == "ZADD") {
                s = sprintf("%d", i)
                printf "*4\r\n$4\r\nZADD\r\n$6\r\nmyzset\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(e), e
            }
        }
    }'
}

# preload NAME PORT TEST: load the RESP file and check the element count.
preload() {
    local name=$1 port=$2 test=$3 got want
    local -a check
    case $test in
        LPUSH)  return 0 ;;
        HSET)   check=(HLEN myhash) want=$KEYSPACE ;;
        SADD)   check=(SCARD myset) want=$KEYSPACE ;;
        ZADD)   check=(ZCARD myzset) want=$KEYSPACE ;;
        ZRANGE) check=(ZCARD bench:zset) want=$ZSET_SIZE ;;
    esac
    if ! timeout 120 "$CLI_BIN" -h 127.0.0.1 -p "$port" --pipe <"$WORKDIR/preload.$test.resp" \
            >"$WORKDIR/preload.$test.$name.out" 2>&1; then
        tail -n 20 "$WORKDIR/preload.$test.$name.out" >&2
        die "preloading $name for $test with 'redis-cli --pipe' failed or timed out"
    fi
    got=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" "${check[@]}" 2>&1 || true)
    [[ $got == "$want" ]] || die "$name: ${check[*]} after preload is '$got', expected $want"
}

# run_bench NAME PORT PID TEST P N -> prints "rps us_per_req"
run_bench() {
    local name=$1 port=$2 pid=$3 test=$4 p=$5 n=$6 t0 t1 out rps title
    local -a cmd=("$BENCH_BIN" -h 127.0.0.1 -p "$port" -n "$n" -c "$CLIENTS"
                  -d "$DATA_SIZE" -r "$KEYSPACE" -P "$p" --csv)
    [[ -n $BENCH_THREADS && $BENCH_THREADS != 0 ]] && cmd+=(--threads "$BENCH_THREADS")
    # A custom command goes after the options; redis-benchmark then ignores -t.
    if [[ $test == ZRANGE ]]; then cmd+=("${ZRANGE_CMD[@]}"); else cmd+=(-t "${test,,}"); fi
    cmd=(taskset -c "$BENCH_CPU" "${cmd[@]}")
    title=$(bench_title "$test")
    t0=$(cpu_ticks "$pid")
    run_watched "$name" "$pid" "$test P$p" "${cmd[@]}"
    t1=$(cpu_ticks "$pid")
    out=$(<"$WORKDIR/bench.out")
    rps=$(awk -F, -v t="\"$title\"" '$1 == t { gsub(/"/, "", $2); print $2; exit }' <<<"$out")
    [[ -n $rps ]] || { echo "$out" >&2; cat "$WORKDIR/bench.err" >&2; die "could not parse redis-benchmark output for $name $test P$p"; }
    awk -v rps="$rps" -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$n" \
        'BEGIN { printf "%s %.3f\n", rps, d / hz / n * 1e6 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for test in $TESTS; do
    [[ $test == LPUSH ]] || gen_preload "$test" >"$WORKDIR/preload.$test.resp"
done

start_time=$SECONDS
log "ember: $EMBER_BIN"
log "redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | head -n1 || echo '?'))"
log "cores: $(nproc)  requests: P1=$N_P1 P>1=$N_P16  clients=$CLIENTS  -d $DATA_SIZE  -r $KEYSPACE"
log "servers on CPU $SERVER_CPU (ember --shards $EMBER_SHARDS), redis-benchmark on CPU $BENCH_CPU"

start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" \
    "${EMBER_ENV[@]}" "$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 --shards "$EMBER_SHARDS"
ember_pid=$STARTED_PID ember_port=$STARTED_PORT
start_server redis "$WORKDIR/redis.log" "$SERVER_CPU" \
    "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 --save "" --appendonly no --dir "$WORKDIR"
redis_pid=$STARTED_PID redis_port=$STARTED_PORT
log "ember pid $ember_pid port $ember_port threads $(threads "$ember_pid"), redis pid $redis_pid port $redis_port"

# Which tests each server can run; preload those.
declare -A E_SKIP R_SKIP
for test in $TESTS; do
    E_SKIP[$test]=$(unsupported ember "$ember_port" "$test")
    R_SKIP[$test]=$(unsupported redis "$redis_port" "$test")
    [[ -n ${E_SKIP[$test]} ]] || preload ember "$ember_port" "$test"
    [[ -n ${R_SKIP[$test]} ]] || preload redis "$redis_port" "$test"
done

RESULTS=() NOTES=()
for p in $PIPELINES; do
    if (( p == 1 )); then n=$N_P1; else n=$N_P16; fi
    for test in $TESTS; do
        e_rpss=() e_cpus=() r_rpss=() r_cpus=()
        for (( rep = 1; rep <= REPEAT; rep++ )); do
            e_rps=n/a e_cpu=n/a r_rps=n/a r_cpu=n/a
            if [[ -z ${E_SKIP[$test]} ]]; then
                res=$(run_bench ember "$ember_port" "$ember_pid" "$test" "$p" "$n") || exit 1
                read -r e_rps e_cpu <<<"$res"
                e_rpss+=("$e_rps") e_cpus+=("$e_cpu")
            fi
            if [[ -z ${R_SKIP[$test]} ]]; then
                res=$(run_bench redis "$redis_port" "$redis_pid" "$test" "$p" "$n") || exit 1
                read -r r_rps r_cpu <<<"$res"
                r_rpss+=("$r_rps") r_cpus+=("$r_cpu")
            fi
            log "$test P$p run $rep/$REPEAT: ember ${e_rps} rps ${e_cpu} us/req, redis ${r_rps} rps ${r_cpu} us/req"
        done
        e_rps=n/a e_cpu=n/a r_rps=n/a r_cpu=n/a
        if (( ${#e_rpss[@]} )); then e_rps=$(median "${e_rpss[@]}") e_cpu=$(median "${e_cpus[@]}"); fi
        if (( ${#r_rpss[@]} )); then r_rps=$(median "${r_rpss[@]}") r_cpu=$(median "${r_cpus[@]}"); fi
        RESULTS+=("$test $p $e_rps $r_rps $e_cpu $r_cpu")
    done
done
for test in $TESTS; do
    [[ -z ${E_SKIP[$test]} ]] || NOTES+=("$test: ember answered: ${E_SKIP[$test]}")
    [[ -z ${R_SKIP[$test]} ]] || NOTES+=("$test: redis answered: ${R_SKIP[$test]}")
done

printf '\n'
printf '%-6s %3s %12s %12s %7s %11s %11s %7s\n' \
    test P "ember rps" "redis rps" "rps e/r" "ember us/op" "redis us/op" "cpu e/r"
for row in "${RESULTS[@]}"; do
    awk -v r="$row" 'BEGIN {
        split(r, f, " ")
        rr = (f[3] != "n/a" && f[4] != "n/a" && f[4] > 0) ? sprintf("%.2f", f[3] / f[4]) : "n/a"
        cr = (f[5] != "n/a" && f[6] != "n/a" && f[6] > 0) ? sprintf("%.2f", f[5] / f[6]) : "n/a"
        for (i = 3; i <= 4; i++) if (f[i] != "n/a") f[i] = sprintf("%.0f", f[i])
        for (i = 5; i <= 6; i++) if (f[i] != "n/a") f[i] = sprintf("%.3f", f[i])
        printf "%-6s %3s %12s %12s %7s %11s %11s %7s\n", f[1], f[2], f[3], f[4], rr, f[5], f[6], cr
    }'
done
for note in "${NOTES[@]}"; do printf 'n/a: %s\n' "$note"; done
printf '\n(pinned: servers on CPU %s, ember --shards %s, redis-benchmark on CPU %s; ZRANGE = %s on a %d-member zset;\n' \
    "$SERVER_CPU" "$EMBER_SHARDS" "$BENCH_CPU" "${ZRANGE_CMD[*]}" "$ZSET_SIZE"
printf ' us/op = server CPU time (user+sys, all threads) per request in microseconds; e/r = ember/redis;\n median of %d run(s) per cell; total %ds)\n' "$REPEAT" \
    $(( SECONDS - start_time ))
