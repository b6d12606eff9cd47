// The commit-log record codec alone: a round trip keeps kind, sequence, key and value; a record of the
// previous format (1) and a damaged record are refused with a corruption error naming the file.

using System.Text;
using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Log;

public sealed class LogRecordTests
{
    private static byte[] Encode(LogRecordKind kind, long sequence, string key, string? value)
    {
        var valueBytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
        var entry = new byte[LogRecord.EncodedSize(key.Length, valueBytes.Length)];
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
