// The command-line options of `GrainKV.Bench cluster`, each declared once (name, default, help text,
// validation); Bind turns a parse into ClusterBenchOptions. --quick changes the defaults of the options
// it names, never a value given explicitly.

using System.CommandLine;
using System.Globalization;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Common;

namespace GrainKV.Bench.Cluster;

internal sealed class ClusterBenchArguments
{
    private readonly Option<bool> _quick = BenchOption.Flag("--quick", "a smoke run: concurrency 1,16, 10000 records, 2+5 s cells, 5 s settle unless given");
    private readonly ListOption<string> _targets = BenchOption.Names(
        "--targets", ClusterBenchOptions.AllTargets,
        "grainkv-n3: N=3/W=2/R=2; grainkv-n1: per-request N=1, W=R=ONE (both on 3 silos); grainkv-1silo: a cluster of one silo, N=1 "
        + "(the peer of one redis-server); orleans-echo: each operation one echo of a value through the client to that one silo, nothing "
        + "stored (the floor the Orleans client -> gateway hop sets); redis: one redis-server; redis-repl: primary + 2 replicas, WAIT 1 after each write",
        ClusterBenchOptions.AllTargets);
    private readonly ListOption<YcsbWorkload> _workloads = BenchOption.List(
        "--workloads", [YcsbWorkload.Parse("A"), YcsbWorkload.Parse("B"), YcsbWorkload.Parse("C")], "YCSB workloads among A,B,C,D,F", YcsbWorkload.Parse, "A,B,C");
    private readonly Option<string?> _distribution = BenchOption.OptionalChoice("--distribution", "key distribution for every workload [each workload's own]", "uniform", "zipfian", "latest");
    private readonly ListOption<int> _concurrency = BenchOption.IntList("--concurrency", [1, 16, 64], "outstanding requests, one cell each", defaultDisplay: "1,16,64; 1,16 with --quick");
    private readonly Option<long?> _records = BenchOption.OptionalLong("--records", "records loaded per target [20000; 10000 with --quick]");
    private readonly Option<int> _valueSize = BenchOption.Int("--value-size", 1024, "value size in bytes");
    private readonly Option<long?> _duration = BenchOption.OptionalLong("--duration", "measured seconds per cell [10; 5 with --quick]", 1, int.MaxValue);
    private readonly Option<long?> _warmup = BenchOption.OptionalLong("--warmup", "unmeasured seconds before each cell [5; 2 with --quick]", 0, int.MaxValue);
    private readonly Option<long?> _settle = BenchOption.OptionalLong("--settle", "seconds of unmeasured workload A after loading, before the first cell (three silos on two cores run partly unoptimized code for a minute or more: the JIT still compiles at 60-90 s; give them 60 s or more) [60; 5 with --quick]", 0, int.MaxValue);
    private readonly Option<string> _updates = BenchOption.Choice(
        "--updates", "context", "how the GrainKV targets update a record: context = a put with the context of the key's last read (read first when none is "
        + "cached), as a read-modify-write client does; overwrite = a blind overwrite superseding what the read quorum finds, as a Redis SET does", "context", "overwrite");
    private readonly Option<string> _clientBatching = BenchOption.Choice(
        "--client-batching", "off", "the GrainKV client's requests to a gateway: on = in batches while others are out (GrainKvClientOptions.BatchRequests); off = one call each", "on", "off");
    private readonly Option<int> _rate = BenchOption.Int("--rate", 0, "paced: N ops/s shared by the workers, latency from each op's intended start; 0 = closed loop", 0);
    private readonly Option<long> _maxOps = BenchOption.Long("--max-ops", 50_000_000, "cap on operations per cell");
    private readonly Option<int> _repeat = BenchOption.Int("--repeat", 1, "runs per cell; tables show medians");
    private readonly Option<int> _silos = BenchOption.Int("--silos", 3, "silos of the GrainKV cluster (the N=3 targets need 3)");
    private readonly Option<string> _durability = BenchOption.Choice("--durability", "Buffered", "silo commit log (Redis runs without persistence)", "Buffered", "Synced");
    private readonly Option<int> _commitIntervalMs = BenchOption.Int("--commit-interval-ms", 0, "silo log commit period when Buffered, in ms; 0 = the node default (10)", 0);
    private readonly Option<int> _basePort = BenchOption.Int("--base-port", 21100, "silo ports N.., gateways N+100..");
    private readonly Option<int> _redisPort = BenchOption.Int("--redis-port", 26379, "first Redis port");
    private readonly Option<string?> _siloDll = BenchOption.OptionalText("--silo-dll", "the silo to run [Silo/bin/Release/net10.0/GrainKV.Silo.dll found above this program]");
    private readonly Option<string> _redisServer = BenchOption.Text("--redis-server", "redis-server", "the redis-server executable");
    private readonly Option<int> _waitTimeoutMs = BenchOption.Int("--wait-timeout-ms", 1000, "redis-repl's WAIT timeout in ms");
    private readonly Option<string> _out = BenchOption.Text("--out", "bench-results", "results directory");
    private readonly Option<bool> _keepData = BenchOption.Flag("--keep-data", "keep silo and Redis data afterwards");
    private readonly Option<int> _seed = BenchOption.Int("--seed", 42, "random seed", 0);

