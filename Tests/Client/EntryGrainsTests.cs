// The client's references to the entry grains: each is made once through its grain factory, whatever the number
// of requests, and every range's requests go to the one key-range grain id.

using System.Reflection;
using GrainKV.Client;
using GrainKV.Partitioning;
using GrainKV.Versioning;
using Microsoft.Extensions.Options;

namespace GrainKV.Tests.Client;

public sealed class EntryGrainsTests
{
    [Fact]
    public void EachReferenceIsMadeOnceAndReusedByEveryLaterRequest()
    {
        var factory = CountingFactory.Create();
        var grains = new EntryGrains(factory);

        var keyRanges = grains.KeyRanges;
        var ping = grains.Ping;
        for (var round = 0; round < 3; round++)
        {
            Assert.Same(keyRanges, grains.KeyRanges);
            Assert.Same(ping, grains.Ping);
        }

        Assert.Equal([EntryGrains.KeyRangeGrainKey, 0L], ((CountingFactory)(object)factory).Made);
    }

    [Fact]
    public async Task TheClientSendsEveryRangesRequestsToTheOneKeyRangeGrainNamingTheKeysRange()
    {
        var factory = CountingFactory.Create();
        var grain = new RecordingRangeGrain();
        ((CountingFactory)(object)factory).KeyRanges = grain;
        var client = new GrainKvClient(factory, Options.Create(new GrainKvClientOptions()));
        var keys = Enumerable.Range(0, 40).Select(i => System.Text.Encoding.UTF8.GetBytes($"key-{i}")).ToArray();

        foreach (var key in keys)
        {
            await client.PutAsync(key, key);
            await client.GetAsync(key);
            await client.DeleteAsync(key, CausalContext.Empty);
        }

        Assert.Equal([EntryGrains.KeyRangeGrainKey], ((CountingFactory)(object)factory).Made);
        var expected = keys.SelectMany(key => Enumerable.Repeat(KeyPartitioner.RangeOf(key, KeyPartitioner.DefaultRangeCount), 3)).ToList();
        Assert.Equal(expected, grain.Ranges);
        Assert.True(expected.Distinct().Count() > 30);
    }

    /// <summary>A key-range grain that records the range each request names.</summary>
    public sealed class RecordingRangeGrain : IKeyRangeGrain
    {
        public List<int> Ranges { get; } = [];

        public Task<ReadResult> Get(int range, byte[] key, ReadOptions options, CancellationToken cancellationToken) =>
            Task.FromResult(Record(range, ReadResult.NotFound));

        public Task Put(int range, byte[] key, byte[] value, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Task.FromResult(Record(range, true));

        public Task Overwrite(int range, byte[] key, byte[] value, ReadOptions read, WriteOptions write, CancellationToken cancellationToken) =>
            Task.FromResult(Record(range, true));

        public Task Delete(int range, byte[] key, CausalContext context, WriteOptions options, CancellationToken cancellationToken) =>
            Task.FromResult(Record(range, true));

        public Task<KeyRangeReply[]> Batch(KeyRangeRequest[] requests, CancellationToken cancellationToken) =>
            Task.FromResult(requests
                .Select(r => Record(r.Range, r.Kind == KeyRangeRequestKind.Get ? new KeyRangeReply(ReadResult.NotFound) : KeyRangeReply.Written))
                .ToArray());

        private T Record<T>(int range, T answer)
        {
            lock (Ranges)
            {
                Ranges.Add(range);
            }

            return answer;
        }
    }

    /// <summary>A grain factory that records the keys it made references for; each reference is a new object.</summary>
    public class CountingFactory : DispatchProxy
    {
        public List<long> Made { get; } = [];

        /// <summary>The key-range grain handed out; a reference no test calls if null.</summary>
        public IKeyRangeGrain? KeyRanges { get; set; }

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
                : KeyRanges ?? DispatchProxy.Create<IKeyRangeGrain, Unused>();
        }
    }

    /// <summary>A grain reference no test calls.</summary>
    public class Unused : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException(targetMethod?.Name);
    }
}
