#!/usr/bin/env bash
# memory.sh — resident memory per key, ember vs redis-server.
#
# Starts both servers, reads VmRSS after PING, loads KEYS keys named
# key:%012d with VALUE_SIZE-byte values through `redis-cli --pipe`, checks
# DBSIZE, reads VmRSS again and prints (after - before) / KEYS for each server
# and the ember/redis ratio.  See bench/README.md.
set -euo pipefail
shopt -s inherit_errexit

EMBER_BIN=${EMBER_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bin/ember-server}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
CLI_BIN=${CLI_BIN:-redis-cli}
KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-64}
EMBER_SHARDS=${EMBER_SHARDS-1}             # set to "" for ember's default shard count
SETTLE=${SETTLE:-1}                        # seconds to wait after loading before reading RSS
LOAD_TIMEOUT=${LOAD_TIMEOUT:-300}
START_TIMEOUT=${START_TIMEOUT:-10}

die() { echo "memory.sh: error: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

for tool in "$CLI_BIN" timeout awk; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found in PATH"
done
[[ -x $EMBER_BIN ]] || die "EMBER_BIN '$EMBER_BIN' is not an executable file (build ember or set EMBER_BIN)"
[[ -x $REDIS_BIN ]] || die "REDIS_BIN '$REDIS_BIN' is not an executable file (set REDIS_BIN)"
for n in "$KEYS" "$VALUE_SIZE"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "numeric setting '$n' is not a positive integer"
done
[[ -z $EMBER_SHARDS || $EMBER_SHARDS =~ ^[1-9][0-9]*$ ]] || die "EMBER_SHARDS '$EMBER_SHARDS' is not a positive integer"

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/ember-memory.XXXXXX")
SERVER_PIDS=()

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM HUP PIPE
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORKDIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# ember reads EMBER_<OPTION> environment variables as configuration (e.g. this
# script's own EMBER_SHARDS knob would reach it as "shards"), so start it with
# every EMBER_* variable removed: it is configured by command-line flags only.
EMBER_ENV=(env)
while read -r v; do
    [[ $v == EMBER_* ]] && EMBER_ENV+=(-u "$v")
done < <(compgen -e)

# Ports are picked below the kernel's ephemeral range, so client sockets of
# other programs on the machine cannot collide with them.
EPHEMERAL_LOW=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
(( EPHEMERAL_LOW > 11000 )) || EPHEMERAL_LOW=32768

port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        [[ -n $(ss -Htan "sport = :$1" 2>/dev/null) ]] && return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local p
    for _ in $(seq 200); do
        p=$(( 10000 + RANDOM % (EPHEMERAL_LOW - 10000) ))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "could not find a free TCP port"
}

# start_server NAME LOGFILE BIN ARGS...   ("@PORT@" in ARGS is replaced by a
# free port) -> sets STARTED_PID and STARTED_PORT.
start_server() {
    local name=$1 logf=$2; shift 2
    local attempt port deadline
    local -a cmd
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        cmd=("${@//@PORT@/$port}")
        (cd "$WORKDIR" && exec "${cmd[@]}") >"$logf" 2>&1 &
        STARTED_PID=$!
        STARTED_PORT=$port
        SERVER_PIDS+=("$STARTED_PID")
        deadline=$(( SECONDS + START_TIMEOUT ))
        while :; do
            if ! kill -0 "$STARTED_PID" 2>/dev/null; then
                wait "$STARTED_PID" 2>/dev/null || true
                if (( attempt < 5 )) && grep -qi 'in use' "$logf"; then
                    log "$name: port $port was taken, retrying on another port"
                    continue 2
                fi
                echo "--- last lines of $name log:" >&2; tail -n 20 "$logf" >&2 || true
                die "$name exited during startup (command: ${cmd[*]})"
            fi
            if [[ $(timeout 2 "$CLI_BIN" -h 127.0.0.1 -p "$port" PING 2>/dev/null || true) == PONG ]]; then
                return 0
            fi
            if (( SECONDS >= deadline )); then
                echo "--- last lines of $name log:" >&2; tail -n 20 "$logf" >&2 || true
                die "$name did not answer PING on port $port within ${START_TIMEOUT}s (command: ${cmd[*]})"
            fi
            sleep 0.1
        done
    done
}

# status_kb PID FIELD  -> value of e.g. VmRSS / VmHWM in kB
status_kb() {
    local v
    v=$(awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null) || true
    [[ -n $v ]] || die "cannot read $2 of pid $1 (did the server die?)"
    echo "$v"
}

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
start_server ember "$WORKDIR/ember.log" "${EMBER_ENV[@]}" "$EMBER_BIN" "${ember_args[@]}"
ember_pid=$STARTED_PID ember_port=$STARTED_PORT
start_server redis "$WORKDIR/redis.log" "$REDIS_BIN" --port @PORT@ --bind 127.0.0.1 \
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
