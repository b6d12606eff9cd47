// The compaction policy alone: which of the newest tables a size-tiered compaction merges, from their
// sizes (newest first), the trigger and the table limit.

using GrainKV.Storage.Compaction;

namespace GrainKV.Storage.Tests.Compaction;

public sealed class CompactionPickerTests
{
    [Fact]
    public void FewerTablesThanTheTriggerAreLeftAlone()
    {
        Assert.Equal(0, CompactionPicker.Pick([10, 10, 10], trigger: 4, maxTables: 12));
    }

    [Fact]
    public void ASingleTableIsNeverCompactedWhateverTheTrigger()
    {
        Assert.Equal(0, CompactionPicker.Pick([10], trigger: 1, maxTables: 1));
    }

    [Fact]
    public void TablesOfSimilarSizeAreMergedAsOneRun()
    {
        Assert.Equal(4, CompactionPicker.Pick([10, 10, 10, 10], trigger: 4, maxTables: 12));
    }

    [Fact]
    public void TheRunTakesEveryTableNoLargerThanTwiceTheRunSoFar()
    {
        // 2 <= 2*1, 6 <= 2*3, 18 <= 2*9: the boundary (exactly twice) is inside the run.
        Assert.Equal(4, CompactionPicker.Pick([1, 2, 6, 18], trigger: 2, maxTables: 12));
    }

    [Fact]
    public void TheRunStopsAtATableMoreThanTwiceItsSize()
    {
        Assert.Equal(3, CompactionPicker.Pick([10, 10, 10, 61, 10], trigger: 3, maxTables: 12));
    }

    [Fact]
    public void ARunShorterThanTheTriggerIsNotMerged()
    {
        Assert.Equal(0, CompactionPicker.Pick([10, 10, 10, 100, 1000], trigger: 4, maxTables: 12));
    }

    [Fact]
    public void OnlyARunStartingAtTheNewestTableCounts()
    {
        // The three older tables are alike, but the newest is much smaller than them: no contiguous run from it.
        Assert.Equal(0, CompactionPicker.Pick([1, 100, 100, 100], trigger: 3, maxTables: 12));
    }

    [Fact]
    public void AtTheTableLimitTheNewestTriggerTablesAreMergedWithoutARun()
    {
        long[] sizes = [1, 10, 100, 1_000, 10_000, 100_000];

        Assert.Equal(0, CompactionPicker.Pick(sizes, trigger: 3, maxTables: 7));
        Assert.Equal(3, CompactionPicker.Pick(sizes, trigger: 3, maxTables: 6));
    }

    [Fact]
    public void ALongRunBeatsTheTableLimit()
    {
        Assert.Equal(8, CompactionPicker.Pick([5, 5, 5, 5, 5, 5, 5, 5], trigger: 2, maxTables: 4));
    }
}
