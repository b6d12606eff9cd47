// Durations on the command line: a number and a unit, e.g. 30s, 500ms, 15m, 2h, 7d (a bare number is seconds).

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GrainKV.Cli.CommandLine;

/// <summary>Parses the durations grainkv takes (--ttl).</summary>
public static class DurationText
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
        [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

    /// <summary>The duration <paramref name="text"/> denotes: a positive number with an optional unit (ms, s, m, h,
    /// d), at most <see cref="KeyLimits.MaxTimeToLive"/>. Otherwise false and <paramref name="error"/> says what
    /// <paramref name="option"/> takes.</summary>
    public static bool TryParse(string text, string option, out TimeSpan duration, [NotNullWhen(false)] out string? error)
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
            duration = default;
            error = $"{option} takes a positive duration of at most {KeyLimits.MaxTimeToLive.TotalDays:0} days such as 30s, 500ms, 15m, 2h or 7d; not '{text}'.";
            return false;
        }

        duration = TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(value * unit)));
        error = null;
        return true;
    }
}
