// GrainKV metrics for components tested without a silo: each call gets a meter of its own (its own
// IMeterFactory), so a test's MetricCollector sees only that test's measurements.

using System.Diagnostics.Metrics;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GrainKV.Tests.Infrastructure;

public static class TestMeters
{
    public static GrainKvMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
