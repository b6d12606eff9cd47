// Where FasterLog's commit metadata lives: two fixed slots of one preallocated file, written in turn (each commit
// into the slot that does not hold the newest one, so the newest stays intact while the next is written) and
// fsynced in place. FasterLog's own manager creates a new file per commit, fsyncs it,
// deletes the previous one, and the directory must then be fsynced too: five system calls and two metadata
// updates of the file system per commit, the largest cost of a commit on this stack (docs/BENCHMARKS.md). Here
// a commit is one positioned write and one fsync of a file whose size never changes.
//
// Slot layout (SlotSize bytes; little-endian): magic "GKVC" | body length: uint32 | commit number: int64 |
// body | XxHash64 of everything before it. Recovery takes the valid slot with the highest commit number.
// A slot that is not valid is either
//   - all zeros: never written;
//   - an older commit than the newest valid one (whatever its state, recovery does not need it);
//   - a commit newer than the newest valid one, torn by a crash while it was written (its magic and number are
//     there, its checksum fails): that commit never completed, so it was never acknowledged;
//   - anything else: damage, refused as a CorruptionException naming the file.
// The write order (slot, then fsync, then FasterLog releases the commit's waiters) means an acknowledged commit
// is always a valid slot.
//
// Logs created before this file existed kept their commits in FasterLog's "log-commits" directory: such a log
// recovers from there, and its first commit here removes that directory.

using System.Buffers.Binary;
using System.IO.Hashing;
using FASTER.core;

namespace GrainKV.Storage.Log;

/// <summary>FasterLog commit metadata in two alternating, checksummed slots of one file.</summary>
internal sealed class CommitSlots : ILogCommitManager
{
    public const string FileName = "log-commit";
    public const int SlotSize = 4096;
    private const uint Magic = 0x43564B47; // "GKVC"
    private const int HeaderSize = 16;
    private const int ChecksumSize = 8;

    /// <summary>Largest commit metadata a slot holds.</summary>
    public const int MaxBody = SlotSize - HeaderSize - ChecksumSize;

    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly (long Number, byte[] Body)?[] _valid = new (long, byte[])?[2];
    private ILogCommitManager? _legacy;
    private int _newestIndex = -1;
    private readonly string? _legacyDirectory;

    /// <param name="directory">The log's directory.</param>
    /// <param name="legacyDirectory">FasterLog's per-commit file directory of a log created before the slots, if it exists.</param>
    /// <param name="legacy">The manager that reads that directory.</param>
    /// <exception cref="CorruptionException">A slot is damaged.</exception>
    public CommitSlots(string directory, string? legacyDirectory, ILogCommitManager? legacy)
    {
        Path = System.IO.Path.Combine(directory, FileName);
        var created = !File.Exists(Path);
        _file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0); // the engine's LOCK file keeps other engines out
        try
        {
            if (created || _file.Length < 2 * SlotSize)
            {
                _file.SetLength(2 * SlotSize);
                _file.Flush(flushToDisk: true);
                IO.DirectorySync.Sync(directory);
            }

            ReadSlots();
        }
        catch
        {
            _file.Dispose();
            throw;
        }

