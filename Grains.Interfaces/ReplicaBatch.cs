// The messages of a batch of replica operations (IReplicaService.Batch): the hot operations a coordinator sends
// another node (read, create a version, merge versions), many per network message. Each answer carries its own
// outcome, so one failing key fails only its own request.

using GrainKV.Versioning;

namespace GrainKV;

/// <summary>Which replica operation a <see cref="ReplicaRequest"/> asks for.</summary>
public enum ReplicaRequestKind
{
    /// <summary>The versions of the key stored in the range (with <see cref="ReplicaRequest.WithoutValues"/>: their
    /// headers only).</summary>
    Read,

    /// <summary>Create a new version of the key on the receiving node and answer its whole version set.</summary>
    Coordinate,

    /// <summary>Merge the request's versions into the stored versions of the key.</summary>
    Apply,
}

/// <summary>One replica operation of a batch; the fields a kind does not use are null. <see cref="WithoutValues"/> (a
/// read): the versions' headers only — dots, clocks, expiries, tombstone or not; each value is
/// <see cref="Versioning.VersionSetCodec.NoValue"/> — answered at once, without waiting for the versions to be durable,
/// since no value reaches a client (what an overwrite reads to supersede, and what a read asks of every replica but the
/// one answering values). A node that does not know the field answers the versions with their values, which serves the
/// same purpose.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReplicaRequest")]
public sealed record ReplicaRequest(
    [property: Id(0)] ReplicaRequestKind Kind,
    [property: Id(1)] int Range,
    [property: Id(2)] byte[] Key,
    [property: Id(3)] byte[]? Value = null,
    [property: Id(4)] CausalContext? Context = null,
    [property: Id(5)] TimeSpan? TimeToLive = null,
    [property: Id(6)] StoredVersion[]? Versions = null,
    [property: Id(7)] bool Overwrite = false,
    [property: Id(8)] bool WithoutValues = false)
{
    /// <summary>Approximate payload in bytes, the answer's included (what limits a batch's size): a read with values
    /// counts <paramref name="readValueBytes"/> for the value it may bring back, so that a batch of reads of large
    /// values stays within a message (with values at the 4 MiB limit, each such read goes alone).</summary>
    public long ApproximateBytes(int readValueBytes)
    {
        long bytes = Key.Length + (Value?.Length ?? 0) + (Context?.Bytes.Length ?? 0) + 32;
        if (Kind == ReplicaRequestKind.Read && !WithoutValues)
        {
            bytes += readValueBytes;
        }

        if (Versions is not null)
        {
            foreach (var version in Versions)
            {
                bytes += (version.Value?.Length ?? 0) + 64;
            }
        }

        return bytes;
    }
}

/// <summary>The answer to one <see cref="ReplicaRequest"/>: the version set (read, coordinate), or the failure.
/// <see cref="Covered"/> (an apply): every version the replica then holds is one of the applied ones or a later write
/// over one of them — it held none they miss; what lets an overwrite skip its read (KeyRangeRequests.OverwriteAsync).
/// A node that does not know the field answers false, which only costs that overwrite its read.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ReplicaReply")]
public sealed record ReplicaReply(
    [property: Id(0)] StoredVersion[]? Versions, [property: Id(1)] Exception? Error = null, [property: Id(2)] bool Covered = false);
