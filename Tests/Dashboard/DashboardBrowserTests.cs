// GrainKV's dashboard page in a real browser (headless Debian chromium) against three in-process nodes after a
// few requests: once its script has fetched the cluster's JSON, the page shows every node in the nodes and
// engine tables and as arcs of the drawn ring, all live. A screenshot is saved under the test output directory
// (screenshots/dashboard.png beside the test assembly).

using System.Text.RegularExpressions;
using GrainKV.Tests.Http;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Dashboard;

public sealed class DashboardBrowserTests(HttpClusterFixture fixture) : IClassFixture<HttpClusterFixture>
{
    private GrainKvCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ThePageShowsTheRingAndTheNodesInHeadlessChromium()
    {
        for (var i = 0; i < 30; i++)
        {
            await Cluster.Client.PutAsync($"browser-{i}", new string('x', 200));
            await Cluster.Client.GetAsync($"browser-{i}");
        }

        var page = new Uri(fixture.BaseOf(Cluster.Cluster.Silos[0]), "dashboard");
        var dom = await HeadlessChromium.DumpDomAsync(page, settleMilliseconds: 5_000);

        Assert.Contains("data-loaded=\"true\"", dom, StringComparison.Ordinal);
        Assert.Contains("3 of 3 nodes live", dom, StringComparison.Ordinal);
        foreach (var silo in Cluster.Cluster.Silos)
        {
            var node = Regex.Escape(silo.Name);
            Assert.Matches($"<tr data-node=\"{node}\"><td>.*?</td>.*?<td class=\"live\">live</td>", dom);
            Assert.Matches($"<path [^>]*data-node=\"{node}\"", dom);
            Assert.Matches($"<li data-node=\"{node}\">", dom);
        }

        Assert.Equal(3, Regex.Matches(dom, "<tr data-node=").Count / 2); // one row per node in each of the two tables

        // Requests go on while the screenshot is taken, so the page has rates and latencies to show.
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await Cluster.Client.PutAsync($"browser-{i % 30}", new string('y', 200), (await Cluster.Client.GetAsync($"browser-{i % 30}")).Context);
            }
        });
        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png");
        try
        {
            await HeadlessChromium.ScreenshotAsync(page, screenshot, 1400, 720, settleMilliseconds: 5_000);
        }
        finally
        {
            stop.Cancel();
            await load;
        }

        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 10_000, $"the screenshot has {png.Length} bytes");
    }
}
