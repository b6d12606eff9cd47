// The typed errors a GrainKV client can see. They cross the wire, so each is serializable.

namespace GrainKV;

/// <summary>Base class of every error GrainKV reports to a client.</summary>
[GenerateSerializer]
[Alias("grainkv.GrainKvException")]
public class GrainKvException : Exception
{
    public GrainKvException(string message) : base(message) { }

    public GrainKvException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The key is empty or longer than <see cref="KeyLimits.MaxKeySize"/>. Nothing was stored.</summary>
[GenerateSerializer]
[Alias("grainkv.InvalidKeyException")]
public sealed class InvalidKeyException : GrainKvException
{
    public InvalidKeyException(string message) : base(message) { }
}

/// <summary>Key + value exceed the configured entry size limit. Nothing was stored.</summary>
[GenerateSerializer]
[Alias("grainkv.ValueTooLargeException")]
public sealed class ValueTooLargeException : GrainKvException
{
    public ValueTooLargeException(string message, long size, long limit) : base(message)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>Size of the rejected key + value, in bytes.</summary>
    [Id(0)]
    public long Size { get; private set; }

    /// <summary>The limit in force, in bytes.</summary>
    [Id(1)]
    public long Limit { get; private set; }
}

/// <summary>A request was sent to a key-range grain that does not own the key (client and cluster disagree on the range count).</summary>
[GenerateSerializer]
[Alias("grainkv.WrongRangeException")]
public sealed class WrongRangeException : GrainKvException
{
    public WrongRangeException(string message) : base(message) { }
}

/// <summary>The client could not reach any gateway of the cluster.</summary>
[GenerateSerializer]
[Alias("grainkv.ClusterUnavailableException")]
public sealed class ClusterUnavailableException : GrainKvException
{
    public ClusterUnavailableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A replica's node is not active, so the replica cannot be reached.</summary>
[GenerateSerializer]
[Alias("grainkv.ReplicaUnavailableException")]
public sealed class ReplicaUnavailableException : GrainKvException
{
    public ReplicaUnavailableException(string nodeId, string message) : base(message) => NodeId = nodeId;

    /// <summary>The node that could not be reached.</summary>
    [Id(0)]
    public string NodeId { get; private set; }
}

/// <summary>Fewer replicas answered than the request's quorum required. The write may still have
/// reached some replicas; a later read or anti-entropy will reconcile them.</summary>
[GenerateSerializer]
[Alias("grainkv.NotEnoughReplicasException")]
public class NotEnoughReplicasException : GrainKvException
{
    public NotEnoughReplicasException(int required, int answered, string detail)
        : this($"Not enough replicas: {answered} of the required {required} answered. {detail}".TrimEnd(), required, answered)
    {
    }

    /// <summary>For derived errors that word their own message.</summary>
    protected NotEnoughReplicasException(string message, int required, int answered)
        : base(message)
    {
        Required = required;
        Answered = answered;
    }

    /// <summary>Acknowledgements the request needed (W or R).</summary>
    [Id(0)]
    public int Required { get; private set; }

    /// <summary>Acknowledgements received before the request gave up.</summary>
    [Id(1)]
    public int Answered { get; private set; }
}

/// <summary>The request's options are invalid (for example a quorum larger than N). Nothing was done.</summary>
[GenerateSerializer]
[Alias("grainkv.InvalidRequestException")]
public sealed class InvalidRequestException : GrainKvException
{
    public InvalidRequestException(string message) : base(message) { }
}

/// <summary>A write's causal context was read from another key. Nothing was written.</summary>
[GenerateSerializer]
[Alias("grainkv.ContextMismatchException")]
public sealed class ContextMismatchException : GrainKvException
{
    public ContextMismatchException(string message) : base(message) { }
}

/// <summary>The request ran out of time after a replica may already have applied it: a write's outcome is
/// unknown (it may become visible later). Reading the key tells; writing again with the read's context is safe.</summary>
[GenerateSerializer]
[Alias("grainkv.RequestTimeoutException")]
public sealed class RequestTimeoutException : GrainKvException
{
    public RequestTimeoutException(string message) : base(message) { }
}

/// <summary>A membership change (decommission, remove) was refused: unknown node, a node in the wrong state, another
/// change under way, or too few nodes left. Nothing was changed.</summary>
[GenerateSerializer]
[Alias("grainkv.MembershipChangeException")]
public sealed class MembershipChangeException : GrainKvException
{
    public MembershipChangeException(string message) : base(message) { }
}
