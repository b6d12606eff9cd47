// The RESP gateway's TCP listener, started and stopped with the silo (Active stage: grains can be called).
// It accepts connections up to MaxConnections (one past the limit gets "-ERR max number of clients reached"
// and is closed, as Redis does) and serves each on its own task; stopping closes the listener and every
// connection and waits for them.

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace GrainKV.Grains.Resp;

/// <summary>Listens for Redis clients while the silo is active.</summary>
public sealed class RespListener(RespGateway gateway, RespClock clock, ILogger<RespListener> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _socket;
    private Task _accepting = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RespListener), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        var options = gateway.Options;
        if (!options.Enabled)
        {
            RespLog.Disabled(logger);
            return Task.CompletedTask;
        }

        RespEndpoint.TryParseAddress(options.ListenAddress, out var address);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, options.Port));
            socket.Listen(512);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"The RESP gateway cannot listen on {options.ListenAddress}:{options.Port} (GrainKV:Resp:Port): {ex.Message}", ex);
        }

        _socket = socket;
        gateway.Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        RespLog.Listening(logger, socket.LocalEndPoint!.ToString()!, options.Password is null ? "off" : "on", options.MaxConnections,
            options.IdleTimeout, gateway.MaxBulkLength, options.MaxArguments);
        _accepting = Task.Run(AcceptAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            return;
        }

        var open = _connections.Count;
        await _stopping.CancelAsync();
        _socket.Dispose();
        await _accepting;
        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken);
        RespLog.Stopped(logger, open);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (_stopping.IsCancellationRequested && ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                RespLog.AcceptFailed(logger, ex);
                continue;
            }

            if (!gateway.TryOpenConnection(out var id))
            {
                Refuse(client);
                continue;
            }

            client.NoDelay = true;
            var connection = Task.Run(() => ServeAsync(client, id), CancellationToken.None);
            _connections.TryAdd(id, connection);
            if (connection.IsCompleted)
            {
                _connections.TryRemove(id, out _);
            }
        }
    }

    private async Task ServeAsync(Socket client, long id)
    {
        try
        {
            await new RespConnection(client, id, gateway, clock.Time, logger).RunAsync(_stopping.Token);
        }
        finally
        {
            gateway.CloseConnection();
            _connections.TryRemove(id, out _);
        }
    }

    private void Refuse(Socket client)
    {
        RespLog.TooManyConnections(logger, client.RemoteEndPoint?.ToString() ?? "unknown", gateway.Options.MaxConnections);
        try
        {
            client.Send("-ERR max number of clients reached\r\n"u8);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client is gone already.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _socket?.Dispose();
    }
}
