// The pure core of a read: what the answers of a quorum mean, with no calls and no clock. Merging keeps every
// version no other covers (concurrent ones are siblings); a replica's headers (its versions without values) are
// covered when each is one of the merge's writes or superseded by one, and otherwise its values must be read; a
// replica whose answer differs from the merge (or, answering headers, lacks one of its versions) is stale and gets a
// repair; the client sees each distinct live value once (expired versions read as absent, but their clocks stay in
// the context, so a write with it supersedes them).

using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Decisions a read takes from its replicas' answers.</summary>
public static class ReadCore
{
    /// <summary>Whether a read asks every replica at once rather than R: at R = N, and on a fraction
    /// (<paramref name="repairChance"/>) of reads so that replicas reads skip are repaired too.</summary>
    public static bool AsksEveryReplica(int required, int replicas, double repairChance, Random random) =>
        required >= replicas || (repairChance > 0 && random.NextDouble() < repairChance);

    /// <summary>Every version of the answers that no other covers. A single answer of at most one version (the usual read
    /// at R = 1) is its own merge and is returned as it is.</summary>
    public static StoredVersion[] Merge(IEnumerable<ReplicaAnswer<StoredVersion[]>> answers) =>
        answers is IReadOnlyList<ReplicaAnswer<StoredVersion[]>> { Count: 1 } one && one[0].Value.Length <= 1
            ? one[0].Value
            : VersionSet.Merge(answers.SelectMany(a => a.Value));

    /// <summary>The replicas whose answer is stale against <paramref name="merged"/> (<see cref="IsStale"/>).</summary>
    public static IEnumerable<string> Stale(
        IEnumerable<ReplicaAnswer<StoredVersion[]>> answers, StoredVersion[] merged, HeaderReplicas? headerNodes = null,
        long createdBeforeMs = long.MaxValue) =>
        answers.Where(a => IsStale(a, merged, headerNodes, createdBeforeMs)).Select(a => a.NodeId);

    /// <summary>Whether a replica's answer is stale against <paramref name="merged"/>: when it lacks one of merged's
    /// versions created before <paramref name="createdBeforeMs"/> (Unix milliseconds, by its creator's clock; younger
    /// ones are still on their way with their writes). A replica asked for its versions' headers (one of
    /// <paramref name="headerNodes"/>) holds a version when it holds its header (<see cref="StoredVersion.SameHeader"/>);
    /// one asked for its versions, when its versions are not merged's and (given an age limit) it lacks such a version as
    /// a write (<see cref="StoredVersion.SameWrite"/>).</summary>
    public static bool IsStale(
        ReplicaAnswer<StoredVersion[]> answer, StoredVersion[] merged, HeaderReplicas? headerNodes, long createdBeforeMs = long.MaxValue) =>
        headerNodes?.Contains(answer.NodeId) == true
            ? Lacks(answer.Value, merged, createdBeforeMs, headersOnly: true)
            : !VersionSet.SameSet(answer.Value, merged) && (createdBeforeMs == long.MaxValue || Lacks(answer.Value, merged, createdBeforeMs, headersOnly: false));

    /// <summary>Whether a repair may be needed: a replica asked has not answered yet, or one answered stale.</summary>
    public static bool MayNeedRepair(
        int asked, IReadOnlyCollection<ReplicaAnswer<StoredVersion[]>> answers, StoredVersion[] merged, HeaderReplicas? headerNodes = null,
        long createdBeforeMs = long.MaxValue) =>
        asked > answers.Count || Stale(answers, merged, headerNodes, createdBeforeMs).Any();

