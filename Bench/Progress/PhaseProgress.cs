// Live progress of a long benchmark phase (loading, a cluster cell, a bootstrap transfer) as a Spectre.Console
// progress bar on standard error, and only when standard error is a terminal: redirected output and the report
// files stay plain text, and nothing is drawn into a log. The phase's own code keeps its counters (Interlocked
// fields, no lock per operation); the bar samples them a few times a second through a poll function.

using Spectre.Console;

namespace GrainKV.Bench.Progress;

/// <summary>What a phase has done so far: a value out of the phase's total (or out of <paramref name="Total"/> once the phase knows it), and a short status.</summary>
internal readonly record struct ProgressSample(double Done, string Status, double? Total = null);

internal static class PhaseProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether progress is drawn: standard error is a terminal.</summary>
    public static bool Shown => !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="work"/>, showing <paramref name="title"/> and <paramref name="poll"/>'s sample of <paramref name="total"/> meanwhile.</summary>
    public static async Task<T> RunAsync<T>(string title, double total, Func<ProgressSample> poll, Func<Task<T>> work)
    {
        if (!Shown)
        {
            return await work().ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes,
        });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: Math.Max(total, 1));
                var running = work();
                while (!running.IsCompleted)
                {
                    Show(task, title, poll());
                    await Task.WhenAny(running, Task.Delay(Interval, TimeProvider.System)).ConfigureAwait(false);
                }

                Show(task, title, poll());
                task.StopTask();
                return await running.ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync{T}(string, double, Func{ProgressSample}, Func{Task{T}})"/> for work without a result.</summary>
    public static Task RunAsync(string title, double total, Func<ProgressSample> poll, Func<Task> work) =>
        RunAsync(title, total, poll, async () =>
        {
            await work().ConfigureAwait(false);
            return true;
        });

    private static void Show(ProgressTask task, string title, ProgressSample sample)
    {
        if (sample.Total is > 0 and var total)
        {
            task.MaxValue = total;
        }

        task.Value = Math.Min(sample.Done, task.MaxValue);
        task.Description = Markup.Escape(sample.Status.Length == 0 ? title : $"{title}  {sample.Status}");
    }
}
