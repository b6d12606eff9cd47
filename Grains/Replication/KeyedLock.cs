// Per-key mutual exclusion inside one (reentrant) grain: read-merge-write of a key must not interleave
// with another of the same key, while different keys proceed concurrently.

namespace GrainKV.Grains.Replication;

/// <summary>An async lock per key. Used from one grain activation (its calls never run in parallel).</summary>
public sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Waits for the lock of <paramref name="key"/>; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(byte[] key)
    {
        var name = Convert.ToBase64String(key);
        if (!_entries.TryGetValue(name, out var entry))
        {
            entry = new Entry();
            _entries.Add(name, entry);
        }

        entry.Users++;
        await entry.Gate.WaitAsync();
        return new Releaser(this, name, entry);
    }

    private void Release(string name, Entry entry)
    {
        entry.Gate.Release();
        if (--entry.Users == 0)
        {
            _entries.Remove(name);
            entry.Gate.Dispose();
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(KeyedLock owner, string name, Entry entry) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            if (!_released)
            {
                _released = true;
                owner.Release(name, entry);
            }
        }
    }
}
