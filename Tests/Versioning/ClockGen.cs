// CsCheck generators for vector clocks and versions, shared by the versioning property tests.

using CsCheck;
using GrainKV.Versioning;

namespace GrainKV.Tests.Versioning;

internal static class ClockGen
{
    /// <summary>Node ids from a small alphabet (so clocks overlap) plus some non-ASCII ones.</summary>
    public static readonly Gen<string> NodeId = Gen.OneOf(
        Gen.Int[0, 7].Select(i => $"node-{i}"),
        Gen.OneOfConst("ü-knoten", "節点", "n"));

    public static readonly Gen<VectorClock> Clock =
        Gen.Select(NodeId, Gen.ULong[1, ulong.MaxValue], Gen.Long)
            .Select((id, counter, ts) => new ClockEntry(id, counter, ts))
            .Array[0, 12]
            .Select(entries => VectorClock.FromEntries(entries.DistinctBy(e => e.NodeId)));

    /// <summary>Small counters so comparisons hit every ClockOrder often.</summary>
    public static readonly Gen<VectorClock> SmallClock =
        Gen.Select(Gen.Int[0, 3], Gen.ULong[1, 3])
            .Select((i, counter) => new ClockEntry($"node-{i}", counter, 0))
            .Array[0, 4]
            .Select(entries => VectorClock.FromEntries(entries.DistinctBy(e => e.NodeId)));

    public static VectorClock Of(params (string Node, ulong Counter)[] entries) =>
        VectorClock.FromEntries(entries.Select(e => new ClockEntry(e.Node, e.Counter, 0)));
}
