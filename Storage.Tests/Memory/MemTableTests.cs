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

        Assert.Equal(["b=B", "c=(deleted)", "d=D"], Show(table.Snapshot(B("b"), B("e"))));
        Assert.Equal(["a=A", "b=B", "c=(deleted)", "d=D", "e=E"], Show(table.Snapshot([], [])));
        Assert.Equal(["c=(deleted)", "d=D", "e=E"], Show(table.Snapshot(B("bb"), [])));
    }

    [Fact]
    public void ARangeOutsideTheKeysIsEmpty()
    {
        var table = With("b", "c");

        Assert.Empty(table.Snapshot(B("d"), []));
        Assert.Empty(table.Snapshot(B("a"), B("b")));
        Assert.Empty(table.Snapshot(B("c"), B("b")));
        Assert.Empty(new MemTable().Snapshot([], []));
    }

    [Fact]
    public void ASnapshotDoesNotSeeLaterWrites()
    {
        var table = With("a");
        var snapshot = table.Snapshot([], []);

        table.Set(B("b"), B("B"));
        table.Set(B("a"), null);

        Assert.Equal(["a=A"], Show(snapshot));
    }

    [Fact]
    public void TheSizeCountsAtLeastTheKeysAndValues()
    {
        var table = new MemTable();
        table.Set(B("key"), new byte[100]);
        table.Set(B("other"), null);

        Assert.True(table.ApproximateBytes >= 3 + 100 + 5, $"{table.ApproximateBytes} bytes");
    }
}
