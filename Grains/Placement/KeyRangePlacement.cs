// Placement of key-range (coordinator) grains: on the first live node of the range's preference list,
// so that the coordinator is usually also a replica and one network hop is saved. Any active silo will
// do when none of the preference list is reachable: coordination is correct anywhere.

using GrainKV.Grains.Membership;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace GrainKV.Grains.Placement;

/// <summary>Places a key-range grain on the first live node of its preference list.</summary>
[GenerateSerializer]
[Immutable]
[Alias("grainkv.KeyRangePlacementStrategy")]
public sealed class KeyRangePlacementStrategy : PlacementStrategy;

/// <summary>Marks the key-range grain class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class KeyRangePlacementAttribute() : PlacementAttribute(new KeyRangePlacementStrategy());

/// <summary>Chooses the silo of the first live preference-list node of the range.</summary>
public sealed class KeyRangePlacementDirector(RingService ring) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Length == 0)
        {
            throw new ReplicaUnavailableException("", "No silo is available to coordinate this key range.");
        }

        var view = ring.Current;
        if (target.GrainIdentity.TryGetIntegerKey(out var range, out _) && view.Nodes.Count > 0)
        {
            foreach (var node in view.PreferenceList((int)range, view.DefaultReplicas))
            {
                if (view.AddressOfLive(node) is { } address && compatible.Contains(address))
                {
                    return Task.FromResult(address);
                }
            }
        }

        return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
    }
}
