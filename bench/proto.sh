#!/usr/bin/env bash
# proto.sh — the proto module's cost: PROTO.SET, PROTO.GET and
# PROTO.GETFIELD against raw SET and GET of the same message bytes, as
# server CPU per request at pipeline 16.
#
# One ember (--shards 1, pinned to $SERVER_CPU, proto.so loaded) serves
# every test; redis-benchmark (pinned to $BENCH_CPU) sends each command to
# random keys of a preloaded keyspace, so every read hits. The message is
# an embertest.Person (tests/integration/proto/person.proto) that protoc
# encodes here. Goals (the module's README): PROTO.GET within 10% of GET,
# PROTO.GETFIELD within 2x GET.
set -euo pipefail
shopt -s inherit_errexit

BENCH_PROG=proto.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # EMBER_BIN CLI_BIN START_TIMEOUT, helpers

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROTO_SO=${PROTO_SO:-$(dirname "$EMBER_BIN")/../modules/proto.so}
SCHEMA_DIR=$ROOT/tests/integration/proto
BENCH_BIN=${BENCH_BIN:-redis-benchmark}
N=${N:-1000000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
PIPELINE=${PIPELINE:-16}
REPEAT=${REPEAT:-5}                          # rounds; the median is reported
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}

require_tools "$BENCH_BIN" "$CLI_BIN" protoc python3 taskset timeout awk getconf
[[ -x $EMBER_BIN ]] || die "EMBER_BIN '$EMBER_BIN' is not an executable file (build ember or set EMBER_BIN)"
[[ -f $PROTO_SO ]] || die "PROTO_SO '$PROTO_SO' not found (build the proto target or set PROTO_SO)"
require_positive_ints "$N" "$CLIENTS" "$KEYSPACE" "$PIPELINE" "$REPEAT"

CLK_TCK=$(getconf CLK_TCK)
bench_setup ember-proto

# The schema and one message. redis-benchmark takes the message as an
# argument, so it must hold no NUL byte (none of its fields encodes one).
protoc -I "$SCHEMA_DIR" --include_imports --descriptor_set_out="$WORKDIR/schema.desc" "$SCHEMA_DIR/person.proto"
protoc -I "$SCHEMA_DIR" --encode=embertest.Person "$SCHEMA_DIR/person.proto" >"$WORKDIR/msg.bin" <<'EOF'
name: "Ada Lovelace"
age: 36
address { city: "London" street: "St James's Square" zip: 12345 }
role: ADMIN
tags: "math" tags: "poetry"
active: true
EOF
python3 - "$WORKDIR/msg.bin" <<'EOF' || die "the message holds a NUL byte or ends in a newline"
import sys
b = open(sys.argv[1], "rb").read()
sys.exit(1 if b"\0" in b or b.endswith(b"\n") else 0)
EOF
MSG=$(<"$WORKDIR/msg.bin")
MSG_LEN=$(stat -c %s "$WORKDIR/msg.bin")

