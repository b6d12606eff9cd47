// How many replicas must answer a request: a number, or ONE / QUORUM / ALL relative to N.

using System.Globalization;

namespace GrainKV;

/// <summary>The kind of an <see cref="Acks"/> requirement.</summary>
public enum AckLevel
{
    One = 1,
    Quorum = 2,
    All = 3,
    Count = 4,
}

/// <summary>A required number of replica answers (W for writes, R for reads).</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.Acks")]
public readonly record struct Acks([property: Id(0)] AckLevel Level, [property: Id(1)] int Count)
{
    public static Acks One => new(AckLevel.One, 0);

    public static Acks Quorum => new(AckLevel.Quorum, 0);

    public static Acks All => new(AckLevel.All, 0);

    /// <summary>Exactly <paramref name="count"/> answers.</summary>
    public static Acks Of(int count) => count >= 1 ? new(AckLevel.Count, count) : throw new ArgumentOutOfRangeException(nameof(count), "At least one answer is required.");

    /// <summary>The number of answers this requirement means for <paramref name="replicas"/> replicas.</summary>
    public int Resolve(int replicas) => Level switch
    {
        AckLevel.One => 1,
        AckLevel.Quorum => replicas / 2 + 1,
        AckLevel.All => replicas,
        _ => Count,
    };

    /// <summary>Parses "one", "quorum", "all" (any case) or a positive number.</summary>
    public static Acks Parse(string text) => text.ToUpperInvariant() switch
    {
        "ONE" => One,
        "QUORUM" => Quorum,
        "ALL" => All,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 => Of(n),
        _ => throw new FormatException($"'{text}' is not ONE, QUORUM, ALL or a positive number."),
    };

    public override string ToString() => Level == AckLevel.Count ? Count.ToString(CultureInfo.InvariantCulture) : Level.ToString().ToUpperInvariant();
}
