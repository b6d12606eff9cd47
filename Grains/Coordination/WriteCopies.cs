// The copies of one write, after its creator returned the key's whole version set: the set goes to every
// other replica of the key's top N. In sloppy mode a healthy standby (a node past the top N) takes the copy of
// each replica that is down or fails, as a hint for it, and counts toward W; a replica known down gets a standby of
// its own datacenter where one is live (RequestRules.StandbyOrder). A copy no standby takes is kept as a hint on
// this node.

using System.Collections.Concurrent;
using GrainKV.Grains.Membership;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Who receives the copies of one write, and the calls that send them.</summary>
public sealed class WriteCopies
{
    private readonly IReplicaCopies _copies;
    private readonly int _range;
    private readonly byte[] _key;
    private readonly StoredVersion[] _set;
    private readonly HashSet<string>? _standbys;
    private readonly List<string> _down = [];
    private ConcurrentQueue<string>? _owed;

    /// <param name="copies">Sends copies and keeps hints.</param>
    /// <param name="view">The request's ring view (which nodes are live).</param>
    /// <param name="range">The key's range.</param>
    /// <param name="key">The key.</param>
    /// <param name="set">The creator's version set.</param>
    /// <param name="others">The top-N replicas other than the creator.</param>
    /// <param name="standbys">The standbys that may stand in (none in strict mode).</param>
    public WriteCopies(IReplicaCopies copies, RingView view, int range, byte[] key, StoredVersion[] set, IEnumerable<string> others, IReadOnlyList<string> standbys)
    {
        _copies = copies;
        _range = range;
        _key = key;
        _set = set;
        var live = new List<string>();
        foreach (var node in others)
        {
            (view.IsLive(node) ? live : _down).Add(node);
        }

        // Without standbys (strict mode, or a ring of at most N nodes) there is nothing to order or look up.
        if (standbys.Count > 0)
        {
            var liveStandbys = RequestRules.StandbyOrder(view, standbys.Where(view.IsLive).ToList(), _down);
            _standbys = new HashSet<string>(liveStandbys, StringComparer.Ordinal);
            live.AddRange(liveStandbys);
            Initial = live.Count - liveStandbys.Count + Math.Min(_down.Count, liveStandbys.Count);
        }
        else
        {
            Initial = live.Count;
        }

        Candidates = live;
    }

    /// <summary>Replicas first, then standbys (asked as replicas are found down or fail).</summary>
    public List<string> Candidates { get; }

    /// <summary>Candidates asked at once: the live replicas and a standby for each replica known to be down.</summary>
    public int Initial { get; }

    /// <summary>Replicas known to be down: a standby takes each one's copy; those left over get a hint here.</summary>
    public async Task StartAsync()
    {
        var covered = Math.Min(_down.Count, _standbys?.Count ?? 0);
        for (var i = 0; i < _down.Count; i++)
        {
            if (i < covered)
            {
                Owed.Enqueue(_down[i]);
            }
            else
            {
                await _copies.KeepHintAsync(_down[i], _range, _key, _set);
            }
        }
    }

    /// <summary>Sends <paramref name="node"/>'s copy: its own if it is a replica, a replica's owed copy if a standby.
    /// True when a replica answered that it held no version the set misses; false from a replica that held one, and
    /// from a standby (a hint says nothing of what its replica holds).</summary>
    public Task<bool> SendAsync(string node) => _standbys?.Contains(node) == true ? StandInAsync(node) : CopyAsync(node);

    /// <summary>Replicas whose copy a standby is to take; made on first use (a write with no replica down or failing never needs it).</summary>
    private ConcurrentQueue<string> Owed => LazyInitializer.EnsureInitialized(ref _owed);

    private async Task<bool> CopyAsync(string node)
    {
        try
        {
            return await _copies.SendAsync(node, _range, _key, _set);
        }
        catch (Exception) when (_standbys?.Count > 0)
        {
            Owed.Enqueue(node);
            throw;
        }
    }

    private async Task<bool> StandInAsync(string standby)
    {
        if (!Owed.TryDequeue(out var owner))
        {
            throw new ReplicaUnavailableException(standby, "no replica needed a stand-in");
        }

        try
        {
            await _copies.HandOffAsync(standby, owner, _range, _key, _set);
            return false;
        }
        catch (Exception)
        {
            Owed.Enqueue(owner);
            throw;
        }
    }
}
