// A log written by an earlier build (records of format 3, with a fixed 18-byte header) replays in this one, and the
// records this build appends after them (format 4) continue their sequence: after a crash both are there.

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Log;

public sealed class LogFormatUpgradeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private StorageOptions Options => new() { DataDirectory = _directory.Path, Durability = LogDurability.Synced };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A put as format 3 encoded it: crc32 | 3 | kind | sequence (uint64 LE) | key length (uint32 LE) | key | value.</summary>
    private static byte[] FormatThreePut(long sequence, byte[] key, byte[] value)
    {
        var entry = new byte[18 + key.Length + value.Length];
        entry[4] = LogRecord.PreviousFormat;
        entry[5] = (byte)LogRecordKind.Put;
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(6), (ulong)sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(14), (uint)key.Length);
        key.CopyTo(entry, 18);
        value.CopyTo(entry, 18 + key.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, Crc32.HashToUInt32(entry.AsSpan(4)));
        return entry;
    }

    [Fact]
    public async Task RecordsOfTheEarlierFormatReplayAndNewRecordsFollowThem()
    {
        var engine = await StorageEngine.OpenAsync(Options);
        await engine.PutAsync(B("before"), B("format 4 before"));
        for (var i = 0; i < 50; i++)
        {
            engine.AppendEncodedLogRecord(sequence => FormatThreePut(sequence, B($"old{i:D2}"), B($"format 3 value {i}")));
        }

        await engine.SimulateCrashAsync(commitLog: true);

        // The reopen replays all 51 records, the 50 of format 3 included; new writes take the next sequence numbers.
        engine = await StorageEngine.OpenAsync(Options);
        for (var i = 0; i < 50; i++)
        {
            Assert.True(engine.TryGet(B($"old{i:D2}"), out var value), $"old{i:D2} (format 3) was not replayed");
            Assert.Equal(B($"format 3 value {i}"), value);
        }

        await engine.PutAsync(B("after"), B("format 4 after"));
        await engine.PutAsync(B("old07"), B("overwritten in format 4"));
        await engine.SimulateCrashAsync(commitLog: false);

        await using var reopened = await StorageEngine.OpenAsync(Options);
        Assert.True(reopened.TryGet(B("before"), out var before));
        Assert.Equal(B("format 4 before"), before);
        Assert.True(reopened.TryGet(B("after"), out var after));
        Assert.Equal(B("format 4 after"), after);
        Assert.True(reopened.TryGet(B("old07"), out var overwritten));
        Assert.Equal(B("overwritten in format 4"), overwritten);
        Assert.True(reopened.TryGet(B("old49"), out var old));
        Assert.Equal(B("format 3 value 49"), old);
    }
}
