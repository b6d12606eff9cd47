// The commit metadata manager (CommitSlots), watched during recovery. FasterLog tries its commit files newest
// first and silently falls back to an older one (or to an empty log) when one cannot be read, which would
// drop committed records without a word; and its checksum of a commit file is a XOR that a file of
// 0xFF bytes passes. This wrapper checks each commit file it hands out for plausibility (refusing a
// damaged one, so FasterLog moves on) and records the newest commit listed and the one FasterLog
// recovered from, so the commit log can refuse to open when they differ.
//
// A commit file's body, as FasterLog writes it: version: int32 | checksum: int64 | begin address: int64
// | until address: int64 | commit number: int64 (version > 0) | ...

using System.Buffers.Binary;
using FASTER.core;

namespace GrainKV.Storage.Log;

/// <summary>Delegates to the commit slots and remembers what recovery listed and used.</summary>
internal sealed class RecoveryCheckingCommitManager(CommitSlots inner) : ILogCommitManager
{
    private const int CommitNumberEnd = 36;

    private bool _listed;

    /// <summary>The newest commit number present when recovery listed the commits, if any.</summary>
    public long? Newest { get; private set; }

    /// <summary>The commit number recovery restored from, if any.</summary>
    public long? Recovered { get; private set; }

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata) =>
        inner.Commit(beginAddress, untilAddress, commitMetadata, commitNum, forceWriteMetadata);

    public byte[] GetCommitMetadata(long commitNum)
    {
        var body = inner.GetCommitMetadata(commitNum);
        if (body is null)
        {
            return body!;
        }

        var version = body.Length >= CommitNumberEnd ? BinaryPrimitives.ReadInt32LittleEndian(body) : -1;
        var begin = version >= 0 ? BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(12)) : -1;
        var until = version >= 0 ? BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(20)) : -1;
        var number = version > 0 ? BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(28)) : commitNum;
        if (version is < 0 or > 16 || begin < 0 || until < begin || number != commitNum)
        {
            throw new CorruptionException(CommitFile(commitNum), "the commit metadata is damaged");
        }

        return body;
    }

    /// <summary>The file commit <paramref name="commitNum"/> is kept in.</summary>
    public string CommitFile(long commitNum) => inner.FileOf(commitNum);

    public IEnumerable<long> ListCommits()
    {
        var commits = inner.ListCommits().ToList();
        if (!_listed)
        {
            _listed = true;
            Newest = commits.Count > 0 ? commits.Max() : null;
        }

        return commits;
    }

    public void RemoveCommit(long commitNum) => inner.RemoveCommit(commitNum);

    public void RemoveAllCommits() => inner.RemoveAllCommits();

    public void OnRecovery(long commitNum)
    {
        Recovered = commitNum;
        inner.OnRecovery(commitNum);
    }

    public void Dispose() => inner.Dispose();
}
