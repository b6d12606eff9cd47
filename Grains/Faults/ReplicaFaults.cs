// Fault injection on the replica call path, a product feature for tests and chaos runs: rules make this
// node's calls to chosen nodes fail at once (as a dropped message would, seen from the caller) or wait
// until the rule is released (a slow or partitioned link, healed later). Every call from a coordinator or
// a background copy on this node to a replica, its own node's included, passes through Check. With no
// rules the cost is one volatile read per call.

using System.Collections.Immutable;

namespace GrainKV.Grains.Faults;

/// <summary>The replica operations a fault rule can target.</summary>
public enum ReplicaOperation
{
    Read,
    Coordinate,
    Apply,
}

/// <summary>One fault: calls to <see cref="Node"/> (of <see cref="Operation"/>, or of any operation when null)
/// fail, or are held until <see cref="Release"/>.</summary>
public sealed class FaultRule
{
    private readonly TaskCompletionSource? _gate;

    private FaultRule(string node, ReplicaOperation? operation, bool hold)
    {
        Node = node;
        Operation = operation;
        _gate = hold ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    public string Node { get; }

    public ReplicaOperation? Operation { get; }

    /// <summary>Calls matching this rule fail with <see cref="ReplicaUnavailableException"/> at once.</summary>
    public static FaultRule Fail(string node, ReplicaOperation? operation = null) => new(node, operation, hold: false);

    /// <summary>Calls matching this rule wait until <see cref="Release"/>, then proceed.</summary>
    public static FaultRule Hold(string node, ReplicaOperation? operation = null) => new(node, operation, hold: true);

    /// <summary>Lets held calls proceed (a held rule stays in force for later calls until removed).</summary>
    public void Release() => _gate?.TrySetResult();

    internal bool Matches(string node, ReplicaOperation operation) =>
        string.Equals(node, Node, StringComparison.Ordinal) && (Operation is null || Operation == operation);

    internal Task? Gate => _gate?.Task;
}

/// <summary>The fault rules in force on this node.</summary>
public sealed class ReplicaFaults
{
    private ImmutableArray<FaultRule> _rules = [];

    public void Add(FaultRule rule) => ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Add(r), rule);

    public void Remove(FaultRule rule) => ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Remove(r), rule);

    /// <summary>Removes every rule, releasing held calls.</summary>
    public void Clear()
    {
        foreach (var rule in ImmutableInterlocked.InterlockedExchange(ref _rules, []))
        {
            rule.Release();
        }
    }

    /// <summary>Runs <paramref name="call"/> for <paramref name="node"/> as the rules say.</summary>
    public Task<T> Apply<T>(string node, ReplicaOperation operation, Func<Task<T>> call)
    {
        var rules = _rules;
        if (rules.IsEmpty)
        {
            return call();
        }

        foreach (var rule in rules)
        {
            if (rule.Matches(node, operation))
            {
                return rule.Gate is { } gate
                    ? AfterAsync(gate, call)
                    : Task.FromException<T>(new ReplicaUnavailableException(node, $"node '{node}' is unreachable (fault injected on {operation})"));
            }
        }

        return call();
    }

    private static async Task<T> AfterAsync<T>(Task gate, Func<Task<T>> call)
    {
        await gate.ConfigureAwait(false);
        return await call().ConfigureAwait(false);
    }
}
