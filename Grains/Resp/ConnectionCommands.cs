// Connection commands: PING, ECHO, AUTH, HELLO, SELECT, CLIENT, QUIT. Replies and error texts follow Redis 7
// so that clients which match on them (redis-cli, StackExchange.Redis) behave as with Redis.

using System.Security.Cryptography;
using System.Text;

namespace GrainKV.Grains.Resp;

/// <summary>Handlers of the connection commands.</summary>
public static class ConnectionCommands
{
    public static ValueTask Ping(RespCall call)
    {
        if (call.Arguments.Count == 1)
        {
            call.Reply.SimpleString("PONG");
        }
        else
        {
            call.Reply.Bulk(call.Arguments[1]);
        }

        return ValueTask.CompletedTask;
    }

    public static ValueTask Echo(RespCall call)
    {
        call.Reply.Bulk(call.Arguments[1]);
        return ValueTask.CompletedTask;
    }

    public static ValueTask Auth(RespCall call)
    {
        var user = call.Arguments.Count == 3 ? call.Arguments[1] : "default"u8.ToArray();
        if (call.Gateway.Options.Password is null)
        {
            call.Reply.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }
        else if (TryAuthenticate(call, user, call.Arguments[^1]))
        {
            call.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>HELLO [protover [AUTH username password] [SETNAME clientname]].</summary>
    public static ValueTask Hello(RespCall call)
    {
        var protocol = call.Reply.Protocol;
        if (call.Arguments.Count > 1)
        {
            if (!long.TryParse(call.Text(1), out var requested) || requested is < int.MinValue or > int.MaxValue)
            {
                call.Reply.Error("ERR Protocol version is not an integer or out of range");
                return ValueTask.CompletedTask;
            }

            if (requested is not (2 or 3))
            {
                call.Reply.Error("NOPROTO unsupported protocol version");
                return ValueTask.CompletedTask;
            }

            protocol = (int)requested;
        }

        byte[]? user = null, password = null;
        string? name = null;
        for (var i = 2; i < call.Arguments.Count; i++)
        {
            if (call.Is(i, "AUTH") && i + 2 < call.Arguments.Count)
            {
                (user, password) = (call.Arguments[i + 1], call.Arguments[i + 2]);
                i += 2;
            }
            else if (call.Is(i, "SETNAME") && i + 1 < call.Arguments.Count)
            {
                name = call.Text(++i);
            }
            else
            {
                call.Reply.Error($"ERR Syntax error in HELLO option '{call.Text(i)}'");
                return ValueTask.CompletedTask;
            }
        }

        if (password is not null)
        {
            if (call.Gateway.Options.Password is null)
            {
                call.Reply.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
                return ValueTask.CompletedTask;
            }

            if (!TryAuthenticate(call, user!, password))
            {
                return ValueTask.CompletedTask;
            }
        }
        else if (!call.Session.Authenticated)
        {
            call.Reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return ValueTask.CompletedTask;
        }

        if (name is not null && !TrySetName(call, name))
        {
            return ValueTask.CompletedTask;
        }

        call.Reply.Protocol = protocol;
        var reply = call.Reply;
        reply.MapHeader(7);
        reply.BulkString("server");
        reply.BulkString("grainkv");
        reply.BulkString("version");
        reply.BulkString(RespGateway.RedisVersion);
        reply.BulkString("proto");
        reply.Integer(protocol);
        reply.BulkString("id");
        reply.Integer(call.Session.Id);
        reply.BulkString("mode");
        reply.BulkString("standalone");
        reply.BulkString("role");
        reply.BulkString("master");
        reply.BulkString("modules");
        reply.ArrayHeader(0);
        return ValueTask.CompletedTask;
    }

    public static ValueTask Select(RespCall call)
    {
        if (!long.TryParse(call.Text(1), out var index))
        {
            call.Reply.Error("ERR value is not an integer or out of range");
        }
        else if (index != 0)
        {
            call.Reply.Error("ERR DB index is out of range (GrainKV has one database, 0)");
        }
        else
        {
            call.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>CLIENT SETNAME | GETNAME | ID | INFO | SETINFO.</summary>
    public static ValueTask Client(RespCall call)
    {
        var session = call.Session;
        var count = call.Arguments.Count;
        if (call.Is(1, "SETNAME") && count == 3)
        {
            if (TrySetName(call, call.Text(2)))
            {
                call.Reply.Ok();
            }
        }
        else if (call.Is(1, "GETNAME") && count == 2)
        {
            call.Reply.BulkOrNull(session.Name is null ? null : Encoding.UTF8.GetBytes(session.Name));
        }
        else if (call.Is(1, "ID") && count == 2)
        {
            call.Reply.Integer(session.Id);
        }
        else if (call.Is(1, "INFO") && count == 2)
        {
            call.Reply.BulkString($"id={session.Id} addr={session.Remote} name={session.Name} db=0 resp={call.Reply.Protocol}\n");
        }
        else if (call.Is(1, "SETINFO") && count == 4)
        {
            call.Reply.Ok(); // library name and version: accepted and not kept
        }
        else
        {
            call.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{call.Text(1)}'. Try CLIENT HELP.");
        }

        return ValueTask.CompletedTask;
    }

    public static ValueTask Quit(RespCall call)
    {
        call.Session.Closing = true;
        call.Reply.Ok();
        return ValueTask.CompletedTask;
    }

    private static bool TryAuthenticate(RespCall call, byte[] user, byte[] password)
    {
        var expected = Encoding.UTF8.GetBytes(call.Gateway.Options.Password!);
        var ok = "default"u8.SequenceEqual(user) & CryptographicOperations.FixedTimeEquals(expected, password);
        if (!ok)
        {
            call.Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
        }

        call.Session.Authenticated |= ok;
        return ok;
    }

    private static bool TrySetName(RespCall call, string name)
    {
        if (name.Any(c => c <= ' ' || c > '~'))
        {
            call.Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
            return false;
        }

        call.Session.Name = name.Length == 0 ? null : name;
        return true;
    }
}
