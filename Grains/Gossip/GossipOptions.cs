// Options of gossip liveness, bound from the "GrainKV:Gossip" configuration section and validated at start-up
// (data annotations and Validate(ValidationContext), checked by the generated GossipOptionsValidator).

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Gossip;

/// <summary>How often a node gossips, to how many peers, and how long silence lasts before it suspects.</summary>
public sealed class GossipOptions : IValidatableObject
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "GrainKV:Gossip";

    /// <summary>How often a node bumps its heartbeat and sends its table to <see cref="Fanout"/> peers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node whose heartbeat has not advanced for this long is suspected by the local node.</summary>
    public TimeSpan SuspectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Peers (chosen at random among the active members) sent the table each period.</summary>
    [Range(1, 64)]
    public int Fanout { get; set; } = 2;

    /// <summary>Bound of one exchange with a peer; null = <see cref="Period"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan? ExchangeTimeout { get; set; }

    /// <summary>The bound of one exchange.</summary>
    public TimeSpan EffectiveExchangeTimeout => ExchangeTimeout ?? Period;

    /// <summary>The rules that relate two settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SuspectTimeout < 2 * Period)
        {
            yield return new ValidationResult(
                $"{SectionName}:SuspectTimeout must be at least two periods (was {SuspectTimeout}, period {Period}).", [nameof(SuspectTimeout)]);
        }

        if (ExchangeTimeout > SuspectTimeout)
        {
            yield return new ValidationResult(
                $"{SectionName}:ExchangeTimeout must be at most SuspectTimeout (was {ExchangeTimeout}, SuspectTimeout {SuspectTimeout}).", [nameof(ExchangeTimeout)]);
        }
    }
}

/// <summary>Checks <see cref="GossipOptions"/> at start-up: the generated implementation of its data annotations and cross-field rules.</summary>
[OptionsValidator]
public sealed partial class GossipOptionsValidator : IValidateOptions<GossipOptions>;
