// Damage to a commit log larger than FasterLog's in-memory pages (4 KiB pages, so replay reads from the
// segment files): a zeroed length field in the middle of a page or in the last page (which FasterLog's
// scan takes for end-of-page padding, skipping records), a flipped bit (FasterLog's own entry checksum),
// and an unreadable newest commit (FasterLog falls back to an older commit, or to an empty log). Each
// is a CorruptionException naming the damaged file, never records silently skipped.

using System.Buffers.Binary;
using System.Text;
using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class LogOnDiskCorruptionTests : IDisposable
{
    private const int Records = 600;
    private const int PageSize = 4096;
    private const int FasterHeaderSize = 12; // FasterLog's per-entry header with checksums: checksum (8), length (4)
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new() { DataDirectory = _directory.Path, LogPageSizeBits = 12, MaxValueSize = 1024 };

    private string LogDirectory => Path.Combine(_directory.Path, "log");

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key{i:D4}");

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"value-{i:D4}-{new string('v', 120)}");

    private async Task WriteAsync()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        await Task.WhenAll(Enumerable.Range(0, Records).Select(i => engine.PutAsync(Key(i), Value(i)).AsTask()));
    }

    /// <summary>The segment file and offset of the FasterLog length field of the record of key <paramref name="i"/>.</summary>
    private (string File, int Offset) LengthField(int i)
    {
        foreach (var file in Directory.GetFiles(LogDirectory, "commit.log.*"))
        {
            var bytes = File.ReadAllBytes(file);
            var at = bytes.AsSpan().IndexOf(Key(i));
            if (at > 0)
            {
                // The header's size depends on the record's sequence number (a varint): the length field is the one
                // that counts exactly the header, key and value after it, with the record format at its byte 4.
                var entryBytes = Key(i).Length + Value(i).Length;
                foreach (var header in Enumerable.Range(LogRecord.HeaderSize(0, Key(i).Length), 10))
                {
                    var offset = at - header - 4;
                    if (offset >= 0 && BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)) == header + entryBytes && bytes[offset + 8] == LogRecord.Format)
                    {
                        return (file, offset);
                    }
                }

                throw new InvalidOperationException($"no length field frames record {i}");
            }
        }

        throw new InvalidOperationException($"record {i} is not in the log");
    }

    /// <summary>The first record at or after <paramref name="from"/> whose entry starts well inside a page (not at its start).</summary>
    private (string File, int Offset) MidPageLengthField(int from)
    {
        for (var i = from; i < Records; i++)
        {
            var field = LengthField(i);
            var inPage = (field.Offset - 8) % PageSize;
            if (inPage > 512 && inPage < PageSize - 1024)
            {
                return field;
            }
        }

        throw new InvalidOperationException("no record in the middle of a page");
    }

    private static void Patch(string file, int offset, Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(file);
        var window = new byte[4];
        Array.Copy(bytes, offset, window, 0, 4);
        change(window);
        Array.Copy(window, 0, bytes, offset, 4);
        File.WriteAllBytes(file, bytes);
    }

    [Fact]
    public async Task TheLogSpansManyPagesOnDisk()
    {
        await WriteAsync();
        Assert.True(Directory.GetFiles(LogDirectory, "commit.log.*").Sum(f => new FileInfo(f).Length) > 16 * PageSize);
        await using var engine = await StorageEngine.OpenAsync(Options);
        Assert.Equal(Records, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
    }

    [Fact]
    public async Task AZeroedLengthInTheMiddleOfAPageIsCorruptionNotPadding()
    {
        await WriteAsync();
        var (file, offset) = MidPageLengthField(Records / 2);
        Patch(file, offset, w => Array.Clear(w));

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.StartsWith(Path.Combine(LogDirectory, "commit.log"), error.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AZeroedLengthInTheLastPageIsCorruptionNotTheEndOfTheLog()
    {
        await WriteAsync();
        var (file, offset) = LengthField(Records - 2);
        Patch(file, offset, w => Array.Clear(w));

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.StartsWith(Path.Combine(LogDirectory, "commit.log"), error.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFlippedBitOnDiskIsCorruptionNamingTheLog()
    {
        await WriteAsync();
        var (file, offset) = MidPageLengthField(Records / 2);
        var entryEnd = offset + 4 + BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(file).AsSpan(offset));
        Patch(file, entryEnd - Value(0).Length - 2, w => w[0] ^= 0x10); // inside the key (every value has one length)

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.StartsWith(Path.Combine(LogDirectory, "commit.log"), error.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreadableNewestCommitIsCorruption()
    {
        await WriteAsync();
        var slots = Path.Combine(LogDirectory, CommitSlots.FileName);
        var bytes = File.ReadAllBytes(slots);
        var newest = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)) > BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(CommitSlots.SlotSize + 8)) ? 0 : 1;
        bytes.AsSpan(newest * CommitSlots.SlotSize, CommitSlots.SlotSize).Fill(0xFF);
        File.WriteAllBytes(slots, bytes);

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.Equal(slots, error.File);
    }

    public void Dispose() => _directory.Dispose();
}
