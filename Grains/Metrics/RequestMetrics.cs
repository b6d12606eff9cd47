// Records each request a node coordinates: the grainkv.requests counter and the grainkv.request.duration
// histogram (by operation and outcome), grainkv.quorum.failures, and the per-operation totals the dashboard
// reads. A request's outcome is named from its exception type; tags are passed as two KeyValuePairs (no
// TagList or dictionary is built per call) and timestamps come from GrainKV's clock.

using GrainKV.Grains.Hosting;

namespace GrainKV.Grains.Metrics;

/// <summary>The operations a node coordinates.</summary>
public enum RequestOperation
{
    Get,
    Put,
    Delete,
}

/// <summary>Records requests on the node's instruments and totals.</summary>
public sealed class RequestMetrics
{
    private static readonly string[] OperationNames = ["get", "put", "delete"];
    private readonly GrainKvMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly RequestTotals[] _totals = [new(), new(), new()];

    public RequestMetrics(GrainKvMetrics metrics, GrainKvClock clock)
    {
        _metrics = metrics;
        _time = clock.Time;
    }

    /// <summary>The timestamp a request starts at (pass it to <see cref="Succeeded"/> or <see cref="Failed"/>).</summary>
    public long Start() => _time.GetTimestamp();

    /// <summary>A request answered; <paramref name="found"/> false for a read that found nothing.</summary>
    public void Succeeded(RequestOperation operation, long started, bool found = true) =>
        Record(operation, found ? "ok" : "not_found", started, failed: false);

    /// <summary>A request failed with <paramref name="error"/>.</summary>
    public void Failed(RequestOperation operation, long started, Exception error)
    {
        var outcome = OutcomeOf(error);
        if (outcome is "not_enough_replicas" or "timeout")
        {
            _metrics.QuorumFailures.Add(1, new("operation", OperationNames[(int)operation]), new("reason", outcome));
        }

        Record(operation, outcome, started, failed: true);
    }

    /// <summary>An overwrite at W ≥ R > 1 whose write's copies confirmed it (<paramref name="rounds"/> 1), or that read and
    /// wrote again (2).</summary>
    public void Overwrote(int rounds) => _metrics.Overwrites.Add(1, new KeyValuePair<string, object?>("rounds", rounds == 1 ? "one" : "two"));

    /// <summary>A batch of <paramref name="requests"/> client requests arrived (each is then recorded as its own request).</summary>
    public void Batched(int requests)
    {
        _metrics.ClientBatches.Add(1);
        _metrics.ClientBatchedRequests.Add(requests);
    }

    /// <summary>Cumulative figures of <paramref name="operation"/> since the silo started.</summary>
    public RequestFigures Totals(RequestOperation operation) => _totals[(int)operation].Read();

    /// <summary>The outcome tag of a request that failed with <paramref name="error"/>.</summary>
    public static string OutcomeOf(Exception error) => error switch
    {
        NotEnoughReplicasException => "not_enough_replicas",
        RequestTimeoutException => "timeout",
        InvalidKeyException or ValueTooLargeException or WrongRangeException or ContextMismatchException or InvalidRequestException => "rejected",
        OperationCanceledException => "cancelled",
        _ => "error",
    };

    private void Record(RequestOperation operation, string outcome, long started, bool failed)
    {
        var elapsed = _time.GetElapsedTime(started);
        var op = new KeyValuePair<string, object?>("operation", OperationNames[(int)operation]);
        var result = new KeyValuePair<string, object?>("outcome", outcome);
        _metrics.Requests.Add(1, op, result);
        _metrics.RequestDuration.Record(elapsed.TotalSeconds, op, result);
        _totals[(int)operation].Add(elapsed, failed);
    }
}
