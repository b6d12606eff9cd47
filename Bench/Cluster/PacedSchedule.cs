// The schedule of a paced cell (--rate): operation i is intended to start at start + i / rate. One dedicated thread
// hands each intended start to the workers when it falls due; a worker takes the next one, runs the operation and
// counts its latency from the intended start, so a store that falls behind is charged for the queueing (no
// coordinated omission). If every worker is busy, due starts wait for one in the order they fell due.
//
// Why a thread of its own: a worker that waits for its own slot with Task.Delay wakes on the timer queue's
// millisecond ticks and then waits for a thread-pool thread, and both delays are charged to the store. Measured
// on this 2-core machine (B, 64 workers, 20,000 ops/s): a single redis-server, whose service time is tens of
// microseconds, showed p50 1.0 ms and p99 4.2 ms that way. The schedule thread sleeps with a 100 µs resolution
// where the platform offers one (nanosleep on Linux; elsewhere whole milliseconds) and hands over every start
// that is due when it wakes.

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace GrainKV.Bench.Cluster;

/// <summary>Intended start times at a fixed rate from <c>start</c> until <c>end</c>, handed out as they fall due.</summary>
internal sealed partial class PacedSchedule : IDisposable
{
    private const long MinSleepNanoseconds = 100_000;
    private const long MaxSleepNanoseconds = 1_000_000;

    private readonly Channel<long> _due = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _start;
    private readonly double _ticksPerOp;
    private readonly long _end;

    /// <summary>Starts handing out the intended starts <paramref name="start"/> + i × <paramref name="ticksPerOp"/> (i ≥ 1) before
    /// <paramref name="end"/>, all <see cref="Stopwatch"/> timestamps.</summary>
    public PacedSchedule(long start, double ticksPerOp, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerOp);
        _start = start;
        _ticksPerOp = ticksPerOp;
        _end = end;
        _thread = new Thread(Run) { IsBackground = true, Name = "paced schedule" };
        _thread.Start();
    }

    /// <summary>The intended start of slot <paramref name="slot"/> (1, 2, ...).</summary>
    public long IntendedStart(long slot) => _start + (long)(slot * _ticksPerOp);

    /// <summary>The next due intended start, or null once the schedule is over (its last start was taken, or it was disposed).</summary>
    public async ValueTask<long?> NextAsync(CancellationToken cancellationToken)
    {
        // ReadAsync, not WaitToReadAsync + TryRead: a channel hands a written item to one reader blocked in ReadAsync,
        // but wakes every reader waiting in WaitToReadAsync, so each start would wake all idle workers (63 of them to
        // find nothing and wait again) and load the cores the store under test shares with the driver.
        try
        {
            return await _due.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        long slot = 1;
        var next = IntendedStart(slot);
        while (next < _end && !_stop.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (next > now)
            {
                SleepAbout(next - now);
                continue;
            }

            while (next <= now && next < _end)
            {
                _due.Writer.TryWrite(next);
                next = IntendedStart(++slot);
            }
        }

        _due.Writer.TryComplete();
    }

    /// <summary>Sleeps about <paramref name="ticks"/>, between 100 µs and 1 ms where the platform allows it (a whole
    /// millisecond elsewhere), so that a disposal is noticed soon.</summary>
    private static void SleepAbout(long ticks)
    {
        if (OperatingSystem.IsLinux())
        {
            var request = new TimeSpec { Nanoseconds = Math.Clamp(ticks * 1_000_000_000 / Stopwatch.Frequency, MinSleepNanoseconds, MaxSleepNanoseconds) };
            _ = NanoSleep(ref request, IntPtr.Zero);
        }
        else
        {
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(ref TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
