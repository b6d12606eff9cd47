// The silo process checks every options type before it starts (its host settings, the node's with their nested
// sections, gossip, RESP, HTTP): a configuration with problems in several sections is refused with one line per
// options type, each listing its problems, and the process exits before it is ready (a real silo process). A heap
// limit too small for the engine's memtables and cache is refused the same way.

using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.Silo;

public sealed class SiloStartupValidationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ProblemsInSeveralSectionsAreAllNamedAtOnce()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(_directory.Path, "n1", null, null,
        [
            "--GrainKV:WriteQuorum=5",
            "--GrainKV:AntiEntropy:Leaves=1000",
            "--GrainKV:Gossip:Fanout=0",
            "--GrainKV:Resp:Port=70000",
            "--GrainKV:Http:ListenAddress=nowhere",
        ]));

        var lines = failure.Message.Split('\n').Where(l => l.StartsWith("grainkv-silo: invalid configuration:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains(lines, l => l.Contains("GrainKvNodeOptions.AntiEntropy.Leaves", StringComparison.Ordinal) && l.Contains("need WriteQuorum (5)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GossipOptions.Fanout", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("RespOptions.Port", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GrainKV:Http:ListenAddress 'nowhere'", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_directory.Path, "node-id")));
    }

    [Fact]
    public async Task AHeapLimitWithoutRoomForTheEnginesMemoryIsRefused()
    {
        // 3 memtables of 128 MiB (one active, two waiting to flush) + a 128 MiB cache = 512 MiB: over an 800 MiB limit
        // once the silo's own 384 MiB are added.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(_directory.Path, "n1", null, null,
            ["--GrainKV:HeapLimitMb=800", "--GrainKV:MemTableSize=134217728", "--GrainKV:BlockCacheSize=134217728"]));

        Assert.Contains("grainkv-silo: invalid configuration: GrainKV:HeapLimitMb (800 MiB) is too small", failure.Message, StringComparison.Ordinal);
        Assert.Contains("may hold 512 MiB", failure.Message, StringComparison.Ordinal);
        Assert.Contains("at least 896", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.Path, "node-id")));
    }
}
