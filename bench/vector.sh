#!/usr/bin/env bash
# vector.sh — ember's vector module against in-process hnswlib, the limit.
#
# N random DIM-dimension vectors, COSINE, M 16, EF construction 64, k 10.
# In-process: ember-hnsw-inprocess builds the same hnswlib index on one
# core. Over the wire: ember-server --shards 1 --loadmodule vector.so on
# SERVER_CPU, ember-vector-client on CLIENT_CPU sending VADD_BATCH (binary
# form, pipelined) and VSIM. Prints insert and query rates, CPU time per
# insert and per query, p50/p99 latency, recall@k against brute force and
# resident bytes per vector for both, and their ratios.  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=vector.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN CLI_BIN START_TIMEOUT, helpers

BIN_DIR=$(dirname "$EMBER_BIN")
MODULE=${MODULE:-$(cd "$BIN_DIR/.." && pwd)/modules/vector.so}
INPROCESS_BIN=${INPROCESS_BIN:-$BIN_DIR/ember-hnsw-inprocess}
CLIENT_BIN=${CLIENT_BIN:-$BIN_DIR/ember-vector-client}
N=${N:-100000}
DIM=${DIM:-128}
LATENT=${LATENT:-32}                 # intrinsic dimension of the data; 0 = i.i.d. uniform components
QUERIES=${QUERIES:-1000}
K=${K:-10}
M=${M:-16}
EF_CONSTRUCTION=${EF_CONSTRUCTION:-64}
BATCH=${BATCH:-1000}                 # elements per VADD_BATCH
PIPELINE=${PIPELINE:-4}              # VADD_BATCH commands in flight
WINDOW=${WINDOW:-32}                 # VSIM commands in flight for the throughput pass
ROUNDS=${ROUNDS:-3}                  # throughput pass: QUERIES x ROUNDS queries
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SETTLE=${SETTLE:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
# Both sides use jemalloc; returning freed pages at once makes RSS show
# what the index holds, not what the allocator has yet to give back (the
# index's doublings free blocks of up to half its final size).
BENCH_MALLOC_CONF=${BENCH_MALLOC_CONF:-dirty_decay_ms:0,muzzy_decay_ms:0}

require_tools "$CLI_BIN" taskset timeout awk
for bin in "$EMBER_BIN" "$INPROCESS_BIN" "$CLIENT_BIN"; do
    [[ -x $bin ]] || die "'$bin' is not an executable file (build ember, or set EMBER_BIN / INPROCESS_BIN / CLIENT_BIN)"
done
[[ -f $MODULE ]] || die "module '$MODULE' not found (build ember, or set MODULE)"
require_positive_ints "$N" "$DIM" "$QUERIES" "$K" "$M" "$EF_CONSTRUCTION" "$BATCH" "$PIPELINE" "$WINDOW" "$ROUNDS"

bench_setup ember-vector

common=(--n="$N" --dim="$DIM" --latent="$LATENT" --queries="$QUERIES" --k="$K" --m="$M"
        --ef-construction="$EF_CONSTRUCTION" --truth="$WORKDIR/truth.bin")

# value NAME FILE -> the number on the "NAME value" line
value() { awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) exit 1 }' "$2" ||
          die "no '$1' in $2"; }

start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" "${EMBER_ENV[@]}" MALLOC_CONF="$BENCH_MALLOC_CONF" \
    "$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 --shards 1 --loadmodule "$MODULE"
ember_pid=$STARTED_PID ember_port=$STARTED_PORT
ef_search=$("$CLI_BIN" -h 127.0.0.1 -p "$ember_port" CONFIG GET vector.default-ef | tail -n 1)
require_positive_ints "$ef_search"
log "ember pid $ember_pid port $ember_port, pinned to CPU $SERVER_CPU; default EF $ef_search"

log "in-process hnswlib on CPU $SERVER_CPU (the first run also computes the exact answers)"
MALLOC_CONF="$BENCH_MALLOC_CONF" timeout "$BENCH_TIMEOUT" taskset -c "$SERVER_CPU" "$INPROCESS_BIN" \
    "${common[@]}" --ef-search="$ef_search" >"$WORKDIR/inprocess.out" || die "ember-hnsw-inprocess failed"

