// Runs one cell: `concurrency` async workers issue operations of the workload back to back (closed loop,
// as YCSB's client threads) for warm-up + duration. With --rate the workers instead share a schedule of
// `rate` operations per second (PacedSchedule): each operation has an intended start time, a worker takes it
// when it falls due, and its latency counts from the intended start (so a store that falls behind the schedule
// is charged for the queueing, not only for the service time). Only operations that start after the warm-up are
// measured; each worker stops at the deadline or after its share of --max-ops, and a cell's stragglers are
// cancelled 10 s after the deadline, so every loop is bounded in count and time. A live progress bar (standard
// error, on a terminal) shows the phase and the last second's rate.

using System.Diagnostics;
using System.Globalization;
using GrainKV.Bench.Common;
using GrainKV.Bench.Progress;
using HdrHistogram;

namespace GrainKV.Bench.Cluster;

internal sealed class CellRunner(IKvTarget target, RecordChooser keys, IReadOnlyList<byte[]> values, CpuMeter? cpu = null)
{
    public Task<CellResult> RunAsync(
        YcsbWorkload workload, KeyDistribution distribution, int concurrency, int repeat, ClusterBenchOptions options, CancellationToken cancellationToken) =>
        RunAsync(workload, distribution, concurrency, repeat, options.Warmup, options.Duration, options.Rate, options, cancellationToken);

    /// <summary>Unmeasured load after loading the records, so that the first cell does not pay for JIT
    /// compilation, connection set-up and the store's background work on the freshly loaded data.</summary>
    public async Task SettleAsync(ClusterBenchOptions options, CancellationToken cancellationToken)
    {
        if (options.Settle > TimeSpan.Zero)
        {
            await RunAsync(YcsbWorkload.Parse("A"), KeyDistribution.Uniform, options.Concurrency.Max(), 0, options.Settle, TimeSpan.FromSeconds(1), null, options, cancellationToken);
        }
    }

    private async Task<CellResult> RunAsync(
        YcsbWorkload workload, KeyDistribution distribution, int concurrency, int repeat, TimeSpan warmup, TimeSpan duration, double? rate,
        ClusterBenchOptions options, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(warmup + duration + TimeSpan.FromSeconds(10));
        var perWorkerOps = Math.Max(1, options.MaxOps / concurrency);
        var state = new Shared();
        using var schedule = rate is { } r ? new PacedSchedule(start, Stopwatch.Frequency / r, end) : null;

        var label = $"{target.Name} {workload.Name}/{distribution.ToString().ToLowerInvariant()} c={concurrency}{(rate is { } shown ? $" @{shown:0}/s" : "")}";
        var progress = SampleAsync(state, measureFrom, end, stop.Token);
        var histograms = await PhaseProgress.RunAsync(
            label,
            (warmup + duration).TotalSeconds,
            () => new ProgressSample(
                Stopwatch.GetElapsedTime(start).TotalSeconds,
                string.Create(CultureInfo.InvariantCulture, $"{state.Phase,-10} {state.LastRate,9:0} ops/s  measured {Interlocked.Read(ref state.Ops),9}  errors {Interlocked.Read(ref state.Errors)}")),
            () => Task.WhenAll(Enumerable.Range(0, concurrency)
                .Select(w => Task.Run(() => WorkerAsync(w, workload, distribution, options.Seed + (repeat * 1000) + w, measureFrom, end, perWorkerOps, state, schedule, stop.Token)))));
        var measuredEnd = Math.Max(Stopwatch.GetTimestamp(), end);
        await stop.CancelAsync();
        var (perSecond, cost) = await progress;

        var total = Latency.Merge(histograms.Select(h => h.Latency));
        var lag = schedule is null ? null : Latency.Merge(histograms.Select(h => h.StartLag));

        var seconds = Math.Min((measuredEnd - measureFrom) / (double)Stopwatch.Frequency, duration.TotalSeconds);
        return new CellResult(
            target.Name, workload.Name, distribution.ToString().ToLowerInvariant(), concurrency, repeat,
            total.TotalCount, state.Errors, seconds, total.TotalCount / seconds,
            total.PercentileMicros(50), total.PercentileMicros(99), total.PercentileMicros(99.9),
            total.MaxMicros(), perSecond, state.FirstError, lag?.PercentileMicros(99), cost?.Servers, cost?.Driver);
    }

