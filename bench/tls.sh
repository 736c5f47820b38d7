#!/usr/bin/env bash
# tls.sh — what TLS costs: ember (modules/tls) vs redis-server, plain and TLS ports.
#
# Starts ember (--shards 1, tls.so loaded) and redis-server (Debian's, built
# with TLS), each with a plain port and a TLS port, pinned to CPU $SERVER_CPU
# with redis-benchmark on $BENCH_CPU, and runs on each port: GET and SET at
# pipeline 1 and 16, and new connections per second (redis-benchmark -k 0:
# a new connection, so a full handshake on the TLS port, for every GET).
# Prints requests/s and server CPU per request (user+sys from /proc, all
# threads), then the ratios the TLS module is judged by:
#   tls e/r      ember's CPU per request over TLS / redis-server's (goal < 1)
#   tls/plain    each server's CPU per request over TLS / on its plain port
#                (goal: ember's no higher than redis-server's)
# Certificates are made in the work directory with `openssl`. See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=tls.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

BENCH_BIN=${BENCH_BIN:-redis-benchmark}
TLS_MODULE=${TLS_MODULE:-$(dirname "$EMBER_BIN")/../modules/tls.so}
if [[ -n ${QUICK:-} && ${QUICK} != 0 ]]; then
    N_P1=${N_P1:-10000}
    N_P16=${N_P16:-100000}
    N_CONN=${N_CONN:-1000}
else
    N_P1=${N_P1:-50000}
    N_P16=${N_P16:-500000}
    N_CONN=${N_CONN:-5000}
fi
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-64}
KEYSPACE=${KEYSPACE:-10000}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}

require_tools "$BENCH_BIN" "$CLI_BIN" openssl taskset timeout awk getconf
require_server_bins
[[ -f $TLS_MODULE ]] || die "TLS_MODULE '$TLS_MODULE' not found (build the tls target)"
require_positive_ints "$N_P1" "$N_P16" "$N_CONN" "$CLIENTS" "$DATA_SIZE" "$KEYSPACE"

CLK_TCK=$(getconf CLK_TCK)
bench_setup ember-tls

# A CA and a server certificate for 127.0.0.1.
(
    cd "$WORKDIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext
) >/dev/null 2>&1 || die "openssl could not make the certificates"

tls_args() {  # tls_args PORT -> the tls-* flags both servers take
    echo --tls-port "$1" --tls-cert-file "$WORKDIR/server.crt" --tls-key-file "$WORKDIR/server.key" \
        --tls-ca-cert-file "$WORKDIR/ca.crt" --tls-auth-clients no
}

wait_tls() {  # wait_tls NAME PORT: the TLS port answers PING
    local i
    for i in $(seq 100); do
        [[ $(timeout 2 "$CLI_BIN" -p "$2" --tls --cacert "$WORKDIR/ca.crt" PING 2>/dev/null || true) == PONG ]] && return 0
        sleep 0.1
    done
    die "$1: no PONG on TLS port $2"
}

# run_bench NAME PID PORT TLS(0/1) TEST P N KEEPALIVE -> prints "rps us_per_req"
run_bench() {
    local name=$1 pid=$2 port=$3 tls=$4 test=$5 p=$6 n=$7 keepalive=$8 t0 t1 rps
    local -a cmd=(taskset -c "$BENCH_CPU" "$BENCH_BIN" -h 127.0.0.1 -p "$port" -t "${test,,}" -n "$n"
                  -c "$CLIENTS" -d "$DATA_SIZE" -r "$KEYSPACE" -P "$p" -k "$keepalive" --csv)
    (( tls )) && cmd+=(--tls --cacert "$WORKDIR/ca.crt")
    t0=$(cpu_ticks "$pid")
    timeout "$BENCH_TIMEOUT" "${cmd[@]}" >"$WORKDIR/bench.out" 2>"$WORKDIR/bench.err" ||
        { cat "$WORKDIR/bench.err" >&2; die "redis-benchmark against $name failed ($test P$p tls=$tls)"; }
    t1=$(cpu_ticks "$pid")
    rps=$(awk -F, -v t="\"$test\"" '$1 == t { gsub(/"/, "", $2); print $2; exit }' "$WORKDIR/bench.out")
    [[ -n $rps ]] || { cat "$WORKDIR/bench.out" >&2; die "could not parse redis-benchmark output"; }
    awk -v rps="$rps" -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%s %.3f\n", rps, d / hz / n * 1e6 }'
}