# RESP to preload s:<key> (a string) and p:<key> (a message) for every key
# redis-benchmark's -r picks (__rand_int__ is a 12-digit number).
python3 - "$WORKDIR/msg.bin" "$KEYSPACE" >"$WORKDIR/preload.resp" <<'EOF'
import sys
msg, n = open(sys.argv[1], "rb").read(), int(sys.argv[2])
def resp(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
out = sys.stdout.buffer
for i in range(n):
    k = b"%012d" % i
    out.write(resp(b"SET", b"s:" + k, msg))
    out.write(resp(b"PROTO.SET", b"p:" + k, b"embertest.Person", msg))
EOF

start_server ember "$WORKDIR/ember.log" "$SERVER_CPU" \
    "${EMBER_ENV[@]}" "$EMBER_BIN" --port @PORT@ --bind 127.0.0.1 --shards 1 --loadmodule "$PROTO_SO"
pid=$STARTED_PID port=$STARTED_PORT
cli() { timeout 30 "$CLI_BIN" -h 127.0.0.1 -p "$port" "$@"; }
[[ $(cli -x PROTO.REGISTER bench <"$WORKDIR/schema.desc") == OK ]] || die "PROTO.REGISTER failed"
timeout 300 "$CLI_BIN" -h 127.0.0.1 -p "$port" --pipe <"$WORKDIR/preload.resp" >"$WORKDIR/preload.out" 2>&1 ||
    { cat "$WORKDIR/preload.out" >&2; die "preloading with redis-cli --pipe failed"; }
[[ $(cli DBSIZE) == $(( 2 * KEYSPACE )) ]] || die "DBSIZE after preload is not $(( 2 * KEYSPACE ))"
[[ $(cli PROTO.GETFIELD p:000000000000 address.city) == London ]] || die "PROTO.GETFIELD does not answer London"

log "ember: $EMBER_BIN (pid $pid, port $port, --shards 1 on CPU $SERVER_CPU)"
log "message: embertest.Person, $MSG_LEN bytes; N=$N clients=$CLIENTS -r $KEYSPACE -P $PIPELINE"

# run NAME CMD... -> prints "rps us_per_req"
run() {
    local name=$1 t0 t1 rps
    shift
    t0=$(cpu_ticks "$pid")
    run_watched ember "$pid" "$name" taskset -c "$BENCH_CPU" "$BENCH_BIN" -h 127.0.0.1 -p "$port" \
        -n "$N" -c "$CLIENTS" -r "$KEYSPACE" -P "$PIPELINE" --csv "$@"
    t1=$(cpu_ticks "$pid")
    # The last CSV line is the command's: "name","rps",...
    rps=$(awk -F, 'NF > 1 { v = $2 } END { gsub(/"/, "", v); print v }' "$WORKDIR/bench.out")
    [[ -n $rps ]] || { cat "$WORKDIR/bench.out" >&2; die "could not parse redis-benchmark output for $name"; }
    awk -v rps="$rps" -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$N" 'BEGIN { printf "%s %.3f\n", rps, d / hz / n * 1e6 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Each round runs every test once, so a raw command and its PROTO.*
# counterpart see the same machine state; the median of the rounds is kept.
declare -A RPS CPU
TESTS=(SET PROTO.SET GET PROTO.GET PROTO.GETFIELD PROTO.GETFIELD.nested)
for (( rep = 1; rep <= REPEAT; rep++ )); do
    for test in "${TESTS[@]}"; do
        case $test in
            SET) cmd=(SET s:__rand_int__ "$MSG") ;;
            PROTO.SET) cmd=(PROTO.SET p:__rand_int__ embertest.Person "$MSG") ;;
            GET) cmd=(GET s:__rand_int__) ;;
            PROTO.GET) cmd=(PROTO.GET p:__rand_int__) ;;
            PROTO.GETFIELD) cmd=(PROTO.GETFIELD p:__rand_int__ age) ;;
            PROTO.GETFIELD.nested) cmd=(PROTO.GETFIELD p:__rand_int__ address.city) ;;
        esac
        read -r rps cpu <<<"$(run "$test" "${cmd[@]}")"
        log "round $rep/$REPEAT $test: $rps rps, $cpu us/req"
        RPS[$test]+="$rps " CPU[$test]+="$cpu "
    done
done
for test in "${TESTS[@]}"; do
    # shellcheck disable=SC2086  # the space-separated lists split on purpose
    RPS[$test]=$(median ${RPS[$test]}) CPU[$test]=$(median ${CPU[$test]})
done

printf '\n%-22s %12s %10s %10s\n' command rps "us/req" "vs raw"
for test in "${TESTS[@]}"; do
    case $test in
        SET | PROTO.SET) base=SET ;;
        *) base=GET ;;
    esac
    awk -v t="$test" -v r="${RPS[$test]}" -v c="${CPU[$test]}" -v b="${CPU[$base]}" -v bn="$base" \
        'BEGIN { printf "%-22s %12.0f %10.3f %9.2fx %s\n", t, r, c, (b > 0 ? c / b : 0), (t == bn ? "" : "(vs " bn ")") }'
done
printf '\n(us/req = server CPU time (user+sys, all threads) per request; median of %d rounds; pipeline %d)\n' \
    "$REPEAT" "$PIPELINE"
