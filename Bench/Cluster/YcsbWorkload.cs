// The YCSB core workloads this driver runs: the operation mix of each and its default key distribution.
//   A update heavy   50% read / 50% update        zipfian
//   B read mostly    95% read /  5% update        zipfian
//   C read only     100% read                     zipfian
//   D read latest    95% read /  5% insert        latest
//   F read-modify-write  50% read / 50% RMW       zipfian

using GrainKV.Bench.Common;

namespace GrainKV.Bench.Cluster;

/// <summary>One kind of operation of a YCSB mix.</summary>
internal enum OpKind
{
    Read,
    Update,
    Insert,
    ReadModifyWrite,
}

/// <summary>A YCSB core workload: proportions of each operation (summing to 1) and its default distribution.</summary>
internal sealed record YcsbWorkload(string Name, double Read, double Update, double Insert, double ReadModifyWrite, KeyDistribution Distribution)
{
    public static YcsbWorkload Parse(string name) => name.ToUpperInvariant() switch
    {
        "A" => new("A", 0.5, 0.5, 0, 0, KeyDistribution.Zipfian),
        "B" => new("B", 0.95, 0.05, 0, 0, KeyDistribution.Zipfian),
        "C" => new("C", 1.0, 0, 0, 0, KeyDistribution.Zipfian),
        "D" => new("D", 0.95, 0, 0.05, 0, KeyDistribution.Latest),
        "F" => new("F", 0.5, 0, 0, 0.5, KeyDistribution.Zipfian),
        _ => throw new ArgumentException($"Unknown workload '{name}' (A, B, C, D or F)."),
    };

    /// <summary>Picks an operation for the uniform draw <paramref name="u"/> in [0, 1).</summary>
    public OpKind Choose(double u)
    {
        if (u < Read)
        {
            return OpKind.Read;
        }

        u -= Read;
        if (u < Update)
        {
            return OpKind.Update;
        }

        u -= Update;
        return u < Insert ? OpKind.Insert : OpKind.ReadModifyWrite;
    }
}
