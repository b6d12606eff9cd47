// BackgroundThread: steps run in order on one named thread that is not a thread-pool worker, its nice value raised by
// the amount it was given (read back from /proc on Linux); a step's exception reaches its caller and the thread goes on; disposing lets
// the steps already given finish and refuses new ones.

using System.Globalization;

namespace GrainKV.Storage.Tests;

public sealed class BackgroundThreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StepsRunInOrderOnOneNamedThreadThatIsNotAPoolWorker()
    {
        using var thread = new BackgroundThread("test steps", niceness: 0);
        var order = new List<int>();
        var runs = Enumerable.Range(0, 5).Select(i => thread.RunAsync(() =>
        {
            order.Add(i);
            return (Thread.CurrentThread.ManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
        })).ToArray();

        var seen = await Task.WhenAll(runs).WaitAsync(Bound);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Single(seen.Select(s => s.ManagedThreadId).Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen[0].ManagedThreadId);
        Assert.All(seen, s => Assert.False(s.IsThreadPoolThread));
        Assert.All(seen, s => Assert.Equal("test steps", s.Name));
    }

    [Fact]
    public async Task AStepsExceptionReachesItsCallerAndLaterStepsStillRun()
    {
        using var thread = new BackgroundThread("test failures", niceness: 0);
        var failed = thread.RunAsync<int>(() => throw new InvalidDataException("step failed"));
        var next = thread.RunAsync(() => 42);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => failed.WaitAsync(Bound));
        Assert.Equal("step failed", error.Message);
        Assert.Equal(42, await next.WaitAsync(Bound));
    }

    [Fact]
    public async Task TheThreadRunsAtTheNiceValueItWasGivenOnLinux()
    {
        using var lowered = new BackgroundThread("test nice 7", niceness: 7);
        using var plain = new BackgroundThread("test nice 0", niceness: 0);
        Assert.True(await plain.PriorityLowered.WaitAsync(Bound));
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(await lowered.PriorityLowered.WaitAsync(Bound));
            return;
        }

        // A new thread starts at its creator's nice value; the lowered one adds 7 to it.
        var creators = NiceOf("/proc/thread-self/stat");
        Assert.True(await lowered.PriorityLowered.WaitAsync(Bound));
        Assert.Equal(Math.Min(19, creators + 7), await lowered.RunAsync(() => NiceOf("/proc/thread-self/stat")).WaitAsync(Bound));
        Assert.Equal(creators, await plain.RunAsync(() => NiceOf("/proc/thread-self/stat")).WaitAsync(Bound));
    }

    [Fact]
    public async Task DisposingLetsTheGivenStepsFinishAndRefusesNewOnes()
    {
        var thread = new BackgroundThread("test dispose", niceness: 0);
        using var gate = new ManualResetEventSlim();
        var first = thread.RunAsync(() => gate.Wait(Bound));
        var second = thread.RunAsync(() => 2);

        var disposing = Task.Run(thread.Dispose);
        gate.Set();
        await disposing.WaitAsync(Bound);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(await first);
        Assert.Equal(2, await second);
        Assert.Throws<ObjectDisposedException>(() => { _ = thread.RunAsync(() => 3); });
    }

    /// <summary>The nice value (field 19) of a /proc stat file; the fields after the command name (which may hold
    /// spaces) start with the state, field 3.</summary>
    internal static int NiceOf(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
    }
}
