// Durations on the command line: a number and a unit, e.g. 30s, 500ms, 15m, 2h, 7d (a bare number is seconds).

using System.Globalization;

namespace GrainKV.Cli;

/// <summary>Parses the durations grainkv takes (--ttl).</summary>
public static class DurationText
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
        [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

    /// <summary>The duration <paramref name="text"/> denotes; throws <see cref="UsageException"/> if it is not a positive
    /// number with an optional unit (ms, s, m, h, d).</summary>
    public static TimeSpan Parse(string text, string option)
    {
        var trimmed = text.Trim();
        var (number, unit) = (trimmed, 1_000.0);
        foreach (var (suffix, milliseconds) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && !(suffix == "s" && trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase)))
            {
                (number, unit) = (trimmed[..^suffix.Length], milliseconds);
                break;
            }
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0
            || value * unit > KeyLimits.MaxTimeToLive.TotalMilliseconds)
        {
            throw new UsageException(
                $"{option} takes a positive duration of at most {KeyLimits.MaxTimeToLive.TotalDays:0} days such as 30s, 500ms, 15m, 2h or 7d; not '{text}'.");
        }

        return TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(value * unit)));
    }
}
