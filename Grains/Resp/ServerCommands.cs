// Server commands: COMMAND (enough of it for redis-cli's hints and for clients that read the command table)
// and INFO (server, clients, replication, keyspace, and GrainKV's cluster and engine figures).

using System.Text;

namespace GrainKV.Grains.Resp;

/// <summary>Handlers of COMMAND and INFO.</summary>
public static class ServerCommands
{
    /// <summary>COMMAND | COMMAND COUNT | COMMAND INFO [name ...] | COMMAND DOCS [name ...].</summary>
    public static ValueTask Command(RespCall call)
    {
        var reply = call.Reply;
        if (call.Arguments.Count == 1)
        {
            reply.ArrayHeader(RespCommandTable.All.Count);
            foreach (var command in RespCommandTable.All)
            {
                WriteInfo(reply, command);
            }
        }
        else if (call.Is(1, "COUNT") && call.Arguments.Count == 2)
        {
            reply.Integer(RespCommandTable.All.Count);
        }
        else if (call.Is(1, "INFO"))
        {
            var named = Named(call);
            reply.ArrayHeader(named.Count);
            foreach (var command in named)
            {
                if (command is null)
                {
                    reply.Null();
                }
                else
                {
                    WriteInfo(reply, command);
                }
            }
        }
        else if (call.Is(1, "DOCS"))
        {
            var named = Named(call).OfType<RespCommand>().ToList();
            reply.MapHeader(named.Count);
            foreach (var command in named)
            {
                reply.BulkString(command.Name);
                reply.MapHeader(3);
                reply.BulkString("summary");
                reply.BulkString(command.Summary);
                reply.BulkString("since");
                reply.BulkString("1.0.0");
                reply.BulkString("group");
                reply.BulkString(command.Group);
            }
        }
        else
        {
            reply.Error($"ERR unknown subcommand or wrong number of arguments for '{call.Text(1)}'. Try COMMAND HELP.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>INFO [section ...]: all sections unless some are named.</summary>
    public static async ValueTask Info(RespCall call)
    {
        var wanted = call.Arguments.Skip(1).Select(a => Encoding.UTF8.GetString(a).ToLowerInvariant()).ToHashSet();
        var all = wanted.Count == 0 || wanted.Overlaps(["all", "everything", "default"]);
        var text = new StringBuilder();
        foreach (var (name, lines) in await call.Gateway.InfoSectionsAsync(call.CancellationToken))
        {
            if (all || wanted.Contains(name.ToLowerInvariant()))
            {
                text.Append("# ").Append(name).Append("\r\n");
                foreach (var (field, value) in lines)
                {
                    text.Append(field).Append(':').Append(value).Append("\r\n");
                }

                text.Append("\r\n");
            }
        }

        call.Reply.BulkString(text.ToString());
    }

    // name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands (Redis 7's layout).
    private static void WriteInfo(RespReplyWriter reply, RespCommand command)
    {
        reply.ArrayHeader(10);
        reply.BulkString(command.Name);
        reply.Integer(command.Arity);
        reply.ArrayHeader(command.Flags.Length);
        foreach (var flag in command.Flags)
        {
            reply.SimpleString(flag);
        }

        reply.Integer(command.FirstKey);
        reply.Integer(command.LastKey);
        reply.Integer(command.Step);
        for (var i = 0; i < 4; i++)
        {
            reply.ArrayHeader(0);
        }
    }

    // The commands named after the subcommand (all when none is named); null for an unknown name.
    private static List<RespCommand?> Named(RespCall call) => call.Arguments.Count == 2
        ? [.. RespCommandTable.All]
        : [.. call.Arguments.Skip(2).Select(a => RespCommandTable.Find(Encoding.UTF8.GetString(a)))];
}
