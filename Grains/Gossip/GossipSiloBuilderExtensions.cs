// Registers gossip liveness on a silo: options (section "GrainKV:Gossip", validated at start-up), the
// liveness view, the agent in the silo lifecycle, the fault rules, and the gossip grain's placement.
// Declared in namespace GrainKV.Grains so that GrainKvSiloBuilderExtensions reaches it without a using.

using GrainKV.Grains.Gossip;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GrainKV.Grains;

/// <summary><see cref="ISiloBuilder"/> extension adding gossip liveness.</summary>
public static class GossipSiloBuilderExtensions
{
    /// <summary>Adds gossip liveness (R12) to this silo; <paramref name="configure"/> runs after configuration binding.</summary>
    public static ISiloBuilder AddGrainKvGossip(this ISiloBuilder builder, Action<GossipOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<GossipOptions>().BindConfiguration(GossipOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GossipOptions>, GossipOptionsValidator>());
        services.TryAddSingleton(new GrainKvClock(TimeProvider.System));
        services.TryAddSingleton<GossipFaults>();
        services.TryAddSingleton(sp => new GossipLiveness(
            sp.GetRequiredService<ILocalSiloDetails>().Name,
            // The generation only has to grow from one start of the node to the next: the wall clock in ms.
            TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(),
            sp.GetRequiredService<IOptions<GossipOptions>>().Value,
            sp.GetRequiredService<GrainKvClock>().Time,
            sp.GetRequiredService<ILogger<GossipLiveness>>()));
        services.TryAddSingleton<GossipServiceClient>();
        builder.AddGrainService<GossipService>();
        services.TryAddSingleton<GossipAgent>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GossipAgent>());
        return builder;
    }
}
