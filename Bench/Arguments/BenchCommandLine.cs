// The benchmark's command line: one System.CommandLine command per benchmark, each declaring its own
// options; `--help` on the root or on a command is generated from those declarations.

using System.CommandLine;
using GrainKV.Bench.AntiEntropy;
using GrainKV.Bench.Cluster;
using GrainKV.Bench.Engine;
using GrainKV.Bench.Streaming;

namespace GrainKV.Bench.Arguments;

internal static class BenchCommandLine
{
    public static RootCommand Create() => new("GrainKV.Bench: the benchmark program. See docs/BENCHMARKS.md for method and recorded results.")
    {
        EngineCompareCommand.Create(),
        EngineCommand.Create(),
        ClusterCommand.Create(),
        RepairCommand.Create(),
        KillCommand.Create(),
        BootstrapCommand.Create(),
    };
}
