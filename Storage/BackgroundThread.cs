// A thread of its own for one of the engine's long synchronous steps: writing a flushed or compacted table (merging,
// compressing, checksumming, writing and syncing it), or the commit log's reads and writes (LogSegmentDevice, at the
// process's priority). On the thread
// pool such a step held one of the pool's workers for its whole length, up to hundreds of milliseconds, and a node
// with few cores served its requests with one worker fewer meanwhile (the pool adds a worker only when it sees none
// finishing work). Here the step is one more thread for the operating system to schedule, and on Linux a thread of
// lower priority (a higher nice value, as RocksDB and Cassandra can lower their compaction threads'): while the cores are
// busy with requests, the step gets what they leave, and it still gets a share, so flushes keep up (writers wait for
// them only when two memtables are already waiting: StorageOptions.MaxImmutableMemTables).
// A step must not take a lock that requests wait for: at the lower priority it could hold it while the busy cores
// run other threads (the engine publishes a written table back on the thread pool, because writers that rotate a
// memtable wait for the lock it is published under). Steps run one at a time, in the order given; the thread ends
// when the engine disposes of it.

using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace GrainKV.Storage;

/// <summary>Runs synchronous steps, one at a time, on a dedicated thread.</summary>
internal sealed partial class BackgroundThread : IDisposable
{
    private const int PriorityOfProcess = 0; // PRIO_PROCESS: with a thread id, that thread alone
    private const int MaxNice = 19;

    private readonly BlockingCollection<Action> _steps = new();
    private readonly TaskCompletionSource<bool> _priorityLowered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _niceness;
    private readonly Thread _thread;

    /// <param name="name">The thread's name, as profilers and debuggers show it.</param>
    /// <param name="niceness">Added on Linux to the nice value the thread starts with (its creator's), up to 19; 0 keeps it.</param>
    public BackgroundThread(string name, int niceness)
    {
        _niceness = niceness;
        _thread = new Thread(RunSteps) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Completes with true once the thread runs at its lowered priority, or false where it could not be lowered
    /// (not Linux, or the call failed); true for a <c>niceness</c> of 0.</summary>
    public Task<bool> PriorityLowered => _priorityLowered.Task;

    /// <summary>Runs <paramref name="step"/> on the thread; the task completes with its result or its exception.</summary>
    /// <exception cref="ObjectDisposedException">The thread was stopped.</exception>
    public Task<T> RunAsync<T>(Func<T> step)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.SetResult(step());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>Runs <paramref name="step"/> on the thread, after the steps given before it; nothing waits for it, so it
    /// must not throw (an exception would end the thread, and the process with it).</summary>
    /// <exception cref="ObjectDisposedException">The thread was stopped.</exception>
    public void Post(Action step)
    {
        try
        {
            _steps.Add(step);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(_thread.Name);
        }
    }

    private void RunSteps()
    {
        bool lowered;
        try
        {
            lowered = LowerPriority(_niceness);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            lowered = false; // a C library without gettid (glibc before 2.30): the thread keeps its priority
        }

        _priorityLowered.SetResult(lowered);
        foreach (var step in _steps.GetConsumingEnumerable())
        {
            step();
        }
    }

    /// <summary>Adds <paramref name="niceness"/> to the calling thread's nice value (at most 19). False where that
    /// cannot be done.</summary>
    private static bool LowerPriority(int niceness)
    {
        if (niceness == 0)
        {
            return true;
        }

        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var thread = GetThreadId();
        var current = GetPriority(PriorityOfProcess, thread);
        if (current == -1 && Marshal.GetLastPInvokeError() != 0)
        {
            return false;
        }

        return SetPriority(PriorityOfProcess, thread, Math.Min(MaxNice, current + niceness)) == 0;
    }

    /// <summary>Lets the steps already given finish, then ends the thread (called from one of its own steps, it refuses
    /// new steps and leaves the rest to the thread).</summary>
    public void Dispose()
    {
        _steps.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
            _steps.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
