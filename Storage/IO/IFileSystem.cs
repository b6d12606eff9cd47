// The file operations the engine's table and manifest writers depend on, behind a seam so that tests
// can inject faults (dropped unsynced data, torn writes, flipped bits). The commit log is FasterLog's
// own device and does not go through this seam.

namespace GrainKV.Storage.IO;

/// <summary>Creating, syncing, renaming and deleting files.</summary>
public interface IFileSystem
{
    /// <summary>Creates (or truncates) a file for writing.</summary>
    Stream Create(string path);

    /// <summary>Makes everything written to <paramref name="stream"/> durable.</summary>
    void Sync(Stream stream);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/>.</summary>
    void Move(string source, string destination);
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
}
