// Waiting for a quorum: the first `required` successful answers among the replica calls, within a
// timeout. Returns as soon as the quorum is met; gives up as soon as it can no longer be met.

using GrainKV.Grains.Membership;

namespace GrainKV.Grains.Coordination;

/// <summary>One replica's answer (or failure) to a coordinator's call.</summary>
public readonly record struct ReplicaAnswer<T>(string NodeId, T Value);

/// <summary>Collects replica answers until a quorum is reached.</summary>
public static class QuorumWait
{
    /// <summary>Waits for <paramref name="required"/> successes among <paramref name="calls"/>.
    /// Throws <see cref="NotEnoughReplicasException"/> if fewer succeed before <paramref name="timeout"/>.</summary>
    public static async Task<List<ReplicaAnswer<T>>> WaitAsync<T>(
        IReadOnlyList<Task<ReplicaAnswer<T>>> calls, int required, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var successes = new List<ReplicaAnswer<T>>(calls.Count);
        var errors = new List<string>();
        var pending = new List<Task>(calls);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = Task.Delay(timeout, time, stop.Token);
        pending.Add(deadline);
        while (successes.Count < required && calls.Count - errors.Count >= required)
        {
            var done = await Task.WhenAny(pending);
            if (done == deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                errors.Add($"timed out after {timeout.TotalMilliseconds:0} ms");
                break;
            }

            pending.Remove(done);
            var call = (Task<ReplicaAnswer<T>>)done;
            if (call.IsCompletedSuccessfully)
            {
                successes.Add(call.Result);
            }
            else
            {
                errors.Add(call.Exception?.InnerException?.Message ?? "cancelled");
            }
        }

        stop.Cancel();
        if (successes.Count < required)
        {
            throw new NotEnoughReplicasException(required, successes.Count, string.Join("; ", errors.Distinct()));
        }

        return successes;
    }

    /// <summary>Calls <paramref name="call"/> on <paramref name="node"/>, or fails at once if the node is not live.</summary>
    public static Task<ReplicaAnswer<T>> Call<T>(RingView ring, string node, Func<IReplicaGrain, Task<T>> call, IGrainFactory grains, int range)
    {
        if (!ring.IsLive(node))
        {
            return Task.FromException<ReplicaAnswer<T>>(new ReplicaUnavailableException(node, $"node '{node}' is down"));
        }

        return Wrap(node, call(grains.GetGrain<IReplicaGrain>(ReplicaKey.Format(node, range))));
    }

    private static async Task<ReplicaAnswer<T>> Wrap<T>(string node, Task<T> call) => new(node, await call);
}
