// What a load against a cluster was told succeeded: every acknowledged blind value per key (with when it was
// acknowledged) and the highest acknowledged counter per key, plus per-kind counts of successful and failed
// operations (failures by exception type). Thread-safe; a checker compares it with what the cluster returns
// afterwards.

using System.Collections.Concurrent;
using System.Diagnostics;

namespace GrainKV.Tests.Infrastructure;

public sealed class AcknowledgedWrites
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Value, TimeSpan At)>> _blind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ok = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _failed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _regressions = new();

    /// <summary>Time since this record was created; acknowledgements are stamped with it.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Acknowledged blind values per key, each with the time it was acknowledged.</summary>
    public IReadOnlyDictionary<string, ConcurrentQueue<(string Value, TimeSpan At)>> BlindValues => _blind;

    /// <summary>Highest acknowledged counter value per key.</summary>
    public IReadOnlyDictionary<string, long> CounterMaxima => _counters;

    public int BlindCount => _blind.Values.Sum(q => q.Count);

    /// <summary>Reads during the load that returned a counter below one acknowledged before the read began.</summary>
    public IReadOnlyCollection<string> Regressions => _regressions;

    public void BlindAcknowledged(string key, string value)
    {
        _blind.GetOrAdd(key, _ => new ConcurrentQueue<(string, TimeSpan)>()).Enqueue((value, _clock.Elapsed));
        Succeeded("blind put");
    }

    /// <summary>A rising value of <paramref name="key"/> acknowledged (by a <paramref name="kind"/> of write).</summary>
    public void CounterAcknowledged(string key, long value, string kind = "counter put")
    {
        _counters.AddOrUpdate(key, value, (_, current) => Math.Max(current, value));
        Succeeded(kind);
    }

    public long CounterMaximum(string key) => _counters.TryGetValue(key, out var value) ? value : 0;

    public void Succeeded(string kind) => _ok.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Failed(string kind, Exception error) =>
        _failed.AddOrUpdate($"{kind}: {error.GetType().Name}", 1, (_, n) => n + 1);

    public void Regressed(string description) => _regressions.Enqueue(description);

    public long SucceededCount(string kind) => _ok.TryGetValue(kind, out var n) ? n : 0;

    public long FailedCount(string kind) => _failed.Where(e => e.Key.StartsWith(kind + ":", StringComparison.Ordinal)).Sum(e => e.Value);

    /// <summary>One line per kind of operation and per kind of failure.</summary>
    public string Summary() => string.Join(
        "\n",
        _ok.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"ok     {e.Key}: {e.Value}")
            .Concat(_failed.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"failed {e.Key}: {e.Value}")));
}
