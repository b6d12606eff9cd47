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
          --bloom-bits N         bloom filter bits per key, 0 = none [10]
          --compression C        none|lz4|snappy|zstd [none]
          --stores LIST          grainkv,rocksdb [both]
          --repeat N             runs per store; tables show medians [1]
          --seed N               [42]
          --out DIR              results directory [bench-results]
          --data-dir DIR         where stores put their data [<out>/data]; --keep-data keeps it
        """;
}
