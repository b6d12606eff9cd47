// The compaction rewrite hook: values it replaces are stored replaced (and their space reclaimed), values it keeps
// are untouched, a newer value of a key (in the memtable) is never rewritten through an older table, and a full
// compaction reaches even a single table.

using System.Text;
using GrainKV.Storage.Compaction;

namespace GrainKV.Storage.Tests.Compaction;

public sealed class CompactionRewriteTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    // Stands in for an owner that knows which values are dead: values starting with "dead:" shrink to "x".
    private static readonly CompactionRewrite ShrinkDead = (_, value) => value.StartsWith("dead:"u8) ? B("x") : null;

    private StorageOptions Options(CompactionRewrite? rewrite) => new() { DataDirectory = _directory.Path, Compression = false, CompactionRewrite = rewrite };

    [Fact]
    public async Task AFullCompactionRewritesTheValuesTheHookReplacesAndReclaimsTheirSpace()
    {
        var calls = 0;
        CompactionRewrite counting = (key, value) =>
        {
            Interlocked.Increment(ref calls);
            return ShrinkDead(key, value);
        };
        await using var engine = await StorageEngine.OpenAsync(Options(counting));
        var big = new string('v', 2000);
        for (var i = 0; i < 200; i++)
        {
            await engine.PutAsync(B($"k{i:D3}"), B(i % 2 == 0 ? $"dead:{big}" : $"live:{i}"));
        }

        await engine.FlushAsync();
        var before = engine.GetStatistics().TableBytes;
        Assert.Equal(1, engine.GetStatistics().Tables);

        await engine.CompactAsync();

        var after = engine.GetStatistics().TableBytes;
        Assert.True(after < before / 4, $"tables shrank from {before} to {after} bytes");
        Assert.Equal(200, calls);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(engine.TryGet(B($"k{i:D3}"), out var value));
            Assert.Equal(i % 2 == 0 ? "x" : $"live:{i}", Encoding.UTF8.GetString(value));
        }
    }

    [Fact]
    public async Task ANewerValueInTheMemtableIsNeitherRewrittenNorShadowedByTheRewrite()
    {
        await using var engine = await StorageEngine.OpenAsync(Options(ShrinkDead));
        await engine.PutAsync(B("a"), B("dead:old"));
        await engine.PutAsync(B("b"), B("dead:old"));
        await engine.FlushAsync();
        await engine.PutAsync(B("a"), B("dead:newer, still in the memtable"));
        await engine.DeleteAsync(B("c"));

        await engine.CompactAsync(); // flushes the memtable too, then rewrites both tables into one

        Assert.True(engine.TryGet(B("a"), out var a));
        Assert.Equal("x", Encoding.UTF8.GetString(a));
        Assert.True(engine.TryGet(B("b"), out var b));
        Assert.Equal("x", Encoding.UTF8.GetString(b));
        Assert.False(engine.TryGet(B("c"), out _));
    }

    [Fact]
    public async Task WithoutARewriteASingleTableIsLeftAsItIs()
    {
        await using var engine = await StorageEngine.OpenAsync(Options(null));
        await engine.PutAsync(B("a"), B("dead:kept"));
        await engine.FlushAsync();
        var compactions = engine.GetStatistics().Compactions;

        await engine.CompactAsync();

        Assert.Equal(compactions, engine.GetStatistics().Compactions);
        Assert.True(engine.TryGet(B("a"), out var a));
        Assert.Equal("dead:kept", Encoding.UTF8.GetString(a));
    }

    public void Dispose() => _directory.Dispose();
}
