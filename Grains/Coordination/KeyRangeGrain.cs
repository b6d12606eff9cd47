// The coordinator of one key range: quorum reads and writes over the range's preference list.
//
// It is a stateless worker, so it runs on the node that received the request (for a client, its
// gateway) and no request is forwarded to another node first. Dynamo lets any node coordinate a read;
// a write's new version is created on the first live preference-list node, this node when it is one,
// so the version's dot always names a replica of the key.
//
// Write: that node creates the version (its replica issues the dot, serialized per key) and returns the key's
// whole version set, which is sent to the other replicas; the write completes once W replicas hold it, and
// the remaining copies finish in the background, bounded per destination (ReplicaCopies). A copy that fails
// or cannot be sent is kept as a hint and delivered later. One deadline (RequestTimeout) covers the request.
// Read: asks R of the N replicas (this node's first, then in preference order), asking the next one
// whenever one fails, and all the remaining ones if the quorum is not in after the speculation delay;
// answers once R have answered, merging their versions (concurrent ones are returned as siblings, each distinct
// value once), and
// repairs whichever of the replicas asked is stale. A fraction of reads (ReadRepairChance) and every
// read at R = N asks all N replicas, so replicas that reads skip are repaired too.

using GrainKV.Grains.Handoff;
using GrainKV.Grains.Hosting;
using GrainKV.Grains.Membership;
using GrainKV.Partitioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using GrainKV.Grains.Ring;
using GrainKV.Versioning;

namespace GrainKV.Grains.Coordination;

/// <summary>Client-facing grain of one key range.</summary>
[GrainDirectory(LocalEntryDirectory.Name)]
[StatelessWorker]
[Reentrant]
public sealed partial class KeyRangeGrain : Grain, IKeyRangeGrain
{
    private readonly GrainKvNodeOptions _options;
    private readonly RingService _ring;
    private readonly ReplicaRouter _replicas;
    private readonly ReplicaCopies _copies;
    private readonly HintStore _hints;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRangeGrain> _logger;

    public KeyRangeGrain(
        IOptions<GrainKvNodeOptions> options, RingService ring, ReplicaRouter replicas, ReplicaCopies copies, HintStore hints, GrainKvClock clock,
        ILogger<KeyRangeGrain> logger)
    {
        _copies = copies;
        _hints = hints;
        _options = options.Value;
        _ring = ring;
        _replicas = replicas;
        _time = clock.Time;
        _logger = logger;
    }

    private int Range => (int)this.GetPrimaryKeyLong();

    public async Task<ReadResult> Get(byte[] key, ReadOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.ReadQuorum, _options.ReadQuorum);
        var nodes = ContactOrder(view, view.PreferenceList(Range, replicas));
        var everyReplica = required >= nodes.Count || (_options.ReadRepairChance > 0 && Random.Shared.NextDouble() < _options.ReadRepairChance);
        var plan = new QuorumPlan(required, everyReplica ? nodes.Count : required, _options.SpeculativeReadDelay);
        var range = Range;
        var started = _time.GetTimestamp();
        var calls = new List<Task<ReplicaAnswer<StoredVersion[]>>>(nodes.Count);
        List<ReplicaAnswer<StoredVersion[]>> answers;
        try
        {
            answers = await QuorumWait.WaitAsync(
                view, nodes, node => _replicas.Read(node, range, key), plan, _options.RequestTimeout, _time, cancellationToken, calls);
        }
        catch (NotEnoughReplicasException) when ((options.Mode ?? _options.Mode) == CapMode.Sloppy && view.Standbys(range, replicas).Any(view.IsLive))
        {
            answers = await ReadFromStandbysAsync(view, key, replicas, required, nodes, calls, started, cancellationToken);
        }

        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        if (calls.Count > answers.Count || answers.Exists(a => !VersionSet.SameSet(a.Value, merged)))
        {
            _ = RepairAsync(key, calls);
        }

