// Runs the grainkv command line in-process: captured standard output and error, a chosen environment, and a
// connector that records whether a connection was attempted (and fails it in a chosen way). The test namespace is
// CliTool because `Cli` is the process helper of Tests/Infrastructure.

extern alias grainkv;

using System.CommandLine;
using grainkv::GrainKV.Cli;
using grainkv::GrainKV.Cli.CommandLine;
using GrainKV.Client;

namespace GrainKV.Tests.CliTool;

public sealed class CliHarness
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public CliHarness(IReadOnlyDictionary<string, string>? environment = null, Exception? connectFailure = null)
    {
        Environment = environment ?? new Dictionary<string, string>();
        ConnectFailure = connectFailure ?? new ClusterUnavailableException("no cluster in this test", new IOException("refused"));
        Console = new CliConsole(_output, _error, () => new MemoryStream(), () => new MemoryStream(), outputIsTerminal: false);
        CommandLine = new GrainKvCommandLine(Console, ConnectAsync, Lookup);
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public Exception ConnectFailure { get; }

    public CliConsole Console { get; }

    public GrainKvCommandLine CommandLine { get; }

    /// <summary>The options of the connection attempts made, in order.</summary>
    public List<GrainKvClientOptions> Connections { get; } = [];

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    /// <summary>Parses <paramref name="args"/> and asserts that the parse has no error.</summary>
    public ParseResult Parse(params string[] args)
    {
        var result = CommandLine.Parse(args);
        Assert.True(result.Errors.Count == 0, string.Join(" ", result.Errors.Select(e => e.Message)));
        return result;
    }

    /// <summary>Runs <paramref name="args"/> as the program does; returns the exit code.</summary>
    public Task<int> RunAsync(params string[] args) =>
        GrainKvCli.RunAsync(args, Console, ConnectAsync, Lookup, CancellationToken.None);

    private string? Lookup(string name) => Environment.GetValueOrDefault(name);

    private Task<GrainKvClient> ConnectAsync(GrainKvClientOptions options, CancellationToken cancellationToken)
    {
        Connections.Add(options);
        return Task.FromException<GrainKvClient>(ConnectFailure);
    }
}
