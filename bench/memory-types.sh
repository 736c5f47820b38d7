#!/usr/bin/env bash
# memory-types.sh — resident memory per collection element, ember vs redis-server.
#
# For each type in TYPES (hash set zset list) starts a fresh ember and a fresh
# redis-server, reads VmRSS after PING, loads KEYS keys that each hold an
# ELEMENTS-element collection through `redis-cli --pipe`, checks DBSIZE, reads
# VmRSS again and stops both servers.  Prints (after - before) / (KEYS * ELEMENTS)
# for each server and the ember/redis ratio, one row per type.  A server that
# answers "unknown command" gets "n/a" in its column; the other types still run.
# See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=memory-types.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN REDIS_BIN CLI_BIN START_TIMEOUT, helpers

KEYS=${KEYS:-100000}
ELEMENTS=${ELEMENTS:-10}                   # elements per key
TYPES=${TYPES:-"hash set zset list"}
EMBER_SHARDS=${EMBER_SHARDS-1}             # set to "" for ember's default shard count
SETTLE=${SETTLE:-1}                        # seconds to wait after loading before reading RSS
LOAD_TIMEOUT=${LOAD_TIMEOUT:-300}

require_tools "$CLI_BIN" timeout awk
require_server_bins
require_positive_ints "$KEYS" "$ELEMENTS"
(( KEYS <= 100000000 )) || die "KEYS must be at most 100000000 (key names are TYPE:%08d)"
(( ELEMENTS <= 10000 )) || die "ELEMENTS must be at most 10000 (members are member:%04d)"
[[ -z $EMBER_SHARDS || $EMBER_SHARDS =~ ^[1-9][0-9]*$ ]] || die "EMBER_SHARDS '$EMBER_SHARDS' is not a positive integer"
[[ -n ${TYPES// /} ]] || die "TYPES is empty"
for t in $TYPES; do
    case $t in hash|set|zset|list) ;; *) die "unknown type '$t' (TYPES may contain: hash set zset list)" ;; esac
done

bench_setup ember-memtypes

type_cmd() {
    case $1 in hash) echo HSET ;; set) echo SADD ;; zset) echo ZADD ;; list) echo RPUSH ;; esac
}

# stop_server, and drop the pid from SERVER_PIDS so the exit trap does not
# signal a pid that may have been reused by then.
stop_and_forget() {
    local pid keep=()
    stop_server "$1"
    for pid in "${SERVER_PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
    SERVER_PIDS=("${keep[@]}")
}

# gen_resp TYPE > file.  Key TYPE:%08d, ELEMENTS elements per key:
#   hash  HSET  hash:%08d f0 val%05d ... f9 val%05d   (8-byte values)
#   set   SADD  set:%08d  member:%04d ...
#   zset  ZADD  zset:%08d 1.5 member:%04d 2.5 member:%04d ...
#   list  RPUSH list:%08d item:%04d ...
# The numbers run on from key to key, so the elements of one key are distinct.
gen_resp() {
    awk -v n="$KEYS" -v m="$ELEMENTS" -v t="$1" -v cmd="$(type_cmd "$1")" 'BEGIN {
        argc = 2 + ((t == "hash" || t == "zset") ? 2 * m : m)
        for (i = 0; i < n; i++) {
            k = sprintf("%s:%08d", t, i)
            printf "*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", argc, length(cmd), cmd, length(k), k
            for (j = 0; j < m; j++) {
                if (t == "hash") {
                    a = "f" j; b = sprintf("val%05d", (i * m + j) % 100000)
                } else if (t == "zset") {
                    a = sprintf("%d.5", j + 1); b = sprintf("member:%04d", (i * m + j) % 10000)
                } else {
                    b = sprintf((t == "set") ? "member:%04d" : "item:%04d", (i * m + j) % 10000)
                }
                if (t == "hash" || t == "zset") printf "$%d\r\n%s\r\n", length(a), a
                printf "$%d\r\n%s\r\n", length(b), b
            }
        }
    }'
}

