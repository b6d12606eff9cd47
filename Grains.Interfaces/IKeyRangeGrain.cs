using GrainKV.Versioning;
// The client-facing grain: one per key range of the hash circle. It coordinates every request for the
// keys of its range over the range's replicas (quorum reads and writes, versioning, read repair).


namespace GrainKV;

/// <summary>Coordinator of one key range (key = the range number).</summary>
[Alias("grainkv.IKeyRangeGrain")]
public interface IKeyRangeGrain : IGrainWithIntegerKey
{
    /// <summary>Reads <paramref name="key"/> from R replicas: its values (siblings if concurrent) and causal context.</summary>
    [Alias("Get")]
    Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/>, superseding the versions named by <paramref name="context"/>;
    /// completes when W replicas acknowledged.</summary>
    [Alias("Put")]
    Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> superseding every version a read at <paramref name="read"/>'s quorum finds: the
    /// read and the write of a plain overwrite (a RESP SET) in one call instead of two. Completes when W replicas acknowledged.</summary>
    [Alias("Overwrite")]
    Task Overwrite(byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone version) superseding <paramref name="context"/>.</summary>
    [Alias("Delete")]
    Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken = default);
}
