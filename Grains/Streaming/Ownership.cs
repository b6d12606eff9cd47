// Which ranges a node owns on a ring view: those whose current or future preference list (at the cluster's N)
// names it. A node streams the ranges it owns and does not hold yet, and deletes the keys of ranges it owns on
// neither ring.

using GrainKV.Grains.Ring;

namespace GrainKV.Grains.Streaming;

/// <summary>Range ownership on a <see cref="RingView"/>.</summary>
public static class Ownership
{
    /// <summary>The ranges <paramref name="nodeId"/> owns now or once the transfers under way complete.</summary>
    public static List<int> Owned(RingView view, string nodeId, int rangeCount)
    {
        var owned = new List<int>();
        for (var range = 0; range < rangeCount; range++)
        {
            if (view.PreferenceList(range, view.DefaultReplicas).Contains(nodeId) || view.FuturePreferenceList(range, view.DefaultReplicas).Contains(nodeId))
            {
                owned.Add(range);
            }
        }

        return owned;
    }

    /// <summary>Per node taking over ranges from <paramref name="leaving"/>: the ranges it must hold before
    /// <paramref name="leaving"/> can go (ranges <paramref name="leaving"/> owns now whose future owners are not current ones).</summary>
    public static Dictionary<string, List<int>> Receivers(RingView view, string leaving, int rangeCount)
    {
        var receivers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var range = 0; range < rangeCount; range++)
        {
            var current = view.PreferenceList(range, view.DefaultReplicas);
            if (!current.Contains(leaving))
            {
                continue;
            }

            foreach (var node in view.FuturePreferenceList(range, view.DefaultReplicas).Where(n => !current.Contains(n)))
            {
                if (!receivers.TryGetValue(node, out var ranges))
                {
                    receivers[node] = ranges = [];
                }

                ranges.Add(range);
            }
        }

        return receivers;
    }
}
