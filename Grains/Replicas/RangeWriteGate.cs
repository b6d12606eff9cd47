// Lets anti-entropy stop the writes of one range, and only that range, for the instant it takes the range's
// snapshot. Every store of a key's version set passes the gate of its range (an uncontended lock and a counter);
// closing a range's gate waits until the stores already under way have finished and holds back new ones until
// it is opened again. Other ranges never wait. (Pausing every key lock of the node instead stopped all of the
// node's writes for 5-12 ms per tree build: docs/BENCHMARKS.md.)

namespace GrainKV.Grains.Replicas;

/// <summary>Per range: stores under way, and whether a snapshot holds new stores back. Thread-safe.</summary>
public sealed class RangeWriteGate
{
    private readonly Range[] _ranges;

    public RangeWriteGate(int ranges)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranges, 1);
        _ranges = new Range[ranges];
        for (var i = 0; i < ranges; i++)
        {
            _ranges[i] = new Range();
        }
    }

    /// <summary>Passes the gate of <paramref name="range"/>, waiting while it is closed; dispose the result when the
    /// store is done.</summary>
    public ValueTask<Passage> EnterAsync(int range)
    {
        var gate = _ranges[range];
        Task closed;
        lock (gate)
        {
            if (gate.Closed is null)
            {
                gate.Active++;
                return new ValueTask<Passage>(new Passage(gate));
            }

            closed = gate.Closed.Task;
        }

        return WaitThenEnterAsync(closed, range);
    }

    /// <summary>Closes the gate of <paramref name="range"/> once its stores under way have finished; dispose the
    /// result to open it. One closer at a time per range (a second waits for the first).</summary>
    public async ValueTask<IDisposable> CloseAsync(int range)
    {
        var gate = _ranges[range];
        while (true)
        {
            Task wait;
            bool mine;
            lock (gate)
            {
                mine = gate.Closed is null;
                if (mine)
                {
                    gate.Closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (gate.Active == 0)
                    {
                        return new Closing(gate);
                    }

                    gate.Drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = gate.Drained.Task;
                }
                else
                {
                    wait = gate.Closed!.Task;
                }
            }

            await wait.ConfigureAwait(false);
            if (mine)
            {
                return new Closing(gate);
            }
        }
    }

    private async ValueTask<Passage> WaitThenEnterAsync(Task closed, int range)
    {
        await closed.ConfigureAwait(false);
        return await EnterAsync(range).ConfigureAwait(false);
    }

    internal sealed class Range
    {
        public int Active;
        public TaskCompletionSource? Closed;
        public TaskCompletionSource? Drained;
    }

    /// <summary>One store's passage through a range's gate.</summary>
    public struct Passage : IDisposable
    {
        private Range? _gate;

        internal Passage(Range gate) => _gate = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is not { } gate)
            {
                return;
            }

            TaskCompletionSource? drained = null;
            lock (gate)
            {
                if (--gate.Active == 0 && gate.Drained is { } d)
                {
                    drained = d;
                    gate.Drained = null;
                }
            }

            drained?.TrySetResult();
        }
    }

    private sealed class Closing(Range gate) : IDisposable
    {
        private Range? _gate = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is not { } g)
            {
                return;
            }

            TaskCompletionSource? closed;
            lock (g)
            {
                closed = g.Closed;
                g.Closed = null;
            }

            closed?.TrySetResult();
        }
    }
}
