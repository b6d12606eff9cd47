// Options of one storage engine instance: where it lives, how durable its log is, and its limits. The rules are
// data annotations on the properties plus the cross-field rules of Validate(ValidationContext), checked by the
// generated StorageOptionsValidator (see docs/STORAGE.md "Options").

using System.ComponentModel.DataAnnotations;
using GrainKV.Shared;
using Microsoft.Extensions.Options;

namespace GrainKV.Storage;

/// <summary>How the commit log makes a write durable before the write is acknowledged.</summary>
public enum LogDurability
{
    /// <summary>Every write waits for a group commit of the log to the device before it returns.</summary>
    Synced,

    /// <summary>Writes return once buffered; the log is committed every <see cref="StorageOptions.CommitInterval"/>.
    /// A process crash may lose the writes of the last interval.</summary>
    Buffered,
}

/// <summary>Configuration of a <see cref="StorageEngine"/>.</summary>
public sealed class StorageOptions : IValidatableObject
{
    /// <summary>Largest key the engine accepts.</summary>
    public const int MaxKeySizeLimit = 64 * 1024;

    /// <summary>Default <see cref="MemTableSize"/>: 32 MiB.</summary>
    public const long DefaultMemTableSize = 32L * 1024 * 1024;

    /// <summary>Default <see cref="BlockCacheSize"/>: 64 MiB.</summary>
    public const long DefaultBlockCacheSize = 64L * 1024 * 1024;

    /// <summary>Default <see cref="BackgroundNice"/>: 10.</summary>
    public const int DefaultBackgroundNice = 10;

    /// <summary>Default <see cref="CommitSpacing"/>: 2 ms.</summary>
    public static readonly TimeSpan DefaultCommitSpacing = TimeSpan.FromMilliseconds(2);

    /// <summary>Bytes of a log page kept free of the value for the key and the entry's header.</summary>
    private const int LogPageReserve = 1024;

    /// <summary>Directory holding the commit log, tables and manifest. One engine per directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Durability of acknowledged writes.</summary>
    public LogDurability Durability { get; set; } = LogDurability.Synced;

    /// <summary>Commit period of the log when <see cref="Durability"/> is <see cref="LogDurability.Buffered"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>With <see cref="LogDurability.Buffered"/>, the least time between the starts of two commits of the log
    /// (a longer one than <see cref="CommitInterval"/> counts as that), or twice as long as the last commit took if that
    /// is less. A reader waiting for a write to become durable asks for a commit before the periodic one; a request
    /// within this time of the last commit's start waits for the rest of it, but never longer than that commit took
    /// (in whole milliseconds, rounded down), so the readers of keys written at a high rate share commits instead of
    /// running them back to back (each a log write and an fsync), while after a quick commit a reader waits for about
    /// one commit, not for the spacing. Zero commits at once. <see cref="LogDurability.Synced"/> writes never wait for
    /// it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CommitSpacing { get; set; } = DefaultCommitSpacing;

    /// <summary>Largest value the engine accepts (the commit log refuses entries larger than one page).</summary>
    [Range(1, int.MaxValue)]
    public int MaxValueSize { get; set; } = 1024 * 1024;

    /// <summary>Log page size in bits (22 = 4 MiB). An entry must fit in one page.</summary>
    [Range(12, 28)]
    public int LogPageSizeBits { get; set; } = 22;

    /// <summary>Removed segments of the commit log kept for the log's next new segments (each 8 log pages: 32 MiB at the
    /// default page size), so that a commit overwrites blocks already written instead of extending a file; 0 deletes
    /// removed segments.</summary>
    [Range(0, 64)]
    public int LogSpareSegments { get; set; } = 2;

    /// <summary>Size at which the active memtable becomes immutable and is flushed to a table.</summary>
    [Range(typeof(long), "4096", "9223372036854775807")]
    public long MemTableSize { get; set; } = DefaultMemTableSize;

    /// <summary>Immutable memtables allowed to wait for flushing before writers are slowed down.</summary>
    [Range(1, int.MaxValue)]
    public int MaxImmutableMemTables { get; set; } = 2;

    /// <summary>Target size of an uncompressed data block.</summary>
    [Range(256, int.MaxValue)]
    public int BlockSize { get; set; } = 4096;

