// The dashboard's routes on the silo's HTTP endpoint: the page and its two static files (embedded in this
// assembly, no build step), and the JSON it polls. "/" redirects to the page, "/dashboard".

using System.Reflection;
using GrainKV.Grains.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GrainKV.Grains.Dashboard;

/// <summary>Maps the dashboard's routes.</summary>
public static class DashboardEndpoints
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/dashboard", "index.html", "text/html; charset=utf-8"), // routing matches "/dashboard/" too
        ("/dashboard/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/dashboard/app.css", "app.css", "text/css; charset=utf-8"),
    ];

    /// <param name="app">The endpoint's routes.</param>
    /// <param name="orleansDashboard">Whether the Orleans dashboard is served too (the page links to it).</param>
    public static void Map(IEndpointRouteBuilder app, bool orleansDashboard)
    {
        app.MapGet("/", () => Results.Redirect("/dashboard"));
        foreach (var (path, resource, contentType) in Files)
        {
            var content = Read(resource);
            app.MapGet(path, () => Results.Bytes(content, contentType));
        }

        app.MapGet("/dashboard/api/cluster", async (HttpContext context) =>
        {
            var view = await context.RequestServices.GetRequiredService<ClusterDashboard>().ReadAsync(orleansDashboard, context.RequestAborted);
            return Results.Json(view, HttpJson.Options);
        });
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"GrainKV.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard's file {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
