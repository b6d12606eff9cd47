// What reads and writes decide alike before they call a replica: N and the quorum of a request (its options
// or the cluster defaults), the order replicas are asked in (this node, then its datacenter, then the others),
// and the request's one deadline.

using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Coordination;

/// <summary>Pure rules shared by <see cref="ReadCoordinator"/> and <see cref="WriteCoordinator"/>.</summary>
public static class RequestRules
{
    /// <summary>N (<paramref name="replicas"/> or the cluster's) and the answers required (<paramref name="acks"/> or
    /// <paramref name="defaultAcks"/>, at most N). Throws <see cref="InvalidRequestException"/> for an impossible pair.</summary>
    public static (int Replicas, int Required) Resolve(int? replicas, Acks? acks, int defaultReplicas, int defaultAcks)
    {
        var n = replicas ?? defaultReplicas;
        if (n < 1)
        {
            throw new InvalidRequestException($"N must be at least 1, not {n}.");
        }

        var required = acks?.Resolve(n) ?? Math.Min(defaultAcks, n);
        if (required < 1 || required > n)
        {
            throw new InvalidRequestException($"The quorum ({required}) must be between 1 and N ({n}).");
        }

        return (n, required);
    }

    /// <summary>The order replicas are asked in: <paramref name="local"/> (this node), then live nodes of
    /// <paramref name="localDatacenter"/>, then other live nodes, each in preference order, then the rest (which fail at
    /// once, but name themselves in the error). Without datacenter labels every node is in the local datacenter.</summary>
    public static List<string> ContactOrder(RingView view, IReadOnlyList<string> nodes, string local, string localDatacenter)
    {
        // Each node's group once, then the groups in order; no LINQ: this runs on every request.
        Span<byte> groups = nodes.Count <= 32 ? stackalloc byte[nodes.Count] : new byte[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            groups[i] = node == local ? (byte)0 : !view.IsLive(node) ? (byte)3 : view.DatacenterOf(node) == localDatacenter ? (byte)1 : (byte)2;
        }

        var ordered = new List<string>(nodes.Count);
        for (byte group = 0; group < 4; group++)
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                if (groups[i] == group)
                {
                    ordered.Add(nodes[i]);
                }
            }
        }

        return ordered;
    }

    /// <summary>The order standbys stand in for <paramref name="owners"/> (replicas down or silent, in order): for each
    /// owner in turn, the first standby not yet chosen in the owner's datacenter (else the first not yet chosen), then the
    /// remaining standbys in their order. So with standbys asked in this order and owners handed out in theirs, a down
    /// replica's hinted copy stays in its datacenter where one of its nodes can take it. Without datacenter labels this
    /// is <paramref name="standbys"/> unchanged.</summary>
    public static List<string> StandbyOrder(RingView view, IReadOnlyList<string> standbys, IEnumerable<string> owners)
    {
        var remaining = standbys.ToList();
        var ordered = new List<string>(remaining.Count);
        foreach (var owner in owners)
        {
            if (remaining.Count == 0)
            {
                break;
            }

            var datacenter = view.DatacenterOf(owner);
            var index = remaining.FindIndex(s => view.DatacenterOf(s) == datacenter);
            index = index < 0 ? 0 : index;
            ordered.Add(remaining[index]);
            remaining.RemoveAt(index);
        }

        ordered.AddRange(remaining);
        return ordered;
    }
}

/// <summary>The one deadline of a request: <c>RequestTimeout</c> from when the coordinator took it. Every round of a
/// request runs within it (an overwrite's write, and the read and second write that may follow it).</summary>
public readonly struct RequestDeadline(TimeProvider time, TimeSpan timeout)
{
    private readonly long _started = time.GetTimestamp();

    /// <summary>What is left of the deadline (zero once it has passed).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = timeout - time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }
}
