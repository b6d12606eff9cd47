// Size of a store's data directory after a workload: the sum of its files' lengths, recursively.

namespace GrainKV.Bench.Engine.Metrics;

internal static class DirectorySize
{
    public static long Of(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        long total = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Deleted by a background compaction while we walked the tree.
            }
        }

        return total;
    }
}
