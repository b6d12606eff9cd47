// Runs the grainkv CLI as a process and captures its exit code, standard output (bytes) and standard error.

using System.Diagnostics;

namespace GrainKV.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);
}

public static class Cli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<CliResult> RunAsync(string gateway, byte[]? stdin, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.CliAssembly);
        info.ArgumentList.Add("--gateway");
        info.ArgumentList.Add(gateway);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        await copyOut;
        return new CliResult(process.ExitCode, stdout.ToArray(), await readErr);
    }
}
