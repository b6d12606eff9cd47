// Factories for the benchmark's command-line options (System.CommandLine): each option is declared once with
// its name, default, help text and validation. Numbers are invariant-culture and may be grouped with '_'
// (1_000_000); lists are comma-separated in one argument (--value-sizes 1024,100). A bad value is a parse
// error naming the option, so a run never starts on a value it cannot use.

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GrainKV.Bench.Arguments;

internal static class BenchOption
{
    /// <summary>A switch: present or not.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>A whole number of at least <paramref name="minimum"/>, with a fixed default.</summary>
    public static Option<int> Int(string name, int defaultValue, string description, int minimum = 1) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => checked((int)ParseWhole(result, name, minimum, int.MaxValue)),
        };

    /// <summary>A whole number of at least <paramref name="minimum"/>, with a fixed default.</summary>
    public static Option<long> Long(string name, long defaultValue, string description, long minimum = 1, long maximum = long.MaxValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseWhole(result, name, minimum, maximum),
        };

    /// <summary>A whole number whose default depends on other options (null when not given).</summary>
    public static Option<long?> OptionalLong(string name, string description, long minimum = 1, long maximum = long.MaxValue) =>
        new(name)
        {
            Description = description,
            CustomParser = result => ParseWhole(result, name, minimum, maximum),
        };

    /// <summary>A number (fractions allowed) in (<paramref name="exclusiveMinimum"/>, <paramref name="maximum"/>].</summary>
    public static Option<double> Double(string name, double defaultValue, string description, double exclusiveMinimum, double maximum) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = Single(result);
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                {
                    result.AddError($"{name}: '{text}' is not a number.");
                    return defaultValue;
                }

                if (value <= exclusiveMinimum || value > maximum)
                {
                    result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be in ({exclusiveMinimum}, {maximum}], not {text}."));
                }

                return value;
            },
        };

    /// <summary>Free text (a path, a name) with a fixed default.</summary>
    public static Option<string> Text(string name, string defaultValue, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>Free text without a default (null when not given).</summary>
    public static Option<string?> OptionalText(string name, string description) =>
        new(name) { Description = description };

    /// <summary>One of <paramref name="allowed"/> (compared ignoring case; the value is returned as declared).</summary>
    public static Option<string> Choice(string name, string defaultValue, string description, params string[] allowed) =>
        new(name)
        {
            Description = description,
            HelpName = string.Join('|', allowed),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Pick(result, name, Single(result), allowed) ?? defaultValue,
        };

    /// <summary>One of <paramref name="allowed"/> (ignoring case) or null when not given.</summary>
    public static Option<string?> OptionalChoice(string name, string description, params string[] allowed) =>
        new(name)
        {
            Description = description,
            HelpName = string.Join('|', allowed),
            CustomParser = result => Pick(result, name, Single(result), allowed),
        };

    /// <summary>A comma-separated list of names, each one of <paramref name="allowed"/>.</summary>
    public static ListOption<string> Names(string name, IReadOnlyList<string> defaultValue, string description, IReadOnlyList<string> allowed) =>
        List(name, defaultValue, description, item => allowed.FirstOrDefault(a => a.Equals(item, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"'{item}' is not one of {string.Join(", ", allowed)}."));

    /// <summary>A comma-separated list of items, each converted by <paramref name="parse"/> (which throws <see cref="ArgumentException"/> or <see cref="FormatException"/> on a bad item).</summary>
    public static ListOption<T> List<T>(string name, IReadOnlyList<T> defaultValue, string description, Func<string, T> parse, string? defaultDisplay = null) =>
        new(name, defaultValue)
        {
            Description = $"{description} [default: {defaultDisplay ?? string.Join(',', defaultValue)}]",
            HelpName = "LIST",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result =>
            {
                var parsed = new List<T>();
                foreach (var item in Split(result, name))
                {
                    try
                    {
                        parsed.Add(parse(item));
                    }
                    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
                    {
                        result.AddError(Named(name, ex.Message));
                    }
                }

                return parsed;
            },
        };

    /// <summary>A comma-separated list of whole numbers, each at least <paramref name="minimum"/>.</summary>
    public static ListOption<int> IntList(string name, IReadOnlyList<int> defaultValue, string description, int minimum = 1, string? defaultDisplay = null) =>
        List(name, defaultValue, description, item => (int)Whole(item, name, minimum, int.MaxValue), defaultDisplay);

    /// <summary>Parses an invariant whole number that may contain '_' separators; throws <see cref="FormatException"/> with a message naming the option.</summary>
    public static long Whole(string text, string name, long minimum, long maximum)
    {
        if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"{name}: '{text}' is not a whole number.");
        }

        if (value < minimum)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {minimum}, not {text}."));
        }

        if (value > maximum)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} must be at most {maximum}, not {text}."));
        }

        return value;
    }

    private static long ParseWhole(ArgumentResult result, string name, long minimum, long maximum)
    {
        var text = Single(result);
        try
        {
            return Whole(text, name, minimum, maximum);
        }
        catch (FormatException ex)
        {
            result.AddError(ex.Message);
            return minimum;
        }
    }

    private static string Named(string name, string message) => message.StartsWith(name, StringComparison.Ordinal) ? message : $"{name}: {message}";

    private static string Single(ArgumentResult result) => result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;

    private static string[] Split(ArgumentResult result, string name)
    {
        var items = Single(result).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            result.AddError($"{name} needs at least one item.");
        }

        return items;
    }

    private static string? Pick(ArgumentResult result, string name, string value, IReadOnlyList<string> allowed)
    {
        var match = allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            result.AddError($"{name}: '{value}' is not one of {string.Join(", ", allowed)}.");
        }

        return match;
    }
}

/// <summary>
/// A comma-separated list option. Its default is kept here rather than in a default value factory, so that help
/// shows it as the comma-separated text one would type; <see cref="ValueOf"/> gives the value given or the default.
/// </summary>
internal sealed class ListOption<T>(string name, IReadOnlyList<T> defaultValue) : Option<IReadOnlyList<T>>(name)
{
    public IReadOnlyList<T> Default { get; } = defaultValue;

    public IReadOnlyList<T> ValueOf(ParseResult parse) => parse.GetValue(this) ?? Default;
}
