// StorageOptions: the defaults are valid, every rule refuses its bad values and names the setting, and an engine
// with bad options refuses to open before it touches its directory.

using Microsoft.Extensions.Options;

namespace GrainKV.Storage.Tests;

public sealed class StorageOptionsTests : IDisposable
{
    private static readonly Dictionary<string, (Action<StorageOptions> Change, string Named)> Bad = new()
    {
        ["empty data directory"] = (o => o.DataDirectory = "", "StorageOptions.DataDirectory"),
        ["blank data directory"] = (o => o.DataDirectory = "  ", "StorageOptions.DataDirectory"),
        ["zero commit interval"] = (o => o.CommitInterval = TimeSpan.Zero, "StorageOptions.CommitInterval"),
        ["negative commit interval"] = (o => o.CommitInterval = TimeSpan.FromMilliseconds(-1), "StorageOptions.CommitInterval"),
        ["negative commit spacing"] = (o => o.CommitSpacing = TimeSpan.FromMilliseconds(-1), "StorageOptions.CommitSpacing"),
        ["log page below 4 KiB"] = (o => o.LogPageSizeBits = 11, "StorageOptions.LogPageSizeBits"),
        ["log page above 256 MiB"] = (o => o.LogPageSizeBits = 29, "StorageOptions.LogPageSizeBits"),
        ["zero max value size"] = (o => o.MaxValueSize = 0, "StorageOptions.MaxValueSize"),
        ["value leaving no room for a key"] = (o => o.MaxValueSize = (1 << 22) - 1023, "MaxValueSize (4193281) must leave room for a key"),
        ["value larger than a small page"] = (o => (o.LogPageSizeBits, o.MaxValueSize) = (12, 4000), "one log page (4096 bytes"),
        ["negative spare log segments"] = (o => o.LogSpareSegments = -1, "StorageOptions.LogSpareSegments"),
        ["more than 64 spare log segments"] = (o => o.LogSpareSegments = 65, "StorageOptions.LogSpareSegments"),
        ["memtable below 4 KiB"] = (o => o.MemTableSize = 4095, "StorageOptions.MemTableSize"),
        ["no immutable memtable"] = (o => o.MaxImmutableMemTables = 0, "StorageOptions.MaxImmutableMemTables"),
        ["block below 256 bytes"] = (o => o.BlockSize = 255, "StorageOptions.BlockSize"),
        ["no bloom bits"] = (o => o.BloomBitsPerKey = 0, "StorageOptions.BloomBitsPerKey"),
        ["too many bloom bits"] = (o => o.BloomBitsPerKey = 41, "StorageOptions.BloomBitsPerKey"),
        ["negative block cache"] = (o => o.BlockCacheSize = -1, "StorageOptions.BlockCacheSize"),
        ["negative background nice value"] = (o => o.BackgroundNice = -1, "StorageOptions.BackgroundNice"),
        ["background nice value above 19"] = (o => o.BackgroundNice = 20, "StorageOptions.BackgroundNice"),
        ["compaction of one table"] = (o => o.CompactionTrigger = 1, "StorageOptions.CompactionTrigger"),
        ["max tables below the trigger"] = (o => o.MaxTables = 3, "MaxTables (3) must be at least CompactionTrigger (4)"),
        ["stall at max tables"] = (o => o.StallTables = 12, "StallTables (12) must be more than MaxTables (12)"),
    };

    private readonly TempDirectory _directory = new();

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TheDefaultsAreValid()
    {
        new StorageOptions().Validate();
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);
    }

    [Fact]
    public void TheBoundsThemselvesAreValid()
    {
        new StorageOptions
        {
            LogPageSizeBits = 12,
            MaxValueSize = 4096 - 1024,
            LogSpareSegments = 0,
            MemTableSize = 4096,
            BlockSize = 256,
            BloomBitsPerKey = 40,
            BlockCacheSize = 0,
            CompactionTrigger = 2,
            MaxTables = 2,
            StallTables = 3,
        }.Validate();
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public void EachRuleRefusesItsBadValueAndNamesTheSetting(string name)
    {
        var (change, named) = Bad[name];
        var options = new StorageOptions();
        change(options);
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Equal(typeof(StorageOptions), error.OptionsType);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsListedAtOnce()
    {
        var options = new StorageOptions { DataDirectory = "", BlockSize = 1, StallTables = 1 };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Equal(3, error.Failures.Count());
    }

    [Fact]
    public async Task AnEngineWithBadOptionsRefusesToOpenAndCreatesNothing()
    {
        var directory = Path.Combine(_directory.Path, "engine");
        await Assert.ThrowsAsync<OptionsValidationException>(
            async () => await StorageEngine.OpenAsync(new StorageOptions { DataDirectory = directory, BloomBitsPerKey = 0 }));
        Assert.False(Directory.Exists(directory));
    }
}
