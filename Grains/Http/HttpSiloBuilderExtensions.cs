// Registers the silo's HTTP endpoint (after AddGrainKv). It listens only when HttpEndpointOptions.Enabled is set.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace GrainKV.Grains.Http;

/// <summary><see cref="ISiloBuilder"/> extensions for the HTTP endpoint.</summary>
public static class HttpSiloBuilderExtensions
{
    /// <summary>Adds the HTTP endpoint (/healthz, /metrics, dashboards), configured by <paramref name="configure"/> and
    /// validated at start-up.</summary>
    public static ISiloBuilder AddGrainKvHttp(this ISiloBuilder builder, Action<HttpEndpointOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<HttpEndpointOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpEndpointOptions>, HttpEndpointOptionsValidator>());
        services.AddSingleton<HttpEndpoint>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<HttpEndpoint>());

        // The Orleans dashboard registers a profiling filter on every grain call, so it is added only when asked for.
        var probe = new HttpEndpointOptions();
        configure?.Invoke(probe);
        if (probe.Enabled && probe.OrleansDashboard)
        {
            builder.AddDashboard();
        }

        return builder;
    }
}
