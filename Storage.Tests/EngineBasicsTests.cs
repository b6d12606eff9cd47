// Put, get, delete, overwrite and reopen through the public engine API.

using System.Text;

namespace GrainKV.Storage.Tests;

public sealed class EngineBasicsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private StorageOptions Options => new() { DataDirectory = _directory.Path };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task PutGetDeleteOverwrite()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        Assert.False(engine.TryGet(B("a"), out _));

        await engine.PutAsync(B("a"), B("1"));
        Assert.True(engine.TryGet(B("a"), out var v1));
        Assert.Equal(B("1"), v1);

        await engine.PutAsync(B("a"), B("2"));
        Assert.True(engine.TryGet(B("a"), out var v2));
        Assert.Equal(B("2"), v2);

        await engine.DeleteAsync(B("a"));
        Assert.False(engine.TryGet(B("a"), out _));
    }

    [Fact]
    public async Task AnEngineClosedWithoutWritesReopens()
    {
        for (var round = 0; round < 2; round++)
        {
            var engine = await StorageEngine.OpenAsync(Options);
            Assert.Empty(engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task ReopenAfterCleanCloseKeepsEverything()
    {
        await using (var engine = await StorageEngine.OpenAsync(Options))
        {
            for (var i = 0; i < 1000; i++)
            {
                await engine.PutAsync(B($"k{i:D4}"), B($"v{i}"));
            }

            await engine.DeleteAsync(B("k0007"));
            await engine.PutAsync(B("k0008"), B("again"));
        }

        await using (var engine = await StorageEngine.OpenAsync(Options))
        {
            Assert.False(engine.TryGet(B("k0007"), out _));
            Assert.True(engine.TryGet(B("k0008"), out var again));
            Assert.Equal(B("again"), again);
            Assert.True(engine.TryGet(B("k0999"), out var last));
            Assert.Equal(B("v999"), last);
            Assert.Equal(999, engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Count());
        }
    }

    [Fact]
    public async Task SecondEngineOnSameDirectoryIsRefused()
    {
        await using var engine = await StorageEngine.OpenAsync(Options);
        await Assert.ThrowsAsync<StorageException>(async () => await StorageEngine.OpenAsync(Options));
    }

    [Fact]
    public async Task OversizedValueIsRejectedAndNothingStored()
    {
        await using var engine = await StorageEngine.OpenAsync(new StorageOptions { DataDirectory = _directory.Path, MaxValueSize = 100 });
        await Assert.ThrowsAsync<EntryTooLargeException>(async () => await engine.PutAsync(B("big"), new byte[101]));
        Assert.False(engine.TryGet(B("big"), out _));
    }

    public void Dispose() => _directory.Dispose();
}
