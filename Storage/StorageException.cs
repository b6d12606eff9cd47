// Typed failures of the storage engine. Expected outcomes (a missing key) are values, not exceptions.

namespace GrainKV.Storage;

/// <summary>Base class of every failure raised by the storage engine.</summary>
public class StorageException : Exception
{
    public StorageException(string message) : base(message) { }

    public StorageException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Stored data failed a checksum or structural check. The data is never returned.</summary>
public sealed class CorruptionException : StorageException
{
    public CorruptionException(string file, string message) : base($"Corruption in '{file}': {message}") => File = file;

    public CorruptionException(string file, string message, Exception inner)
        : base($"Corruption in '{file}': {message}", inner) => File = file;

    /// <summary>The file in which the corruption was found.</summary>
    public string File { get; }
}

/// <summary>A key or value exceeded the engine's limits; nothing was written.</summary>
public sealed class EntryTooLargeException : StorageException
{
    public EntryTooLargeException(string message) : base(message) { }
}

/// <summary>The commit log could not be made durable (a commit failed). The engine refuses writes from then on;
/// writes not yet committed may be lost. Reopen after fixing the cause.</summary>
public sealed class CommitLogException : StorageException
{
    public CommitLogException(string file, string message, Exception inner)
        : base($"Commit log '{file}': {message}", inner) => File = file;

    /// <summary>The commit log file.</summary>
    public string File { get; }
}
