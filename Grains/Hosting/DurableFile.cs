// Small files that must survive a crash once written (node id, incarnation): written to a temporary file,
// synced, renamed over the target, and the directory synced (the engine's file system) so that the rename
// itself is durable.

using GrainKV.Storage.IO;

namespace GrainKV.Grains.Hosting;

/// <summary>Crash-safe replacement of a small text file.</summary>
public static class DurableFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/>; durable when it returns.</summary>
    public static void WriteAllText(string path, string text)
    {
        var files = LocalFileSystem.Instance;
        var temporary = path + ".tmp";
        using (var stream = files.Create(temporary))
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
            writer.Flush();
            files.Sync(stream);
        }

        files.Move(temporary, path);
        files.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
