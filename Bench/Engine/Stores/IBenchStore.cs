// The seam between workloads and the stores they measure: the handful of operations db_bench-style
// workloads need, each store behind one small adapter file.

namespace GrainKV.Bench.Engine.Stores;

/// <summary>One open store under benchmark. Thread-safe, like the stores it wraps.</summary>
internal interface IBenchStore : IAsyncDisposable
{
    /// <summary>Writes one entry; completes when the store acknowledges it at the configured durability.</summary>
    ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value);

    /// <summary>Point read. Returns whether the key was found; the value is read in full.</summary>
    bool Get(ReadOnlySpan<byte> key);

    /// <summary>Reads every entry in [<paramref name="from"/>, <paramref name="toExclusive"/>) and returns how many.</summary>
    int Scan(byte[] from, byte[] toExclusive);

    /// <summary>Cumulative counters the store reports about itself (names in <see cref="StoreCounterNames"/>); empty if none.</summary>
    IReadOnlyDictionary<string, long> ReadCounters();
}

/// <summary>Opens a store of one kind in a directory.</summary>
internal interface IBenchStoreFactory
{
    string Name { get; }

    ValueTask<IBenchStore> OpenAsync(string directory, StoreSettings settings, CancellationToken cancellationToken);
}

/// <summary>Counter names shared by the adapters.</summary>
internal static class StoreCounterNames
{
    /// <summary>Bytes the engine itself wrote to files: log + flushes + compactions.</summary>
    public const string EngineBytesWritten = "engine.bytes.written";
}
