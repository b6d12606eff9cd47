// Two live silos with one node id would merge into one ring node and share its replicas: the second one
// refuses to start, saying why in one line.

using GrainKV.Grains.Membership;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Cluster;

public sealed class DuplicateNodeTests
{
    [Fact]
    public async Task ASecondLiveSiloWithTheSameNodeIdRefusesToStart()
    {
        // The third silo to start claims the first one's node id (with a data directory of its own).
        await using var cluster = await GrainKvCluster.StartAsync(2, o =>
        {
            if (o.NodeId == "Silo_2")
            {
                o.NodeId = "Silo_0";
            }
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Cluster.StartAdditionalSiloAsync());
        var duplicate = FindInner<DuplicateNodeException>(error);
        Assert.NotNull(duplicate);
        Assert.Contains("Node id 'Silo_0' is already in use by the live silo", duplicate.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', duplicate.Message);

        // The cluster goes on with its two nodes.
        await cluster.WaitForRingAsync(2, 2);
        await cluster.Client.PutAsync("still-two", "nodes");
        Assert.True((await cluster.Client.GetAsync("still-two")).Found);
    }

    private static T? FindInner<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }

            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindInner<T>(inner) is { } nested)
                    {
                        return nested;
                    }
                }
            }
        }

        return null;
    }
}
