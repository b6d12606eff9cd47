// Registers a GrainKV storage node on an Orleans silo.

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Dashboard;
using GrainKV.Grains.Health;
using GrainKV.Grains.Faults;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Metrics;
using GrainKV.Grains.Replicas;
using GrainKV.Grains.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;

using Orleans.Runtime.Hosting;

namespace GrainKV.Grains.Hosting;

/// <summary><see cref="ISiloBuilder"/> extensions for GrainKV.</summary>
public static class GrainKvSiloBuilderExtensions
{
    /// <summary>Makes this silo a GrainKV node: its identity, storage engine, replicas, ring view, placement and grains.</summary>
    public static ISiloBuilder AddGrainKv(this ISiloBuilder builder, Action<GrainKvNodeOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<GrainKvNodeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();

        // Membership knows a node by its silo name, so the node id is resolved here, once, and becomes the silo name:
        // the id persisted in the data directory, else the configured one, else the silo's own name.
        services.AddOptions<SiloOptions>().PostConfigure<IOptions<GrainKvNodeOptions>>((silo, node) =>
            silo.SiloName = NodeIdentity.Resolve(Path.GetFullPath(node.Value.DataDirectory), node.Value.NodeId, silo.SiloName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainKvNodeOptions>, GrainKvNodeOptionsValidator>());
        services.TryAddSingleton(new GrainKvClock(TimeProvider.System));
        services.TryAddSingleton(sp => new Expiry.ExpiryClock(sp.GetRequiredService<GrainKvClock>().Time));
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<NodeIncarnation>();
        services.AddSingleton<LocalStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LocalStore>());
        services.AddMetrics();
        services.AddSingleton<GrainKvMetrics>();
        services.AddSingleton<RequestMetrics>();
        services.AddSingleton<LocalReplicas>();
        services.AddSingleton<ReplicaFaults>();
        builder.AddGrainDirectory(LocalEntryDirectory.Name, (_, _) => new LocalEntryDirectory());
        services.AddSingleton<ReplicaServiceClient>();
        builder.AddGrainService<ReplicaService>();
        services.AddSingleton<ReplicaRouter>();
        services.AddSingleton<IReplicaCalls>(sp => sp.GetRequiredService<ReplicaRouter>());
        services.AddSingleton<HintStore>();
        services.AddSingleton<ReplicaCopies>();
        services.AddSingleton<IReplicaCopies, NodeCopies>();
        services.AddSingleton<ReadCoordinator>();
        services.AddSingleton<WriteCoordinator>();
        services.AddSingleton<KeyRangeRequests>();
        services.AddSingleton<HintDelivery>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<HintDelivery>());
        services.AddSingleton<RingMembership>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RingMembership>());
        services.AddSingleton<RingRecordServiceClient>();
        builder.AddGrainService<RingRecordService>();
        services.AddSingleton<RingRecordSync>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RingRecordSync>());
        services.AddSingleton<StreamProgress>();
        services.AddSingleton<StreamThrottle>();
        services.AddSingleton<StreamingCounters>();
        services.AddSingleton<RangeCleanup>();
        services.AddSingleton<StreamServiceClient>();
        builder.AddGrainService<StreamService>();
        services.AddSingleton<RangeReceiver>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RangeReceiver>());
        services.AddSingleton<RingService>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RingService>());
        services.AddSingleton<IRingViewSource, RingServiceViews>();
        builder.AddGrainKvGossip();
        builder.AddGrainKvAntiEntropy(configure);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DuplicateNodeCheck>();
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<NodeReadiness>());
        builder.AddGrainKvDashboardFigures();

        // The datacenter label travels to the other silos as silo metadata. Orleans copies this dictionary when it builds
        // its SiloMetadata options; the Configure registered before it fills the dictionary from the node options at
        // that moment, so the label is read from the one configured GrainKvNodeOptions.
        var metadata = new Dictionary<string, string>();
        services.AddOptions<SiloMetadata>().Configure<IOptions<GrainKvNodeOptions>>((_, node) => metadata[RingService.DatacenterMetadataKey] = node.Value.Datacenter);
        builder.UseSiloMetadata(metadata);
        return builder;
    }
}
