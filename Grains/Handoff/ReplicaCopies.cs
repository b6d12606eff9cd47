// Copies of a key's version set to other replicas, sent by coordinators (the copies of a write, read
// repair, sloppy-quorum hand-offs) and bounded per destination: at most MaxCopiesInFlightPerNode copies to
// one node are in flight at once from this node. A copy that finds its destination at the limit waits for a
// slot, at most RequestTimeout (back-pressure: a burst of writes to a healthy node is slowed, not failed),
// so a slow or dead replica cannot pile up more than that much work. A copy that fails, times out or waited
// in vain is not lost: it is kept as a durable hint for its replica (HintStore) and counted in a metric;
// HintDelivery sends it once the replica answers again.

using System.Collections.Concurrent;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Options;
using GrainKV.Versioning;

namespace GrainKV.Grains.Handoff;

/// <summary>Sends version sets to replicas, keeping what does not arrive as hints.</summary>
public sealed class ReplicaCopies(ReplicaRouter router, HintStore hints, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, GrainKvMetrics metrics)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);
    private readonly int _limit = options.Value.MaxCopiesInFlightPerNode;
    private readonly TimeSpan _timeout = options.Value.RequestTimeout;

    /// <summary>Copies in flight to <paramref name="node"/> now.</summary>
    public int InFlight(string node) => _slots.TryGetValue(node, out var slots) ? _limit - slots.CurrentCount : 0;

    /// <summary>Sends <paramref name="versions"/> of <paramref name="key"/> to <paramref name="node"/>'s replica. The task
    /// completes when the replica acknowledged (true when it held no version they miss: ReplicaRouter.Apply) or
    /// the copy was kept as a hint instead (it then faults, so a quorum counts it as missing). It never stays pending
    /// past the request timeout.</summary>
    public Task<bool> SendAsync(string node, int range, byte[] key, StoredVersion[] versions) =>
        SendBoundedAsync(node, node, range, key, versions, () => router.Apply(node, range, key, versions));

    /// <summary>Sloppy quorum: hands <paramref name="owner"/>'s copy to <paramref name="fallback"/>, a healthy node past the
    /// key's top N, which keeps it as a hint for the owner. Completes true once the fallback kept it; otherwise the copy
    /// is kept as a hint on this node and the task faults.</summary>
    public Task<bool> HandOffAsync(string fallback, string owner, int range, byte[] key, StoredVersion[] versions) =>
        SendBoundedAsync(fallback, owner, range, key, versions, () => router.StoreHint(fallback, owner, range, key, versions));

    private Task<bool> SendBoundedAsync(string destination, string owner, int range, byte[] key, StoredVersion[] versions, Func<Task<bool>> send)
    {
        var slots = _slots.GetOrAdd(destination, _ => new SemaphoreSlim(_limit, _limit));
        return slots.Wait(0)
            ? SendCountedAsync(slots, owner, range, key, versions, send)
            : WaitForSlotAsync(slots, destination, owner, range, key, versions, send);
    }

    /// <summary>The destination has <see cref="GrainKvNodeOptions.MaxCopiesInFlightPerNode"/> copies in flight: waits for
    /// one of them to end, at most the request timeout, then sends; keeps the copy as a hint if no slot came.</summary>
    private async Task<bool> WaitForSlotAsync(
        SemaphoreSlim slots, string destination, string owner, int range, byte[] key, StoredVersion[] versions, Func<Task<bool>> send)
    {
        using var timeout = new CancellationTokenSource(_timeout, clock.Time);
        try
        {
            await slots.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            metrics.CopiesDeferred.Add(1);
            return await HintInsteadAsync(owner, range, key, versions, new ReplicaUnavailableException(
                destination, $"node '{destination}' had {_limit} copies in flight for {_timeout.TotalMilliseconds:0} ms; the copy is kept as a hint"));
        }

        return await SendCountedAsync(slots, owner, range, key, versions, send);
    }

    private async Task<bool> SendCountedAsync(SemaphoreSlim slots, string owner, int range, byte[] key, StoredVersion[] versions, Func<Task<bool>> send)
    {
        try
        {
            var acknowledged = await send().WaitAsync(_timeout, clock.Time);
            metrics.CopiesSent.Add(1);
            return acknowledged;
        }
        catch (Exception ex)
        {
            metrics.CopiesFailed.Add(1);
            return await HintInsteadAsync(owner, range, key, versions, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<bool> HintInsteadAsync(string owner, int range, byte[] key, StoredVersion[] versions, Exception reason)
    {
        await hints.AddAsync(owner, range, key, versions);
        throw reason is TimeoutException ? new ReplicaUnavailableException(owner, $"node '{owner}' did not answer in time") : reason;
    }
}