declare -A RPS CPU
start_time=$SECONDS
log "ember: $EMBER_BIN + $TLS_MODULE"
log "redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | head -n1 || echo '?'))"
log "server on CPU $SERVER_CPU, redis-benchmark on CPU $BENCH_CPU; P1=$N_P1 P16=$N_P16 conn=$N_CONN requests, $CLIENTS clients"

for name in ember redis; do
    tls_port=$(free_port)
    # shellcheck disable=SC2046  # tls_args's words are meant to split
    if [[ $name == ember ]]; then
        start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" "${EMBER_ENV[@]}" "$EMBER_BIN" --port @PORT@ \
            --bind 127.0.0.1 --shards 1 --loadmodule "$TLS_MODULE" $(tls_args "$tls_port")
    else
        start_server redis "$WORKDIR/redis.log" "$SERVER_CPU" "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 \
            --save "" --appendonly no --dir "$WORKDIR" $(tls_args "$tls_port")
    fi
    pid=$STARTED_PID plain_port=$STARTED_PORT
    wait_tls "$name" "$tls_port"
    "$BENCH_BIN" -h 127.0.0.1 -p "$plain_port" -t set -n "$KEYSPACE" -r "$KEYSPACE" -d "$DATA_SIZE" -q >/dev/null
    for transport in plain tls; do
        if [[ $transport == tls ]]; then port=$tls_port tls=1; else port=$plain_port tls=0; fi
        for test in GET SET; do
            for p in 1 16; do
                if (( p == 1 )); then n=$N_P1; else n=$N_P16; fi
                res=$(run_bench "$name" "$pid" "$port" "$tls" "$test" "$p" "$n" 1) || exit 1
                read -r rps cpu <<<"$res"
                RPS[$name.$transport.$test.$p]=$rps CPU[$name.$transport.$test.$p]=$cpu
                log "$name $transport $test P$p: $rps rps, $cpu us/req"
            done
        done
        res=$(run_bench "$name" "$pid" "$port" "$tls" GET 1 "$N_CONN" 0) || exit 1
        read -r rps cpu <<<"$res"
        RPS[$name.$transport.conn.1]=$rps CPU[$name.$transport.conn.1]=$cpu
        log "$name $transport new connections: $rps per s, $cpu us each"
    done
    stop_server "$pid"
done

printf '\n%-5s %2s | %10s %10s %9s %9s | %10s %10s %9s %9s | %7s %9s %9s\n' test P \
    "ember rps" "redis rps" "e us/op" "r us/op" "e tls rps" "r tls rps" "e tls us" "r tls us" \
    "tls e/r" "e tls/pl" "r tls/pl"
for row in "GET 1" "GET 16" "SET 1" "SET 16" "conn 1"; do
    read -r test p <<<"$row"
    k=$test.$p
    awk -v t="$test" -v p="$p" -v ep="${RPS[ember.plain.$k]}" -v rp="${RPS[redis.plain.$k]}" \
        -v ec="${CPU[ember.plain.$k]}" -v rc="${CPU[redis.plain.$k]}" -v et="${RPS[ember.tls.$k]}" \
        -v rt="${RPS[redis.tls.$k]}" -v etc="${CPU[ember.tls.$k]}" -v rtc="${CPU[redis.tls.$k]}" 'BEGIN {
        printf "%-5s %2s | %10.0f %10.0f %9.3f %9.3f | %10.0f %10.0f %9.3f %9.3f | %7s %9s %9s\n", t, p, ep, rp, ec, rc,
            et, rt, etc, rtc, (rtc > 0 ? sprintf("%.2f", etc / rtc) : "n/a"),
            (ec > 0 ? sprintf("%.2f", etc / ec) : "n/a"), (rc > 0 ? sprintf("%.2f", rtc / rc) : "n/a")
    }'
done
printf '\n(us/op: server CPU (user+sys, all threads) per request in microseconds; "conn": GET on a new\n'
printf ' connection each time (redis-benchmark -k 0), so us/op is the cost of one connection; e = ember,\n'
printf ' r = redis-server; tls/pl = TLS port / plain port; total %ds)\n' $(( SECONDS - start_time ))
