// Waiting for a quorum: the first `required` successful answers among calls to replicas, within a
// timeout. A round may start by asking only some of its candidate nodes: each failure then asks the next
// candidate at once, and when the quorum is still short after the speculation delay every remaining
// candidate is asked. The round returns as soon as the quorum is met and gives up as soon as it can no
// longer be met.

using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Coordination;

/// <summary>One replica's answer to a coordinator's call.</summary>
public readonly record struct ReplicaAnswer<T>(string NodeId, T Value);

/// <summary>How a quorum round asks its candidates.</summary>
/// <param name="Required">Successful answers needed.</param>
/// <param name="Initial">Candidates asked at once (the rest are asked on failures or after <paramref name="SpeculateAfter"/>).</param>
/// <param name="SpeculateAfter">When to ask every remaining candidate if the quorum is still short; null: only on failures.</param>
public readonly record struct QuorumPlan(int Required, int Initial, TimeSpan? SpeculateAfter = null);

/// <summary>Collects replica answers until a quorum is reached.</summary>
public static class QuorumWait
{
    /// <summary>Calls <paramref name="nodes"/> in order as <paramref name="plan"/> says and waits for its quorum.
    /// Every call started is added to <paramref name="started"/> (for work that continues after the quorum).
    /// Throws <see cref="NotEnoughReplicasException"/> if fewer succeed before <paramref name="timeout"/>.</summary>
    public static async Task<List<ReplicaAnswer<T>>> WaitAsync<T>(
        RingView ring, IReadOnlyList<string> nodes, Func<string, Task<T>> call, QuorumPlan plan,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, List<Task<ReplicaAnswer<T>>> started)
    {
        var successes = new List<ReplicaAnswer<T>>(plan.Required);
        List<string>? errors = null;
        var pending = new List<Task>(nodes.Count + 2);
        var next = 0;
        var inFlight = 0;

        void AskNext()
        {
            var task = Call(ring, nodes[next++], call);
            started.Add(task);
            pending.Add(task);
            inFlight++;
        }

        while (next < Math.Min(plan.Initial, nodes.Count))
        {
            AskNext();
        }

        // Made with the first timer: a round answered at once (a local read) needs neither.
        CancellationTokenSource? stop = null;
        CancellationToken StopToken() => (stop ??= cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource()).Token;

        // One timer at a time: the speculation delay first (when the plan has one and candidates are left),
        // then the rest of the timeout. A read that is answered before either pays for one timer, not two.
        Task? timer = null;
        var speculating = false;
        long timerStarted = 0;
        while (successes.Count < plan.Required && successes.Count + inFlight + (nodes.Count - next) >= plan.Required)
        {
            // Answers that are already in (local reads, fail-fast calls) need no timer.
            var done = pending.Find(t => t.IsCompleted);
            if (done is null)
            {
                if (timer is null)
                {
                    TimeSpan? speculateAfter = plan.SpeculateAfter is { } delay && next < nodes.Count && delay < timeout ? delay : null;
                    speculating = speculateAfter is not null;
                    timerStarted = time.GetTimestamp();
                    timer = Task.Delay(speculateAfter ?? timeout, time, StopToken());
                    pending.Add(timer);
                }

                done = await Task.WhenAny(pending);
            }

            pending.Remove(done);
            if (done == timer)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!speculating)
                {
                    (errors ??= []).Add($"timed out after {timeout.TotalMilliseconds:0} ms");
                    break;
                }

                // The rest of the timeout is scheduled before the remaining candidates are asked, so that it counts from
                // the round's start even if the clock moves while they are being asked.
                speculating = false;
                var left = timeout - time.GetElapsedTime(timerStarted);
                timer = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, StopToken());
                pending.Add(timer);
                while (next < nodes.Count)
                {
                    AskNext();
                }

                continue;
            }

            inFlight--;
            var answer = (Task<ReplicaAnswer<T>>)done;
            if (answer.IsCompletedSuccessfully)
            {
                successes.Add(answer.Result);
            }
            else
            {
                (errors ??= []).Add(answer.Exception?.InnerException?.Message ?? "cancelled");
                if (next < nodes.Count)
                {
                    AskNext();
                }
            }
        }

        if (stop is not null)
        {
            stop.Cancel();
            stop.Dispose();
        }

        if (successes.Count < plan.Required)
        {
            throw new NotEnoughReplicasException(plan.Required, successes.Count, string.Join("; ", (errors ?? []).Distinct()));
        }

        return successes;
    }

    /// <summary>Calls <paramref name="call"/> for <paramref name="node"/>, or fails at once if the node is not live.</summary>
    private static Task<ReplicaAnswer<T>> Call<T>(RingView ring, string node, Func<string, Task<T>> call)
    {
        if (!ring.IsLive(node))
        {
            return Task.FromException<ReplicaAnswer<T>>(new ReplicaUnavailableException(node, $"node '{node}' is down"));
        }

        Task<T> task;
        try
        {
            task = call(node);
        }
        catch (Exception ex)
        {
            return Task.FromException<ReplicaAnswer<T>>(ex);
        }

        return task.IsCompletedSuccessfully ? Task.FromResult(new ReplicaAnswer<T>(node, task.Result)) : Wrap(node, task);
    }

    private static async Task<ReplicaAnswer<T>> Wrap<T>(string node, Task<T> call) => new(node, await call);
}
