// Client failover: what the client retries when a gateway fails a request, and what it never retries.
//
// - A request goes through the gateway GatewayPool chooses. It fails over to another gateway (up to Attempts in all,
//   pausing RetryDelay first, doubling each time up to one second) when the failure is the gateway's: the client
//   could not connect to it or lost the connection with the request in flight (ConnectionFailedException, the
//   gateway's loss signal, SiloUnavailableException), or the gateway rejected the message
//   (OrleansMessageRejectionException, GatewayTooBusyException). A gateway that refused a connection or lost it is
//   paused (GatewayPool), so the retry goes elsewhere; one that answered with a rejection is alive and is not.
// - Reads change nothing, so any retry is safe; an attempt that has no answer within ReadAttemptTimeout is also
//   retried.
// - Writes (put, overwrite, delete) are retried on the same failures, although a write whose gateway died with it in flight
//   may already have been applied. The retry then creates a second version with the same value and the same
//   context: a sibling equal to the first, which reads return once (the coordinator returns distinct values) and
//   which the next write with a read's context supersedes together with the first. What a retry can add is thus
//   at most a duplicate of the write itself, never a lost or foreign value; and it cannot undo a write acknowledged
//   in between, only stand beside it as a sibling. An overwrite retried supersedes what its read finds then (the first
//   attempt's version too, if it was applied), exactly as an overwrite issued a moment later would: that is what an
//   overwrite means. A write is not cut short by a timeout of its own: the cluster answers within its RequestTimeout,
//   and a dead gateway is caught by the loss signal.
// - A request sent in a batch (GrainKvClientOptions.BatchRequests, Gateway.SendAsync) follows the same rules: its
//   batch fails with the gateway's failure, and is cancelled when the gateway's connection is lost; the wait for one
//   request can end (its caller's token, a read's attempt timeout) while the batch runs on.
// - GrainKV's own errors (not enough replicas, bad input, timeouts of a coordinator) are answers, not gateway
//   failures, and are never retried here.

using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace GrainKV.Client;

/// <summary>Retry rules for requests whose gateway failed them.</summary>
internal static class GatewayFailover
{
    /// <summary>Runs a read through the pool's gateways, retrying gateway failures and attempts without an answer.</summary>
    public static Task<T> ReadAsync<T>(GatewayPool pool, Func<Gateway, CancellationToken, Task<T>> read, GrainKvClientOptions options, CancellationToken cancellationToken) =>
        RunAsync(pool, read, options.ReadAttemptTimeout, options, cancellationToken);

    /// <summary>Runs a write through the pool's gateways, retrying gateway failures; <paramref name="affinity"/> (the key's
    /// range) picks the gateway tried first (<see cref="GatewayPool.Choose"/>).</summary>
    public static Task WriteAsync(
        GatewayPool pool, Func<Gateway, CancellationToken, Task> write, GrainKvClientOptions options, CancellationToken cancellationToken, int? affinity = null) =>
        RunAsync(
            pool,
            async (gateway, token) =>
            {
                await write(gateway, token).ConfigureAwait(false);
                return true;
            },
            Timeout.InfiniteTimeSpan,
            options,
            cancellationToken,
            affinity);

    private static async Task<T> RunAsync<T>(
        GatewayPool pool, Func<Gateway, CancellationToken, Task<T>> call, TimeSpan attemptTimeout, GrainKvClientOptions options, CancellationToken cancellationToken,
        int? affinity = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var gateway = pool.Choose(affinity);
            var lost = gateway.Lost;
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lost);
            if (attemptTimeout != Timeout.InfiniteTimeSpan)
            {
                bound.CancelAfter(attemptTimeout);
            }

            try
            {
                var result = await call(gateway, bound.Token).ConfigureAwait(false);
                gateway.Answered();
                return result;
            }
            catch (GrainKvException)
            {
                gateway.Answered();
                throw;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Retryable(ex, lost, bound))
            {
                if (lost.IsCancellationRequested || ex is ConnectionFailedException)
                {
                    pool.Pause(gateway);
                }
                else
                {
                    gateway.Released();
                }

                if (attempt >= options.Attempts)
                {
                    throw;
                }
            }
            catch (Exception)
            {
                gateway.Released();
                throw;
            }

            await PauseAsync(attempt, options, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Retryable(Exception ex, CancellationToken lost, CancellationTokenSource bound) =>
        IsGatewayFailure(ex) || (ex is OperationCanceledException or TimeoutException && (lost.IsCancellationRequested || bound.IsCancellationRequested));

    private static Task PauseAsync(int attempt, GrainKvClientOptions options, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(options.RetryDelay.Ticks << Math.Min(attempt - 1, 10), TimeSpan.TicksPerSecond));
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }

    /// <summary>The gateway failed the request: the client could not reach it or lost it, or it (or the silo behind it)
    /// rejected the message.</summary>
    public static bool IsGatewayFailure(Exception ex) =>
        ex is ConnectionFailedException or GatewayTooBusyException or SiloUnavailableException or OrleansMessageRejectionException;
}
