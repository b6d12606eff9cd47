// Copies a coordinator sends past its quorum's answers (the copies of a write, read repairs, sloppy
// hand-offs) and hints it keeps itself. On a silo these are ReplicaCopies (bounded per destination, a copy
// that does not arrive kept as a hint) and the node's HintStore; coordinator tests record them.

using GrainKV.Grains.Handoff;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Copies of a key's version set to replicas and standbys, and hints kept on this node.</summary>
public interface IReplicaCopies
{
    /// <summary>Sends the versions to <paramref name="node"/>'s replica; completes once it acknowledged (true when it held
    /// no version they miss, as <see cref="IReplicaCalls.Apply"/> answers); faults (the copy then kept as a
    /// hint) otherwise, never later than the request timeout.</summary>
    Task<bool> SendAsync(string node, int range, byte[] key, StoredVersion[] versions);

    /// <summary>Hands <paramref name="owner"/>'s copy to the standby <paramref name="fallback"/>, which keeps it as a
    /// hint: true once kept there; faults (the copy then kept as a hint on this node) otherwise.</summary>
    Task<bool> HandOffAsync(string fallback, string owner, int range, byte[] key, StoredVersion[] versions);

    /// <summary>Keeps the versions on this node as a hint for <paramref name="owner"/>, delivered when it answers again.</summary>
    Task KeepHintAsync(string owner, int range, byte[] key, StoredVersion[] versions);
}

/// <summary>This node's bounded copies and hint store.</summary>
public sealed class NodeCopies(ReplicaCopies copies, HintStore hints) : IReplicaCopies
{
    public Task<bool> SendAsync(string node, int range, byte[] key, StoredVersion[] versions) => copies.SendAsync(node, range, key, versions);

    public Task<bool> HandOffAsync(string fallback, string owner, int range, byte[] key, StoredVersion[] versions) =>
        copies.HandOffAsync(fallback, owner, range, key, versions);

    public Task KeepHintAsync(string owner, int range, byte[] key, StoredVersion[] versions) => hints.AddAsync(owner, range, key, versions);
}
