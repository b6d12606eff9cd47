// The read coordinator alone, over fake replicas and a FakeTimeProvider: the order replicas are asked in (values
// from the first, headers from the others), the next replica asked on a failure or after the speculation delay, a
// replica whose headers the values do not cover read again with values (and replaced by another if that fails), the
// request's deadline, cancellation, sloppy reads from standbys (and none in strict mode), read repair of stale and
// skipped replicas (not for versions younger than ReadRepairMinAge, which their writes are still copying), equal siblings returned once, and the context read of an overwrite (headers only, nothing
// repaired).

using System.Text;
using GrainKV.Grains.Coordination;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using GrainKV.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static GrainKV.Tests.Coordination.FixedRing;

namespace GrainKV.Tests.Coordination;

public sealed class ReadCoordinatorTests
{
    private static readonly StoredVersion One = Version("x/1", 1, "one");
    private static readonly StoredVersion Two = Version("x/1", 2, "two", One);

    private readonly FakeTimeProvider _time = new();
    private readonly GrainKvNodeOptions _options = new() { ReadRepairChance = 0 };
    private readonly FakeReplicas _replicas = new(Top[0]);
    private readonly CancellationTokenSource _cancel = new();
    private readonly GrainKvMetrics _metrics = TestMeters.Create();

    private ReadCoordinator Coordinator(FakeReplicas replicas, params string[] down) =>
        new(Options.Create(_options), new FixedRing(FixedRing.With(down)), replicas, replicas, new GrainKvClock(_time), new GrainKV.Grains.Expiry.ExpiryClock(_time), _metrics,
            NullLogger<ReadCoordinator>.Instance);

    private Task<ReadResult> Read(ReadOptions? request = null, params string[] down) =>
        Coordinator(_replicas, down).ReadAsync(FixedRing.Range, Key, request ?? ReadOptions.Default, _cancel.Token);

    private Task<CausalContext> ReadContext(ReadOptions? request = null, FakeReplicas? replicas = null) =>
        Coordinator(replicas ?? _replicas).ReadContextAsync(
            FixedRing.Range, Key, request ?? ReadOptions.Default, new RequestDeadline(_time, _options.RequestTimeout), _cancel.Token);

    private static string[] Values(ReadResult result) => result.Values.Select(v => Encoding.UTF8.GetString(v)).Order().ToArray();

