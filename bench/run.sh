#!/usr/bin/env bash
# Rosetta's load benchmark (GitHub issue 5). See docs/performance.md for what it measures and how.
#
#   bench/run.sh [-d 10s] [-c "1 16 64"] [-s REGEX] [-W 2s] [-w 10s] [-p 50] [-n 3] [-g 1] [-k 300] [-G 300]
#                [-C yes] [--keys-ledger] [--jar target/rosetta.jar]
#
#   -d, --duration D      length of each load, as wrk takes it (default 10s)
#   -c, --connections L   connection counts, space-separated (default "1 16 64")
#   -s, --scenarios RE    only the scenarios whose name matches the extended regex RE
#                         (names: see SCENARIOS below; "floor" selects the nginx reverse-proxy rows)
#   -W, --settle D        before any measured load, every selected scenario is driven for D at each
#                         connection count (default 2s; 0 skips): the JIT then has seen every path,
#                         connections opening and closing included, and later loads do not pay for
#                         deoptimisation and recompilation on the gateway's one core; each measured
#                         load is also preceded by D of the same load, unrecorded, in which the JIT
#                         recompiles what the end of the previous load deoptimised
#   -w, --warmup D        unrecorded warm-up per scenario at 16 connections (default 10s; 0 skips), in
#                         four loads of D/4 when D is given in seconds (4s or more)
#       --governed-warmup D the same for the -governed scenarios, when longer than -w (default 60s): the
#                         governed gateway's JIT takes about a minute of load to settle
#   -p, --paced N         streamed calls per paced-latency case (default 50; 0 skips that part)
#   -n, --startups N      gateway starts timed for startup-to-healthy (default 3)
#   -g, --gateway-cores L cores for Rosetta (and the nginx floor), as taskset takes them (default 1);
#                         "0,1" gives the gateway both cores (two event loops), sharing core 0 with
#                         the load generator: the scale-out measurement
#   -k, --keys N          gateway keys in the store of a second gateway run with auth: keys (default 300;
#                         0 skips): every gateway scenario also runs against it as <scenario>-keys,
#                         right after the same scenario against the auth: none gateway, and then
#                         both at once with the same load (the paired comparison)
#   -R, --rounds N        with -G: rounds of the interleaved comparison (default 5; 0 skips): in each, the plain
#                         gateway and the governed one get the same load for -d (after -W of it unrecorded),
#                         taking turns in slices of 2 s, in an order that alternates from round to round; the
#                         governed verdict is judged on the median of the rounds' differences
#   -G, --governed N      keys of a third gateway, the governed configuration (default 0: not run): auth: keys,
#                         per-key rpm/tpm limits (far above the load) counted in Redis, the usage ledger in
#                         PostgreSQL (a schema of its own, dropped at the end); every gateway scenario also
#                         runs against it as <scenario>-governed, sequential and paired with the plain gateway.
#                         Needs redis-cli and psql; BENCH_REDIS (default redis://127.0.0.1:6379) and BENCH_PG
#                         (default postgresql://postgres@127.0.0.1:5432/test) say where
#   -C, --cache yes|no    the response-cache hit rows (default yes): one more gateway with cache: {enabled: true}
#                         (the in-process store) and, when BENCH_REDIS answers PING, one with the cache in Redis
#                         (a key prefix of this run, deleted at the end); openai-to-openai, anthropic-to-openai
#                         and openai-to-openai-stream also run against them as <scenario>-cached and
#                         <scenario>-cached-redis. wrk repeats one body, so every request after the first is a hit
#       --keys-ledger     keep the usage ledger on (SQLite) in the auth: keys gateway: its paired rows then
#                         measure admission and the ledger together
#       --h2 yes|no       the HTTP/2+TLS rows (default yes): one more gateway with tls: on, loaded with h2load
#                         (Debian's nghttp2-client; wrk has no HTTP/2) over HTTP/2 and over HTTP/1.1, beside
#                         the same h2load load over cleartext HTTP/1.1 to the first gateway
#       --jar FILE        the gateway jar (default target/rosetta.jar, built with ./rosetta build if missing)
#
# Everything runs on 127.0.0.1. Core 0: this script, wrk, curl, the nginx mock, the paced mock and
# client. Core 1: Rosetta, or nginx as the reverse-proxy floor. Every process it starts is stopped
# by PID on exit. Results: bench/out/<timestamp>/results.md, with wrk's raw output beside it.
# Exit status: 0 when every load ran with zero errors, 1 otherwise (missed targets are reported
# in the table, not in the exit status), 2 for bad usage or missing tools.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=10s
CONNS="1 16 64"
FILTER=""
WARMUP=10s
GOV_WARMUP=60s
SETTLE=2s
PACED=50
STARTUPS=3
JAR=target/rosetta.jar
LOAD_CORE=0
GW_CORE=1
KEYS=300
GOVERNED=0
ROUNDS=5
SLICES=1
KEYS_LEDGER=false
BENCH_REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
BENCH_PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432/test}
H2=yes
CACHE=yes

usage() { sed -n '2,54p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    -d|--duration) DURATION=$2; shift 2 ;;
    -c|--connections) CONNS=$2; shift 2 ;;
    -s|--scenarios) FILTER=$2; shift 2 ;;
    -w|--warmup) WARMUP=$2; shift 2 ;;
    --governed-warmup) GOV_WARMUP=$2; shift 2 ;;
    -W|--settle) SETTLE=$2; shift 2 ;;
    -p|--paced) PACED=$2; shift 2 ;;
    -n|--startups) STARTUPS=$2; shift 2 ;;
    -g|--gateway-cores) GW_CORE=$2; shift 2 ;;
    -k|--keys) KEYS=$2; shift 2 ;;
    -G|--governed) GOVERNED=$2; shift 2 ;;
    -R|--rounds) ROUNDS=$2; shift 2 ;;
    --keys-ledger) KEYS_LEDGER=true; shift ;;
    --jar) JAR=$2; shift 2 ;;
    --h2) H2=$2; shift 2 ;;
    -C|--cache) CACHE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$DURATION" =~ ^[0-9]+$ ]] && DURATION="${DURATION}s"
[[ "$WARMUP" =~ ^[0-9]+$ ]] && WARMUP="${WARMUP}s"
[[ "$GOV_WARMUP" =~ ^[0-9]+$ ]] && GOV_WARMUP="${GOV_WARMUP}s"
[[ "$SETTLE" =~ ^[0-9]+$ ]] && SETTLE="${SETTLE}s"
case "$CACHE" in yes|no) ;; *) echo "run.sh: -C/--cache takes yes or no" >&2; exit 2 ;; esac

# ---------------------------------------------------------------- tools (nothing is installed here)
missing=()
for t in nginx wrk curl taskset getconf ss; do
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing+=("$t")
done
if [ "$GOVERNED" -gt 0 ]; then
  for t in redis-cli psql; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing: ${missing[*]}. On Debian/Ubuntu install them with:" >&2
  echo "  sudo apt-get install -y nginx-light wrk curl util-linux iproute2   # or nginx instead of nginx-light" >&2
  exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

. bench/jdk.sh   # the working directory is the repository root from here on
JAVA="$JAVA_HOME/bin/java"

CORES=$(nproc --all)
if [ "$CORES" -lt 2 ]; then
  echo "run.sh: needs 2 cores to pin the load generator and the gateway apart (found $CORES)" >&2
  exit 2
fi

# The gateway runs with the launcher's JVM flags (./rosetta start), unless ROSETTA_JVM_FLAGS is set.
LAUNCHER_FLAGS=$(sed -n 's/^ *exec "\$JAVA_HOME\/bin\/java" \(.*\) \\$/\1/p' rosetta | head -1)
JVM_FLAGS=${ROSETTA_JVM_FLAGS:-$LAUNCHER_FLAGS}
if [ -z "$JVM_FLAGS" ]; then
  echo "run.sh: could not read the JVM flags from ./rosetta; set ROSETTA_JVM_FLAGS" >&2
  exit 2
