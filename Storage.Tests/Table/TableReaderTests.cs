// The table reader alone: a scan that starts past the table's last key reads no block at all.

using System.Text;
using GrainKV.Storage.Cache;
using GrainKV.Storage.IO;
using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Table;

public sealed class TableReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

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

    public void Dispose() => _directory.Dispose();
}
