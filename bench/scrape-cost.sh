#!/usr/bin/env bash
# scrape-cost.sh — what observability costs under load: redis-benchmark
# throughput against ember with no scraping, and with one INFO (all
# sections) and one /metrics scrape a second running beside it.
#
# Alternates quiet and scraped runs ROUNDS times on the same server and
# prints each run and the medians.  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=scrape-cost.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${N:-1000000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
ROUNDS=${ROUNDS:-3}
SHARDS=${SHARDS:-}                           # empty = ember's default (#cores)

require_tools redis-benchmark "$CLI_BIN" curl timeout awk
[[ -x $EMBER_BIN ]] || die "EMBER_BIN '$EMBER_BIN' is not an executable file"
require_positive_ints "$N" "$CLIENTS" "$PIPELINE" "$ROUNDS"
bench_setup ember-scrape

metrics_port=$(free_port)
args=(--port @PORT@ --bind 127.0.0.1 --metrics-port "$metrics_port")
[[ -n $SHARDS ]] && args+=(--shards "$SHARDS")
start_server ember "$WORKDIR/ember.log" "" "${EMBER_ENV[@]}" "$EMBER_BIN" "${args[@]}"
port=$STARTED_PORT

# One SET/GET run; prints its requests per second (the mean of SET and GET).
run() {
    timeout 600 redis-benchmark -p "$port" -t set,get -n "$N" -c "$CLIENTS" -P "$PIPELINE" -d 64 -r 100000 --csv \
        | awk -F'"' '/^"(SET|GET)"/ { sum += $4; n++ } END { printf "%.0f\n", sum / n }'
}

scrape_loop() {
    while :; do
        "$CLI_BIN" -p "$port" INFO everything >/dev/null
        curl -s "http://127.0.0.1:$metrics_port/metrics" >/dev/null
        sleep 1
    done
}

quiet=() scraped=()
for r in $(seq "$ROUNDS"); do
    q=$(run)
    scrape_loop & scraper=$!
    s=$(run)
    kill "$scraper"; wait "$scraper" 2>/dev/null || true
    log "round $r: quiet $q rps, scraped $s rps"
    quiet+=("$q") scraped+=("$s")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mq=$(median "${quiet[@]}") ms=$(median "${scraped[@]}")
printf 'quiet_rps,scraped_rps,ratio\n%s,%s,%.3f\n' "$mq" "$ms" "$(awk -v a="$ms" -v b="$mq" 'BEGIN { print a / b }')"
