// Client failover: what the client retries when a gateway fails a request, and what it never retries.
//
// - A read is retried (up to Attempts, each attempt bounded by ReadAttemptTimeout) when the failure is the
//   gateway's: it died or lost its connection (SiloUnavailableException, ConnectionFailedException), rejected
//   the message (OrleansMessageRejectionException, GatewayTooBusyException), or did not answer within the
//   attempt's bound. The Orleans client sends the retry through another gateway it still reaches. Reads change
//   nothing, so a retry is always safe.
// - A write (put, delete) is retried only when its message provably never reached a coordinator: the client
//   could not connect (ConnectionFailedException) or the gateway refused it unprocessed (GatewayTooBusyException).
//   Any other failure may come after a coordinator created the version; sending the write again would store it
//   twice, as two siblings of one write, so the failure goes to the caller (read the key, then write with its
//   context: that is always safe).
// - GrainKV's own errors (not enough replicas, bad input, timeouts of a coordinator) are answers, not gateway
//   failures, and are never retried here.

using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace GrainKV.Client;

/// <summary>Retry rules for requests whose gateway failed them.</summary>
internal static class GatewayFailover
{
    /// <summary>Runs a read, retrying gateway failures.</summary>
    public static async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, GrainKvClientOptions options, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(options.ReadAttemptTimeout);
            try
            {
                return await read(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < options.Attempts && !cancellationToken.IsCancellationRequested
                                       && (IsGatewayFailure(ex) || (ex is OperationCanceledException or TimeoutException && bound.IsCancellationRequested)))
            {
            }
        }
    }

    /// <summary>Runs a write, retrying only failures that prove it never reached a coordinator.</summary>
    public static async Task WriteAsync(Func<Task> write, GrainKvClientOptions options, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < options.Attempts && !cancellationToken.IsCancellationRequested && NeverDelivered(ex))
            {
            }
        }
    }

    /// <summary>The gateway failed the request (it may or may not have forwarded it).</summary>
    public static bool IsGatewayFailure(Exception ex) =>
        NeverDelivered(ex) || ex is SiloUnavailableException or OrleansMessageRejectionException;

    /// <summary>The request never left this client or was refused unprocessed.</summary>
    public static bool NeverDelivered(Exception ex) => ex is ConnectionFailedException or GatewayTooBusyException;
}
