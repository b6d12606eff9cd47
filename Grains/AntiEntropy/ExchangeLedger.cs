// What this node's exchanges did, per range: the last completed exchange and running totals since start.
// Read by the status report (grainkv status --ranges).

using System.Collections.Concurrent;
using GrainKV.AntiEntropy;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>The exchanges this node ran, per range.</summary>
public sealed class ExchangeLedger
{
    private readonly ConcurrentDictionary<int, RangeExchangeStatus> _ranges = new();

    /// <summary>Records a completed exchange.</summary>
    public void Record(ExchangeResult result) =>
        _ranges.AddOrUpdate(
            result.Range,
            static (_, r) => new RangeExchangeStatus(r.Range, r, 1, r.KeysRepaired, r.BytesMoved),
            static (_, previous, r) => new RangeExchangeStatus(r.Range, r, previous.Exchanges + 1, previous.KeysRepaired + r.KeysRepaired, previous.BytesMoved + r.BytesMoved),
            result);

    /// <summary>Every range this node exchanged since it started.</summary>
    public IReadOnlyList<RangeExchangeStatus> Snapshot() => [.. _ranges.Values.OrderBy(r => r.Range)];
}
