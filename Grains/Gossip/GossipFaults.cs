// Fault injection on gossip, a product feature for tests and chaos runs (like ReplicaFaults for replica
// calls): a rule drops every gossip exchange between this node and a chosen peer, in both directions. This
// node's agent does not call the peer, and this node's gossip grain refuses the peer's calls, so a rule on
// one side of a link already cuts it both ways; a partition is a rule per cut link. Removing the rules heals
// it. With no rules the cost is one volatile read per exchange.

using System.Collections.Immutable;

namespace GrainKV.Grains.Gossip;

/// <summary>Drops gossip between this node and <see cref="Peer"/>, both ways, while it is in force.</summary>
public sealed class GossipFaultRule(string peer)
{
    public string Peer { get; } = peer;
}

/// <summary>The gossip fault rules in force on this node.</summary>
public sealed class GossipFaults
{
    private ImmutableArray<GossipFaultRule> _rules = [];

    /// <summary>Adds a rule dropping gossip with <paramref name="peer"/> and returns it (remove it to heal).</summary>
    public GossipFaultRule Drop(string peer)
    {
        var rule = new GossipFaultRule(peer);
        ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Add(r), rule);
        return rule;
    }

    public void Remove(GossipFaultRule rule) => ImmutableInterlocked.Update(ref _rules, static (rules, r) => rules.Remove(r), rule);

    /// <summary>Removes every rule.</summary>
    public void Clear() => ImmutableInterlocked.InterlockedExchange(ref _rules, []);

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
            if (string.Equals(rule.Peer, peer, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
