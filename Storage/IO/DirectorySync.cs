// fsync of a directory, which makes the entries created, renamed or deleted in it durable. .NET has no
// API for it (File.OpenHandle refuses directories), so on Unix this calls open(2) read-only, fsync(2)
// and close(2) from libc. Windows has no directory fsync; NTFS journals its metadata.

using System.ComponentModel;
using System.Runtime.InteropServices;

namespace GrainKV.Storage.IO;

/// <summary>Makes a directory's entries durable.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>fsyncs <paramref name="directory"/>; throws <see cref="IOException"/> if that fails.</summary>
    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw Failure("open", directory);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Failure("fsync", directory);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string directory)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of directory '{directory}' failed: {new Win32Exception(errno).Message}", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
