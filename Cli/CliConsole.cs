// The standard streams grainkv uses, behind one object so that commands can be run in-process with captured
// output: raw bytes for values (stdout, stdin), text for messages (stderr) and help, and a Spectre.Console
// console for tables. When standard output is not a terminal the tables are plain text: no ANSI escapes, no
// colours, no borders, and no wrapping at 80 columns, so scripts can read them.

using Spectre.Console;

namespace GrainKV.Cli;

/// <summary>grainkv's standard streams.</summary>
public sealed class CliConsole
{
    /// <summary>Width given to tables written to something that is not a terminal (they take only what they need).</summary>
    public const int PlainWidth = 1_000;

    public CliConsole(TextWriter output, TextWriter error, Func<Stream> openOutput, Func<Stream> openInput, bool outputIsTerminal)
    {
        Output = output;
        Error = error;
        OpenOutput = openOutput;
        OpenInput = openInput;
        OutputIsTerminal = outputIsTerminal;
        Tables = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = outputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = outputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = outputIsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!outputIsTerminal)
        {
            Tables.Profile.Width = PlainWidth;
        }
    }

    /// <summary>Standard output as text (help, tables).</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: messages, contexts, expiry times.</summary>
    public TextWriter Error { get; }

    /// <summary>Opens standard output for raw bytes (values).</summary>
    public Func<Stream> OpenOutput { get; }

    /// <summary>Opens standard input (put KEY -).</summary>
    public Func<Stream> OpenInput { get; }

    /// <summary>True when standard output is a terminal: a single value then gets a newline, tables get borders and colour.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Writes tables and status lines to <see cref="Output"/>.</summary>
    public IAnsiConsole Tables { get; }

    /// <summary>The process's own streams.</summary>
    public static CliConsole FromProcess() =>
        new(Console.Out, Console.Error, Console.OpenStandardOutput, Console.OpenStandardInput, !Console.IsOutputRedirected);
}
