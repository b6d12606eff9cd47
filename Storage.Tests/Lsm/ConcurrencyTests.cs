// Many writers and readers at once while memtables rotate, tables flush and compactions run: readers
// never see a value go backwards or a key vanish, and the final state holds every writer's last value.

using System.Buffers.Binary;
using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task ConcurrentWritersAndReadersSeeMonotonicValuesThroughFlushesAndCompactions()
    {
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 32 * 1024,
            CompactionTrigger = 2,
            MaxTables = 4,
            StallTables = 8,
        };
        const int writers = 4;
        const int keysPerWriter = 50;
        const int rounds = 60;
        await using var engine = await StorageEngine.OpenAsync(options);
        using var done = new CancellationTokenSource();

        static byte[] Key(int writer, int key) => Encoding.UTF8.GetBytes($"w{writer}-k{key:D3}");

        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var value = new byte[200];
            for (var round = 1; round <= rounds; round++)
            {
                for (var k = 0; k < keysPerWriter; k++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(value, round);
                    await engine.PutAsync(Key(w, k), value);
                }
            }
        })).ToArray();

        var readerTasks = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var seen = new Dictionary<string, int>();
            var random = new Random(r);
            var reads = 0;
            while (!done.IsCancellationRequested || reads < 1000)
            {
                var w = random.Next(writers);
                var k = random.Next(keysPerWriter);
                var name = $"{w}/{k}";
                if (engine.TryGet(Key(w, k), out var value))
                {
                    var round = BinaryPrimitives.ReadInt32LittleEndian(value);
                    Assert.True(round >= seen.GetValueOrDefault(name), $"{name} went back from {seen.GetValueOrDefault(name)} to {round}");
                    seen[name] = round;
                }
                else
                {
                    Assert.False(seen.ContainsKey(name), $"{name} vanished after round {seen.GetValueOrDefault(name)}");
                }

                if (random.Next(50) == 0)
                {
                    var scanned = engine.Scan(Encoding.UTF8.GetBytes($"w{w}-"), Encoding.UTF8.GetBytes($"w{w}."));
                    Assert.True(scanned.Count() <= keysPerWriter);
                }

                reads++;
            }
        })).ToArray();

        await Task.WhenAll(writerTasks);
        done.Cancel();
        await Task.WhenAll(readerTasks);

        var stats = engine.GetStatistics();
        Assert.True(stats.Flushes > 0 && stats.Compactions > 0, $"flushes {stats.Flushes}, compactions {stats.Compactions}");
        for (var w = 0; w < writers; w++)
        {
            for (var k = 0; k < keysPerWriter; k++)
            {
                Assert.True(engine.TryGet(Key(w, k), out var value));
                Assert.Equal(rounds, BinaryPrimitives.ReadInt32LittleEndian(value));
            }
        }
    }

    public void Dispose() => _directory.Dispose();
}