fi
# The launcher picks its warm-start flag when it runs ("${warm[@]}"): on JDK 25 and newer an AOT cache,
# target/rosetta.aot, written by a first start (-XX:AOTCacheOutput, on exit) and read by later ones;
# before JDK 25 a CDS archive. gw_flags puts in the one ./rosetta start would use now; only the first
# gateway (start_gateway) may write the cache.
WARM_MAJOR=$("$JAVA" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
gw_flags() { # [create]
  local w=""
  if [ "${WARM_MAJOR:-0}" -ge 25 ]; then
    if [ -f target/rosetta.aot ] && [ target/rosetta.aot -nt "$JAR" ]; then w=-XX:AOTCache=target/rosetta.aot
    elif [ "${1:-}" = create ]; then w=-XX:AOTCacheOutput=target/rosetta.aot; fi
  else w="-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=target/rosetta.jsa"; fi
  echo "${JVM_FLAGS//'"${warm[@]}"'/$w}"
}

if [ ! -f "$JAR" ]; then
  echo "== building $JAR"
  ./rosetta build
fi

# Pin this script to the load core: everything it starts inherits that, except what is started
# explicitly on the gateway core.
taskset -p -c "$LOAD_CORE" $$ >/dev/null

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$ROOT/bench/out/$STAMP"
RAW="$OUT/raw"
mkdir -p "$RAW" "$OUT/requests"
TMP=$(mktemp -d /tmp/rosetta-bench.XXXXXX)
chmod 755 "$TMP"
TICK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- process bookkeeping
PIDS=()
started() { PIDS+=("$1"); }
stop_pid() { # PID: TERM, wait up to 10 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
  if [ -n "${GOV_SCHEMA:-}" ]; then
    psql -q "$BENCH_PG" -c "DROP SCHEMA IF EXISTS $GOV_SCHEMA CASCADE" >/dev/null 2>&1 || echo "run.sh: could not drop schema $GOV_SCHEMA" >&2
  fi
  if [ -n "${GOV_PREFIX:-}" ]; then
    redis-cli -u "$BENCH_REDIS" --scan --pattern "${GOV_PREFIX}*" 2>/dev/null | xargs -r -n 500 redis-cli -u "$BENCH_REDIS" DEL >/dev/null 2>&1 || true
  fi
  if [ -n "${CACHE_PREFIX:-}" ]; then
    redis-cli -u "$BENCH_REDIS" --scan --pattern "${CACHE_PREFIX}*" 2>/dev/null | xargs -r -n 500 redis-cli -u "$BENCH_REDIS" DEL >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { local keep=() p; for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

free_port() {
  local p i
  for i in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Htln "sport = :$p")" ] && ! grep -qx "$p" "$TMP/ports" 2>/dev/null; then
      echo "$p" >>"$TMP/ports"; echo "$p"; return 0
    fi
  done
  echo "run.sh: no free port found" >&2; return 1
}

wait_http() { # URL PID TIMEOUT_S: until URL answers at all (any status)
  local url=$1 pid=$2 deadline=$(( $(date +%s) + $3 ))
  until curl -s -o /dev/null --max-time 1 "$url"; do
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: process $pid died while starting ($url)" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "run.sh: $url not up after $3 s" >&2; return 1; }
    sleep 0.05
  done
}

cpu_ticks() { # PID...: utime+stime (fields 14 and 15 of /proc/PID/stat) summed
  local total=0 pid s
  for pid in "$@"; do
    s=$(<"/proc/$pid/stat"); s=${s##*) }   # drop "pid (comm) ", comm may hold spaces
    read -r -a f <<<"$s"                   # f[0] is field 3, so field 14 is f[11]
    total=$(( total + f[11] + f[12] ))
  done
  echo "$total"
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }   # PID FIELD (VmHWM, VmRSS)
reset_hwm() { local pid; for pid in "$@"; do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done; }
nginx_pids() { echo "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); }   # master and workers
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# ---------------------------------------------------------------- nginx: the mock and the floor proxy
MOCK_PORT=$(free_port)
FLOOR_PORT=$(free_port)
PACED_PORT=$(free_port)
GW_PORT=$(free_port)
KEYS_PORT=$(free_port)
GOV_PORT=$(free_port)
CACHE_PORT=$(free_port)
CACHE_REDIS_PORT=$(free_port)

nginx_common() { # NAME
  cat <<EOF
worker_processes 1;
daemon off;
pid $TMP/$1.pid;
error_log $TMP/$1-error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $TMP/$1-body;
  proxy_temp_path $TMP/$1-proxy;
  fastcgi_temp_path $TMP/$1-fastcgi;
  uwsgi_temp_path $TMP/$1-uwsgi;
  scgi_temp_path $TMP/$1-scgi;
  client_body_buffer_size 64k;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
EOF
}

# The mock: fixed bodies from bench/bodies. The static module refuses POST with 405, so each API
# path answers 405 internally and error_page turns that into a 200 with the file (method becomes GET).
BODIES="$ROOT/bench/bodies"
{
  nginx_common mock
  cat <<EOF
  access_log off;
  etag off;
  open_file_cache max=64 inactive=1h;
  types { application/json json; text/event-stream sse; }
  server {
    listen 127.0.0.1:$MOCK_PORT;
    add_header x-request-id req_bench_mock always;
    location = /v1/chat/completions { error_page 405 =200 /_bodies/openai-chat.json; return 405; }
    location = /v1/responses { error_page 405 =200 /_bodies/openai-responses.json; return 405; }
    location = /v1/messages { error_page 405 =200 /_bodies/anthropic-messages.json; return 405; }
    location ~ "^/v1(beta)?/models/[^/]+:generateContent\$" { error_page 405 =200 /_bodies/gemini-generate.json; return 405; }
    location ~ "^/v1(beta)?/models/[^/]+:streamGenerateContent\$" { error_page 405 =200 /_bodies/gemini-stream.sse; return 405; }
    location = /stream/v1/chat/completions { error_page 405 =200 /_bodies/openai-chat.sse; return 405; }
    location = /stream/v1/responses { error_page 405 =200 /_bodies/openai-responses.sse; return 405; }
    location = /stream/v1/messages { error_page 405 =200 /_bodies/anthropic-messages.sse; return 405; }
    location /_bodies/ { internal; alias $BODIES/; }
    location / { default_type application/json; return 404 '{"error":"bench mock: no such path"}'; }
  }
}
EOF
} >"$TMP/mock.conf"

# The floor: nginx as a plain reverse proxy to the mock, with upstream keep-alive, an access log
# (as the gateway has one) and no buffering of streams.
{
  nginx_common floor
  cat <<EOF
  access_log $RAW/floor-access.log combined buffer=64k;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$FLOOR_PORT;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location / { proxy_pass http://mock; }
    location /stream/ { proxy_pass http://mock; proxy_buffering off; }
  }
}
EOF
} >"$TMP/floor.conf"

start_nginx() { # NAME CORE -> sets NGINX_PID
  "$NGINX" -t -q -p "$TMP" -e "$TMP/$1-error.log" -c "$TMP/$1.conf"
  taskset -c "$2" "$NGINX" -p "$TMP" -e "$TMP/$1-error.log" -c "$TMP/$1.conf" &
  NGINX_PID=$!
  started "$NGINX_PID"
}

echo "== output: $OUT"
echo "== ports: gateway $GW_PORT, nginx mock $MOCK_PORT, nginx floor $FLOOR_PORT, paced mock $PACED_PORT"
start_nginx mock "$LOAD_CORE"; MOCK_PID=$NGINX_PID
start_nginx floor "$GW_CORE"; FLOOR_PID=$NGINX_PID
wait_http "http://127.0.0.1:$MOCK_PORT/" "$MOCK_PID" 10
wait_http "http://127.0.0.1:$FLOOR_PORT/" "$FLOOR_PID" 10

if [ "$PACED" -gt 0 ]; then
  taskset -c "$LOAD_CORE" "$JAVA" bench/PacedMock.java "$PACED_PORT" 10 20 >"$RAW/paced-mock.log" 2>&1 &
  PACED_PID=$!
  started "$PACED_PID"
fi

# ---------------------------------------------------------------- the gateway
export BENCH_GATEWAY_PORT=$GW_PORT BENCH_MOCK_PORT=$MOCK_PORT BENCH_PACED_PORT=$PACED_PORT
GW_URL="http://127.0.0.1:$GW_PORT"
start_gateway() { # -> GW_PID, STARTUP_MS: launch to first 200 on /health, polled every 10 ms
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  taskset -c "$GW_CORE" "$JAVA" $(gw_flags create) -jar "$JAR" --config bench/rosetta-bench.yaml \
    >>"$OUT/rosetta-stdout.log" 2>>"$OUT/rosetta-stderr.log" &
  GW_PID=$!
  started "$GW_PID"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$GW_URL/health")" = 200 ]; do
    kill -0 "$GW_PID" 2>/dev/null || { echo "run.sh: the gateway exited; see $OUT/rosetta-stderr.log" >&2; exit 1; }
    [ $(( $(date +%s%N) - t0 )) -lt 120000000000 ] || { echo "run.sh: gateway not healthy after 120 s" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  STARTUP_MS=$(( (t1 - t0) / 1000000 ))
}
# As ./rosetta start does: a class-data archive made for an older build of the jar is neither used
# nor rewritten by the JVM, so it goes, and the first start below writes a new one on exit.
ARCHIVE=$(sed -n 's/.*-XX:SharedArchiveFile=\([^ ]*\).*/\1/p' <<<"$JVM_FLAGS")
if [ -n "$ARCHIVE" ] && [ -f "$ARCHIVE" ] && [ "$JAR" -nt "$ARCHIVE" ]; then rm -f "$ARCHIVE"; fi
STARTUP_ALL=()
for i in $(seq "$STARTUPS"); do
  start_gateway
  STARTUP_ALL+=("$STARTUP_MS")
  if [ "$i" -lt "$STARTUPS" ]; then stop_pid "$GW_PID"; forget "$GW_PID"; fi
done
if [ "$STARTUPS" -lt 1 ]; then start_gateway; STARTUP_ALL+=("$STARTUP_MS"); fi
STARTUP_SORTED=$(printf '%s\n' "${STARTUP_ALL[@]}" | sort -n | tr '\n' ' ')
STARTUP_MEDIAN=$(printf '%s\n' "${STARTUP_ALL[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "== startup to healthy (ms): $STARTUP_SORTED(median $STARTUP_MEDIAN)"

# The auth: keys gateway: the same configuration plus auth: keys and a SQLite store in the temporary
# directory, on its own port and the same core, loaded only by the <scenario>-keys rows. Its store
# gets one tenant (with a model allow-list, so that check runs) and KEYS keys through the admin API;
# every wrk script and curl check sends the one in the middle, to both gateways ("none" ignores it),
# so both see the same bytes. The usage ledger, on by default with a store, is switched off here: these
# rows measure what admission costs; the ledger's cost is its own (docs/performance.md).
export BENCH_CLIENT_KEY=bench-client-key
KEYS_PID=""
KEYS_URL="http://127.0.0.1:$KEYS_PORT"
if [ "$KEYS" -gt 0 ]; then
  export BENCH_KEYS_PORT=$KEYS_PORT
  export BENCH_ADMIN_KEY="bench-admin-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  { sed 's/\${BENCH_GATEWAY_PORT}/${BENCH_KEYS_PORT}/' bench/rosetta-bench.yaml
    printf 'auth: keys\nadmin_key: ${BENCH_ADMIN_KEY}\nstore: "sqlite:%s/keys.db"\nledger: %s\nledger_spool: "%s/keys.spool"\n' "$TMP" "$KEYS_LEDGER" "$TMP"; } >"$TMP/rosetta-bench-keys.yaml"
  # shellcheck disable=SC2086
  taskset -c "$GW_CORE" "$JAVA" $(gw_flags) -jar "$JAR" --config "$TMP/rosetta-bench-keys.yaml" \
    >>"$OUT/rosetta-keys-stdout.log" 2>>"$OUT/rosetta-keys-stderr.log" &
  KEYS_PID=$!
  started "$KEYS_PID"
  wait_http "$KEYS_URL/health" "$KEYS_PID" 120
  admin() { curl -sS --max-time 10 -H "Authorization: Bearer $BENCH_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
  admin -o /dev/null -X POST --data '{"name":"bench","models":["oai-*","ant-*","gem-*","paced-*"]}' "$KEYS_URL/admin/v1/tenants"
  for i in $(seq "$KEYS"); do
    k=$(admin -X POST --data "{\"tenant\":\"bench\",\"name\":\"bench-$i\"}" "$KEYS_URL/admin/v1/keys" \
      | sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
    [ -n "$k" ] || { echo "run.sh: creating gateway key $i failed; see $OUT/rosetta-keys-stderr.log" >&2; exit 1; }
    [ "$i" -ne $(( (KEYS + 1) / 2 )) ] || BENCH_CLIENT_KEY=$k
  done
  sleep 1.5   # the snapshot the hot path reads is refreshed within 1 s
  echo "== auth: keys gateway on port $KEYS_PORT, $KEYS keys in its SQLite store"
fi

# The governed gateway: the same configuration plus auth: keys with its keys and tenant in PostgreSQL
# (a schema of this run), per-key limits counted in Redis (a key prefix of this run), far above what the
# load sends so that nothing is refused, and the usage ledger writing every request to that schema.
# Budgets: each key also gets GOV_BUDGET, a budget that is never exhausted but is reserved and settled on every request.
GOV_PID=""
GOV_URL="http://127.0.0.1:$GOV_PORT"
GOV_LIMITS='{"rpm": 100000000, "tpm": 100000000000}'
GOV_BUDGET=', "budget": {"usd": 1000000000, "period": "month"}'
if [ "$GOVERNED" -gt 0 ]; then
  [ -n "${BENCH_ADMIN_KEY:-}" ] || export BENCH_ADMIN_KEY="bench-admin-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  GOV_SCHEMA="rosetta_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  GOV_PREFIX="rosetta-bench:$GOV_SCHEMA:"
  export BENCH_GOV_PORT=$GOV_PORT
  { sed 's/\${BENCH_GATEWAY_PORT}/${BENCH_GOV_PORT}/' bench/rosetta-bench.yaml
    printf 'auth: keys\nadmin_key: ${BENCH_ADMIN_KEY}\nstore: "%s?schema=%s"\nledger_spool: "%s/governed.spool"\n' "$BENCH_PG" "$GOV_SCHEMA" "$TMP"
    printf 'redis: "%s"\nredis_key_prefix: "%s"\n' "$BENCH_REDIS" "$GOV_PREFIX"; } >"$TMP/rosetta-bench-governed.yaml"
  # shellcheck disable=SC2086
  taskset -c "$GW_CORE" "$JAVA" $(gw_flags) -jar "$JAR" --config "$TMP/rosetta-bench-governed.yaml" \
    >>"$OUT/rosetta-governed-stdout.log" 2>>"$OUT/rosetta-governed-stderr.log" &
  GOV_PID=$!
  started "$GOV_PID"
  wait_http "$GOV_URL/health" "$GOV_PID" 120
  gadmin() { curl -sS --max-time 10 -H "Authorization: Bearer $BENCH_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
  gadmin -o /dev/null -X POST --data '{"name":"bench","models":["oai-*","ant-*","gem-*","paced-*"]}' "$GOV_URL/admin/v1/tenants"
  for i in $(seq "$GOVERNED"); do
    k=$(gadmin -X POST --data "{\"tenant\":\"bench\",\"name\":\"gov-$i\",\"limits\":$GOV_LIMITS$GOV_BUDGET}" "$GOV_URL/admin/v1/keys" \
      | sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p')
    [ -n "$k" ] || { echo "run.sh: creating governed key $i failed; see $OUT/rosetta-governed-stderr.log" >&2; exit 1; }
    [ "$i" -ne $(( (GOVERNED + 1) / 2 )) ] || GOV_CLIENT_KEY=$k
  done
  sleep 1.5
  echo "== governed gateway on port $GOV_PORT: $GOVERNED keys with limits in Redis ($GOV_PREFIX), store and ledger in PostgreSQL schema $GOV_SCHEMA"
fi
# The response-cache gateways: the plain configuration plus cache: {enabled: true}, on their own ports and
# the gateway core, loaded only by the <scenario>-cached and <scenario>-cached-redis rows. The first keeps
# its entries in process (Caffeine); the second, started only when BENCH_REDIS answers PING, in Redis under
# a key prefix of this run (deleted at the end). wrk sends one body over and over, so the first request of
# each scenario is a miss (it goes to the mock and is stored) and every later one a hit.
CACHE_SCENARIOS="openai-to-openai anthropic-to-openai openai-to-openai-stream"
CACHE_PID=""; CACHE_REDIS_PID=""; CACHE_NOTE=""
CACHE_URL="http://127.0.0.1:$CACHE_PORT"
CACHE_REDIS_URL="http://127.0.0.1:$CACHE_REDIS_PORT"
if [ "$CACHE" = yes ]; then
  { sed "s/\${BENCH_GATEWAY_PORT}/$CACHE_PORT/" bench/rosetta-bench.yaml
    printf 'cache: {enabled: true}\n'; } >"$TMP/rosetta-bench-cached.yaml"
  # shellcheck disable=SC2086
  taskset -c "$GW_CORE" "$JAVA" $(gw_flags) -jar "$JAR" --config "$TMP/rosetta-bench-cached.yaml" \
    >>"$OUT/rosetta-cached-stdout.log" 2>>"$OUT/rosetta-cached-stderr.log" &
  CACHE_PID=$!
  started "$CACHE_PID"
  wait_http "$CACHE_URL/health" "$CACHE_PID" 120
  echo "== cached gateway (in-process store) on port $CACHE_PORT"
  if command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -u "$BENCH_REDIS" PING 2>/dev/null)" = PONG ]; then
    CACHE_PREFIX="rosetta-bench-cache:$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n'):"
    { sed "s/\${BENCH_GATEWAY_PORT}/$CACHE_REDIS_PORT/" bench/rosetta-bench.yaml
      printf 'redis: "%s"\ncache: {enabled: true, redis_key_prefix: "%s"}\n' "$BENCH_REDIS" "$CACHE_PREFIX"; } >"$TMP/rosetta-bench-cached-redis.yaml"
    # shellcheck disable=SC2086
    taskset -c "$GW_CORE" "$JAVA" $(gw_flags) -jar "$JAR" --config "$TMP/rosetta-bench-cached-redis.yaml" \
      >>"$OUT/rosetta-cached-redis-stdout.log" 2>>"$OUT/rosetta-cached-redis-stderr.log" &
    CACHE_REDIS_PID=$!
    started "$CACHE_REDIS_PID"
    wait_http "$CACHE_REDIS_URL/health" "$CACHE_REDIS_PID" 120
    echo "== cached gateway (Redis store, prefix $CACHE_PREFIX) on port $CACHE_REDIS_PORT"
  else
    CACHE_NOTE="The Redis store was not measured: $( command -v redis-cli >/dev/null 2>&1 && echo "$BENCH_REDIS did not answer PING" || echo "redis-cli missing" )."
    echo "== $CACHE_NOTE"
  fi
fi
redis_calls() { # scripts Redis has run since it started (INFO commandstats, all clients): the limits' and
  # budgets' reservations and settlements. Not every command: the GET/SET a script runs inside Redis count too.
  redis-cli -u "$BENCH_REDIS" INFO commandstats | tr -d '\r' \
    | sed -n 's/^cmdstat_\(evalsha\|eval\|evalsha_ro\|eval_ro\|fcall\|fcall_ro\):calls=\([0-9]*\),.*/\2/p' | awk '{ n += $1 } END { print n + 0 }'
}
redis_reads() { # read events Redis has processed since it started (INFO stats, all clients): its round trips,
  # since the gateway writes the commands of one event-loop turn together and Redis reads them at once
  redis-cli -u "$BENCH_REDIS" INFO stats | tr -d '\r' | sed -n 's/^total_reads_processed:\([0-9]*\)$/\1/p'
}

# ---------------------------------------------------------------- scenarios
# name | class | request template | model | stream | direct path on the mock | marker the client dialect's answer must hold
# The client path and headers are in bench/wrk/<name>.lua. Classes: passthrough, converted, floor;
# a -stream suffix for streamed answers (the marker then is the client dialect's terminal frame).
SCENARIOS=(
  "openai-to-openai|passthrough|openai-chat|oai-json|false|/v1/chat/completions|\"finish_reason\":\"stop\""
  "openai-to-openai-stream|passthrough-stream|openai-chat|oai-sse|true|/stream/v1/chat/completions|data: [DONE]"
  "anthropic-to-anthropic|passthrough|anthropic-messages|ant-json|false|/v1/messages|\"stop_reason\":\"end_turn\""
  "anthropic-to-anthropic-stream|passthrough-stream|anthropic-messages|ant-sse|true|/stream/v1/messages|event: message_stop"
  "gemini-to-gemini|passthrough|gemini|gem-json|-|/v1beta/models/gemini-2.0-flash:generateContent|\"finishReason\":\"STOP\""
  "gemini-to-gemini-stream|passthrough-stream|gemini|gem-sse|-|/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse|\"finishReason\":\"STOP\""
  "openai-to-anthropic|converted|openai-chat|ant-json|false|/v1/messages|\"finish_reason\":\"stop\""
  "openai-to-anthropic-stream|converted-stream|openai-chat|ant-sse|true|/stream/v1/messages|data: [DONE]"
  "anthropic-to-openai|converted|anthropic-messages|oai-json|false|/v1/chat/completions|\"stop_reason\":\"end_turn\""
  "anthropic-to-openai-stream|converted-stream|anthropic-messages|oai-sse|true|/stream/v1/chat/completions|event: message_stop"
  "gemini-to-openai|converted|gemini|oai-json|-|/v1/chat/completions|\"finishReason\":\"STOP\""
  "gemini-to-openai-stream|converted-stream|gemini|oai-sse|-|/stream/v1/chat/completions|\"finishReason\":\"STOP\""
  "openai-to-gemini|converted|openai-chat|gem-json|false|/v1beta/models/gemini-2.0-flash:generateContent|\"finish_reason\":\"stop\""
  "openai-to-gemini-stream|converted-stream|openai-chat|gem-sse|true|/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse|data: [DONE]"
  "floor-nginx|floor|openai-chat|oai-json|false|/v1/chat/completions|\"finish_reason\":\"stop\""
  "floor-nginx-stream|floor-stream|openai-chat|oai-sse|true|/stream/v1/chat/completions|data: [DONE]"
)
target_cpu() {
  case "$1" in
    passthrough|passthrough-stream) echo 60 ;;
    converted) echo 100 ;;
    converted-stream) echo 150 ;;
    cached) echo 25 ;;   # a JSON hit from the in-process store; -cached-redis rows are reported, not judged
    *) echo "" ;;
  esac
}

# A <scenario>-keys row is <scenario>'s load (same wrk script) against the auth: keys gateway, a
# <scenario>-governed row against the governed gateway.
# A <scenario>-cached row runs against the in-process cache gateway, <scenario>-cached-redis against
# the Redis one; their class is cached (JSON) or cached-stream.
base_of() { local n=${1%-keys}; n=${n%-governed}; n=${n%-cached-redis}; echo "${n%-cached}"; }
gw_url() { case "$1" in *-keys) echo "$KEYS_URL" ;; *-governed) echo "$GOV_URL" ;; *-cached) echo "$CACHE_URL" ;;
  *-cached-redis) echo "$CACHE_REDIS_URL" ;; *) echo "$GW_URL" ;; esac; }
