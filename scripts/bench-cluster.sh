#!/usr/bin/env bash
# Runs the cluster benchmark for a newcomer: installs redis-server (and matplotlib for the plot) if missing,
# builds the benchmark and the silo in Release, runs `GrainKV.Bench cluster` with any extra options given
# here (e.g. --quick, --repeat 3), and draws throughput and p99 against concurrency into
# docs/cluster-bench.png from the run's results.csv.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null; then
  apt-get update && apt-get install -y redis-server
fi
# Debian's python3-matplotlib lands in /usr/bin/python3, which a pyenv python3 on PATH does not see.
py=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import matplotlib' 2>/dev/null; then py=$candidate; break; fi
done
if [ -z "$py" ] && apt-get install -y python3-matplotlib; then py=/usr/bin/python3; fi
[ -n "$py" ] || echo "matplotlib not available: no plot"

dotnet build Bench -c Release
dotnet build Silo -c Release
Bench/bin/Release/net10.0/GrainKV.Bench cluster "$@"

latest=$(ls -d bench-results/*-cluster | sort | tail -1)
if [ -n "$py" ]; then
  "$py" scripts/plot-cluster.py "$latest/results.csv" docs/cluster-bench.png
fi
