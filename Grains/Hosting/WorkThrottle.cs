// Bounds what a kind of background work costs a node, so foreground requests keep their latency: at most a number
// of units run at once (others wait for a slot), and all of them together move at most a number of bytes per second
// (a token bucket holding one second's worth; work that overdraws it waits, on the GrainKV clock, until the debt is
// paid back). Anti-entropy exchanges (ExchangeThrottle) and range streaming (StreamThrottle) each have one.

namespace GrainKV.Grains.Hosting;

/// <summary>Slots and a byte budget for one kind of background work. Thread-safe.</summary>
public class WorkThrottle
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _time;
    private readonly double _bytesPerSecond;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _refilledAt;

    protected WorkThrottle(int slots, long bytesPerSecond, TimeProvider time)
    {
        _slots = new SemaphoreSlim(slots, slots);
        _time = time;
        _bytesPerSecond = bytesPerSecond;
        _tokens = _bytesPerSecond;
        _refilledAt = _time.GetTimestamp();
    }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    /// <summary>Counts <paramref name="bytes"/> against the budget; completes when the budget allows going on.</summary>
    public Task SpendAsync(long bytes, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_bytesPerSecond, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _bytesPerSecond));
            _refilledAt = now;
            _tokens -= bytes;
            wait = _tokens < 0 ? TimeSpan.FromSeconds(-_tokens / _bytesPerSecond) : TimeSpan.Zero;
        }

        return wait > TimeSpan.Zero ? Task.Delay(wait, _time, cancellationToken) : Task.CompletedTask;
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private SemaphoreSlim? _slots = slots;

        public void Dispose() => Interlocked.Exchange(ref _slots, null)?.Release();
    }
}
