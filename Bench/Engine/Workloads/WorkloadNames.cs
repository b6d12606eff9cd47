// The db_bench-style workloads, in the order a store runs them.

namespace GrainKV.Bench.Engine.Workloads;

internal static class WorkloadNames
{
    /// <summary>Writes keys 0..N-1 in ascending order into an empty store.</summary>
    public const string FillSeq = "fillseq";

    /// <summary>Writes keys 0..N-1 in a random order (a permutation: every key once) into an empty store.</summary>
    public const string FillRandom = "fillrandom";

    /// <summary>Point reads of keys present (after fillrandom and a reopen).</summary>
    public const string ReadRandom = "readrandom";

    /// <summary>Point reads of keys absent but inside the key range (key + "."), as db_bench readmissing.</summary>
    public const string ReadMissing = "readmissing";

    /// <summary>Range reads: seek to a random key, read the next scan-length entries.</summary>
    public const string Scan = "scan";

    /// <summary>Point reads by --threads readers while one extra thread overwrites random keys flat out.</summary>
    public const string ReadWhileWriting = "readwhilewriting";

    public static readonly IReadOnlyList<string> All = [FillSeq, FillRandom, ReadRandom, ReadMissing, Scan, ReadWhileWriting];

    public static bool IsWrite(string workload) => workload is FillSeq or FillRandom or ReadWhileWriting;
}
