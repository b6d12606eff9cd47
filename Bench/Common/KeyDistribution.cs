// How a benchmark picks the key (record) an operation touches. The engine benchmark offers uniform and
// zipfian (Engine/Workloads/KeyChooser.cs); the cluster benchmark all three (Cluster/RecordChooser.cs).

namespace GrainKV.Bench.Common;

/// <summary>How keys are chosen.</summary>
internal enum KeyDistribution
{
    /// <summary>Every key equally likely.</summary>
    Uniform,

    /// <summary>Scrambled Zipfian, theta 0.99: a few hot keys, spread over the key space.</summary>
    Zipfian,

    /// <summary>Zipfian over recency: the most recently inserted record is the hottest.</summary>
    Latest,
}
