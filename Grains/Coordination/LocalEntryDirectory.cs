// The grain directory of the entry grains (key-range coordinators, cluster status). They are stateless workers:
// every silo runs its own activations and none is ever looked up elsewhere. Orleans still asks a grain's directory
// before placing its first activation on a silo, and with the default directory that lookup goes to the silo that
// owns the grain id's directory partition, so right after any silo dies the first request for a range on another
// silo could be refused ("unable to connect"). This directory answers from memory: nothing is registered and
// nothing is ever found, so placement always proceeds locally, with no message to another silo.

using Orleans.GrainDirectory;
using Orleans.Runtime;

namespace GrainKV.Grains.Coordination;

/// <summary>A directory that holds nothing; for stateless worker grains only.</summary>
public sealed class LocalEntryDirectory : IGrainDirectory
{
    /// <summary>The directory's name, for <see cref="GrainDirectoryAttribute"/>.</summary>
    public const string Name = "grainkv-local-entry";

    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(address);

    public Task Unregister(GrainAddress address) => Task.CompletedTask;

    public Task<GrainAddress?> Lookup(GrainId grainId) => Task.FromResult<GrainAddress?>(null);

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;
}
