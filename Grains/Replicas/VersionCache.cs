// The stored versions of recently written keys, without their values: what a write's read-merge-write needs of the
// versions this node holds (their dots and clocks, for the new version's past and counter, and for which of them the
// merge keeps). A write usually supersedes everything stored for its key, so it needs no stored value at all; with
// this cache it needs no engine read either (an engine read of a key not in the memtable is a bloom probe, a block
// lookup and often a block read and decompression: 15-20 % of a one-silo SET, docs/BENCHMARKS.md).
//
// Exact, not approximate: an entry is what the engine holds for the key (VersionSetCodec.DecodeWithoutValues), because
// every change to a replica's key goes through LocalReplicas.Store, which sets the entry once the engine write
// succeeded and drops it when the write failed (the key's lock is held throughout, so no one reads the entry between).
// Compaction's expiry reclaim changes a stored set without Store, but only by dropping an expired version's value; a
// write's merge reclaims the same values itself, and the Merkle digests ignore values, so an entry that still says
// "has a value" there is read the same way.
//
// Memory: one array of fixed slots (SlotSize bytes: the key and the set's encoding without values), allocated once,
// so the cache adds no object per write for the garbage collector to promote and trace (a cache of version objects
// measured slower than none: its entries, replaced on every write, lengthened every young collection). A key whose
// entry does not fit a slot (a long key, many siblings or a long clock) is not cached, and evicts no other key. A hit
// decodes the slot.
//
// Concurrency: slots are grouped by lock stripe (a key's slot is within its stripe of LocalReplicas' StripedLock), and
// a slot is only read or written by a holder of that stripe's lock, so the cache needs no lock of its own.
//
// Placement: set-associative, Ways slots per set (one set of a stripe's slots per key, chosen by hash bits). A one-byte
// tag per slot (six hash bits; 0: free) lets a lookup compare only the slots whose tag matches. A key that finds no free
// slot in its set replaces one by CLOCK (second chance): a slot read or written since the hand last passed it is
// passed over once, so keys written again and again stay while keys written once make room. Direct-mapped (one slot
// per key) missed a third of a SET pass's lookups with 100,000 keys in 128 Ki slots, where two keys sharing a slot
// evict each other on every write (docs/BENCHMARKS.md, fifteenth session).

using System.Buffers.Binary;
using GrainKV.Versioning;

namespace GrainKV.Grains.Replicas;

/// <summary>Set-associative cache of stored version sets without values, keyed by engine key. Each slot belongs to one lock
/// stripe; callers hold the key's stripe lock.</summary>
public sealed class VersionCache
{
    /// <summary>Bytes of one slot: a 4-byte header (key length, entry length), the key, the set without values.</summary>
    public const int SlotSize = 256;

    /// <summary>Slots per set (fewer when a stripe has fewer slots).</summary>
    public const int Ways = 8;

    private const int HeaderSize = 4;

    /// <summary>The bit of a slot's <see cref="_meta"/> byte that says it was used since the CLOCK hand last passed it.</summary>
    private const byte Referenced = 0x80;

    /// <summary>The tag bits of a slot's <see cref="_meta"/> byte (never 0 for a held slot).</summary>
    private const byte TagMask = 0x7F;

    private readonly StripedLock _locks;
    private readonly byte[] _slots;
    private readonly byte[] _meta;
    private readonly byte[] _hands;
    private readonly int _ways;
    private readonly int _setsPerStripe;
    private long _hits;
    private long _misses;

