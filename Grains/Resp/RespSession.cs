// The state one RESP connection carries between its commands: who it is, whether it authenticated, the
// protocol version its replies use, its consistency (GRAINKV.CONSISTENCY), and whether it asked to be closed.

namespace GrainKV.Grains.Resp;

/// <summary>Per-connection state.</summary>
public sealed class RespSession(long id, string remote, bool authenticated, RespReplyWriter reply)
{
    public long Id { get; } = id;

    /// <summary>The client's address, for CLIENT INFO and logs.</summary>
    public string Remote { get; } = remote;

    /// <summary>False until AUTH succeeds when a password is configured.</summary>
    public bool Authenticated { get; set; } = authenticated;

    /// <summary>Set by CLIENT SETNAME or HELLO ... SETNAME.</summary>
    public string? Name { get; set; }

    /// <summary>Set by QUIT: the connection closes after the reply.</summary>
    public bool Closing { get; set; }

    public RespReplyWriter Reply { get; } = reply;

    /// <summary>The consistency of this connection's reads (unset fields: the cluster's defaults).</summary>
    public ReadOptions Reads { get; set; } = ReadOptions.Default;

    /// <summary>The consistency of this connection's writes and deletes (unset fields: the cluster's defaults).</summary>
    public WriteOptions Writes { get; set; } = WriteOptions.Default;
}
