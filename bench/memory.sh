#!/usr/bin/env bash
# memory.sh — resident memory per key, ember vs redis-server.
#
# Starts both servers, reads VmRSS after PING, loads KEYS keys named
# key:%012d with VALUE_SIZE-byte values through `redis-cli --pipe`, checks
# DBSIZE, reads VmRSS again and prints (after - before) / KEYS for each server
# and the ember/redis ratio.  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=memory.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-64}
EMBER_SHARDS=${EMBER_SHARDS-1}             # set to "" for ember's default shard count
SETTLE=${SETTLE:-1}                        # seconds to wait after loading before reading RSS
LOAD_TIMEOUT=${LOAD_TIMEOUT:-300}

require_tools "$CLI_BIN" timeout awk
require_server_bins
require_positive_ints "$KEYS" "$VALUE_SIZE"
[[ -z $EMBER_SHARDS || $EMBER_SHARDS =~ ^[1-9][0-9]*$ ]] || die "EMBER_SHARDS '$EMBER_SHARDS' is not a positive integer"

bench_setup ember-memory

# measure NAME PID PORT -> prints "rss_before_kb rss_after_kb hwm_kb"
measure() {
    local name=$1 pid=$2 port=$3 before after hwm dbsize
    before=$(status_kb "$pid" VmRSS)
    log "$name: loading $KEYS keys (RSS before: ${before} kB)"
    if ! timeout "$LOAD_TIMEOUT" "$CLI_BIN" -h 127.0.0.1 -p "$port" --pipe \
            <"$WORKDIR/load.resp" >"$WORKDIR/load.$name.out" 2>&1; then
        cat "$WORKDIR/load.$name.out" >&2
        die "loading $name with 'redis-cli --pipe' failed or timed out after ${LOAD_TIMEOUT}s (it needs SET and ECHO)"
    fi
    grep -q '^errors: 0,' "$WORKDIR/load.$name.out" || {
        cat "$WORKDIR/load.$name.out" >&2; die "$name returned errors while loading"; }
    dbsize=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" DBSIZE 2>&1 || true)
    [[ $dbsize == "$KEYS" ]] || die "$name: DBSIZE after load is '$dbsize', expected $KEYS"
    sleep "$SETTLE"
    after=$(status_kb "$pid" VmRSS)
    hwm=$(status_kb "$pid" VmHWM)
    echo "$before $after $hwm"
}

# RESP for SET key:%012d <VALUE_SIZE bytes>; values differ per key.
log "generating $KEYS SET commands"
awk -v n="$KEYS" -v d="$VALUE_SIZE" 'BEGIN {
    fmt = "%0" d "d"
    for (i = 0; i < n; i++) {
        k = sprintf("key:%012d", i)
        v = sprintf(fmt, i); v = substr(v, length(v) - d + 1)
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, d, v
    }
}' >"$WORKDIR/load.resp"

ember_args=(--port @PORT@ --bind 127.0.0.1)
[[ -n $EMBER_SHARDS ]] && ember_args+=(--shards "$EMBER_SHARDS")
start_server ember "$WORKDIR/ember.log" "" "${EMBER_ENV[@]}" "$EMBER_BIN" "${ember_args[@]}"
ember_pid=$STARTED_PID ember_port=$STARTED_PORT
start_server redis "$WORKDIR/redis.log" "" "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 \
    --save "" --appendonly no --dir "$WORKDIR"
redis_pid=$STARTED_PID redis_port=$STARTED_PORT
log "ember pid $ember_pid port $ember_port (shards: ${EMBER_SHARDS:-default}); redis pid $redis_pid port $redis_port"

res=$(measure ember "$ember_pid" "$ember_port") || exit 1
read -r e_before e_after e_hwm <<<"$res"
res=$(measure redis "$redis_pid" "$redis_port") || exit 1
read -r r_before r_after r_hwm <<<"$res"

printf '\n%d keys, key:%%012d names, %d-byte values\n' "$KEYS" "$VALUE_SIZE"
printf '%-6s %14s %14s %14s %12s\n' server "RSS before" "RSS after" "peak RSS" "bytes/key"
awk -v n="$KEYS" -v eb="$e_before" -v ea="$e_after" -v eh="$e_hwm" \
    -v rb="$r_before" -v ra="$r_after" -v rh="$r_hwm" 'BEGIN {
    e = (ea - eb) * 1024 / n; r = (ra - rb) * 1024 / n
    printf "%-6s %11.1f MiB %11.1f MiB %11.1f MiB %12.1f\n", "ember", eb / 1024, ea / 1024, eh / 1024, e
    printf "%-6s %11.1f MiB %11.1f MiB %11.1f MiB %12.1f\n", "redis", rb / 1024, ra / 1024, rh / 1024, r
    printf "\nbytes/key ratio ember/redis: %s\n", (r > 0) ? sprintf("%.2f", e / r) : "n/a"
}'
