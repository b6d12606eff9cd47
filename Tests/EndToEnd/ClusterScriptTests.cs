// scripts/cluster.sh, as an operator runs it: `start` brings up the deployment topology as processes (a Redis of its
// own, three silos with their data directories, TLS on with certificates it makes), `status` reports it, a client
// with the script's client certificate writes and reads through every gateway (the library and the CLI), a client
// without it is refused, and `stop` ends every process the script started. The script runs the built silo of
// this test run (SKIP_BUILD, SILO_DLL) on free ports; whatever happens, the test stops it and kills what is left.

using System.Diagnostics;
using System.Text;
using GrainKV.Client;
using GrainKV.Security;
using GrainKV.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GrainKV.Tests.EndToEnd;

[Collection(nameof(ClusterCrashTests))]   // real processes: never beside the other process tests on a 2-core machine
[Trait("Category", "Crash")]
public sealed class ClusterScriptTests(ITestOutputHelper output) : IDisposable
{
    private const int Nodes = 3;
    private static readonly TimeSpan ScriptBound = TimeSpan.FromMinutes(4);   // `start` waits up to 120 s per node itself
    private static readonly TimeSpan OperationBound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private readonly int _siloPort = LocalPorts.PickFreeRun(Nodes);
    private readonly int _gatewayPort = LocalPorts.PickFreeRun(Nodes);
    private readonly int _httpPort = LocalPorts.PickFreeRun(Nodes);
    private readonly int _redisPort = LocalPorts.PickFree(1)[0];

    private string Certificates => Path.Combine(_data.Path, "certs");

    private List<string> Gateways => [.. Enumerable.Range(0, Nodes).Select(i => $"127.0.0.1:{_gatewayPort + i}")];

    [Fact]
    public async Task StartsTheTlsTopologyServesAClientWithItsCertificateAndStopsEverything()
    {
        try
        {
            var started = await RunScriptAsync("start");
            Assert.True(started.ExitCode == 0, $"cluster.sh start failed ({started.ExitCode}):\n{started.Output}");
            Assert.Contains("n3 ready", started.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(Certificates, "silo", ClusterTlsOptions.CertificateFileName)), "cluster.sh made no silo certificate");

            var status = await RunScriptAsync("status");
            Assert.Equal(0, status.ExitCode);
            Assert.Equal(Nodes, status.Output.Split('\n').Count(l => l.Contains(": running (pid", StringComparison.Ordinal)));
            Assert.Contains("TLS: on", status.Output, StringComparison.Ordinal);

            // The library, with the client certificate the script made.
            await using (var client = await GrainKvClient.ConnectAsync(ClientOptions(tls: true)))
            {
                await Eventually.HoldsAsync(
                    async () => (await client.GetStatusAsync()).Nodes.Count(n => n.IsLive) == Nodes, OperationBound, $"{Nodes} live nodes");
                for (var i = 0; i < 20; i++)
                {
                    await client.PutAsync($"script-{i}", $"value-{i}").WaitAsync(OperationBound);
                }

                foreach (var gateway in Gateways)
                {
                    var options = ClientOptions(tls: true);
                    options.Gateways = [gateway];
                    await using var single = await GrainKvClient.ConnectAsync(options);
                    for (var i = 0; i < 20; i++)
                    {
                        var read = await single.GetAsync($"script-{i}").WaitAsync(OperationBound);
                        Assert.Equal($"value-{i}", Encoding.UTF8.GetString(Assert.Single(read.Values)));
                    }
                }
            }

            // The CLI, with the same certificate directory.
            var tlsDirectory = Path.Combine(Certificates, "client");
            Assert.Equal(0, (await Cli.RunAsync(Gateways[1], null, "--tls-dir", tlsDirectory, "put", "cli-key", "cli-value")).ExitCode);
            var got = await Cli.RunAsync(Gateways[2], null, "--tls-dir", tlsDirectory, "get", "cli-key");
            Assert.Equal(0, got.ExitCode);
            Assert.Equal("cli-value", got.StdoutText.Trim());

            // Without the certificate, the cluster refuses the client.
            var plain = ClientOptions(tls: false);
            plain.ConnectTimeout = TimeSpan.FromSeconds(5);
            await Assert.ThrowsAsync<ClusterUnavailableException>(() => GrainKvClient.ConnectAsync(plain).WaitAsync(OperationBound * 2));

            var pids = ReadPids();
            Assert.Equal(Nodes + 1, pids.Count);   // the silos and the Redis the script started
            var stopped = await RunScriptAsync("stop");
            Assert.True(stopped.ExitCode == 0, $"cluster.sh stop failed ({stopped.ExitCode}):\n{stopped.Output}");
            foreach (var (name, pid) in pids)
            {
                Assert.False(IsRunning(pid), $"{name} (pid {pid}) still runs after cluster.sh stop");
            }

            Assert.All(Enumerable.Range(0, Nodes).SelectMany(i => new[] { _siloPort + i, _gatewayPort + i }), port => Assert.True(LocalPorts.IsFree(port), $"port {port} still taken"));
        }
        finally
        {
            await CleanUpAsync();
        }
    }

    private GrainKvClientOptions ClientOptions(bool tls) => new()
    {
        Gateways = Gateways,
        Tls = new ClusterTlsOptions { Enabled = tls, CertificateDirectory = tls ? Path.Combine(Certificates, "client") : null },
    };

    private async Task<(int ExitCode, string Output)> RunScriptAsync(string command)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "cluster.sh"));
        info.ArgumentList.Add(command);
        info.Environment["DATA"] = _data.Path;
        info.Environment["SKIP_BUILD"] = "1";
        info.Environment["SILO_DLL"] = RepositoryPaths.SiloAssembly;
        info.Environment["SILO_PORT"] = $"{_siloPort}";
        info.Environment["GATEWAY_PORT"] = $"{_gatewayPort}";
        info.Environment["HTTP_PORT"] = $"{_httpPort}";
        info.Environment["REDIS_PORT"] = $"{_redisPort}";
        info.Environment.Remove("REDIS");

        using var process = new Process { StartInfo = info };
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ScriptBound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        process.WaitForExit();   // drains the output handlers
        output.WriteLine($"$ cluster.sh {command}\n{text}");
        lock (text)
        {
            return (process.ExitCode, text.ToString());
        }

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (text)
                {
                    text.AppendLine(line);
                }
            }
        }
    }

    private Dictionary<string, int> ReadPids() =>
        Directory.Exists(_data.Path)
            ? Directory.GetFiles(_data.Path, "*.pid").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture))
            : [];

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>`cluster.sh stop`; then SIGKILL to the process group of anything still recorded as running.</summary>
    private async Task CleanUpAsync()
    {
        var pids = ReadPids();
        try
        {
            await RunScriptAsync("stop");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            output.WriteLine($"cluster.sh stop: {ex.Message}");
        }

        foreach (var (_, pid) in pids.Where(p => IsRunning(p.Value)))
        {
            using var kill = Process.Start("kill", ["-KILL", "--", $"-{pid}"]);
            await kill.WaitForExitAsync();
        }
    }

    public void Dispose() => _data.Dispose();
}
