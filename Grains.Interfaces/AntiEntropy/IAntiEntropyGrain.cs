// The anti-entropy exchange of one key range: a reminder makes it compare the range's live replicas every
// period; ExchangeNow runs one exchange at once (tests, operators).

namespace GrainKV.AntiEntropy;

/// <summary>What one exchange of a range did.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.ExchangeResult")]
public sealed record ExchangeResult(
    [property: Id(0)] int Range,
    [property: Id(1)] IReadOnlyList<string> Nodes,
    [property: Id(2)] bool Complete,
    [property: Id(3)] int HashesCompared,
    [property: Id(4)] int LeavesDiffering,
    [property: Id(5)] int KeysDiffering,
    [property: Id(6)] int KeysRepaired,
    [property: Id(7)] int VersionSetsMoved,
    [property: Id(8)] long BytesMoved,
    [property: Id(9)] DateTimeOffset Finished)
{
    /// <summary>Why nothing was exchanged (fewer than two live replicas), or null.</summary>
    [Id(10)]
    public string? Skipped { get; init; }

    /// <summary>Tombstone sets purged (one per replica and key): every replica was confirmed to hold them and they were
    /// older than the grace period.</summary>
    [Id(11)]
    public int TombstonesPurged { get; init; }
}

/// <summary>The exchange of one range; key = the range number.</summary>
[Alias("grainkv.IAntiEntropyGrain")]
public interface IAntiEntropyGrain : IGrainWithIntegerKey
{
    /// <summary>Exchanges the range's live replicas now (waits for a running exchange of the range, then runs one).
    /// <see cref="ExchangeResult.Complete"/> tells whether every replica of the preference list took part.</summary>
    [Alias("ExchangeNow")]
    Task<ExchangeResult> ExchangeNow(CancellationToken cancellationToken = default);

    /// <summary>Registers the range's reminder if it is not registered (idempotent).</summary>
    [Alias("Schedule")]
    Task Schedule(CancellationToken cancellationToken = default);

    /// <summary>The last exchange this range's grain completed since it was activated, or null.</summary>
    [Alias("LastExchange")]
    Task<ExchangeResult?> LastExchange(CancellationToken cancellationToken = default);
}

/// <summary>The exchanges of one range run by one node since it started: the last one and totals.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.RangeExchangeStatus")]
public sealed record RangeExchangeStatus(
    [property: Id(0)] int Range,
    [property: Id(1)] ExchangeResult Last,
    [property: Id(2)] long Exchanges,
    [property: Id(3)] long KeysRepaired,
    [property: Id(4)] long BytesMoved);
