// The manifest file alone: what is written is read back, a rewrite replaces it whole, and damage is
// refused with a typed error naming the file.

using System.Buffers.Binary;
using GrainKV.Storage.IO;
using GrainKV.Storage.Manifest;

namespace GrainKV.Storage.Tests.Manifest;

public sealed class ManifestFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string ManifestPath => Path.Combine(_directory.Path, ManifestFile.FileName);

    private static void AssertSame(ManifestState expected, ManifestState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.LogStart, expected.LogStartSequence, expected.NextTableId), (actual.LogStart, actual.LogStartSequence, actual.NextTableId));
        Assert.Equal(expected.Tables, actual.Tables);
    }

    [Fact]
    public void ADirectoryWithoutAManifestHasNone()
    {
        Assert.Null(ManifestFile.Read(_directory.Path));
    }

    [Fact]
    public void AManifestReadsBackAsWritten()
    {
        var state = new ManifestState(LogStart: 1L << 40, LogStartSequence: 123_456_789, NextTableId: 42, Tables: [41, 17, 3]);

        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, state);

        AssertSame(state, ManifestFile.Read(_directory.Path));
        Assert.False(File.Exists(ManifestPath + ".tmp"));
    }

    [Fact]
    public void TheEmptyStateReadsBackAsWritten()
    {
        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, ManifestState.Empty);

        AssertSame(ManifestState.Empty, ManifestFile.Read(_directory.Path));
    }

    [Fact]
    public void ARewriteReplacesTheWholeManifest()
    {
        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, new ManifestState(10, 5, 9, [8, 7, 6, 5, 4]));
        var second = new ManifestState(20, 11, 10, [9]);

        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, second);

        AssertSame(second, ManifestFile.Read(_directory.Path));
    }

    [Theory]
    [InlineData(0, "bad magic")]
    [InlineData(20, "checksum")]
    [InlineData(41, "checksum")]
    public void AFlippedBitIsACorruptionNamingTheManifest(int position, string problem)
    {
        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, new ManifestState(10, 5, 9, [8, 7]));
        var bytes = File.ReadAllBytes(ManifestPath);
        bytes[position] ^= 0x01;
        File.WriteAllBytes(ManifestPath, bytes);

        var error = Assert.Throws<CorruptionException>(() => ManifestFile.Read(_directory.Path));
        Assert.Equal(ManifestPath, error.File);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVersionOneManifestIsRefused()
    {
        ManifestFile.Write(LocalFileSystem.Instance, _directory.Path, new ManifestState(10, 5, 9, [8]));
        var bytes = File.ReadAllBytes(ManifestPath);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        File.WriteAllBytes(ManifestPath, bytes);

        var error = Assert.Throws<CorruptionException>(() => ManifestFile.Read(_directory.Path));
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
