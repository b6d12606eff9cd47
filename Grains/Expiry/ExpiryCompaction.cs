// Reclaims the space of expired values when the engine compacts. Every value this node's engine holds is a
// version set (a replica's key, or a hint): the rewrite reads it in place and, only if a version in it holds a
// value expired at this node's clock, decodes it and stores the set with that version's value dropped
// (VersionSet.Reclaim). The result is the same set of writes (a reclaimed copy is the same write and hashes the
// same in the Merkle trees), so replicas and trees are unaffected whenever each node compacts. What remains of an expired key (its versions' clocks and
// expiry) goes when anti-entropy purges the dead set on every replica, as it does with tombstones.
//
// The engine knows nothing of expiry (no Orleans, no version sets in Storage/): this class is the hook.

using GrainKV.Storage.Compaction;
using GrainKV.Versioning;

namespace GrainKV.Grains.Expiry;

/// <summary>The engine's compaction rewrite for expiry.</summary>
public static class ExpiryCompaction
{
    /// <summary>A rewrite that drops expired values at <paramref name="time"/>'s now.</summary>
    public static CompactionRewrite Rewrite(TimeProvider time) => (_, value) => Reclaim(value, time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>The encoding of the version set <paramref name="value"/> with its values expired at <paramref name="nowMs"/>
    /// dropped; null when nothing expired, or when the bytes are not a version set (they are kept as they are: reads
    /// report corruption, compaction does not).</summary>
    public static byte[]? Reclaim(ReadOnlySpan<byte> value, long nowMs)
    {
        StoredVersion[] versions;
        try
        {
            // Most sets hold no expired value: those are kept as they are without being decoded.
            if (!VersionSetCodec.HasValueExpiredAt(value, nowMs))
            {
                return null;
            }

            versions = VersionSetCodec.Decode(value);
        }
        catch (FormatException)
        {
            return null;
        }

        var reclaimed = VersionSet.Reclaim(versions, nowMs);
        return ReferenceEquals(reclaimed, versions) ? null : VersionSetCodec.Encode(reclaimed);
    }
}
