// A directory whose MANIFEST is gone but which still holds tables or a commit log is refused with a
// corruption error, and nothing in it is deleted: guessing would discard every table as an "orphan".

using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class MissingManifestTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new() { DataDirectory = _directory.Path };

    private string ManifestPath => Path.Combine(_directory.Path, "MANIFEST");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AMissingManifestWithTablesOrALogIsRefusedAndNothingIsDeleted(bool flushed)
    {
        await using (var engine = await StorageEngine.OpenAsync(Options))
        {
            for (var i = 0; i < 100; i++)
            {
                await engine.PutAsync(Encoding.UTF8.GetBytes($"k{i:D3}"), Encoding.UTF8.GetBytes($"v{i}"));
            }

            if (flushed)
            {
                await engine.FlushAsync();
            }
        }

        File.Delete(ManifestPath);
        var tables = Directory.GetFiles(_directory.Path, "*.sst");
        Assert.Equal(flushed, tables.Length > 0);

        var error = await Assert.ThrowsAsync<CorruptionException>(async () => await StorageEngine.OpenAsync(Options));
        Assert.Equal(ManifestPath, error.File);
        Assert.Equal(tables, Directory.GetFiles(_directory.Path, "*.sst"));
    }

    [Fact]
    public async Task AnEmptyDirectoryOpensAndGetsAManifestAtOnce()
    {
        await using (var engine = await StorageEngine.OpenAsync(Options))
        {
            Assert.True(File.Exists(ManifestPath));
            await engine.PutAsync(Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("1"));
        }

        await using (var engine = await StorageEngine.OpenAsync(Options))
        {
            Assert.True(engine.TryGet(Encoding.UTF8.GetBytes("a"), out var value));
            Assert.Equal(Encoding.UTF8.GetBytes("1"), value);
        }
    }

    public void Dispose() => _directory.Dispose();
}
