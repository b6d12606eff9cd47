// The real silo executable's HTTP endpoint: a Prometheus scrape of /metrics after a few requests finds the
// request counters, the latency histogram, the engine's instruments with plausible values and the heap limit the
// silo was given; /healthz is ready; a silo whose HTTP port is taken refuses to start and names the setting.

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GrainKV.Client;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.EndToEnd;

public sealed class SiloHttpTests
{
    [Fact]
    public async Task AScrapeFindsRequestLatencyAndEngineInstruments()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, "metrics-node", null, null, ["--GrainKV:HeapLimitMb=700"]);
        await using (var client = await GrainKvClient.ConnectAsync(new GrainKvClientOptions { Gateways = [silo.Gateway] }))
        {
            for (var i = 0; i < 10; i++)
            {
                await client.PutAsync($"scrape-{i}", new string('v', 500));
            }

            for (var i = 0; i < 10; i++)
            {
                Assert.True((await client.GetAsync($"scrape-{i}")).Found);
            }

            for (var i = 0; i < 5; i++)
            {
                Assert.False((await client.GetAsync($"scrape-missing-{i}")).Found);
            }
        }

        using var http = new HttpClient { BaseAddress = silo.HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        using (var health = await http.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var response = await http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var samples = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(10, Value(samples, "grainkv_requests_total", "operation=\"put\"", "outcome=\"ok\""));
        Assert.Equal(10, Value(samples, "grainkv_requests_total", "operation=\"get\"", "outcome=\"ok\""));
        Assert.Equal(5, Value(samples, "grainkv_requests_total", "operation=\"get\"", "outcome=\"not_found\""));

        var gets = Value(samples, "grainkv_request_duration_seconds_count", "operation=\"get\"", "outcome=\"ok\"");
        Assert.Equal(10, gets);
        Assert.Equal(gets, Value(samples, "grainkv_request_duration_seconds_bucket", "operation=\"get\"", "outcome=\"ok\"", "le=\"+Inf\""));
        Assert.InRange(Value(samples, "grainkv_request_duration_seconds_sum", "operation=\"get\"", "outcome=\"ok\""), 1e-6, 10 * 5.0);
        Assert.InRange(Value(samples, "grainkv_request_duration_seconds_sum", "operation=\"put\"", "outcome=\"ok\""), 1e-6, 10 * 5.0);

        // 10 entries of about 510 bytes: in the memtable (no flush yet), counted as user bytes, amplified by the log.
        Assert.InRange(Value(samples, "grainkv_engine_memtable_size_bytes"), 5_000, 1_000_000);
        Assert.InRange(Value(samples, "grainkv_engine_bytes_written_bytes_total", "kind=\"user\""), 5_000, 1_000_000);
        Assert.InRange(Value(samples, "grainkv_engine_write_amplification"), 1, 10);
        Assert.Equal(0, Value(samples, "grainkv_engine_flushes_total"));
        Assert.Equal(0, Value(samples, "grainkv_hints_pending"));

        // The .NET runtime's meter beside GrainKV's: what the process allocated and the CPU it spent.
        Assert.True(Value(samples, "dotnet_gc_heap_total_allocated_bytes_total") > 0, "bytes allocated are exported");
        Assert.True(Value(samples, "dotnet_process_cpu_time_seconds_total", "cpu_mode=\"user\"") > 0, "CPU time is exported");

        // GrainKV:HeapLimitMb is the garbage collector's limit.
        Assert.Equal(700L << 20, Value(samples, "grainkv_process_memory_limit_bytes"));
    }

    [Fact]
    public async Task ASiloWhoseHttpPortIsTakenRefusesToStart()
    {
        using var data = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SiloProcess.StartAsync(data.Path, "http-port-node", null, null, [$"--GrainKV:Http:Port={port}"]));
        Assert.Contains($"could not listen on 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("GrainKV:Http:Port", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Prometheus text format: "name{labels} value" per sample line.</summary>
    private static List<(string Name, string Labels, double Value)> Parse(string text) =>
        text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line =>
            {
                var space = line.LastIndexOf(' ');
                var series = line[..space];
                var brace = series.IndexOf('{', StringComparison.Ordinal);
                return brace < 0
                    ? (series, "", double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture))
                    : (series[..brace], series[brace..], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
            })
            .ToList();

    private static double Value(List<(string Name, string Labels, double Value)> samples, string name, params string[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).ToList();
        Assert.True(matching.Count == 1, $"{name}{{{string.Join(",", labels)}}}: {matching.Count} samples");
        return matching[0].Value;
    }
}
