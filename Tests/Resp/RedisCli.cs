// Runs the real redis-cli (Debian package redis-tools, which .ci/run installs) against a gateway. Where it is not
// installed, the tests that need it fail saying so (a skipped test would check nothing).

using System.Diagnostics;

namespace GrainKV.Tests.Resp;

public static class RedisCli
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>The redis-cli on PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => System.IO.Path.Combine(d, "redis-cli"))
        .FirstOrDefault(File.Exists);

    /// <summary>Runs redis-cli with <paramref name="args"/> and <paramref name="stdin"/>; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(int port, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Path ?? throw new InvalidOperationException(
            "redis-cli is not on PATH (Debian: apt-get install redis-tools; .ci/run installs it)."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-h", "127.0.0.1", "-p", port.ToString(), .. args])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(Bound);
        return (process.ExitCode, (await stdout + await stderr).Replace("\r\n", "\n"));
    }
}