gw_pid() { case "$1" in *-keys) echo "$KEYS_PID" ;; *-governed) echo "$GOV_PID" ;; *-cached) echo "$CACHE_PID" ;;
  *-cached-redis) echo "$CACHE_REDIS_PID" ;; *) echo "$GW_PID" ;; esac; }
if [ "$KEYS" -gt 0 ] || [ "$GOVERNED" -gt 0 ]; then
  WITH_KEYS=()
  for row in "${SCENARIOS[@]}"; do
    WITH_KEYS+=("$row")
    [[ "$(cut -d'|' -f2 <<<"$row")" != floor* ]] || continue
    [ "$KEYS" -eq 0 ] || WITH_KEYS+=("${row/|/-keys|}")
    [ "$GOVERNED" -eq 0 ] || WITH_KEYS+=("${row/|/-governed|}")
  done
  SCENARIOS=("${WITH_KEYS[@]}")
fi
if [ -n "$CACHE_PID" ]; then
  WITH_CACHE=()
  for row in "${SCENARIOS[@]}"; do
    WITH_CACHE+=("$row")
    n=$(cut -d'|' -f1 <<<"$row"); cl=$(cut -d'|' -f2 <<<"$row")
    [[ " $CACHE_SCENARIOS " == *" $n "* ]] || continue
    cc=cached; [[ "$cl" == *-stream ]] && cc=cached-stream
    rest=${row#*|}; rest=${rest#*|}
    WITH_CACHE+=("$n-cached|$cc|$rest")
    [ -z "$CACHE_REDIS_PID" ] || WITH_CACHE+=("$n-cached-redis|$cc|$rest")
  done
  SCENARIOS=("${WITH_CACHE[@]}")
fi
lua_path() { sed -n 's/^ *path = "\(.*\)",$/\1/p' "bench/wrk/$(base_of "$1").lua"; }
key_of() { if [[ "$1" == *-governed ]]; then echo "$GOV_CLIENT_KEY"; else echo "$BENCH_CLIENT_KEY"; fi; }
lua_headers() { # the scripts write the gateway key as ${KEY}; common.lua fills it in the same way
  grep -o '\["[^"]*"\] = "[^"]*"' "bench/wrk/$(base_of "$1").lua" \
    | sed -e 's/^\["\([^"]*\)"\] = "\(.*\)"$/\1: \2/' -e "s/\${KEY}/$(key_of "$1")/"
}
render() { # TEMPLATE MODEL STREAM OUTFILE
  sed -e "s/\${MODEL}/$2/" -e "s/\${STREAM}/$3/" "bench/requests/$1.json" >"$4"
}

validate() { # NAME URL BODY MARKER STREAMED [HEADER...] -> 0 when the answer is right; reason in VALIDATION
  local name=$1 url=$2 body=$3 marker=$4 streamed=$5 code ctype
  shift 5
  local hargs=() h
  for h in "$@"; do hargs+=(-H "$h"); done
  code=$(curl -sS -o "$RAW/$name.validate.body" -D "$RAW/$name.validate.headers" -w '%{http_code}' --max-time 15 \
    -X POST -H 'Content-Type: application/json' "${hargs[@]}" --data-binary "@$body" "$url" 2>"$RAW/$name.validate.err") || true
  if [ "$code" != 200 ]; then
    VALIDATION="HTTP $code: $(head -c 300 "$RAW/$name.validate.body" | tr '\n' ' ')"
    return 1
  fi
  if ! grep -qF -- "$marker" "$RAW/$name.validate.body"; then
    VALIDATION="answer lacks $marker"
    return 1
  fi
  ctype=$(tr -d '\r' <"$RAW/$name.validate.headers" | awk -F': *' 'tolower($1) == "content-type" {print tolower($2)}' | tail -1)
  if [ "$streamed" = yes ] && [[ "$ctype" != text/event-stream* ]]; then
    VALIDATION="streamed answer has content-type $ctype"
    return 1
  fi
  VALIDATION=ok
  return 0
}

cache_header() { tr -d '\r' <"$1" | awk -F': *' 'tolower($1) == "x-rosetta-cache" {print $2}' | tail -1; }
declare -A CACHE_FIRST CACHE_EVENTS
cache_validate() { # NAME URL BODY MARKER STREAMED [HEADER...]: for a -cached row, after validate's (first) answer,
  # a second one must be right too and a hit; otherwise nothing to check
  local name=$1 first
  [[ "$name" == *-cached || "$name" == *-cached-redis ]] || return 0
  first=$(cache_header "$RAW/$name.validate.headers")
  CACHE_FIRST[$name]=${first:-none}
  cp "$RAW/$name.validate.body" "$RAW/$name.validate-first.body"; cp "$RAW/$name.validate.headers" "$RAW/$name.validate-first.headers"
  sleep 0.2   # the store is written when the first answer completes
  validate "$@" || { VALIDATION="second answer: $VALIDATION"; return 1; }
  if [ "$(cache_header "$RAW/$name.validate.headers")" != hit ]; then
    VALIDATION="second answer is not a cache hit (x-rosetta-cache: $(cache_header "$RAW/$name.validate.headers"), first: ${CACHE_FIRST[$name]})"
    return 1
  fi
  CACHE_EVENTS[$name]=-
  [ "$5" != yes ] || CACHE_EVENTS[$name]="$(grep -c '^data:' "$RAW/$name.validate.body") hit / $(grep -c '^data:' "$RAW/$name.validate-first.body") first"
  VALIDATION=ok
}

run_wrk() { # OUTFILE CONNS DURATION SCRIPT URL BODY -> WRK_* variables from the WRK_RESULT line
  taskset -c "$LOAD_CORE" wrk -t1 -c"$2" -d"$3" --timeout 5s --latency -s "$4" "$5" -- "$6" >"$1" 2>&1 || true
  parse_wrk "$1"
}
parse_wrk() { # OUTFILE -> WRK_* variables
  local out=$1 line kv
  line=$(grep '^WRK_RESULT ' "$out" | tail -1)
  WRK_requests=0; WRK_rps=0; WRK_p50_us=0; WRK_p99_us=0; WRK_errors=-1
  [ -n "$line" ] || return 0
  for kv in ${line#WRK_RESULT }; do printf -v "WRK_${kv%%=*}" '%s' "${kv#*=}"; done
  WRK_errors=$(( WRK_connect + WRK_read + WRK_write + WRK_status + WRK_timeout ))
}

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

IDLE_RSS_KB=""
RESULTS="$OUT/results.tsv"
printf 'scenario\tclass\tconns\tgw_rps\tgw_p50_us\tgw_p99_us\tdirect_rps\tdirect_p50_us\tdirect_p99_us\tcpu_us_per_req\tpeak_rss_kb\terrors\tverdict\n' >"$RESULTS"
ANY_ERROR=0
GW_REQUESTS=0
declare -A VALID

# Validate every selected scenario first: one right answer each, which also warms the gateway up
# before the idle RSS is read.
SELECTED=()
for row in "${SCENARIOS[@]}"; do
  IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
  if [ -n "$FILTER" ] && ! [[ "$name" =~ $FILTER ]]; then continue; fi
  SELECTED+=("$row")
  body="$OUT/requests/$name.json"
  render "$tmpl" "$model" "$stream" "$body"
  streamed=no; [[ "$class" == *-stream ]] && streamed=yes
  if [[ "$class" == floor* ]]; then
    url="http://127.0.0.1:$FLOOR_PORT$mockpath"; hdrs=("Authorization: Bearer bench-key")
  else
    url="$(gw_url "$name")$(lua_path "$name")"; mapfile -t hdrs < <(lua_headers "$name")
  fi
  if validate "$name" "$url" "$body" "$marker" "$streamed" "${hdrs[@]}" && cache_validate "$name" "$url" "$body" "$marker" "$streamed" "${hdrs[@]}"; then
    # and the mock itself, on the path the direct load uses (its own dialect's marker is not checked)
    if validate "$name.direct" "http://127.0.0.1:$MOCK_PORT$mockpath" "$body" "" "$streamed"; then
      VALID[$name]=ok
    else
      VALID[$name]="mock: $VALIDATION"
    fi
  else
    VALID[$name]=$VALIDATION
  fi
  [[ "$class" == floor* ]] || GW_REQUESTS=$((GW_REQUESTS + 1))
  printf '== validate %-32s %s\n' "$name" "${VALID[$name]}"
done
sleep 1
IDLE_RSS_KB=$(status_kb "$GW_PID" VmRSS)
echo "== gateway idle RSS after startup and one request per scenario: $(mb "$IDLE_RSS_KB") MB"

# Settle: every gateway scenario at every connection count, unrecorded, before anything is measured.
# Its cost (the JIT compiling on the gateway's core) is reported on its own.
SETTLE_CPU_S=-; SETTLE_REQUESTS=0; SETTLE_S=0
if [ "$SETTLE" != 0s ]; then
  t0=$(cpu_ticks "$GW_PID" $KEYS_PID); s0=$(date +%s)
  for row in "${SELECTED[@]}"; do
    IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
    [[ "$class" != floor* ]] && [ "${VALID[$name]}" = ok ] || continue
    for c in $CONNS; do
      BENCH_CLIENT_KEY=$(key_of "$name") run_wrk "$RAW/$name.settle.c$c.txt" "$c" "$SETTLE" "$ROOT/bench/wrk/$(base_of "$name").lua" "$(gw_url "$name")$(lua_path "$name")" "$OUT/requests/$name.json"
      SETTLE_REQUESTS=$((SETTLE_REQUESTS + WRK_requests))
    done
  done
  SETTLE_CPU_S=$(awk -v t=$(( $(cpu_ticks "$GW_PID" $KEYS_PID) - t0 )) -v hz="$TICK" 'BEGIN { printf "%.1f", t / hz }')
  SETTLE_S=$(( $(date +%s) - s0 ))
  GW_REQUESTS=$((GW_REQUESTS + SETTLE_REQUESTS))
  echo "== settled: $SETTLE_REQUESTS requests in ${SETTLE_S}s, gateway CPU ${SETTLE_CPU_S}s"
fi

for row in "${SELECTED[@]}"; do
  IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
  body="$OUT/requests/$name.json"
  if [[ "$class" == floor* ]]; then
    script="$ROOT/bench/wrk/direct.lua"; url="http://127.0.0.1:$FLOOR_PORT$mockpath"
    mapfile -t pids < <(nginx_pids "$FLOOR_PID" | tr ' ' '\n')
  else
    script="$ROOT/bench/wrk/$(base_of "$name").lua"; url="$(gw_url "$name")$(lua_path "$name")"; pids=("$(gw_pid "$name")")
  fi
  if [ "${VALID[$name]}" != ok ]; then
    for c in $CONNS; do
      printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\tFAIL: not run, validation: %s\n' "$name" "$class" "$c" "${VALID[$name]}" >>"$RESULTS"
    done
    ANY_ERROR=1
    continue
  fi
  warm=$WARMUP
  # The governed gateway has more code for the JIT: its compiler threads still took 20-80 ms a second of
  # the gateway's core through the first minute of load, preempting the event loop (docs/performance.md).
  if [[ "$name" == *-governed ]] && [ "$warm" != 0s ] && [[ "$warm" =~ ^([0-9]+)s$ ]] && [[ "$GOV_WARMUP" =~ ^([0-9]+)s$ ]] \
      && [ "${GOV_WARMUP%s}" -gt "${warm%s}" ]; then
    warm=$GOV_WARMUP
  fi
  if [ "$warm" != 0s ]; then
    # In four loads rather than one (when given in seconds): the end of each, wrk cutting the requests in
    # flight, deoptimises code compiled before any request was cancelled, and the next load lets the JIT
    # compile it again with those paths; with one long load that recompilation fell in the measured loads.
    parts=1; part=$warm
    if [[ "$warm" =~ ^([0-9]+)s$ ]] && [ "${BASH_REMATCH[1]}" -ge 4 ]; then parts=4; part="$((BASH_REMATCH[1] / 4))s"; fi
    for i in $(seq 1 "$parts"); do
      BENCH_CLIENT_KEY=$(key_of "$name") run_wrk "$RAW/$name.warmup$i.txt" 16 "$part" "$script" "$url" "$body"
      [[ "$class" == floor* ]] || GW_REQUESTS=$((GW_REQUESTS + WRK_requests))
    done
  fi
  for c in $CONNS; do
    run_wrk "$RAW/$name.c$c.direct.txt" "$c" "$DURATION" "$ROOT/bench/wrk/direct.lua" "http://127.0.0.1:$MOCK_PORT$mockpath" "$body"
    d_rps=$WRK_rps; d_p50=$WRK_p50_us; d_p99=$WRK_p99_us; d_err=$WRK_errors
    if [ "$SETTLE" != 0s ] && [[ "$class" != floor* ]]; then
      # The same load, unrecorded, right before the measured one: the end of the previous load (wrk
      # cutting requests in flight) deoptimised the code that handles cancelled requests, compiled before
      # any was seen; here the JIT recompiles it, so the measured load does not pay for that.
      BENCH_CLIENT_KEY=$(key_of "$name") run_wrk "$RAW/$name.c$c.resettle.txt" "$c" "$SETTLE" "$script" "$url" "$body"
      GW_REQUESTS=$((GW_REQUESTS + WRK_requests))
    fi
    reset_hwm "${pids[@]}"
    t0=$(cpu_ticks "${pids[@]}")
    BENCH_CLIENT_KEY=$(key_of "$name") run_wrk "$RAW/$name.c$c.txt" "$c" "$DURATION" "$script" "$url" "$body"
    t1=$(cpu_ticks "${pids[@]}")
    hwm=0; for p in "${pids[@]}"; do hwm=$(( hwm + $(status_kb "$p" VmHWM) )); done
    [[ "$class" == floor* ]] || GW_REQUESTS=$((GW_REQUESTS + WRK_requests))
    cpu=-
    [ "$WRK_requests" -gt 0 ] && cpu=$(awk -v t=$((t1 - t0)) -v hz="$TICK" -v n="$WRK_requests" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    fails=()
    [ "$WRK_errors" = 0 ] || fails+=("gateway errors: $(grep -E 'Non-2xx|Socket errors' "$RAW/$name.c$c.txt" | tr -s ' ' | tr '\n' ';')")
    [ "$WRK_errors" -ge 0 ] || fails+=("no wrk result")
    [ "$d_err" = 0 ] || fails+=("direct errors $d_err")
    [ "$WRK_errors" = 0 ] && [ "$d_err" = 0 ] || ANY_ERROR=1
    tc=$(target_cpu "$class"); [[ "$name" != *-cached-redis ]] || tc=""
    # The CPU targets are judged under load (16 and 64 connections). At 1 connection every request
    # wakes an idle core twice, which on this VM costs the nginx floor itself about 50 µs: the row
    # is reported, with its ratio to the floor at 1 connection in the report, and not judged.
    notes=()
    if [ -n "$tc" ] && [ "$cpu" != - ] && awk -v a="$cpu" -v b="$tc" 'BEGIN { exit !(a > b) }'; then
      if [ "$c" = 1 ]; then notes+=("cpu $cpu > $tc µs at 1 connection, not judged"); else fails+=("cpu $cpu > $tc µs"); fi
    fi
    if [ "$c" = 1 ] && [[ "$class" != floor* ]] && [ $((WRK_p50_us - d_p50)) -gt 300 ]; then
      fails+=("added p50 $(ms $((WRK_p50_us - d_p50))) > 0.3 ms")
    fi
    if [ "$c" = 64 ] && [ "$WRK_p99_us" -gt $((3 * WRK_p50_us)) ]; then
      fails+=("p99 $(awk -v a="$WRK_p99_us" -v b="$WRK_p50_us" 'BEGIN { printf "%.1f", a / b }')× p50")
    fi
    if [[ "$class" != floor* ]] && [ "$hwm" -gt $((256 * 1024)) ]; then fails+=("peak RSS $(mb "$hwm") MB > 256"); fi
    verdict=pass; [ ${#fails[@]} -eq 0 ] || verdict="FAIL: $(IFS=';'; echo "${fails[*]}")"
    [ ${#notes[@]} -eq 0 ] || verdict="$verdict ($(IFS=';'; echo "${notes[*]}"))"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$class" "$c" "$WRK_rps" "$WRK_p50_us" "$WRK_p99_us" \
      "$d_rps" "$d_p50" "$d_p99" "$cpu" "$hwm" "$WRK_errors" "$verdict" >>"$RESULTS"
    printf '== %-30s c=%-3s %9s req/s p50 %6s ms p99 %6s ms | direct %9s req/s | cpu %6s µs/req | rss %4s MB | %s\n' \
      "$name" "$c" "$WRK_rps" "$(ms "$WRK_p50_us")" "$(ms "$WRK_p99_us")" "$d_rps" "$cpu" "$(mb "$hwm")" "$verdict"
  done
done
PEAK_RSS_KB=$(status_kb "$GW_PID" VmHWM)

# ---------------------------------------------------------------- paired: auth none and auth keys at once
# The same load at both gateways at the same time (two wrk, same connections and duration): whatever
# else runs on the machine then weighs on both alike, which one-after-the-other rows cannot promise
# on a busy machine. Each gateway's CPU per request is its own ticks over its own requests.
PAIRED_RESULTS="$OUT/paired.tsv"
printf 'scenario\tclass\tconns\tnone_requests\tnone_cpu_us\tkeys_requests\tkeys_cpu_us\terrors\n' >"$PAIRED_RESULTS"
if [ "$KEYS" -gt 0 ]; then
  for row in "${SELECTED[@]}"; do
    IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
    [[ "$class" != floor* && "$name" != *-keys && "$name" != *-governed ]] && [ "${VALID[$name]}" = ok ] && [ "${VALID[$name-keys]:-}" = ok ] || continue
    script="$ROOT/bench/wrk/$name.lua"; path=$(lua_path "$name"); body="$OUT/requests/$name.json"
    for c in $CONNS; do
      n0=$(cpu_ticks "$GW_PID"); k0=$(cpu_ticks "$KEYS_PID")
      taskset -c "$LOAD_CORE" wrk -t1 -c"$c" -d"$DURATION" --timeout 5s --latency -s "$script" "$KEYS_URL$path" -- "$body" \
        >"$RAW/$name.c$c.paired-keys.txt" 2>&1 &
      kw=$!
      run_wrk "$RAW/$name.c$c.paired-none.txt" "$c" "$DURATION" "$script" "$GW_URL$path" "$body"
      wait "$kw" || true
      n1=$(cpu_ticks "$GW_PID"); k1=$(cpu_ticks "$KEYS_PID")
      nreq=$WRK_requests; nerr=$WRK_errors
      parse_wrk "$RAW/$name.c$c.paired-keys.txt"
      kreq=$WRK_requests; kerr=$WRK_errors
      GW_REQUESTS=$((GW_REQUESTS + nreq + kreq))
      [ "$nerr" = 0 ] && [ "$kerr" = 0 ] || ANY_ERROR=1
      ncpu=$(awk -v t=$((n1 - n0)) -v hz="$TICK" -v n="$nreq" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
      kcpu=$(awk -v t=$((k1 - k0)) -v hz="$TICK" -v n="$kreq" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$class" "$c" "$nreq" "$ncpu" "$kreq" "$kcpu" "$((nerr + kerr))" >>"$PAIRED_RESULTS"
      printf '== paired %-30s c=%-3s none %7s req %6s µs/req | keys %7s req %6s µs/req | errors %s\n' \
        "$name" "$c" "$nreq" "$ncpu" "$kreq" "$kcpu" "$((nerr + kerr))"
    done
  done
fi

# ---------------------------------------------------------------- paired: plain and governed at once
# As above, the plain (auth: none) gateway and the governed one under the same load at the same time. Also
# counted over the governed gateway's requests: the scripts Redis ran during the load (INFO commandstats) and
# the reads it processed (INFO stats total_reads_processed), i.e. the round trips; all clients (on a shared
# Redis other users count too).
GOV_RESULTS="$OUT/paired-governed.tsv"
GOV_ROUNDS="$OUT/rounds-governed.tsv"
printf 'scenario\tconns\tround\tplain_cpu_us\tgov_cpu_us\tgov_p50_us\tgov_p99_us\terrors\tplain_p50_us\tplain_p99_us\n' >"$GOV_ROUNDS"
printf 'scenario\tclass\tconns\tplain_requests\tplain_cpu_us\tgov_requests\tgov_cpu_us\tgov_p50_us\tgov_p99_us\tredis_calls\terrors\tredis_reads\n' >"$GOV_RESULTS"
if [ "$GOVERNED" -gt 0 ]; then
  for row in "${SELECTED[@]}"; do
    IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
    [[ "$class" != floor* && "$name" != *-keys && "$name" != *-governed ]] && [ "${VALID[$name]}" = ok ] && [ "${VALID[$name-governed]:-}" = ok ] || continue
    script="$ROOT/bench/wrk/$name.lua"; path=$(lua_path "$name"); body="$OUT/requests/$name.json"
    for c in $CONNS; do
      if [ "$SETTLE" != 0s ]; then # as before the sequential loads: both gateways, unrecorded
        BENCH_CLIENT_KEY=$GOV_CLIENT_KEY taskset -c "$LOAD_CORE" wrk -t1 -c"$c" -d"$SETTLE" --timeout 5s -s "$script" "$GOV_URL$path" -- "$body" \
          >"$RAW/$name.c$c.paired-resettle.txt" 2>&1 &
        gw=$!
        run_wrk "$RAW/$name.c$c.paired-resettle-plain.txt" "$c" "$SETTLE" "$script" "$GW_URL$path" "$body"
        wait "$gw" || true
      fi
      n0=$(cpu_ticks "$GW_PID"); g0=$(cpu_ticks "$GOV_PID"); r0=$(redis_calls); e0=$(redis_reads)
      BENCH_CLIENT_KEY=$GOV_CLIENT_KEY taskset -c "$LOAD_CORE" wrk -t1 -c"$c" -d"$DURATION" --timeout 5s --latency -s "$script" "$GOV_URL$path" -- "$body" \
        >"$RAW/$name.c$c.paired-governed.txt" 2>&1 &
      gw=$!
      run_wrk "$RAW/$name.c$c.paired-plain.txt" "$c" "$DURATION" "$script" "$GW_URL$path" "$body"
      wait "$gw" || true
      n1=$(cpu_ticks "$GW_PID"); g1=$(cpu_ticks "$GOV_PID"); r1=$(redis_calls); e1=$(redis_reads)
      nreq=$WRK_requests; nerr=$WRK_errors
      parse_wrk "$RAW/$name.c$c.paired-governed.txt"
      greq=$WRK_requests; gerr=$WRK_errors
      GW_REQUESTS=$((GW_REQUESTS + nreq + greq))
      [ "$nerr" = 0 ] && [ "$gerr" = 0 ] || ANY_ERROR=1
      ncpu=$(awk -v t=$((n1 - n0)) -v hz="$TICK" -v n="$nreq" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
      gcpu=$(awk -v t=$((g1 - g0)) -v hz="$TICK" -v n="$greq" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$class" "$c" "$nreq" "$ncpu" "$greq" "$gcpu" \
        "$WRK_p50_us" "$WRK_p99_us" "$((r1 - r0))" "$((nerr + gerr))" "$((e1 - e0))" >>"$GOV_RESULTS"
      printf '== paired %-30s c=%-3s plain %7s req %6s µs/req | governed %7s req %6s µs/req p50 %s ms p99 %s ms | redis scripts %s reads %s | errors %s\n' \
        "$name" "$c" "$nreq" "$ncpu" "$greq" "$gcpu" "$(ms "$WRK_p50_us")" "$(ms "$WRK_p99_us")" "$((r1 - r0))" "$((e1 - e0))" "$((nerr + gerr))"
    done
  done
  # Interleaved rounds: the plain gateway and the governed one in turns, alone on their core. In each
  # round both are first driven for -W, unrecorded; then the measured load (-d) of each is cut into slices
  # of 2 s, and the two take turns slice by slice (plain first in odd rounds, governed first in even
  # ones). This VM's CPU time per request doubles at times, for seconds to tens of seconds and for every
  # process alike (the host's load: the guest sees no steal time); taking turns every 2 s, both gateways
  # live through such a phase alike, and the median of the rounds' differences is the figure that one
  # phase does not move. Each round's CPU per request is its slices' ticks over their requests; its p50
  # and p99 are the medians of its slices'.
  if [ "$ROUNDS" -gt 0 ]; then
    SLICES=1; SLICE=$DURATION
    if [[ "$DURATION" =~ ^([0-9]+)s$ ]] && [ "${BASH_REMATCH[1]}" -ge 4 ]; then SLICES=$((BASH_REMATCH[1] / 2)); SLICE=2s; fi
    median_of() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)) }'; }
    for row in "${SELECTED[@]}"; do
      IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
      [[ "$class" != floor* && "$name" != *-keys && "$name" != *-governed ]] && [ "${VALID[$name]}" = ok ] && [ "${VALID[$name-governed]:-}" = ok ] || continue
      script="$ROOT/bench/wrk/$name.lua"; path=$(lua_path "$name"); body="$OUT/requests/$name.json"
      for c in $CONNS; do
        for r in $(seq 1 "$ROUNDS"); do
          order="plain governed"; [ $((r % 2)) = 1 ] || order="governed plain"
          declare -A RTICKS=([plain]=0 [governed]=0) RREQ=([plain]=0 [governed]=0) RCPU=() RP50=() RP99=() RP50S=() RP99S=()
          ROUND_ERRORS=0
          for which in $order; do
            if [ "$which" = plain ]; then u=$GW_URL; k=$BENCH_CLIENT_KEY; else u=$GOV_URL; k=$GOV_CLIENT_KEY; fi
            if [ "$SETTLE" != 0s ]; then
              BENCH_CLIENT_KEY=$k run_wrk "$RAW/$name.c$c.round$r-$which-resettle.txt" "$c" "$SETTLE" "$script" "$u$path" "$body"
              GW_REQUESTS=$((GW_REQUESTS + WRK_requests))
            fi
          done
          for sl in $(seq 1 "$SLICES"); do
            for which in $order; do
              if [ "$which" = plain ]; then u=$GW_URL; p=$GW_PID; k=$BENCH_CLIENT_KEY; else u=$GOV_URL; p=$GOV_PID; k=$GOV_CLIENT_KEY; fi
              t0=$(cpu_ticks "$p")
              BENCH_CLIENT_KEY=$k run_wrk "$RAW/$name.c$c.round$r-$which-slice$sl.txt" "$c" "$SLICE" "$script" "$u$path" "$body"
              t1=$(cpu_ticks "$p")
              GW_REQUESTS=$((GW_REQUESTS + WRK_requests))
              [ "$WRK_errors" = 0 ] || ANY_ERROR=1
              RTICKS[$which]=$((RTICKS[$which] + t1 - t0)); RREQ[$which]=$((RREQ[$which] + WRK_requests))
              RP50S[$which]="${RP50S[$which]:-} $WRK_p50_us"; RP99S[$which]="${RP99S[$which]:-} $WRK_p99_us"
              ROUND_ERRORS=$((ROUND_ERRORS + WRK_errors))
            done
          done
          for which in plain governed; do
            RCPU[$which]=$(awk -v t="${RTICKS[$which]}" -v hz="$TICK" -v n="${RREQ[$which]}" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
            # shellcheck disable=SC2086
            RP50[$which]=$(median_of ${RP50S[$which]}); RP99[$which]=$(median_of ${RP99S[$which]})
          done
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$c" "$r" "${RCPU[plain]}" "${RCPU[governed]}" \
            "${RP50[governed]}" "${RP99[governed]}" "$ROUND_ERRORS" "${RP50[plain]}" "${RP99[plain]}" >>"$GOV_ROUNDS"
          printf '== round %s %-30s c=%-3s plain %6s µs/req p50 %s ms p99 %s ms | governed %6s µs/req p50 %s ms p99 %s ms | governed − plain %s\n' \
            "$r" "$name" "$c" "${RCPU[plain]}" "$(ms "${RP50[plain]}")" "$(ms "${RP99[plain]}")" "${RCPU[governed]}" \
            "$(ms "${RP50[governed]}")" "$(ms "${RP99[governed]}")" \
            "$(awk -v a="${RCPU[governed]}" -v b="${RCPU[plain]}" 'BEGIN { printf "%+.1f", a - b }')"
        done
      done
    done
  fi
  # What the ledger holds against what the clients were answered: the governed gateway's records so far.
  GOV_LEDGER_ROWS=$(psql -qtA "$BENCH_PG" -c "SELECT COUNT(*) FROM $GOV_SCHEMA.rosetta_ledger" 2>/dev/null || echo "?")
fi

# ---------------------------------------------------------------- paced streams: added TTFB and per-event latency
PACED_RESULTS="$OUT/paced.tsv"
printf 'scenario\tdirect\tvia_rosetta\n' >"$PACED_RESULTS"
if [ "$PACED" -gt 0 ]; then
  wait_http "http://127.0.0.1:$PACED_PORT/" "$PACED_PID" 30
  for row in "${SELECTED[@]}"; do
    IFS='|' read -r name class tmpl model stream mockpath marker <<<"$row"
    [[ "$class" == passthrough-stream || "$class" == converted-stream ]] && [[ "$name" != *-keys && "$name" != *-governed ]] || continue
    if [ "${VALID[$name]}" != ok ]; then
      printf '%s\t-\tnot run, validation: %s\n' "$name" "${VALID[$name]}" >>"$PACED_RESULTS"
      echo "== paced $name: not run, validation failed"
      continue
    fi
    case "$name" in
      *-to-openai-stream) pm=paced-oai; dpath=/v1/chat/completions ;;
      *-to-anthropic-stream) pm=paced-ant; dpath=/v1/messages ;;
      *-to-gemini-stream) pm=paced-gem; dpath="/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse" ;;
    esac
    body="$OUT/requests/$name.paced.json"
    render "$tmpl" "$pm" "$stream" "$body"
    path=$(lua_path "$name" | sed "s/$model/$pm/")
    mapfile -t hdrs < <(lua_headers "$name")
    direct=$(PACED_DUMP="$RAW/$name.paced-direct.tsv" taskset -c "$LOAD_CORE" "$JAVA" bench/PacedClient.java "http://127.0.0.1:$PACED_PORT$dpath" "$body" "$PACED" 5 20 \
      2>&1 | tail -1)
    via=$(PACED_DUMP="$RAW/$name.paced-via.tsv" taskset -c "$LOAD_CORE" "$JAVA" bench/PacedClient.java "$GW_URL$path" "$body" "$PACED" 5 20 "${hdrs[@]}" \
      2>&1 | tail -1)
    GW_REQUESTS=$((GW_REQUESTS + PACED + 5))
    printf '%s\t%s\t%s\n' "$name" "$direct" "$via" >>"$PACED_RESULTS"
    echo "== paced $name"; echo "   direct: $direct"; echo "   via:    $via"
  done
fi

# ---------------------------------------------------------------- HTTP/2 + TLS (h2load)
# A third gateway, the same configuration plus tls: (a throw-away P-256 certificate from openssl), on
# its own port and the gateway core. One tool for all three listeners, so that only the listener
# differs: h2load --h1 against the cleartext gateway, h2load --h1 over TLS, and h2load over HTTP/2
# (ALPN h2), 16 connections, one stream each (and 16 connections x 8 streams for HTTP/2), each load
# after an unrecorded warm-up of --warmup.
H2_RESULTS="$OUT/h2.tsv"
printf 'scenario\tlistener\tconns\tstreams\trps\tmean_ms\tcpu_us_per_req\tdone\tfailed\n' >"$H2_RESULTS"
H2_NOTE=""
if [ "$H2" != yes ]; then
  H2_NOTE="not run (--h2 no)"
elif ! command -v h2load >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  H2_NOTE="not run: h2load or openssl missing (sudo apt-get install -y nghttp2-client openssl)"
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$TMP/tls-key.pem" -out "$TMP/tls-cert.pem" 2>/dev/null
  TLS_PORT=$(free_port)
  { sed "s/\${BENCH_GATEWAY_PORT}/$TLS_PORT/" bench/rosetta-bench.yaml
    printf 'tls: {cert: "%s", key: "%s"}\n' "$TMP/tls-cert.pem" "$TMP/tls-key.pem"; } >"$TMP/rosetta-bench-tls.yaml"
  # shellcheck disable=SC2086
  taskset -c "$GW_CORE" "$JAVA" $(gw_flags) -jar "$JAR" --config "$TMP/rosetta-bench-tls.yaml" \
    >>"$OUT/rosetta-tls-stdout.log" 2>>"$OUT/rosetta-tls-stderr.log" &
  TLS_PID=$!
  started "$TLS_PID"
  deadline=$(( $(date +%s) + 30 ))
  until curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$TLS_PORT/health"; do
    kill -0 "$TLS_PID" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] || { echo "run.sh: the TLS gateway did not start" >&2; exit 1; }
    sleep 0.05
  done
  h2proto=$(curl -sk -o /dev/null -w '%{http_version}' --http2 "https://127.0.0.1:$TLS_PORT/health")
  echo "== TLS gateway on port $TLS_PORT (curl negotiated HTTP/$h2proto)"
  for name in openai-to-openai openai-to-openai-stream; do
    body="$OUT/requests/$name.json"
    [ -f "$body" ] && [ "${VALID[$name]:-}" = ok ] || continue
    path=$(lua_path "$name")
    hargs=(-H 'content-type: application/json')
    while IFS= read -r h; do hargs+=(-H "$h"); done < <(lua_headers "$name")
    for listener in "http1-cleartext|$GW_URL|$GW_PID|--h1|1" "http1-tls|https://127.0.0.1:$TLS_PORT|$TLS_PID|--h1|1" \
                    "http2-tls|https://127.0.0.1:$TLS_PORT|$TLS_PID||1" "http2-tls|https://127.0.0.1:$TLS_PORT|$TLS_PID||8"; do
      IFS='|' read -r lname base pid flag streams <<<"$listener"
      # shellcheck disable=SC2086
      # unrecorded warm-up: the TLS gateway is a fresh JVM whose TLS and HTTP/2 paths the JIT has not seen
      [ "$WARMUP" = 0s ] || taskset -c "$LOAD_CORE" h2load $flag -c16 -m"$streams" -D "$WARMUP" -d "$body" "${hargs[@]}" "$base$path" >/dev/null 2>&1 || true
      raw="$RAW/$name.$lname.m$streams.h2load.txt"
      t0=$(cpu_ticks "$pid")
      # shellcheck disable=SC2086
      taskset -c "$LOAD_CORE" h2load $flag -c16 -m"$streams" -D "$DURATION" -d "$body" "${hargs[@]}" "$base$path" >"$raw" 2>&1 || true
      t1=$(cpu_ticks "$pid")
      rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$raw")
      done_n=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$raw")
      failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' "$raw")
      mean=$(awk '/^time for request:/ {print $6}' "$raw")
      cpu=$(awk -v t=$((t1 - t0)) -v hz="$TICK" -v n="${done_n:-0}" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
      [ "${done_n:-0}" -gt 0 ] && [ "$failed" = "0+0" ] || ANY_ERROR=1
      printf '%s\t%s\t16\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$lname" "$streams" "${rps:--}" "${mean:--}" "$cpu" "${done_n:-0}" "${failed:--}" >>"$H2_RESULTS"
      printf '== h2load %-24s %-16s c=16 m=%-2s %9s req/s mean %8s | cpu %6s µs/req | failed %s\n' "$name" "$lname" "$streams" "${rps:--}" "${mean:--}" "$cpu" "${failed:--}"
    done
  done
fi

# ---------------------------------------------------------------- report
sleep 1   # the access log is written asynchronously
ACCESS_LINES=$(cat "$OUT"/rosetta-stdout.log "$OUT"/rosetta-keys-stdout.log "$OUT"/rosetta-governed-stdout.log "$OUT"/rosetta-cached-stdout.log "$OUT"/rosetta-cached-redis-stdout.log 2>/dev/null | grep -c '"request_id"' || true)
pv() { sed -n "s/.*$1=\\([-0-9]*\\).*/\\1/p" <<<"$2"; }
{
  echo "# Rosetta load benchmark, $STAMP"
  echo
  echo "- Machine: $(nproc --all) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "- Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes every number noisy)"
  echo "- Gateway: \`$JAR\` on $("$JAVA" -version 2>&1 | head -1), flags \`$(gw_flags)\`, pinned to core $GW_CORE, access log on (stdout to a file)"
  echo "- Load: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), 1 thread, $DURATION per load, warm-up $WARMUP at 16 connections per scenario (the -governed ones: $GOV_WARMUP, when longer); wrk, curl and the mocks pinned to core $LOAD_CORE"
  echo "- Settle before any measurement: every scenario at each of ($CONNS) connections for $SETTLE: $SETTLE_REQUESTS requests in ${SETTLE_S} s, costing the gateway ${SETTLE_CPU_S} s of CPU (mostly the JIT compiling)"
  echo "- Mock: nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), worker_processes 1, fixed bodies from bench/bodies; floor: the same nginx as a proxy_pass reverse proxy on core $GW_CORE"
  echo
  echo "## Gateway"
  echo
  echo "| measure | value | target | verdict |"
  echo "|---|---|---|---|"
  echo "| startup to healthy (launch to first 200 on /health), ms | $STARTUP_MEDIAN (runs: $STARTUP_SORTED) | ≤ 1500 | $([ "$STARTUP_MEDIAN" -le 1500 ] && echo pass || echo FAIL) |"
  echo "| idle RSS after startup and one request per scenario, MB | $(mb "$IDLE_RSS_KB") | ≤ 150 | $([ "$IDLE_RSS_KB" -le $((150 * 1024)) ] && echo pass || echo FAIL) |"
  echo "| peak RSS over the whole run (VmHWM), MB | $(mb "$PEAK_RSS_KB") | ≤ 256 | $([ "$PEAK_RSS_KB" -le $((256 * 1024)) ] && echo pass || echo FAIL) |"
  echo "| access log lines / requests completed by the clients | $ACCESS_LINES / $GW_REQUESTS | equal (loads cut off in-flight requests at their end, so a few more lines than requests is expected) | |"
  echo
  echo "## Loads"
  echo
  echo "Per row: gateway requests/s and latency, the same load sent straight to the mock just before it, their ratio, the added p50, the gateway's CPU time (utime+stime from /proc/PID/stat) per request, and its peak RSS over that load. Floor rows: nginx as the reverse proxy instead of Rosetta (CPU and RSS are nginx's)."
  echo
  echo "| scenario | class | conns | req/s | p50 ms | p99 ms | direct req/s | direct p50 ms | ratio | added p50 ms | CPU µs/req | CPU / floor's | peak RSS MB | errors | targets |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  declare -A FLOOR_CPU
  while IFS=$'\t' read -r n cl c rps p50 p99 drps dp50 dp99 cpu hwm err verdict; do
    if [[ "$cl" == floor* ]]; then FLOOR_CPU["$cl/$c"]=$cpu; fi
  done < <(tail -n +2 "$RESULTS")
  tail -n +2 "$RESULTS" | while IFS=$'\t' read -r n cl c rps p50 p99 drps dp50 dp99 cpu hwm err verdict; do
    verdict=${verdict//|/\\|}
    if [ "$rps" = - ]; then
      echo "| $n | $cl | $c | | | | | | | | | | | | $verdict |"; continue
    fi
    ratio=$(awk -v a="$rps" -v b="$drps" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    fl=floor; [[ "$cl" == *-stream ]] && fl=floor-stream
    vs=$(awk -v a="$cpu" -v b="${FLOOR_CPU[$fl/$c]:-}" 'BEGIN { if (b + 0 > 0 && a + 0 > 0) printf "%.1f×", a / b }')
    echo "| $n | $cl | $c | $(printf '%.0f' "$rps") | $(ms "$p50") | $(ms "$p99") | $(printf '%.0f' "$drps") | $(ms "$dp50") | $ratio | $(ms $((p50 - dp50))) | $cpu | $vs | $(mb "$hwm") | $err | $verdict |"
  done
  echo
  echo "Targets: CPU per request under load (16 and 64 connections) ≤ 60 µs passthrough (JSON and streamed), ≤ 100 µs converted JSON, ≤ 150 µs converted streamed (20 events); added p50 ≤ 0.3 ms at 1 connection; p99 ≤ 3× p50 at 64 connections; peak RSS ≤ 256 MB; zero errors. \"CPU / floor's\": the row's CPU per request over the nginx floor's at the same connection count (streamed rows against the streamed floor)."
  if [ "$KEYS" -gt 0 ]; then
    echo
    echo "## auth: keys against auth: none"
    echo
    echo "A second gateway with \`auth: keys\` ($KEYS keys of one tenant with a model allow-list in a SQLite store, the usage ledger off; the wrk scripts send one of them in the dialect's own header, to both gateways). Sequential: the scenario's row and its -keys row above, one after the other. Paired: the same load at both gateways at once (they share the core), so that other work on the machine weighs on both alike. Target: at most 5 µs CPU per request more under load, judged on the paired loads."
    echo
    echo "| scenario | class | conns | sequential none | sequential keys | keys − none | paired none | paired keys | keys − none | verdict |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|---|"
    declare -A NONE_CPU KEYS_CPU
    while IFS=$'\t' read -r n cl c rps p50 p99 drps dp50 dp99 cpu hwm err verdict; do
      if [[ "$n" == *-keys ]]; then KEYS_CPU["${n%-keys}/$c"]=$cpu; else NONE_CPU["$n/$c"]=$cpu; fi
    done < <(tail -n +2 "$RESULTS")
    tail -n +2 "$PAIRED_RESULTS" | while IFS=$'\t' read -r n cl c nreq ncpu kreq kcpu err; do
      sn=${NONE_CPU["$n/$c"]:--}; sk=${KEYS_CPU["$n/$c"]:--}
      sd=$(awk -v a="$sk" -v b="$sn" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%+.1f", a - b }')
      pd=$(awk -v a="$kcpu" -v b="$ncpu" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%+.1f", a - b }')
      v=""
      if [ "$err" != 0 ]; then v="FAIL: $err errors"
      elif [ -z "$pd" ]; then v="no requests"
      elif [ "$c" = 1 ]; then v="not judged (1 connection)"
      elif awk -v d="$pd" 'BEGIN { exit !(d <= 5) }'; then v=pass; else v="FAIL: > 5 µs"; fi
      echo "| $n | $cl | $c | $sn | $sk | $sd | $ncpu | $kcpu | $pd | $v |"
    done
  fi
  if [ "$GOVERNED" -gt 0 ]; then
    echo
    echo "## governed against plain"
    echo
    echo "A third gateway, the governed configuration: \`auth: keys\` ($GOVERNED keys of one tenant, each with limits $GOV_LIMITS counted in Redis$( [ -n "$GOV_BUDGET" ] && echo " and a budget" )), the store and the usage ledger in PostgreSQL (schema $GOV_SCHEMA, dropped at the end). Targets: at most 15 µs CPU per request more than the plain (\`auth: none\`) gateway under load, and p99 within 3× p50 at 64 connections. Rounds ($ROUNDS per row): the same load at the plain gateway and at the governed one, alone on the core, taking turns in slices of 2 s (each gateway's $DURATION load cut in $SLICES), the order alternating from round to round; the difference of each round, and the verdict on their median (a slow episode of the host, which doubles every process's CPU per request on this VM for seconds to tens of seconds at times, weighs on both gateways of a round alike, and spoils a round, not the median); p50 and p99 are the medians over the rounds of each round's slices' medians, for the governed gateway and, for comparison, the plain one under the same load. Paired: the same load at both at once, sharing the core (reported, not judged when rounds ran). Over the paired governed requests, all Redis clients counted: the scripts (EVALSHA) Redis ran, and its round trips (the reads it processed, INFO stats total_reads_processed; the gateway writes the commands of one event-loop turn together). The ledger held $GOV_LEDGER_ROWS records after the loads."
    echo
    echo "| scenario | class | conns | rounds: governed − plain, median (min … max) | rounds: governed ÷ plain, median | governed p50 ms | governed p99 ms | plain p50 / p99 ms (rounds) | paired plain CPU µs/req | paired governed CPU µs/req | paired governed − plain | Redis scripts / request | Redis round trips / request | verdict |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    tail -n +2 "$GOV_RESULTS" | while IFS=$'\t' read -r n cl c nreq ncpu greq gcpu gp50 gp99 rc err reads; do
      d=$(awk -v a="$gcpu" -v b="$ncpu" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%+.1f", a - b }')
      rpr=$(awk -v r="$rc" -v n="$greq" 'BEGIN { if (n > 0) printf "%.2f", r / n }')
      rtr=$(awk -v r="$reads" -v n="$greq" 'BEGIN { if (n > 0) printf "%.2f", r / n }')
      # the rounds of this row: the median difference (and its range), the governed p50 and p99 medians, errors
      read -r rmed rmin rmax rp50 rp99 rerr pp50 pp99 rratio < <(awk -F'\t' -v n="$n" -v c="$c" '
        function median(a, k,   i, j, t) { for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
          return k % 2 ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2 }
        $1 == n && $2 == c && $4 + 0 > 0 && $5 + 0 > 0 { k++; d[k] = $5 - $4; p5[k] = $6; p9[k] = $7; e += $8; q5[k] = $9; q9[k] = $10; x[k] = $5 / $4 }
        END { if (!k) { print "- - - - - - - - -"; exit }
          for (i = 1; i <= k; i++) { s[i] = d[i] } m = median(s, k); lo = s[1]; hi = s[k]
          printf "%+.1f %+.1f %+.1f %d %d %d %d %d %.2f\n", m, lo, hi, median(p5, k), median(p9, k), e, median(q5, k), median(q9, k), median(x, k) }' "$GOV_ROUNDS")
      judged=$d; p50=$gp50; p99=$gp99; errs=$err
      if [ "$rmed" != - ]; then judged=$rmed; p50=$rp50; p99=$rp99; errs=$((err + rerr)); fi
      v=""
      if [ "$errs" != 0 ]; then v="FAIL: $errs errors"
      elif [ -z "$judged" ]; then v="no requests"
      elif [ "$c" = 1 ]; then v="not judged (1 connection)"
      elif ! awk -v d="$judged" 'BEGIN { exit !(d <= 15) }'; then v="FAIL: > 15 µs"
      elif [ "$c" = 64 ] && [ "$p99" -gt $((3 * p50)) ]; then v="FAIL: p99 > 3× p50"
      else v=pass; fi
      rounds="-"; plainlat="-"; ratio="-"
      [ "$rmed" = - ] || { rounds="$rmed ($rmin … $rmax)"; plainlat="$(ms "$pp50") / $(ms "$pp99")"; ratio="×$rratio"; }
      echo "| $n | $cl | $c | $rounds | $ratio | $(ms "$p50") | $(ms "$p99") | $plainlat | $ncpu | $gcpu | $d | $rpr | $rtr | $v |"
    done
  fi
  if [ "$CACHE" = yes ]; then
    echo
    echo "## Response cache hits"
    echo
    echo "Gateways with \`cache: {enabled: true}\`: in process (Caffeine) and, beside it, with \`redis:\` ($BENCH_REDIS, key prefix of this run). wrk repeats one request body, so after the first request (a miss, validated before any load together with a second one that must be a hit) every request is answered from the store without calling the mock. Uncached: the same scenario's row against the plain gateway. Target: at most 25 µs CPU per request for a JSON hit from the in-process store under load (16 and 64 connections); the Redis hits and the streamed hits are reported. A streamed hit is replayed as the event sequence of the client's dialect (opening, one delta per block, usage, end): the events column counts the \`data:\` lines of the validated hit against those of the first (live) answer. ${CACHE_NOTE}"
    echo
    echo "| scenario | store | conns | req/s | p50 ms | p99 ms | CPU µs/req | uncached CPU µs/req | events (hit / live) | target | verdict |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|---|--:|---|"
    declare -A PLAIN_CPU
    while IFS=$'\t' read -r n cl c rps p50 p99 drps dp50 dp99 cpu hwm err verdict; do PLAIN_CPU["$n/$c"]=$cpu; done < <(tail -n +2 "$RESULTS")
    tail -n +2 "$RESULTS" | while IFS=$'\t' read -r n cl c rps p50 p99 drps dp50 dp99 cpu hwm err verdict; do
      [[ "$n" == *-cached || "$n" == *-cached-redis ]] || continue
      store=in-process; [[ "$n" != *-cached-redis ]] || store=redis
      tgt=""; [ "$cl" = cached ] && [ "$store" = in-process ] && tgt="≤ 25"
      verdict=${verdict//|/\\|}
      if [ "$rps" = - ]; then echo "| $n | $store | $c | | | | | | | $tgt | $verdict |"; continue; fi
      echo "| $n | $store | $c | $(printf '%.0f' "$rps") | $(ms "$p50") | $(ms "$p99") | $cpu | ${PLAIN_CPU["$(base_of "$n")/$c"]:--} | ${CACHE_EVENTS[$n]:--} | $tgt | $verdict |"
    done
  fi
  if [ "$PACED" -gt 0 ]; then
    echo
    echo "## Streamed latency against a paced upstream (20 events, 10 ms apart)"
    echo
    echo "$PACED calls per case, one at a time, after 5 unrecorded ones. TTFB: request written to first event read. Event latency: the mock's send stamp to the client's read, for every event. Added = through Rosetta minus direct."
    echo
    echo "| scenario | direct TTFB p50/p99 ms | via TTFB p50/p99 ms | added TTFB p50 ms | direct event p50/p99 ms | via event p50/p99 ms | added event p50/p99 ms | errors (direct+via) |"
    echo "|---|--:|--:|--:|--:|--:|--:|---|"
    tail -n +2 "$PACED_RESULTS" | while IFS=$'\t' read -r n d v; do
      if [ "$d" = - ]; then
        echo "| $n | | | | | | | FAIL: ${v//|/\\|} |"; continue
      fi
      if [ -z "$(pv ttfb_p50_us "$v")" ] || [ "$(pv events "$v")" = 0 ]; then
        echo "| $n | $(ms "$(pv ttfb_p50_us "$d")")/$(ms "$(pv ttfb_p99_us "$d")") | | | $(ms "$(pv event_p50_us "$d")")/$(ms "$(pv event_p99_us "$d")") | | | via Rosetta: $(sed -n 's/.*\(errors=[0-9]*\).*first_error="\(.\{0,160\}\).*/\1, \2/p' <<<"$v") |"
        continue
      fi
      echo "| $n | $(ms "$(pv ttfb_p50_us "$d")")/$(ms "$(pv ttfb_p99_us "$d")") | $(ms "$(pv ttfb_p50_us "$v")")/$(ms "$(pv ttfb_p99_us "$v")") | $(ms $(( $(pv ttfb_p50_us "$v") - $(pv ttfb_p50_us "$d") ))) | $(ms "$(pv event_p50_us "$d")")/$(ms "$(pv event_p99_us "$d")") | $(ms "$(pv event_p50_us "$v")")/$(ms "$(pv event_p99_us "$v")") | $(ms $(( $(pv event_p50_us "$v") - $(pv event_p50_us "$d") )))/$(ms $(( $(pv event_p99_us "$v") - $(pv event_p99_us "$d") ))) | $(pv errors "$d")+$(pv errors "$v") |"
    done
  fi
  echo
  echo "## HTTP/2 and TLS on the listener"
  echo
  if [ -n "$H2_NOTE" ]; then
    echo "$H2_NOTE"
  else
    echo "h2load $(h2load --version | awk '{print $2}'), $DURATION per load after $WARMUP unrecorded, 16 connections; the first gateway (cleartext) and a second one with \`tls:\` (P-256 certificate, TLS 1.3), both on core $GW_CORE. CPU is the gateway's per request; mean is h2load's mean request time (it gives no percentiles)."
    echo
    echo "| scenario | listener | streams per connection | req/s | mean ms | CPU µs/req | succeeded | failed+errored |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|"
    tail -n +2 "$H2_RESULTS" | while IFS=$'\t' read -r n l c m rps mean cpu dn f; do
      echo "| $n | $l | $m | $rps | $mean | $cpu | $dn | $f |"
    done
  fi
} >"$OUT/results.md"

echo
cat "$OUT/results.md"
if [ "$ANY_ERROR" != 0 ]; then
  echo "run.sh: some loads had errors or did not run; see the FAIL rows" >&2
  exit 1
fi
