// Sibling reconciliation (R11). A replica keeps, per key, every version that no other version it has
// seen dominates; a write merges the incoming version into that set, and a coordinator merges the sets
// its replicas answer with the same rule. The client gets all survivors and their merged clock (the
// causal context); writing back with that context produces a clock that dominates them all.

namespace GrainKV.Versioning;

/// <summary>Operations on a set of sibling versions.</summary>
public static class Siblings
{
    /// <summary>
    /// The versions not dominated by any other, with causally equal clocks kept once (the later
    /// timestamp, then the non-tombstone, wins). Ordered by timestamp, then by encoded clock, so the
    /// result does not depend on the input order.
    /// </summary>
    public static IReadOnlyList<VersionedValue> Reconcile(IEnumerable<VersionedValue> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var survivors = new List<VersionedValue>();
        foreach (var candidate in versions)
        {
            ArgumentNullException.ThrowIfNull(candidate, nameof(versions));
            var keep = true;
            for (var i = survivors.Count - 1; i >= 0 && keep; i--)
            {
                switch (VectorClock.Compare(candidate.Clock, survivors[i].Clock))
                {
                    case ClockOrder.Before:
                        keep = false;
                        break;
                    case ClockOrder.After:
                        survivors.RemoveAt(i);
                        break;
                    case ClockOrder.Equal:
                        keep = Prefer(candidate, survivors[i]);
                        if (keep)
                        {
                            survivors.RemoveAt(i);
                        }

                        break;
                }
            }

            if (keep)
            {
                survivors.Add(candidate);
            }
        }

        survivors.Sort(Order);
        return survivors;
    }

    /// <summary>A replica's merge on write: <paramref name="stored"/> plus <paramref name="incoming"/>, reconciled.</summary>
    public static IReadOnlyList<VersionedValue> Add(IEnumerable<VersionedValue> stored, VersionedValue incoming) =>
        Reconcile(stored.Append(incoming));

    /// <summary>The merged clock of <paramref name="siblings"/>: the context a client writes back with.</summary>
    public static VectorClock CausalContext(IEnumerable<VersionedValue> siblings) =>
        VectorClock.Merge(siblings.Select(s => s.Clock));

    /// <summary>True when there is no version, or every version is a tombstone: the key reads as absent.</summary>
    public static bool IsDeleted(IEnumerable<VersionedValue> siblings) => siblings.All(s => s.IsTombstone);

    /// <summary>Whether <paramref name="candidate"/> replaces an <paramref name="incumbent"/> with a causally equal clock.</summary>
    private static bool Prefer(VersionedValue candidate, VersionedValue incumbent)
    {
        if (candidate.TimestampUnixMs != incumbent.TimestampUnixMs)
        {
            return candidate.TimestampUnixMs > incumbent.TimestampUnixMs;
        }

        if (candidate.IsTombstone != incumbent.IsTombstone)
        {
            return incumbent.IsTombstone;
        }

        return candidate.Value is not null && candidate.Value.AsSpan().SequenceCompareTo(incumbent.Value) > 0;
    }

    private static int Order(VersionedValue x, VersionedValue y)
    {
        var c = x.TimestampUnixMs.CompareTo(y.TimestampUnixMs);
        return c != 0 ? c : x.Clock.Encode().AsSpan().SequenceCompareTo(y.Clock.Encode());
    }
}