# measure NAME PID PORT TYPE -> prints "ok RSS_BEFORE_KB RSS_AFTER_KB" or
# "unsupported MESSAGE" when the server answered "unknown command".
measure() {
    local name=$1 pid=$2 port=$3 type=$4 before after hwm dbsize enc msg
    local out=$WORKDIR/load.$type.$name.out
    before=$(status_kb "$pid" VmRSS)
    log "$type: loading $KEYS keys x $ELEMENTS elements into $name (RSS before: ${before} kB)"
    if ! timeout "$LOAD_TIMEOUT" "$CLI_BIN" -h 127.0.0.1 -p "$port" --pipe \
            <"$WORKDIR/load.$type.resp" >"$out" 2>&1; then
        msg=$(grep -m1 -o "unknown command '[^']*'" "$out" || true)
        if [[ -n $msg ]]; then
            log "$type: $name answered: $msg — no figure for $name"
            echo "unsupported $msg"
            return 0
        fi
        tail -n 20 "$out" >&2
        alive "$pid" || die "$name (pid $pid) died while loading $type keys"
        die "loading $type keys into $name with 'redis-cli --pipe' failed or timed out after ${LOAD_TIMEOUT}s (it needs $(type_cmd "$type") and ECHO)"
    fi
    grep -q '^errors: 0,' "$out" || { tail -n 20 "$out" >&2; die "$name returned errors while loading $type keys"; }
    dbsize=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" DBSIZE 2>&1 || true)
    [[ $dbsize == "$KEYS" ]] || die "$name: DBSIZE after loading $type keys is '$dbsize', expected $KEYS"
    sleep "$SETTLE"
    after=$(status_kb "$pid" VmRSS)
    hwm=$(status_kb "$pid" VmHWM)
    enc=$(timeout 10 "$CLI_BIN" -h 127.0.0.1 -p "$port" OBJECT ENCODING "$type:00000000" 2>&1 | head -n1 || true)
    log "$type: $name RSS after ${after} kB, peak ${hwm} kB, OBJECT ENCODING: ${enc:-?}"
    echo "ok $before $after"
}

# No snapshot at shutdown: the next type's ember starts in the same directory.
ember_args=(--port @PORT@ --bind 127.0.0.1 --save "")
[[ -n $EMBER_SHARDS ]] && ember_args+=(--shards "$EMBER_SHARDS")
log "ember: $EMBER_BIN (shards: ${EMBER_SHARDS:-default})"
log "redis: $REDIS_BIN ($("$REDIS_BIN" --version 2>/dev/null | head -n1 || echo '?'))"

ROWS=() NOTES=()
start_time=$SECONDS
for type in $TYPES; do
    tcmd=$(type_cmd "$type")
    log "$type: generating $KEYS $tcmd commands"
    gen_resp "$type" >"$WORKDIR/load.$type.resp"

    # Fresh servers per type, so one type's leftovers (allocator caches,
    # fragmentation, grown tables) do not show up in the next type's figure.
    start_server ember "$WORKDIR/ember.$type.log" "" "${EMBER_ENV[@]}" "$EMBER_BIN" "${ember_args[@]}"
    ember_pid=$STARTED_PID ember_port=$STARTED_PORT
    start_server redis "$WORKDIR/redis.$type.log" "" "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 \
        --save "" --appendonly no --dir "$WORKDIR"
    redis_pid=$STARTED_PID redis_port=$STARTED_PORT
    log "$type: ember pid $ember_pid port $ember_port; redis pid $redis_pid port $redis_port"

    res=$(measure ember "$ember_pid" "$ember_port" "$type") || exit 1
    read -r e_status e_a e_b <<<"$res"
    res=$(measure redis "$redis_pid" "$redis_port" "$type") || exit 1
    read -r r_status r_a r_b <<<"$res"

    stop_and_forget "$ember_pid"
    stop_and_forget "$redis_pid"
    rm -f "$WORKDIR/load.$type.resp"

    e_val=n/a r_val=n/a
    if [[ $e_status == ok ]]; then
        e_val=$(awk -v b="$e_a" -v a="$e_b" -v n=$(( KEYS * ELEMENTS )) 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    else
        NOTES+=("$type: ember answered $tcmd with: $e_a $e_b")
    fi
    if [[ $r_status == ok ]]; then
        r_val=$(awk -v b="$r_a" -v a="$r_b" -v n=$(( KEYS * ELEMENTS )) 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    else
        NOTES+=("$type: redis answered $tcmd with: $r_a $r_b")
    fi
    ROWS+=("$type $tcmd $e_val $r_val")
done

printf '\n%d keys x %d elements per type; ember shards: %s\n' "$KEYS" "$ELEMENTS" "${EMBER_SHARDS:-default}"
printf '%-5s %-6s %13s %13s %12s\n' type cmd "ember B/elem" "redis B/elem" "ember/redis"
for row in "${ROWS[@]}"; do
    awk -v r="$row" 'BEGIN {
        split(r, f, " ")
        ratio = (f[3] != "n/a" && f[4] != "n/a" && f[4] + 0 > 0) ? sprintf("%.2f", f[3] / f[4]) : "n/a"
        printf "%-5s %-6s %13s %13s %12s\n", f[1], f[2], f[3], f[4], ratio
    }'
done
for note in "${NOTES[@]}"; do printf 'n/a: %s\n' "$note"; done
printf '\n(B/elem = (RSS after load - RSS before) / (keys x elements); lower is better; total %ds)\n' \
    $(( SECONDS - start_time ))
