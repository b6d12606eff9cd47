// The manifest: which tables are live (newest first), the next table id, and the log address from which
// recovery replays the commit log. Replaced atomically: written to a temporary file, fsynced, renamed,
// and the directory fsynced (the rename is durable only then).
//
//   magic: uint32 = 0x4D564B47 ("GKVM") | format version: uint32 = 2 | log start: uint64
//   | sequence number of the record at log start: uint64 | next table id: uint64 | table count: uint32
//   | table ids, newest first: uint64 each | crc32: uint32
//
// Version 1 had no log start sequence; it is refused (its log records are of an older format too).

using System.Buffers.Binary;
using System.IO.Hashing;
using GrainKV.Storage.IO;

namespace GrainKV.Storage.Manifest;

/// <summary>The persistent state of an engine directory.</summary>
public sealed record ManifestState(long LogStart, long LogStartSequence, long NextTableId, IReadOnlyList<long> Tables)
{
    public static ManifestState Empty { get; } = new(0, 0, 1, []);
}

/// <summary>Reads and atomically replaces the manifest file.</summary>
public static class ManifestFile
{
    public const string FileName = "MANIFEST";
    private const uint Magic = 0x4D564B47;
    private const uint FormatVersion = 2;
    private const int HeaderSize = 36;

    /// <summary>The manifest in <paramref name="directory"/>, or null if there is none yet.</summary>
    public static ManifestState? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize + 4 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            throw new CorruptionException(path, "not a manifest (bad magic or too short)");
        }

        var body = bytes.AsSpan(0, bytes.Length - 4);
        if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)))
        {
            throw new CorruptionException(path, "manifest checksum mismatch");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        if (version != FormatVersion)
        {
            throw new CorruptionException(path, $"unsupported manifest version {version}");
        }

        var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32));
        if (body.Length != HeaderSize + count * 8)
        {
            throw new CorruptionException(path, "manifest length does not match its table count");
        }

        var tables = new long[count];
        for (var i = 0; i < count; i++)
        {
            tables[i] = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(HeaderSize + i * 8));
        }

        return new ManifestState(
            (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)),
            tables);
    }

    /// <summary>Durably replaces the manifest in <paramref name="directory"/> with <paramref name="state"/>.</summary>
    public static void Write(IFileSystem files, string directory, ManifestState state)
    {
        var bytes = new byte[HeaderSize + state.Tables.Count * 8 + 4];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], (ulong)state.LogStart);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)state.LogStartSequence);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)state.NextTableId);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], (uint)state.Tables.Count);
        for (var i = 0; i < state.Tables.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[(HeaderSize + i * 8)..], (ulong)state.Tables[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Crc32.HashToUInt32(span[..^4]));
        var path = Path.Combine(directory, FileName);
        var temporary = path + ".tmp";
        using (var file = files.Create(temporary))
        {
            file.Write(bytes);
            files.Sync(file);
        }

        files.Move(temporary, path);
        files.SyncDirectory(directory);
    }
}
