// The memtable alone: the latest value or tombstone per key, and point-in-time copies of a key range in
// key order.

using System.Text;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class MemTableTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static List<string> Show(List<KeyValuePair<byte[], byte[]?>> entries) =>
        entries.Select(e => $"{Encoding.UTF8.GetString(e.Key)}={(e.Value is null ? "(deleted)" : Encoding.UTF8.GetString(e.Value))}").ToList();

    private static MemTable With(params string[] keys)
    {
        var table = new MemTable();
        foreach (var key in keys)
        {
            table.Set(B(key), B(key.ToUpperInvariant()));
        }

        return table;
    }

    [Fact]
    public void TheLatestValueOfAKeyWins()
    {
        var table = new MemTable();
        table.Set(B("k"), B("1"));
        table.Set(B("k"), B("2"));

        Assert.True(table.TryGet(B("k"), out var value));
        Assert.Equal(B("2"), value);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void ATombstoneIsKnownButHasNoValue()
    {
        var table = With("k");
        table.Set(B("k"), null);

        Assert.True(table.TryGet(B("k"), out var value));
        Assert.Null(value);
        Assert.False(table.TryGet(B("other"), out _));
    }

    [Fact]
    public void ASnapshotIsInKeyOrderWithinItsHalfOpenRange()
    {
        var table = With("d", "a", "c", "e", "b");
        table.Set(B("c"), null);

        Assert.Equal(["b=B", "c=(deleted)", "d=D"], Show(table.Snapshot(B("b"), B("e")).Copied()));
        Assert.Equal(["a=A", "b=B", "c=(deleted)", "d=D", "e=E"], Show(table.Snapshot([], []).Copied()));
        Assert.Equal(["c=(deleted)", "d=D", "e=E"], Show(table.Snapshot(B("bb"), []).Copied()));
    }

    [Fact]
    public void ARangeOutsideTheKeysIsEmpty()
    {
        var table = With("b", "c");

        Assert.Empty(table.Snapshot(B("d"), []).Copied());
        Assert.Empty(table.Snapshot(B("a"), B("b")).Copied());
        Assert.Empty(table.Snapshot(B("c"), B("b")).Copied());
        Assert.Empty(new MemTable().Snapshot([], []).Copied());
    }

    [Fact]
    public void ASnapshotDoesNotSeeLaterWrites()
    {
        var table = With("a");
        var snapshot = table.Snapshot([], []); // in place: later writes must not change the bytes it points at

        table.Set(B("b"), B("B"));
        table.Set(B("a"), null);
        table.Set(B("a"), B("Z"));

        Assert.Equal(["a=A"], Show(snapshot.Copied()));
    }

    [Fact]
    public void TheSizeCountsAtLeastTheKeysAndValues()
    {
        var table = new MemTable();
        table.Set(B("key"), new byte[100]);
        table.Set(B("other"), null);

        Assert.True(table.ApproximateBytes >= 3 + 100 + 5, $"{table.ApproximateBytes} bytes");
    }

    [Fact]
    public void KeysComeOutInUnsignedByteOrderWhateverTheInsertionOrder()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 2000).Select(i => BitConverter.GetBytes(i * 7919)).ToList();
        keys.AddRange([[], [0], [0, 0], [0x7F], [0x80], [0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]);
        var table = new MemTable();
        foreach (var key in keys.OrderBy(_ => random.Next()))
        {
            table.Set(key, key);
        }

        var expected = keys.Distinct(new KeyEquality()).OrderBy(k => k, ByteArrayComparer.Instance).ToList();
        var actual = table.Snapshot([], []).Copied();
        Assert.Equal(expected.Count, table.Count);
        Assert.Equal(expected, actual.Select(e => e.Key));
        Assert.All(actual, e => Assert.Equal(e.Key, e.Value));
        Assert.All(keys, k => Assert.True(table.TryGet(k, out var v) && v!.AsSpan().SequenceEqual(k)));
    }

    [Fact]
    public void AKeyThatIsAPrefixOfAnotherIsADifferentKey()
    {
        var table = With("ab", "a", "abc");

        Assert.True(table.TryGet(B("a"), out var value));
        Assert.Equal(B("A"), value);
        Assert.False(table.TryGet(B("abcd"), out _));
        Assert.False(table.TryGet(B("aa"), out _));
        Assert.False(table.TryGet([], out _));
        Assert.Equal(["a=A", "ab=AB", "abc=ABC"], Show(table.Snapshot([], []).Copied()));
    }

    [Fact]
    public void ADeletedKeyCanBeWrittenAgainAndCountsOnce()
    {
        var table = With("k", "m");
        table.Set(B("k"), null);
        table.Set(B("gone"), null);
        table.Set(B("k"), B("again"));
        table.Set(B("m"), B("M2"));

        Assert.True(table.TryGet(B("k"), out var value));
        Assert.Equal(B("again"), value);
        Assert.True(table.TryGet(B("gone"), out var tombstone));
        Assert.Null(tombstone);
        Assert.Equal(3, table.Count);
        Assert.Equal(["gone=(deleted)", "k=again", "m=M2"], Show(table.Snapshot([], []).Copied()));
    }

    [Fact]
    public void ALookupTakesASliceOfALargerBuffer()
    {
        var table = With("key");
        ReadOnlySpan<byte> buffer = B("xkeyx");

        Assert.True(table.TryGet(buffer[1..4], out var value));
        Assert.Equal(B("KEY"), value);
        Assert.False(table.TryGet(buffer[1..3], out _));
    }

    [Fact]
    public void ALookupAllocatesNothingButTheValuesCopy()
    {
        // Empty values and tombstones have no bytes to copy: their hits, like the misses, show the lookup itself.
        var table = new MemTable();
        for (var i = 0; i < 1000; i++)
        {
            table.Set(BitConverter.GetBytes(i), i % 2 == 0 ? [] : null);
        }

        Span<byte> key = stackalloc byte[4];
        var hits = 0;
        for (var round = 0; round < 2; round++)
        {
            // The first round warms up; the second is measured.
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 2000; i++)
            {
                BitConverter.TryWriteBytes(key, i);
                hits += table.TryGet(key, out _) ? 1 : 0;
            }

            if (round == 1)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        Assert.Equal(2000, hits);
    }

    [Fact]
    public void ARangeBetweenKeysHoldsOnlyTheKeysInsideIt()
    {
        var table = With("a", "c", "e", "g");

        Assert.Equal(["c=C"], Show(table.Snapshot(B("b"), B("d")).Copied()));
        Assert.Equal(["c=C", "e=E"], Show(table.Snapshot(B("c"), B("f")).Copied()));
        Assert.Equal(["c=C", "e=E"], Show(table.Snapshot(B("bz"), B("g")).Copied()));
        Assert.Empty(table.Snapshot(B("h"), []).Copied());
        Assert.Empty(table.Snapshot(B("ga"), []).Copied());
        Assert.Empty(table.Snapshot(B("c"), B("c")).Copied());
        Assert.Empty(table.Snapshot(B("cc"), B("d")).Copied());
        Assert.Equal(["a=A"], Show(table.Snapshot([], B("b")).Copied()));
    }

    [Fact]
    public void EverySetAddsItsKeyValueAndAFixedOverheadToTheSize()
    {
        var table = new MemTable();
        table.Set(B("key"), new byte[100]);
        table.Set(B("key"), new byte[10]);
        table.Set(B("key"), null);

        // The engine rotates memtables on this figure: overwrites count too, as the space they churn is real.
        Assert.Equal((3 + 100 + 64) + (3 + 10 + 64) + (3 + 0 + 64), table.ApproximateBytes);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void ANullKeyOrBoundIsRefused()
    {
        var table = With("a");

        Assert.Throws<ArgumentNullException>(() => table.Set(null!, B("x")));
        Assert.Throws<ArgumentNullException>(() => table.TryGet((byte[])null!, out _));
        Assert.Throws<ArgumentNullException>(() => table.Snapshot(null!, []).Copied());
        Assert.Throws<ArgumentNullException>(() => table.Snapshot([], null!).Copied());
    }

    private sealed class KeyEquality : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : obj.Length ^ (obj[0] << 8) ^ obj[^1];
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(200_000)] // shares chunks: several fill one and spill into the next
    [InlineData(300_000)] // over a quarter of a chunk: a chunk of its own
    [InlineData(3 << 20)] // larger than a chunk
    public void ValuesOfEverySizeReadBackAcrossChunks(int size)
    {
        var table = new MemTable();
        var values = new Dictionary<int, byte[]>();
        for (var i = 0; i < 12; i++)
        {
            var value = new byte[size];
            new Random(i).NextBytes(value);
            values[i] = value;
            table.Set(BitConverter.GetBytes(i), value);
        }

        table.Set(BitConverter.GetBytes(3), values[4]); // an overwrite points at a new copy
        values[3] = values[4];
        foreach (var (i, value) in values)
        {
            Assert.True(table.TryGet(BitConverter.GetBytes(i), out var read));
            Assert.Equal(value, read);
        }

        Assert.Equal(values.Count, table.Snapshot([], []).Copied().Count(e => e.Value is { } v && v.AsSpan().SequenceEqual(values[BitConverter.ToInt32(e.Key)])));
    }

    [Fact]
    public void AValueIsCopiedInSoTheCallersArrayMayChangeAfterwards()
    {
        var table = new MemTable();
        var value = B("before");
        table.Set(B("k"), value);
        B("after!").CopyTo(value, 0);

        Assert.True(table.TryGet(B("k"), out var read));
        Assert.Equal(B("before"), read);
        Assert.True(table.TryGet(B("k"), out var again));
        Assert.NotSame(read, again);
    }
}
