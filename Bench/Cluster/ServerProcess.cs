// A server process the benchmark starts (a silo, a redis-server): output drained into a short tail (so the
// pipe never fills and a failure can be explained), a wait for its "ready" line, and a kill of the whole
// process tree on dispose. Every live instance is also killed when this program exits, however it exits.

using System.Collections.Concurrent;
using System.Diagnostics;

namespace GrainKV.Bench.Cluster;

internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ServerProcess, bool> Live = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly string _name;
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private TimeSpan _lastProcessorTime;

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in Live.Keys)
            {
                server.Kill();
            }
        };
    }

    private ServerProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>The processor time the process has used so far (user and system); what it had used when it exited,
    /// once it has.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            try
            {
                _process.Refresh();
                return _lastProcessorTime = _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return _lastProcessorTime; // exited and reaped
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/>; output is kept, not shown.</summary>
    public static ServerProcess Start(string name, string file, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {file}.");
        }

        Live[server] = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the process prints a line containing <paramref name="text"/>; throws (with its output tail)
    /// if it exits first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waits)
        {
            if (_tail.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }

            _waits.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var done = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (done != seen.Task)
        {
            var why = done == exited ? $"exited with code {_process.ExitCode}" : $"did not print '{text}' within {timeout.TotalSeconds:0} s";
            throw new InvalidOperationException($"{_name} {why}. Last output:\n  {string.Join("\n  ", _tail)}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > 40)
        {
            _tail.TryDequeue(out _);
        }

        lock (_waits)
        {
            foreach (var wait in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                wait.Seen.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Left to the OS; it was sent SIGKILL.
        }

        Live.TryRemove(this, out _);
        _process.Dispose();
    }
}
