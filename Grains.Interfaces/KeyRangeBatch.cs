// The messages of a batch of client requests (IKeyRangeGrain.Batch): a client's gets, puts, overwrites and deletes
// bound for one gateway, many per network message (the client's side of RequestBatcher). Each answer carries its own
// outcome, so one failing request fails only itself.

using GrainKV.Versioning;

namespace GrainKV;

/// <summary>Which request a <see cref="KeyRangeRequest"/> makes.</summary>
public enum KeyRangeRequestKind
{
    /// <summary><see cref="IKeyRangeGrain.Get"/>.</summary>
    Get,

    /// <summary><see cref="IKeyRangeGrain.Put"/>.</summary>
    Put,

    /// <summary><see cref="IKeyRangeGrain.Overwrite"/>.</summary>
    Overwrite,

    /// <summary><see cref="IKeyRangeGrain.Delete"/>.</summary>
    Delete,
}

/// <summary>One client request of a batch, with the arguments of the <see cref="IKeyRangeGrain"/> method its kind names;
/// the fields a kind does not use are null.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.KeyRangeRequest")]
public sealed record KeyRangeRequest(
    [property: Id(0)] KeyRangeRequestKind Kind,
    [property: Id(1)] int Range,
    [property: Id(2)] byte[] Key,
    [property: Id(3)] byte[]? Value = null,
    [property: Id(4)] CausalContext? Context = null,
    [property: Id(5)] ReadOptions? Read = null,
    [property: Id(6)] WriteOptions? Write = null)
{
    /// <summary>Approximate payload in bytes, the answer's included (what limits a batch's size): a get counts
    /// <paramref name="readValueBytes"/> for the value it may bring back, so that a batch of reads of large values stays
    /// small (with values at the 4 MiB limit, each read goes alone).</summary>
    public long ApproximateBytes(int readValueBytes) =>
        Key.Length + (Kind == KeyRangeRequestKind.Get ? readValueBytes : Value?.Length ?? 0) + (Context?.Bytes.Length ?? 0) + 48;
}

/// <summary>The answer to one <see cref="KeyRangeRequest"/>: the read's result (a get), or the request's failure; both
/// null for a write that succeeded.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.KeyRangeReply")]
public sealed record KeyRangeReply([property: Id(0)] ReadResult? Result, [property: Id(1)] Exception? Error = null)
{
    /// <summary>The answer of a write that succeeded.</summary>
    public static KeyRangeReply Written { get; } = new(Result: null);
}
