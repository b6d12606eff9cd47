// The cluster benchmark's processor time per operation (Bench/Cluster/CpuPerOperation.cs): what the servers and the
// driver spent between two samples, divided by the operations completed between them; the medians over repeats and
// the report's columns carry it.

using GrainKV.Bench.Cluster;

namespace GrainKV.Tests.Bench.Cluster;

public sealed class CpuPerOperationTests
{
    [Fact]
    public void Processor_time_between_two_samples_is_divided_by_the_operations_between_them()
    {
        var start = new CpuSample(1_000, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(200));
        var end = new CpuSample(41_000, TimeSpan.FromMilliseconds(1_700), TimeSpan.FromMilliseconds(600));

        var cost = CpuSample.PerOperation(start, end);

        Assert.NotNull(cost);
        Assert.Equal(30.0, cost.Value.Servers, 6);  // 1.2 s over 40,000 operations
        Assert.Equal(10.0, cost.Value.Driver, 6);   // 0.4 s over 40,000 operations
    }

    [Fact]
    public void No_cost_without_operations_or_when_a_server_restarted_between_the_samples()
    {
        var start = new CpuSample(1_000, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

        Assert.Null(CpuSample.PerOperation(start, start with { Servers = TimeSpan.FromSeconds(6) }));
        Assert.Null(CpuSample.PerOperation(start, new CpuSample(2_000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))));
    }

    [Fact]
    public void Repeats_report_the_median_cost_and_the_table_shows_it()
    {
        CellResult Run(int repeat, double server, double driver) => new(
            "grainkv-1silo", "C", "zipfian", 64, repeat, 1000, 0, 1, 1000, 100, 200, 300, 400, [], null, null, server, driver);

        var medians = CellResult.Medians([Run(0, 30, 9), Run(1, 20, 12), Run(2, 40, 10)]);

        var row = Assert.Single(medians);
        Assert.Equal(30, row.ServerCpuMicrosPerOp);
        Assert.Equal(10, row.DriverCpuMicrosPerOp);
        var table = ClusterReport.Table(medians);
        Assert.Contains("| server µs/op | driver µs/op |", table, StringComparison.Ordinal);
        Assert.Contains("| 30.0 | 10.0 |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeat_without_a_cost_leaves_the_median_empty()
    {
        CellResult Run(int repeat, double? server) => new(
            "redis", "B", "zipfian", 16, repeat, 1000, 0, 1, 1000, 100, 200, 300, 400, [], null, null, server, server);

        var row = Assert.Single(CellResult.Medians([Run(0, 5), Run(1, null)]));

        Assert.Null(row.ServerCpuMicrosPerOp);
        Assert.Null(row.DriverCpuMicrosPerOp);
    }
}
