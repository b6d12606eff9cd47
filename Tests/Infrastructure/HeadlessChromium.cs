// Debian's chromium in headless mode, for tests of the dashboard page in a real browser: the DOM after the
// page's scripts ran (--dump-dom) and a screenshot. Each run gets its own profile directory and is bounded;
// the browser and its child processes are killed if it has not exited by then. .ci/run installs chromium.

using System.Diagnostics;

namespace GrainKV.Tests.Infrastructure;

public static class HeadlessChromium
{
    private const string Executable = "/usr/bin/chromium";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>The page's DOM after <paramref name="settleMilliseconds"/> of (virtual) time for its scripts and fetches.</summary>
    public static async Task<string> DumpDomAsync(Uri page, int settleMilliseconds) =>
        await RunAsync([$"--virtual-time-budget={settleMilliseconds}", "--dump-dom", page.ToString()]);

    /// <summary>Saves a PNG of the page, <paramref name="width"/> × <paramref name="height"/>, to <paramref name="path"/>.</summary>
    public static async Task ScreenshotAsync(Uri page, string path, int width, int height, int settleMilliseconds)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        await RunAsync([$"--virtual-time-budget={settleMilliseconds}", $"--window-size={width},{height}", $"--screenshot={path}", page.ToString()]);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"chromium wrote no screenshot to {path}");
        }
    }

    private static async Task<string> RunAsync(IReadOnlyList<string> arguments)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium (apt-get install chromium; .ci/run does).");
        }

        using var profile = new TempDirectory();
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                     "--disable-extensions", $"--user-data-dir={profile.Path}",
                 }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"chromium did not finish within {Bound.TotalSeconds} s: {string.Join(' ', arguments)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
