// One command as read off the wire: its arguments (the command name first), or the reason it was refused
// while being read (too many arguments, a bulk string over the limit). A refused frame has been read to its end,
// so the connection stays in step, but none of its arguments were kept.

namespace GrainKV.Grains.Resp;

/// <summary>A command frame: <see cref="Arguments"/>, or <see cref="Rejection"/> when it was refused while being read.</summary>
public readonly record struct RespFrame(IReadOnlyList<byte[]> Arguments, string? Rejection);

/// <summary>What <see cref="RespFrameParser.TryParse"/> found.</summary>
public enum RespParseStatus
{
    /// <summary>A whole frame was read.</summary>
    Frame,

    /// <summary>The buffer ends inside a frame; what was read so far is consumed and remembered.</summary>
    NeedMore,

    /// <summary>The bytes are not RESP; the connection must answer the error and close.</summary>
    ProtocolError,
}
