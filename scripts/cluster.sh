#!/usr/bin/env bash
# A GrainKV cluster of real silo processes on one machine: the topology of docker-compose.yml and deploy/k8s (three
# silos, Redis membership, a data directory each, mutually authenticated TLS), as processes.
#
#   scripts/cluster.sh start [nN ...]   build the silo (Release), start Redis if needed, make the certificates if
#                                       missing, start the nodes (default all); returns when each is ready
#   scripts/cluster.sh stop [nN ...]    graceful stop (SIGTERM) of the nodes (default all, then the Redis this script started)
#   scripts/cluster.sh kill nN ...      SIGKILL of the nodes (a crash, for experiments); `start nN` brings one back
#   scripts/cluster.sh status           which processes run, their ports, log files and certificates
#
# The settings all deployments share come from deploy/grainkv.env (exported to the silos); this script overrides
# what differs on one machine. Environment: NODES (3), REDIS=host:port (an existing Redis; otherwise redis-server is
# started on REDIS_PORT, 6379, unless one already answers there), SILO_PORT (11111), GATEWAY_PORT (30000) and
# HTTP_PORT (8080: /healthz, /metrics, /dashboard) for n1, +1 per further node, N/W/R (replication, write and read quorum; default from
# deploy/grainkv.env), DATA (./data/cluster), CLUSTER_ID (grainkv), TLS (1; 0 runs without TLS), CERTS
# ($DATA/certs: made by scripts/make-certs.sh if missing; silos use $CERTS/silo, clients $CERTS/client),
# SKIP_BUILD=1 to use the existing build, SILO_DLL (the silo assembly; default the Release build), SILO_ARGS (more
# silo arguments, e.g. "--GrainKV:Durability=Buffered --Logging:LogLevel:Orleans=Information").
# Each process runs in its own process group (setsid), so `kill -- -PID` reaches it and its children; pids and logs
# are under $DATA (nN.pid, nN.log, redis.pid, redis.log), node data under $DATA/nN.
set -euo pipefail
cd "$(dirname "$0")/.."

# The shared settings: every GrainKV__* line of deploy/grainkv.env, exported (an explicit setting in this
# environment wins).
while IFS='=' read -r name value; do
  [[ $name =~ ^GrainKV__[A-Za-z0-9_]+$ ]] || continue
  [ -n "${!name+set}" ] || export "$name=$value"
done <deploy/grainkv.env

NODES=${NODES:-3}
SILO_PORT=${SILO_PORT:-11111}
GATEWAY_PORT=${GATEWAY_PORT:-30000}
HTTP_PORT=${HTTP_PORT:-8080}
REDIS_PORT=${REDIS_PORT:-6379}
N=${N:-$GrainKV__ReplicationFactor} W=${W:-$GrainKV__WriteQuorum} R=${R:-$GrainKV__ReadQuorum}
DATA=${DATA:-data/cluster}
CLUSTER_ID=${CLUSTER_ID:-$GrainKV__ClusterId}
TLS=${TLS:-1}
CERTS=$(realpath -m "${CERTS:-$DATA/certs}")
SILO_DLL=${SILO_DLL:-Silo/bin/Release/net10.0/GrainKV.Silo.dll}
READY_TIMEOUT=${READY_TIMEOUT:-120}   # seconds a node may take to print its ready line (a joining node: once its ranges are streamed)
STOP_TIMEOUT=30     # seconds a node may take to stop after SIGTERM before it is killed

die() { echo "cluster.sh: $*" >&2; exit 1; }

# True when something listens on 127.0.0.1:$1 (or on any address).
port_taken() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

