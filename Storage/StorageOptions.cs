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

        if (MaxValueSize <= 0 || MaxValueSize > (1 << LogPageSizeBits) - MaxKeySizeLimit - 64)
        {
            throw new ArgumentException(
                $"MaxValueSize must be positive and leave room for a key within one log page ({1 << LogPageSizeBits} bytes).",
                nameof(MaxValueSize));
        }
    }
}
