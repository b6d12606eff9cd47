// Dependency-injection registration of the GrainKV client.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using GrainKV.Client.Security;
using GrainKV.Security;
using Orleans.Configuration;

namespace GrainKV.Client;

/// <summary>Registers <see cref="GrainKvClient"/>.</summary>
public static class GrainKvClientExtensions
{
    /// <summary>Connects this host to a GrainKV cluster (an Orleans client with the configured gateways)
    /// and registers <see cref="GrainKvClient"/>.</summary>
    public static IHostApplicationBuilder AddGrainKvClient(this IHostApplicationBuilder builder, Action<GrainKvClientOptions>? configure = null) =>
        builder.AddGrainKvClient(configure, orleans: null, onTlsRejected: null);

    /// <exception cref="OptionsValidationException">An option is invalid (every problem is listed).</exception>
    /// <exception cref="TlsConfigurationException">TLS is on and a certificate file is missing or unusable.</exception>
    internal static IHostApplicationBuilder AddGrainKvClient(
        this IHostApplicationBuilder builder, Action<GrainKvClientOptions>? configure, Action<IClientBuilder>? orleans, Action<string>? onTlsRejected)
    {
        var options = new GrainKvClientOptions();
        builder.Configuration.GetSection(GrainKvClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        options.Validate();
        var credentials = options.Tls.Enabled ? options.Tls.Load() : null;
        if (credentials is not null)
        {
            builder.Services.AddSingleton(_ => credentials);   // disposed with the host
        }

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
            if (credentials is not null)
            {
                ClientTls.Use(client, credentials, options.Tls.HandshakeTimeout, onTlsRejected);
            }

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

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainKvClientOptions>, GrainKvClientOptionsValidator>());
        services.TryAddSingleton<GrainKvClient>();
        return services;
    }
}
