// Ports handed to test processes are never handed out twice: not within this run, and not to another test
// process beside it (their lock files are held exclusively).

namespace GrainKV.Tests.Infrastructure;

public sealed class LocalPortsTests
{
    [Fact]
    public void NoPortIsHandedOutTwice()
    {
        var first = LocalPorts.PickFree(100);
        var second = LocalPorts.PickFree(100);

        Assert.Equal(100, first.Distinct().Count());
        Assert.Empty(first.Intersect(second));
    }

    [Fact]
    public void AnotherProcessCannotReserveAHandedOutPort()
    {
        var port = LocalPorts.PickFree(1)[0];
        var lockFile = Path.Combine(Path.GetTempPath(), "grainkv-test-ports", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Throws<IOException>(() => new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
    }
}
