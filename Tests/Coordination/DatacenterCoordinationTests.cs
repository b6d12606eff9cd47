// The coordinators with consistency levels, over fake replicas and a FakeTimeProvider, on a ring of six nodes in
// two datacenters with two replicas in dc1 and one in dc2: ONE/QUORUM/ALL as counts; LOCAL_QUORUM asking and
// waiting for this datacenter only; EACH_QUORUM waiting for a majority in each; both failing at once (the fake
// clock never advanced, no replica asked) with DatacenterQuorumException when a datacenter's replicas are known
// down, and as soon as one datacenter's replica fails; reads asking this datacenter's replicas first, and a replica
// of this datacenter creating a write's version when this node holds none, and a down replica's sloppy copy kept by a
// standby of its own datacenter (and read back from it).

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Tests.Infrastructure;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainKV.Tests.Coordination;

public sealed class DatacenterCoordinationTests
{
    private const int Range = 0;
    private static readonly byte[] Key = "key"u8.ToArray();
    private static readonly string[] Dc1Nodes = ["a0", "a1", "a2"];
    private static readonly string[] Dc2Nodes = ["b0", "b1", "b2"];
    private static readonly StoredVersion Stored = FixedRing.Version("x/1", 1, "stored");

    /// <summary>Range 0's replicas: two in dc1 (in preference order) and one in dc2.</summary>
    private static readonly string[] Local = ReplicasIn("dc1");
    private static readonly string Remote = ReplicasIn("dc2").Single();

    private readonly FakeTimeProvider _time = new();
    private readonly GrainKvNodeOptions _options = new() { ReadRepairChance = 0, Datacenter = "dc1", DatacenterReplication = "dc1:2,dc2:1" };
    private readonly FakeReplicas _replicas = new(Local[0]);

    private static RingView View(params string[] down) => new(
        Dc1Nodes.Select(n => (n, "dc1")).Concat(Dc2Nodes.Select(n => (n, "dc2")))
            .ToDictionary(x => x.n, x => new NodeView(x.n, x.Item2, null, !down.Contains(x.n))),
        new RingOptions { RangeCount = 16, VirtualNodes = 8, ReplicasPerDatacenter = DatacenterReplication.Parse("dc1:2,dc2:1") },
        3);

    private static string[] ReplicasIn(string datacenter)
    {
        var view = View();
        return view.PreferenceList(Range, 3).Where(n => view.DatacenterOf(n) == datacenter).ToArray();
    }

    private Task<ReadResult> Read(ReadOptions request, params string[] down) =>
        new ReadCoordinator(Options.Create(_options), new FixedRing(View(down)), _replicas, _replicas, new GrainKvClock(_time), new GrainKV.Grains.Expiry.ExpiryClock(_time), TestMeters.Create(), NullLogger<ReadCoordinator>.Instance)
            .ReadAsync(Range, Key, request, CancellationToken.None);

    private Task Write(WriteOptions request, params string[] down) =>
        new WriteCoordinator(Options.Create(_options), new FixedRing(View(down)), _replicas, _replicas, new GrainKvClock(_time))
            .WriteAsync(Range, Key, "written"u8.ToArray(), CausalContext.Empty, request, CancellationToken.None);

    [Fact]
    public void TheRingHoldsTwoReplicasInDc1AndOneInDc2() => Assert.Equal(2, Local.Length);

    [Theory]
    [InlineData(ConsistencyLevel.One, 1)]
    [InlineData(ConsistencyLevel.Quorum, 2)]
    [InlineData(ConsistencyLevel.All, 3)]
    public async Task OneQuorumAndAllAskThatManyReplicas(ConsistencyLevel level, int asked)
    {
        foreach (var node in Local.Append(Remote))
        {
            _replicas.AnswerAtOnce(ReplicaOp.Read, node, Stored);
            _replicas.AnswerAtOnce(ReplicaOp.ReadHeaders, node, Stored);
        }

        var read = await Read(new ReadOptions { Consistency = level });
        Assert.True(read.Found);
        Assert.Single(_replicas.Asked(ReplicaOp.Read)); // one replica answers the values, the others their headers
        Assert.Equal(asked, _replicas.Asked(ReplicaOp.Read).Length + _replicas.Asked(ReplicaOp.ReadHeaders).Length);
    }

