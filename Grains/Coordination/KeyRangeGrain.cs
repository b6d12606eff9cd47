// The client-facing grain of one key range: Orleans clients' get, put, overwrite and delete, handed to this node's
// KeyRangeRequests (the checks, the read and write coordinators, the request metrics).
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its gateway) and
// no request is forwarded to another node first. Its grain directory (LocalEntryDirectory) holds nothing, so
// placing it never asks another silo. The coordination itself (quorums, creators, copies, repairs) lives in
// ReadCoordinator and WriteCoordinator, plain classes tested without a cluster.

using Orleans.Concurrency;
using Orleans.GrainDirectory;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
[Reentrant]
public sealed class KeyRangeGrain(KeyRangeRequests requests) : Grain, IKeyRangeGrain
{
    private int Range => (int)this.GetPrimaryKeyLong();

    public Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken) =>
        requests.GetAsync(Range, key, options, cancellationToken);

    public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.PutAsync(Range, key, value, context, options, cancellationToken);

    public Task Overwrite(byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
        requests.OverwriteAsync(Range, key, value, read, write, cancellationToken);

    public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.DeleteAsync(Range, key, context, options, cancellationToken);
}
