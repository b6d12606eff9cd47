// The real file system seam: a directory fsync succeeds on an existing directory and reports a missing one.

namespace GrainKV.Storage.Tests.IO;

public sealed class LocalFileSystemTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void SyncDirectoryFsyncsAnExistingDirectoryAndFailsOnAMissingOne()
    {
        var files = GrainKV.Storage.IO.LocalFileSystem.Instance;
        using (var file = files.Create(Path.Combine(_directory.Path, "a.tmp")))
        {
            file.WriteByte(1);
            files.Sync(file);
        }

        files.Move(Path.Combine(_directory.Path, "a.tmp"), Path.Combine(_directory.Path, "a"));
        files.SyncDirectory(_directory.Path);
        Assert.True(File.Exists(Path.Combine(_directory.Path, "a")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Throws<IOException>(() => files.SyncDirectory(Path.Combine(_directory.Path, "missing")));
        }
    }

    public void Dispose() => _directory.Dispose();
}