    [Fact]
    public async Task ALevelAndAnExplicitCountTogetherAreRefused()
    {
        await Assert.ThrowsAsync<InvalidRequestException>(() => Read(new ReadOptions { Consistency = ConsistencyLevel.LocalQuorum, ReadQuorum = Acks.One }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => Write(new WriteOptions { Consistency = ConsistencyLevel.One, WriteQuorum = Acks.All }));
        Assert.Empty(_replicas.Asked(ReplicaOp.Read));
        Assert.Empty(_replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task ReadsAskThisDatacentersReplicasFirst()
    {
        // This node holds no replica of the key; it is in dc2, so dc2's replica is asked before dc1's.
        _replicas.LocalNode = Dc2Nodes.First(n => n != Remote);
        _options.Datacenter = "dc2";
        var read = Read(new ReadOptions { ReadQuorum = Acks.One });
        Assert.Equal([Remote], _replicas.Asked(ReplicaOp.Read));
        (await _replicas.CallAsync(ReplicaOp.Read, Remote)).Answer.SetResult([Stored]);
        Assert.True((await read).Found);
    }

    [Fact]
    public async Task WithoutALocalReplicaAReplicaOfThisDatacenterCreatesTheVersion()
    {
        _replicas.LocalNode = Dc2Nodes.First(n => n != Remote);
        _options.Datacenter = "dc2";
        var write = Write(new WriteOptions { WriteQuorum = Acks.One });
        Assert.Equal([Remote], _replicas.Asked(ReplicaOp.Create));
        (await _replicas.CallAsync(ReplicaOp.Create, Remote)).Answer.SetResult([Stored]);

        await write;
        Assert.Equal(Local.Order(), _replicas.Asked(ReplicaOp.Copy).Order());
    }

    [Fact]
    public async Task ASloppyWriteHandsADownReplicasCopyToAStandbyOfItsDatacenterAndASloppyReadAsksThatStandby()
    {
        // A range whose first standby clockwise is in dc1 while its dc2 replica is the one down.
        var view = View();
        var range = Enumerable.Range(0, 16).First(r => view.DatacenterOf(view.Standbys(r, 3)[0]) == "dc1");
        var remote = view.PreferenceList(range, 3).Single(n => view.DatacenterOf(n) == "dc2");
        var standby = view.Standbys(range, 3).First(n => view.DatacenterOf(n) == "dc2");
        _replicas.LocalNode = view.PreferenceList(range, 3)[0];
        var down = View(remote);

        var write = new WriteCoordinator(Options.Create(_options), new FixedRing(down), _replicas, _replicas, new GrainKvClock(_time))
            .WriteAsync(range, Key, "written"u8.ToArray(), CausalContext.Empty, new WriteOptions { WriteQuorum = Acks.All, Mode = CapMode.Sloppy }, CancellationToken.None);
        (await _replicas.CallAsync(ReplicaOp.Create, _replicas.LocalNode)).Answer.SetResult([Stored]);
        var other = view.PreferenceList(range, 3).Single(n => n != _replicas.LocalNode && n != remote);
        (await _replicas.CallAsync(ReplicaOp.Copy, other)).Answer.SetResult([]);
        var handOff = await _replicas.CallAsync(ReplicaOp.HandOff, standby);
        Assert.Equal([remote], handOff.Owners);
        handOff.Answer.SetResult([]);
        await write;
        Assert.Equal([standby], _replicas.Asked(ReplicaOp.HandOff));

        // R = 3 with the dc2 replica down: the standby asked for its hints is the one that took them.
        _replicas.AnswerAtOnce(ReplicaOp.Read, _replicas.LocalNode, Stored);
        _replicas.AnswerAtOnce(ReplicaOp.ReadHeaders, other, Stored);
        _replicas.AnswerAtOnce(ReplicaOp.ReadHints, standby, Stored);
        var read = await new ReadCoordinator(Options.Create(_options), new FixedRing(down), _replicas, _replicas, new GrainKvClock(_time), new GrainKV.Grains.Expiry.ExpiryClock(_time), TestMeters.Create(), NullLogger<ReadCoordinator>.Instance)
            .ReadAsync(range, Key, new ReadOptions { ReadQuorum = Acks.All, Mode = CapMode.Sloppy }, CancellationToken.None);
        Assert.True(read.Found);
        Assert.Equal([standby], _replicas.Asked(ReplicaOp.ReadHints));
    }

    [Fact]
    public async Task LocalQuorumReadsAskOnlyThisDatacenterAndSucceedWithTheOtherOneDown()
    {
        var read = Read(new ReadOptions { Consistency = ConsistencyLevel.LocalQuorum }, Dc2Nodes);
        Assert.Equal(Local, _replicas.Asked(ReplicaOp.Read));
        (await _replicas.CallAsync(ReplicaOp.Read, Local[0])).Answer.SetResult([Stored]);
        Assert.False(read.IsCompleted);
        (await _replicas.CallAsync(ReplicaOp.Read, Local[1])).Answer.SetResult([Stored]);

        Assert.True((await read).Found);
        Assert.DoesNotContain(Remote, _replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task LocalQuorumWritesDoNotWaitForTheOtherDatacenterButStillCopyToIt()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.LocalQuorum });
        Assert.Equal([Local[0]], _replicas.Asked(ReplicaOp.Create));
        (await _replicas.CallAsync(ReplicaOp.Create, Local[0])).Answer.SetResult([Stored]);
        var remoteCopy = await _replicas.CallAsync(ReplicaOp.Copy, Remote);
        (await _replicas.CallAsync(ReplicaOp.Copy, Local[1])).Answer.SetResult([]);

        await write;
        Assert.False(remoteCopy.Answer.Task.IsCompleted);
    }

    [Fact]
    public async Task LocalQuorumWithTheOtherDatacenterDownWritesHereAndKeepsItsHint()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.LocalQuorum }, Dc2Nodes);
        (await _replicas.CallAsync(ReplicaOp.Create, Local[0])).Answer.SetResult([Stored]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Local[1])).Answer.SetResult([]);

        await write;
        Assert.Equal([Remote], _replicas.HintsKept);
        Assert.Empty(_replicas.Asked(ReplicaOp.HandOff));
    }

    [Fact]
    public async Task EachQuorumWritesWaitForAMajorityInEachDatacenter()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.EachQuorum });
        (await _replicas.CallAsync(ReplicaOp.Create, Local[0])).Answer.SetResult([Stored]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Local[1])).Answer.SetResult([]);
        var remoteCopy = await _replicas.CallAsync(ReplicaOp.Copy, Remote);
        Assert.False(write.IsCompleted);

        remoteCopy.Answer.SetResult([]);
        await write;
    }

    [Fact]
    public async Task EachQuorumFailsAtOnceWhenADatacentersReplicasAreKnownDown()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.EachQuorum }, Dc2Nodes);
        var read = Read(new ReadOptions { Consistency = ConsistencyLevel.EachQuorum }, Dc2Nodes);

        // Neither waited for the clock: both are over before any time passes, and no replica was asked.
        Assert.True(write.IsCompleted && read.IsCompleted);
        foreach (var refused in new[] { await Assert.ThrowsAsync<DatacenterQuorumException>(() => write), await Assert.ThrowsAsync<DatacenterQuorumException>(() => read) })
        {
            Assert.Equal(("dc2", ConsistencyLevel.EachQuorum, 1, 0, true), (refused.Datacenter, refused.Level, refused.Required, refused.Answered, refused.KnownBeforehand));
            Assert.Contains(Remote, refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(_replicas.Asked(ReplicaOp.Create));
        Assert.Empty(_replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task LocalQuorumFailsAtOnceWhenThisDatacenterHasTooFewLiveReplicas()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.LocalQuorum }, Local[1]);
        Assert.True(write.IsCompleted);
        var refused = await Assert.ThrowsAsync<DatacenterQuorumException>(() => write);
        Assert.Equal(("dc1", 2, 1), (refused.Datacenter, refused.Required, refused.Answered));
        Assert.Empty(_replicas.Asked(ReplicaOp.Create));
    }

    [Fact]
    public async Task EachQuorumFailsAsSoonAsADatacentersReplicaFailsWithoutWaitingForTheDeadline()
    {
        var write = Write(new WriteOptions { Consistency = ConsistencyLevel.EachQuorum });
        (await _replicas.CallAsync(ReplicaOp.Create, Local[0])).Answer.SetResult([Stored]);
        (await _replicas.CallAsync(ReplicaOp.Copy, Remote)).Answer.SetException(new ReplicaUnavailableException(Remote, "cut off"));

        var refused = await Assert.ThrowsAsync<DatacenterQuorumException>(() => write);
        Assert.Equal(("dc2", 0, false), (refused.Datacenter, refused.Answered, refused.KnownBeforehand));
        Assert.Contains(Remote, _replicas.HintsKept);
    }

    [Fact]
    public async Task LocalQuorumInADatacenterWithoutReplicasOfTheKeyIsRefused()
    {
        _options.Datacenter = "dc3";
        var refused = await Assert.ThrowsAsync<DatacenterQuorumException>(() => Read(new ReadOptions { Consistency = ConsistencyLevel.LocalQuorum }));
        Assert.Equal("dc3", refused.Datacenter);
        Assert.Empty(_replicas.Asked(ReplicaOp.Read));
    }
}
