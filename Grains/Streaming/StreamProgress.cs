// What this node holds and how far each transfer has come, kept in <DataDirectory>/streaming.json so that a
// transfer resumes after a crash of this node where it stopped. Per range being streamed: per source node, the
// last key received (base64) or "done". The set of held ranges: ranges this node holds completely (streamed from
// their replicas, or owned with nothing to stream). A range leaves the set as soon as this node stops owning it (it
// then receives no more writes for it). Saved (crash-safe) after each batch, once the batch's writes are durable.

using System.Text.Json;
using GrainKV.Grains.Hosting;

namespace GrainKV.Grains.Streaming;

/// <summary>This node's held ranges and per-range, per-source stream cursors. Thread-safe.</summary>
public sealed class StreamProgress
{
    private const string FileName = "streaming.json";
    private const string Done = "done";
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly HashSet<int> _held = [];
    private readonly Dictionary<int, Dictionary<string, string>> _cursors = [];

    public StreamProgress(NodeIdentity node)
    {
        _path = Path.Combine(node.DataDirectory, FileName);
        if (File.Exists(_path))
        {
            var state = JsonSerializer.Deserialize<State>(File.ReadAllText(_path)) ?? throw new FormatException($"{_path} is empty.");
            _held.UnionWith(state.Held);
            foreach (var (range, sources) in state.Cursors)
            {
                _cursors[range] = new Dictionary<string, string>(sources, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Ranges held completely.</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>True if <paramref name="range"/> is held completely.</summary>
    public bool Holds(int range)
    {
        lock (_lock)
        {
            return _held.Contains(range);
        }
    }

    /// <summary>Where streaming <paramref name="range"/> from <paramref name="source"/> stands: done, or the last key received (null: none).</summary>
    public (bool Done, byte[]? After) Cursor(int range, string source)
    {
        lock (_lock)
        {
            return _cursors.TryGetValue(range, out var sources) && sources.TryGetValue(source, out var cursor)
                ? cursor == Done ? (true, null) : (false, Convert.FromBase64String(cursor))
                : (false, null);
        }
    }

    /// <summary>Records that every key of <paramref name="range"/> up to <paramref name="after"/> from <paramref name="source"/> is
    /// stored durably here (null <paramref name="after"/>: the whole range). Saved to the file only when
    /// <paramref name="save"/> (the end of a source's stream is saved with the next save, at the latest when the range
    /// is held: a crash before that streams the range from that source again, which the merge makes harmless).</summary>
    public void Advance(int range, string source, byte[]? after, bool save = true)
    {
        lock (_lock)
        {
            if (!_cursors.TryGetValue(range, out var sources))
            {
                _cursors[range] = sources = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            sources[source] = after is null ? Done : Convert.ToBase64String(after);
            if (save)
            {
                Save();
            }
        }
    }

    /// <summary>Records that each (range, source) pair of <paramref name="done"/> has nothing left to stream (one save).</summary>
    public void Finish(IEnumerable<(int Range, string Source)> done)
    {
        lock (_lock)
        {
            foreach (var (range, source) in done)
            {
                if (!_cursors.TryGetValue(range, out var sources))
                {
                    _cursors[range] = sources = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                sources[source] = Done;
            }

            Save();
        }
    }

    /// <summary>Marks each of <paramref name="ranges"/> held and forgets their cursors (one save).</summary>
    public void HoldAll(IEnumerable<int> ranges)
    {
        lock (_lock)
        {
            foreach (var range in ranges)
            {
                _held.Add(range);
                _cursors.Remove(range);
            }

            Save();
        }
    }

    /// <summary>Marks <paramref name="range"/> held and forgets its cursors.</summary>
    public void Hold(int range)
    {
        lock (_lock)
        {
            _held.Add(range);
            _cursors.Remove(range);
            Save();
        }
    }

    /// <summary>Forgets <paramref name="ranges"/> (held or half streamed): this node no longer owns them.</summary>
    public void Release(IEnumerable<int> ranges)
    {
        lock (_lock)
        {
            var changed = false;
            foreach (var range in ranges)
            {
                changed |= _held.Remove(range) | _cursors.Remove(range);
            }

            if (changed)
            {
                Save();
            }
        }
    }

    private void Save() => DurableFile.WriteAllText(_path, JsonSerializer.Serialize(new State(
        [.. _held.Order()], _cursors.ToDictionary(kv => kv.Key, kv => new Dictionary<string, string>(kv.Value, StringComparer.Ordinal)))));

    private sealed record State(int[] Held, Dictionary<int, Dictionary<string, string>> Cursors);
}
