// The table writer and reader alone: what is written reads back (point lookups, full and bounded scans,
// seeks into the middle), with and without compression, and a scan that starts past the table's last key
// reads no block at all.

using System.Text;
using CsCheck;
using GrainKV.Storage.Cache;
using GrainKV.Storage.IO;
using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Table;

public sealed class TableReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string Key(int i) => $"k{i:D4}";

    /// <summary>Keys k0000, k0002, ... k1998 (odd numbers absent); every tenth one a tombstone.</summary>
    private static List<TableEntry> EvenKeys() =>
        Enumerable.Range(0, 1000)
            .Select(i => 2 * i)
            .Select(i => new TableEntry(B(Key(i)), i % 20 == 0 ? null : B($"value-{i}-{new string('v', i % 50)}")))
            .ToList();

    private string Write(IEnumerable<TableEntry> entries, bool compress) => Write(entries, compress, out _);

    private string Write(IEnumerable<TableEntry> entries, bool compress, out TableInfo info)
    {
        var path = Path.Combine(_directory.Path, TableFormat.FileName(1));
        info = TableWriter.Write(LocalFileSystem.Instance, path, entries, new TableWriterOptions(BlockSize: 256, BloomBitsPerKey: 10, compress));
        return path;
    }

    private static bool TryGet(TableReader table, string key, out byte[]? value)
    {
        long bloomNegatives = 0;
        var found = table.TryLocate(B(key), BloomFilter.Hash(B(key)), ref bloomNegatives, out var stored);
        value = stored.ToArray();
        return found;
    }

    private static List<string> Keys(IEnumerable<EntryInPlace> entries) => entries.Select(e => Encoding.UTF8.GetString(e.Key.Span)).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryEntryReadsBackAsWritten(bool compress)
    {
        var entries = EvenKeys();
        using var table = TableReader.Open(Write(entries, compress, out var info), 1, new BlockCache(1 << 20));

        Assert.Equal(entries.Count, info.EntryCount);
        Assert.Equal(entries.Count, table.EntryCount);
        Assert.Equal(info.FileSize, table.FileSize);
        Assert.Equal(entries, table.All(), TableEntryComparer.Instance);
        foreach (var entry in entries)
        {
            Assert.True(TryGet(table, Encoding.UTF8.GetString(entry.Key), out var value));
            Assert.Equal(entry.Value, value);
        }
    }

    [Fact]
    public void KeysSharingLongPrefixesOrEndingInZeroBytesAreFoundInTheirBlocks()
    {
        // Keys over four byte values, 1 to 24 bytes long: many share their first 16 bytes (the block search's prefix)
        // or differ only by trailing zero bytes (which the prefix's padding cannot tell apart); small blocks make many.
        var alphabet = new byte[] { 0x00, 0x01, (byte)'a', 0xFF };
        var key = Gen.Int[0, 3].Select(i => alphabet[i]).Array[1, 24];
        var iteration = 0;
        Gen.Select(key.Array[1, 200], key.Array[0, 50]).Sample(
            sample =>
            {
                var (written, probes) = sample;
                var entries = written.DistinctBy(Convert.ToHexString).Order(ByteArrayComparer.Instance)
                    .Select(k => new TableEntry(k, [.. k, 7])).ToList();
                var path = Path.Combine(_directory.Path, TableFormat.FileName(100 + Interlocked.Increment(ref iteration)));
                TableWriter.Write(LocalFileSystem.Instance, path, entries, new TableWriterOptions(BlockSize: 64, BloomBitsPerKey: 10, Compress: false));
                using var table = TableReader.Open(path, iteration, new BlockCache(1 << 20));
                long bloomNegatives = 0;
                foreach (var entry in entries)
                {
                    Assert.True(table.TryLocate(entry.Key, BloomFilter.Hash(entry.Key), ref bloomNegatives, out var found));
                    Assert.Equal(entry.Value, found.ToArray());
                }

                foreach (var probe in probes.Where(p => !entries.Any(e => e.Key.AsSpan().SequenceEqual(p))))
                {
                    Assert.False(table.TryLocate(probe, BloomFilter.Hash(probe), ref bloomNegatives, out _));
                }
            },
            iter: 200);
    }

    [Theory]
    [InlineData("05000361")] // key length 5, value length 3: more than the 1 byte left
    [InlineData("FFFFFFFFFFFFFFFFFF0100026161")] // key length 2^64 - 1, value length 2: the sum wraps around to 1
    public void AnEntryRunningPastItsBlockIsCorruptionWhateverItsLengths(string hex)
    {
        var block = Convert.FromHexString(hex);
        var error = Assert.Throws<CorruptionException>(() => BlockReader.Entries(block, "table.sst").ToList());
        Assert.Contains("entry runs past the end of its data block", error.Message, StringComparison.Ordinal);
        Assert.Throws<CorruptionException>(() => BlockReader.TryFind(block, "a"u8, "table.sst", out _));
    }

    [Fact]
    public void KeysBetweenBeforeAndAfterTheTableAreAbsent()
    {
        using var table = TableReader.Open(Write(EvenKeys(), compress: true), 1, new BlockCache(1 << 20));

        Assert.False(TryGet(table, Key(1), out _));
        Assert.False(TryGet(table, Key(1001), out _));
        Assert.False(TryGet(table, "a", out _));
        Assert.False(TryGet(table, "z", out _));
        Assert.False(TryGet(table, "k0000-", out _));
    }

    [Fact]
    public void AScanSeeksToItsFirstKeyAndStopsBeforeItsEnd()
    {
        using var table = TableReader.Open(Write(EvenKeys(), compress: false), 1, new BlockCache(1 << 20));

        Assert.Equal([Key(1000), Key(1002), Key(1004)], Keys(table.Scan(B(Key(999)), B(Key(1005)))));
        Assert.Equal([Key(1000), Key(1002)], Keys(table.Scan(B(Key(1000)), B(Key(1004)))));
        Assert.Equal([Key(1996), Key(1998)], Keys(table.Scan(B(Key(1995)), [])));
        Assert.Equal([Key(0), Key(2)], Keys(table.Scan([], B(Key(3)))));
        Assert.Empty(table.Scan(B(Key(1001)), B(Key(1002))));
    }

    [Fact]
    public void AScanPastTheLastKeyReadsNoBlock()
    {
        var path = Path.Combine(_directory.Path, "000001.sst");
        var entries = Enumerable.Range(0, 1000).Select(i => new TableEntry(Encoding.UTF8.GetBytes($"k{i:D4}"), Encoding.UTF8.GetBytes($"value-{i}")));
        TableWriter.Write(LocalFileSystem.Instance, path, entries, new TableWriterOptions(256, 10, Compress: false));
        var cache = new BlockCache(1 << 20);
        using var table = TableReader.Open(path, 1, cache);

        Assert.Empty(table.Scan(Encoding.UTF8.GetBytes("z"), []));
        Assert.Equal(0, cache.Misses + cache.Hits);

        Assert.Equal(10, table.Scan(Encoding.UTF8.GetBytes("k0990"), []).Count());
        Assert.InRange(cache.Misses, 1, 2); // the last block or two, not the whole table
    }

    [Fact]
    public void AnEmptyTableOpensAndHoldsNothing()
    {
        using var table = TableReader.Open(Write([], compress: true), 1, new BlockCache(1 << 20));

        Assert.Equal(0, table.EntryCount);
        Assert.Empty(table.All());
        Assert.False(TryGet(table, "k", out _));
    }

    [Fact]
    public void KeysOutOfOrderAreRefusedAndLeaveNoTable()
    {
        var path = Path.Combine(_directory.Path, TableFormat.FileName(1));

        Assert.Throws<InvalidOperationException>(() => Write([new TableEntry(B("b"), B("1")), new TableEntry(B("a"), B("2"))], compress: false));
        Assert.Throws<InvalidOperationException>(() => Write([new TableEntry(B("a"), B("1")), new TableEntry(B("a"), B("2"))], compress: false));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFullReadCrossesItsReadChunksAndLeavesTheBlockCacheAlone(bool compress)
    {
        // About 3 MiB of entries: the sequential read of a whole table takes several chunks of 1 MiB.
        var value = new byte[1000];
        new Random(5).NextBytes(value);
        var entries = Enumerable.Range(0, 3000).Select(i => new TableEntry(B(Key(i)), i % 7 == 0 ? null : value)).ToList();
        var cache = new BlockCache(64 << 20);
        using var table = TableReader.Open(Write(entries, compress), 1, cache);

        Assert.Equal(entries, table.All(), TableEntryComparer.Instance);
        Assert.Equal((0L, 0L, 0L), (cache.Hits, cache.Misses, cache.Bytes));

        Assert.Equal(100, table.Scan(B(Key(0)), B(Key(100))).Count());
        Assert.True(cache.Bytes > 0, "a bounded scan reads through the cache");
    }

    public void Dispose() => _directory.Dispose();

    private sealed class TableEntryComparer : IEqualityComparer<TableEntry>
    {
        public static TableEntryComparer Instance { get; } = new();

        public bool Equals(TableEntry x, TableEntry y) =>
            x.Key.AsSpan().SequenceEqual(y.Key) && (x.Value is null ? y.Value is null : y.Value is not null && x.Value.AsSpan().SequenceEqual(y.Value));

        public int GetHashCode(TableEntry entry) => entry.Key.Length;
    }
}
