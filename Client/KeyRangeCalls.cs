// A client request as a call of its own to the key-range grain: what a client with batching off sends, and what a
// batch of one becomes.

namespace GrainKV.Client;

/// <summary>Sends one <see cref="KeyRangeRequest"/> as the <see cref="IKeyRangeGrain"/> call its kind names.</summary>
internal static class KeyRangeCalls
{
    /// <summary>Calls the method of <paramref name="request"/>'s kind; a get's result, or <see cref="KeyRangeReply.Written"/>.
    /// Failures are thrown.</summary>
    public static async Task<KeyRangeReply> CallAsync(IKeyRangeGrain grain, KeyRangeRequest request, CancellationToken cancellationToken)
    {
        switch (request.Kind)
        {
            case KeyRangeRequestKind.Get:
                return new(await grain.Get(request.Range, request.Key, request.Read ?? ReadOptions.Default, cancellationToken).ConfigureAwait(false));
            case KeyRangeRequestKind.Put:
                await grain.Put(request.Range, request.Key, request.Value!, request.Context!, request.Write ?? WriteOptions.Default, cancellationToken).ConfigureAwait(false);
                break;
            case KeyRangeRequestKind.Overwrite:
                await grain.Overwrite(request.Range, request.Key, request.Value!, request.Read ?? ReadOptions.Default, request.Write ?? WriteOptions.Default, cancellationToken)
                    .ConfigureAwait(false);
                break;
            case KeyRangeRequestKind.Delete:
                await grain.Delete(request.Range, request.Key, request.Context!, request.Write ?? WriteOptions.Default, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Not a key-range request.");
        }

        return KeyRangeReply.Written;
    }
}
