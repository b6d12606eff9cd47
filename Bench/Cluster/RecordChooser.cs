// Which record an operation touches: uniform, zipfian (theta 0.99, scrambled so hot keys spread over the
// key space and hence over ranges and nodes, as YCSB's ScrambledZipfian), or latest (zipfian over recency:
// the most recently inserted record is the hottest). Inserts take the next record number, shared by all workers.

using System.IO.Hashing;
using GrainKV.Bench.Common;

namespace GrainKV.Bench.Cluster;

/// <summary>The record numbers of one target's data set, with the key of each. Thread-safe.</summary>
internal sealed class RecordChooser
{
    private readonly ZipfGenerator _zipf;
    private readonly string _prefix;
    private long _inserted;

    public RecordChooser(string prefix, long records)
    {
        _prefix = prefix;
        _inserted = records;
        _zipf = new ZipfGenerator(records, 0.99);
        Records = records;
    }

    /// <summary>Records loaded before the run (the range the generators draw from).</summary>
    public long Records { get; }

    /// <summary>Records present now, including those inserted by workload D.</summary>
    public long Count => Interlocked.Read(ref _inserted);

    public long Next(KeyDistribution distribution, Random random) => distribution switch
    {
        KeyDistribution.Uniform => random.NextInt64(Count),
        KeyDistribution.Zipfian => Scramble(_zipf.Next(random)) % Records,
        _ => Math.Max(0, Count - 1 - _zipf.Next(random)),
    };

    /// <summary>Reserves a new record number for an insert.</summary>
    public long NextInsert() => Interlocked.Increment(ref _inserted) - 1;

    public string Key(long record) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_prefix}user{record:D10}");

    private static long Scramble(long rank)
    {
        Span<byte> bytes = stackalloc byte[8];
        BitConverter.TryWriteBytes(bytes, rank);
        return (long)(XxHash64.HashToUInt64(bytes) & long.MaxValue);
    }
}