    /// <summary>Bloom filter bits per key (10 gives about 1% false positives).</summary>
    [Range(1, 40)]
    public int BloomBitsPerKey { get; set; } = 10;

    /// <summary>Compress data blocks with LZ4 when it saves space.</summary>
    public bool Compression { get; set; } = true;

    /// <summary>How much lower than requests the flush and compaction threads run on Linux: added to their nice value
    /// (up to 19); 0 runs them at the process's own priority. While requests keep the cores busy, background work gets
    /// what they leave (see BackgroundThread).</summary>
    [Range(0, 19)]
    public int BackgroundNice { get; set; } = DefaultBackgroundNice;

    /// <summary>Memory budget of the block cache.</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long BlockCacheSize { get; set; } = DefaultBlockCacheSize;

    /// <summary>The most the memtables (the active one and <see cref="MaxImmutableMemTables"/> waiting to flush) and the
    /// block cache may hold together. The engine's heap is larger: compaction buffers, the log's pages and the tables'
    /// indexes and filters come on top.</summary>
    public long MemTableAndCacheBytes => (1 + MaxImmutableMemTables) * MemTableSize + BlockCacheSize;

    /// <summary>Minimum number of similar-sized tables merged by one compaction.</summary>
    [Range(2, int.MaxValue)]
    public int CompactionTrigger { get; set; } = 4;

    /// <summary>Table count at which a compaction is forced even without a size-tiered run (at least
    /// <see cref="CompactionTrigger"/>).</summary>
    public int MaxTables { get; set; } = 12;

    /// <summary>Table count at which writers are slowed until compaction catches up (more than <see cref="MaxTables"/>).</summary>
    public int StallTables { get; set; } = 24;

    /// <summary>Decides whether a tombstone may be dropped when a compaction reaches the oldest table. Null keeps every
    /// tombstone (the silo allows every purge: it writes an engine delete only for a key nothing may bring back). The key
    /// is a slice of a compaction's buffer, valid only during the call.</summary>
    public Func<ReadOnlyMemory<byte>, bool>? CanPurgeTombstone { get; set; }

    /// <summary>Rewrites values while compaction copies them (see <see cref="Compaction.CompactionRewrite"/>); null copies
    /// every value as it is. With a rewrite set, a full compaction (<see cref="StorageEngine.CompactAsync"/>) rewrites a
    /// single table too, so that its values are reached.</summary>
    public Compaction.CompactionRewrite? CompactionRewrite { get; set; }

    /// <summary>File operations of the table and manifest writers (a fault-injecting one in tests).</summary>
    public IO.IFileSystem FileSystem { get; set; } = IO.LocalFileSystem.Instance;

    /// <summary>Tests only: called at each named point of flush and compaction (<see cref="CrashPoints"/>); a test
    /// throws from it to simulate a crash at that point.</summary>
    internal Action<string>? CrashPointHook { get; set; }

    /// <summary>Tests only: wraps the commit log's FASTER device (to inject device failures).</summary>
    internal Func<FASTER.core.IDevice, FASTER.core.IDevice>? LogDeviceWrapper { get; set; }

    /// <summary>Checks every rule; throws <see cref="OptionsValidationException"/> listing each broken one.</summary>
    public void Validate() => new StorageOptionsValidator().ThrowIfInvalid(this);

    /// <summary>The rules that relate two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var pageSize = 1L << Math.Clamp(LogPageSizeBits, 0, 62);
        if (MaxValueSize > pageSize - LogPageReserve)
        {
            yield return new ValidationResult(
                $"MaxValueSize ({MaxValueSize}) must leave room for a key within one log page ({pageSize} bytes, LogPageSizeBits {LogPageSizeBits}): at most {pageSize - LogPageReserve}.",
                [nameof(MaxValueSize)]);
        }

        if (MaxTables < CompactionTrigger)
        {
            yield return new ValidationResult(
                $"MaxTables ({MaxTables}) must be at least CompactionTrigger ({CompactionTrigger}).", [nameof(MaxTables)]);
        }

        if (StallTables <= MaxTables)
        {
            yield return new ValidationResult(
                $"StallTables ({StallTables}) must be more than MaxTables ({MaxTables}).", [nameof(StallTables)]);
        }
    }
}

/// <summary>Checks <see cref="StorageOptions"/>: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
