// The client-facing grain: one per key range of the hash circle. It coordinates every request for the
// keys of its range over the range's replicas.

namespace GrainKV;

/// <summary>Coordinator of one key range (key = the range number).</summary>
[Alias("grainkv.IKeyRangeGrain")]
public interface IKeyRangeGrain : IGrainWithIntegerKey
{
    /// <summary>Reads <paramref name="key"/>; the result holds no value when the key is absent.</summary>
    [Alias("Get")]
    Task<ReadResult> Get(byte[] key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    [Alias("Put")]
    Task Put(byte[] key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/>.</summary>
    [Alias("Delete")]
    Task Delete(byte[] key, CancellationToken cancellationToken = default);
}
