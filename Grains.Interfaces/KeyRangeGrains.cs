// The key-range coordinators of every range, as seen through one grain factory. Making a grain reference resolves
// the grain interface's type by reflection on every call (Orleans does not cache that step), which was 18 % of a
// client's CPU in a read-only benchmark; a reference is immutable and thread-safe, so each range's is made once.

using GrainKV.Partitioning;

namespace GrainKV;

/// <summary>The <see cref="IKeyRangeGrain"/> reference of each range through one grain factory, made on first use.</summary>
public sealed class KeyRangeGrains
{
    private readonly IGrainFactory _grains;
    private readonly IKeyRangeGrain?[] _ranges;
    private IPingGrain? _ping;

    /// <param name="grains">The grain factory the references are made with.</param>
    /// <param name="rangeCount">The cluster's range count (Q).</param>
    public KeyRangeGrains(IGrainFactory grains, int rangeCount)
    {
        ArgumentNullException.ThrowIfNull(grains);
        KeyPartitioner.CheckRangeCount(rangeCount);
        _grains = grains;
        _ranges = new IKeyRangeGrain?[rangeCount];
    }

    /// <summary>The grain factory the references are made with (for the grains that are not per range).</summary>
    public IGrainFactory Factory => _grains;

    /// <summary>The ping grain (one id: it runs on whichever silo receives the call).</summary>
    public IPingGrain Ping => _ping ??= _grains.GetGrain<IPingGrain>(0);

    /// <summary>The coordinator of <paramref name="range"/>. Two threads that race on a range's first use may each make
    /// a reference; both are equal, and one is kept.</summary>
    public IKeyRangeGrain Of(int range) => _ranges[range] ??= _grains.GetGrain<IKeyRangeGrain>(range);
}