    [Fact]
    public async Task AsksThisNodeForValuesThenThePreferenceOrderForHeadersAndAnswersAtTheQuorum()
    {
        _replicas.LocalNode = Top[2];
        var read = Read();
        Assert.Equal([Top[2]], _replicas.Asked(ReplicaOp.Read));
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.ReadHeaders));

        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[2])).Answer.SetResult([One]);

        Assert.Equal(["one"], Values(await read));
        Assert.Equal([Top[2]], _replicas.Asked(ReplicaOp.Read));
        Assert.Empty(_replicas.Asked(ReplicaOp.Copy));
    }

    [Fact]
    public async Task AFailedReplicaIsReplacedByTheNextOne()
    {
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetException(new ReplicaUnavailableException(Top[1], "failed"));
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[2])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);

        Assert.Equal(["one"], Values(await read));
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task ASlowReplicaIsOvertakenAfterTheSpeculationDelay()
    {
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        Assert.DoesNotContain(Top[2], _replicas.Asked(ReplicaOp.ReadHeaders));

        _time.Advance(_options.SpeculativeReadDelay);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[2])).Answer.SetResult([One]);

        Assert.Equal(["one"], Values(await read));
        Assert.False((await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.Task.IsCompleted);
    }

    [Fact]
    public async Task ASilentQuorumFailsAtTheRequestDeadline()
    {
        var read = Read(new ReadOptions { Mode = CapMode.Strict });
        _time.Advance(_options.RequestTimeout);

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => read);
        Assert.Equal(2, error.Required);
        Assert.Equal(0, error.Answered);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancelledReadStops()
    {
        var read = Read();
        await _cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.Empty(_replicas.Asked(ReplicaOp.ReadHints));
    }

    [Fact]
    public async Task SloppyReadsAskAStandbyForTheHintsOfTheSilentReplicas()
    {
        _replicas.AnswerAtOnce(ReplicaOp.Read, Top[0], One);
        var sibling = Version("y/1", 1, "other");
        var read = Read(null, Top[1], Top[2]);

        var hints = await _replicas.CallAsync(ReplicaOp.ReadHints, Standbys[0]);
        Assert.Equal([Top[1], Top[2]], hints.Owners.Order());
        hints.Answer.SetResult([sibling]);

        Assert.Equal(["one", "other"], Values(await read));
        Assert.Equal([Standbys[0]], _replicas.Asked(ReplicaOp.ReadHints));
    }

    [Fact]
    public async Task AnExpiredVersionFromAReplicaOrAStandbysHintIsNotReturnedButStaysInTheContext()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expiredHint = Version("y/1", 1, "hinted") with { ExpiresAtMs = now };
        var expiredHere = Version("z/1", 1, "here") with { ExpiresAtMs = now - 1 };
        var lasting = Version("w/1", 1, "lasting") with { ExpiresAtMs = now + 1 };
        _replicas.AnswerAtOnce(ReplicaOp.Read, Top[0], expiredHere, lasting);
        var read = Read(null, Top[1], Top[2]);
        (await _replicas.CallAsync(ReplicaOp.ReadHints, Standbys[0])).Answer.SetResult([expiredHint]);

        var result = await read;

        Assert.Equal(["lasting"], Values(result));
        var context = result.Context.ClockFor(Key);
        Assert.Equal(1UL, context.CounterOf("y/1"));
        Assert.Equal(1UL, context.CounterOf("z/1"));
    }

    [Fact]
    public async Task StrictReadsAskNoStandby()
    {
        _replicas.AnswerAtOnce(ReplicaOp.Read, Top[0], One);

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => Read(new ReadOptions { Mode = CapMode.Strict }, Top[1], Top[2]));
        Assert.Equal(1, error.Answered);
        Assert.Empty(_replicas.Asked(ReplicaOp.ReadHints));
    }

    [Fact]
    public async Task AStaleReplicaIsRepairedWithTheMergedVersions()
    {
        using var repairs = new MetricCollector<long>(_metrics.Meter, "grainkv.read_repairs");
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([One]);
        Assert.Equal(["two"], Values(await read));
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Read)); // the stale headers are covered: no second read

        var repair = await _replicas.CallAsync(ReplicaOp.Copy, Top[1]);
        Assert.Equal([Two], repair.Sent);
        repair.Answer.SetResult([]);
        Assert.Equal([Top[1]], _replicas.Asked(ReplicaOp.Copy));
        await Eventually.HoldsAsync(() => repairs.GetMeasurementSnapshot().Count > 0, TimeSpan.FromSeconds(10), "the repair is counted");
        var counted = Assert.Single(repairs.GetMeasurementSnapshot());
        Assert.Equal(1, counted.Value);
        Assert.Equal("ok", counted.Tags["outcome"]);
    }

    [Fact]
    public async Task AReplicaLackingOnlyAVersionYoungerThanTheRepairAgeIsLeftToItsWrite()
    {
        _replicas.AllowRepeats = true;
        var fresh = Two with { TimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds() };
        var first = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([fresh]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([One]);
        Assert.Equal(["two"], Values(await first));

        _time.Advance(_options.ReadRepairMinAge);
        var second = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0], repeat: 1)).Answer.SetResult([fresh]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1], repeat: 1)).Answer.SetResult([One]);
        Assert.Equal(["two"], Values(await second));

        // Only the second read, once the version is ReadRepairMinAge old, repairs the replica that lacks it.
        Assert.Equal([fresh], (await _replicas.CallAsync(ReplicaOp.Copy, Top[1])).Sent);
        Assert.Single(_replicas.Asked(ReplicaOp.Copy));
    }

    [Fact]
    public async Task AReplicaTheQuorumDidNotWaitForIsRepairedWhenItAnswers()
    {
        _options.ReadRepairChance = 1;
        var read = Read();
        Assert.Equal([Top[0]], _replicas.Asked(ReplicaOp.Read));
        Assert.Equal([Top[1], Top[2]], _replicas.Asked(ReplicaOp.ReadHeaders));
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([Two]);
        Assert.Equal(["two"], Values(await read));
        Assert.Empty(_replicas.Asked(ReplicaOp.Copy));

        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[2])).Answer.SetResult([]);
        Assert.Equal([Two], (await _replicas.CallAsync(ReplicaOp.Copy, Top[2])).Sent);
    }

    [Fact]
    public async Task EqualSiblingsAreReturnedOnceAndTheContextCoversThemAll()
    {
        var first = Version("x/1", 1, "same");
        var retried = Version("y/1", 1, "same");
        var other = Version("z/1", 1, "other");
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([first, other]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([retried]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[1])).Answer.SetResult([retried]);

        var result = await read;
        Assert.Equal(["other", "same"], Values(result));
        var clock = result.Context.ClockFor(Key);
        Assert.All(new[] { "x/1", "y/1", "z/1" }, actor => Assert.Equal(1UL, clock.CounterOf(actor)));
    }

    [Fact]
    public async Task AReplicaWhoseHeadersShowAVersionTheValuesLackIsReadAgainWithValues()
    {
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([Two]);
        Assert.False(read.IsCompleted);

        (await _replicas.CallAsync(ReplicaOp.Read, Top[1])).Answer.SetResult([Two]);
        Assert.Equal(["two"], Values(await read));
        Assert.Equal(2UL, (await read).Context.ClockFor(Key).CounterOf("x/1"));

        // This node missed the version: it is repaired with it, values included.
        var repair = await _replicas.CallAsync(ReplicaOp.Copy, Top[0]);
        Assert.Equal([Two], repair.Sent);
        Assert.Equal("two", Encoding.UTF8.GetString(repair.Sent[0].Value!));
    }

    [Fact]
    public async Task AVersionWhoseHeaderDiffersFromTheValuesReplicasCopyIsReadWithItsValue()
    {
        // Same dot, another timestamp: a dot issued twice (a restored node). Only the values replica's copy would hide it.
        var conflicting = One with { TimestampMs = One.TimestampMs + 1, Value = Encoding.UTF8.GetBytes("conflict") };
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([conflicting]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[1])).Answer.SetResult([conflicting]);

        Assert.Equal(["conflict", "one"], Values(await read));
    }

    [Fact]
    public async Task WhenTheValuesReplicaFailsTheReplicasThatAnsweredHeadersAreReadWithValues()
    {
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetException(new ReplicaUnavailableException(Top[0], "failed"));
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[2])).Answer.SetResult([]);

        // Top[2] holds nothing, so only Top[1]'s values are needed.
        (await _replicas.CallAsync(ReplicaOp.Read, Top[1])).Answer.SetResult([One]);
        Assert.Equal(["one"], Values(await read));
        Assert.Equal([Top[0], Top[1]], _replicas.Asked(ReplicaOp.Read));
    }

    /// <summary>A read whose values replica (Top[0]) answers One, whose header replica (Top[1]) shows Two and then fails its
    /// values read.</summary>
    private async Task<Task<ReadResult>> ReadWhoseHeaderReplicaFailsItsValuesAsync(params string[] down)
    {
        var read = Read(null, down);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[1])).Answer.SetException(new ReplicaUnavailableException(Top[1], "failed"));
        return read;
    }

    [Fact]
    public async Task AReplicaThatAnsweredHeadersButNotItsValuesIsReplacedByAnotherReplica()
    {
        var read = await ReadWhoseHeaderReplicaFailsItsValuesAsync();

        // Top[1] left the quorum: Top[2], not asked yet, is asked for its values in its place.
        (await _replicas.CallAsync(ReplicaOp.Read, Top[2])).Answer.SetResult([One]);
        Assert.Equal(["one"], Values(await read));
        Assert.Equal([Top[0], Top[1], Top[2]], _replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task AReplacementsNewerVersionIsPartOfTheAnswer()
    {
        var read = await ReadWhoseHeaderReplicaFailsItsValuesAsync();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[2])).Answer.SetResult([Two]);

        Assert.Equal(["two"], Values(await read));
        Assert.Equal(2UL, (await read).Context.ClockFor(Key).CounterOf("x/1"));
    }

    [Fact]
    public async Task AReplicaThatAnsweredHeadersButNotItsValuesFailsTheReadWhenNoReplicaIsLeft()
    {
        var read = await ReadWhoseHeaderReplicaFailsItsValuesAsync(Top[2]);

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => read);
        Assert.Equal(2, error.Required);
        Assert.Equal(1, error.Answered);
        Assert.Contains(Top[1], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Top[2], _replicas.Asked(ReplicaOp.Read)); // down: not asked
    }

    [Fact]
    public async Task AReplacementThatFailsTooFailsTheRead()
    {
        var read = await ReadWhoseHeaderReplicaFailsItsValuesAsync();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[2])).Answer.SetException(new ReplicaUnavailableException(Top[2], "also failed"));

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => read);
        Assert.Equal(1, error.Answered);
        Assert.Contains(Top[1], error.Message, StringComparison.Ordinal);
        Assert.Contains(Top[2], error.Message, StringComparison.Ordinal);
        Assert.Equal([Top[0], Top[1], Top[2]], _replicas.Asked(ReplicaOp.Read)); // nobody asked twice
    }

    [Fact]
    public async Task AReplicaThatFailedTheFirstRoundIsNotAReplacement()
    {
        // Top[1] fails at once; Top[2] answers headers the values do not cover, then fails its values read: Top[1] is
        // not asked again, so the read fails.
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetException(new ReplicaUnavailableException(Top[1], "failed"));
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[2])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.Read, Top[2])).Answer.SetException(new ReplicaUnavailableException(Top[2], "failed"));

        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => read);
        Assert.Equal(1, error.Answered);
        Assert.Equal([Top[0], Top[2]], _replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task AValuesReadThatDoesNotAnswerFailsTheReadAtTheRequestDeadline()
    {
        var read = Read();
        (await _replicas.CallAsync(ReplicaOp.Read, Top[0])).Answer.SetResult([One]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([Two]);
        await _replicas.CallAsync(ReplicaOp.Read, Top[1]);
        Assert.False(read.IsCompleted);

        _time.Advance(_options.RequestTimeout);
        var error = await Assert.ThrowsAsync<NotEnoughReplicasException>(() => read);
        Assert.Equal(1, error.Answered);
        Assert.Contains("deadline", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Top[2], _replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task AContextReadAsksTheQuorumForHeadersAndCoversWhatEachReplicaHolds()
    {
        var sibling = Version("y/1", 1, "other");
        var context = ReadContext();
        Assert.Equal([Top[0], Top[1]], _replicas.Asked(ReplicaOp.ReadHeaders));
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[0])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([sibling]);

        var clock = (await context).ClockFor(Key);
        Assert.Equal(2UL, clock.CounterOf("x/1"));
        Assert.Equal(1UL, clock.CounterOf("y/1"));
        Assert.Empty(_replicas.Asked(ReplicaOp.Read));
    }

    [Fact]
    public async Task AContextReadRepairsNothingAndAsksEveryReplicaOnlyAtRAllOfN()
    {
        // A stale replica is not repaired (the overwrite that follows sends its set to every replica), and the
        // read-repair chance does not widen the round.
        _options.ReadRepairChance = 1;
        var context = ReadContext();
        Assert.Equal([Top[0], Top[1]], _replicas.Asked(ReplicaOp.ReadHeaders));
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[0])).Answer.SetResult([Two]);
        (await _replicas.CallAsync(ReplicaOp.ReadHeaders, Top[1])).Answer.SetResult([One]);
        Assert.Equal(2UL, (await context).ClockFor(Key).CounterOf("x/1"));
        Assert.Empty(_replicas.Asked(ReplicaOp.Copy));

        var all = new FakeReplicas(Top[0]);
        all.AnswerAtOnce(ReplicaOp.ReadHeaders, Top[0], One);
        all.AnswerAtOnce(ReplicaOp.ReadHeaders, Top[1], One);
        all.AnswerAtOnce(ReplicaOp.ReadHeaders, Top[2]);
        var everyReplica = await ReadContext(new ReadOptions { ReadQuorum = Acks.All }, all);
        Assert.Equal(3, all.Asked(ReplicaOp.ReadHeaders).Length);
        Assert.Equal(1UL, everyReplica.ClockFor(Key).CounterOf("x/1"));
        Assert.Empty(all.Asked(ReplicaOp.Copy));
    }

    [Fact]
    public void TombstonesAreNotValues()
    {
        var tombstone = new StoredVersion("y/1", 1, VectorClock.Empty, 0, null);
        Assert.Equal(["one"], ReadCore.DistinctValues([One, tombstone], 0).Select(v => Encoding.UTF8.GetString(v)));
    }
}
