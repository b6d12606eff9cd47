// Encoding of one commit-log record (record format 4). FasterLog frames each entry with its own length
// header; inside that frame a record carries its own checksum and a sequence number, verified on replay:
// a damaged record is an error, and so is a gap in the sequence (records skipped, e.g. because a zeroed
// length made FasterLog's scan take the rest of a page for padding).
//
//   offset  size  field
//   0       4     CRC-32 of bytes 4.., little-endian uint32
//   4       1     record format = 4
//   5       1     kind (1 = put, 2 = delete)
//   6       S     sequence number, LEB128 varint: one more than the previous record's
//   6+S     L     key length K, LEB128 varint
//   6+S+L   K     key bytes
//   ...     V     value bytes (put only; V = entry length - 6 - S - L - K)
//
// Format 3 (written until 2026-11-26) had the sequence number as 8 bytes and the key length as 4, a fixed 18-byte
// header: 8 bytes more per record (7 % of a record with a 16-byte key and a 100-byte value). Its records are still
// read, so a directory whose log holds them replays; format 1 (kind at byte 4) is refused.

using System.Buffers.Binary;
using System.IO.Hashing;
using GrainKV.Shared;

namespace GrainKV.Storage.Log;

/// <summary>What a log record does to its key.</summary>
public enum LogRecordKind : byte
{
    Put = 1,
    Delete = 2,
}

/// <summary>A decoded commit-log record.</summary>
public readonly record struct LogRecord(LogRecordKind Kind, long Sequence, byte[] Key, byte[]? Value)
{
    /// <summary>The value of byte 4 in records of this format.</summary>
    public const byte Format = 4;

    /// <summary>Byte 4 of records of the previous format, still read.</summary>
    public const byte PreviousFormat = 3;

    /// <summary>Size of the fixed part of a header: checksum, format and kind.</summary>
    private const int FixedSize = 6;

    /// <summary>Size of a format-3 header (fixed; the key follows it).</summary>
    private const int PreviousHeaderSize = 18;

    /// <summary>Size of the header before the key of a record with <paramref name="sequence"/> and a key of
    /// <paramref name="keyLength"/> bytes.</summary>
    public static int HeaderSize(long sequence, int keyLength) => FixedSize + Varint.Size((ulong)sequence) + Varint.Size((ulong)keyLength);

    /// <summary>Encoded size of a record with the given sequence number and key and value lengths.</summary>
    public static int EncodedSize(long sequence, int keyLength, int valueLength) => HeaderSize(sequence, keyLength) + keyLength + valueLength;

    /// <summary>Writes a record into <paramref name="destination"/>, which must be exactly <see cref="EncodedSize"/> long.</summary>
    public static void Encode(Span<byte> destination, LogRecordKind kind, long sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        destination[4] = Format;
        destination[5] = (byte)kind;
        var at = FixedSize + Varint.Write(destination[FixedSize..], (ulong)sequence);
        at += Varint.Write(destination[at..], (ulong)key.Length);
        key.CopyTo(destination[at..]);
        value.CopyTo(destination[(at + key.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32.HashToUInt32(destination[4..]));
    }

    /// <summary>Decodes a record (of this format or the previous one), or throws <see cref="CorruptionException"/> naming
    /// <paramref name="file"/> if it is malformed.</summary>
    public static LogRecord Decode(ReadOnlySpan<byte> entry, string file)
    {
        if (entry.Length < 5 || entry[4] is not (Format or PreviousFormat))
        {
            throw new CorruptionException(file, entry.Length >= 5 && entry[4] is 1 or 2
                ? "log record of format 1: this engine reads formats 3 and 4 only (open the directory with an earlier version and flush it)"
                : $"log record of {entry.Length} bytes has an unknown format");
        }

        if (entry.Length < (entry[4] == Format ? FixedSize + 2 : PreviousHeaderSize))
        {
            throw new CorruptionException(file, $"log record of {entry.Length} bytes is shorter than its header");
        }

        if (Crc32.HashToUInt32(entry[4..]) != BinaryPrimitives.ReadUInt32LittleEndian(entry))
        {
            throw new CorruptionException(file, "log record checksum mismatch");
        }

        var kind = (LogRecordKind)entry[5];
        long sequence;
        ulong keyLength;
        int at;
        if (entry[4] == Format)
        {
            at = FixedSize;
            if (!Varint.TryRead(entry, ref at, out var encodedSequence) || encodedSequence > long.MaxValue || !Varint.TryRead(entry, ref at, out keyLength))
            {
                throw new CorruptionException(file, "log record header is malformed");
            }

            sequence = (long)encodedSequence;
        }
        else
        {
            sequence = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[6..]);
            keyLength = BinaryPrimitives.ReadUInt32LittleEndian(entry[14..]);
            at = PreviousHeaderSize;
        }

        if (keyLength > (ulong)(entry.Length - at))
        {
            throw new CorruptionException(file, $"log record key length {keyLength} exceeds the record ({entry.Length} bytes)");
        }

        var key = entry.Slice(at, (int)keyLength).ToArray();
        var rest = entry[(at + (int)keyLength)..];
        return kind switch
        {
            LogRecordKind.Put => new LogRecord(kind, sequence, key, rest.ToArray()),
            LogRecordKind.Delete when rest.IsEmpty => new LogRecord(kind, sequence, key, null),
            LogRecordKind.Delete => throw new CorruptionException(file, "delete record carries a value"),
            _ => throw new CorruptionException(file, $"unknown log record kind {(byte)kind}"),
        };
    }
}
