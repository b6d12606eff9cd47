// Shared silos of the RESP tests, one per configuration, each started once per test class.

using GrainKV.Grains.Resp;

namespace GrainKV.Tests.Resp;

/// <summary>A silo whose gateway has no password and takes at most 64 arguments per command (shared by the
/// classes of its collection, which run one after another).</summary>
public sealed class OpenGatewayFixture : RespFixture
{
    public const string Collection = "RESP gateway without password";

    public const int MaxArguments = 64;

    public OpenGatewayFixture() : base(o => o.MaxArguments = MaxArguments) { }
}

/// <summary>A silo whose gateway wants a password.</summary>
public sealed class PasswordGatewayFixture : RespFixture
{
    public const string Password = "s3cret pass";

    public PasswordGatewayFixture() : base(o => o.Password = Password) { }
}

/// <summary>A silo whose gateway takes two connections at most and closes them after a minute idle (on the fake clock).</summary>
public sealed class LimitedGatewayFixture : RespFixture
{
    public const int MaxConnections = 2;

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    public LimitedGatewayFixture() : base(o => (o.MaxConnections, o.IdleTimeout) = (MaxConnections, IdleTimeout)) { }
}

public abstract class RespFixture(Action<RespOptions> configure) : IAsyncLifetime
{
    public RespSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await RespSilo.StartAsync(configure);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

[CollectionDefinition(OpenGatewayFixture.Collection)]
public sealed class OpenGatewayCollection : ICollectionFixture<OpenGatewayFixture>;