    private async Task<WorkerHistograms> WorkerAsync(
        int worker, YcsbWorkload workload, KeyDistribution distribution, int seed, long measureFrom, long end, long maxOps, Shared state, PacedSchedule? schedule,
        CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var histogram = Latency.NewHistogram();
        var lag = Latency.NewHistogram();
        for (long i = 0; i < maxOps && !cancellationToken.IsCancellationRequested; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            if (schedule is not null)
            {
                // Paced: the next start that fell due; the latency counts from when it was meant to start.
                if (await schedule.NextAsync(cancellationToken).ConfigureAwait(false) is not { } intended)
                {
                    break;
                }

                if (intended >= measureFrom)
                {
                    lag.RecordSince(intended); // how late a worker took it: the schedule's lateness, or every worker busy
                }

                begin = intended;
            }
            else if (begin >= end)
            {
                break;
            }

            var kind = workload.Choose(random.NextDouble());
            var value = values[random.Next(values.Count)];
            try
            {
                var operation = kind switch
                {
                    OpKind.Read => target.ReadAsync(worker, keys.Key(keys.Next(distribution, random)), cancellationToken),
                    OpKind.Update => target.UpdateAsync(worker, keys.Key(keys.Next(distribution, random)), value, cancellationToken),
                    OpKind.Insert => target.InsertAsync(worker, keys.Key(keys.NextInsert()), value, cancellationToken),
                    _ => target.ReadModifyWriteAsync(worker, keys.Key(keys.Next(distribution, random)), value, cancellationToken),
                };
                await operation;
                Interlocked.Increment(ref state.AllOps);
                if (begin >= measureFrom)
                {
                    histogram.RecordSince(begin);
                    Interlocked.Increment(ref state.Ops);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref state.Errors);
                Interlocked.CompareExchange(ref state.FirstError, $"{ex.GetType().Name}: {ex.Message}", null);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return new WorkerHistograms(histogram, lag);
    }

    /// <summary>Samples the rate once a second until the cell is over: the measured seconds' rates are the result, the
    /// last one and the phase are shown; and, with a <see cref="CpuMeter"/>, the processor time per operation over the
    /// measured seconds (from the first sample in them to the last).</summary>
    private async Task<(List<double> PerSecond, (double Servers, double Driver)? Cost)> SampleAsync(Shared state, long measureFrom, long end, CancellationToken cancellationToken)
    {
        var perSecond = new List<double>();
        CpuSample? first = null, last = null;
        long lastOps = 0;
        var lastTime = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var ops = Interlocked.Read(ref state.AllOps);
                var rate = (ops - lastOps) / ((now - lastTime) / (double)Stopwatch.Frequency);
                (lastOps, lastTime) = (ops, now);
                state.Phase = now < measureFrom ? "warm-up" : now < end ? "measuring" : "finishing";
                state.LastRate = rate;
                if (now >= measureFrom && now <= end + (Stopwatch.Frequency / 2))
                {
                    perSecond.Add(Math.Round(rate));
                    if (cpu is not null)
                    {
                        last = cpu.Sample(ops);
                        first ??= last;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The cell is over.
        }

        return (perSecond, first is { } from && last is { } to ? CpuSample.PerOperation(from, to) : null);
    }

    /// <summary>A worker's latencies, and (paced) how late after its intended start it took each operation.</summary>
    private sealed record WorkerHistograms(LongHistogram Latency, LongHistogram StartLag);

    private sealed class Shared
    {
        public long Ops;
        public long AllOps;
        public long Errors;
        public string? FirstError;
        public volatile string Phase = "warm-up";
        public double LastRate;
    }
}
