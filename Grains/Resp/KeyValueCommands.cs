// The string commands: GET, SET, DEL, EXISTS, MGET, MSET, over GrainKV's versioned keys (the time-to-live
// commands are in ExpiryCommands).
//
// SET reads the key (at the connection's read quorum, GRAINKV.CONSISTENCY) and writes with that read's context, so it replaces what a
// quorum read sees (every sibling included), as a Redis user expects of SET. GET answers one value: with
// siblings, the greatest in unsigned byte order (RespStore.Pick). GRAINKV.GETALL shows every sibling.
// Every argument is checked before anything is written, so a refused command stores nothing.

namespace GrainKV.Grains.Resp;

/// <summary>Handlers of the string commands.</summary>
public static class KeyValueCommands
{
    public static async ValueTask Get(RespCall call)
    {
        var read = await call.ReadAsync(call.Arguments[1]);
        call.Reply.BulkOrNull(RespStore.Pick(read));
    }

    /// <summary>SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT unix-milliseconds |
    /// KEEPTTL]. Without an expiry option the new value never expires (as in Redis); KEEPTTL keeps the expiry of the value
    /// GET would have answered.</summary>
    public static async ValueTask Set(RespCall call)
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        string? expiryOption = null;
        byte[]? expiryArgument = null;
        for (var i = 3; i < call.Arguments.Count; i++)
        {
            if (call.Is(i, "NX"))
            {
                nx = true;
            }
            else if (call.Is(i, "XX"))
            {
                xx = true;
            }
            else if (call.Is(i, "GET"))
            {
                get = true;
            }
            else if (call.Is(i, "KEEPTTL") && expiryOption is null)
            {
                keepTtl = true;
            }
            else if ((call.Is(i, "EX") || call.Is(i, "PX") || call.Is(i, "EXAT") || call.Is(i, "PXAT")) && i + 1 < call.Arguments.Count
                && expiryOption is null && !keepTtl)
            {
                expiryOption = call.Text(i).ToUpperInvariant();
                expiryArgument = call.Arguments[++i];
            }
            else
            {
                call.SyntaxError();
                return;
            }
        }

        if (nx && xx)
        {
            call.SyntaxError();
            return;
        }

        TimeSpan? ttl = null;
        if (expiryOption is not null && !ExpiryCommands.TryTimeToLive(call, expiryOption, expiryArgument!, "set", out ttl))
        {
            return;
        }

        var (key, value) = (call.Arguments[1], call.Arguments[2]);
        call.Store.CheckEntry(key, value);
        if (!nx && !xx && !get && !keepTtl)
        {
            // Nothing here depends on what the key holds: the coordinator reads and writes in one call.
            await call.OverwriteAsync(key, value, ttl);
            call.Reply.Ok();
            return;
        }

        var read = await call.ReadAsync(key);
        var previous = RespStore.Pick(read);
        if ((nx && read.Found) || (xx && !read.Found))
        {
            ReplySkipped(call, get, previous);
            return;
        }

        if (keepTtl && RespStore.PickExpiration(read) is { } expires)
        {
            ttl = ExpiryCommands.Until(call, expires);
        }

        await call.WriteAsync(key, value, read.Context, ttl);
        if (get)
        {
            call.Reply.BulkOrNull(previous);
        }
        else
        {
            call.Reply.Ok();
        }
    }

    /// <summary>SETNX key value: SET ... NX answering 1 (set) or 0 (the key exists).</summary>
    public static async ValueTask SetNx(RespCall call)
    {
        var (key, value) = (call.Arguments[1], call.Arguments[2]);
        call.Store.CheckEntry(key, value);
        var read = await call.ReadAsync(key);
        if (!read.Found)
        {
            await call.WriteAsync(key, value, read.Context);
        }

        call.Reply.Integer(read.Found ? 0 : 1);
    }

    /// <summary>DEL (and UNLINK) key [key ...]: deletes what a quorum read of each key sees; answers how many existed.</summary>
    public static async ValueTask Del(RespCall call)
    {
        var keys = Keys(call);
        var deleted = 0;
        foreach (var key in keys)
        {
            var read = await call.ReadAsync(key);
            if (read.Found)
            {
                await call.DeleteAsync(key, read.Context);
                deleted++;
            }
        }

        call.Reply.Integer(deleted);
    }

    public static async ValueTask Exists(RespCall call)
    {
        var reads = await Task.WhenAll(Keys(call).Select(k => call.ReadAsync(k)));
        call.Reply.Integer(reads.Count(r => r.Found));
    }

    public static async ValueTask MGet(RespCall call)
    {
        var reads = await Task.WhenAll(Keys(call).Select(k => call.ReadAsync(k)));
        call.Reply.ArrayHeader(reads.Length);
        foreach (var read in reads)
        {
            call.Reply.BulkOrNull(RespStore.Pick(read));
        }
    }

    /// <summary>MSET key value [key value ...]: every pair is checked first; then each distinct key is set like SET, one
    /// after another (the last value of a repeated key wins). Not atomic: a failure part-way leaves the keys already written.</summary>
    public static async ValueTask MSet(RespCall call)
    {
        if (call.Arguments.Count % 2 == 0)
        {
            call.WrongArity();
            return;
        }

        var pairs = new Dictionary<string, (byte[] Key, byte[] Value)>(StringComparer.Ordinal);
        for (var i = 1; i < call.Arguments.Count; i += 2)
        {
            call.Store.CheckEntry(call.Arguments[i], call.Arguments[i + 1]);
            pairs[Convert.ToHexString(call.Arguments[i])] = (call.Arguments[i], call.Arguments[i + 1]);
        }

        // One key after another, like that many SETs: a connection keeps one write in flight, as with SET. (All keys
        // at once let 50 connections of 10-key MSETs put 500 writes in flight, past the per-node copy limit of a
        // 3-node cluster, and they failed with NotEnoughReplicas.)
        foreach (var (key, value) in pairs.Values)
        {
            await call.OverwriteAsync(key, value);
        }

        call.Reply.Ok();
    }

    private static void ReplySkipped(RespCall call, bool get, byte[]? previous)
    {
        if (get)
        {
            call.Reply.BulkOrNull(previous);
        }
        else
        {
            call.Reply.Null();
        }
    }

    // Every key argument, each checked (empty or over 1,024 bytes: InvalidKeyException) before any is used.
    private static List<byte[]> Keys(RespCall call)
    {
        var keys = call.Arguments.Skip(1).ToList();
        keys.ForEach(k => KeyLimits.CheckKey(k));
        return keys;
    }
}
