// The commit-log record codec alone: a round trip keeps kind, sequence, key and value (sequence numbers of every
// varint length); the header is small; a record of format 3 (the previous one, fixed 18-byte header) still decodes;
// a record of format 1 and a damaged record are refused with a corruption error naming the file.

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Log;

public sealed class LogRecordTests
{
    private static byte[] Encode(LogRecordKind kind, long sequence, string key, string? value)
    {
        var valueBytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
        var entry = new byte[LogRecord.EncodedSize(sequence, key.Length, valueBytes.Length)];
        LogRecord.Encode(entry, kind, sequence, Encoding.UTF8.GetBytes(key), valueBytes);
        return entry;
    }

    [Fact]
    public void ARecordRoundTrips()
    {
        var put = LogRecord.Decode(Encode(LogRecordKind.Put, 42, "key", "value"), "log");
        Assert.Equal((LogRecordKind.Put, 42L, "key", "value"), (put.Kind, put.Sequence, Encoding.UTF8.GetString(put.Key), Encoding.UTF8.GetString(put.Value!)));

        var delete = LogRecord.Decode(Encode(LogRecordKind.Delete, 43, "key", null), "log");
        Assert.Equal((LogRecordKind.Delete, 43L), (delete.Kind, delete.Sequence));
        Assert.Null(delete.Value);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(127L)]
    [InlineData(128L)]
    [InlineData(1_000_000L)]
    [InlineData(long.MaxValue)]
    public void EverySequenceNumberRoundTrips(long sequence)
    {
        var key = new string('k', 200); // a key length of two varint bytes
        var put = LogRecord.Decode(Encode(LogRecordKind.Put, sequence, key, "value"), "log");
        Assert.Equal((sequence, key, "value"), (put.Sequence, Encoding.UTF8.GetString(put.Key), Encoding.UTF8.GetString(put.Value!)));
    }

    [Fact]
    public void AHeaderTakesTenBytesForAMillionRecordsAndAShortKey()
    {
        // checksum 4, format 1, kind 1, sequence 3 (below 2^21), key length 1: against 18 in format 3.
        Assert.Equal(10, LogRecord.HeaderSize(1_000_000, 16));
        Assert.Equal(10 + 16 + 100, Encode(LogRecordKind.Put, 1_000_000, new string('k', 16), new string('v', 100)).Length);
    }

    [Fact]
    public void ARecordOfFormatThreeStillDecodes()
    {
        // Format 3: crc32 | 3 | kind | sequence (8 bytes LE) | key length (4 bytes LE) | key | value.
        var key = "key"u8.ToArray();
        var value = "value"u8.ToArray();
        var entry = new byte[18 + key.Length + value.Length];
        entry[4] = LogRecord.PreviousFormat;
        entry[5] = (byte)LogRecordKind.Put;
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(6), 4_000_000_000UL);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(14), (uint)key.Length);
        key.CopyTo(entry, 18);
        value.CopyTo(entry, 18 + key.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, Crc32.HashToUInt32(entry.AsSpan(4)));

        var put = LogRecord.Decode(entry, "log");
        Assert.Equal((LogRecordKind.Put, 4_000_000_000L, "key", "value"), (put.Kind, put.Sequence, Encoding.UTF8.GetString(put.Key), Encoding.UTF8.GetString(put.Value!)));

        entry[^1] ^= 0x01;
        Assert.Throws<CorruptionException>(() => LogRecord.Decode(entry, "log"));
    }

    [Fact]
    public void ARecordOfFormatOneIsRefused()
    {
        // Format 1: crc32 | kind | key length | key | value.
        var entry = new byte[9 + 3 + 1];
        entry[4] = (byte)LogRecordKind.Put;
        entry[5] = 3;
        var error = Assert.Throws<CorruptionException>(() => LogRecord.Decode(entry, "segment"));
        Assert.Equal("segment", error.File);
        Assert.Contains("format 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADamagedRecordIsRefused()
    {
        var entry = Encode(LogRecordKind.Put, 7, "key", "value");
        entry[^1] ^= 0x01;
        Assert.Throws<CorruptionException>(() => LogRecord.Decode(entry, "segment"));
    }
}
