// The SSTable footer alone: its byte layout, a round trip, and every way a damaged footer is refused.

using System.Buffers.Binary;
using System.IO.Hashing;
using GrainKV.Storage.Table;

namespace GrainKV.Storage.Tests.Table;

public sealed class TableFooterTests
{
    private const long FileSize = 10_000;
    private const string TablePath = "/tables/00000007.sst";

    private static readonly TableFooter Sample = new(IndexOffset: 9_000, IndexSize: 700, BloomOffset: 9_700, BloomSize: 252, EntryCount: 1234);

    [Fact]
    public void AFooterDecodesToWhatWasEncoded()
    {
        var bytes = Sample.Encode();

        Assert.Equal(TableFooter.Size, bytes.Length);
        Assert.Equal(Sample, TableFooter.Decode(bytes, FileSize, TablePath));
    }

    [Fact]
    public void TheLayoutIsTheDocumentedOne()
    {
        var bytes = Sample.Encode();

        Assert.Equal(9_000UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0)));
        Assert.Equal(700U, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(9_700UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(252U, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(1234UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(1U, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(Crc32.HashToUInt32(bytes.AsSpan(0, 36)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(36)));
        Assert.Equal("BTSSVKRG"u8.ToArray(), bytes[40..]); // 0x47524B5653535442 little-endian
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(27)]
    [InlineData(35)]
    public void AFlippedBitInAFieldIsAChecksumMismatch(int position)
    {
        var bytes = Sample.Encode();
        bytes[position] ^= 0x04;

        var error = Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes, FileSize, TablePath));
        Assert.Equal(TablePath, error.File);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFlippedBitInTheChecksumIsAChecksumMismatch()
    {
        var bytes = Sample.Encode();
        bytes[37] ^= 0x80;

        var error = Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes, FileSize, TablePath));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadMagicNumberIsNotATable()
    {
        var bytes = Sample.Encode();
        bytes[^1] ^= 0xFF;

        var error = Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes, FileSize, TablePath));
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShortFooterIsRefused()
    {
        var bytes = Sample.Encode();

        Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes.AsSpan(1), FileSize, TablePath));
    }

    [Fact]
    public void AnotherFormatVersionIsRefusedEvenWithAValidChecksum()
    {
        var bytes = Sample.Encode();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(36), Crc32.HashToUInt32(bytes.AsSpan(0, 36)));

        var error = Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes, FileSize, TablePath));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9_000, 1_001, 9_700, 252)] // index past the end of the file
    [InlineData(9_000, 700, 9_760, 252)] // bloom block overlapping the footer
    [InlineData(-1, 700, 9_700, 252)] // negative offset
    [InlineData(9_000, -5, 9_700, 252)] // size above int.MaxValue as stored
    public void AFooterPointingOutsideTheFileIsRefused(long indexOffset, int indexSize, long bloomOffset, int bloomSize)
    {
        var bytes = new TableFooter(indexOffset, indexSize, bloomOffset, bloomSize, EntryCount: 1).Encode();

        var error = Assert.Throws<CorruptionException>(() => TableFooter.Decode(bytes, FileSize, TablePath));
        Assert.Contains("outside the file", error.Message, StringComparison.Ordinal);
    }
}
