// A key range's replica on one node (a vnode, in Riak's terms): it reads and writes that node's engine.

namespace GrainKV;

/// <summary>Replica of one range on one node; key = "{nodeId}/{range}" (see <see cref="ReplicaKey"/>).</summary>
[Alias("grainkv.IReplicaGrain")]
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>The stored value of <paramref name="key"/>, or null if absent.</summary>
    [Alias("Read")]
    Task<byte[]?> Read(byte[] key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; a null value deletes it.</summary>
    [Alias("Write")]
    Task Write(byte[] key, byte[]? value, CancellationToken cancellationToken = default);
}