node_index() {
  [[ $1 =~ ^n([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le "$NODES" ] \
    || die "unknown node '$1' (nodes are n1..n$NODES)"
  echo $(( BASH_REMATCH[1] - 1 ))
}

all_nodes() { for ((i = 1; i <= NODES; i++)); do echo "n$i"; done; }

# The pid in $DATA/$1.pid if that process is still running.
running_pid() {
  local file="$DATA/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$file"; return 1; fi
}

redis_endpoint() {
  if [ -n "${REDIS:-}" ]; then echo "$REDIS"; else echo "127.0.0.1:$REDIS_PORT"; fi
}

redis_answers() {
  local endpoint host port
  endpoint=$(redis_endpoint); host=${endpoint%:*}; port=${endpoint##*:}
  [ "$(timeout 2 redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = "PONG" ]
}

ensure_redis() {
  if redis_answers; then
    echo "Redis at $(redis_endpoint) answers"
    return
  fi

  [ -z "${REDIS:-}" ] || die "REDIS=$REDIS does not answer PING"
  command -v redis-server >/dev/null || die "redis-server is not installed (Debian: apt-get install redis-server)"
  port_taken "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis; choose REDIS_PORT"
  # No persistence: the membership table of a cluster this script starts lives as long as this Redis.
  (exec setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no) >"$DATA/redis.log" 2>&1 &
  echo $! >"$DATA/redis.pid"
  for ((t = 0; t < 50; t++)); do
    redis_answers && { echo "started redis-server on 127.0.0.1:$REDIS_PORT (pid $(cat "$DATA/redis.pid"))"; return; }
    sleep 0.2
  done
  die "redis-server did not answer within 10 s; see $DATA/redis.log"
}

ensure_certificates() {
  if [ "$TLS" != 1 ]; then return; fi
  if [ -f "$CERTS/silo/tls.crt" ] && [ -f "$CERTS/client/tls.crt" ]; then return; fi
  scripts/make-certs.sh "$CERTS" silo client
}

tls_arguments() {
  if [ "$TLS" = 1 ]; then
    echo "--GrainKV:Tls:Enabled=true --GrainKV:Tls:CertificateDirectory=$CERTS/silo"
  else
    echo "--GrainKV:Tls:Enabled=false"
  fi
}

start_node() {
  local node=$1 i silo gateway http
  i=$(node_index "$node")
  silo=$((SILO_PORT + i)); gateway=$((GATEWAY_PORT + i)); http=$((HTTP_PORT + i))
  if running_pid "$node" >/dev/null; then echo "$node already runs (pid $(running_pid "$node"))"; return 1; fi
  for port in "$silo" "$gateway" "$http"; do
    port_taken "$port" && die "port $port of $node is taken by another process (a silo left from an earlier run?): $(ss -Hltnp "sport = :$port" | head -1)"
  done
  mkdir -p "$DATA/$node"
  touch "$DATA/$node.log"
  echo $(( $(wc -l <"$DATA/$node.log") + 1 )) >"$DATA/$node.logstart"
  (exec setsid dotnet "$SILO_DLL" \
      "--GrainKV:NodeId=$node" "--GrainKV:DataDirectory=$DATA/$node" \
      "--GrainKV:SiloPort=$silo" "--GrainKV:GatewayPort=$gateway" \
      "--GrainKV:Clustering=Redis" "--GrainKV:RedisConnectionString=$(redis_endpoint)" "--GrainKV:ClusterId=$CLUSTER_ID" \
      "--GrainKV:ReplicationFactor=$N" "--GrainKV:WriteQuorum=$W" "--GrainKV:ReadQuorum=$R" \
      "--GrainKV:Http:Port=$http" $(tls_arguments) ${SILO_ARGS:-}) >>"$DATA/$node.log" 2>&1 &
  echo $! >"$DATA/$node.pid"
  echo "$node starting (pid $!, silo port $silo, gateway port $gateway, http://127.0.0.1:$http/dashboard, log $DATA/$node.log)"
}

await_ready() {
  local node=$1 start
  start=$(date +%s)
  # The log is appended across restarts: count ready lines after the last start marker.
  until tail -n +"$(cat "$DATA/$node.logstart")" "$DATA/$node.log" | grep "is ready" >/dev/null; do
    running_pid "$node" >/dev/null || { tail -n 20 "$DATA/$node.log" >&2; die "$node exited before it was ready"; }
    [ $(( $(date +%s) - start )) -lt "$READY_TIMEOUT" ] || die "$node not ready within $READY_TIMEOUT s; see $DATA/$node.log"
    sleep 0.5
  done
  echo "$node ready"
}

stop_node() {
  local node=$1 signal=$2 pid
  pid=$(running_pid "$node") || { echo "$node is not running"; return; }
  kill "-$signal" -- "-$pid" 2>/dev/null || true
  for ((t = 0; t < STOP_TIMEOUT * 5; t++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$node did not stop within $STOP_TIMEOUT s: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$DATA/$node.pid"
  echo "$node stopped ($signal)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
mkdir -p "$DATA"
case "$cmd" in
  start)
    nodes=("$@"); [ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(all_nodes)
    for node in "${nodes[@]}"; do node_index "$node" >/dev/null; done
    if [ "${SKIP_BUILD:-0}" != 1 ]; then dotnet build Silo -c Release -nologo -v quiet; fi
    [ -f "$SILO_DLL" ] || die "$SILO_DLL is missing: build with 'dotnet build Silo -c Release'"
    ensure_redis
    ensure_certificates
    started=()
    for node in "${nodes[@]}"; do
      if start_node "$node"; then started+=("$node"); fi
    done
    for node in "${started[@]}"; do await_ready "$node"; done
    gateways=$(for ((i = 0; i < NODES; i++)); do printf -- '--gateway 127.0.0.1:%d ' $((GATEWAY_PORT + i)); done)
    tls=""; [ "$TLS" != 1 ] || tls="--tls-dir $CERTS/client "
    echo "cluster up; try: dotnet run --project Cli -- $gateways${tls}put greeting hello"
    ;;
  stop | kill)
    nodes=("$@")
    [ "$cmd" = stop ] || [ ${#nodes[@]} -gt 0 ] || die "kill needs node names (n1 ...)"
    [ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(all_nodes)
    for node in "${nodes[@]}"; do node_index "$node" >/dev/null; done
    signal=TERM; [ "$cmd" = stop ] || signal=KILL
    for node in "${nodes[@]}"; do stop_node "$node" "$signal"; done
    if [ "$cmd" = stop ] && [ $# -eq 0 ] && running_pid redis >/dev/null; then
      stop_node redis TERM
    fi
    ;;
  status)
    echo "Redis: $(redis_endpoint) $(redis_answers && echo answers || echo 'does not answer')$(pid=$(running_pid redis) && echo ", started by this script (pid $pid)")"
    for node in $(all_nodes); do
      i=$(node_index "$node")
      if pid=$(running_pid "$node"); then state="running (pid $pid)"; else state="stopped"; fi
      echo "$node: $state, silo port $((SILO_PORT + i)), gateway port $((GATEWAY_PORT + i)), http://127.0.0.1:$((HTTP_PORT + i))/dashboard, data $DATA/$node, log $DATA/$node.log"
    done
    if [ "$TLS" = 1 ]; then echo "TLS: on, silos $CERTS/silo, clients $CERTS/client"; else echo "TLS: off"; fi
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = --help ] || exit 2
    ;;
esac
