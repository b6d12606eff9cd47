// The k-way merge alone: one sorted stream, the newest source winning per key, tombstones passed
// through, every source disposed, and all of that still true when sources reuse their buffers.

using System.Text;
using GrainKV.Storage.Compaction;
using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Compaction;

public sealed class MergingIteratorTests
{
    private static TableEntry Put(string key, string value) => new(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    private static TableEntry Delete(string key) => new(Encoding.UTF8.GetBytes(key), null);

    private static string Show(TableEntry entry) =>
        $"{Encoding.UTF8.GetString(entry.Key)}={(entry.Value is null ? "(deleted)" : Encoding.UTF8.GetString(entry.Value))}";

    private static List<string> Merge(params IEnumerable<TableEntry>[] sourcesNewestFirst) =>
        MergingIterator.Merge(sourcesNewestFirst.Select(s => s.Select(EntryInPlace.Of)).ToList()).Select(e => Show(e.ToTableEntry())).ToList();

    [Fact]
    public void InterleavedSourcesComeOutInKeyOrder()
    {
        var merged = Merge(
            [Put("b", "1"), Put("e", "1")],
            [Put("a", "2"), Put("d", "2"), Put("f", "2")],
            [Put("c", "3")]);

        Assert.Equal(["a=2", "b=1", "c=3", "d=2", "e=1", "f=2"], merged);
    }

    [Fact]
    public void TheNewestSourceShadowsOlderVersionsOfAKey()
    {
        var merged = Merge(
            [Put("k", "newest")],
            [Put("k", "middle"), Put("z", "middle")],
            [Put("a", "oldest"), Put("k", "oldest")]);

        Assert.Equal(["a=oldest", "k=newest", "z=middle"], merged);
    }

    [Fact]
    public void ATombstoneIsPassedThroughAndShadowsOlderValues()
    {
        var merged = Merge(
            [Delete("k")],
            [Put("k", "old"), Put("m", "old")]);

        Assert.Equal(["k=(deleted)", "m=old"], merged);
    }

    [Fact]
    public void AnOlderTombstoneDoesNotHideANewerValue()
    {
        Assert.Equal(["k=back"], Merge([Put("k", "back")], [Delete("k")]));
    }

    [Fact]
    public void EmptySourcesAndNoSourcesGiveWhatTheOthersHold()
    {
        Assert.Empty(Merge());
        Assert.Equal(["a=1"], Merge([], [Put("a", "1")], []));
    }

    [Fact]
    public void EverySourceIsDisposedEvenWhenTheReaderStopsEarly()
    {
        var sources = new[] { new TrackedSource([Put("a", "1"), Put("c", "1")]), new TrackedSource([Put("b", "2")]), new TrackedSource([]) };

        var first = MergingIterator.Merge(sources).Take(1).Select(e => Show(e.ToTableEntry())).ToList();

        Assert.Equal(["a=1"], first);
        Assert.All(sources, source => Assert.True(source.Disposed));
    }

    [Fact]
    public void SourcesThatReuseTheirBuffersMergeAsIfTheyDidNot()
    {
        // Each source hands out every entry in the same two buffers and overwrites them on the way to its next entry,
        // as a compaction's table reader does; the merge must not keep a slice of them past that point.
        var sources = new[]
        {
            new ReusingSource([Put("b", "new"), Put("d", "new"), Delete("f")]),
            new ReusingSource([Put("a", "old"), Put("b", "old"), Put("c", "old"), Put("d", "old"), Put("f", "old")]),
            new ReusingSource([Put("b", "oldest"), Put("d", "oldest"), Put("e", "oldest"), Put("f", "oldest")]),
        };

        // What a table writer does: copy each entry before asking for the next.
        var merged = MergingIterator.Merge(sources).Select(e => Show(e.ToTableEntry())).ToList();

        Assert.Equal(["a=old", "b=new", "c=old", "d=new", "e=oldest", "f=(deleted)"], merged);
    }

    /// <summary>A source whose entries live in one key buffer and one value buffer, scribbled over before each next entry.</summary>
    private sealed class ReusingSource(IReadOnlyList<TableEntry> entries) : IEnumerable<EntryInPlace>
    {
        public IEnumerator<EntryInPlace> GetEnumerator()
        {
            var key = new byte[16];
            var value = new byte[16];
            foreach (var entry in entries)
            {
                key.AsSpan().Fill(0xFF);
                value.AsSpan().Fill(0xFF);
                entry.Key.CopyTo(key, 0);
                entry.Value?.CopyTo(value, 0);
                yield return new EntryInPlace(key.AsMemory(0, entry.Key.Length), entry.Value is null ? StoredValue.Tombstone : new StoredValue(value, 0, entry.Value.Length));
            }

            key.AsSpan().Fill(0xFF);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A source that records whether its enumerator was disposed.</summary>
    private sealed class TrackedSource(IReadOnlyList<TableEntry> entries) : IEnumerable<EntryInPlace>
    {
        public bool Disposed { get; private set; }

        public IEnumerator<EntryInPlace> GetEnumerator()
        {
            try
            {
                foreach (var entry in entries)
                {
                    yield return EntryInPlace.Of(entry);
                }
            }
            finally
            {
                Disposed = true;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
