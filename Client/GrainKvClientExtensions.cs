// Dependency-injection registration of the GrainKV client.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainKV.Client;

/// <summary>Registers <see cref="GrainKvClient"/>.</summary>
public static class GrainKvClientExtensions
{
    /// <summary>Connects this host to a GrainKV cluster (an Orleans client with the configured gateways)
    /// and registers <see cref="GrainKvClient"/>.</summary>
    public static IHostApplicationBuilder AddGrainKvClient(this IHostApplicationBuilder builder, Action<GrainKvClientOptions>? configure = null) =>
        builder.AddGrainKvClient(configure, orleans: null);

    internal static IHostApplicationBuilder AddGrainKvClient(
        this IHostApplicationBuilder builder, Action<GrainKvClientOptions>? configure, Action<IClientBuilder>? orleans)
    {
        var options = new GrainKvClientOptions();
        builder.Configuration.GetSection(GrainKvClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        options.Validate();

        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(GatewayEndpoints.Resolve(options.Gateways));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.Configure<ConnectionOptions>(o =>
            {
                o.OpenConnectionTimeout = options.ConnectTimeout;
                o.ConnectionRetryDelay = TimeSpan.FromMilliseconds(500);
            });
            orleans?.Invoke(client);
        });
        builder.Services.AddGrainKvClient(o => o.CopyFrom(options));
        return builder;
    }

    /// <summary>Registers <see cref="GrainKvClient"/> over an Orleans client or silo already configured in this container.</summary>
    public static IServiceCollection AddGrainKvClient(this IServiceCollection services, Action<GrainKvClientOptions>? configure = null)
    {
        var options = services.AddOptions<GrainKvClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton<GrainKvClient>();
        return services;
    }
}
