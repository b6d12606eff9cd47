// Parsers of option values that report a bad value as a parse error naming the option (so a bad value is a usage
// error, exit code 2, like an unknown option).

using System.CommandLine.Parsing;
using System.Globalization;

namespace GrainKV.Cli.CommandLine;

/// <summary>Custom parsers for <see cref="System.CommandLine.Option{T}"/> values.</summary>
internal static class OptionValues
{
    /// <summary>The option's single value as text.</summary>
    public static string Text(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    /// <summary>The name of the option being parsed, e.g. "--ttl".</summary>
    public static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;

    /// <summary>A whole number of at least <paramref name="minimum"/>; otherwise an error saying the option takes
    /// <paramref name="what"/>.</summary>
    public static int? Integer(ArgumentResult result, int minimum, string what)
    {
        var text = Text(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        result.AddError($"{OptionName(result)} takes {what}, not '{text}'.");
        return null;
    }

    /// <summary>Reports <paramref name="message"/> as the option's error (prefixed by its name); returns null.</summary>
    public static T? Error<T>(ArgumentResult result, string message)
    {
        result.AddError($"{OptionName(result)} {message}");
        return default;
    }
}
