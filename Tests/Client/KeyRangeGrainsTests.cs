// The client's references to the key-range coordinators: each range's is made once through its grain factory,
// whatever the number of requests.

using System.Reflection;
using GrainKV.Partitioning;

namespace GrainKV.Tests.Client;

public sealed class KeyRangeGrainsTests
{
    [Fact]
    public void EachRangesReferenceIsMadeOnceAndReusedByEveryLaterRequest()
    {
        var factory = CountingFactory.Create();
        var grains = new KeyRangeGrains(factory, 16);

        var first = Enumerable.Range(0, 16).Select(grains.Of).ToArray();
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(first, Enumerable.Range(0, 16).Select(grains.Of));
        }

        Assert.Equal(16, ((CountingFactory)(object)factory).Made.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(r => (long)r), ((CountingFactory)(object)factory).Made.Order());
        Assert.Same(grains.Ping, grains.Ping);
    }

    [Fact]
    public void ARangeCountThatIsNoPowerOfTwoIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyRangeGrains(CountingFactory.Create(), 1000));

    /// <summary>A grain factory that records the keys it made references for; each reference is a new object.</summary>
    public class CountingFactory : DispatchProxy
    {
        public List<long> Made { get; } = [];

        public static IGrainFactory Create() => DispatchProxy.Create<IGrainFactory, CountingFactory>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IGrainFactory.GetGrain) || args is not [long key, ..])
            {
                throw new NotSupportedException(targetMethod?.Name);
            }

            lock (Made)
            {
                Made.Add(key);
            }

            return targetMethod.ReturnType == typeof(IPingGrain)
                ? DispatchProxy.Create<IPingGrain, Unused>()
                : DispatchProxy.Create<IKeyRangeGrain, Unused>();
        }
    }

    /// <summary>A grain reference no test calls.</summary>
    public class Unused : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException(targetMethod?.Name);
    }
}