    public void AddTo(Command command)
    {
        Option[] all = [_quick, _targets, _workloads, _distribution, _concurrency, _records, _valueSize, _duration, _warmup, _settle, _updates, _clientBatching, _rate, _maxOps,
            _repeat, _silos, _durability, _commitIntervalMs, _basePort, _redisPort, _siloDll, _redisServer, _waitTimeoutMs, _out, _keepData, _seed];
        foreach (var option in all)
        {
            command.Add(option);
        }

        // Read from the tokens: a value with its own error (reported as such) cannot be asked for here.
        command.Validators.Add(result =>
        {
            var silos = result.GetResult(_silos)?.Tokens is { Count: > 0 } given ? given[^1].Value : "3";
            var targets = result.GetResult(_targets)?.Tokens is { Count: > 0 } named ? named[^1].Value.Split(',', StringSplitOptions.TrimEntries) : [.. _targets.Default];
            if (silos != "3" && int.TryParse(silos, CultureInfo.InvariantCulture, out _)
                && targets.Any(t => ClusterBenchOptions.ThreeSiloTargets.Contains(t, StringComparer.OrdinalIgnoreCase)))
            {
                result.AddError($"--silos must be 3 for {string.Join(", ", ClusterBenchOptions.ThreeSiloTargets)} (the cluster runs at N=3/W=2/R=2), not {silos}.");
            }
        });
    }

    public ClusterBenchOptions Bind(ParseResult parse)
    {
        var quick = parse.GetValue(_quick);
        var distribution = parse.GetValue(_distribution);
        return new ClusterBenchOptions
        {
            Targets = _targets.ValueOf(parse),
            Workloads = _workloads.ValueOf(parse),
            Distribution = distribution is null ? null : Enum.Parse<KeyDistribution>(distribution, ignoreCase: true),
            Concurrency = parse.GetValue(_concurrency) ?? (quick ? [1, 16] : _concurrency.Default),
            Records = parse.GetValue(_records) ?? (quick ? 10_000 : 20_000),
            ValueSize = parse.GetValue(_valueSize),
            Duration = TimeSpan.FromSeconds(parse.GetValue(_duration) ?? (quick ? 5 : 10)),
            Warmup = TimeSpan.FromSeconds(parse.GetValue(_warmup) ?? (quick ? 2 : 5)),
            MaxOps = parse.GetValue(_maxOps),
            Settle = TimeSpan.FromSeconds(parse.GetValue(_settle) ?? (quick ? 5 : 60)),
            OverwriteUpdates = parse.GetRequiredValue(_updates) == "overwrite",
            ClientBatching = parse.GetRequiredValue(_clientBatching) == "on",
            Rate = parse.GetValue(_rate) is > 0 and var rate ? rate : null,
            Repeat = parse.GetValue(_repeat),
            Silos = parse.GetValue(_silos),
            BasePort = parse.GetValue(_basePort),
            RedisPort = parse.GetValue(_redisPort),
            Durability = parse.GetRequiredValue(_durability),
            CommitIntervalMs = parse.GetValue(_commitIntervalMs) is > 0 and var ms ? ms : null,
            SiloDll = parse.GetValue(_siloDll) is { Length: > 0 } dll ? Path.GetFullPath(dll) : null,
            RedisServer = parse.GetRequiredValue(_redisServer),
            WaitTimeoutMs = parse.GetValue(_waitTimeoutMs),
            Out = parse.GetRequiredValue(_out),
            KeepData = parse.GetValue(_keepData),
            Seed = parse.GetValue(_seed),
        };
    }
}
