// Registers a GrainKV storage node on an Orleans silo.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Hosting;

/// <summary><see cref="ISiloBuilder"/> extensions for GrainKV.</summary>
public static class GrainKvSiloBuilderExtensions
{
    /// <summary>Makes this silo a GrainKV node: its identity, its storage engine and the GrainKV grains.</summary>
    public static ISiloBuilder AddGrainKv(this ISiloBuilder builder, Action<GrainKvNodeOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<GrainKvNodeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainKvNodeOptions>, GrainKvNodeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<LocalStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LocalStore>());
        return builder;
    }
}
