// The HTTP endpoint is a small ASP.NET Core application inside the silo, with services of its own (Kestrel,
// routing, the Prometheus exporter). Its handlers also need the silo's services (the ring, the engine, the
// Orleans dashboard's client), so the application resolves from its own container first and from the
// silo's second. An enumerable the application's container knows (its hosted services, say) is never taken from
// the silo, and neither is IOptions<T> (the application's container answers every IOptions<T>, with defaults
// for the silo's options): handlers take the silo's options from the endpoint, not from the container.

using Microsoft.Extensions.DependencyInjection;

namespace GrainKV.Grains.Http;

/// <summary>Resolves from the endpoint's own services, then from the silo's.</summary>
internal sealed class LayeredServiceProvider(IServiceProvider own, IServiceProvider silo)
    : IServiceProvider, IKeyedServiceProvider, IServiceProviderIsService, IDisposable, IAsyncDisposable
{
    public object? GetService(Type serviceType)
    {
        if (serviceType == typeof(IServiceProvider) || serviceType == typeof(IKeyedServiceProvider) || serviceType == typeof(IServiceProviderIsService))
        {
            return this;
        }

        return own.GetService(serviceType) ?? silo.GetService(serviceType);
    }

    public object? GetKeyedService(Type serviceType, object? serviceKey) =>
        (own as IKeyedServiceProvider)?.GetKeyedService(serviceType, serviceKey) ?? (silo as IKeyedServiceProvider)?.GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) =>
        GetKeyedService(serviceType, serviceKey) ?? throw new InvalidOperationException($"No keyed service for type '{serviceType}' and key '{serviceKey}'.");

    public bool IsService(Type serviceType) =>
        own.GetService<IServiceProviderIsService>()?.IsService(serviceType) == true
        || silo.GetService<IServiceProviderIsService>()?.IsService(serviceType) == true;

    public void Dispose() => (own as IDisposable)?.Dispose();

    public ValueTask DisposeAsync() => own is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>Builds the endpoint application's container and layers it over the silo's.</summary>
internal sealed class LayeredServiceProviderFactory(IServiceProvider silo) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services) => services;

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) =>
        new LayeredServiceProvider(containerBuilder.BuildServiceProvider(), silo);
}
