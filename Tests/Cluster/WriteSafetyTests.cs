// Acknowledged writes survive the failures that used to lose them, each made to happen deterministically
// with the fault layer (ReplicaFaults) and with restarts of a node whose Buffered log lost its unsynced
// tail (its data directory as it was on disk while running, as after a kill -9):
// - a copy carries the creator's whole version set, not only the new version;
// - what a replica returned survives its crash; a node that lost its tail issues dots nobody has seen;
// - clock truncation never makes a node reuse a dot; a context only applies to the key it was read from;
// - a creator that does not answer in time ends the write instead of a second node creating it again;
// - copies are bounded per destination, and every copy that is not delivered is kept as a hint and
//   delivered later.

using System.Text;
using GrainKV.Grains.Faults;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Replicas;
using GrainKV.Partitioning;
using GrainKV.Storage;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Orleans.TestingHost;
using GrainKV.Versioning;

namespace GrainKV.Tests.Cluster;

/// <summary>Three nodes with a Buffered log that commits only when asked (or once a minute), hint delivery
/// only when a test asks for it, two clock entries at most and at most four copies in flight per node.</summary>
public sealed class WriteSafetyTests(WriteSafetyClusterFixture fixture) : IClassFixture<WriteSafetyClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly ReadOptions ReadAll = new() { ReadQuorum = Acks.All };
    private static readonly WriteOptions WriteAll = new() { WriteQuorum = Acks.All };

    private GrainKvCluster Cluster => fixture.Cluster;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in Cluster.Cluster.Silos)
        {
            Cluster.Service<ReplicaFaults>(silo).Clear();
        }

        // Leave no hint behind for the next test.
        await Cluster.WaitForRingAsync(3, 3);
        foreach (var silo in Cluster.Cluster.Silos)
        {
            await Cluster.Service<HintDelivery>(silo).DeliverAsync();
        }
    }

    [Fact]
    public async Task ACopyCarriesTheCreatorsWholeVersionSet()
    {
        var (_, b, _) = Nodes();
        var key = Bytes("whole-set");
        OnlyTheFirstNodeCreates();
        var missB = OnEveryNode(FaultRule.Fail(b, ReplicaOperation.Apply))[0];

        // P1 reaches a and c only; P2 (no context: a sibling of P1) reaches every replica.
        await Cluster.Client.PutAsync(key, Bytes("p1"));
        RemoveEverywhere(missB);
        await Cluster.Client.PutAsync(key, Bytes("p2"), options: WriteAll);

        // b holds a's second dot, so a context read from b covers a's first: b must hold P1 too.
        var onB = await ReplicaOn(b, key);
        Assert.Equal(["p1", "p2"], onB.Select(v => Text(v.Value!)).Order());
    }

    [Fact]
    public async Task AVersionAReplicaReturnedSurvivesTheReplicasCrash()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("read-then-crash");
        OnlyTheFirstNodeCreates();
        OnEveryNode(FaultRule.Fail(b, ReplicaOperation.Apply), FaultRule.Fail(c, ReplicaOperation.Apply));
        await Cluster.Client.PutAsync(key, Bytes("only-on-a"), options: new WriteOptions { WriteQuorum = Acks.One });

        // The read returns the version; a crash right after it must not take the version away.
        Assert.Equal("only-on-a", Text(Assert.Single(await ReplicaOn(a, key)).Value!));
        await Cluster.CrashAndRestartAsync(a);

        Assert.Equal("only-on-a", Text(Assert.Single(await ReplicaOn(a, key)).Value!));
    }

    [Fact]
    public async Task ANodeThatLostItsUnsyncedTailNeverReusesADot()
    {
        var (a, b, c) = Nodes();
        var key = Bytes("lost-tail");
        OnlyTheFirstNodeCreates();
        var missC = OnEveryNode(FaultRule.Fail(c, ReplicaOperation.Apply))[0];

        // V1 is acknowledged by a and b; a then crashes with V1 still in its unsynced log tail.
        await Cluster.Client.PutAsync(key, Bytes("v1"));
        var v1 = Assert.Single(await ReplicaOn(b, key));
        await Cluster.CrashAndRestartAsync(a);
        Assert.Empty(await ReplicaOn(a, key));

        // a creates V2, a blind write: it must not take V1's dot, and both are acknowledged siblings.
        RemoveEverywhere(missC);
        OnlyTheFirstNodeCreates();
        await Cluster.Client.PutAsync(key, Bytes("v2"), options: WriteAll);

        var read = await Cluster.Client.GetAsync(key, ReadAll);
        Assert.Equal(["v1", "v2"], read.Values.Select(Text).Order());
        var v2 = Assert.Single(await ReplicaOn(c, key), v => Text(v.Value!) == "v2");
        Assert.NotEqual(v1.Node, v2.Node);
        Assert.StartsWith(a + "/", v2.Node, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedClocksNeverMakeANodeReuseADot()
    {
        // Clocks keep two entries here (one past entry per version). The history below leaves node a with a
        // version set whose clocks no longer mention a, although a issued a dot for the key before.
        var (a, b, c) = Nodes();
        var key = Bytes("truncation");
        var range = RangeOf(key);
        var onA = Cluster.Service<LocalReplicas>(Cluster.SiloNamed(a));
        var onB = Cluster.Service<LocalReplicas>(Cluster.SiloNamed(b));
        var onC = Cluster.Service<LocalReplicas>(Cluster.SiloNamed(c));

        var x = await onA.CoordinateAsync(range, key, Bytes("x"), CausalContext.Empty);      // (a,1)
        await onB.ApplyAsync(range, key, x);
        await onC.ApplyAsync(range, key, x);
        var w = await onB.CoordinateAsync(range, key, Bytes("w"), ContextOf(key, x));      // supersedes x
        await onA.ApplyAsync(range, key, w);
        var v = await onB.CoordinateAsync(range, key, Bytes("v"), ContextOf(key, [.. x, .. w])); // past truncated to {b}
        await onA.ApplyAsync(range, key, v);
        await onC.ApplyAsync(range, key, v);
        Assert.DoesNotContain(await onA.ReadAsync(range, key), s => s.Past.CounterOf(x[0].Node) > 0 || s.Node == x[0].Node);

        // a writes again without context: its dot must be new, so c (which still holds x, as truncation let it
        // come back as a sibling) keeps both.
        var y = await onA.CoordinateAsync(range, key, Bytes("y"), CausalContext.Empty);
        await onC.ApplyAsync(range, key, y);
        var values = (await onC.ReadAsync(range, key)).Select(s => Text(s.Value!)).Order().ToArray();
        Assert.Contains("y", values);
        Assert.Contains("x", values);
    }

    [Fact]
    public async Task AContextOnlyAppliesToTheKeyItWasReadFrom()
    {
        var client = Cluster.Client;
        await client.PutAsync("context-source", "s");
        await client.PutAsync("context-target", "t");
        var foreign = (await client.GetAsync("context-source")).Context;

        await Assert.ThrowsAsync<ContextMismatchException>(() => client.PutAsync("context-target", "overwritten", foreign));
        await Assert.ThrowsAsync<ContextMismatchException>(() => client.DeleteAsync("context-target", foreign));
        Assert.Equal("t", Text(Assert.Single((await client.GetAsync("context-target", ReadAll)).Values)));
    }

    [Fact]
    public async Task ACreatorThatDoesNotAnswerInTimeEndsTheWriteInsteadOfASecondCreator()
    {
        var (a, _, _) = Nodes();
        var key = Bytes("slow-creator");
        var hold = OnEveryNode(FaultRule.Hold(a, ReplicaOperation.Coordinate))[0];

        // The coordinator runs on a (a stateless worker called from a's silo), so a is asked first.
        var grains = Cluster.Service<IGrainFactory>(Cluster.SiloNamed(a));
        var coordinator = EntryGrains.KeyRangeGrainOf(grains);
        await Assert.ThrowsAsync<RequestTimeoutException>(() => coordinator.Put(RangeOf(key), key, Bytes("once"), CausalContext.Empty, WriteOptions.Default));

        // The held creation goes ahead late; the write exists at most once.
        hold.Release();
        await Eventually.HoldsAsync(async () => (await ReplicaOn(a, key)).Length == 1, Bound, "the late creation reached a");
        var read = await Cluster.Client.GetAsync(key, ReadAll);
        Assert.Equal("once", Text(Assert.Single(read.Values)));
    }

    [Fact]
    public async Task CopiesPastThePerNodeLimitWaitThenBecomeHintsAndAreDeliveredLater()
    {
        var (a, _, c) = Nodes();
        var keys = Enumerable.Range(0, 12).Select(i => Bytes($"bounded-{i}")).ToArray();
        OnEveryNode(FaultRule.Fail(c, ReplicaOperation.Coordinate));
        var stall = OnEveryNode(FaultRule.Hold(c, ReplicaOperation.Apply));
        var coordinator = Cluster.SiloNamed(a);
        using var deferred = new MetricCollector<long>(Cluster.Service<GrainKvMetrics>(coordinator).Meter, "grainkv.replica_copies.deferred");

        // Every copy to c hangs; W=2 is met without c, so every write is acknowledged. All are coordinated on a.
        var grains = Cluster.Service<IGrainFactory>(coordinator);
        foreach (var key in keys)
        {
            await EntryGrains.KeyRangeGrainOf(grains).Put(RangeOf(key), key, key, CausalContext.Empty, WriteOptions.Default);
        }

        // The copies past the limit waited for a slot that never came (the held ones end only at the request timeout,
        // and the ones that take their slots hang again) and became hints; never more than the limit were in flight.
        Assert.InRange(Cluster.Service<ReplicaCopies>(coordinator).InFlight(c), 0, WriteSafetyClusterFixture.CopyLimit);
        await Eventually.HoldsAsync(
            () => deferred.GetMeasurementSnapshot().Sum(m => m.Value) >= 1 && Cluster.Service<HintStore>(coordinator).Count >= keys.Length - WriteSafetyClusterFixture.CopyLimit,
            Bound,
            "the copies past the limit were kept as hints");
        Assert.InRange(Cluster.Service<ReplicaCopies>(coordinator).InFlight(c), 0, WriteSafetyClusterFixture.CopyLimit);

        // c answers again: the held copies land, the hints are delivered and deleted, and c holds every key.
        RemoveEverywhere([.. stall]);
        foreach (var rule in stall)
        {
            rule.Release();
        }

        // A copy whose wait ends as c is released still becomes a hint, possibly after a delivery pass has looked; the
        // next pass delivers it.
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var silo in Cluster.Cluster.Silos)
                {
                    await Cluster.Service<HintDelivery>(silo).DeliverAsync();
                }

                return Cluster.Cluster.Silos.Sum(s => Cluster.Service<HintStore>(s).Count) == 0;
            },
            Bound,
            "every hint was delivered and deleted");
        foreach (var key in keys)
        {
            await Eventually.HoldsAsync(async () => (await ReplicaOn(c, key)).Length == 1, Bound, "c holds every key");
        }
    }

    [Fact]
    public async Task ABurstOfWritesPastThePerNodeCopyLimitWaitsForSlotsInsteadOfFailing()
    {
        var (a, _, c) = Nodes();
        var keys = Enumerable.Range(0, 3 * WriteSafetyClusterFixture.CopyLimit).Select(i => Bytes($"burst-{i}")).ToArray();
        OnEveryNode(FaultRule.Fail(c, ReplicaOperation.Coordinate));
        var slow = OnEveryNode(FaultRule.Hold(c, ReplicaOperation.Apply));
        var coordinator = Cluster.SiloNamed(a);
        var grains = Cluster.Service<IGrainFactory>(coordinator);
        var hintsBefore = Cluster.Service<HintStore>(coordinator).Count;

        // W = ALL needs c's acknowledgement of every copy; c is slow, not dead: the first CopyLimit copies hang, the rest
        // queue for a slot.
        var writes = keys.Select(key => EntryGrains.KeyRangeGrainOf(grains)
            .Put(RangeOf(key), key, key, CausalContext.Empty, new WriteOptions { WriteQuorum = Acks.All })).ToArray();
        await Eventually.HoldsAsync(
            () => Cluster.Service<ReplicaCopies>(coordinator).InFlight(c) == WriteSafetyClusterFixture.CopyLimit,
            Bound,
            "the copy limit to c is reached");
        Assert.All(writes, w => Assert.False(w.IsCompleted));

        // c catches up within the request timeout: every write completes, none became a failure or a hint.
        RemoveEverywhere([.. slow]);
        foreach (var rule in slow)
        {
            rule.Release();
        }

        await Task.WhenAll(writes);
        Assert.Equal(hintsBefore, Cluster.Service<HintStore>(coordinator).Count);
    }

    private (string A, string B, string C) Nodes()
    {
        var names = Cluster.Cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        return (names[0], names[1], names[2]);
    }

    /// <summary>Every write's version is created by the first node (the others refuse to create).</summary>
    private void OnlyTheFirstNodeCreates()
    {
        var (_, b, c) = Nodes();
        OnEveryNode(FaultRule.Fail(b, ReplicaOperation.Coordinate), FaultRule.Fail(c, ReplicaOperation.Coordinate));
    }

    /// <summary>Adds the rules on every node (whichever node coordinates applies them).</summary>
    private List<FaultRule> OnEveryNode(params FaultRule[] rules)
    {
        foreach (var silo in Cluster.Cluster.Silos)
        {
            foreach (var rule in rules)
            {
                Cluster.Service<ReplicaFaults>(silo).Add(rule);
            }
        }

        return [.. rules];
    }

    private void RemoveEverywhere(params FaultRule[] rules)
    {
        foreach (var silo in Cluster.Cluster.Silos)
        {
            foreach (var rule in rules)
            {
                Cluster.Service<ReplicaFaults>(silo).Remove(rule);
            }
        }
    }

    private Task<StoredVersion[]> ReplicaOn(string node, byte[] key) =>
        Cluster.Service<LocalReplicas>(Cluster.SiloNamed(node)).ReadAsync(RangeOf(key), key).AsTask();

    private static CausalContext ContextOf(byte[] key, StoredVersion[] versions) =>
        CausalContext.For(key, VersionSet.Context(versions));

    private static int RangeOf(byte[] key) => KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
