// Options of one storage engine instance: where it lives, how durable its log is, and its limits.

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
public sealed class StorageOptions
{
    /// <summary>Largest key the engine accepts.</summary>
    public const int MaxKeySizeLimit = 64 * 1024;

    /// <summary>Directory holding the commit log, tables and manifest. One engine per directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Durability of acknowledged writes.</summary>
    public LogDurability Durability { get; set; } = LogDurability.Synced;

    /// <summary>Commit period of the log when <see cref="Durability"/> is <see cref="LogDurability.Buffered"/>.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Largest value the engine accepts (the commit log refuses entries larger than one page).</summary>
    public int MaxValueSize { get; set; } = 1024 * 1024;

    /// <summary>Log page size in bits (22 = 4 MiB). An entry must fit in one page.</summary>
    public int LogPageSizeBits { get; set; } = 22;

    /// <summary>Size at which the active memtable becomes immutable and is flushed to a table.</summary>
    public long MemTableSize { get; set; } = 32L * 1024 * 1024;

    /// <summary>Immutable memtables allowed to wait for flushing before writers are slowed down.</summary>
    public int MaxImmutableMemTables { get; set; } = 2;

    /// <summary>Target size of an uncompressed data block.</summary>
    public int BlockSize { get; set; } = 4096;

    /// <summary>Bloom filter bits per key (10 gives about 1% false positives).</summary>
    public int BloomBitsPerKey { get; set; } = 10;

    /// <summary>Compress data blocks with LZ4 when it saves space.</summary>
    public bool Compression { get; set; } = true;

    /// <summary>Memory budget of the block cache.</summary>
    public long BlockCacheSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Minimum number of similar-sized tables merged by one compaction.</summary>
    public int CompactionTrigger { get; set; } = 4;

    /// <summary>Table count at which a compaction is forced even without a size-tiered run.</summary>
    public int MaxTables { get; set; } = 12;

    /// <summary>Table count at which writers are slowed until compaction catches up.</summary>
    public int StallTables { get; set; } = 24;

    /// <summary>Decides whether a tombstone may be dropped when a compaction reaches the oldest table.
    /// Null keeps every tombstone. Nothing sets a policy yet: the cluster cannot tell yet that every replica holds a deletion.</summary>
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

    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("DataDirectory must be set.", nameof(DataDirectory));
        }

        if (CommitInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("CommitInterval must be positive.", nameof(CommitInterval));
        }

        if (LogPageSizeBits is < 12 or > 28)
        {
            throw new ArgumentException("LogPageSizeBits must be between 12 and 28.", nameof(LogPageSizeBits));
        }

        if (MaxValueSize <= 0 || MaxValueSize > (1 << LogPageSizeBits) - 1024)
        {
            throw new ArgumentException(
                $"MaxValueSize must be positive and leave room for a key within one log page ({1 << LogPageSizeBits} bytes).",
                nameof(MaxValueSize));
        }

        if (MemTableSize < 4096 || MaxImmutableMemTables < 1 || BlockSize < 256 || BloomBitsPerKey is < 1 or > 40 || BlockCacheSize < 0)
        {
            throw new ArgumentException("MemTableSize (>= 4 KiB), MaxImmutableMemTables (>= 1), BlockSize (>= 256), BloomBitsPerKey (1..40) and BlockCacheSize (>= 0) must be in range.");
        }

        if (CompactionTrigger < 2 || MaxTables < CompactionTrigger || StallTables <= MaxTables)
        {
            throw new ArgumentException("Need 2 <= CompactionTrigger <= MaxTables < StallTables.");
        }
    }
}
