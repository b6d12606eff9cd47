// The client-facing grain of the key ranges: Orleans clients' get, put, overwrite and delete, handed to this node's
// KeyRangeRequests (the checks, the read and write coordinators, the request metrics).
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its gateway) and
// no request is forwarded to another node first. Its grain directory (LocalEntryDirectory) holds nothing, so
// placing it never asks another silo. Every range's requests use one grain id (EntryGrains.KeyRangeGrainKey) and
// name their range: Orleans keeps a stateless worker's context per grain id and silo, each with its own message
// loop (a request to an idle one wakes it: one more thread-pool hop) and its own idle-worker timer, and with one id
// per range (1,024) a silo served 11-14 % fewer reads than with one (docs/BENCHMARKS.md, twelfth session). Up to
// MaxWorkers activations run at once, so that requests whose turn reads from disk do not hold up the rest. The
// coordination itself (quorums, creators, copies, repairs) lives in ReadCoordinator and WriteCoordinator, plain
// classes tested without a cluster.

using Orleans.Concurrency;
using Orleans.GrainDirectory;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of every key range (one grain id; each request names its range).</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker(MaxWorkers)]
[Reentrant]
public sealed class KeyRangeGrain(KeyRangeRequests requests) : Grain, IKeyRangeGrain
{
    /// <summary>The most activations of the grain on one silo: Orleans adds one when every other is running a turn.</summary>
    public const int MaxWorkers = 32;

    public Task<ReadResult> Get(int range, byte[] key, ReadOptions options, CancellationToken cancellationToken) =>
        requests.GetAsync(range, key, options, cancellationToken);

    public Task Put(int range, byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.PutAsync(range, key, value, context, options, cancellationToken);

    public Task Overwrite(int range, byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
        requests.OverwriteAsync(range, key, value, read, write, cancellationToken);

    public Task Delete(int range, byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        requests.DeleteAsync(range, key, context, options, cancellationToken);

    // A batch's requests run on the thread pool, as the RESP gateway's do: on this activation's scheduler they would take
    // turns on one thread, where separate calls spread over the workers.
    public Task<KeyRangeReply[]> Batch(KeyRangeRequest[] batch, CancellationToken cancellationToken) =>
        Task.Run(() => requests.BatchAsync(batch, cancellationToken), CancellationToken.None);
}
