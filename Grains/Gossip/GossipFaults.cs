// Fault injection on gossip, a product feature for tests and chaos runs (like ReplicaFaults for replica
// calls): a Drop rule drops every gossip exchange between this node and a chosen peer, in both directions.
// This node's agent does not call the peer, and this node's gossip grain refuses the peer's calls, so a rule
// on one side of a link already cuts it both ways; a partition is a rule per cut link. Removing the rules
// heals it. A Hold rule makes this node's gossip grain hold the peer's exchanges unanswered until released
// (a peer that accepts calls and never answers; the caller's exchange timeout ends them). With no rules the
// cost is one volatile read per exchange.

using System.Collections.Immutable;

namespace GrainKV.Grains.Gossip;

/// <summary>Drops gossip between this node and <see cref="Peer"/>, both ways, while it is in force; or, for a
/// hold rule, holds the peer's incoming exchanges until <see cref="Release"/>.</summary>
public sealed class GossipFaultRule
{
    private readonly TaskCompletionSource? _gate;

    internal GossipFaultRule(string peer, bool hold)
    {
        Peer = peer;
        _gate = hold ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    public string Peer { get; }

    /// <summary>Lets held exchanges proceed (the rule still holds later ones until removed).</summary>
    public void Release() => _gate?.TrySetResult();

    internal Task? Gate => _gate?.Task;
}

/// <summary>The gossip fault rules in force on this node.</summary>
public sealed class GossipFaults
{
    private ImmutableArray<GossipFaultRule> _rules = [];

    /// <summary>Adds a rule dropping gossip with <paramref name="peer"/> and returns it (remove it to heal).</summary>
    public GossipFaultRule Drop(string peer)
    {
        var rule = new GossipFaultRule(peer, hold: false);
        ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Add(r), rule);
        return rule;
    }

    /// <summary>Adds a rule holding exchanges that <paramref name="peer"/> sends here until released, and returns it.</summary>
    public GossipFaultRule Hold(string peer)
    {
        var rule = new GossipFaultRule(peer, hold: true);
        ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Add(r), rule);
        return rule;
    }

    /// <summary>Removes a rule, releasing the exchanges it holds.</summary>
    public void Remove(GossipFaultRule rule)
    {
        ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Remove(r), rule);
        rule.Release();
    }

    /// <summary>Removes every rule, releasing held exchanges.</summary>
    public void Clear()
    {
        foreach (var rule in ImmutableInterlocked.InterlockedExchange(ref _rules, []))
        {
            rule.Release();
        }
    }

    /// <summary>True if gossip with <paramref name="peer"/> is dropped now.</summary>
    public bool Drops(string peer)
    {
        var rules = _rules;
        if (rules.IsEmpty)
        {
            return false;
        }

        foreach (var rule in rules)
        {
            if (rule.Gate is null && string.Equals(rule.Peer, peer, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A task to await before answering an exchange from <paramref name="peer"/>: completed unless a hold rule is in force.</summary>
    public Task HeldFrom(string peer)
    {
        var rules = _rules;
        if (rules.IsEmpty)
        {
            return Task.CompletedTask;
        }

        foreach (var rule in rules)
        {
            if (rule.Gate is { IsCompleted: false } gate && string.Equals(rule.Peer, peer, StringComparison.Ordinal))
            {
                return gate;
            }
        }

        return Task.CompletedTask;
    }
}
