// Zipfian ranks by the method of Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
// (as in YCSB and FASTER's cs/benchmark/ZipfGenerator.cs). Immutable after construction, so one
// instance (whose zeta takes O(N) to compute) is shared by all threads, each with its own Random.

namespace GrainKV.Bench.Common;

internal sealed class ZipfGenerator
{
    private readonly long _items;
    private readonly double _theta;
    private readonly double _zetaN;
    private readonly double _alpha;
    private readonly double _eta;

    public ZipfGenerator(long items, double theta)
    {
        _items = items;
        _theta = theta;
        _zetaN = Zeta(items, theta);
        var zeta2 = Zeta(2, theta);
        _alpha = 1.0 / (1.0 - theta);
        _eta = (1 - Math.Pow(2.0 / items, 1 - theta)) / (1 - (zeta2 / _zetaN));
    }

    /// <summary>A rank in [0, items): 0 is the most frequent.</summary>
    public long Next(Random random)
    {
        var u = random.NextDouble();
        var uz = u * _zetaN;
        if (uz < 1.0)
        {
            return 0;
        }

        if (uz < 1.0 + Math.Pow(0.5, _theta))
        {
            return 1;
        }

        return Math.Min(_items - 1, (long)(_items * Math.Pow((_eta * u) - _eta + 1, _alpha)));
    }

    private static double Zeta(long n, double theta)
    {
        var sum = 0.0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.Pow(i, theta);
        }

        return sum;
    }
}
