// Memtable value chunks are reused once flushed: readers in place, copying reads and scans held open across many
// flushes must see every value intact, byte for byte, while the chunks they read from are taken by later memtables.
// Every value names its key and round and fills the rest with a pattern of both, so a read of a chunk that another
// memtable wrote again shows as a wrong key, a round from the future or a broken pattern.

using System.Buffers.Binary;
using System.Text;

namespace GrainKV.Storage.Tests.Lsm;

public sealed class ValueChunkReuseTests : IDisposable
{
    private const int Keys = 200;
    private const int ValueLength = 1000;

    private readonly TempDirectory _directory = new();

    private static byte[] Key(int key) => Encoding.UTF8.GetBytes($"key{key:D4}");

    private static void WriteValue(Span<byte> value, int key, int round)
    {
        BinaryPrimitives.WriteInt32LittleEndian(value, key);
        BinaryPrimitives.WriteInt32LittleEndian(value[4..], round);
        for (var i = 8; i < value.Length; i++)
        {
            value[i] = Pattern(key, round, i);
        }
    }

    private static byte Pattern(int key, int round, int i) => (byte)((key * 7) + (round * 13) + i);

    /// <summary>The round of an intact value of <paramref name="key"/> not newer than <paramref name="written"/>; throws otherwise.</summary>
    private static int Check(ReadOnlySpan<byte> value, int key, int written)
    {
        Assert.Equal(ValueLength, value.Length);
        Assert.Equal(key, BinaryPrimitives.ReadInt32LittleEndian(value));
        var round = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
        Assert.InRange(round, 1, written);
        for (var i = 8; i < value.Length; i++)
        {
            if (value[i] != Pattern(key, round, i))
            {
                Assert.Fail($"key {key} round {round}: byte {i} is {value[i]}, not {Pattern(key, round, i)}");
            }
        }

        return round;
    }

    [Fact]
    public async Task AWriteCopiesTheCallersValueBeforeItReturnsEvenWhenItStalls()
    {
        // One buffer for every write, rewritten as soon as each PutAsync returns its task (as a caller giving a pooled
        // buffer back would), and memtables so small that writes wait for flushes (the stalled path): the first flush
        // is held until a write has stalled behind it, so the path is taken however fast the flush thread runs.
        StorageEngine? opened = null;
        var held = 0;
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 8 * 1024,
            MaxImmutableMemTables = 1,
            CrashPointHook = point =>
            {
                if (point == CrashPoints.FlushManifestWritten && Interlocked.Exchange(ref held, 1) == 0)
                {
                    SpinWait.SpinUntil(() => Volatile.Read(ref opened)?.GetStatistics().WriteStalls > 0, TimeSpan.FromSeconds(30));
                }
            },
        };
        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            Volatile.Write(ref opened, engine);
            var buffer = new byte[ValueLength];
            var pending = new List<ValueTask>();
            for (var round = 1; round <= 10; round++)
            {
                for (var key = 0; key < Keys; key++)
                {
                    WriteValue(buffer, key, round);
                    pending.Add(engine.PutAsync(Key(key), buffer));
                    buffer.AsSpan().Fill(0xEE);
                }

                foreach (var write in pending)
                {
                    await write;
                }

                pending.Clear();
            }

