// The paced cell's schedule (Bench/Cluster/PacedSchedule.cs): every intended start between the schedule's start and end
// is handed out once, in order, never before it is due; the schedule then ends, and disposing it ends it early.

using System.Diagnostics;
using GrainKV.Bench.Cluster;

namespace GrainKV.Tests.Bench.Cluster;

public sealed class PacedScheduleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_start_is_handed_out_once_in_order_and_not_before_it_is_due()
    {
        var ticksPerOp = Stopwatch.Frequency / 100_000.0; // 100,000 ops/s
        var start = Stopwatch.GetTimestamp();
        var end = start + (Stopwatch.Frequency / 500); // 2 ms: about 200 starts
        using var schedule = new PacedSchedule(start, ticksPerOp, end);
        using var bound = new CancellationTokenSource(Bound);

        var taken = new List<(long Intended, long TakenAt)>();
        while (await schedule.NextAsync(bound.Token) is { } intended)
        {
            taken.Add((intended, Stopwatch.GetTimestamp()));
        }

        var expected = new List<long>();
        for (long slot = 1; schedule.IntendedStart(slot) < end; slot++)
        {
            expected.Add(schedule.IntendedStart(slot));
        }

        Assert.True(expected.Count > 100);
        Assert.Equal(expected, taken.Select(t => t.Intended));
        Assert.All(taken, t => Assert.True(t.TakenAt >= t.Intended, "a start was handed out before it was due"));
    }

    [Fact]
    public async Task Several_workers_share_the_starts_without_losing_or_repeating_one()
    {
        var ticksPerOp = Stopwatch.Frequency / 50_000.0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (Stopwatch.Frequency / 200); // 5 ms: about 250 starts
        using var schedule = new PacedSchedule(start, ticksPerOp, end);
        using var bound = new CancellationTokenSource(Bound);

        async Task<List<long>> Worker()
        {
            var mine = new List<long>();
            while (await schedule.NextAsync(bound.Token) is { } intended)
            {
                mine.Add(intended);
                await Task.Yield();
            }

            return mine;
        }

        var workers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(Worker)));

        var all = workers.SelectMany(w => w).Order().ToList();
        var expected = new List<long>();
        for (long slot = 1; schedule.IntendedStart(slot) < end; slot++)
        {
            expected.Add(schedule.IntendedStart(slot));
        }

        Assert.Equal(expected, all);
        Assert.All(workers, w => Assert.Equal(w.Order(), w)); // each worker took its starts in order
    }

    [Fact]
    public async Task Disposing_ends_a_schedule_early()
    {
        var start = Stopwatch.GetTimestamp();
        var schedule = new PacedSchedule(start, Stopwatch.Frequency / 1_000.0, start + (3600 * Stopwatch.Frequency));
        using var bound = new CancellationTokenSource(Bound);
        Assert.NotNull(await schedule.NextAsync(bound.Token));

        schedule.Dispose();
        var disposedAt = Stopwatch.GetTimestamp();

        // What was due before the schedule was disposed may still be taken; then it ends (no later start, and no
        // waiting for the hour it was meant to run: the bound would cancel the read).
        var left = new List<long>();
        while (await schedule.NextAsync(bound.Token) is { } intended)
        {
            left.Add(intended);
        }

        Assert.All(left, intended => Assert.True(intended <= disposedAt, "a start after the disposal was handed out"));
    }

    [Fact]
    public void A_rate_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacedSchedule(Stopwatch.GetTimestamp(), 0, Stopwatch.GetTimestamp()));
    }
}
