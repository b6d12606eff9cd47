// Registers the RESP gateway on a GrainKV silo (after AddGrainKv). It listens only when RespOptions.Enabled is set.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.Resp;

/// <summary><see cref="ISiloBuilder"/> extensions for the RESP gateway.</summary>
public static class RespSiloBuilderExtensions
{
    /// <summary>Adds the Redis-protocol gateway, configured by <paramref name="configure"/> and validated at start-up.</summary>
    public static ISiloBuilder AddGrainKvResp(this ISiloBuilder builder, Action<RespOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<RespOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RespOptions>, RespOptionsValidator>());
        services.TryAddSingleton(new RespClock(TimeProvider.System));
        services.AddSingleton<RespStore>();
        services.AddSingleton<RespGateway>();
        services.AddSingleton<RespListener>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RespListener>());
        return builder;
    }
}
