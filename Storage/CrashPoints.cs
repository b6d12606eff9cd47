// Named points in flush and compaction between durable steps. The engine calls
// StorageOptions.CrashPointHook with one of these names; tests throw from the hook to stop the engine
// there, apply a simulated crash to the files, and reopen. The steps inside table and manifest writing
// (fsync, rename, directory fsync) are reached through the file system seam instead (IFileSystem).

namespace GrainKV.Storage;

/// <summary>Names of the points at which <see cref="StorageOptions.CrashPointHook"/> is called.</summary>
internal static class CrashPoints
{
    /// <summary>Flush: the new manifest (naming the table and the new log start) is durable; the log is not yet truncated.</summary>
    public const string FlushManifestWritten = "flush:manifest-written";

    /// <summary>Flush: the log was truncated before the flushed memtable's end.</summary>
    public const string FlushLogTruncated = "flush:log-truncated";

    /// <summary>Compaction: the new manifest (output in, inputs out) is durable; the inputs are not yet released.</summary>
    public const string CompactionManifestWritten = "compaction:manifest-written";

    /// <summary>Compaction: the inputs were released (deleted once no reader holds them).</summary>
    public const string CompactionInputsReleased = "compaction:inputs-released";
}
