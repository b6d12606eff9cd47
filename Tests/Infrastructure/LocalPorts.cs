// Loopback TCP ports for test processes that must keep their ports across restarts: chosen below the
// kernel's ephemeral range (so no outgoing connection can take one while its silo is down) and checked to
// be free, so that a process leaked by an earlier run cannot silently join a new cluster.

using System.Net;
using System.Net.Sockets;

namespace GrainKV.Tests.Infrastructure;

public static class LocalPorts
{
    private const int Lowest = 20000;
    private const int HighestExclusive = 32000;

    /// <summary><paramref name="count"/> distinct ports on which nothing listens now.</summary>
    public static int[] PickFree(int count)
    {
        var chosen = new List<int>(count);
        for (var attempt = 0; chosen.Count < count; attempt++)
        {
            if (attempt > 1000)
            {
                throw new InvalidOperationException($"Could not find {count} free ports in {Lowest}..{HighestExclusive - 1}.");
            }

            var port = Random.Shared.Next(Lowest, HighestExclusive);
            if (!chosen.Contains(port) && IsFree(port))
            {
                chosen.Add(port);
            }
        }

        return [.. chosen];
    }

    /// <summary><paramref name="count"/> consecutive ports on which nothing listens now (for scripts that number
    /// their nodes' ports from a base); returns the first.</summary>
    public static int PickFreeRun(int count)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var first = Random.Shared.Next(Lowest, HighestExclusive - count);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"Could not find {count} consecutive free ports in {Lowest}..{HighestExclusive - 1}.");
    }

    /// <summary>True when a listener could bind <paramref name="port"/> on the loopback address now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
