// A bloom filter over a table's keys: k probes derived from one 64-bit hash by double hashing.
// Stored form: [k: 1 byte][bit array]. About 1% false positives at 10 bits per key.

using System.IO.Hashing;

namespace GrainKV.Storage.Table;

/// <summary>Answers "definitely absent" or "maybe present" for a key.</summary>
public sealed class BloomFilter
{
    private readonly byte[] _bits;
    private readonly int _probes;

    private BloomFilter(byte[] bits, int probes)
    {
        _bits = bits;
        _probes = probes;
    }

    /// <summary>Builds a filter over <paramref name="hashes"/> (from <see cref="Hash"/>) with <paramref name="bitsPerKey"/>.</summary>
    public static byte[] Build(IReadOnlyList<ulong> hashes, int bitsPerKey)
    {
        var probes = Math.Clamp((int)Math.Round(bitsPerKey * 0.69), 1, 30);
        var bitCount = Math.Max(64, hashes.Count * bitsPerKey);
        var stored = new byte[1 + (bitCount + 7) / 8];
        stored[0] = (byte)probes;
        var bits = stored.AsSpan(1);
        var totalBits = (ulong)bits.Length * 8;
        foreach (var hash in hashes)
        {
            var h = hash;
            var delta = (h >> 33) | (h << 31);
            for (var i = 0; i < probes; i++)
            {
                var bit = h % totalBits;
                bits[(int)(bit / 8)] |= (byte)(1 << (int)(bit % 8));
                h += delta;
            }
        }

        return stored;
    }

    /// <summary>Reads a stored filter. Throws <see cref="CorruptionException"/> if malformed.</summary>
    public static BloomFilter Load(byte[] stored, string file)
    {
        if (stored.Length < 2 || stored[0] is 0 or > 30)
        {
            throw new CorruptionException(file, "malformed bloom filter");
        }

        return new BloomFilter(stored[1..], stored[0]);
    }

    /// <summary>The hash a key is filed under.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key) => XxHash64.HashToUInt64(key, 0x5bd1e995);

    /// <summary>False only if the key is certainly not in the table.</summary>
    public bool MayContain(ulong hash)
    {
        var totalBits = (ulong)_bits.Length * 8;
        var h = hash;
        var delta = (h >> 33) | (h << 31);
        for (var i = 0; i < _probes; i++)
        {
            var bit = h % totalBits;
            if ((_bits[(int)(bit / 8)] & (1 << (int)(bit % 8))) == 0)
            {
                return false;
            }

            h += delta;
        }

        return true;
    }
}
