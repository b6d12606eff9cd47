// Shared helpers for the ring tests: node sets, per-node load, the set of node ids of a list, and the join-movement check.

using GrainKV.Grains.Ring;

namespace GrainKV.Tests.Ring;

internal static class RingFixtures
{
    public static RingNode[] Nodes(int count, string prefix = "node-", params string[] datacenters) =>
        Enumerable.Range(0, count)
            .Select(i => new RingNode($"{prefix}{i}", datacenters.Length == 0 ? "" : datacenters[i % datacenters.Length]))
            .ToArray();

    /// <summary>Eight nodes with ids drawn from a seeded generator.</summary>
    public static RingNode[] RandomNodes(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => new RingNode($"n{random.Next():x8}")).ToArray();

    /// <summary>How many range replicas each node holds (ranges whose top-N list contains it).</summary>
    public static Dictionary<string, int> ReplicaLoad(HashRing ring)
    {
        var load = ring.Nodes.ToDictionary(n => n.NodeId, _ => 0);
        for (var r = 0; r < ring.KeySpace.RangeCount; r++)
        {
            foreach (var node in ring.PreferenceList(r))
            {
                load[node.NodeId]++;
            }
        }

        return load;
    }

    /// <summary>Most loaded node's replica count divided by the mean.</summary>
    public static double Imbalance(HashRing ring)
    {
        var mean = (double)ring.KeySpace.RangeCount * Math.Min(ring.Options.ReplicationFactor, ring.Nodes.Count) / ring.Nodes.Count;
        return ReplicaLoad(ring).Values.Max() / mean;
    }

    public static HashSet<string> Ids(IEnumerable<RingNode> nodes) => nodes.Select(n => n.NodeId).ToHashSet();

    /// <summary>Adds <paramref name="added"/> to <paramref name="before"/> and checks that every range whose preference list
    /// changed now holds the new node, and gained no other.</summary>
    public static void AssertJoinMovesOnlyToTheNewNode(HashRing before, RingNode added)
    {
        var after = before.WithNode(added);
        for (var r = 0; r < before.KeySpace.RangeCount; r++)
        {
            var old = Ids(before.PreferenceList(r));
            var now = Ids(after.PreferenceList(r));
            Assert.True(old.SetEquals(now) || now.Contains(added.NodeId), $"range {r} changed without {added}");
            Assert.True(now.Except(old).Count() <= 1);
        }
    }
}
