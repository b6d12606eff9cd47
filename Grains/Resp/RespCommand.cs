// A command the gateway knows: its name, Redis-style arity and key positions (what COMMAND reports), its
// group and summary (what COMMAND DOCS reports), and its handler.

using System.Text;
using GrainKV.Versioning;

namespace GrainKV.Grains.Resp;

/// <summary>Runs one command; writes exactly one reply through <see cref="RespCall.Reply"/>.</summary>
public delegate ValueTask RespHandler(RespCall call);

/// <summary>One command of the gateway. <see cref="Arity"/> counts the name: n means exactly n arguments,
/// -n at least n (Redis' convention).</summary>
public sealed record RespCommand(
    string Name, int Arity, string Group, string Summary, string[] Flags, int FirstKey, int LastKey, int Step, RespHandler Handler)
{
    /// <summary>Allowed before AUTH when a password is set.</summary>
    public bool NoAuth => Flags.Contains("no-auth");

    public bool AcceptsCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}

/// <summary>One command being run: the connection, its arguments (name first) and the gateway.</summary>
public sealed class RespCall(RespGateway gateway, RespSession session, IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken)
{
    public RespGateway Gateway { get; } = gateway;

    public RespSession Session { get; } = session;

    public IReadOnlyList<byte[]> Arguments { get; } = arguments;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public RespReplyWriter Reply => Session.Reply;

    public RespStore Store => Gateway.Store;

    /// <summary>Argument <paramref name="index"/> as text (UTF-8).</summary>
    public string Text(int index) => System.Text.Encoding.UTF8.GetString(Arguments[index]);

    /// <summary>True when argument <paramref name="index"/> is <paramref name="word"/>, ignoring ASCII case.</summary>
    public bool Is(int index, string word) => index < Arguments.Count && Ascii.EqualsIgnoreCase(Arguments[index], word);

    /// <summary>The standard reply to a wrong argument count.</summary>
    public void WrongArity() => Reply.Error($"ERR wrong number of arguments for '{Text(0).ToLowerInvariant()}' command");

    public void SyntaxError() => Reply.Error("ERR syntax error");

    /// <summary>Reads <paramref name="key"/> with the connection's consistency.</summary>
    public Task<ReadResult> ReadAsync(byte[] key) => Store.ReadAsync(key, Session.Reads, CancellationToken);

    /// <summary>Writes <paramref name="value"/> superseding <paramref name="context"/> with the connection's consistency,
    /// expiring after <paramref name="timeToLive"/> if given.</summary>
    public Task WriteAsync(byte[] key, byte[] value, CausalContext context, TimeSpan? timeToLive = null) =>
        Store.WriteAsync(key, value, context, Session.Writes with { TimeToLive = timeToLive }, CancellationToken);

    /// <summary>Writes <paramref name="value"/> over whatever a read of the key finds, with the connection's consistency,
    /// expiring after <paramref name="timeToLive"/> if given: a read and a write in one call to the coordinator.</summary>
    public Task OverwriteAsync(byte[] key, byte[] value, TimeSpan? timeToLive = null) =>
        Store.OverwriteAsync(key, value, Session.Reads, Session.Writes with { TimeToLive = timeToLive }, CancellationToken);

    /// <summary>Deletes what <paramref name="context"/> names, with the connection's consistency.</summary>
    public Task DeleteAsync(byte[] key, CausalContext context) => Store.DeleteAsync(key, context, Session.Writes, CancellationToken);
}
