// The on-disk layout of an SSTable (documented in docs/STORAGE.md). A table is immutable once written:
//
//   [data block 0][data block 1]...[data block n-1][index block][bloom block][footer]
//
// Every block (data, index, bloom) is stored as
//   payload (compressed or raw) | kind: 1 byte (0 = raw, 1 = LZ4) | raw length: uint32 LE | crc32: uint32 LE
// where the CRC-32 covers payload + kind + raw length.
//
// Data block, raw: a sequence of entries, keys strictly increasing:
//   key length: varint | flags: 1 byte (bit 0 = tombstone) | value length: varint (absent for tombstones)
//   | key bytes | value bytes
//
// Index block, raw: one entry per data block:
//   last key length: varint | last key | block offset: varint | block stored size: varint
//
// Bloom block, raw: 0x80 | hash count k: 1 byte | 64-byte lines (see BloomFilter; an earlier form,
//   k: 1 byte | bit array, is still read).
//
// Footer (fixed 48 bytes, at the end of the file): offsets and sizes of the index and bloom blocks,
// the entry count, the format version, a CRC-32 and the magic number; laid out in TableFooter.

namespace GrainKV.Storage.Table;

/// <summary>Constants of the SSTable format.</summary>
public static class TableFormat
{
    public const int BlockTrailerSize = 9;
    public const byte RawBlock = 0;
    public const byte Lz4Block = 1;
    public const byte TombstoneFlag = 1;
    public const string FileExtension = ".sst";

    /// <summary>File name of table <paramref name="id"/>.</summary>
    public static string FileName(long id) => $"{id:D8}{FileExtension}";
}
