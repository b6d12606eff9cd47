// The commit log's metadata slots: commits alternate between two checksummed slots so the newest is never
// overwritten by the next; a commit torn by a crash is ignored (it was never acknowledged); an older slot in any
// state does not matter; anything else in a slot is corruption. A log whose commits are in the per-commit files
// of older versions recovers from them, and its first commit replaces them.

using System.Buffers.Binary;
using System.Text;
using FASTER.core;
using GrainKV.Storage.Log;

namespace GrainKV.Storage.Tests.Log;

public sealed class CommitSlotsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string SlotFile => Path.Combine(_directory.Path, CommitSlots.FileName);

    private static byte[] Body(int n) => Encoding.UTF8.GetBytes($"commit metadata {n}");

    private CommitSlots Open() => new(_directory.Path, null, null);

    private void Commit(params int[] numbers)
    {
        using var slots = Open();
        foreach (var n in numbers)
        {
            slots.Commit(0, n * 100, Body(n), n, forceWriteMetadata: false);
        }
    }

    private int SlotOf(long number)
    {
        var bytes = File.ReadAllBytes(SlotFile);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)) == number ? 0 : 1;
    }

    private void Overwrite(int slot, Action<Span<byte>> change)
    {
        var bytes = File.ReadAllBytes(SlotFile);
        change(bytes.AsSpan(slot * CommitSlots.SlotSize, CommitSlots.SlotSize));
        File.WriteAllBytes(SlotFile, bytes);
    }

    [Fact]
    public void TheNewestTwoCommitsAreListedNewestFirst()
    {
        Commit(1, 2, 3);

        Assert.NotEqual(SlotOf(3), SlotOf(2));
        using var slots = Open();
        Assert.Equal([3L, 2L], slots.ListCommits());
        Assert.Equal(Body(3), slots.GetCommitMetadata(3));
        Assert.Equal(Body(2), slots.GetCommitMetadata(2));
    }

    [Fact]
    public void ACommitTornByACrashIsIgnored()
    {
        Commit(1, 2);
        Overwrite(SlotOf(1), slot =>
        {
            // The next commit's header reached the disk, its body and checksum did not.
            BinaryPrimitives.WriteInt64LittleEndian(slot[8..], 3);
            slot[20..64].Fill(0xAB);
        });

        using var slots = Open();
        Assert.Equal([2L], slots.ListCommits());
    }

    [Fact]
    public void AnOlderSlotHalfOverwrittenDoesNotMatter()
    {
        Commit(1, 2);
        Overwrite(SlotOf(1), slot => slot[20..].Fill(0x5A));

        using var slots = Open();
        Assert.Equal([2L], slots.ListCommits());
    }

    [Fact]
    public void GarbageInASlotIsCorruption()
    {
        Commit(1, 2);
        Overwrite(SlotOf(2), slot => slot.Fill(0xFF));

        var error = Assert.Throws<CorruptionException>(Open);
        Assert.Equal(SlotFile, error.File);
    }

    [Fact]
    public void ANewFileHasNoCommits()
    {
        using var slots = Open();
        Assert.Empty(slots.ListCommits());
        Assert.Equal(2 * CommitSlots.SlotSize, new FileInfo(SlotFile).Length);
    }

    [Fact]
    public void MetadataLargerThanASlotIsRefused()
    {
        using var slots = Open();
        Assert.Throws<IOException>(() => slots.Commit(0, 1, new byte[CommitSlots.MaxBody + 1], 1, false));
        Assert.Empty(slots.ListCommits());
    }

    [Fact]
    public async Task ALogWithPerCommitFilesRecoversFromThemAndItsFirstCommitReplacesThem()
    {
        var options = new StorageOptions { DataDirectory = _directory.Path, Durability = LogDurability.Synced };
        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            await engine.PutAsync("kept"u8.ToArray(), "v1"u8.ToArray());
        }

        // Rewrite the newest commit as the per-commit file FasterLog's own manager keeps, and drop the slots.
        var logDirectory = Path.Combine(_directory.Path, "log");
        var slotFile = Path.Combine(logDirectory, CommitSlots.FileName);
        long number;
        byte[] body;
        using (var slots = new CommitSlots(logDirectory, null, null))
        {
            number = slots.ListCommits().First();
            body = slots.GetCommitMetadata(number);
        }

        using (var legacy = new DeviceLogCommitCheckpointManager(new LocalStorageNamedDeviceFactory(), new DefaultCheckpointNamingScheme(logDirectory), removeOutdated: true))
        {
            legacy.Commit(0, 0, body, number, false);
        }

        File.Delete(slotFile);
        var legacyDirectory = Path.Combine(logDirectory, "log-commits");
        Assert.NotEmpty(Directory.GetFiles(legacyDirectory));

        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            Assert.True(engine.TryGet("kept"u8.ToArray(), out var kept));
            Assert.Equal("v1"u8.ToArray(), kept);
            await engine.PutAsync("added"u8.ToArray(), "v2"u8.ToArray());
        }

        Assert.False(Directory.Exists(legacyDirectory));
        await using (var engine = await StorageEngine.OpenAsync(options))
        {
            Assert.True(engine.TryGet("kept"u8.ToArray(), out _));
            Assert.True(engine.TryGet("added"u8.ToArray(), out _));
        }
    }

    public void Dispose() => _directory.Dispose();
}
