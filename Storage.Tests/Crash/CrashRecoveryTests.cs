// Crash safety with real processes: a child writes with synced durability and is killed with SIGKILL;
// reopening the directory must show every acknowledged write with its last value, nothing deleted come
// back, and at most the in-flight operation of each writer either applied or not.

using System.Diagnostics;
using System.Text;

namespace GrainKV.Storage.Tests.Crash;

public sealed class CrashRecoveryTests : IDisposable
{
    private const int Writers = 4;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "grainkv-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(32L * 1024 * 1024, 22)] // killed while writing to the log and memtable
    [InlineData(16L * 1024, 22)] // killed while flushing and compacting, which run all the time
    [InlineData(16L * 1024, 12)] // and while the log removes segments and begins new ones in removed ones' files
    public async Task AcknowledgedWritesSurviveRepeatedSigkill(long memTableBytes, int logPageBits)
    {
        // Per key: the last acknowledged value (null = deleted) and values that may have been applied unacknowledged.
        var acknowledged = new Dictionary<string, string?>();
        for (var round = 0; round < 3; round++)
        {
            var inFlight = await RunAndKillAsync(round, memTableBytes, logPageBits, acknowledged, acknowledgementsBeforeKill: 150 + round * 50);
            await using var engine = await StorageEngine.OpenAsync(
                new StorageOptions { DataDirectory = _directory, LogPageSizeBits = logPageBits, MaxValueSize = 2048 });
            if (memTableBytes < 1024 * 1024)
            {
                Assert.True(engine.GetStatistics().Tables > 0, "the small-memtable writer flushed tables before the kill");
            }

            foreach (var (key, expected) in acknowledged)
            {
                var found = engine.TryGet(Encoding.UTF8.GetBytes(key), out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
                var allowed = inFlight.Where(f => f.Key == key).Select(f => f.Value).Append(expected);
                Assert.True(allowed.Contains(found), $"round {round}: key {key} is '{found ?? "<absent>"}', expected '{expected ?? "<absent>"}'");
                acknowledged[key] = found;
            }
        }
    }

    /// <summary>Runs the writer until it has acknowledged enough operations, kills it, and folds what it
    /// acknowledged into <paramref name="acknowledged"/>. Returns the operations in flight at the kill.</summary>
    private async Task<List<KeyValuePair<string, string?>>> RunAndKillAsync(
        int round, long memTableBytes, int logPageBits, Dictionary<string, string?> acknowledged, int acknowledgementsBeforeKill)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GrainKV.Storage.CrashWriter.dll"));
        foreach (var arg in new[] { _directory, round.ToString(), Writers.ToString(), "100000", memTableBytes.ToString(), logPageBits.ToString() })
        {
            info.ArgumentList.Add(arg);
        }

        using var child = Process.Start(info)!;
        var begun = new Dictionary<string, string>();
        var acks = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (acks < acknowledgementsBeforeKill)
        {
            var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The writer exited early with code {(child.HasExited ? child.ExitCode : -1)}.");
            var parts = Parse(line);
            if (parts is null)
            {
                continue;
            }

            if (parts[0] == "B")
            {
                begun[parts[1]] = parts[2];
            }
            else if (parts[0] == "A")
            {
                acknowledged[parts[1]] = parts[2] == "-" ? null : parts[2];
                begun.Remove(parts[1]);
                acks++;
            }
        }

        child.Kill(entireProcessTree: true);

        // Lines already written before the kill still count: drain them.
        string? rest;
        while ((rest = await child.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
        {
            var parts = Parse(rest);
            if (parts is null)
            {
                continue;
            }

            if (parts[0] == "A")
            {
                acknowledged[parts[1]] = parts[2] == "-" ? null : parts[2];
                begun.Remove(parts[1]);
            }
            else if (parts[0] == "B")
            {
                begun[parts[1]] = parts[2];
            }
        }

        await child.WaitForExitAsync(timeout.Token);
        return begun.Select(b => new KeyValuePair<string, string?>(b.Key, b.Value == "-" ? null : b.Value)).ToList();
    }

    /// <summary>Splits a complete report line into kind, key and value; null for READY or a line cut short by the kill.</summary>
    private static string[]? Parse(string line)
    {
        if (!line.EndsWith(" .", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = line[..^2].Split(' ', 3);
        return parts.Length == 3 ? parts : null;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
