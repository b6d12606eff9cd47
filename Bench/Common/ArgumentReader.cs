// A small command-line reader: "--name value" options and "--flag" switches, every one declared by the
// code that reads it; anything left unread is an error, so a typo never silently runs the defaults.

using System.Globalization;

namespace GrainKV.Bench.Common;

internal sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ArgumentReader(IEnumerable<string> args)
    {
        Arguments = [.. args];
        string? pending = null;
        foreach (var arg in Arguments)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }
        }

        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    /// <summary>The arguments as given (a parent passes them on to its children).</summary>
    public IReadOnlyList<string> Arguments { get; }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public string String(string name, string fallback)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return value ?? throw new ArgumentException($"--{name} needs a value.");
    }

    public long Long(string name, long fallback) =>
        long.Parse(String(name, fallback.ToString(CultureInfo.InvariantCulture)).Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public IReadOnlyList<string> List(string name, string fallback) =>
        String(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws if an option was given that no code read.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
