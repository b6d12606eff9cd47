// GrainKV's own commands, for clients that want siblings and contexts rather than Redis' one value per key:
//
//   GRAINKV.GETALL key              -> *2: an array of every sibling (in unsigned byte order), then the
//                                      context as URL-safe base64 (the CLI's --context token; "" when absent)
//   GRAINKV.PUT key value context   -> +OK: writes superseding exactly the versions the context names
//                                      ("" for no context: the value becomes a sibling of what is there)

using GrainKV.Storage;
using GrainKV.Versioning;

namespace GrainKV.Grains.Resp;

/// <summary>Handlers of the GRAINKV.* commands.</summary>
public static class GrainKvCommands
{
    public static async ValueTask GetAll(RespCall call)
    {
        var read = await call.ReadAsync(call.Arguments[1]);
        var values = read.Values.Order(ByteArrayComparer.Instance).ToList();
        call.Reply.ArrayHeader(2);
        call.Reply.ArrayHeader(values.Count);
        values.ForEach(v => call.Reply.Bulk(v));
        call.Reply.BulkString(read.Context.ToString());
    }

    public static async ValueTask Put(RespCall call)
    {
        var (key, value) = (call.Arguments[1], call.Arguments[2]);
        call.Store.CheckEntry(key, value);
        CausalContext context;
        try
        {
            context = CausalContext.Parse(call.Text(3));
            context.ClockFor(key);
        }
        catch (FormatException ex)
        {
            call.Reply.Error($"ERR invalid context: {ex.Message}; nothing was stored");
            return;
        }

        await call.WriteAsync(key, value, context);
        call.Reply.Ok();
    }
}
