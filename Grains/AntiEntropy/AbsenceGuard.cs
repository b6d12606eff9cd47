// The rule for a node that was away longer than the tombstone grace period: it does not start on its old data.
//
// While it was away, the other replicas may have purged tombstones (every replica *then in the preference list*
// held them, and they were older than the grace period). Its own data may still hold the versions those
// tombstones deleted, and an exchange would copy them back to everyone. So every node records, in
// <DataDirectory>/alive, the time it was last up (written at start, every min(grace / 4, 1 min) and at a clean
// stop; durable), and a start that finds the record older than the grace period refuses with one line telling
// the operator to empty the data directory: the node then rejoins empty and anti-entropy refills it from the
// other replicas (the wiped-node test shows this). GrainKV:AntiEntropy:AcceptStaleData=true overrides the check
// (accepting that deleted keys may come back). A node without the file (new or wiped) starts as usual.

using System.Globalization;
using GrainKV.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainKV.Grains.AntiEntropy;

/// <summary>Refuses a start on data older than the tombstone grace period; keeps the "last up" record.</summary>
public sealed partial class AbsenceGuard(NodeIdentity node, IOptions<GrainKvNodeOptions> options, GrainKvClock clock, ILogger<AbsenceGuard> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The record's file name in the data directory.</summary>
    public const string FileName = "alive";

    private readonly AntiEntropyOptions _options = options.Value.AntiEntropy;
    private ITimer? _timer;

    private string Path => System.IO.Path.Combine(node.DataDirectory, FileName);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AbsenceGuard), ServiceLifecycleStage.RuntimeInitialize - 1, Start, Stop);

    /// <summary>Null if a node whose "last up" record is <paramref name="lastUp"/> may start at <paramref name="now"/>;
    /// otherwise why not.</summary>
    public static string? Check(DateTimeOffset? lastUp, DateTimeOffset now, TimeSpan grace, bool acceptStaleData) =>
        lastUp is { } last && now - last > grace && !acceptStaleData
            ? $"this node was last up {last:u}, {(now - last).TotalHours:F1} h ago, longer than the tombstone grace period " +
              $"({grace.TotalHours:F1} h): deleted keys it still holds could come back. Empty its data directory and start it " +
              "again (anti-entropy refills it), or set GrainKV:AntiEntropy:AcceptStaleData=true to start on its old data anyway."
            : null;

    /// <summary>The "last up" record in <paramref name="dataDirectory"/>, or null if there is none.</summary>
    public static DateTimeOffset? ReadLastUp(string dataDirectory)
    {
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
    }

    private Task Start(CancellationToken cancellationToken)
    {
        var now = clock.Time.GetUtcNow();
        if (Check(ReadLastUp(node.DataDirectory), now, _options.TombstoneGracePeriod, _options.AcceptStaleData) is { } refusal)
        {
            LogRefused(node.NodeId, refusal);
            throw new InvalidOperationException($"Node {node.NodeId}: {refusal}");
        }

        Directory.CreateDirectory(node.DataDirectory);
        Stamp();
        var every = TimeSpan.FromTicks(Math.Min(_options.TombstoneGracePeriod.Ticks / 4, TimeSpan.FromMinutes(1).Ticks));
        _timer = clock.Time.CreateTimer(_ => StampQuietly(), null, every, every);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        StampQuietly();
        return Task.CompletedTask;
    }

    private void Stamp() => DurableFile.WriteAllText(Path, clock.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    private void StampQuietly()
    {
        try
        {
            Stamp();
        }
        catch (Exception ex)
        {
            LogStampFailed(ex, Path);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(EventId = 730, Level = LogLevel.Critical, Message = "Node {NodeId} refuses to start: {Reason}")]
    private partial void LogRefused(string nodeId, string reason);

    [LoggerMessage(EventId = 731, Level = LogLevel.Warning, Message = "Could not record that this node is up in {Path}")]
    private partial void LogStampFailed(Exception exception, string path);
}
