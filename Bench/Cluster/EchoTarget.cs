// The floor of the cluster benchmark: every operation is one echo of a value (the workload's value size)
// through the GrainKV client to a silo and back, with nothing stored or looked up. What GrainKV costs above
// this is its own work; what this costs is the Orleans client -> gateway round trip on this machine.

using GrainKV.Client;

namespace GrainKV.Bench.Cluster;

internal sealed class EchoTarget(string name, GrainKvClient client) : IKvTarget
{
    private byte[] _payload = new byte[1024];

    public string Name => name;

    public Task ReadAsync(int worker, string key, CancellationToken cancellationToken) => client.EchoAsync(_payload, cancellationToken);

    public Task UpdateAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) => EchoAsync(value, cancellationToken);

    public Task InsertAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) => EchoAsync(value, cancellationToken);

    public Task ReadModifyWriteAsync(int worker, string key, byte[] value, CancellationToken cancellationToken) => EchoAsync(value, cancellationToken);

    /// <summary>Sends the value; later reads echo one of the same size, as a read of it would return.</summary>
    private Task EchoAsync(byte[] value, CancellationToken cancellationToken)
    {
        _payload = value;
        return client.EchoAsync(value, cancellationToken);
    }

    /// <summary>The client is shared and disposed by its owner.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
