// A node away longer than the tombstone grace period does not start on its old data (deleted keys could come
// back); a new or wiped node, or one back within the period, starts; the override is explicit.

using GrainKV.Grains.AntiEntropy;
using GrainKV.Tests.Infrastructure;

namespace GrainKV.Tests.AntiEntropy;

public sealed class AbsenceGuardTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ANodeAwayLongerThanTheGracePeriodRefusesItsOldData()
    {
        Assert.Null(AbsenceGuard.Check(null, Now, Grace, acceptStaleData: false));
        Assert.Null(AbsenceGuard.Check(Now - TimeSpan.FromHours(23), Now, Grace, acceptStaleData: false));
        var refusal = AbsenceGuard.Check(Now - TimeSpan.FromHours(25), Now, Grace, acceptStaleData: false);
        Assert.NotNull(refusal);
        Assert.Contains("Empty its data directory", refusal);
        Assert.Null(AbsenceGuard.Check(Now - TimeSpan.FromHours(25), Now, Grace, acceptStaleData: true));
    }

    [Fact]
    public async Task ASiloWhoseDataWasLastUpBeforeTheGracePeriodDoesNotStart()
    {
        await using var cluster = await GrainKvCluster.StartAsync(2);
        var silo = cluster.Cluster.Silos.OrderBy(s => s.Name, StringComparer.Ordinal).Last();
        var directory = cluster.DataDirectoryOf(silo.Name);
        await cluster.Cluster.StopSiloAsync(silo);
        File.WriteAllText(Path.Combine(directory, AbsenceGuard.FileName), DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Cluster.StartAdditionalSiloAsync());
        Assert.Contains("tombstone grace period", Flatten(refused));
    }

    private static string Flatten(Exception? ex) => ex is null ? "" : ex.Message + " " + Flatten(ex.InnerException) +
        (ex is AggregateException aggregate ? string.Concat(aggregate.InnerExceptions.Select(Flatten)) : "");

    [Fact]
    public async Task ARunningNodeRecordsThatItIsUp()
    {
        await using var cluster = await GrainKvCluster.StartAsync(1);
        var lastUp = AbsenceGuard.ReadLastUp(cluster.DataDirectoryOf(cluster.Cluster.Silos[0].Name));
        Assert.NotNull(lastUp);
        Assert.InRange(DateTimeOffset.UtcNow - lastUp.Value, TimeSpan.Zero, Grace);
    }
}
