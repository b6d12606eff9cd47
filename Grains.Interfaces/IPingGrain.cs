// A round trip to a gateway and back with nothing else done: what `grainkv ping` measures, and the floor any
// request through the client pays (the cluster benchmark's orleans-echo target).

namespace GrainKV;

/// <summary>Echoes its payload from the silo that receives the call (key: always 0).</summary>
[Alias("grainkv.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Returns <paramref name="payload"/> unchanged.</summary>
    [Alias("Echo")]
    Task<byte[]> Echo(byte[] payload, CancellationToken cancellationToken = default);
}
