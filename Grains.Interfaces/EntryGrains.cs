// The client-facing grains, as seen through one grain factory. Making a grain reference resolves the grain
// interface's type by reflection on every call (Orleans does not cache that step), which was 18 % of a client's
// CPU in a read-only benchmark; a reference is immutable and thread-safe, so each is made once.

namespace GrainKV;

/// <summary>The references of the entry grains (<see cref="IKeyRangeGrain"/>, <see cref="IPingGrain"/>) through one grain
/// factory, made on first use.</summary>
public sealed class EntryGrains
{
    /// <summary>The key of the one <see cref="IKeyRangeGrain"/> every request is sent to (the range is in the request).</summary>
    public const long KeyRangeGrainKey = 0;

    private readonly IGrainFactory _grains;
    private IKeyRangeGrain? _keyRanges;
    private IPingGrain? _ping;

    /// <param name="grains">The grain factory the references are made with.</param>
    public EntryGrains(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <summary>The grain factory the references are made with (for the other grains).</summary>
    public IGrainFactory Factory => _grains;

    /// <summary>The key-range grain: the coordinator of every range's requests. Two threads that race on its first use
    /// may each make a reference; both are equal, and one is kept.</summary>
    public IKeyRangeGrain KeyRanges => _keyRanges ??= KeyRangeGrainOf(_grains);

    /// <summary>The ping grain (one id: it runs on whichever silo receives the call).</summary>
    public IPingGrain Ping => _ping ??= _grains.GetGrain<IPingGrain>(0);

    /// <summary>A new reference to the key-range grain through <paramref name="grains"/>.</summary>
    public static IKeyRangeGrain KeyRangeGrainOf(IGrainFactory grains) => grains.GetGrain<IKeyRangeGrain>(KeyRangeGrainKey);
}
