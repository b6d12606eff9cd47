// The file operations of the engine's table and manifest writers, behind a seam so that tests can inject
// faults (dropped unsynced data, torn writes, flipped bits, lost renames). Only those four operations go
// through it. Outside it: reading tables and the manifest, deleting files (replaced tables on their last
// release, orphans and temporary files at open), the directory lock, and the commit log, which is
// FasterLog's own device.
//
// A rename or a new file is durable only once its directory is fsynced: after a crash, a file system may
// show the old name, or no entry at all, even though the file's data was fsynced.

namespace GrainKV.Storage.IO;

/// <summary>Creating, syncing and renaming the files the engine writes, and syncing directories; no reads or deletes.</summary>
public interface IFileSystem
{
    /// <summary>Creates (or truncates) a file for writing.</summary>
    Stream Create(string path);

    /// <summary>Makes everything written to <paramref name="stream"/> durable.</summary>
    void Sync(Stream stream);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/>.</summary>
    void Move(string source, string destination);

    /// <summary>Makes the entries of <paramref name="directory"/> (files created, renamed or deleted in it) durable.</summary>
    void SyncDirectory(string directory);
}

/// <summary>The real file system.</summary>
public sealed class LocalFileSystem : IFileSystem
{
    public static LocalFileSystem Instance { get; } = new();

    public Stream Create(string path) => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    public void Sync(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    public void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    /// <summary>On Unix, fsync of the directory (see <see cref="DirectorySync"/>); nothing on Windows.</summary>
    public void SyncDirectory(string directory) => DirectorySync.Sync(directory);
}
