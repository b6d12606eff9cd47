// Whether this node serves its ranges now: what the HTTP endpoint's /healthz reports (200 when ready, 503
// otherwise), for load balancers and Kubernetes readiness probes. The node is ready when
//   - the silo is active (its lifecycle reached Active and has not begun to stop),
//   - its storage engine is open,
//   - it is on its own ring view and live there (a joining node, which streams the ranges it will own, is not yet),
//   - and no hold is in place.
// A hold is the hook for work that must finish before the node may serve: code that starts such work calls
// Hold(name, reason) and disposes the returned handle when done (or calls Release(name)); while any hold is
// in place the node reports not ready, with each hold's reason. A bootstrap that streams a new node's
// ranges to it, for instance, holds "bootstrap" until its ranges are in.

using System.Collections.Concurrent;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;

namespace GrainKV.Grains.Health;

/// <summary>This node's readiness to serve, and the holds other code can place on it.</summary>
public sealed class NodeReadiness : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<string, string> _holds = new(StringComparer.Ordinal);
    private readonly NodeIdentity _node;
    private readonly LocalStore _store;
    private readonly RingService _ring;
    private volatile bool _active;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeReadiness(NodeIdentity node, LocalStore store, RingService ring)
    {
        _node = node;
        _store = store;
        _ring = ring;
        _ring.Changed += _ => Signal();
    }

    /// <summary>Marks the node not ready until the returned handle is disposed. <paramref name="name"/> identifies the
    /// hold (a second hold with the same name replaces the first's reason); <paramref name="reason"/> is reported.</summary>
    public IDisposable Hold(string name, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _holds[name] = reason;
        Signal();
        return new Handle(this, name);
    }

    /// <summary>Removes the hold named <paramref name="name"/> (nothing happens if there is none).</summary>
    public void Release(string name)
    {
        if (_holds.TryRemove(name, out _))
        {
            Signal();
        }
    }

    /// <summary>Completes when the node is ready: at once if it is now, else at the first change (of the ring view, the
    /// holds or the silo's lifecycle) after which it is.</summary>
    public async Task WhenReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the check, so a change that lands between the check and the wait is not missed.
            var changed = Volatile.Read(ref _changed).Task;
            if (Check().Ready)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Whether the node is ready now, and if not, why.</summary>
    public ReadinessReport Check()
    {
        var reasons = new List<string>();
        if (!_active)
        {
            reasons.Add("the silo is not active");
        }

        if (!_store.IsOpen)
        {
            reasons.Add("the storage engine is not open");
        }

        var view = _ring.Current;
        if (view.Joining.ContainsKey(_node.NodeId))
        {
            reasons.Add("bootstrapping: the node is joining the ring and streams the ranges it will own");
        }
        else if (!view.Nodes.TryGetValue(_node.NodeId, out var self))
        {
            reasons.Add("the node is not on the ring");
        }
        else if (!self.IsLive)
        {
            reasons.Add("the ring does not see the node as live");
        }

        foreach (var (name, reason) in _holds.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            reasons.Add($"{name}: {reason}");
        }

        return new ReadinessReport(reasons.Count == 0, _node.NodeId, reasons);
    }

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
        nameof(NodeReadiness),
        ServiceLifecycleStage.Active,
        _ =>
        {
            _active = true;
            Signal();
            return Task.CompletedTask;
        },
        _ =>
        {
            // Stopping begins here (Active is the first stage to stop): the node stops reporting ready at once.
            _active = false;
            Signal();
            return Task.CompletedTask;
        });

    /// <summary>Wakes every <see cref="WhenReadyAsync"/> waiter to check again.</summary>
    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private sealed class Handle(NodeReadiness readiness, string name) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                readiness.Release(name);
            }
        }
    }
}

/// <summary>A readiness check's result.</summary>
/// <param name="Ready">True when the node serves its ranges.</param>
/// <param name="NodeId">The node checked.</param>
/// <param name="Reasons">Why it is not ready (empty when ready).</param>
public sealed record ReadinessReport(bool Ready, string NodeId, IReadOnlyList<string> Reasons);
