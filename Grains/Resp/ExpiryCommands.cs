// The time-to-live commands: SETEX, PSETEX, TTL, PTTL, EXPIRE, PEXPIRE, PERSIST (SET's EX/PX/EXAT/PXAT/KEEPTTL
// options are parsed here too).
//
// Expiry belongs to a version in GrainKV, not to a key: EXPIRE and PERSIST therefore read the key and write the value
// GET answers back with the new expiry (or none), superseding what the read saw, as SET does. On a key with
// siblings that resolves them to that one value. TTL and PTTL report the expiry of the value GET answers, measured
// on GrainKV's clock. A non-positive EXPIRE deletes the key, as in Redis.

namespace GrainKV.Grains.Resp;

/// <summary>Handlers of the time-to-live commands.</summary>
public static class ExpiryCommands
{
    /// <summary>SETEX key seconds value; PSETEX key milliseconds value.</summary>
    public static async ValueTask SetEx(RespCall call)
    {
        var name = call.Text(0).ToLowerInvariant();
        if (!TryTimeToLive(call, name == "psetex" ? "PX" : "EX", call.Arguments[2], name, out var ttl))
        {
            return;
        }

        var (key, value) = (call.Arguments[1], call.Arguments[3]);
        call.Store.CheckEntry(key, value);
        var read = await call.ReadAsync(key);
        await call.WriteAsync(key, value, read.Context, ttl);
        call.Reply.Ok();
    }

    /// <summary>TTL key (seconds) and PTTL key (milliseconds): -2 when the key is absent, -1 when its value never expires.</summary>
    public static async ValueTask Ttl(RespCall call)
    {
        var read = await call.ReadAsync(call.Arguments[1]);
        if (!read.Found)
        {
            call.Reply.Integer(-2);
            return;
        }

        if (RespStore.PickExpiration(read) is not { } expires)
        {
            call.Reply.Integer(-1);
            return;
        }

        var left = Math.Max(0, expires.ToUnixTimeMilliseconds() - call.Store.NowMs);
        call.Reply.Integer(call.Is(0, "PTTL") ? left : (left + 500) / 1000);
    }

    /// <summary>EXPIRE key seconds [NX | XX | GT | LT]; PEXPIRE key milliseconds [...]: 1 if the expiry was set, 0 if the key
    /// is absent or the condition did not hold. A time that is not positive deletes the key.</summary>
    public static async ValueTask Expire(RespCall call)
    {
        var name = call.Text(0).ToLowerInvariant();
        if (!long.TryParse(call.Text(2), out var amount))
        {
            call.Reply.Error("ERR value is not an integer or out of range");
            return;
        }

        string? condition = null;
        for (var i = 3; i < call.Arguments.Count; i++)
        {
            var word = call.Text(i).ToUpperInvariant();
            if (word is not ("NX" or "XX" or "GT" or "LT") || (condition is not null && condition != word))
            {
                call.Reply.Error(condition is null || word is not ("NX" or "XX" or "GT" or "LT")
                    ? $"ERR Unsupported option {call.Text(i)}"
                    : "ERR NX and XX, GT or LT options at the same time are not compatible");
                return;
            }

            condition = word;
        }

        var scale = name == "pexpire" ? 1 : 1000;
        if (amount > (long)KeyLimits.MaxTimeToLive.TotalMilliseconds / scale)
        {
            call.Reply.Error($"ERR invalid expire time in '{name}' command");
            return;
        }

        var milliseconds = amount <= 0 ? 0 : amount * scale;
        var key = call.Arguments[1];
        KeyLimits.CheckKey(key);
        var read = await call.ReadAsync(key);
        if (!read.Found)
        {
            call.Reply.Integer(0);
            return;
        }

        var current = RespStore.PickExpiration(read);
        var proposed = DateTimeOffset.FromUnixTimeMilliseconds(call.Store.NowMs + milliseconds);
        var allowed = condition switch
        {
            "NX" => current is null,
            "XX" => current is not null,
            "GT" => current is { } gt && proposed > gt,
            "LT" => current is not { } lt || proposed < lt,
            _ => true,
        };
        if (!allowed)
        {
            call.Reply.Integer(0);
            return;
        }

        if (milliseconds <= 0)
        {
            await call.DeleteAsync(key, read.Context);
        }
        else
        {
            await call.WriteAsync(key, RespStore.Pick(read)!, read.Context, TimeSpan.FromMilliseconds(milliseconds));
        }

        call.Reply.Integer(1);
    }

    /// <summary>PERSIST key: 1 if the value GET answers had an expiry and now has none; 0 if the key is absent or never expired.</summary>
    public static async ValueTask Persist(RespCall call)
    {
        var key = call.Arguments[1];
        KeyLimits.CheckKey(key);
        var read = await call.ReadAsync(key);
        if (!read.Found || RespStore.PickExpiration(read) is null)
        {
            call.Reply.Integer(0);
            return;
        }

        await call.WriteAsync(key, RespStore.Pick(read)!, read.Context);
        call.Reply.Integer(1);
    }

    /// <summary>The time to live an expiry option (EX, PX, EXAT, PXAT) and its argument give, measured from GrainKV's now;
    /// false, with Redis' error replied, when the argument is not an integer or not a valid expiry.</summary>
    public static bool TryTimeToLive(RespCall call, string option, byte[] argument, string command, out TimeSpan? ttl)
    {
        ttl = null;
        if (!long.TryParse(System.Text.Encoding.UTF8.GetString(argument), out var amount))
        {
            call.Reply.Error("ERR value is not an integer or out of range");
            return false;
        }

        var max = (long)KeyLimits.MaxTimeToLive.TotalMilliseconds;
        var nowMs = call.Store.NowMs;
        long? milliseconds = option switch
        {
            "EX" => amount is > 0 && amount <= max / 1000 ? amount * 1000 : null,
            "PX" => amount is > 0 && amount <= max ? amount : null,
            "EXAT" => amount is > 0 && amount <= (long.MaxValue / 1000) - 1 ? Math.Max(1, (amount * 1000) - nowMs) : null,
            "PXAT" => amount > 0 ? Math.Max(1, amount - nowMs) : null,
            _ => null,
        };
        if (milliseconds is not { } ms || ms > max)
        {
            call.Reply.Error($"ERR invalid expire time in '{command}' command");
            return false;
        }

        ttl = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    /// <summary>The time to live that ends at <paramref name="expires"/> (at least 1 ms: an instant already past expires at once).</summary>
    public static TimeSpan Until(RespCall call, DateTimeOffset expires)
    {
        var left = expires.ToUnixTimeMilliseconds() - call.Store.NowMs;
        return TimeSpan.FromMilliseconds(Math.Max(1, left));
    }
}
