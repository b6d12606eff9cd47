// Encoding of one commit-log record. FasterLog frames each entry with its own length header; inside
// that frame a record carries its own checksum, verified on replay (a damaged record in the middle of
// the log is an error, never skipped):
//
//   offset  size  field
//   0       4     CRC-32 of bytes 4.., little-endian uint32
//   4       1     kind (1 = put, 2 = delete)
//   5       4     key length K, little-endian uint32
//   9       K     key bytes
//   9+K     V     value bytes (put only; V = entry length - 9 - K)

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
public readonly record struct LogRecord(LogRecordKind Kind, byte[] Key, byte[]? Value)
{
    /// <summary>Size of the fixed header before the key.</summary>
    public const int HeaderSize = 9;

    /// <summary>Encoded size of a record with the given key and value lengths.</summary>
    public static int EncodedSize(int keyLength, int valueLength) => HeaderSize + keyLength + valueLength;

    /// <summary>Writes a record into <paramref name="destination"/>, which must be exactly <see cref="EncodedSize"/> long.</summary>
    public static void Encode(Span<byte> destination, LogRecordKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        destination[4] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[5..], (uint)key.Length);
        key.CopyTo(destination[HeaderSize..]);
        value.CopyTo(destination[(HeaderSize + key.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32.HashToUInt32(destination[4..]));
    }

    /// <summary>Decodes a record, or throws <see cref="CorruptionException"/> if it is malformed.</summary>
    public static LogRecord Decode(ReadOnlySpan<byte> entry, string file)
    {
        if (entry.Length < HeaderSize)
        {
            throw new CorruptionException(file, $"log record of {entry.Length} bytes is shorter than its header");
        }

        if (Crc32.HashToUInt32(entry[4..]) != BinaryPrimitives.ReadUInt32LittleEndian(entry))
        {
            throw new CorruptionException(file, "log record checksum mismatch");
        }

        var kind = (LogRecordKind)entry[4];
        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(entry[5..]);
        if (keyLength > (uint)(entry.Length - HeaderSize))
        {
            throw new CorruptionException(file, $"log record key length {keyLength} exceeds the record ({entry.Length} bytes)");
        }

        var key = entry.Slice(HeaderSize, (int)keyLength).ToArray();
        var rest = entry[(HeaderSize + (int)keyLength)..];
        return kind switch
        {
            LogRecordKind.Put => new LogRecord(kind, key, rest.ToArray()),
            LogRecordKind.Delete when rest.IsEmpty => new LogRecord(kind, key, null),
            LogRecordKind.Delete => throw new CorruptionException(file, "delete record carries a value"),
            _ => throw new CorruptionException(file, $"unknown log record kind {(byte)kind}"),
        };
    }
}
