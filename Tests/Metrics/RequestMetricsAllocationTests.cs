// Recording a request allocates nothing: the counter, the histogram (tags as two key-value pairs) and the
// dashboard's totals, measured with a listener subscribed to every instrument, as an exporter would be.

using System.Diagnostics.Metrics;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Metrics;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Metrics;

public sealed class RequestMetricsAllocationTests
{
    [Fact]
    public void RecordingARequestAllocatesNothing()
    {
        var metrics = TestMeters.Create();
        var requests = new RequestMetrics(metrics, new GrainKvClock(TimeProvider.System));
        long seen = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => seen += value);
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => seen++);
        listener.Start();
        var timeout = new RequestTimeoutException("the creator did not answer");

        void RecordSome()
        {
            for (var i = 0; i < 1_000; i++)
            {
                requests.Succeeded(RequestOperation.Get, requests.Start(), found: i % 2 == 0);
                requests.Succeeded(RequestOperation.Put, requests.Start());
                requests.Failed(RequestOperation.Delete, requests.Start(), timeout);
            }
        }

        RecordSome();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RecordSome();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(seen >= 2 * 3_000 * 2, "the listener saw every measurement");
        Assert.Equal(2_000, requests.Totals(RequestOperation.Delete).Count);
        Assert.Equal(2_000, requests.Totals(RequestOperation.Delete).Failed);
    }
}
