// What the status tables share: a table styled for where it goes (a header rule, bold headings and colour on a
// terminal, whose cells wrap when the terminal is narrower than the table; no border and no escapes when the
// output is redirected, so each row is one line of whitespace-separated columns), and cells that are plain text
// (node ids and addresses are never read as Spectre markup).

using Spectre.Console;
using Spectre.Console.Rendering;

namespace GrainKV.Cli.Status;

/// <summary>Builds the tables of grainkv status.</summary>
internal static class ReportTables
{
    /// <summary>A table with <paramref name="columns"/>; a column whose name starts with '&gt;' is right-aligned.</summary>
    public static Table Create(IAnsiConsole console, params string[] columns)
    {
        var table = new Table { Border = console.Profile.Capabilities.Ansi ? TableBorder.Simple : TableBorder.None };
        foreach (var column in columns)
        {
            var right = column.StartsWith('>');
            var header = new TableColumn(new Text(right ? column[1..] : column, new Style(decoration: Decoration.Bold)));
            table.AddColumn(right ? header.RightAligned() : header);
        }

        return table;
    }

    /// <summary>A cell of plain text; empty text shows as '-' so that every column of a plain row has a word.</summary>
    public static IRenderable Cell(string text, Color? color = null) =>
        new Text(text.Length == 0 ? "-" : text, color is { } c ? new Style(foreground: c) : Style.Plain);

    public static IRenderable Cell(long number) => new Text(number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A line of plain text.</summary>
    public static void Line(IAnsiConsole console, string text) => console.Write(new Text(text + "\n"));
}
