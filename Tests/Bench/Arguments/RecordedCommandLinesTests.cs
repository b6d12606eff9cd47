// Every benchmark command line written in the documentation (docs/*.md, README.md, scripts/*.sh) parses
// without an error, so recorded results can be re-run as written. The lines are read from the files
// themselves; the few placeholders the prose uses (a path, a rate "R") are given concrete values first.

using System.CommandLine;
using System.Text.RegularExpressions;
using GrainKV.Bench.Arguments;
using GrainKV.Bench.Engine;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Bench.Arguments;

public sealed partial class RecordedCommandLinesTests
{
    /// <summary>Placeholders in the documented command lines and what each stands for.</summary>
    private static readonly (string Placeholder, string Value)[] Placeholders =
    [
        ("grainkv|rocksdb ...", "grainkv"),
        ("<old or new GrainKV.Silo.dll>", "old/GrainKV.Silo.dll"),
        ("[--silo-dll …]", "--silo-dll old/GrainKV.Silo.dll"),
        ("--rate R ", "--rate 5000 "),
        ("\"$@\"", ""),
    ];

    public static TheoryData<string, int, string> CommandLines()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (file, line, arguments) in Recorded())
        {
            data.Add(file, line, arguments);
        }

        return data;
    }

    [Fact]
    public void The_documentation_records_command_lines_of_every_command()
    {
        var recorded = Recorded().Select(r => r.Arguments).ToList();
        Assert.True(recorded.Count >= 30, $"only {recorded.Count} command lines found: the extraction no longer matches the documents");
        foreach (var command in new[] { "engine-compare", "engine", "cluster", "kill", "repair", "bootstrap" })
        {
            Assert.Contains(recorded, r => r.Split(' ')[0] == command);
        }
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_recorded_command_line_parses(string file, int line, string arguments)
    {
        var parse = BenchCommandLine.Create().Parse(Tokens(arguments));

        Assert.True(parse.Errors.Count == 0, $"{file}:{line} `{arguments}`: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        Assert.NotNull(parse.Action);
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void The_children_of_a_recorded_engine_compare_parse_as_engine(string file, int line, string arguments)
    {
        var parse = BenchCommandLine.Create().Parse(Tokens(arguments));
        if (parse.CommandResult.Command.Name != "engine-compare" || arguments.Contains("--help", StringComparison.Ordinal))
        {
            return;
        }

        var child = EngineCompareCommand.ChildArguments("rocksdb", 100, 2, "out/raw/rocksdb-100-r2.json", EngineCompareCommand.ArgumentsOf(parse)).ToList();
        var childParse = BenchCommandLine.Create().Parse(child);

        Assert.True(childParse.Errors.Count == 0, $"{file}:{line} child `{string.Join(' ', child)}`: {string.Join("; ", childParse.Errors.Select(e => e.Message))}");
        Assert.Equal("engine", childParse.CommandResult.Command.Name);
    }

    private static string[] Tokens(string arguments) => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Each "GrainKV.Bench[.dll] ..." in the documents: what follows, to the end of the inline code span,
    /// the comment or the line (a line ending in a backslash continues on the next).</summary>
    private static IEnumerable<(string File, int Line, string Arguments)> Recorded()
    {
        var root = RepositoryPaths.Root;
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Append(Path.Combine(root, "README.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "scripts"), "*.sh"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match match in BenchInvocation().Matches(lines[i]))
                {
                    var rest = match.Groups["rest"].Value;
                    for (var next = i + 1; rest.TrimEnd().EndsWith('\\') && !rest.Contains('`', StringComparison.Ordinal) && next < lines.Length; next++)
                    {
                        rest = rest.TrimEnd()[..^1] + " " + lines[next];
                    }

                    rest = rest.Split('`')[0].Split(" #")[0];
                    foreach (var (placeholder, value) in Placeholders)
                    {
                        rest = rest.Replace(placeholder, value, StringComparison.Ordinal);
                    }

                    yield return (Path.GetRelativePath(root, file), i + 1, string.Join(' ', Tokens(rest)));
                }
            }
        }
    }

    [GeneratedRegex(@"GrainKV\.Bench(?:\.dll)?[ \t]+(?<rest>.*)")]
    private static partial Regex BenchInvocation();
}
