// Fuzzing the running gateway with fixed seeds: streams of SET frames, mutated, are sent and the sending side
// closed. The gateway must answer what it could parse and then close the connection (no hang, no connection
// left behind), keep serving other connections, and store nothing from a frame it did not receive whole.

using System.Text;

namespace GrainKV.Tests.Resp;

[Collection(OpenGatewayFixture.Collection)]
public sealed class RespGatewayFuzzTests(OpenGatewayFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RespSilo Silo => fixture.Silo;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task MutatedStreamsAreAnsweredOrRefusedAndTheGatewayGoesOn(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var stream = new MemoryStream();
            for (var i = 0; i < 5; i++)
            {
                stream.Write(RespSocket.Frame("SET", $"fuzz:{seed}:{round}:{i}", $"value-{i}"));
            }

            var bytes = stream.ToArray();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            await using var socket = await Silo.OpenSocketAsync();
            await socket.SendAsync(bytes);
            socket.EndSending();
            await socket.ReadUntilClosedAsync();
        }

        await using var after = await Silo.OpenSocketAsync();
        Assert.Equal("PONG", await after.CallAsync("PING"));
        await Infrastructure.Eventually.HoldsAsync(() => Silo.Gateway.Connections <= 1, Bound, "fuzzed connections are closed");
    }

    [Fact]
    public async Task AFrameCutShortIsNeverRun()
    {
        var random = new Random(7);
        for (var round = 0; round < 30; round++)
        {
            var key = $"cut:{round}";
            var frame = RespSocket.Frame("SET", key, new string('v', random.Next(0, 200)));
            await using var socket = await Silo.OpenSocketAsync();
            await socket.SendAsync(frame[..random.Next(frame.Length)]);
            socket.EndSending();
            Assert.Empty(await socket.ReadUntilClosedAsync());
            Assert.False((await Silo.Client.GetAsync(Encoding.UTF8.GetBytes(key))).Found);
        }
    }
}
