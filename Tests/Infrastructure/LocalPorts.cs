// Loopback TCP ports for test processes that must keep their ports across restarts: chosen below the
// kernel's ephemeral range (so no outgoing connection can take one while its silo is down) and checked to
// be free, so that a process leaked by an earlier run cannot silently join a new cluster.
//
// Between the check and the moment a silo binds the port, nothing else may take it: each port handed out is
// reserved for the rest of this process by an exclusive lock on a file named after it (in the machine's temp
// directory), so neither another test of this run nor a test run of another process beside it (they take the
// same locks) is handed the same port. The locks go with the process.

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GrainKV.Tests.Infrastructure;

public static class LocalPorts
{
    private const int Lowest = 20000;
    private const int HighestExclusive = 32000;
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "grainkv-test-ports");
    private static readonly ConcurrentDictionary<int, FileStream> Reserved = new();

    /// <summary><paramref name="count"/> distinct ports on which nothing listens now, reserved for this process.</summary>
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
            if (TryReserve(port))
            {
                if (IsFree(port))
                {
                    chosen.Add(port);
                }
                else if (Reserved.TryRemove(port, out var held))
                {
                    held.Dispose();
                }
            }
        }

        return [.. chosen];
    }

    /// <summary>Takes the port's lock file unless this or another process holds it.</summary>
    private static bool TryReserve(int port)
    {
        if (Reserved.ContainsKey(port))
        {
            return false;
        }

        Directory.CreateDirectory(LockDirectory);
        try
        {
            var held = new FileStream(Path.Combine(LockDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            if (Reserved.TryAdd(port, held))
            {
                return true;
            }

            held.Dispose();
            return false;
        }
        catch (IOException)
        {
            return false;
        }
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
