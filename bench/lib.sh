# shellcheck shell=bash
# lib.sh — code shared by the bench/*.sh scripts; sourced, not run.
#
# Set BENCH_PROG (the script's name, used in error messages) before sourcing.
# Provides:
#   knobs       EMBER_BIN, REDIS_BIN, CLI_BIN, START_TIMEOUT (with defaults)
#   messages    die, log
#   checks      require_tools, require_server_bins, require_positive_ints
#   setup       bench_setup PREFIX: temp WORKDIR, cleanup trap (stops every
#               started server, removes WORKDIR), EMBER_ENV (env without any
#               EMBER_* variable), the port range used by free_port; a
#               script's own bench_at_exit function, if it defines one, runs
#               in the cleanup once the servers are stopped
#   servers     port_in_use, free_port, start_server (waits for PING), stop_server
#   /proc       threads, alive, cpu_ticks, status_kb
# The scripts run with `set -euo pipefail` and `shopt -s inherit_errexit`.

EMBER_BIN=${EMBER_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bin/ember-server}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
CLI_BIN=${CLI_BIN:-redis-cli}
START_TIMEOUT=${START_TIMEOUT:-10}           # seconds to wait for PING

BENCH_PROG=${BENCH_PROG:-${0##*/}}

die() { echo "$BENCH_PROG: error: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

# require_tools TOOL...
require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found in PATH"
    done
}

require_server_bins() {
    [[ -x $EMBER_BIN ]] || die "EMBER_BIN '$EMBER_BIN' is not an executable file (build ember or set EMBER_BIN)"
    [[ -x $REDIS_BIN ]] || die "REDIS_BIN '$REDIS_BIN' is not an executable file (set REDIS_BIN)"
}

# require_positive_ints VALUE...
require_positive_ints() {
    local n
    for n in "$@"; do
        [[ $n =~ ^[1-9][0-9]*$ ]] || die "numeric setting '$n' is not a positive integer"
    done
}

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
    if declare -F bench_at_exit >/dev/null; then bench_at_exit || true; fi
    rm -rf "$WORKDIR"
    exit "$rc"
}

# bench_setup PREFIX -> creates WORKDIR ($TMPDIR or /tmp)/PREFIX.XXXXXX and
# installs the cleanup trap; sets SERVER_PIDS, EMBER_ENV and EPHEMERAL_LOW.
bench_setup() {
    local v
    WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    SERVER_PIDS=()

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap 'exit 141' PIPE

    # ember reads EMBER_<OPTION> environment variables as configuration (e.g.
    # memory.sh's own EMBER_SHARDS knob would reach it as "shards"), so start it
    # with every EMBER_* variable removed: it is configured by command-line flags only.
    EMBER_ENV=(env)
    while read -r v; do
        [[ $v == EMBER_* ]] && EMBER_ENV+=(-u "$v")
    done < <(compgen -e)

    # Ports are picked below the kernel's ephemeral range, so client sockets of
    # other programs on the machine cannot collide with them.
    EPHEMERAL_LOW=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    (( EPHEMERAL_LOW > 11000 )) || EPHEMERAL_LOW=32768
}

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

# start_server NAME LOGFILE CPU(or "") BIN ARGS...   ("@PORT@" in ARGS is replaced
# by a free port) -> sets STARTED_PID and STARTED_PORT.
# The subshell execs taskset which execs the server, so $! is the server's pid.
# Each server runs in its own directory under WORKDIR: a snapshot one writes
# at shutdown (ember's default save points) is never read by another at start.
start_server() {
    local name=$1 logf=$2 cpu=$3; shift 3
    local attempt port deadline
    local -a cmd
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        cmd=("${@//@PORT@/$port}")
        [[ -n $cpu ]] && cmd=(taskset -c "$cpu" "${cmd[@]}")
        mkdir -p "$WORKDIR/run.$name"
        (cd "$WORKDIR/run.$name" && exec "${cmd[@]}") >"$logf" 2>&1 &
        STARTED_PID=$!
        # shellcheck disable=SC2034  # read by the calling script
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

stop_server() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

threads() { awk '$1 == "Threads:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo '?'; }

# Running and not a zombie (a dead server stays a zombie until we reap it).
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# utime+stime of the whole process (all threads), in clock ticks.
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || die "server pid $1 is gone (crashed?)"
    stat=${stat##*) }           # drop "pid (comm) ", comm may contain spaces
    awk '{ print $12 + $13 }' <<<"$stat"   # fields 14,15 of the full line
}

# status_kb PID FIELD  -> value of e.g. VmRSS / VmHWM in kB
status_kb() {
    local v
    v=$(awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null) || true
    [[ -n $v ]] || die "cannot read $2 of pid $1 (did the server die?)"
    echo "$v"
}

# run_watched NAME PID WHAT CMD... -> runs a redis-benchmark command line
# (output in $WORKDIR/bench.out and bench.err) while watching the server:
# redis-benchmark retries forever, spinning, if the server goes away.
run_watched() {
    local name=$1 pid=$2 what=$3 bpid
    shift 3
    timeout "$BENCH_TIMEOUT" "$@" >"$WORKDIR/bench.out" 2>"$WORKDIR/bench.err" &
    bpid=$!
    while kill -0 "$bpid" 2>/dev/null; do
        if ! alive "$pid"; then
            kill "$bpid" 2>/dev/null || true
            wait "$bpid" 2>/dev/null || true
            die "$name (pid $pid) died during the $what benchmark"
        fi
        sleep 0.2
    done
    if ! wait "$bpid"; then
        cat "$WORKDIR/bench.err" >&2
        alive "$pid" || die "$name (pid $pid) died during the $what benchmark"
        die "redis-benchmark against $name ($what) failed or timed out after ${BENCH_TIMEOUT}s"
    fi
}
