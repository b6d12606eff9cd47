// Options of gossip liveness, bound from the "GrainKV:Gossip" configuration section and validated at start-up.

using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Gossip;

/// <summary>How often a node gossips, to how many peers, and how long silence lasts before it suspects.</summary>
public sealed class GossipOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "GrainKV:Gossip";

    /// <summary>How often a node bumps its heartbeat and sends its table to <see cref="Fanout"/> peers.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node whose heartbeat has not advanced for this long is suspected by the local node.</summary>
    public TimeSpan SuspectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Peers (chosen at random among the active members) sent the table each period.</summary>
    public int Fanout { get; set; } = 2;

    /// <summary>Bound of one exchange with a peer; null = <see cref="Period"/>.</summary>
    public TimeSpan? ExchangeTimeout { get; set; }

    /// <summary>The bound of one exchange.</summary>
    public TimeSpan EffectiveExchangeTimeout => ExchangeTimeout ?? Period;
}

/// <summary>Validates <see cref="GossipOptions"/> at start-up.</summary>
public sealed class GossipOptionsValidator : IValidateOptions<GossipOptions>
{
    public ValidateOptionsResult Validate(string? name, GossipOptions options)
    {
        var failures = new List<string>();
        if (options.Period < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"{GossipOptions.SectionName}:Period must be at least 10 ms (was {options.Period}).");
        }

        if (options.SuspectTimeout < 2 * options.Period)
        {
            failures.Add($"{GossipOptions.SectionName}:SuspectTimeout must be at least two periods (was {options.SuspectTimeout}, period {options.Period}).");
        }

        if (options.Fanout is < 1 or > 64)
        {
            failures.Add($"{GossipOptions.SectionName}:Fanout must be between 1 and 64 (was {options.Fanout}).");
        }

        if (options.ExchangeTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > options.SuspectTimeout))
        {
            failures.Add($"{GossipOptions.SectionName}:ExchangeTimeout must be positive and at most SuspectTimeout (was {timeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