    /// <summary>Whether a replica's versions read without their values (<paramref name="headers"/>) hold nothing
    /// <paramref name="merged"/> (versions with their values) lacks: each is one of merged's writes
    /// (<see cref="StoredVersion.SameHeader"/>) or superseded by one of them. Then merged is also the merge with that
    /// replica's versions, and their values need not be read.</summary>
    public static bool Covers(StoredVersion[] merged, StoredVersion[] headers)
    {
        // Loops, not LINQ: this runs for every read at R > 1.
        foreach (var header in headers)
        {
            var covered = false;
            foreach (var version in merged)
            {
                if (version.SameHeader(header) || header.IsObsoletedBy(version))
                {
                    covered = true;
                    break;
                }
            }

            if (!covered)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a replica whose versions' headers are <paramref name="headers"/> lacks one of
    /// <paramref name="merged"/>'s versions (a repair would bring it).</summary>
    public static bool Lacks(StoredVersion[] headers, StoredVersion[] merged) => Lacks(headers, merged, long.MaxValue, headersOnly: true);

    /// <summary>Whether a replica holding <paramref name="held"/> lacks one of <paramref name="merged"/>'s versions created
    /// before <paramref name="createdBeforeMs"/>: matched by header when <paramref name="headersOnly"/>, else as the same
    /// write.</summary>
    private static bool Lacks(StoredVersion[] held, StoredVersion[] merged, long createdBeforeMs, bool headersOnly)
    {
        foreach (var version in merged)
        {
            if (version.TimestampMs >= createdBeforeMs)
            {
                continue;
            }

            var found = false;
            foreach (var other in held)
            {
                if (headersOnly ? version.SameHeader(other) : version.SameWrite(other))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The nodes of <paramref name="nodes"/> without an answer.</summary>
    public static string[] Silent(IEnumerable<string> nodes, IReadOnlyCollection<ReplicaAnswer<StoredVersion[]>> answers) =>
        nodes.Where(n => !answers.Any(a => a.NodeId == n)).ToArray();

    /// <summary>What the client gets at <paramref name="nowMs"/> (Unix milliseconds): the values of the live versions,
    /// their expiries (none when no value expires: nothing to send), and the context of all versions (expired ones
    /// included).</summary>
    public static ReadResult Result(byte[] key, StoredVersion[] merged, long nowMs)
    {
        var (values, expirations) = LiveValues(merged, nowMs);
        return new(values, ContextOf(key, merged), Array.Exists(expirations, e => e is not null) ? expirations : null);
    }

    /// <summary>The causal context a client is given for <paramref name="merged"/>: that of all its versions, expired ones
    /// included (empty for none).</summary>
    public static CausalContext ContextOf(byte[] key, StoredVersion[] merged) =>
        merged.Length == 0 ? CausalContext.Empty : CausalContext.For(key, VersionSet.Context(merged));

    /// <summary>The values of the versions live at <paramref name="nowMs"/>, each distinct value once: a write retried
    /// after its gateway failed may have been stored twice, as two equal siblings (see the client's failover rules).</summary>
    public static byte[][] DistinctValues(StoredVersion[] versions, long nowMs) => LiveValues(versions, nowMs).Values;

    /// <summary>Like <see cref="DistinctValues"/>, with each value's expiry (null: never): for a value held by several
    /// versions, the latest.</summary>
    public static (byte[][] Values, DateTimeOffset?[] Expirations) LiveValues(StoredVersion[] versions, long nowMs)
    {
        var values = new List<byte[]>(versions.Length);
        var expiries = new List<long>(versions.Length);
        foreach (var version in versions)
        {
            if (!version.IsLiveAt(nowMs))
            {
                continue;
            }

            var index = values.FindIndex(v => v.AsSpan().SequenceEqual(version.Value));
            if (index < 0)
            {
                values.Add(version.Value!);
                expiries.Add(version.ExpiresAtMs);
            }
            else if (expiries[index] != 0)
            {
                expiries[index] = version.Expires ? Math.Max(expiries[index], version.ExpiresAtMs) : 0;
            }
        }

        return ([.. values], expiries.Select(e => e == 0 ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(e)).ToArray());
    }
}

/// <summary>The replicas a read asked for their versions' headers only: every node of its contact order
/// (<paramref name="Nodes"/>) but the one asked for the values (<paramref name="ValuesFrom"/>). Standbys asked for hints
/// are not among them.</summary>
public readonly record struct HeaderReplicas(IReadOnlyList<string> Nodes, string ValuesFrom)
{
    /// <summary>Whether <paramref name="node"/> was asked for headers only.</summary>
    public bool Contains(string node)
    {
        if (string.Equals(node, ValuesFrom, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            if (string.Equals(Nodes[i], node, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
