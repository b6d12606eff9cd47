// What the YCSB driver needs from a store under test: the four operations, each awaited by one worker.
// A worker passes its own index so a target can give each worker its own connection where that matters.

namespace GrainKV.Bench.Cluster;

/// <summary>A key-value store the cluster benchmark drives.</summary>
internal interface IKvTarget : IAsyncDisposable
{
    /// <summary>Short name used in tables and files (e.g. grainkv-n3, redis).</summary>
    string Name { get; }

    Task ReadAsync(int worker, string key, CancellationToken cancellationToken);

    Task UpdateAsync(int worker, string key, byte[] value, CancellationToken cancellationToken);

    Task InsertAsync(int worker, string key, byte[] value, CancellationToken cancellationToken);

    Task ReadModifyWriteAsync(int worker, string key, byte[] value, CancellationToken cancellationToken);
}
