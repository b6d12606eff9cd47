// The stored versions of recently written keys, without their values: what a write's read-merge-write needs of the
// versions this node holds (their dots and clocks, for the new version's past and counter, and for which of them the
// merge keeps). A write usually supersedes everything stored for its key, so it needs no stored value at all; with
// this cache it needs no engine read either (an engine read of a key not in the memtable is a bloom probe, a block
// lookup and often a block read and decompression: 15-20 % of a one-silo SET, docs/BENCHMARKS.md).
//
// Exact, not approximate: an entry is what the engine holds for the key (VersionSetCodec.DecodeWithoutValues), because
// every change to a replica's key goes through LocalReplicas.Store, which drops the entry before the engine write and
// sets it once the write succeeded. Compaction's expiry reclaim changes a stored set without Store, but only by dropping an
// expired version's value; a write's merge reclaims the same values itself, and the Merkle digests ignore values, so
// an entry that still says "has a value" there is read the same way.
//
// Memory: one array of fixed slots (SlotSize bytes: the key and the set's encoding without values), allocated once,
// so the cache adds no object per write for the garbage collector to promote and trace (a cache of version objects
// measured slower than none: its entries, replaced on every write, lengthened every young collection). A key whose
// entry does not fit its slot (a long key, many siblings or a long clock) is not cached. A hit decodes the slot.
//
// Concurrency: slots are grouped by lock stripe (a key's slot is within its stripe of LocalReplicas' StripedLock), and
// a slot is only read or written by a holder of that stripe's lock, so the cache needs no lock of its own.
// Direct-mapped: a key replaces whatever key had its slot before.

using System.Buffers.Binary;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replicas;

/// <summary>Direct-mapped cache of stored version sets without values, keyed by engine key. Each slot belongs to one lock
/// stripe; callers hold the key's stripe lock.</summary>
public sealed class VersionCache
{
    /// <summary>Bytes of one slot: a 4-byte header (key length, entry length), the key, the set without values.</summary>
    public const int SlotSize = 256;

    private const int HeaderSize = 4;

    private readonly StripedLock _locks;
    private readonly byte[] _slots;
    private readonly int _slotsPerStripe;
    private long _hits;
    private long _misses;

    /// <param name="locks">The locks its callers hold: each slot belongs to one of their stripes.</param>
    /// <param name="entries">Keys held at most; rounded up to a power-of-two number per stripe. 0 turns the cache off.</param>
    public VersionCache(StripedLock locks, int entries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entries);
        _locks = locks;
        _slotsPerStripe = entries == 0 ? 0 : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((entries + locks.Count - 1) / locks.Count));
        _slots = GC.AllocateArray<byte>(checked(locks.Count * _slotsPerStripe * SlotSize));
    }

    /// <summary>Keys the cache holds at most.</summary>
    public int Capacity => _slots.Length / SlotSize;

    /// <summary>Lookups that found their key.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The versions stored for <paramref name="engineKey"/> (XxHash3 <paramref name="hash"/>), without values
    /// (as <see cref="VersionSetCodec.DecodeWithoutValues"/> reads them), if cached.</summary>
    public bool TryGet(ulong hash, byte[] engineKey, out StoredVersion[] versions)
    {
        if (Entry(hash, engineKey) is { IsEmpty: false } entry)
        {
            Interlocked.Increment(ref _hits);
            versions = VersionSetCodec.DecodeWithoutValues(entry);
            return true;
        }

        Interlocked.Increment(ref _misses);
        versions = [];
        return false;
    }

    /// <summary>Records that the engine now holds <paramref name="versions"/> for the key (none: the key is absent); the
    /// key is not cached if its entry does not fit a slot.</summary>
    public void Set(ulong hash, byte[] engineKey, StoredVersion[] versions)
    {
        if (_slots.Length == 0)
        {
            return;
        }

        var slot = Slot(hash);
        var room = slot.Length - HeaderSize - engineKey.Length;
        var length = room > 0 ? VersionSetCodec.EncodeWithoutValues(versions, slot[(HeaderSize + engineKey.Length)..]) : 0;
        if (length == 0)
        {
            slot[..HeaderSize].Clear();
            return;
        }

        engineKey.CopyTo(slot[HeaderSize..]);
        BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)engineKey.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[2..], (ushort)length);
    }

    /// <summary>Forgets the key (what the engine holds for it is not known).</summary>
    public void Forget(ulong hash, byte[] engineKey)
    {
        if (!Entry(hash, engineKey).IsEmpty)
        {
            Slot(hash)[..HeaderSize].Clear();
        }
    }

    /// <summary>The key's cached entry, empty if its slot holds another key or none.</summary>
    private ReadOnlySpan<byte> Entry(ulong hash, byte[] engineKey)
    {
        if (_slots.Length == 0)
        {
            return default;
        }

        var slot = Slot(hash);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(slot[2..]);
        return length > 0 && BinaryPrimitives.ReadUInt16LittleEndian(slot) == engineKey.Length
            && slot.Slice(HeaderSize, engineKey.Length).SequenceEqual(engineKey)
            ? slot.Slice(HeaderSize + engineKey.Length, length)
            : default;
    }

    /// <summary>The slot of a key: within the key's lock stripe, chosen by high bits of the hash.</summary>
    private Span<byte> Slot(ulong hash) =>
        _slots.AsSpan((_locks.StripeOf(hash) * _slotsPerStripe + (int)((hash >> 40) & (ulong)(_slotsPerStripe - 1))) * SlotSize, SlotSize);
}
