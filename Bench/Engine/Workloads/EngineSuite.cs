// The sequence one store runs for one value size, in one child process:
//   fillseq (fresh directory, closed after) → fillrandom (fresh directory, closed after) → reopen →
//   readrandom → readmissing → scan → readwhilewriting (last, since it changes the data) → close.
// fillrandom also runs, as the load, when only read workloads are selected.

using System.Diagnostics;
using GrainKV.Bench.Engine.Reporting;
using GrainKV.Bench.Engine.Stores;

namespace GrainKV.Bench.Engine.Workloads;

internal sealed class EngineSuite(EngineBenchOptions options, IBenchStoreFactory factory, int valueSize, int repeat)
{
    private readonly WorkloadContext _context = new(options, factory.Name, valueSize);
    private readonly Measurement _measurement = new(factory.Name, valueSize, options.Threads, repeat);

    public async Task<List<WorkloadResult>> RunAsync(Action<WorkloadResult> onResult, CancellationToken cancellationToken)
    {
        var results = new List<WorkloadResult>();
        void Add(WorkloadResult result)
        {
            results.Add(result);
            onResult(result);
        }

        var root = Path.Combine(options.DataDirectory, $"{factory.Name}-{valueSize}-r{repeat}-{Environment.ProcessId}");
        try
        {
            if (Selected(WorkloadNames.FillSeq))
            {
                var directory = FreshDirectory(root, "fillseq");
                var store = await factory.OpenAsync(directory, options.Settings, cancellationToken).ConfigureAwait(false);
                Add(await _measurement.RunAsync(WorkloadNames.FillSeq, store, directory, closeAfter: true,
                    () => FillWorkload.Sequential(store, _context)).ConfigureAwait(false));
            }

            var reads = WorkloadNames.All.Skip(2).Where(Selected).ToList();
            if (!Selected(WorkloadNames.FillRandom) && reads.Count == 0)
            {
                return results;
            }

            var loaded = FreshDirectory(root, "fillrandom");
            var loading = await factory.OpenAsync(loaded, options.Settings, cancellationToken).ConfigureAwait(false);
            var fill = await _measurement.RunAsync(WorkloadNames.FillRandom, loading, loaded, closeAfter: true,
                () => FillWorkload.Random(loading, _context)).ConfigureAwait(false);

            var reopenTimer = Stopwatch.StartNew();
            await using var store2 = await factory.OpenAsync(loaded, options.Settings, cancellationToken).ConfigureAwait(false);
            var reopenMillis = reopenTimer.Elapsed.TotalMilliseconds;
            if (Selected(WorkloadNames.FillRandom))
            {
                Add(fill with { Extra = new Dictionary<string, double>(fill.Extra) { ["reopen_ms"] = reopenMillis } });
            }

            foreach (var workload in reads)
            {
                Add(await _measurement.RunAsync(workload, store2, loaded, closeAfter: false, () => workload switch
                {
                    WorkloadNames.ReadRandom => ReadWorkload.Run(store2, _context, missing: false),
                    WorkloadNames.ReadMissing => ReadWorkload.Run(store2, _context, missing: true),
                    WorkloadNames.Scan => ScanWorkload.Run(store2, _context),
                    _ => ReadWhileWritingWorkload.Run(store2, _context),
                }).ConfigureAwait(false));
            }

            return results;
        }
        finally
        {
            if (!options.KeepData && Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private bool Selected(string workload) => options.Workloads.Contains(workload);

    private static string FreshDirectory(string root, string name)
    {
        var directory = Path.Combine(root, name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        return directory;
    }
}
