// The silo's HTTP endpoint on in-process nodes: /healthz follows the node's readiness (and the holds other
// code places on it; a wait for readiness ends when the last hold goes), the dashboard's JSON shows every node
// with its share of the ring and its figures, / leads to the dashboard, and the endpoint's options are validated.

using System.Net;
using System.Text.Json;
using GrainKV.Grains.Health;
using GrainKV.Grains.Http;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Http;

public sealed class HttpEndpointTests(HttpClusterFixture fixture) : IClassFixture<HttpClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task HealthIsReadyWhenTheNodeServesAndNotWhileAHoldIsInPlace()
    {
        var silo = Cluster.Cluster.Silos[1];
        var url = new Uri(fixture.BaseOf(silo), "healthz");
        using (var ready = await fixture.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
            Assert.Equal(silo.Name, body.RootElement.GetProperty("node").GetString());
            Assert.Equal(0, body.RootElement.GetProperty("reasons").GetArrayLength());
        }

        var readiness = Cluster.Service<NodeReadiness>(silo);
        using (readiness.Hold("bootstrap", "streaming 12 ranges"))
        {
            using var held = await fixture.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, held.StatusCode);
            using var body = JsonDocument.Parse(await held.Content.ReadAsStringAsync());
            Assert.Equal("not ready", body.RootElement.GetProperty("status").GetString());
            Assert.Equal(["bootstrap: streaming 12 ranges"], body.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        }

        using var released = await fixture.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
    }

    [Fact]
    public async Task AWaitForReadinessEndsWhenTheLastHoldIsReleased()
    {
        var readiness = Cluster.Service<NodeReadiness>(Cluster.Cluster.Silos[0]);
        await readiness.WhenReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var first = readiness.Hold("ready-wait-a", "first hold");
        var second = readiness.Hold("ready-wait-b", "second hold");
        var waiting = readiness.WhenReadyAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        first.Dispose();
        Assert.False(readiness.Check().Ready);
        Assert.False(waiting.IsCompleted);

        second.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(readiness.Check().Ready);
    }

    [Fact]
    public async Task TheDashboardJsonShowsEveryNodeItsShareOfTheRingAndItsFigures()
    {
        await Cluster.Client.PutAsync("dashboard-key", "value");
        var observer = Cluster.Cluster.Silos[0];
        using var response = await fixture.Http.GetAsync(new Uri(fixture.BaseOf(observer), "dashboard/api/cluster"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(observer.Name, root.GetProperty("observedBy").GetString());
        var rangeCount = root.GetProperty("rangeCount").GetInt32();

        var nodes = root.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(Cluster.Cluster.Silos.Select(s => s.Name).Order(), nodes.Select(n => n.GetProperty("id").GetString()).Order());
        Assert.All(nodes, n =>
        {
            Assert.True(n.GetProperty("live").GetBoolean());
            Assert.InRange(n.GetProperty("share").GetDouble(), 0.05, 0.95);

            // Every node answered with its figures, the remote ones through their figures service.
            var figures = n.GetProperty("figures");
            Assert.Equal(n.GetProperty("id").GetString(), figures.GetProperty("nodeId").GetString());
            Assert.True(figures.GetProperty("engine").GetProperty("memTableBytes").GetInt64() >= 0);
        });
        Assert.Equal(rangeCount, nodes.Sum(n => n.GetProperty("primaryRanges").GetInt32()));

        // The ring's arcs cover every range once, in order.
        var next = 0;
        foreach (var arc in root.GetProperty("ring").EnumerateArray())
        {
            Assert.Equal(next, arc.GetProperty("start").GetInt32());
            next = arc.GetProperty("end").GetInt32();
        }

        Assert.Equal(rangeCount, next);

        // The put was coordinated by one of the nodes (the client's gateway) and shows in its totals.
        Assert.Contains(nodes, n => n.GetProperty("figures").GetProperty("put").GetProperty("count").GetInt64() >= 1);
    }

    [Fact]
    public async Task TheRootLeadsToTheDashboardPageAndItsScript()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler);
        var root = fixture.BaseOf(Cluster.Cluster.Silos[0]);
        using var redirect = await http.GetAsync(root);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/dashboard", redirect.Headers.Location?.OriginalString);

        var page = await fixture.Http.GetStringAsync(new Uri(root, "dashboard"));
        Assert.Contains("<svg id=\"ring\"", page, StringComparison.Ordinal);
        Assert.Contains("/dashboard/app.js", page, StringComparison.Ordinal);
        Assert.Contains("/dashboard/api/cluster", await fixture.Http.GetStringAsync(new Uri(root, "dashboard/app.js")), StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        var validator = new HttpEndpointOptionsValidator();
        Assert.True(validator.Validate(null, new HttpEndpointOptions()).Succeeded);
        Assert.True(validator.Validate(null, new HttpEndpointOptions { Port = 0, ListenAddress = "any" }).Succeeded);
        Assert.True(validator.Validate(null, new HttpEndpointOptions { Port = 65535, ListenAddress = "::1" }).Succeeded);
        var bad = validator.Validate(null, new HttpEndpointOptions { Port = 70000, ListenAddress = "localhost:80" });
        Assert.True(bad.Failed);
        Assert.Contains("HttpEndpointOptions.Port must be between 0 and 65535", bad.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("GrainKV:Http:ListenAddress 'localhost:80'", bad.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("HttpEndpointOptions.Port", validator.Validate(null, new HttpEndpointOptions { Port = -1 }).FailureMessage, StringComparison.Ordinal);
        var defaults = new HttpEndpointOptions();
        Assert.True(defaults.Enabled);
        Assert.Equal(8080, defaults.Port);
    }
}

public sealed class OrleansDashboardTests
{
    [Fact]
    public async Task TheOrleansDashboardIsServedUnderOrleansWhenEnabled()
    {
        await using var cluster = await GrainKvCluster.StartAsync(
            1, configureSilo: (_, silo) => silo.AddGrainKvHttp(o => (o.Port, o.OrleansDashboard) = (0, true)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var root = new Uri($"http://127.0.0.1:{cluster.Service<HttpEndpoint>(cluster.Cluster.Silos[0]).Port}/");

        var page = await http.GetStringAsync(new Uri(root, "orleans/"));
        Assert.Contains("index.min.js", page, StringComparison.Ordinal);

        // Its API reaches the silo's dashboard grain through the silo's services and finds the one silo.
        await Eventually.HoldsAsync(
            async () =>
            {
                using var counters = JsonDocument.Parse(await http.GetStringAsync(new Uri(root, "orleans/DashboardCounters")));
                return counters.RootElement.GetProperty("totalActiveHostCount").GetInt32() == 1;
            },
            TimeSpan.FromSeconds(60),
            "the Orleans dashboard counts one active silo");

        // GrainKV's page links to it.
        using var view = JsonDocument.Parse(await http.GetStringAsync(new Uri(root, "dashboard/api/cluster")));
        Assert.True(view.RootElement.GetProperty("orleansDashboard").GetBoolean());
    }
}
