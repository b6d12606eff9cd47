// A real GrainKV silo in its own process (`dotnet GrainKV.Silo.dll`), for tests where a crash (SIGKILL) or
// the real host matters. Readiness is the silo's own "is ready" log line (printed once the node serves its ranges),
// awaited with a bound; a start that only needs the process up (a joining node watched while it streams) awaits
// its "started" line instead.

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GrainKV.Tests.Infrastructure;

public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _untilServing;

    private SiloProcess(Process process, int gatewayPort, int httpPort, bool untilServing)
    {
        _process = process;
        _untilServing = untilServing;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    public int GatewayPort { get; }

    /// <summary>The silo's HTTP endpoint port (/healthz, /metrics, /dashboard).</summary>
    public int HttpPort { get; }

    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}/");

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<SiloProcess> StartAsync(string dataDirectory, string nodeId, int? gatewayPort = null, int? siloPort = null) =>
        StartAsync(dataDirectory, nodeId, gatewayPort, siloPort, []);

    /// <summary>Starts a silo with <paramref name="extraArguments"/> appended to its command line (e.g.
    /// "--GrainKV:PrimarySiloPort=..."; later arguments win over the ones this class sets). With
    /// <paramref name="untilServing"/> false it returns as soon as the silo started, before it serves (e.g. while it
    /// streams the ranges it will own as a joining node).</summary>
    public static async Task<SiloProcess> StartAsync(
        string dataDirectory, string nodeId, int? gatewayPort, int? siloPort, IReadOnlyList<string> extraArguments, bool untilServing = true)
    {
        var ports = LocalPorts.PickFree(2);
        var gateway = gatewayPort ?? ports[0];
        var http = ports.First(p => p != gateway);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        info.ArgumentList.Add(RepositoryPaths.SiloAssembly);
        info.ArgumentList.Add($"--GrainKV:DataDirectory={dataDirectory}");
        info.ArgumentList.Add($"--GrainKV:NodeId={nodeId}");
        info.ArgumentList.Add($"--GrainKV:SiloPort={siloPort ?? LocalPorts.PickFree(1)[0]}");
        info.ArgumentList.Add($"--GrainKV:GatewayPort={gateway}");
        info.ArgumentList.Add($"--GrainKV:Http:Port={http}"); // the default, 8080, would be shared by every silo of a test
        foreach (var argument in extraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["Logging__Console__FormatterName"] = "simple";

        var silo = new SiloProcess(new Process { StartInfo = info }, gateway, http, untilServing);
        silo._process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        _ = silo._process.WaitForExitAsync().ContinueWith(
            _ => silo._ready.TrySetException(new InvalidOperationException("The silo exited before it was ready:\n" + silo.Output)),
            TaskScheduler.Default);
        try
        {
            await silo._ready.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            // Not ready within the bound (or exited): never leave the process behind.
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>SIGKILL: the process dies at once, with no shutdown code run.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
    }

    /// <summary>SIGTERM (what Ctrl+C or a container stop sends): a graceful shutdown. Returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("is ready", StringComparison.Ordinal) || (!_untilServing && line.Contains("started, not yet ready", StringComparison.Ordinal)))
        {
            _ready.TrySetResult();
        }
    }
}
