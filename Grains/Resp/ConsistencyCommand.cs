// GRAINKV.CONSISTENCY: the consistency of one connection's requests, kept for the rest of the connection.
//
//   GRAINKV.CONSISTENCY                         -> the connection's settings: n, r, w, mode, level (each "default" when unset)
//   GRAINKV.CONSISTENCY [N n|DEFAULT] [R ONE|QUORUM|ALL|k|DEFAULT] [W ...] [MODE SLOPPY|STRICT|DEFAULT]
//                       [LEVEL ONE|QUORUM|ALL|LOCAL_QUORUM|EACH_QUORUM|DEFAULT]
//                                               -> +OK; the named fields change, the others stay. A level and explicit
//                                                  counts exclude each other: LEVEL clears R and W, R or W clears LEVEL.
//   GRAINKV.CONSISTENCY DEFAULT                 -> +OK; every field back to the cluster's default
//
// Settings are checked together against the cluster's defaults before any is kept (R or W above N is refused), so a
// refused command changes nothing. Every read (GET, MGET, EXISTS, TTL, and the read before a write) uses R, every
// write and delete W; both use N and the mode.

namespace GrainKV.Grains.Resp;

/// <summary>Handler of GRAINKV.CONSISTENCY.</summary>
public static class ConsistencyCommand
{
    public static ValueTask Run(RespCall call)
    {
        var session = call.Session;
        if (call.Arguments.Count == 1)
        {
            ReplySettings(call);
            return ValueTask.CompletedTask;
        }

        var (reads, writes) = (session.Reads, session.Writes);
        if (call.Arguments.Count == 2 && call.Is(1, "DEFAULT"))
        {
            (session.Reads, session.Writes) = (ReadOptions.Default, WriteOptions.Default);
            call.Reply.Ok();
            return ValueTask.CompletedTask;
        }

        if (call.Arguments.Count % 2 == 0)
        {
            call.SyntaxError();
            return ValueTask.CompletedTask;
        }

        for (var i = 1; i < call.Arguments.Count; i += 2)
        {
            var value = call.Text(i + 1);
            var unset = value.Equals("DEFAULT", StringComparison.OrdinalIgnoreCase);
            switch (call.Text(i).ToUpperInvariant())
            {
                case "N":
                    int? n = unset ? null : int.TryParse(value, out var parsed) && parsed > 0 ? parsed : -1;
                    if (n == -1)
                    {
                        call.Reply.Error($"ERR N must be a positive integer, not '{value}'");
                        return ValueTask.CompletedTask;
                    }

                    (reads, writes) = (reads with { Replicas = n }, writes with { Replicas = n });
                    break;
                case "R":
                    if (!TryAcks(call, "R", value, unset, out var r))
                    {
                        return ValueTask.CompletedTask;
                    }

                    (reads, writes) = (reads with { ReadQuorum = r, Consistency = null }, writes with { Consistency = null });
                    break;
                case "W":
                    if (!TryAcks(call, "W", value, unset, out var w))
                    {
                        return ValueTask.CompletedTask;
                    }

                    (reads, writes) = (reads with { Consistency = null }, writes with { WriteQuorum = w, Consistency = null });
                    break;
                case "LEVEL":
                    ConsistencyLevel? level = null;
                    if (!unset && !ConsistencyLevels.TryParse(value, out level))
                    {
                        call.Reply.Error($"ERR LEVEL must be ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM, not '{value}'");
                        return ValueTask.CompletedTask;
                    }

                    (reads, writes) = (reads with { ReadQuorum = null, Consistency = level }, writes with { WriteQuorum = null, Consistency = level });
                    break;
                case "MODE":
                    CapMode? mode = unset ? null : value.ToUpperInvariant() switch { "SLOPPY" => CapMode.Sloppy, "STRICT" => CapMode.Strict, _ => (CapMode)0 };
                    if (mode == 0)
                    {
                        call.Reply.Error($"ERR MODE must be SLOPPY or STRICT, not '{value}'");
                        return ValueTask.CompletedTask;
                    }

                    (reads, writes) = (reads with { Mode = mode }, writes with { Mode = mode });
                    break;
                default:
                    call.Reply.Error($"ERR unknown consistency setting '{call.Text(i)}' (N, R, W, MODE or LEVEL)");
                    return ValueTask.CompletedTask;
            }
        }

        var defaults = call.Store.Defaults;
        try
        {
            Coordination.RequestRules.Resolve(reads.Replicas, reads.ReadQuorum, defaults.ReplicationFactor, defaults.ReadQuorum);
            Coordination.RequestRules.Resolve(writes.Replicas, writes.WriteQuorum, defaults.ReplicationFactor, defaults.WriteQuorum);
        }
        catch (InvalidRequestException ex)
        {
            call.Reply.Error($"ERR {ex.Message} Nothing was changed.");
            return ValueTask.CompletedTask;
        }

        (session.Reads, session.Writes) = (reads, writes);
        call.Reply.Ok();
        return ValueTask.CompletedTask;
    }

    private static bool TryAcks(RespCall call, string name, string value, bool unset, out Acks? acks)
    {
        acks = null;
        if (unset)
        {
            return true;
        }

        try
        {
            acks = Acks.Parse(value);
            return true;
        }
        catch (FormatException ex)
        {
            call.Reply.Error($"ERR {name}: {ex.Message}");
            return false;
        }
    }

    private static void ReplySettings(RespCall call)
    {
        var (reads, writes) = (call.Session.Reads, call.Session.Writes);
        string[] fields =
        [
            "n", reads.Replicas?.ToString() ?? "default",
            "r", reads.ReadQuorum?.ToString() ?? "default",
            "w", writes.WriteQuorum?.ToString() ?? "default",
            "mode", reads.Mode?.ToString().ToLowerInvariant() ?? "default",
            "level", reads.Consistency?.Name() ?? "default",
        ];
        if (call.Reply.Protocol == 3)
        {
            call.Reply.MapHeader(fields.Length / 2);
        }
        else
        {
            call.Reply.ArrayHeader(fields.Length);
        }

        foreach (var field in fields)
        {
            call.Reply.BulkString(field);
        }
    }
}
