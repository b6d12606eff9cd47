// The ring record's transport: one grain service per silo (addressed by the silo's address, no grain directory,
// so a dead peer fails only the calls sent to it). A peer sends its copy; the service merges it into this node's
// RingMembership and returns the merged copy (push-pull), so one exchange brings both sides up to date.

using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace GrainKV.Grains.Membership;

/// <summary>A node's ring record endpoint.</summary>
[Alias("grainkv.IRingRecordService")]
public interface IRingRecordService : IGrainService
{
    /// <summary>Merges <paramref name="record"/> into this node's copy and returns the merged copy.</summary>
    [Alias("Exchange")]
    Task<RingRecord> Exchange(RingRecord record, CancellationToken cancellationToken = default);
}

/// <summary>The ring record endpoint of this silo's node.</summary>
[Reentrant]
public sealed class RingRecordService(GrainId id, Silo silo, ILoggerFactory loggerFactory, RingMembership membership)
    : GrainService(id, silo, loggerFactory), IRingRecordService
{
    public Task<RingRecord> Exchange(RingRecord record, CancellationToken cancellationToken)
    {
        membership.Merge(record);
        return Task.FromResult(membership.Record);
    }
}

/// <summary>Reaches the <see cref="IRingRecordService"/> of a given silo.</summary>
public sealed class RingRecordServiceClient(IServiceProvider services) : GrainServiceClient<IRingRecordService>(services)
{
    /// <summary>The ring record service on <paramref name="silo"/>.</summary>
    public IRingRecordService On(SiloAddress silo) => GetGrainService(silo);
}
