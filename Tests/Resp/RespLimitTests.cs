// A client holding connections cannot exhaust the silo: past MaxConnections a connection is told so and
// closed, and a connection idle for IdleTimeout is closed (on the gateway's fake clock: no waiting).

namespace GrainKV.Tests.Resp;

public sealed class RespLimitTests(LimitedGatewayFixture fixture) : IClassFixture<LimitedGatewayFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RespSilo Silo => fixture.Silo;

    [Fact]
    public async Task ConnectionsPastTheLimitAreRefusedAndIdleOnesClosed()
    {
        await using var first = await Silo.OpenSocketAsync();
        await using var second = await Silo.OpenSocketAsync();
        Assert.Equal("PONG", await first.CallAsync("PING"));
        Assert.Equal("PONG", await second.CallAsync("PING"));

        await using (var third = await Silo.OpenSocketAsync())
        {
            Assert.Equal("-ERR max number of clients reached", await third.ReadAsync());
            Assert.True(await third.IsClosedByServerAsync());
        }

        // Idle past the timeout: both are closed, and their places are free again.
        await Infrastructure.Eventually.HoldsAsync(
            () =>
            {
                Silo.Clock.Advance(LimitedGatewayFixture.IdleTimeout + TimeSpan.FromSeconds(1));
                return first.IsClosedNow() && second.IsClosedNow();
            },
            Bound,
            "idle connections are closed");
        Assert.True(await first.IsClosedByServerAsync());
        await Infrastructure.Eventually.HoldsAsync(() => Silo.Gateway.Connections == 0, Bound, "closed connections are no longer counted");

        await using var again = await Silo.OpenSocketAsync();
        Assert.Equal("PONG", await again.CallAsync("PING"));

        // A connection that keeps talking is not idle: the clock only runs while it waits for a command.
        Silo.Clock.Advance(LimitedGatewayFixture.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal("PONG", await again.CallAsync("PING"));
        Silo.Clock.Advance(LimitedGatewayFixture.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal("PONG", await again.CallAsync("PING"));
    }
}
