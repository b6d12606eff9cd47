// Bounds what streaming costs this node, so foreground requests keep their latency: at most MaxConcurrentRanges
// ranges stream at once (others wait for a slot), and all of them together receive at most MaxBytesPerSecond (a
// token bucket holding one second's worth; a batch that overdraws it waits, on the GrainKV clock, until the debt is
// paid back).

using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Streaming;

/// <summary>This node's streaming slots and byte budget.</summary>
public sealed class StreamThrottle
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _time;
    private readonly double _bytesPerSecond;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _refilledAt;

    public StreamThrottle(IOptions<GrainKvNodeOptions> options, GrainKvClock clock)
    {
        var o = options.Value.Streaming;
        _slots = new SemaphoreSlim(o.MaxConcurrentRanges, o.MaxConcurrentRanges);
        _time = clock.Time;
        _bytesPerSecond = o.MaxBytesPerSecond;
        _tokens = _bytesPerSecond;
        _refilledAt = _time.GetTimestamp();
    }

    /// <summary>Waits for a range slot; dispose the result to give it back.</summary>
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