            Assert.True(engine.GetStatistics().WriteStalls > 0, "no write waited for a flush: the stalled path was not taken");
            for (var key = 0; key < Keys; key++)
            {
                Assert.True(engine.TryGet(Key(key), out var value));
                Assert.Equal(10, Check(value, key, written: 10));
            }
        }
    }

    [Fact]
    public async Task ReadersAndOpenScansSeeEveryValueIntactWhileFlushedMemTablesChunksAreReused()
    {
        var options = new StorageOptions
        {
            DataDirectory = _directory.Path,
            Durability = LogDurability.Buffered,
            MemTableSize = 48 * 1024, // about 40 values: a flush every 40 writes, each memtable in one chunk
            CompactionTrigger = 2,
            MaxTables = 4,
            StallTables = 8,
        };
        const int rounds = 60;
        await using var engine = await StorageEngine.OpenAsync(options);
        var written = 0; // rounds completed by the writer: no reader may see a later one
        using var done = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            var value = new byte[ValueLength];
            for (var round = 1; round <= rounds; round++)
            {
                for (var key = 0; key < Keys; key++)
                {
                    WriteValue(value, key, round);
                    await engine.PutAsync(Key(key), value);
                }

                Volatile.Write(ref written, round);
            }
        });

        var pointReaders = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            var reads = 0;
            while (!done.IsCancellationRequested || reads < 2000)
            {
                // A value read is at most one round ahead of the rounds completed when it is checked.
                var key = random.Next(Keys);
                if (r == 0)
                {
                    engine.TryRead(Key(key), value => Check(value, key, Volatile.Read(ref written) + 1), out _); // in place: the chunk itself
                }
                else if (engine.TryGet(Key(key), out var copy))
                {
                    Check(copy, key, Volatile.Read(ref written) + 1);
                }

                reads++;
            }
        })).ToArray();

        var scanner = Task.Run(async () =>
        {
            var scans = 0;
            while (!done.IsCancellationRequested || scans < 3)
            {
                var flushesAtStart = engine.GetStatistics().Flushes;
                var complete = Volatile.Read(ref written) > 0; // every key written before the scan: it sees them all
                using var entries = engine.Scan(Key(0), ReadOnlyMemory<byte>.Empty).GetEnumerator();
                var limit = Volatile.Read(ref written) + 1; // the scan is as of the Scan call, before this
                var seen = 0;
                while (entries.MoveNext())
                {
                    var key = int.Parse(Encoding.UTF8.GetString(entries.Current.Key)[3..]);
                    Check(entries.Current.Value, key, limit);
                    seen++;
                    if (seen == Keys / 2)
                    {
                        // Hold the scan open while later memtables are flushed and take their chunks back.
                        var deadline = DateTime.UtcNow.AddSeconds(30);
                        while (!writer.IsCompleted && engine.GetStatistics().Flushes < flushesAtStart + 3 && DateTime.UtcNow < deadline)
                        {
                            await Task.Yield();
                        }
                    }
                }

                Assert.InRange(seen, complete ? Keys : 0, Keys);
                scans++;
            }
        });

        await writer;
        done.Cancel();
        await Task.WhenAll([.. pointReaders, scanner]);

        var stats = engine.GetStatistics();
        Assert.True(stats.Flushes >= 100, $"only {stats.Flushes} flushes");
        Assert.True(engine.ValueChunksReused >= 50, $"only {engine.ValueChunksReused} chunks reused");
        for (var key = 0; key < Keys; key++)
        {
            Assert.True(engine.TryGet(Key(key), out var value));
            Assert.Equal(rounds, Check(value, key, rounds));
        }
    }

    [Fact]
    public async Task AfterManyFlushesTheEngineHoldsNoMoreValueChunksThanItsMemTablesNeed()
    {
        var options = new StorageOptions { DataDirectory = _directory.Path, Durability = LogDurability.Buffered, MemTableSize = 48 * 1024 };
        await using var engine = await StorageEngine.OpenAsync(options);
        var value = new byte[ValueLength];
        for (var round = 1; round <= 20; round++)
        {
            for (var key = 0; key < Keys; key++)
            {
                WriteValue(value, key, round);
                await engine.PutAsync(Key(key), value);
            }

            await engine.FlushAsync();
        }

        // Each memtable here needs one chunk. A flushed one gives it back and a later one takes it; a memtable
        // allocates only when every chunk is in use (the active memtable and those waiting to flush), or when the pool
        // (two chunks) was full when a flush gave one back.
        var stats = engine.GetStatistics();
        Assert.True(stats.Flushes >= 20 * Keys * ValueLength / options.MemTableSize, $"only {stats.Flushes} flushes");
        Assert.True(engine.ValueChunksReused >= stats.Flushes / 2, $"{engine.ValueChunksReused} chunks reused over {stats.Flushes} flushes");
    }

    public void Dispose() => _directory.Dispose();
}
