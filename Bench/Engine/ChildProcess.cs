// Starts this same program again as a child (`GrainKV.Bench engine ...`), whether it was launched through
// its apphost or as `dotnet GrainKV.Bench.dll`. The child shares the console, so its progress shows live.

using System.Diagnostics;

namespace GrainKV.Bench.Engine;

internal static class ChildProcess
{
    /// <summary>Runs the child to its end; <paramref name="serverGc"/> chooses its garbage collector and
    /// <paramref name="heapLimitMb"/> (if any) its heap hard limit.</summary>
    public static async Task<int> RunSelfAsync(IEnumerable<string> arguments, bool serverGc, long? heapLimitMb, CancellationToken cancellationToken)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        start.Environment["DOTNET_gcServer"] = serverGc ? "1" : "0";
        if (heapLimitMb is { } limit)
        {
            start.Environment["DOTNET_GCHeapHardLimit"] = (limit << 20).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        }
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }
}
