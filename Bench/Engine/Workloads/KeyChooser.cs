// Which key index a read picks: uniform over [0, N), or scrambled Zipfian (YCSB's, theta 0.99) so a few
// keys are hot but the hot keys are spread over the key space rather than clustered at its start.

using GrainKV.Bench.Common;

namespace GrainKV.Bench.Engine.Workloads;

/// <summary>A per-thread key picker; not thread-safe.</summary>
internal sealed class KeyChooser(KeyDistribution distribution, long keys, ZipfGenerator? zipf, int seed)
{
    private readonly Random _random = new(seed);

    public Random Random => _random;

    public static ZipfGenerator? SharedGeneratorFor(KeyDistribution distribution, long keys) =>
        distribution == KeyDistribution.Zipfian ? new ZipfGenerator(keys, 0.99) : null;

    public long Next()
    {
        if (distribution == KeyDistribution.Uniform || zipf is null)
        {
            return _random.NextInt64(keys);
        }

        var rank = zipf.Next(_random);
        return (long)(Fnv64(rank) % (ulong)keys);
    }

    private static ulong Fnv64(long value)
    {
        var hash = 0xCBF29CE484222325UL;
        for (var i = 0; i < 8; i++)
        {
            hash ^= (ulong)(value & 0xFF);
            hash *= 0x100000001B3UL;
            value >>= 8;
        }

        return hash;
    }
}
