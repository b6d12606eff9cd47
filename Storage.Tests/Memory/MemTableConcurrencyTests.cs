// One writer and several lock-free readers on one memtable at once. The writer inserts 20,000 keys in
// descending order (each new node goes right in front of the newest finished one, and the hash index grows
// several times on the way) between overwrites of random keys (values and tombstones), and publishes, per key,
// the version it is about to write and the version whose Set returned. A reader reads the completed version
// before a lookup and the started version after it: the lookup must find the key if any write of it had
// completed, and must return one of the versions written in that window, intact. Half of the lookups go to the
// newest keys. Every range copy is sorted, within its bounds, holds only such versions and holds every key in
// range whose write completed before the copy began. Bounded by operation counts.

using System.Buffers.Binary;
using System.Text;
using GrainKV.Storage.Memory;

namespace GrainKV.Storage.Tests.Memory;

public sealed class MemTableConcurrencyTests
{
    private const int Keys = 20_000;
    private const int Writes = 60_000;
    private const int Readers = 3;
    private const int MinimumReads = 5_000;

    [Fact]
    public async Task ReadersNeverMissACompletedWriteNorSeeAValueNeverWritten()
    {
        var table = new MemTable();
        var started = new int[Keys];
        var completed = new int[Keys];
        var writerDone = 0;
        var newest = Keys; // the key inserted last; all keys from it up exist

        var writer = Task.Factory.StartNew(
            () =>
            {
                var random = new Random(1);
                var versions = new int[Keys];
                var next = Keys - 1;
                for (var i = 0; i < Writes; i++)
                {
                    var insert = next >= 0 && (i % 3 == 0 || next == Keys - 1);
                    var k = insert ? next-- : random.Next(next + 1, Keys);
                    var version = ++versions[k];
                    Volatile.Write(ref started[k], version);
                    table.Set(Key(k), IsTombstone(version) ? null : Value(k, version));
                    Volatile.Write(ref completed[k], version);
                    if (insert)
                    {
                        Volatile.Write(ref newest, k);
                    }
                }

                Volatile.Write(ref writerDone, 1);
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var readers = Enumerable.Range(0, Readers).Select(r => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(100 + r);
                var lookups = 0;
                var copies = 0;
                for (var reads = 0; Volatile.Read(ref writerDone) == 0 || reads < MinimumReads; reads++)
                {
                    if (random.Next(100) == 0)
                    {
                        CheckSnapshot(table, started, completed, random);
                        copies++;
                    }
                    else
                    {
                        // Half of the lookups go to the newest keys, just behind where the writer links new nodes.
                        var k = random.Next(2) == 0 ? random.Next(Keys) : Math.Min(Keys - 1, Volatile.Read(ref newest) + random.Next(3));
                        var before = Volatile.Read(ref completed[k]);
                        var found = table.TryGet(Key(k), out var value);
                        var after = Volatile.Read(ref started[k]);
                        Assert.True(found || before == 0, $"key {k} missing although version {before} was written");
                        if (found)
                        {
                            CheckValue(k, value, before, after);
                        }

                        lookups++;
                    }
                }

                return (lookups, copies);
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        // A bound so that a broken list (say, a cycle) fails the test instead of hanging it.
        await writer.WaitAsync(TimeSpan.FromMinutes(2));
        var counts = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.All(counts, c => Assert.True(c.lookups > 0 && c.copies > 0, $"{c.lookups} lookups, {c.copies} copies"));
        var finalCopy = table.Snapshot([], []).Copied();
        Assert.Equal(completed.Count(v => v > 0), finalCopy.Count);
        Assert.Equal(finalCopy.Count, table.Count);
        foreach (var (key, value) in finalCopy)
        {
            var k = KeyIndex(key);
            CheckValue(k, value, completed[k], completed[k]);
        }
    }

    private static void CheckSnapshot(MemTable table, int[] started, int[] completed, Random random)
    {
        var first = random.Next(Keys);
        var last = random.Next(4) == 0 ? Keys : Math.Min(Keys, first + random.Next(1, 200));
        var from = Key(first);
        var to = last == Keys ? [] : Key(last);
        var before = new int[last - first];
        for (var k = first; k < last; k++)
        {
            before[k - first] = Volatile.Read(ref completed[k]);
        }

        var copy = table.Snapshot(from, to).Copied();
        var seen = new HashSet<int>();
        byte[]? previous = null;
        foreach (var (key, value) in copy)
        {
            Assert.True(previous is null || ByteArrayComparer.Instance.Compare(previous, key) < 0, "copy out of order");
            Assert.True(ByteArrayComparer.Instance.Compare(key, from) >= 0, "copy below its lower bound");
            Assert.True(to.Length == 0 || ByteArrayComparer.Instance.Compare(key, to) < 0, "copy at or above its upper bound");
            var k = KeyIndex(key);
            CheckValue(k, value, before[k - first], Volatile.Read(ref started[k]));
            seen.Add(k);
            previous = key;
        }

        for (var k = first; k < last; k++)
        {
            Assert.True(before[k - first] == 0 || seen.Contains(k), $"copy [{first}, {last}) lacks key {k} (version {before[k - first]} was written)");
        }
    }

    /// <summary>The value must be the one some write in versions [<paramref name="lowest"/>, <paramref name="highest"/>]
    /// stored for key <paramref name="k"/>: a tombstone version if null, else that version's bytes.</summary>
    private static void CheckValue(int k, byte[]? value, int lowest, int highest)
    {
        lowest = Math.Max(lowest, 1);
        if (value is null)
        {
            Assert.True(Enumerable.Range(lowest, Math.Max(0, highest - lowest + 1)).Any(IsTombstone), $"key {k}: a tombstone, but versions {lowest}..{highest} hold none");
            return;
        }

        Assert.Equal(k, BinaryPrimitives.ReadInt32LittleEndian(value));
        var version = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4));
        Assert.True(version >= lowest && version <= highest && !IsTombstone(version), $"key {k}: version {version}, expected one in {lowest}..{highest}");
        Assert.Equal(Value(k, version), value);
    }

    private static bool IsTombstone(int version) => version % 7 == 0;

    private static byte[] Key(int k) => Encoding.ASCII.GetBytes($"key-{k:D5}");

    private static int KeyIndex(byte[] key) => int.Parse(Encoding.ASCII.GetString(key, 4, key.Length - 4));

    /// <summary>Key index, version, then a length and filler that depend on both, so a torn or mixed value shows.</summary>
    private static byte[] Value(int k, int version)
    {
        var value = new byte[8 + (k + version) % 24];
        BinaryPrimitives.WriteInt32LittleEndian(value, k);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), version);
        for (var i = 8; i < value.Length; i++)
        {
            value[i] = (byte)(k * 31 + version + i);
        }

        return value;
    }
}
