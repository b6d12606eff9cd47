// Damaged files are detected and reported with a typed error naming the file, never returned as data.

using System.Text;
using GrainKV.Storage.Manifest;
using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new() { DataDirectory = _directory.Path, MemTableSize = 64 * 1024, BlockCacheSize = 0 };

    private async Task<string> WriteOneTableAsync()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        for (var i = 0; i < 500; i++)
        {
            await engine.PutAsync(Encoding.UTF8.GetBytes($"key{i:D4}"), Encoding.UTF8.GetBytes($"value-{i}-{new string('v', 50)}"));
        }

        await engine.FlushAsync();
        return Directory.GetFiles(_directory.Path, "*" + TableFormat.FileExtension).Single();
    }

    [Fact]
    public async Task AFlippedBitInADataBlockIsACorruptionNamingTheTable()
    {
        var table = await WriteOneTableAsync();
        var bytes = await File.ReadAllBytesAsync(table);
        bytes[10] ^= 0x10;
        await File.WriteAllBytesAsync(table, bytes);

        await using var engine = await StorageEngine.OpenAsync(Options);
        var error = Assert.Throws<CorruptionException>(() => engine.TryGet(Encoding.UTF8.GetBytes("key0000"), out _));
        Assert.Equal(table, error.File);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Throws<CorruptionException>(() => engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).ToList());
    }

    [Fact]
    public async Task ABadMagicNumberIsRefusedAtOpen()
    {
        var table = await WriteOneTableAsync();
        var bytes = await File.ReadAllBytesAsync(table);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(table, bytes);

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.Equal(table, error.File);
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedTableIsRefusedAtOpen()
    {
        var table = await WriteOneTableAsync();
        var bytes = await File.ReadAllBytesAsync(table);
        await File.WriteAllBytesAsync(table, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.Equal(table, error.File);
    }

    [Fact]
    public async Task ADamagedManifestIsRefusedAtOpen()
    {
        await WriteOneTableAsync();
        var manifest = Path.Combine(_directory.Path, ManifestFile.FileName);
        var bytes = await File.ReadAllBytesAsync(manifest);
        bytes[9] ^= 0x01;
        await File.WriteAllBytesAsync(manifest, bytes);

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.Equal(manifest, error.File);
    }

    [Fact]
    public async Task TablesAreStillReadableAfterTheirDataIsFlushedAndTheLogTruncated()
    {
        await WriteOneTableAsync();
        await using var engine = await StorageEngine.OpenAsync(Options);
        Assert.True(engine.TryGet(Encoding.UTF8.GetBytes("key0499"), out var value));
        Assert.StartsWith("value-499-", Encoding.UTF8.GetString(value), StringComparison.Ordinal);
        Assert.Equal(1, engine.GetStatistics().Tables);
    }

    public void Dispose() => _directory.Dispose();
}
