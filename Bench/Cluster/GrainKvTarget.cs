// GrainKV through its client library, at the cluster's N/W/R or at N=1 (per-request options).
//
// Updates and siblings: a put without a causal context on an existing key keeps the old value as a
// sibling. So an update here writes with the context of the most recent read of that key by any worker
// (a per-key cache; the write consumes the entry, so two workers never reuse one context). When no context
// is cached, the update reads the key first and writes with that context; the read is part of the update's
// latency. Siblings then arise only from truly concurrent updates of one key, and the next read's context
// resolves them. Read-modify-write (workload F) always reads, then writes with that read's context.
// With --updates overwrite an update is instead one blind overwrite (OverwriteAsync: it supersedes what the read
// quorum finds, in one call), the operation a Redis SET is.

using System.Collections.Concurrent;
using System.Text;
using GrainKV.Client;
using GrainKV.Versioning;

namespace GrainKV.Bench.Cluster;

internal sealed class GrainKvTarget(string name, GrainKvClient client, bool singleReplica, bool overwriteUpdates) : IKvTarget
{
    private static readonly ReadOptions OneReplicaRead = new() { Replicas = 1, ReadQuorum = Acks.One };
    private static readonly WriteOptions OneReplicaWrite = new() { Replicas = 1, WriteQuorum = Acks.One };

    private readonly ConcurrentDictionary<string, CausalContext> _contexts = new(StringComparer.Ordinal);
    private readonly ReadOptions? _read = singleReplica ? OneReplicaRead : null;
    private readonly WriteOptions? _write = singleReplica ? OneReplicaWrite : null;

    public string Name => name;

    public async Task ReadAsync(int worker, string key, CancellationToken cancellationToken)
    {
        var result = await client.GetAsync(Encoding.UTF8.GetBytes(key), _read, cancellationToken);
        if (!overwriteUpdates && !result.Context.IsEmpty) // overwrites take no context: keep none
        {
            _contexts[key] = result.Context;
        }
    }

    public async Task UpdateAsync(int worker, string key, byte[] value, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        if (overwriteUpdates)
        {
            await client.OverwriteAsync(bytes, value, _read, _write, cancellationToken);
            return;
        }

        if (!_contexts.TryRemove(key, out var context))
        {
            context = (await client.GetAsync(bytes, _read, cancellationToken)).Context;
        }

        await client.PutAsync(bytes, value, context, _write, cancellationToken);
    }

    public Task InsertAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) =>
        client.PutAsync(Encoding.UTF8.GetBytes(key), value, null, _write, cancellationToken);

    public async Task ReadModifyWriteAsync(int worker, string key, byte[] value, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var read = await client.GetAsync(bytes, _read, cancellationToken);
        _contexts.TryRemove(key, out _);
        await client.PutAsync(bytes, value, read.Context, _write, cancellationToken);
    }

    /// <summary>The client is shared between targets and disposed by its owner.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