# client PHASE ARGS... -> runs ember-vector-client on CLIENT_CPU into $WORKDIR/PHASE.out
client() {
    local phase=$1; shift
    timeout "$BENCH_TIMEOUT" taskset -c "$CLIENT_CPU" "$CLIENT_BIN" --phase="$phase" --port="$ember_port" \
        "${common[@]}" "$@" >"$WORKDIR/$phase.out" || {
        alive "$ember_pid" || { tail -n 20 "$WORKDIR/ember.log" >&2; die "ember died during the $phase phase"; }
        die "ember-vector-client --phase=$phase failed"; }
}

rss_before=$(status_kb "$ember_pid" VmRSS)
log "ember: inserting $N vectors (VADD_BATCH of $BATCH, $PIPELINE in flight)"
cpu0=$(cpu_ticks "$ember_pid")
client insert --batch="$BATCH" --pipeline="$PIPELINE"
cpu1=$(cpu_ticks "$ember_pid")
sleep "$SETTLE"
rss_after=$(status_kb "$ember_pid" VmRSS)
card=$("$CLI_BIN" -h 127.0.0.1 -p "$ember_port" VCARD bench:vectors)
[[ $card == "$N" ]] || die "VCARD after loading is '$card', expected $N"
log "ember: RSS $rss_before kB -> $rss_after kB; querying"
client latency
cpu2=$(cpu_ticks "$ember_pid")
client throughput --window="$WINDOW" --rounds="$ROUNDS"
cpu3=$(cpu_ticks "$ember_pid")
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))

e=$WORKDIR/insert.out l=$WORKDIR/latency.out q=$WORKDIR/throughput.out i=$WORKDIR/inprocess.out
printf '\n%d vectors, %d dimensions (latent %s), COSINE, M %d, EF construction %d, EF search %s, k %d, %d queries\n' \
    "$N" "$DIM" "$LATENT" "$M" "$EF_CONSTRUCTION" "$ef_search" "$K" "$QUERIES"
awk -v n="$N" -v k="$K" \
    -v ei="$(value insert_per_sec "$e")" -v ii="$(value insert_per_sec "$i")" \
    -v eq="$(value query_per_sec "$q")" -v iq="$(value query_per_sec "$i")" \
    -v eic="$(( (cpu1 - cpu0) * tick_us ))" -v iic="$(value insert_cpu_us "$i")" \
    -v eqc="$(( (cpu3 - cpu2) * tick_us ))" -v sent="$(value queries_sent "$q")" -v iqc="$(value query_cpu_us "$i")" \
    -v e50="$(value p50_us "$l")" -v i50="$(value p50_us "$i")" \
    -v e99="$(value p99_us "$l")" -v i99="$(value p99_us "$i")" \
    -v er="$(value recall "$l")" -v ir="$(value recall "$i")" \
    -v eb="$(( (rss_after - rss_before) * 1024 ))" -v ib="$(value bytes_per_vector "$i")" 'BEGIN {
    eb = eb / n; eic = eic / n; eqc = eqc / sent
    printf "%-22s %14s %14s %12s\n", "", "ember", "in-process", "ember/in-p"
    printf "%-22s %14.0f %14.0f %12.2f\n", "insert/s", ei, ii, ei / ii
    printf "%-22s %14.1f %14.1f %12.2f\n", "insert CPU (us/op)", eic, iic, eic / iic
    printf "%-22s %14.0f %14.0f %12.2f\n", "query/s", eq, iq, eq / iq
    printf "%-22s %14.1f %14.1f %12.2f\n", "query CPU (us/op)", eqc, iqc, eqc / iqc
    printf "%-22s %14.0f %14.0f %12.2f\n", "query/s per CPU core", 1e6 / eqc, 1e6 / iqc, iqc / eqc
    printf "%-22s %14.1f %14.1f %12.2f\n", "query p50 (us)", e50, i50, e50 / i50
    printf "%-22s %14.1f %14.1f %12.2f\n", "query p99 (us)", e99, i99, e99 / i99
    printf "%-22s %14.4f %14.4f %12.2f\n", "recall@" k, er, ir, er / ir
    printf "%-22s %14.1f %14.1f %12.2f\n", "RSS bytes/vector", eb, ib, eb / ib
    printf "\ngoals: recall@%d >= 0.95: %s; query/s per core >= 0.70 of in-process: %s (wall clock: %s);",
        k, (er >= 0.95) ? "met" : "MISSED", (iqc / eqc >= 0.70) ? "met" : "MISSED", (eq / iq >= 0.70) ? "met" : "missed"
    printf " bytes/vector <= 1.15 of in-process: %s\n", (eb / ib <= 1.15) ? "met" : "MISSED"
}'
