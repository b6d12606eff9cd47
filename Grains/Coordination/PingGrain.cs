// Answers pings on the silo that receives them, like the other entry grains: a stateless worker in the
// directory that holds nothing, so a ping never leaves its gateway.

using Orleans.Concurrency;
using Orleans.GrainDirectory;

namespace GrainKV.Grains.Coordination;

/// <summary>Echoes pings.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
[Reentrant]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<byte[]> Echo(byte[] payload, CancellationToken cancellationToken) => Task.FromResult(payload);
}
