// Runs a workload body on N dedicated threads released together by a barrier, times the run from release
// to the last thread's end, and merges the per-thread latency histograms. Dedicated threads (not the pool)
// so a store's own background tasks do not compete with the benchmark for pool threads. On a terminal, a
// progress bar (standard error) shows the operations recorded so far against the number expected.

using System.Diagnostics;
using System.Globalization;
using GrainKV.Bench.Common;
using GrainKV.Bench.Progress;
using HdrHistogram;

namespace GrainKV.Bench.Engine.Workloads;

internal static class ThreadRunner
{
    /// <summary>Runs <paramref name="body"/>(threadIndex, histogram) on <paramref name="threads"/> threads, expected to record <paramref name="expectedOps"/> in all.</summary>
    public static (LongHistogram Histogram, TimeSpan Elapsed) Run(string title, long expectedOps, int threads, Action<int, LongHistogram> body)
    {
        var histograms = new LongHistogram[threads];
        var failures = new Exception?[threads];
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            histograms[index] = Latency.NewHistogram();
            workers[index] = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    body(index, histograms[index]);
                }
                catch (Exception ex)
                {
                    failures[index] = ex;
                }
            })
            { IsBackground = true, Name = $"bench-{index}" };
            workers[index].Start();
        }

        start.SignalAndWait();
        var stopwatch = Stopwatch.StartNew();
        void JoinAll()
        {
            foreach (var worker in workers)
            {
                worker.Join();
            }

            stopwatch.Stop();
        }

        if (PhaseProgress.Shown)
        {
            // Each histogram's count is read while its thread writes it: a sample a moment old is good enough here.
            PhaseProgress.RunAsync(
                title,
                expectedOps,
                () => new ProgressSample(histograms.Sum(h => h.TotalCount), string.Create(CultureInfo.InvariantCulture, $"{histograms.Sum(h => h.TotalCount):N0} of {expectedOps:N0}")),
                () => Task.Run(JoinAll)).GetAwaiter().GetResult();
        }
        else
        {
            JoinAll();
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw new InvalidOperationException("A benchmark thread failed.", failure);
        }

        return (Latency.Merge(histograms), stopwatch.Elapsed);
    }

    /// <summary>Waits for a store's write the way a synchronous client would.</summary>
    public static void Wait(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
        }
        else
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