    /// <param name="locks">The locks its callers hold: each slot belongs to one of their stripes.</param>
    /// <param name="entries">Keys held at most; rounded up to a power-of-two number per stripe. 0 turns the cache off.</param>
    public VersionCache(StripedLock locks, int entries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entries);
        _locks = locks;
        var slotsPerStripe = entries == 0 ? 0 : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((entries + locks.Count - 1) / locks.Count));
        _ways = Math.Min(Ways, slotsPerStripe);
        _setsPerStripe = _ways == 0 ? 0 : slotsPerStripe / _ways;
        _slots = GC.AllocateArray<byte>(checked(locks.Count * slotsPerStripe * SlotSize));
        _meta = new byte[locks.Count * slotsPerStripe];
        _hands = new byte[locks.Count * _setsPerStripe];
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
        if (Find(hash, engineKey) is var slot and >= 0)
        {
            Interlocked.Increment(ref _hits);
            _meta[slot] |= Referenced;
            versions = VersionSetCodec.DecodeWithoutValues(Entry(slot, engineKey.Length));
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

        // Whether the entry fits is known before a slot is taken: a key whose entry does not fit is not cached, and a new
        // such key takes no slot (no other key is evicted for it) while a held one loses its now stale entry. A key
        // already held keeps its slot (and counts as used); a new one takes a free slot of its set or CLOCK's victim.
        var room = SlotSize - HeaderSize - engineKey.Length;
        var held = Find(hash, engineKey);
        var size = room > 0 ? VersionSetCodec.EncodedSizeWithoutValues(versions) : 0;
        if (room <= 0 || size > room)
        {
            if (held >= 0)
            {
                _meta[held] = 0;
            }

            return;
        }

        var slot = held >= 0 ? held : Vacate(hash);
        var bytes = Bytes(slot);
        var length = VersionSetCodec.EncodeWithoutValues(versions, bytes[(HeaderSize + engineKey.Length)..], size);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)engineKey.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[2..], (ushort)length);
        engineKey.CopyTo(bytes[HeaderSize..]);
        _meta[slot] = (byte)(Tag(hash) | (held >= 0 ? Referenced : 0));
    }

    /// <summary>Forgets the key (what the engine holds for it is not known).</summary>
    public void Forget(ulong hash, byte[] engineKey)
    {
        if (Find(hash, engineKey) is var slot and >= 0)
        {
            _meta[slot] = 0;
        }
    }

    /// <summary>The slot holding <paramref name="engineKey"/>, or -1.</summary>
    private int Find(ulong hash, byte[] engineKey)
    {
        if (_slots.Length == 0)
        {
            return -1;
        }

        var first = FirstSlotOf(hash);
        var tag = Tag(hash);
        for (var slot = first; slot < first + _ways; slot++)
        {
            if ((_meta[slot] & TagMask) == tag)
            {
                var bytes = Bytes(slot);
                if (BinaryPrimitives.ReadUInt16LittleEndian(bytes) == engineKey.Length
                    && bytes.Slice(HeaderSize, engineKey.Length).SequenceEqual(engineKey))
                {
                    return slot;
                }
            }
        }

        return -1;
    }

    /// <summary>A slot of the key's set for a new entry: a free one, or the one the set's CLOCK hand stops at (each slot
    /// used since the hand last passed is passed over once and loses its mark).</summary>
    private int Vacate(ulong hash)
    {
        var first = FirstSlotOf(hash);
        for (var slot = first; slot < first + _ways; slot++)
        {
            if (_meta[slot] == 0)
            {
                return slot;
            }
        }

        var set = first / _ways;
        var hand = _hands[set] % _ways;
        while ((_meta[first + hand] & Referenced) != 0)
        {
            _meta[first + hand] &= TagMask;
            hand = (hand + 1) % _ways;
        }

        _hands[set] = (byte)((hand + 1) % _ways);
        _meta[first + hand] = 0;
        return first + hand;
    }

    /// <summary>The first slot of the key's set: within the key's lock stripe, chosen by high bits of the hash.</summary>
    private int FirstSlotOf(ulong hash) =>
        (_locks.StripeOf(hash) * _setsPerStripe + (int)((hash >> 40) & (ulong)(_setsPerStripe - 1))) * _ways;

    /// <summary>A slot's tag: six hash bits the stripe and set index do not use, with the low bit set so that it is never
    /// 0 (a free slot).</summary>
    private static byte Tag(ulong hash) => (byte)((hash >> 32) & TagMask | 1);

    private Span<byte> Bytes(int slot) => _slots.AsSpan(slot * SlotSize, SlotSize);

    /// <summary>The encoded set of a held slot whose key is <paramref name="keyLength"/> bytes.</summary>
    private ReadOnlySpan<byte> Entry(int slot, int keyLength)
    {
        var bytes = Bytes(slot);
        return bytes.Slice(HeaderSize + keyLength, BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]));
    }
}