        var context = merged.Length == 0 ? CausalContext.Empty : CausalContext.For(key, VersionSet.Context(merged));
        return new ReadResult(DistinctValues(merged), context);
    }

    /// <summary>The values of the live versions, each distinct value once: a write retried after its gateway failed
    /// may have been stored twice, as two equal siblings (see the client's failover rules).</summary>
    private static byte[][] DistinctValues(StoredVersion[] versions)
    {
        var values = new List<byte[]>(versions.Length);
        foreach (var version in versions)
        {
            if (!version.IsTombstone && !values.Exists(v => v.AsSpan().SequenceEqual(version.Value)))
            {
                values.Add(version.Value!);
            }
        }

        return [.. values];
    }

    /// <summary>Sloppy reads: too few of the key's replicas answered, so the standbys that may hold hinted copies for
    /// the silent ones are asked for them, and their answers count toward R.</summary>
    private async Task<List<ReplicaAnswer<StoredVersion[]>>> ReadFromStandbysAsync(
        RingView view, byte[] key, int replicas, int required, IReadOnlyList<string> nodes,
        List<Task<ReplicaAnswer<StoredVersion[]>>> calls, long started, CancellationToken cancellationToken)
    {
        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToList();
        var silent = nodes.Where(n => !answers.Exists(a => a.NodeId == n)).ToArray();
        var range = Range;
        var standbys = view.Standbys(range, replicas);
        var more = await QuorumWait.WaitAsync(
            view, standbys, node => _replicas.ReadHints(node, silent, range, key),
            new QuorumPlan(required - answers.Count, Math.Min(standbys.Count, required - answers.Count)), Remaining(started), _time, cancellationToken, []);
        answers.AddRange(more);
        return answers;
    }

    public Task Put(byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        KeyLimits.CheckEntry(key, value.Length, _options.MaxEntrySize);
        return WriteAsync(key, value, context, options, cancellationToken);
    }

    public Task Delete(byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
        WriteAsync(key, null, context, options, cancellationToken);

    private async Task WriteAsync(byte[] key, byte[]? value, CausalContext context, WriteOptions options, CancellationToken cancellationToken)
    {
        CheckOwnership(key);
        context.ClockFor(key);
        var started = _time.GetTimestamp();
        var view = _ring.Current;
        var (replicas, required) = Resolve(options.Replicas, options.WriteQuorum, _options.WriteQuorum);
        var mode = options.Mode ?? _options.Mode;
        var nodes = view.PreferenceList(Range, replicas);
        if (nodes.Count < required)
        {
            throw new NotEnoughReplicasException(required, 0, $"Only {nodes.Count} node(s) are on the ring.");
        }

        if (mode == CapMode.Strict && nodes.Count(view.IsLive) is var reachable && reachable < required)
        {
            throw new NotEnoughReplicasException(required, reachable, $"strict mode: {reachable} of the key's {nodes.Count} replicas are reachable.");
        }

        var (coordinator, set, failures) = await CreateVersionAsync(view, nodes, key, value, context, started, cancellationToken);
        if (set is null)
        {
            throw new NotEnoughReplicasException(required, 0, failures);
        }

        var copies = new WriteCopies(this, view, key, set, nodes.Where(n => n != coordinator), mode == CapMode.Sloppy ? view.Standbys(Range, replicas) : []);
        await copies.StartAsync();
        try
        {
            await QuorumWait.WaitAsync(
                view, copies.Candidates, copies.SendAsync, new QuorumPlan(required - 1, copies.Initial), Remaining(started), _time, cancellationToken, []);
        }
        catch (NotEnoughReplicasException ex)
        {
            throw new NotEnoughReplicasException(required, ex.Answered + 1, ex.Message);
        }
    }

    /// <summary>The copies of one write: the creator's set goes to every other replica of the key's top N; in sloppy
    /// mode a healthy standby (a node past the top N) takes the copy of each replica that is down or fails, as a hint,
    /// and counts toward W. A copy no standby takes is kept as a hint on this node (ReplicaCopies).</summary>
    private sealed class WriteCopies
    {
        private readonly KeyRangeGrain _grain;
        private readonly byte[] _key;
        private readonly StoredVersion[] _set;
        private readonly HashSet<string> _standbys;
        private readonly List<string> _down = [];
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _owed = new();

        public WriteCopies(KeyRangeGrain grain, RingView view, byte[] key, StoredVersion[] set, IEnumerable<string> others, IReadOnlyList<string> standbys)
        {
            _grain = grain;
            _key = key;
            _set = set;
            var live = new List<string>();
            foreach (var node in others)
            {
                (view.IsLive(node) ? live : _down).Add(node);
            }

            var liveStandbys = standbys.Where(view.IsLive).ToList();
            _standbys = new HashSet<string>(liveStandbys, StringComparer.Ordinal);
            Candidates = [.. live, .. liveStandbys];
            Initial = live.Count + Math.Min(_down.Count, liveStandbys.Count);
        }

        /// <summary>Replicas first, then standbys (asked as replicas are found down or fail).</summary>
        public List<string> Candidates { get; }

        public int Initial { get; }

        /// <summary>Replicas known to be down: a standby takes each one's copy; those left over get a hint here.</summary>
        public async Task StartAsync()
        {
            var covered = Math.Min(_down.Count, _standbys.Count);
            foreach (var owner in _down.Take(covered))
            {
                _owed.Enqueue(owner);
            }

            foreach (var owner in _down.Skip(covered))
            {
                await _grain._hints.AddAsync(owner, _grain.Range, _key, _set);
            }
        }

        public Task<bool> SendAsync(string node) => _standbys.Contains(node) ? StandInAsync(node) : CopyAsync(node);

        private async Task<bool> CopyAsync(string node)
        {
            try
            {
                return await _grain._copies.SendAsync(node, _grain.Range, _key, _set);
            }
            catch (Exception) when (_standbys.Count > 0)
            {
                _owed.Enqueue(node);
                throw;
            }
        }

        private async Task<bool> StandInAsync(string standby)
        {
            if (!_owed.TryDequeue(out var owner))
            {
                throw new ReplicaUnavailableException(standby, "no replica needed a stand-in");
            }

            try
            {
                return await _grain._copies.HandOffAsync(standby, owner, _grain.Range, _key, _set);
            }
            catch (Exception)
            {
                _owed.Enqueue(owner);
                throw;
            }
        }
    }

    /// <summary>Asks the live preference-list nodes in order (this node first if it is one) to create the version,
    /// and returns the creator's version set. A node that fails moves the request on to the next one; a node that
    /// does not answer in time ends the request (it may still create the version, and a second creator would store
    /// the write twice).</summary>
    private async Task<(string? Node, StoredVersion[]? Versions, string Failures)> CreateVersionAsync(
        RingView view, IReadOnlyList<string> nodes, byte[] key, byte[]? value, CausalContext context, long started, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var node in ContactOrder(view, nodes))
        {
            if (!view.IsLive(node))
            {
                (errors ??= []).Add($"node '{node}' is down");
                continue;
            }

            try
            {
                var set = await _replicas.Coordinate(node, Range, key, value, context).WaitAsync(Remaining(started), _time, cancellationToken);
                return (node, set, "");
            }
            catch (TimeoutException)
            {
                throw new RequestTimeoutException(
                    $"Node '{node}' did not create the new version within {_options.RequestTimeout.TotalMilliseconds:0} ms; the write may still be applied. Read the key to find out.");
            }
            catch (Exception ex) when (ex is not (WrongRangeException or ContextMismatchException or InvalidRequestException or OperationCanceledException))
            {
                (errors ??= []).Add($"node '{node}': {ex.Message}");
            }
        }

        return (null, null, string.Join("; ", errors ?? []));
    }

    /// <summary>What is left of the request's one deadline.</summary>
    private TimeSpan Remaining(long started)
    {
        var left = _options.RequestTimeout - _time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>The order replicas are asked in: this node, then live nodes in preference order, then the rest
    /// (which fail at once, but name themselves in the error).</summary>
    private List<string> ContactOrder(RingView view, IReadOnlyList<string> nodes)
    {
        var local = _replicas.LocalNode;
        var ordered = new List<string>(nodes.Count);
        if (nodes.Contains(local))
        {
            ordered.Add(local);
        }

        ordered.AddRange(nodes.Where(n => n != local && view.IsLive(n)));
        ordered.AddRange(nodes.Where(n => n != local && !view.IsLive(n)));
        return ordered;
    }

    /// <summary>After a read: once every replica asked has answered (or timed out), brings the stale ones up to date.
    /// Copies that fail are kept as hints (ReplicaCopies).</summary>
    private async Task RepairAsync(byte[] key, List<Task<ReplicaAnswer<StoredVersion[]>>> calls)
    {
        try
        {
            await Task.WhenAll(calls).WaitAsync(_options.RequestTimeout, _time);
        }
        catch (Exception)
        {
            // Replicas that failed or did not answer are not compared.
        }

        var answers = calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result).ToArray();
        var merged = VersionSet.Merge(answers.SelectMany(a => a.Value));
        foreach (var stale in answers.Where(a => !VersionSet.SameSet(a.Value, merged)))
        {
            try
            {
                await _copies.SendAsync(stale.NodeId, Range, key, merged);
                LogRepaired(stale.NodeId, Range);
            }
            catch (Exception ex)
            {
                LogRepairFailed(ex, stale.NodeId, Range);
            }
        }
    }

    private (int Replicas, int Required) Resolve(int? replicas, Acks? acks, int defaultAcks)
    {
        var n = replicas ?? _options.ReplicationFactor;
        if (n < 1)
        {
            throw new InvalidRequestException($"N must be at least 1, not {n}.");
        }

        var required = acks?.Resolve(n) ?? Math.Min(defaultAcks, n);
        if (required < 1 || required > n)
        {
            throw new InvalidRequestException($"The quorum ({required}) must be between 1 and N ({n}).");
        }

        return (n, required);
    }

    private void CheckOwnership(byte[] key)
    {
        KeyLimits.CheckKey(key);
        var owner = KeyPartitioner.RangeOf(key, _options.RangeCount);
        if (owner != Range)
        {
            throw new WrongRangeException(
                $"Key belongs to range {owner} of {_options.RangeCount}, not to range {Range}; is the client configured with the cluster's range count?");
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Read repair brought node {NodeId} up to date in range {Range}")]
    private partial void LogRepaired(string nodeId, int range);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Read repair of node {NodeId} in range {Range} failed; the copy is kept as a hint")]
    private partial void LogRepairFailed(Exception exception, string nodeId, int range);
}