        if (_valid[0] is null && _valid[1] is null && legacy is not null)
        {
            _legacy = legacy;
            _legacyDirectory = legacyDirectory;
        }
        else
        {
            legacy?.Dispose();
        }
    }

    /// <summary>The slot file.</summary>
    public string Path { get; }

    /// <summary>True while recovery reads a log's commits from the directory of per-commit files of older logs.</summary>
    public bool ReadsLegacyCommits => _legacy is not null;

    /// <summary>The file commit <paramref name="commitNum"/> is kept in.</summary>
    public string FileOf(long commitNum) =>
        _legacy is not null && _legacyDirectory is not null ? System.IO.Path.Combine(_legacyDirectory, $"commit.{commitNum}.0") : Path;

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        if (commitMetadata.Length > MaxBody)
        {
            throw new IOException($"Commit metadata of {commitMetadata.Length} bytes does not fit a commit slot of '{Path}' ({MaxBody} bytes at most).");
        }

        var slot = new byte[SlotSize];
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(slot.AsSpan(4), commitMetadata.Length);
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(8), commitNum);
        commitMetadata.CopyTo(slot, HeaderSize);
        var end = HeaderSize + commitMetadata.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(slot.AsSpan(end), XxHash64.HashToUInt64(slot.AsSpan(0, end)));
        lock (_gate)
        {
            var index = _newestIndex == 0 ? 1 : 0;
            _file.Position = index * SlotSize;
            _file.Write(slot);
            _file.Flush(flushToDisk: true);
            _valid[index] = (commitNum, commitMetadata);
            _newestIndex = index;
            if (_legacy is { } legacy)
            {
                // The first commit here covers everything the old per-commit files did: they can go.
                _legacy = null;
                legacy.RemoveAllCommits();
                legacy.Dispose();
                if (_legacyDirectory is not null && Directory.Exists(_legacyDirectory))
                {
                    Directory.Delete(_legacyDirectory, recursive: true);
                }
            }
        }
    }

    public IEnumerable<long> ListCommits()
    {
        if (_legacy is { } legacy)
        {
            return legacy.ListCommits();
        }

        lock (_gate)
        {
            return _valid.OfType<(long Number, byte[] Body)>().Select(v => v.Number).OrderDescending().ToList();
        }
    }

    public byte[] GetCommitMetadata(long commitNum)
    {
        if (_legacy is { } legacy)
        {
            return legacy.GetCommitMetadata(commitNum);
        }

        lock (_gate)
        {
            return _valid.OfType<(long Number, byte[] Body)>().FirstOrDefault(v => v.Number == commitNum).Body!;
        }
    }

    /// <summary>Nothing to remove: a slot is overwritten two commits later, and until then it is the fallback.</summary>
    public void RemoveCommit(long commitNum)
    {
    }

    public void RemoveAllCommits()
    {
        lock (_gate)
        {
            _file.Position = 0;
            _file.Write(new byte[2 * SlotSize]);
            _file.Flush(flushToDisk: true);
            _valid[0] = _valid[1] = null;
            _newestIndex = -1;
        }
    }

    public void OnRecovery(long commitNum) => _legacy?.OnRecovery(commitNum);

    public void Dispose()
    {
        _file.Dispose();
        _legacy?.Dispose();
    }

    /// <summary>Reads both slots: keeps the valid ones, accepts the kinds of invalid slot a crash leaves, refuses the rest.</summary>
    private void ReadSlots()
    {
        var slots = new byte[2][];
        var valid = new bool[2];
        for (var i = 0; i < 2; i++)
        {
            slots[i] = new byte[SlotSize];
            _file.Position = i * SlotSize;
            _file.ReadExactly(slots[i]);
            if (Parse(slots[i]) is { } parsed)
            {
                _valid[i] = parsed;
                valid[i] = true;
            }
        }

        var newest = _valid.OfType<(long Number, byte[] Body)>().Select(v => (long?)v.Number).Max();
        _newestIndex = newest is null ? -1 : _valid[0]?.Number == newest ? 0 : 1;
        for (var i = 0; i < 2; i++)
        {
            if (valid[i] || slots[i].AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                continue;
            }

            var hasMagic = BinaryPrimitives.ReadUInt32LittleEndian(slots[i]) == Magic;
            var number = BinaryPrimitives.ReadInt64LittleEndian(slots[i].AsSpan(8));
            var tornNext = hasMagic && (newest is not { } n || number > n);
            var older = hasMagic && newest is { } m && number < m;
            if (!tornNext && !older)
            {
                throw new CorruptionException(Path, $"commit slot {i} is damaged (it is neither a commit, nor empty, nor one a crash interrupted)");
            }
        }
    }

    private static (long Number, byte[] Body)? Parse(byte[] slot)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(slot.AsSpan(4));
        if (length is < 0 or > MaxBody)
        {
            return null;
        }

        var end = HeaderSize + length;
        if (BinaryPrimitives.ReadUInt64LittleEndian(slot.AsSpan(end)) != XxHash64.HashToUInt64(slot.AsSpan(0, end)))
        {
            return null;
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(slot.AsSpan(8)), slot.AsSpan(HeaderSize, length).ToArray());
    }
}
