// Tables replaced by a compaction are closed and deleted once no reader holds them: at once when nobody
// reads, and only when the last scan over them ends otherwise. Open handles are read from /proc/self/fd.

using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class TableLifetimeTests : IDisposable
{
    private const int Keys = 200;
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new()
    {
        DataDirectory = _directory.Path,
        MemTableSize = 1024 * 1024,
        CompactionTrigger = 10,
        MaxTables = 10,
        StallTables = 20,
    };

    private static byte[] Key(int table, int i) => Encoding.UTF8.GetBytes($"t{table}-k{i:D4}");

    private async Task<string[]> WriteTablesAsync(StorageEngine engine, int tables)
    {
        for (var table = 0; table < tables; table++)
        {
            await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => engine.PutAsync(Key(table, i), Key(table, i)).AsTask()));
            await engine.FlushAsync();
        }

        return Directory.GetFiles(_directory.Path, "*.sst");
    }

    [Fact]
    public async Task TablesReplacedByACompactionAreClosedAndDeletedWhenNoReaderHoldsThem()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        var old = await WriteTablesAsync(engine, 4);
        Assert.Equal(4, old.Length);
        AssertOpenTables(4);

        await engine.CompactAsync();

        AssertOpenTables(1);
        Assert.All(old, path => Assert.False(File.Exists(path), $"{path} still exists"));
        Assert.Equal(0, engine.GetStatistics().CacheBytes); // the inputs' cached blocks went with them
        Assert.Equal(4 * Keys, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
    }

    [Fact]
    public async Task AScanStartedBeforeACompactionKeepsItsTablesUntilItEnds()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        var old = await WriteTablesAsync(engine, 4);
        var seen = 0;
        using (var scan = engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).GetEnumerator())
        {
            Assert.True(scan.MoveNext());
            seen++;
            await engine.CompactAsync();

            AssertOpenTables(5);
            Assert.All(old, path => Assert.True(File.Exists(path), $"{path} was deleted under a running scan"));
            while (scan.MoveNext())
            {
                seen++;
            }
        }

        Assert.Equal(4 * Keys, seen);
        AssertOpenTables(1);
        Assert.All(old, path => Assert.False(File.Exists(path), $"{path} still exists after the scan ended"));
    }

    /// <summary>Checks how many table files (deleted or not) this process holds open in the test directory
    /// (on Linux, where /proc/self/fd tells; elsewhere only the files' existence is checked).</summary>
    private void AssertOpenTables(int expected)
    {
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(expected, OpenTables().Count);
        }
    }

    private List<string> OpenTables()
    {
        var open = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(_directory.Path, StringComparison.Ordinal) && target.Contains(".sst", StringComparison.Ordinal))
                {
                    open.Add(target);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return open;
    }

    public void Dispose() => _directory.Dispose();
}
