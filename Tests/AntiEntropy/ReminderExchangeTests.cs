// Exchanges driven by Orleans reminders (in-memory reminder service): with a one-second period, a replica that
// missed a key gets it without any test or client asking for an exchange or a read.

using System.Text;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;

namespace GrainKV.Tests.AntiEntropy;

public sealed class ReminderExchangeTests
{
    private const int Ranges = 4;

    [Fact]
    public async Task RemindersRepairAReplicaWithoutBeingAsked()
    {
        await using var cluster = await GrainKvCluster.StartAsync(3, o =>
        {
            o.RangeCount = Ranges;
            o.ReadRepairChance = 0;
            o.AntiEntropy.AutomaticExchanges = true;
            o.AntiEntropy.ExchangePeriod = TimeSpan.FromSeconds(1);
        });
        var names = cluster.Cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        var keys = Enumerable.Range(0, 20).Select(i => Encoding.UTF8.GetBytes($"reminded-{i}")).ToArray();
        var version = new StoredVersion("writer-reminder/1", 1, VectorClock.Empty, 1, [1]);
        foreach (var key in keys)
        {
            foreach (var node in names.Take(2))
            {
                await cluster.Service<LocalReplicas>(cluster.SiloNamed(node)).ApplyAsync(KeyPartitioner.RangeOf(key, Ranges), key, [version]);
            }
        }

        var lagging = cluster.Service<LocalReplicas>(cluster.SiloNamed(names[2]));
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var key in keys)
                {
                    if ((await lagging.ReadAsync(KeyPartitioner.RangeOf(key, Ranges), key)).Length == 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(90),
            "the third replica holds every key");
    }
}
