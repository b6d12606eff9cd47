// The silo's HTTP endpoint: a small ASP.NET Core application (Kestrel) started inside the silo, early in its
// lifecycle so that /healthz answers 503 while the node starts, and stopped last when it stops. Paths:
//   /healthz         200 when the node serves its ranges, else 503; a small JSON body (Health/NodeReadiness.cs)
//   /metrics         the node's meter and the .NET runtime's in Prometheus' text format (OpenTelemetry's Prometheus exporter)
//   /dashboard       GrainKV's dashboard page, and its JSON at /dashboard/api/cluster (/ redirects here)
//   /orleans/        the Orleans dashboard, when GrainKV:Http:OrleansDashboard is set
// The application resolves services from its own container, then from the silo's (LayeredServiceProvider).
//
// The Prometheus exporter listens to meters by name ("GrainKV"): with several silos in one process (tests)
// /metrics of any of them reports the instruments of all of them. A silo process has one silo.

using System.Net;
using GrainKV.Grains.Dashboard;
using GrainKV.Grains.Health;
using GrainKV.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Dashboard;

namespace GrainKV.Grains.Http;

/// <summary>Runs the silo's HTTP endpoint for the silo's lifetime.</summary>
public sealed partial class HttpEndpoint : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    /// <summary>The .NET runtime's own meter (garbage collections, bytes allocated, process CPU time, thread pool, ...):
    /// exported beside GrainKV's, so that an operator sees what the process spends, and a benchmark can read allocations
    /// and CPU per request from a scrape.</summary>
    private const string RuntimeMeterName = "System.Runtime";

    private readonly HttpEndpointOptions _options;
    private readonly IServiceProvider _silo;
    private readonly ILogger<HttpEndpoint> _logger;
    private WebApplication? _app;

    public HttpEndpoint(IOptions<HttpEndpointOptions> options, IServiceProvider silo, ILogger<HttpEndpoint> logger)
    {
        _options = options.Value;
        _silo = silo;
        _logger = logger;
    }

    /// <summary>The port the endpoint listens on (known once started; 0 when disabled).</summary>
    public int Port { get; private set; }

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (_options.Enabled)
        {
            lifecycle.Subscribe(nameof(HttpEndpoint), ServiceLifecycleStage.RuntimeInitialize, StartAsync, StopAsync);
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        HttpEndpointOptions.TryParseAddress(_options.ListenAddress, out var address);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, _options.Port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(_silo.GetRequiredService<ILoggerFactory>());

        // The silo's host owns the process (Ctrl+C, SIGTERM); the endpoint's own host only starts and stops with the silo.
        builder.Services.AddSingleton<IHostLifetime, SiloOwnedLifetime>();
        var nodeId = _silo.GetRequiredService<NodeIdentity>().NodeId;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("grainkv", serviceInstanceId: nodeId))
            .WithMetrics(metrics => metrics.AddMeter(GrainKvMetrics.MeterName, RuntimeMeterName).AddPrometheusExporter());
        builder.Host.UseServiceProviderFactory(new LayeredServiceProviderFactory(_silo));

        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.RequestServices = new LayeredServiceProvider(context.RequestServices, _silo);
            return next(context);
        });
        app.UseRouting();
        MapHealth(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        DashboardEndpoints.Map(app, _options.OrleansDashboard);
        if (_options.OrleansDashboard)
        {
            app.MapOrleansDashboard("/orleans");
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"The HTTP endpoint could not listen on {_options.ListenAddress}:{_options.Port} (GrainKV:Http:ListenAddress, GrainKV:Http:Port): {ex.Message}", ex);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Port = bound is null ? _options.Port : new Uri(bound).Port;
        LogListening(address, Port);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
    }

    private static void MapHealth(WebApplication app) => app.MapGet("/healthz", (HttpContext context) =>
    {
        var report = context.RequestServices.GetRequiredService<NodeReadiness>().Check();
        var body = new HealthBody(report.Ready ? "ready" : "not ready", report.NodeId, report.Reasons);
        return Results.Json(body, HttpJson.Options, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    });

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    private sealed class SiloOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed record HealthBody(string Status, string Node, IReadOnlyList<string> Reasons);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "HTTP endpoint listening on {Address}:{Port} (/healthz, /metrics, /dashboard)")]
    private partial void LogListening(IPAddress address, int port);
}
