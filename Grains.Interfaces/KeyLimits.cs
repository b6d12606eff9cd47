// Size limits of keys and values (R1), checked by the client before sending and by the silo on receipt.

namespace GrainKV;

/// <summary>The limits every key-value pair must satisfy.</summary>
public static class KeyLimits
{
    /// <summary>Longest key, in bytes.</summary>
    public const int MaxKeySize = 1024;

    /// <summary>Default upper bound of key + value, in bytes (10 KiB).</summary>
    public const int DefaultMaxEntrySize = 10 * 1024;

    /// <summary>Throws <see cref="InvalidKeyException"/> if <paramref name="key"/> is empty or longer than <see cref="MaxKeySize"/>.</summary>
    public static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new InvalidKeyException("Keys must not be empty.");
        }

        if (key.Length > MaxKeySize)
        {
            throw new InvalidKeyException($"Key of {key.Length} bytes exceeds the limit of {MaxKeySize} bytes.");
        }
    }

    /// <summary>Checks the key, then throws <see cref="ValueTooLargeException"/> if key + value exceed <paramref name="maxEntrySize"/>.</summary>
    public static void CheckEntry(ReadOnlySpan<byte> key, int valueLength, int maxEntrySize)
    {
        CheckKey(key);
        var size = (long)key.Length + valueLength;
        if (size > maxEntrySize)
        {
            throw new ValueTooLargeException(
                $"Key and value of {size} bytes exceed the limit of {maxEntrySize} bytes; nothing was stored.",
                size,
                maxEntrySize);
        }
    }

    /// <summary>Longest time to live a write may carry (100 years).</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(36_500);

    /// <summary>Throws <see cref="InvalidRequestException"/> unless <paramref name="timeToLive"/> is at least 1 ms and at most
    /// <see cref="MaxTimeToLive"/>.</summary>
    public static void CheckTimeToLive(TimeSpan timeToLive)
    {
        if (timeToLive < TimeSpan.FromMilliseconds(1) || timeToLive > MaxTimeToLive)
        {
            throw new InvalidRequestException(
                $"A time to live must be between 1 ms and {MaxTimeToLive.TotalDays:0} days, not {timeToLive}; nothing was stored.");
        }
    }
}
