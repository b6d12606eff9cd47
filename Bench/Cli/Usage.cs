// The --help text.

namespace GrainKV.Bench.Cli;

internal static class Usage
{
    public const string Text = """
        GrainKV.Bench engine-compare [options]   GrainKV engine vs RocksDB, one child process per store, side by side
        GrainKV.Bench engine --store grainkv|rocksdb --value-size N [options]   one store, in this process

        Options (defaults in brackets):
          --keys N               keys per fill [1000000]; --quick sets 50000 and 500 scans
          --value-sizes A,B      value sizes in bytes [1024,100]
          --reads N              point reads per read workload [= keys]
          --scans N              range reads [1000]          --scan-length N   entries per range [100]
          --threads N            client threads (readwhilewriting: N readers + 1 writer) [1]
          --workloads LIST       fillseq,fillrandom,readrandom,readmissing,scan,readwhilewriting [all]
          --distribution D       uniform|zipfian key choice for reads and scans [uniform]
          --durability D         buffered|synced, the same on both stores [buffered]
                                 buffered: RocksDB sync=false, GrainKV LogDurability.Buffered
                                 synced:   RocksDB sync=true,  GrainKV LogDurability.Synced
          --commit-interval-ms N GrainKV log commit period when buffered [10]
          --cache-mb N           block cache budget [64]      --memtable-mb N   memtable budget [64]
          --bloom-bits N         bloom filter bits per key [10]; GrainKV 1..40, RocksDB also 0 = no filter
          --compression C        none|lz4|snappy|zstd [none]; GrainKV: anything but none = LZ4
          --stores LIST          grainkv,rocksdb [both]
          --repeat N             runs per store; tables show medians [1]
          --seed N               [42]
          --out DIR              results directory [bench-results]
          --data-dir DIR         where stores put their data [<out>/data]; --keep-data keeps it

        GrainKV.Bench cluster [options]   YCSB-style workloads: GrainKV (3 silo processes) and Redis, side by side
          --targets LIST         grainkv-n3,grainkv-n1,redis,redis-repl [all]
                                 grainkv-n3: N=3/W=2/R=2; grainkv-n1: per-request N=1, W=R=ONE
                                 redis: one redis-server; redis-repl: primary + 2 replicas, WAIT 1 after each write
          --workloads LIST       A,B,C,D,F [A,B,C]            --distribution D   uniform|zipfian|latest [per workload]
          --concurrency LIST     outstanding requests [1,16,64]; --quick: 1,16, 10k records, 2+5 s cells
          --records N            records loaded per target [20000]   --value-size N  bytes [1024]
          --duration S           measured seconds per cell [10]      --warmup S      unmeasured seconds first [5]
          --settle S             unmeasured workload A after loading, before the first cell [20]
          --rate N               paced: N ops/s shared by the workers, latency from each op's intended start [closed loop]
          --max-ops N            cap on operations per cell [50000000]   --repeat N  runs per cell; tables show medians [1]
          --durability D         silo commit log: Buffered|Synced [Buffered] (Redis runs without persistence)
          --commit-interval-ms N silo log commit period when Buffered [node default, 10]
          --base-port N          silo ports N.., gateways N+100.. [21100]   --redis-port N  [26379..]
          --silo-dll PATH        [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]
          --redis-server PATH    [redis-server]    --wait-timeout-ms N   WAIT timeout [1000]
          --out DIR              results directory [bench-results]   --keep-data   keep silo/redis data
        """;
}
