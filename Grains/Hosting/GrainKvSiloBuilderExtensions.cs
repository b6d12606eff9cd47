// Registers a GrainKV storage node on an Orleans silo.

using GrainKV.Grains.Coordination;
using GrainKV.Grains.Dashboard;
using GrainKV.Grains.Health;
using GrainKV.Grains.Faults;
using GrainKV.Grains.Handoff;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Metrics;
using GrainKV.Grains.Replicas;
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

        // Membership knows a node by its silo name: where a node id is configured, it is the silo name.
        services.AddOptions<SiloOptions>().PostConfigure<IOptions<GrainKvNodeOptions>>((silo, node) =>
        {
            if (node.Value.NodeId is { Length: > 0 } id)
            {
                silo.SiloName = id;
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainKvNodeOptions>, GrainKvNodeOptionsValidator>());
        services.TryAddSingleton(new GrainKvClock(TimeProvider.System));
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
        services.AddSingleton<HintDelivery>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<HintDelivery>());
        services.AddSingleton<RingService>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RingService>());
        services.AddSingleton<IRingViewSource, RingServiceViews>();
        builder.AddGrainKvGossip();
        builder.AddGrainKvAntiEntropy(configure);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DuplicateNodeCheck>();
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<NodeReadiness>());
        builder.AddGrainKvDashboardFigures();

        // The datacenter label travels to the other silos as silo metadata.
        var labels = new GrainKvNodeOptions();
        configure?.Invoke(labels);
        builder.UseSiloMetadata(new Dictionary<string, string> { [RingService.DatacenterMetadataKey] = labels.Datacenter });
        return builder;
    }
}
