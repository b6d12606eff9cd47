using GrainKV.Versioning;
// The client-facing grain: it coordinates a request for a key of a key range over the range's replicas (quorum
// reads and writes, versioning, read repair). Every range's requests go to one grain id
// (EntryGrains.KeyRangeGrainKey) with the range in the request; see KeyRangeGrain for why. A client of a release
// that addressed a grain per range cannot call this one: upgrade clients with the cluster.


namespace GrainKV;

/// <summary>Coordinator of the key ranges' requests (one grain key: <see cref="EntryGrains.KeyRangeGrainKey"/>). Each
/// request names the range of its key, which the silo checks (<see cref="WrongRangeException"/>: the client and the
/// cluster disagree on the range count).</summary>
[Alias("grainkv.IKeyRangeGrain")]
public interface IKeyRangeGrain : IGrainWithIntegerKey
{
    /// <summary>Reads <paramref name="key"/> (of <paramref name="range"/>) from R replicas: its values (siblings if
    /// concurrent) and causal context.</summary>
    [Alias("Get")]
    Task<ReadResult> Get(int range, byte[] key, ReadOptions options, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/>, superseding the versions named by <paramref name="context"/>;
    /// completes when W replicas acknowledged.</summary>
    [Alias("Put")]
    Task Put(int range, byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> superseding every version a read at <paramref name="read"/>'s quorum finds: the
    /// read and the write of a plain overwrite (a RESP SET) in one call instead of two. Completes when W replicas acknowledged.</summary>
    [Alias("Overwrite")]
    Task Overwrite(int range, byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone version) superseding <paramref name="context"/>.</summary>
    [Alias("Delete")]
    Task Delete(int range, byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="requests"/> side by side, each as the method its kind names would, and answers when
    /// all have: one message for many requests (a client's requests to one gateway, coalesced by RequestBatcher). The
    /// answers are in request order; a request's failure is in its own answer.</summary>
    [Alias("Batch")]
    Task<KeyRangeReply[]> Batch(KeyRangeRequest[] requests, CancellationToken cancellationToken = default);
}
