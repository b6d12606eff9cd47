// Chooses what to compact. Size-tiered ("universal") compaction over the list of tables, newest first:
// starting from the newest table, a run grows while the next older table is no larger than twice the
// run's total size; a run of at least `trigger` tables is merged into one table that takes the run's
// place. When no such run exists but there are `maxTables` or more tables, the newest `trigger` tables
// are merged anyway, which bounds the number of tables a read may consult. Only runs that start at the
// newest table and are contiguous are merged, so newer data always shadows older data.

namespace GrainKV.Storage.Compaction;

/// <summary>Pure compaction policy.</summary>
public static class CompactionPicker
{
    /// <summary>How many of the newest tables to merge (0 = none), given their sizes newest first.</summary>
    public static int Pick(IReadOnlyList<long> sizesNewestFirst, int trigger, int maxTables)
    {
        if (sizesNewestFirst.Count < Math.Max(2, trigger))
        {
            return 0;
        }

        var run = 1;
        long sum = sizesNewestFirst[0];
        while (run < sizesNewestFirst.Count && sizesNewestFirst[run] <= 2 * sum)
        {
            sum += sizesNewestFirst[run];
            run++;
        }

        if (run >= trigger)
        {
            return run;
        }

        return sizesNewestFirst.Count >= maxTables ? trigger : 0;
    }
}
