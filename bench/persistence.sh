#!/usr/bin/env bash
# persistence.sh — what persistence costs, ember beside redis-server, in one run.
#
# For each server (ember pinned with --shards 1 on $SERVER_CPU, redis-server
# on the same CPU, redis-benchmark on $BENCH_CPU):
#   1. SET throughput at pipeline 16 without persistence and with the AOF
#      (appendfsync everysec): the ratio is what the AOF costs.
#   2. $KEYS keys loaded (redis-cli --pipe), then SAVE: snapshot write rate.
#   3. Restart on that snapshot: time until PING answers (load rate).
#   4. BGSAVE while redis-benchmark keeps writing: peak extra memory. ember:
#      peak RSS during the save minus RSS before it. redis-server: its fork
#      child's copy-on-write (INFO rdb_last_cow_size) plus the parent's growth.
# Prints one row per server and the ember/redis ratios.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=persistence.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_BIN=${BENCH_BIN:-redis-benchmark}
KEYS=${KEYS:-1000000}
N_SET=${N_SET:-2000000}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}

require_tools "$BENCH_BIN" "$CLI_BIN" taskset timeout awk python3
require_server_bins
require_positive_ints "$KEYS" "$N_SET"
bench_setup ember-persistence

cli() { "$CLI_BIN" -h 127.0.0.1 -p "$PORT" "$@"; }

# set_rate EXTRA_ARGS... -> requests/s of SET at P16 on a fresh server
set_rate() {
    local name=$1; shift
    start_server "$name" "$WORKDIR/$name.log" "$SERVER_CPU" "$@"
    PORT=$STARTED_PORT
    run_watched "$name" "$STARTED_PID" SET taskset -c "$BENCH_CPU" "$BENCH_BIN" -h 127.0.0.1 -p "$PORT" \
        -t set -n "$N_SET" -r 1000000 -d 64 -c 50 -P 16 --csv
    awk -F'"' '/"SET"/ { print int($4) }' "$WORKDIR/bench.out"
    stop_server "$STARTED_PID"
}

python3 - "$KEYS" >"$WORKDIR/load.resp" <<'EOF'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
val = b"v" * 64
for i in range(n):
    k = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(val), val))
EOF

now_ms() { date +%s%3N; }

run_server() {
    local name=$1 bin=$2 dir="$WORKDIR/$1-data"
    local -a base
    mkdir -p "$dir"
    if [[ $name == ember ]]; then
        base=("${EMBER_ENV[@]}" "$bin" --port @PORT@ --bind 127.0.0.1 --shards 1 --dir "$dir" --save "")
    else
        base=("$bin" --port @PORT@ --bind 127.0.0.1 --dir "$dir" --save "" --databases 1)
    fi
    local plain aof
    plain=$(set_rate "$name" "${base[@]}" --appendonly no)
    aof=$(set_rate "$name" "${base[@]}" --appendonly yes --appendfsync everysec)
    rm -rf "${dir:?}"/*

    start_server "$name" "$WORKDIR/$name.log" "$SERVER_CPU" "${base[@]}" --appendonly no
    PORT=$STARTED_PORT
    local pid=$STARTED_PID
    cli --pipe <"$WORKDIR/load.resp" >/dev/null
    local keys; keys=$(cli DBSIZE)
    local used; used=$(cli INFO memory | awk -F: '/^used_memory:/ { print $2+0 }')
    local t0 t1; t0=$(now_ms); cli SAVE >/dev/null; t1=$(now_ms)
    local save_ms=$(( t1 - t0 ))
    local file; file=$(stat -c %s "$dir"/dump.rdb)
    stop_server "$pid"

    t0=$(now_ms)
    start_server "$name" "$WORKDIR/$name.log" "$SERVER_CPU" "${base[@]}" --appendonly no
    t1=$(now_ms)
    PORT=$STARTED_PORT
    pid=$STARTED_PID
    local restart_ms=$(( t1 - t0 ))
    local loaded; loaded=$(cli DBSIZE)

    # BGSAVE while writes continue over the whole keyspace.
    taskset -c "$BENCH_CPU" "$BENCH_BIN" -h 127.0.0.1 -p "$PORT" -t set -n 100000000 -r "$KEYS" -d 64 -c 20 -P 4 \
        >/dev/null 2>&1 &
    local bpid=$!
    sleep 1
    local rss0 peak rss child_peak=0 cpid
    rss0=$(status_kb "$pid" VmRSS)
    peak=$rss0
    cli BGSAVE >/dev/null
    while :; do
        rss=$(status_kb "$pid" VmRSS)
        (( rss > peak )) && peak=$rss
        [[ $(cli INFO persistence | awk -F: '/^rdb_bgsave_in_progress:/ { print $2+0 }') == 1 ]] || break
        sleep 0.02
    done
    kill "$bpid" 2>/dev/null || true
    wait "$bpid" 2>/dev/null || true
    local cow=0
    [[ $name == redis ]] && cow=$(cli INFO persistence | awk -F: '/^rdb_last_cow_size:/ { print int($2/1024) }')
    local extra_kb=$(( peak - rss0 + cow ))
    stop_server "$pid"

    echo "$name $plain $aof $keys $save_ms $file $restart_ms $loaded $used $extra_kb"
}

log "SET P16 without and with the AOF, then $KEYS keys: SAVE, restart, BGSAVE under writes"
E=$(run_server ember "$EMBER_BIN")
R=$(run_server redis "$REDIS_BIN")

printf '%-6s %12s %12s %6s %9s %10s %10s %11s %12s %10s\n' server set/s set+aof/s aof% keys save_ms file_MB restart_ms bgsave+MB bgsave%
for row in "$E" "$R"; do
    read -r name plain aof keys save_ms file restart_ms loaded used extra_kb <<<"$row"
    [[ $loaded == "$keys" ]] || die "$name restarted with $loaded keys, saved $keys"
    awk -v n="$name" -v p="$plain" -v a="$aof" -v k="$keys" -v s="$save_ms" -v f="$file" -v r="$restart_ms" \
        -v u="$used" -v x="$extra_kb" 'BEGIN {
        printf "%-6s %12d %12d %5.0f%% %9d %10d %10.1f %11d %12.1f %9.1f%%\n",
            n, p, a, 100 * a / p, k, s, f / 1048576, r, x / 1024, 100 * x * 1024 / u }'
done
read -r _ ep ea _ es _ er _ _ ex <<<"$E"
read -r _ rp ra _ rs _ rr _ _ rx <<<"$R"
awk -v ep="$ep" -v ea="$ea" -v rp="$rp" -v ra="$ra" -v es="$es" -v rs="$rs" -v er="$er" -v rr="$rr" \
    -v ex="$ex" -v rx="$rx" 'BEGIN {
    printf "ember/redis: set+aof/s %.2f, save time %.2f, restart time %.2f, bgsave extra memory %.2f\n",
        ea / ra, es / (rs ? rs : 1), er / (rr ? rr : 1), (ex + 1) / (rx + 1) }'
