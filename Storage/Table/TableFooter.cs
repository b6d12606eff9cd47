// The footer of an SSTable, the one place its layout is encoded and decoded (see TableFormat for the
// whole file). Fixed 48 bytes at the end of the file, all integers little-endian:
//
//   offset  size  field
//        0     8  index block offset
//        8     4  index block stored size
//       12     8  bloom block offset
//       20     4  bloom block stored size
//       24     8  entry count
//       32     4  format version (1)
//       36     4  CRC-32 of bytes 0..35
//       40     8  magic 0x47524B5653535442 ("GRKVSSTB")
//
// The magic is checked first (a file that is not a table, or was truncated, says so), then the checksum,
// then the version, then that the blocks it points to lie inside the file (the bloom block before the footer).

using System.Buffers.Binary;
using System.IO.Hashing;

namespace GrainKV.Storage.Table;

/// <summary>Where a table's index and bloom blocks are, and how many entries it holds.</summary>
public readonly record struct TableFooter(long IndexOffset, int IndexSize, long BloomOffset, int BloomSize, long EntryCount)
{
    /// <summary>Bytes of a footer.</summary>
    public const int Size = 48;

    /// <summary>The last eight bytes of every table.</summary>
    public const ulong Magic = 0x47524B5653535442;

    /// <summary>The table format this engine writes and reads.</summary>
    public const uint FormatVersion = 1;

    private const int VersionOffset = 32;
    private const int ChecksumOffset = 36;
    private const int MagicOffset = 40;

    /// <summary>The footer's 48 bytes.</summary>
    public byte[] Encode()
    {
        var footer = new byte[Size];
        var span = footer.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)IndexOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)IndexSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span[12..], (ulong)BloomOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)BloomSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)EntryCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[VersionOffset..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[ChecksumOffset..], Crc32.HashToUInt32(span[..ChecksumOffset]));
        BinaryPrimitives.WriteUInt64LittleEndian(span[MagicOffset..], Magic);
        return footer;
    }

    /// <summary>Decodes and checks the footer of the table <paramref name="path"/> of <paramref name="fileSize"/> bytes.</summary>
    /// <exception cref="CorruptionException">Bad magic, checksum or version, or blocks outside the file.</exception>
    public static TableFooter Decode(ReadOnlySpan<byte> footer, long fileSize, string path)
    {
        if (footer.Length != Size || BinaryPrimitives.ReadUInt64LittleEndian(footer[MagicOffset..]) != Magic)
        {
            throw new CorruptionException(path, "bad magic number (not a table, or truncated)");
        }

        if (Crc32.HashToUInt32(footer[..ChecksumOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(footer[ChecksumOffset..]))
        {
            throw new CorruptionException(path, "footer checksum mismatch");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(footer[VersionOffset..]);
        if (version != FormatVersion)
        {
            throw new CorruptionException(path, $"unsupported table format version {version}");
        }

        var decoded = new TableFooter(
            IndexOffset: (long)BinaryPrimitives.ReadUInt64LittleEndian(footer),
            IndexSize: (int)BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]),
            BloomOffset: (long)BinaryPrimitives.ReadUInt64LittleEndian(footer[12..]),
            BloomSize: (int)BinaryPrimitives.ReadUInt32LittleEndian(footer[20..]),
            EntryCount: (long)BinaryPrimitives.ReadUInt64LittleEndian(footer[24..]));
        if (decoded.IndexOffset < 0 || decoded.IndexSize < 0 || decoded.BloomOffset < 0 || decoded.BloomSize < 0
            || decoded.IndexOffset + decoded.IndexSize > fileSize
            || decoded.BloomOffset + decoded.BloomSize > fileSize - Size)
        {
            throw new CorruptionException(path, "footer points outside the file");
        }

        return decoded;
    }
}
