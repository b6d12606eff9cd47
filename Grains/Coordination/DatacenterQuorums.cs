// What the per-datacenter consistency levels mean for one request, with no calls and no clock: which replicas'
// answers count together (a group per datacenter), how many each group needs (a majority of its replicas), the
// fail-fast check against the replicas known down, and waiting for every group while failing on the first that
// falls short. LOCAL_QUORUM has one group, the coordinator's datacenter; EACH_QUORUM one per datacenter holding
// replicas of the key. Stand-ins (sloppy quorum) never count toward these levels.

using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Coordination;

/// <summary>Replicas of one datacenter whose answers count together, and how many of them must answer.</summary>
public sealed record QuorumGroup(string Datacenter, IReadOnlyList<string> Nodes, int Required);

/// <summary>Pure rules of LOCAL_QUORUM and EACH_QUORUM, and the choice between a level and an explicit count.</summary>
public static class DatacenterQuorums
{
    /// <summary>The answers a request requires when it does not count per datacenter: its explicit count, or its level's.
    /// Throws <see cref="InvalidRequestException"/> when it sets both.</summary>
    /// <param name="explicitAcks">R or W as the request set it.</param>
    /// <param name="level">The request's consistency level.</param>
    /// <param name="name">"R" or "W", for the error.</param>
    public static Acks? AcksOf(Acks? explicitAcks, ConsistencyLevel? level, string name)
    {
        if (level is not { } named)
        {
            return explicitAcks;
        }

        if (explicitAcks is { } acks)
        {
            throw new InvalidRequestException($"A request sets {name} or a consistency level, not both ({name}={acks}, {named.Name()}).");
        }

        if (!Enum.IsDefined(named))
        {
            throw new InvalidRequestException($"Unknown consistency level {(int)named}.");
        }

        return named.IsPerDatacenter() ? null : named.ToAcks();
    }

    /// <summary>The groups of <paramref name="replicas"/> (a key's preference list) that <paramref name="level"/> counts.
    /// Throws <see cref="DatacenterQuorumException"/> when LOCAL_QUORUM finds no replica in <paramref name="localDatacenter"/>.</summary>
    public static IReadOnlyList<QuorumGroup> Groups(RingView view, IReadOnlyList<string> replicas, ConsistencyLevel level, string localDatacenter)
    {
        var groups = new List<QuorumGroup>();
        foreach (var datacenter in replicas.Select(view.DatacenterOf).Distinct(StringComparer.Ordinal))
        {
            if (level == ConsistencyLevel.EachQuorum || datacenter == localDatacenter)
            {
                var nodes = replicas.Where(n => view.DatacenterOf(n) == datacenter).ToArray();
                groups.Add(new QuorumGroup(datacenter, nodes, nodes.Length / 2 + 1));
            }
        }

        if (groups.Count == 0)
        {
            throw new DatacenterQuorumException(
                level, localDatacenter, 1, 0, knownBeforehand: true, $"The datacenter holds none of the key's {replicas.Count} replica(s).");
        }

        return groups;
    }

    /// <summary>Fails at once, before any replica is asked, when a group has fewer live replicas than its quorum.</summary>
    public static void ThrowIfShort(RingView view, IReadOnlyList<QuorumGroup> groups, ConsistencyLevel level)
    {
        foreach (var group in groups)
        {
            var live = group.Nodes.Count(view.IsLive);
            if (live < group.Required)
            {
                var down = string.Join(", ", group.Nodes.Where(n => !view.IsLive(n)));
                throw new DatacenterQuorumException(level, group.Datacenter, group.Required, live, knownBeforehand: true, $"Down: {down}.");
            }
        }
    }

    /// <summary>Starts <paramref name="wait"/> for every group and collects their answers; the first group that falls
    /// short ends the request at once with <see cref="DatacenterQuorumException"/> (the other groups' calls go on).</summary>
    /// <param name="groups">The request's groups.</param>
    /// <param name="level">The request's level, for the error.</param>
    /// <param name="wait">One group's quorum wait.</param>
    /// <param name="credit">Answers a group already has before its wait (a write's creator in that group).</param>
    public static async Task<List<ReplicaAnswer<T>>> WaitAllAsync<T>(
        IReadOnlyList<QuorumGroup> groups, ConsistencyLevel level, Func<QuorumGroup, Task<List<ReplicaAnswer<T>>>> wait, Func<QuorumGroup, int> credit)
    {
        var waits = new Dictionary<Task<List<ReplicaAnswer<T>>>, QuorumGroup>(groups.Count);
        foreach (var group in groups)
        {
            waits[wait(group)] = group;
        }

        var answers = new List<ReplicaAnswer<T>>();
        var pending = waits.Keys.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            var group = waits[done];
            try
            {
                answers.AddRange(await done);
            }
            catch (NotEnoughReplicasException ex)
            {
                throw new DatacenterQuorumException(level, group.Datacenter, group.Required, ex.Answered + credit(group), knownBeforehand: false, ex.Message);
            }
        }

        return answers;
    }
}
