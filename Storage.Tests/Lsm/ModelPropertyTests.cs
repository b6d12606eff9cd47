// Property test against a trivial model: random put/delete/get/scan/flush/compact/reopen sequences on a
// tiny memtable (so rotations, flushes and compactions happen all the time) must agree with a
// SortedDictionary. The seed of a failing run is in the failure message.

using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class ModelPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task EngineAgreesWithASortedDictionary(int seed)
    {
        using var directory = new TempDirectory();
        var options = new StorageOptions
        {
            DataDirectory = directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 8 * 1024,
            BlockSize = 256,
            BlockCacheSize = 16 * 1024,
            CompactionTrigger = 2 + seed % 3,
            MaxTables = 6,
            StallTables = 10,
            LogPageSizeBits = 16,
            MaxValueSize = 1024,
        };
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var engine = await StorageEngine.OpenAsync(options);
        var step = 0;
        long flushes = 0, compactions = 0;
        try
        {
            for (step = 0; step < 2500; step++)
            {
                var key = Encoding.UTF8.GetBytes($"k{random.Next(300):D3}");
                var dice = random.Next(1000);
                if (dice < 450)
                {
                    var value = new byte[random.Next(0, 300)];
                    random.NextBytes(value);
                    await engine.PutAsync(key, value);
                    model[key] = value;
                }
                else if (dice < 600)
                {
                    await engine.DeleteAsync(key);
                    model.Remove(key);
                }
                else if (dice < 900)
                {
                    var found = engine.TryGet(key, out var value);
                    Assert.Equal(model.TryGetValue(key, out var expected), found);
                    if (found)
                    {
                        Assert.Equal(expected, value);
                    }

                    // The same read in place: the reader sees the stored bytes themselves.
                    Assert.Equal(found, engine.TryRead(key, static bytes => Convert.ToHexString(bytes), out var hex));
                    Assert.Equal(found ? Convert.ToHexString(expected!) : null, hex);
                }
                else if (dice < 960)
                {
                    var from = Encoding.UTF8.GetBytes($"k{random.Next(300):D3}");
                    var to = random.Next(4) == 0 ? [] : Encoding.UTF8.GetBytes($"k{random.Next(300):D3}");
                    var expected = model.Where(e => ByteArrayComparer.Instance.Compare(e.Key, from) >= 0 && (to.Length == 0 || ByteArrayComparer.Instance.Compare(e.Key, to) < 0)).ToList();
                    var actual = engine.Scan(from, to).ToList();
                    Assert.Equal(expected.Select(e => e.Key), actual.Select(e => e.Key));
                    Assert.Equal(expected.Select(e => e.Value), actual.Select(e => e.Value));
                }
                else if (dice < 975)
                {
                    await engine.FlushAsync();
                }
                else if (dice < 985)
                {
                    await engine.CompactAsync();
                    Assert.True(engine.GetStatistics().Tables <= 1);
                }
                else
                {
                    (flushes, compactions) = (flushes + engine.GetStatistics().Flushes, compactions + engine.GetStatistics().Compactions);
                    await engine.DisposeAsync();
                    engine = await StorageEngine.OpenAsync(options);
                }
            }

            var all = engine.Scan(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).ToList();
            Assert.Equal(model.Keys, all.Select(e => e.Key));
            (flushes, compactions) = (flushes + engine.GetStatistics().Flushes, compactions + engine.GetStatistics().Compactions);
            Assert.True(flushes > 0 && compactions > 0, $"flushes {flushes}, compactions {compactions}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed}, step {step}: {ex}");
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }
}
