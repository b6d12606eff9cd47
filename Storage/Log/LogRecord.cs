// Encoding of one commit-log record (record format 2). FasterLog frames each entry with its own length
// header; inside that frame a record carries its own checksum and a sequence number, verified on replay:
// a damaged record is an error, and so is a gap in the sequence (records skipped, e.g. because a zeroed
// length made FasterLog's scan take the rest of a page for padding).
//
//   offset  size  field
//   0       4     CRC-32 of bytes 4.., little-endian uint32
//   4       1     record format = 3 (format 1 had the kind here, 1 or 2, so its records are recognized)
//   5       1     kind (1 = put, 2 = delete)
//   6       8     sequence number, little-endian uint64: one more than the previous record's
//   14      4     key length K, little-endian uint32
//   18      K     key bytes
//   18+K    V     value bytes (put only; V = entry length - 18 - K)

using System.Buffers.Binary;
using System.IO.Hashing;

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
    /// <summary>Size of the fixed header before the key.</summary>
    public const int HeaderSize = 18;

    /// <summary>The value of byte 4 in records of this format.</summary>
    public const byte Format = 3;

    /// <summary>Encoded size of a record with the given key and value lengths.</summary>
    public static int EncodedSize(int keyLength, int valueLength) => HeaderSize + keyLength + valueLength;

    /// <summary>Writes a record into <paramref name="destination"/>, which must be exactly <see cref="EncodedSize"/> long.</summary>
    public static void Encode(Span<byte> destination, LogRecordKind kind, long sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        destination[4] = Format;
        destination[5] = (byte)kind;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[6..], (ulong)sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[14..], (uint)key.Length);
        key.CopyTo(destination[HeaderSize..]);
        value.CopyTo(destination[(HeaderSize + key.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32.HashToUInt32(destination[4..]));
    }

    /// <summary>Decodes a record, or throws <see cref="CorruptionException"/> naming <paramref name="file"/> if it is malformed.</summary>
    public static LogRecord Decode(ReadOnlySpan<byte> entry, string file)
    {
        if (entry.Length < 5 || entry[4] != Format)
        {
            throw new CorruptionException(file, entry.Length >= 5 && entry[4] is 1 or 2
                ? "log record of format 1: this engine reads format 2 only (open the directory with the previous version and flush it)"
                : $"log record of {entry.Length} bytes has an unknown format");
        }

        if (entry.Length < HeaderSize)
        {
            throw new CorruptionException(file, $"log record of {entry.Length} bytes is shorter than its header");
        }

        if (Crc32.HashToUInt32(entry[4..]) != BinaryPrimitives.ReadUInt32LittleEndian(entry))
        {
            throw new CorruptionException(file, "log record checksum mismatch");
        }

        var kind = (LogRecordKind)entry[5];
        var sequence = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[6..]);
        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(entry[14..]);
        if (keyLength > (uint)(entry.Length - HeaderSize))
        {
            throw new CorruptionException(file, $"log record key length {keyLength} exceeds the record ({entry.Length} bytes)");
        }

        var key = entry.Slice(HeaderSize, (int)keyLength).ToArray();
        var rest = entry[(HeaderSize + (int)keyLength)..];
        return kind switch
        {
            LogRecordKind.Put => new LogRecord(kind, sequence, key, rest.ToArray()),
            LogRecordKind.Delete when rest.IsEmpty => new LogRecord(kind, sequence, key, null),
            LogRecordKind.Delete => throw new CorruptionException(file, "delete record carries a value"),
            _ => throw new CorruptionException(file, $"unknown log record kind {(byte)kind}"),
        };
    }
}
