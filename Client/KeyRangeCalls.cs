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
        if (request.Kind == KeyRangeRequestKind.Get)
        {
            return new(await grain.Get(request.Range, request.Key, request.Read ?? ReadOptions.Default, cancellationToken).ConfigureAwait(false));
        }

        await Write(grain, request, cancellationToken).ConfigureAwait(false);
        return KeyRangeReply.Written;
    }

    /// <summary>Calls the write method of <paramref name="request"/>'s kind (put, overwrite, delete); the grain call's own
    /// task, with no step of its own around it.</summary>
    public static Task Write(IKeyRangeGrain grain, KeyRangeRequest request, CancellationToken cancellationToken) => request.Kind switch
    {
        KeyRangeRequestKind.Put => grain.Put(request.Range, request.Key, request.Value!, request.Context!, request.Write ?? WriteOptions.Default, cancellationToken),
        KeyRangeRequestKind.Overwrite => grain.Overwrite(
            request.Range, request.Key, request.Value!, request.Read ?? ReadOptions.Default, request.Write ?? WriteOptions.Default, cancellationToken),
        KeyRangeRequestKind.Delete => grain.Delete(request.Range, request.Key, request.Context!, request.Write ?? WriteOptions.Default, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Not a key-range request."),
    };
}
