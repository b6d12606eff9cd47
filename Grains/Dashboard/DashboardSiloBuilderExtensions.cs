// Registers what every node needs for the dashboard: its figures and the service other nodes ask them of.
// Part of AddGrainKv, so that a node serving the dashboard can ask any node, whether or not that node serves HTTP.

using Microsoft.Extensions.DependencyInjection;

namespace GrainKV.Grains.Dashboard;

internal static class DashboardSiloBuilderExtensions
{
    public static ISiloBuilder AddGrainKvDashboardFigures(this ISiloBuilder builder)
    {
        builder.Services.AddSingleton<NodeFiguresSource>();
        builder.Services.AddSingleton<NodeFiguresServiceClient>();
        builder.Services.AddSingleton<ClusterDashboard>();
        builder.AddGrainService<NodeFiguresService>();
        return builder;
    }
}
