// Coalesces requests to one destination into batches, one network message each, without a timer: a request is
// sent at once while fewer than MaxInFlight batches are out (on its own, by a call of its own, where the destination
// has one); otherwise it waits in the queue, and when a batch's answer arrives everything queued meanwhile (up to
// MaxBatch requests or MaxBatchBytes) leaves as the next batch.
// So an idle destination sees no added delay, and a busy one gets fewer, larger messages as load grows (the way
// Cassandra's and ScyllaDB's messaging coalesce their per-node traffic). A batch that fails fails each of its
// requests with the same exception; nothing queued is ever dropped.

namespace GrainKV.Batching;

/// <summary>How batches to one destination are formed.</summary>
/// <param name="MaxInFlight">Batches allowed out at once.</param>
/// <param name="MaxBatch">Requests in one batch at most.</param>
/// <param name="MaxBatchBytes">Approximate payload of one batch at most (a single larger request still goes alone).</param>
public sealed record BatchLimits(int MaxInFlight, int MaxBatch, long MaxBatchBytes)
{
    /// <summary>Four batches out, up to 64 requests or 256 KiB each. Two out at once queued more requests behind a slow
    /// batch (workload B at 64 clients ran at 0.91× the unbatched path with two, 1.16× with eight, at a 5 s settle); at
    /// steady state on three silos, four ran A/64 at 1.12× and B/64 at 1.28× the rate with eight (medians of the ratios
    /// of six interleaved pairs, four of six faster in each; docs/BENCHMARKS.md, seventeenth session).</summary>
    public static BatchLimits Default { get; } = new(4, 64, 256 * 1024);
}

/// <summary>Sends requests to one destination in batches.</summary>
/// <param name="send">Sends one batch; its answers are in request order, one per request.</param>
/// <param name="sizeOf">The approximate payload of a request, in bytes.</param>
/// <param name="limits">How many batches may be out at once, and how large each may be.</param>
/// <param name="sendOne">If given, sends one request on its own: a request that may leave at once (nothing queued, fewer
/// than MaxInFlight out) goes this way, and its caller awaits that call itself — no batch around it, no hand-off of
/// its answer to another thread. It counts as a batch out while it runs. A batch of one queued request goes this way
/// too.</param>
public sealed class RequestBatcher<TRequest, TReply>(
    Func<TRequest[], Task<TReply[]>> send, Func<TRequest, long> sizeOf, BatchLimits limits, Func<TRequest, Task<TReply>>? sendOne = null)
{
    private readonly Queue<(TRequest Request, TaskCompletionSource<TReply> Reply)> _queue = new();
    private int _inFlight;

    /// <summary>Sends or queues <paramref name="request"/>; its answer, or its batch's failure, arrives in the task.</summary>
    public Task<TReply> SendAsync(TRequest request)
    {
        if (sendOne is not null && TrySendAlone(request) is { } alone)
        {
            return alone;
        }

        var reply = new TaskCompletionSource<TReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        List<(TRequest Request, TaskCompletionSource<TReply> Reply)>? batch;
        lock (_queue)
        {
            _queue.Enqueue((request, reply));
            batch = TakeBatch();
        }

        if (batch is not null)
        {
            _ = SendBatchAsync(batch);
        }

        return reply.Task;
    }

    /// <summary>Sends <paramref name="request"/> on its own if it may leave at once; null if it must queue.</summary>
    private Task<TReply>? TrySendAlone(TRequest request)
    {
        lock (_queue)
        {
            if (_queue.Count > 0 || _inFlight >= limits.MaxInFlight)
            {
                return null;
            }

            _inFlight++;
        }

        Task<TReply> call;
        try
        {
            call = sendOne!(request);
        }
        catch (Exception ex)
        {
            call = Task.FromException<TReply>(ex);
        }

        call.ContinueWith(
            static (_, state) => ((RequestBatcher<TRequest, TReply>)state!).AloneFinished(), this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return call;
    }

    /// <summary>A request sent on its own was answered: its place goes to what queued meanwhile.</summary>
    private void AloneFinished()
    {
        List<(TRequest Request, TaskCompletionSource<TReply> Reply)>? batch;
        lock (_queue)
        {
            _inFlight--;
            batch = TakeBatch();
        }

        if (batch is not null)
        {
            _ = SendBatchAsync(batch);
        }
    }

    /// <summary>Under the lock: the next batch to send, or null when none may leave now.</summary>
    private List<(TRequest Request, TaskCompletionSource<TReply> Reply)>? TakeBatch()
    {
        if (_queue.Count == 0 || _inFlight >= limits.MaxInFlight)
        {
            return null;
        }

        var batch = new List<(TRequest, TaskCompletionSource<TReply>)>(Math.Min(_queue.Count, limits.MaxBatch));
        long bytes = 0;
        while (_queue.Count > 0 && batch.Count < limits.MaxBatch)
        {
            var size = sizeOf(_queue.Peek().Request);
            if (batch.Count > 0 && bytes + size > limits.MaxBatchBytes)
            {
                break;
            }

            bytes += size;
            batch.Add(_queue.Dequeue());
        }

        _inFlight++;
        return batch;
    }

    /// <summary>Sends <paramref name="batch"/>, then whatever queued meanwhile, until nothing may leave.</summary>
    private async Task SendBatchAsync(List<(TRequest Request, TaskCompletionSource<TReply> Reply)>? batch)
    {
        while (batch is not null)
        {
            try
            {
                var requests = new TRequest[batch.Count];
                for (var i = 0; i < requests.Length; i++)
                {
                    requests[i] = batch[i].Request;
                }

                var replies = requests.Length == 1 && sendOne is not null
                    ? [await sendOne(requests[0]).ConfigureAwait(false)]
                    : await send(requests).ConfigureAwait(false);
                if (replies.Length != requests.Length)
                {
                    throw new InvalidOperationException($"A batch of {requests.Length} requests was answered with {replies.Length} replies.");
                }

                for (var i = 0; i < replies.Length; i++)
                {
                    batch[i].Reply.TrySetResult(replies[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, reply) in batch)
                {
                    reply.TrySetException(ex);
                }
            }

            lock (_queue)
            {
                _inFlight--;
                batch = TakeBatch();
            }
        }
    }
}

/// <summary>The receiving side of a batch.</summary>
public static class BatchReplies
{
    /// <summary>Starts <paramref name="run"/> for every request before awaiting any, so that they proceed side by side as
    /// separate calls would, and answers each in request order: its reply, or <paramref name="failed"/> of its failure.</summary>
    public static async Task<TReply[]> AnswerEachAsync<TRequest, TReply>(TRequest[] requests, Func<TRequest, Task<TReply>> run, Func<Exception, TReply> failed)
    {
        var running = new Task<TReply>[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            try
            {
                running[i] = run(requests[i]);
            }
            catch (Exception ex)
            {
                running[i] = Task.FromException<TReply>(ex);
            }
        }

        var replies = new TReply[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            try
            {
                replies[i] = await running[i];
            }
            catch (Exception ex)
            {
                replies[i] = failed(ex);
            }
        }

        return replies;
    }
}
