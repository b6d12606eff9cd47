// The commit log: a torn tail (bytes past the last commit) is dropped on recovery; a damaged record in
// the middle of the committed log is an error, never silently skipped.

using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class LogCorruptionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new() { DataDirectory = _directory.Path };

    private string LogFile => Directory.GetFiles(Path.Combine(_directory.Path, "log"), "commit.log*")
        .Where(f => !f.Contains("commit", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("commit.log.", StringComparison.Ordinal))
        .OrderBy(f => f, StringComparer.Ordinal).First();

    private async Task WriteAsync(int count)
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        for (var i = 0; i < count; i++)
        {
            await engine.PutAsync(Encoding.UTF8.GetBytes($"key{i:D4}"), Encoding.UTF8.GetBytes($"value-{i:D4}-{new string('v', 100)}"));
        }
    }

    [Fact]
    public async Task GarbagePastTheLastCommitIsDropped()
    {
        await WriteAsync(100);
        var log = LogFile;
        var length = new FileInfo(log).Length;
        await using (var stream = new FileStream(log, FileMode.Open, FileAccess.Write))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Enumerable.Repeat((byte)0xAB, 4096).ToArray());
        }

        await using var engine = await StorageEngine.OpenAsync(Options);
        Assert.Equal(100, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
        Assert.True(length > 0);
    }

    [Fact]
    public async Task ADamagedRecordInTheMiddleOfTheLogIsAnError()
    {
        await WriteAsync(100);
        var log = LogFile;
        var bytes = await File.ReadAllBytesAsync(log);
        var marker = Encoding.UTF8.GetBytes("value-0050-");
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at > 0, "record 50 is in the log file");
        bytes[at + 20] ^= 0x01;
        await File.WriteAllBytesAsync(log, bytes);

        var error = await Assert.ThrowsAnyAsync<StorageException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.IsType<CorruptionException>(error);
    }

    public void Dispose() => _directory.Dispose();
}
